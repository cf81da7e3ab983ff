"""Figures as words: rates, counts, intervals and verdicts as tables and sentences write them."""

from __future__ import annotations

import pandas as pd

from dashboard.domain.measures import Measure
from dashboard.domain.reference import EES_SYMBOLS
from dashboard.domain.status import SHOWN, SOURCE_SYMBOLS, SUPPRESSED


def date_words(timestamp: str) -> str:
    """'2 December 2026' from an ISO date or timestamp ('2026-12-02 05:35:50'): a date as a board paper writes it."""
    year, month, day = (int(part) for part in timestamp[:10].split("-"))
    return f"{day} {MONTHS[month - 1]} {year}"


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


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


def as_shown(value: float, decimals: int) -> float:
    """The value a reader sees at this many decimals, so words and sums agree with the printed figures."""
    return float(f"{value:.{decimals}f}")


def change_text(current: float, previous: float, measure: Measure, since: str) -> str:
    """'up 0.33 on 2023/24', 'down 1.2 percentage points on 2023/24' or 'no change on 2023/24' (to the precision
    shown): the difference of the two figures as printed, never of the unrounded values."""
    step = as_shown(current, measure.decimals) - as_shown(previous, measure.decimals)
    step = as_shown(step, measure.decimals)  # 9.02 - 8.69 is 0.33 to the reader, not 0.3299999
    if step == 0:
        return f"no change on {since}"
    points = " percentage points" if measure.unit == "%" else ""
    return f"{'up' if step > 0 else 'down'} {abs(step):.{measure.decimals}f}{points} on {since}"


def relative_text(value: float, reference: float, measure: Measure, reference_name: str) -> str:
    """A figure against a reference in words that cannot be misread: '1.1 percentage points above England' for a
    percentage, '1.36 times the borough's' for a rate, 'level with England' when the printed figures are equal."""
    if value != value or reference != reference:
        return f"not comparable with {reference_name}"
    shown, against = as_shown(value, measure.decimals), as_shown(reference, measure.decimals)
    if shown == against:
        return f"level with {reference_name}"
    if measure.unit == "%":
        gap = as_shown(abs(shown - against), measure.decimals)
        return (
            f"{gap:.{measure.decimals}f} percentage points {'above' if shown > against else 'below'} {reference_name}"
        )
    # "the borough's", but "that of England (illustrative)" where a possessive would not read
    possessive = f"that of {reference_name}" if reference_name.endswith(")") else f"{reference_name}'s"
    if against == 0:
        return f"above {reference_name} (0)"
    ratio = f"{shown / against:.2f}"
    if ratio == "1.00":  # printed figures differ by less than half a percent of the reference
        return f"just {'above' if shown > against else 'below'} {possessive}"
    return f"{ratio} times {possessive}"


def verdict_text(verdict: str, reference_name: str) -> str:
    """'Worse than the borough', 'Similar to England': a verdict as words for tables and hover text."""
    if not verdict or verdict == "not compared":
        return ""
    if verdict == "similar":
        return f"Similar to {reference_name}"
    return f"{verdict.capitalize()} than {reference_name}"


def symbols_note(statuses) -> str | None:
    """What the source's symbols in a table mean, e.g. 'x = not available; z = not applicable.', if any appear."""
    # The distinct statuses first: a county's map has a thousand places, and an Arrow column iterated one by one is
    # slow.
    found = set(pd.Series(statuses).unique().tolist())
    present = [s for s in SOURCE_SYMBOLS if s in found]
    if not present:
        return None
    return "Symbols from the source: " + "; ".join(f"{s} = {EES_SYMBOLS[s]}" for s in present) + "."


def interval_text(low: float, high: float, measure: Measure) -> str:
    """'4.1 to 6.0' for a table; blank where either end is missing. Printed with as many more decimals (up to three)
    as it takes for the ends to differ, so an interval never reads '6.9 to 6.9'."""
    if pd.isna(low) or pd.isna(high):
        return ""
    for decimals in range(measure.decimals, measure.decimals + 4):
        ends = f"{low:,.{decimals}f}", f"{high:,.{decimals}f}"
        if ends[0] != ends[1]:
            break
    return f"{ends[0]} to {ends[1]}"
