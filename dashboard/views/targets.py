"""Board targets beside the figures: the place the filters chose, its targets, and each one's status in words."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from dashboard.domain.filters import FilterState
from dashboard.domain.formatting import as_shown, interval_text, rate_text, sentence_case
from dashboard.domain.measures import Measure
from dashboard.domain.status import NO_DATA, SHOWN
from dashboard.domain.targets import NO_FIGURE, Target, due_target, judged_year, target_status
from dashboard.query.queries import NotApplicable, Queries
from dashboard.views.sentences import place_name

# The status where the filters chose a group of pupils: a board's target is for all pupils in a place.
NOT_JUDGED = "not judged for the pupils chosen"
PUPIL_GROUPS = ("phase", "sen", "need")


@dataclass(frozen=True)
class Judged:
    """A target with its status, and the figure it was judged on (the year, the rate and its 95% interval)."""

    target: Target
    status: str
    year: str
    value: float = float("nan")
    low: float = float("nan")
    high: float = float("nan")
    figure_status: str = NO_DATA

    def words(self, measure: Measure) -> str:
        """'at most 8.50 by 2025/26': the target as a table and a sentence give it."""
        return target_words(self.target, measure)

    def figure(self, measure: Measure) -> str:
        """The figure judged, as a table prints it ('9.02', 'c'), with its year: '9.02 in 2024/25'."""
        return f"{rate_text(self.value, self.figure_status, measure)} in {self.year}"

    def status_text(self, measure: Measure) -> str:
        """'off track (95% interval 8.74 to 9.30 in 2024/25)', 'no figure for 2018/19': the status and its grounds."""
        ends = interval_text(self.low, self.high, measure)
        if ends:
            return f"{self.status} (95% interval {ends} in {self.year})"
        return f"{self.status} {'for' if self.status == NO_FIGURE else 'in'} {self.year}"


def target_words(target: Target, measure: Measure) -> str:
    """'at most 8.50 by 2025/26', 'at most 18.5% by 2025/26': the target at the measure's precision."""
    number = measure.format(target.value, with_unit=False) + ("%" if measure.unit == "%" else "")
    return f"{target.direction} {number} by {target.year}"


def target_place(state: FilterState, measure: Measure) -> tuple[str, str | None]:
    """(level, code) of the place the filters chose, as sentences name it: a cluster, a locality or the borough."""
    if state.cluster and "cluster" in measure.filters:
        return "cluster", state.cluster
    if state.locality:
        return "locality", state.locality
    return "borough", None


def pupils_chosen(state: FilterState, measure: Measure) -> bool:
    """True when the filters chose a group of pupils (a phase, SEN provision or need) the measure follows."""
    return any(getattr(state, name) for name in PUPIL_GROUPS if name in measure.filters)


def judge(target: Target, series: pd.DataFrame, as_of: str, measure: Measure) -> Judged:
    """The target judged on series (one place's rates by year: year, value, status, low, high) as at as_of.

    The interval is judged as printed, at the measure's decimals, so the words agree with the figures a reader sees.
    """
    year = judged_year(target.year, as_of)
    rows = series[series["year"] == year]
    if rows.empty:
        return Judged(target, NO_FIGURE, year)
    row = rows.iloc[0]
    shown = row["status"] == SHOWN
    low = as_shown(row["low"], measure.decimals) if shown else float("nan")
    high = as_shown(row["high"], measure.decimals) if shown else float("nan")
    status = target_status(target.value, target.direction, target.year, year, low, high, row["status"])
    return Judged(target, status, year, row["value"], low, high, row["status"])


def card_target(queries: Queries, measure: Measure, state: FilterState) -> tuple[str, str, str]:
    """The target due for the place the filters chose, as at the year chosen: (the target, its status, the card's
    line naming the place), or blanks where the board has set none."""
    level, code = target_place(state, measure)
    target = due_target(queries.targets(measure.id, level, code), state.year)
    if target is None:
        return "", "", ""
    place = place_name(state, queries.filter_options(), measure)
    words = target_words(target, measure)
    if pupils_chosen(state, measure):
        return words, NOT_JUDGED, f"Board target for {place}, all pupils: {words}; {NOT_JUDGED}"
    judged = judge(target, place_series(queries, measure, state), state.year, measure)
    return words, judged.status, f"Board target for {place}: {words} \N{EM DASH} {judged.status_text(measure)}"


def place_series(queries: Queries, measure: Measure, state: FilterState, **options) -> pd.DataFrame:
    """The chosen place's rates by year (no rows where the loaded data cannot give them)."""
    try:
        return queries.rates(measure.id, state, ("year",), **options)
    except NotApplicable:
        return pd.DataFrame(columns=["year", "numerator", "denominator", "value", "status", "low", "high"])


TARGET_COLUMN, STATUS_COLUMN = "Board target", "Against the board target"


def target_note(state: FilterState, measure: Measure) -> str:
    """How the table's targets are judged, in words: on the 95% interval, not the figure alone."""
    if pupils_chosen(state, measure):
        return "Board targets are set for all pupils in a place, so they are not judged for the pupils chosen."
    return (
        f"Board targets: each place's next target as at {state.year}, judged on its 95% interval, not its figure "
        "alone. A target for a later year is on track or off track when the interval lies wholly on one side of it, "
        "too early to say when it includes the target; a target whose year has come is met, not met or too close to "
        "call the same way."
    )


def locality_targets(
    queries: Queries, measure: Measure, state: FilterState, by: str = "locality"
) -> tuple[Judged | None, dict[str, Judged]]:
    """The target due as at state.year for the borough and for each locality that has one, each judged on its own
    figures (localities counted by by: where pupils live, or where their schools are)."""
    everywhere = replace(state, locality=None)
    due = {
        place: due_target(queries.targets(measure.id, "locality", place), state.year)
        for place in sorted({t.place for t in queries.targets(measure.id, "locality")})
    }
    borough = due_target(queries.targets(measure.id, "borough"), state.year)
    if borough is None and not due:
        return None, {}
    if pupils_chosen(everywhere, measure):
        return (
            Judged(borough, NOT_JUDGED, state.year) if borough else None,
            {place: Judged(target, NOT_JUDGED, state.year) for place, target in due.items()},
        )
    try:
        places = queries.rates(measure.id, everywhere, ("year", by)) if due else pd.DataFrame(columns=[by])
    except NotApplicable:
        places = pd.DataFrame(columns=["year", by, "value", "status", "low", "high"])
    return (
        judge(borough, place_series(queries, measure, everywhere), state.year, measure) if borough else None,
        {place: judge(target, places[places[by] == place], state.year, measure) for place, target in due.items()},
    )


def with_target_columns(
    rows: list[dict], places: list, targets: tuple[Judged | None, dict[str, Judged]], measure: Measure
) -> list[dict]:
    """The locality table's rows with the target and its status added, the borough's in its last row; the rows as
    they are where no place has a target, so the table has no empty columns."""
    borough, localities = targets
    if borough is None and not localities:
        return rows
    for row, judged in zip(rows, [localities.get(place) for place in places] + [borough]):
        row[TARGET_COLUMN] = judged.words(measure) if judged else ""
        row[STATUS_COLUMN] = sentence_case(judged.status) if judged else ""
    return rows


@dataclass(frozen=True)
class PlaceLine:
    """A place drawn on a trend chart that may have targets: its row in the table, its name in a sentence, and its
    rates by year."""

    label: str
    name: str
    level: str
    code: str | None
    rows: pd.DataFrame


def line_targets(
    queries: Queries, measure: Measure, state: FilterState, lines: list[PlaceLine]
) -> list[tuple[PlaceLine, Judged]]:
    """Every target of each place drawn, oldest first, judged as at the latest year of that place's line."""
    found = []
    for line in lines:
        for target in queries.targets(measure.id, line.level, line.code):
            if pupils_chosen(state, measure):
                found.append((line, Judged(target, NOT_JUDGED, target.year)))
            elif line.rows.empty:
                found.append((line, Judged(target, NO_FIGURE, target.year)))
            else:
                found.append((line, judge(target, line.rows, max(line.rows["year"]), measure)))
    return found


def targets_sentence(judged: list[tuple[PlaceLine, Judged]], measure: Measure) -> str:
    """'Board targets for the borough: at most 7.50 by 2022/23, too close to call (7.74 in 2022/23); ...', each
    figure quoted as the table beside it prints it."""
    sentences = []
    for name in dict.fromkeys(line.name for line, _ in judged):
        mine = [j for line, j in judged if line.name == name]
        parts = [
            f"{j.words(measure)}, {j.status}" + (f" ({j.figure(measure)})" if j.figure_status == SHOWN else "")
            for j in mine
        ]
        sentences.append(f"Board target{'s' if len(mine) > 1 else ''} for {name}: {'; '.join(parts)}.")
    return " ".join(sentences)
