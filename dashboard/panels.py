"""A chart's worth of answer: title, one-line summary, figure and the same figures as a table."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.measures import Measure
from dashboard.reference import EES_SYMBOLS
from dashboard.queries import SHOWN, SOURCE_SYMBOLS, SUPPRESSED
from dashboard.stats import compare, rate_interval

NO_DATA_MESSAGE = "No data for this selection."


@dataclass
class Panel:
    """What one chart panel shows; table is display-ready text, suppressed cells already 'c'."""

    title: str
    summary: str
    table: pd.DataFrame
    figure: go.Figure | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when there is nothing to show for the selection."""
        return self.summary == NO_DATA_MESSAGE


def rate_text(value: float, status: str, measure: Measure, with_unit: bool = False) -> str:
    """A rate as a table shows it: the number, c when suppressed, a source's symbol (x, z, low, u), 'no data' when there is none."""
    if status == SUPPRESSED:
        return "c"
    if status in SOURCE_SYMBOLS:
        return status
    return measure.format(value, with_unit=with_unit) if status == SHOWN else "no data"


def count_text(value: float, status: str) -> str:
    """A count as a table shows it; a count blanked by suppression shows c."""
    if pd.isna(value):
        return "c" if status == SUPPRESSED else (status if status in SOURCE_SYMBOLS else "")
    return f"{value:,.0f}"


def relative_difference(value: float, reference: float) -> str:
    """'14% above' / '3% below' / 'the same as', for summary sentences."""
    if not reference or reference != reference or value != value:
        return "compared with"
    change = (value - reference) / reference * 100
    if abs(change) < 0.5:
        return "the same as"
    return f"{abs(change):.0f}% {'above' if change > 0 else 'below'}"


def with_interval(frame: pd.DataFrame, measure: Measure, level: float = 0.95) -> pd.DataFrame:
    """Add low and high columns: the rate's confidence interval (blank where the rate is not shown)."""
    low, high = rate_interval(frame["numerator"], frame["denominator"], measure.scale, measure.kind, level)
    shown = (frame["status"] == SHOWN).to_numpy()
    return frame.assign(low=np.where(shown, low, np.nan), high=np.where(shown, high, np.nan))


def compare_with(frame: pd.DataFrame, measure: Measure, reference: float, level: float = 0.95) -> pd.DataFrame:
    """Add low, high and verdict: whether each shown rate's interval lies wholly better or worse than reference, or across it."""
    frame = with_interval(frame, measure, level)
    if reference is None or reference != reference:
        return frame.assign(verdict=np.where(frame["status"] == SHOWN, "not compared", ""))
    verdict = compare(frame["low"], frame["high"], reference, measure.higher_is_worse)
    return frame.assign(verdict=np.where(frame["status"] == SHOWN, verdict, ""))


def verdict_text(verdict: str, reference_name: str) -> str:
    """'Worse than the borough', 'Similar to England': a verdict as words for tables and hover text."""
    if not verdict or verdict == "not compared":
        return ""
    if verdict == "similar":
        return f"Similar to {reference_name}"
    return f"{verdict.capitalize()} than {reference_name}"


def symbols_note(statuses) -> str | None:
    """What the source's symbols in a table mean, e.g. 'x = not available; z = not applicable.', if any appear."""
    present = [s for s in SOURCE_SYMBOLS if s in set(statuses)]
    if not present:
        return None
    return "Symbols from the source: " + "; ".join(f"{s} = {EES_SYMBOLS[s]}" for s in present) + "."


def interval_text(low: float, high: float, measure: Measure) -> str:
    """'4.1 to 6.0' for a table; blank where there is no interval."""
    if pd.isna(low) or pd.isna(high):
        return ""
    return f"{measure.format(low, with_unit=False)} to {measure.format(high, with_unit=False)}"
