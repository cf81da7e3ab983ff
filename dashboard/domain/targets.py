"""Board targets: a target's good side, which target is due, and its status in words judged on the 95% interval.

The rules (the Data & methods page says them in plain English):

- The target's direction says which side is good: "at most 8.0" is met by 8.0 or less, "at least 90" by 90 or more.
  The target itself is on the good side.
- When the data reach the target's year, that year's 95% interval is judged: "met" when it lies wholly on the good
  side (touching the target counts), "not met" when it lies wholly on the bad side, "too close to call" when it
  includes the target.
- When the target's year is later than the latest year with data, the latest year's interval is judged the same way:
  "on track", "off track" or "too early to say".
- A figure hidden to protect children gives "not shown (too few children)"; a year with no figure, "no figure".

The point alone never decides: a rate of 7.9 against "at most 8.0" whose interval runs to 8.4 is too close to call.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.domain.reference import academic_year_start
from dashboard.domain.status import HIDDEN_STATUSES, SHOWN

AT_MOST, AT_LEAST = "at most", "at least"
DIRECTIONS = (AT_MOST, AT_LEAST)
# Other ways a board writes a direction, matched in any letter case like every other code in the templates.
DIRECTION_SYNONYMS = (("lower", AT_MOST), ("<=", AT_MOST), ("higher", AT_LEAST), (">=", AT_LEAST))
# The places a target can be set for: those the Overview, the locality table and Trends show a figure for.
TARGET_LEVELS = ("borough", "locality", "cluster")

MET, NOT_MET, TOO_CLOSE = "met", "not met", "too close to call"
ON_TRACK, OFF_TRACK, TOO_EARLY = "on track", "off track", "too early to say"
HIDDEN = "not shown (too few children)"
NO_FIGURE = "no figure"
# A status for a target whose year has come, and the same judgement for one still to come.
AHEAD = {MET: ON_TRACK, NOT_MET: OFF_TRACK, TOO_CLOSE: TOO_EARLY}


@dataclass(frozen=True)
class Target:
    """One board target: a measure's figure for a place, at most or at least a value, by an academic year."""

    measure: str
    year: str
    level: str  # borough | locality | cluster
    place: str | None  # the place's code; None for the borough
    value: float
    direction: str  # at most | at least


def judged_year(target_year: str, latest_year: str) -> str:
    """The year whose figure judges a target: the target's own once the data reach it, else the latest year."""
    return target_year if academic_year_start(target_year) <= academic_year_start(latest_year) else latest_year


def due_target(targets: list[Target], as_of: str) -> Target | None:
    """The target a board is working towards in as_of: the earliest not yet past, else the most recent past one."""
    if not targets:
        return None
    start = academic_year_start(as_of)
    ahead = [t for t in targets if academic_year_start(t.year) >= start]
    if ahead:
        return min(ahead, key=lambda t: academic_year_start(t.year))
    return max(targets, key=lambda t: academic_year_start(t.year))


def target_status(
    target: float, direction: str, target_year: str, year: str, low: float, high: float, status: str = SHOWN
) -> str:
    """The status of a target judged on year's 95% interval (low to high); see the module's rules.

    year is the target's own year (met / not met / too close to call) or an earlier one, the latest with data
    (on track / off track / too early to say). status is the figure's: hidden figures are never judged.
    """
    if academic_year_start(year) > academic_year_start(target_year):
        raise ValueError(f"a target for {target_year} is judged on that year or an earlier one, not {year}")
    if status in HIDDEN_STATUSES:
        return HIDDEN
    if status != SHOWN or low != low or high != high:  # NaN: no interval to judge
        return NO_FIGURE
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    # The target itself is on the good side: "at most 8.0" is met by 8.0.
    good = high <= target if direction == AT_MOST else low >= target
    bad = low > target if direction == AT_MOST else high < target
    verdict = MET if good else NOT_MET if bad else TOO_CLOSE
    return verdict if year == target_year else AHEAD[verdict]
