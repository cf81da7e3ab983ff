"""Figures as words: rates, counts, intervals and verdicts as tables and sentences write them."""

from __future__ import annotations

import pandas as pd

from dashboard.domain.measures import Measure
from dashboard.domain.reference import EES_SYMBOLS
from dashboard.domain.status import SHOWN, SOURCE_SYMBOLS, SUPPRESSED


def sentence_case(text: str) -> str:
    """Capitalise the first letter only, so 'EHC plans' keeps its capitals (str.capitalize would not)."""
    return text[:1].upper() + text[1:]


def rate_text(value: float, status: str, measure: Measure, with_unit: bool = False) -> str:
    """A rate as a table shows it: the number, c if suppressed, a source's symbol (x, z, low, u), or 'no data'."""
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


def verdict_text(verdict: str, reference_name: str) -> str:
    """'Worse than the borough', 'Similar to England': a verdict as words for tables and hover text."""
    if not verdict or verdict == "not compared":
        return ""
    if verdict == "similar":
        return f"Similar to {reference_name}"
    return f"{verdict.capitalize()} than {reference_name}"


def symbols_note(statuses) -> str | None:
    """What the source's symbols in a table mean, e.g. 'x = not available; z = not applicable.', if any appear."""
    found = set(statuses)
    present = [s for s in SOURCE_SYMBOLS if s in found]
    if not present:
        return None
    return "Symbols from the source: " + "; ".join(f"{s} = {EES_SYMBOLS[s]}" for s in present) + "."


def interval_text(low: float, high: float, measure: Measure) -> str:
    """'4.1 to 6.0' for a table; blank where there is no interval."""
    if pd.isna(low) or pd.isna(high):
        return ""
    return f"{measure.format(low, with_unit=False)} to {measure.format(high, with_unit=False)}"
