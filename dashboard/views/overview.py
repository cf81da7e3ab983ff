"""Overview page: headline cards for every measure and the strategy's locality table, live."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import pandas as pd

from dashboard.domain.comparison import compare_with, with_interval
from dashboard.domain.filters import FilterOptions, FilterState
from dashboard.domain.formatting import (
    as_shown,
    change_text,
    count_text,
    interval_text,
    rate_text,
    relative_text,
    sentence_case,
    verdict_text,
)
from dashboard.domain.measures import MEASURES, Measure
from dashboard.domain.reference import BENCHMARK_LEVELS, EES_SYMBOLS, academic_year_label, academic_year_start
from dashboard.domain.standardise import EXPECTED_NAME, as_verdict
from dashboard.domain.stats import difference_p
from dashboard.domain.status import NO_DATA, NO_DATA_MESSAGE, SHOWN, SUPPRESSED
from dashboard.figures.charts import bar_chart
from dashboard.query.queries import NotApplicable, NotRecorded, Queries
from dashboard.views.panel import Panel, no_data_panel
from dashboard.views.sentences import describe_selection, headline, ignored_filters_note, place_name
from dashboard.views.targets import card_target, locality_targets, target_note, with_target_columns


@dataclass
class Card:
    """One headline: the latest value, its change on the year before, and the benchmark."""

    measure: Measure
    value: str  # the number (with % for percentages); the unit is shown smaller beside it
    unit: str
    change: str  # in words: "up 0.4 on 2023/24"
    verdict: str  # better / worse / no change / not comparable, for the arrow and its text
    arrow: str  # ▲ ▼ or –
    benchmark: str
    detail: str
    previous: str = ""  # the year before's figure as shown, for a summary table
    reference: str = ""  # the benchmark's figure with its name ("England: 6.9%")
    against: str = ""  # the selection against it in words ("significantly worse")
    target: str = ""  # the board's target due for the place chosen ("at most 8.50 by 2025/26"), if it set one
    target_status: str = ""  # its status judged on the 95% interval ("off track")
    target_text: str = ""  # the card's line: "Board target for the borough: at most 8.50 by 2025/26 — off track (...)"

    @property
    def judgement(self) -> str:
        """The verdict in brackets after the change, or nothing where the change already says it ('no change')."""
        return "" if self.verdict in ("no change", "not comparable") else f"({self.verdict})"


# A difference from the benchmark in words, judged by whether the 95% interval excludes it.
SIGNIFICANCE = {
    "better": "significantly better",
    "worse": "significantly worse",
    "higher": "significantly higher",
    "lower": "significantly lower",
    "similar": "not significantly different",
}
DATASET_WORDS = {"exclusions": "exclusions", "ehcp": "EHC plan", "attendance": "attendance"}


def _verdict(measure: Measure, change: float, p_value: float = 0.0) -> tuple[str, str]:
    """The change in words (better / worse / up / down), 'no significant change' when chance could explain it."""
    if change != change:  # NaN
        return "not comparable", "–"
    if change == 0:
        return "no change", "–"
    arrow = "▲" if change > 0 else "▼"
    if p_value >= 0.05:
        return "no significant change", arrow
    if measure.higher_is_worse is None:
        return "a significant change", arrow
    worse = (change > 0) == measure.higher_is_worse
    return ("worse" if worse else "better"), arrow


def headline_card(queries: Queries, measure: Measure, state: FilterState) -> Card:
    """The card for one measure under the current filters."""
    state = replace(state, measure=measure.id)
    try:
        current = queries.borough_value(measure.id, state)
    except NotApplicable as reason:  # a filter the loaded data cannot apply (a locality, where homes are not known)
        return Card(measure, "not available", "", f"{reason}.", "not comparable", "–", "", "")
    loaded = {row[0]: row for row in queries.dataset_status()}.get(measure.dataset)
    if current["status"] == NO_DATA and (loaded is None or not loaded[2] <= state.year <= loaded[3]):
        span = "none loaded" if loaded is None else f"loaded for {loaded[2]} to {loaded[3]}"
        return Card(
            measure,
            "no data",
            "",
            f"No {DATASET_WORDS[measure.dataset]} data for {state.year} ({span})",
            "not comparable",
            "–",
            "",
            "",
        )
    previous_year = academic_year_label(academic_year_start(state.year) - 1)
    years = {y for y, _ in queries.filter_options().years}
    previous = queries.borough_value(measure.id, replace(state, year=previous_year)) if previous_year in years else None
    percent = measure.unit == "%"
    value = rate_text(current["value"], current["status"], measure) + (
        "%" if percent and current["status"] == SHOWN else ""
    )
    unit = "" if percent or current["status"] != SHOWN else measure.unit
    if previous is None or previous["status"] != SHOWN or current["status"] != SHOWN:
        change, difference = f"No comparison with {previous_year}", float("nan")
    else:
        # The change a reader can check against the two printed figures.
        difference = as_shown(current["value"], measure.decimals) - as_shown(previous["value"], measure.decimals)
        change = change_text(current["value"], previous["value"], measure, previous_year)
        p_value = difference_p(
            current["numerator"], current["denominator"], previous["numerator"], previous["denominator"], measure.kind
        )
    verdict, arrow = _verdict(measure, difference, p_value if difference == difference else 0.0)
    before = "no data"
    if previous is not None:
        before = rate_text(previous["value"], previous["status"], measure)
        before += "%" if percent and previous["status"] == SHOWN else ""
    reference_text, against = "", ""
    bench = queries.benchmark_values(measure.id, state=state)
    bench = bench[bench["year"] == state.year]
    grouped = any(getattr(state, name) for name in ("phase", "sen", "need") if name in measure.filters)
    benchmark = "No England benchmark loaded" + (" for these pupils" if grouped else "")
    if not bench.empty and bench["value"].isna().iat[0]:
        symbol = bench["symbol"].iat[0] or "x"
        benchmark = f"{bench['label'].iat[0]}: {symbol} ({EES_SYMBOLS.get(symbol, 'not available')})"
    elif not bench.empty:
        reference = bench["value"].iat[0]
        name = bench["label"].iat[0]
        benchmark = reference_text = f"{name}: {measure.format(reference)}"
        if current["status"] == SHOWN:
            relative = relative_text(current["value"], reference, measure, name)
            benchmark += f"; {place_name(state, queries.filter_options(), measure)} is {relative}"
            if not relative.startswith("level"):
                judged = compare_with(pd.DataFrame([current]), measure, reference)["verdict"].iat[0]
                against = SIGNIFICANCE.get(judged, "not compared")
                benchmark += ", " + against
    others = [queries.benchmark_values(measure.id, level, state) for level in BENCHMARK_LEVELS[1:]]
    others = [
        (b["label"].iat[0], b["value"].iat[0]) for b in (o[o["year"] == state.year] for o in others) if not b.empty
    ]
    if others:
        benchmark += ". " + "; ".join(
            f"{label}: {measure.format(value) if value == value else 'x'}" for label, value in others
        )
    detail = (
        f"{count_text(current['numerator'], current['status'])} {measure.numerator_label} of "
        f"{count_text(current['denominator'], current['status'])} {measure.denominator_label}"
    )
    if measure.dataset == "ehcp" and queries.census_residents():
        detail += " (Census 2021, which has no 0-25 band)"
    if current["status"] == SHOWN:
        interval = with_interval(pd.DataFrame([current]), measure)
        detail += f"; 95% interval {interval_text(interval['low'].iat[0], interval['high'].iat[0], measure)}"
    targets = card_target(queries, measure, state)
    if state.compare == "expected" and current["status"] == SHOWN:
        reference_text, against = against_deprivation(queries, measure, state)
        # The card says it too: the comparison chosen, beside England's.
        benchmark += f". {reference_text}" + (f": {against}" if not against.startswith("not compared") else "")
    return Card(
        measure, value, unit, change, verdict, arrow, benchmark, detail, before, reference_text, against, *targets
    )


def against_deprivation(queries: Queries, measure: Measure, state: FilterState) -> tuple[str, str]:
    """The chosen locality against what its deprivation predicts, as a summary table's two cells (reference, verdict).
    The whole area is its own standard, so it is not compared."""
    if not state.locality:
        area = queries.area
        return f"Expected given deprivation: {area.its} rates are the standard", f"not compared ({area.the} itself)"
    try:
        found = queries.expected(measure.id, replace(state, locality=None), "locality")
    except NotApplicable as reason:
        return f"{reason}", "not compared"
    row = found[found["locality"] == state.locality]
    if row.empty or row["expected"].isna().iat[0]:
        return "Expected given deprivation: not available", "not compared"
    row = row.iloc[0]
    verdict = {"higher": "significantly higher than expected", "lower": "significantly lower than expected"}.get(
        row["verdict"], "not significantly different from expected"
    )
    return (
        f"Expected given deprivation: {row['expected']:,.0f} {measure.numerator_label}",
        f"{verdict} ({row['ratio']:.2f} times, 95% interval {row['low']:.2f} to {row['high']:.2f})",
    )


def locality_table(queries: Queries, state: FilterState) -> Panel:
    """Count, denominator and rate per locality and for the borough, as the inclusion strategy tabulates them."""
    measure, area = queries.measure_in(state.measure), queries.area
    everywhere = replace(state, locality=None)  # every locality is listed; the chosen one is marked
    title = f"{measure.label} by locality, {state.year}"
    notes = [n for n in [ignored_filters_note(state, measure)] if n]
    by_school = False
    try:
        frame = queries.rates(measure.id, everywhere, "locality")
    except NotRecorded as reason:
        # Public files give exclusions per school, not per home: the school's locality is the next best thing.
        try:
            frame = queries.rates(measure.id, everywhere, "school_locality").rename(
                columns={"school_locality": "locality"}
            )
        except NotApplicable:
            return no_data_panel(title, notes + [f"{reason}."])
        by_school = True
        notes.append(
            f"Localities here are where the schools are, because {reason.gap}. 'Not given school by school' is "
            f"the part of {area.its} figure the source does not give per school."
        )
    except NotApplicable as reason:  # a cut the publication does not offer (localities by cluster, say)
        return no_data_panel(title, notes + [f"{reason}."])
    names = queries.labels("locality")
    total = queries.borough_value(measure.id, everywhere)
    frame["label"] = frame["locality"].map(names).fillna("Not given school by school" if by_school else area.outside)
    frame = frame.assign(outside=frame["locality"].isna()).sort_values(["outside", "label"])
    frame, reference_name, compare_note = locality_comparison(queries, state, measure, frame, total, by_school)
    notes += [compare_note] if compare_note else []
    against = f"Compared with {reference_name}"
    rows = [
        {
            "Locality": row.label + (" (selected)" if row.locality == state.locality else ""),
            sentence_case(measure.numerator_label): count_text(row.numerator, row.status),
            sentence_case(measure.denominator_label): count_text(row.denominator, row.status),
            # Young people living elsewhere have no resident denominator here, so their rate does not exist.
            f"{measure.label} ({measure.unit})": "n/a"
            if row.status == NO_DATA
            else rate_text(row.value, row.status, measure),
            "95% interval": interval_text(row.low, row.high, measure),
            against: verdict_text(row.verdict, reference_name),
            **expected_cells(row, measure),
        }
        for row in frame.itertuples(index=False)
    ]
    rows.append(
        {
            "Locality": area.title,
            sentence_case(measure.numerator_label): count_text(total["numerator"], total["status"]),
            sentence_case(measure.denominator_label): count_text(total["denominator"], total["status"]),
            f"{measure.label} ({measure.unit})": rate_text(total["value"], total["status"], measure),
            "95% interval": interval_text(
                *with_interval(pd.DataFrame([total]), measure)[["low", "high"]].iloc[0], measure
            ),
            against: verdict_text(total.get("verdict", ""), reference_name),
            **(expected_cells(None, measure) if reference_name == EXPECTED_NAME else {}),
        }
    )
    targets = locality_targets(queries, measure, state, "school_locality" if by_school else "locality")
    rows = with_target_columns(rows, list(frame["locality"]), targets, measure)
    if targets != (None, {}):
        notes.append(target_note(state, measure))
    shown = frame[(frame["status"] == SHOWN) & frame["locality"].notna()]
    message = ""
    if shown.empty:
        # Say why no locality is shown, and give the borough's figure where it can be.
        hidden = (frame["status"] == SUPPRESSED) & frame["locality"].notna()
        reason = (
            "every locality's figure rests on too few children to show (c)"
            if hidden.any()
            else f"no {measure.numerator_label} are recorded by locality for these pupils"
        )
        if total["status"] == SHOWN:
            summary = f"{sentence_case(area.its)} {measure.in_sentence} is {measure.format(total['value'])}; {reason}."
        else:
            summary = NO_DATA_MESSAGE
            notes.append(f"{sentence_case(reason)}.")
    else:
        top = shown.loc[shown["value"].idxmax()]
        lead = (
            f"{top['label']} has the highest {measure.in_sentence}"
            if len(shown) > 1
            else f"{top['label']} is the only locality whose {measure.in_sentence} can be shown"
        )
        summary = f"{lead}, {measure.format(top['value'])}"
        message = headline(lead)
        if total["status"] == SHOWN:
            against = relative_text(top["value"], total["value"], measure, area.the)
            summary += f", {against} ({measure.format(total['value'])})"
            message = headline(f"{lead}, {against}", lead)
        summary += "."
        if reference_name == EXPECTED_NAME:
            summary += " " + expected_words(shown, measure)
    if frame["locality"].isna().any() and not by_school:
        notes.append(
            f"The table's '{area.outside}' row: young people with plans who live elsewhere; there is no resident "
            "population to divide by, so it has no bar."
            if measure.dataset == "ehcp"
            else f"The table's '{area.outside}' row: pupils at {area.its} schools who live elsewhere (no bar: "
            "they belong to no locality)."
        )
    # Drawn only when read: a table download never draws it.
    figure = partial(
        bar_chart,
        frame[frame["locality"].notna()][["label", "value", "status", "low", "high"]],
        measure,
        f"{title} ({measure.unit}), with 95% confidence intervals",
        reference=total["value"] if total["status"] == SHOWN else None,
        reference_label=area.title,
    )
    return Panel(title, summary, pd.DataFrame(rows), figure, notes, headline=message)


def locality_comparison(
    queries: Queries, state: FilterState, measure: Measure, frame: pd.DataFrame, total: pd.Series, by_school: bool
) -> tuple[pd.DataFrame, str, str | None]:
    """Localities with a verdict against the comparison chosen: (rows, its name, a note saying what it is or why the
    borough stands in). The borough's own row is judged against a benchmark too (total gains a verdict)."""
    borough = total["value"] if total["status"] == SHOWN else float("nan")
    everywhere, area = replace(state, locality=None), queries.area
    if state.compare == "benchmark":
        bench = queries.benchmark_values(measure.id, state=everywhere)
        bench = bench[(bench["year"] == state.year) & bench["value"].notna()]
        if not bench.empty:
            name, value = str(bench["label"].iat[0]), float(bench["value"].iat[0])
            if total["status"] == SHOWN:
                total["verdict"] = compare_with(pd.DataFrame([total]), measure, value)["verdict"].iat[0]
            return compare_with(frame, measure, value), name, None
        note = f"No benchmark is loaded for the {measure.in_sentence} in {state.year}, so localities are compared with "
        return compare_with(frame, measure, borough), area.the, f"{note}{area.the}."
    if state.compare == "expected":
        try:
            if by_school:
                raise NotApplicable(
                    "Expected given deprivation needs to know where pupils live, which these data do not"
                )
            found = queries.expected(measure.id, everywhere, "locality")
        except NotApplicable as reason:
            return (
                compare_with(frame, measure, borough),
                area.the,
                f"{reason}. Localities are compared with {area.the}.",
            )
        found = found.assign(verdict=[as_verdict(v, measure.higher_is_worse) for v in found["verdict"]])
        found = found.rename(columns={"low": "ratio_low", "high": "ratio_high"})
        frame = with_interval(frame, measure).merge(
            found[["locality", "expected", "ratio", "ratio_low", "ratio_high", "verdict"]], on="locality", how="left"
        )
        frame["verdict"] = frame["verdict"].where(frame["status"] == SHOWN, "").fillna("")
        plan = queries.expected_design(measure.id, "locality")
        note = (
            f"Expected given deprivation: the {measure.numerator_label} each locality would have at {area.its} "
            f"rates for {plan.adjusted_for}. Not adjusted for {plan.not_adjusted_for}."
        )
        return frame, EXPECTED_NAME, note
    return compare_with(frame, measure, borough), area.the, None


def expected_words(shown: pd.DataFrame, measure: Measure) -> str:
    """Which localities have more or fewer than their deprivation predicts, from the table's rows."""
    if "ratio_low" not in shown:
        return ""
    more = list(shown.loc[shown["ratio_low"] > 1, "label"])
    fewer = list(shown.loc[shown["ratio_high"] < 1, "label"])

    def names(found: list[str]) -> str:
        return found[0] if len(found) == 1 else f"{', '.join(found[:-1])} and {found[-1]}"

    if not more and not fewer:
        return f"No locality has significantly more or fewer {measure.numerator_label} than expected for its pupils."
    parts = [
        f"{names(found)} {'has' if len(found) == 1 else 'have'} significantly {word} {measure.numerator_label} "
        "than expected"
        for found, word in ((more, "more"), (fewer, "fewer"))
        if found
    ]
    return f"Against the count expected for their pupils, {'; '.join(parts)}."


def expected_cells(row, measure: Measure) -> dict[str, str]:
    """A row's count expected given deprivation and its observed / expected, as the table prints them."""
    if row is None or not hasattr(row, "expected"):
        return (
            {}
            if row is not None
            else {
                f"{sentence_case(measure.numerator_label)} expected given deprivation": "",
                "Times expected (95% interval)": "",
            }
        )
    expected = row.expected
    ratio = row.ratio
    return {
        f"{sentence_case(measure.numerator_label)} expected given deprivation": ""
        if expected != expected
        else f"{expected:,.1f}",
        "Times expected (95% interval)": ""
        if ratio != ratio
        else f"{ratio:.2f} ({row.ratio_low:.2f} to {row.ratio_high:.2f})",
    }


def overview(queries: Queries, state: FilterState) -> tuple[list[Card], Panel, str]:
    """Everything on the Overview: cards, the locality table, and the selection in words."""
    options: FilterOptions = queries.filter_options()
    cards = [headline_card(queries, queries.measure_in(measure_id), state) for measure_id in MEASURES]
    return (
        cards,
        locality_table(queries, state),
        describe_selection(state, options, queries.measure_in(state.measure)),
    )
