"""A chart's worth of answer: title, one-line summary, figure, notes and the same figures as a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from dashboard.domain.status import NO_DATA_MESSAGE

# Sentences a page or a file lists under a summary: a county flags a hundred places and a region hundreds, which no
# board reads; the table marks every one.
FINDINGS_LISTED = 10


class DrawnWhenAsked:
    """A panel's figure, drawn the first time it is read: a view may give a function that draws it, so a table
    download never pays for a chart it throws away (a county's map figure takes longer than its whole table)."""

    def __set_name__(self, owner, name: str):
        self.slot = f"_{name}"

    def __get__(self, panel, owner=None):
        if panel is None:
            return None  # the field's default
        figure = panel.__dict__.get(self.slot)
        if callable(figure):
            figure = panel.__dict__[self.slot] = figure()
        return figure

    def __set__(self, panel, figure) -> None:
        panel.__dict__[self.slot] = figure


@dataclass
class Panel:
    """What one chart panel shows; table is display-ready text, suppressed cells already 'c'."""

    title: str
    summary: str
    table: pd.DataFrame
    figure: go.Figure | Callable[[], go.Figure | None] | None = DrawnWhenAsked()
    notes: list[str] = field(default_factory=list)
    headline: str = ""  # the message in at most 12 words, for a pack page's or a slide's title
    findings: list[str] = field(default_factory=list)  # one sentence per place the table flags, read after the summary

    @property
    def message(self) -> str:
        """The title a pack page or slide carries: the headline where the view gives one, else the chart's title."""
        return self.headline or self.title

    @property
    def listed_findings(self) -> list[str]:
        """The findings a page or file lists: the first ten (the table's order: localities first, the furthest from
        expected first), then one line counting the rest, which the table marks."""
        if len(self.findings) <= FINDINGS_LISTED:
            return list(self.findings)
        rest = len(self.findings) - FINDINGS_LISTED
        return [*self.findings[:FINDINGS_LISTED], f"And {rest:,} more, each marked in the table."]

    @property
    def empty(self) -> bool:
        """True when there is nothing to show for the selection."""
        return self.summary == NO_DATA_MESSAGE


def no_data_panel(title: str, notes: list[str] | None = None) -> Panel:
    """A panel with nothing to show for the selection, and the notes that say why."""
    return Panel(title, NO_DATA_MESSAGE, pd.DataFrame(), notes=list(notes or []))
