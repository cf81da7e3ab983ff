"""A chart's worth of answer: title, one-line summary, figure, notes and the same figures as a table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from dashboard.domain.status import NO_DATA_MESSAGE


@dataclass
class Panel:
    """What one chart panel shows; table is display-ready text, suppressed cells already 'c'."""

    title: str
    summary: str
    table: pd.DataFrame
    figure: go.Figure | None = None
    notes: list[str] = field(default_factory=list)
    headline: str = ""  # the message in at most 12 words, for a pack page's or a slide's title
    findings: list[str] = field(default_factory=list)  # one sentence per place the table flags, read after the summary

    @property
    def message(self) -> str:
        """The title a pack page or slide carries: the headline where the view gives one, else the chart's title."""
        return self.headline or self.title

    @property
    def empty(self) -> bool:
        """True when there is nothing to show for the selection."""
        return self.summary == NO_DATA_MESSAGE


def no_data_panel(title: str, notes: list[str] | None = None) -> Panel:
    """A panel with nothing to show for the selection, and the notes that say why."""
    return Panel(title, NO_DATA_MESSAGE, pd.DataFrame(), notes=list(notes or []))
