"""Trends page: a measure over academic years or terms by a breakdown, and the main reasons for exclusions."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import pandas as pd

from dashboard.domain.comparison import with_interval
from dashboard.domain.filters import BREAKDOWNS, FilterState
from dashboard.domain.formatting import as_shown, count_text, rate_text, sentence_case, symbols_note
from dashboard.domain.measures import MEASURES, Measure, exclusion_type_for
from dashboard.domain.reference import BENCHMARK_LEVELS, EXCLUSION_REASONS, EXCLUSION_TYPES, PHASES
from dashboard.domain.stats import trend
from dashboard.domain.status import NO_DATA_MESSAGE, SHOWN, SUPPRESSED
from dashboard.figures.charts import bar_chart, trend_lines
from dashboard.figures.style import HIGHLIGHT
from dashboard.query.queries import ALL_REASONS, NotApplicable, Queries
from dashboard.views.panel import Panel, no_data_panel
from dashboard.views.sentences import describe_selection, headline, ignored_filters_note, place_name
from dashboard.views.targets import STATUS_COLUMN, PlaceLine, line_targets, target_place, targets_sentence

MAX_HIGHLIGHTED = len(HIGHLIGHT)


def _period(frame: pd.DataFrame, termly: bool, order: dict[str, int]) -> pd.DataFrame:
    """Add a period label and sort chronologically (terms within years)."""
    if termly:
        frame = frame.assign(period=frame["year"] + " " + frame["term"], _order=frame["term"].map(order))
        return frame.sort_values(["year", "_order"]).drop(columns="_order")
    return frame.assign(period=frame["year"]).sort_values("year")


def trend_panel(queries: Queries, state: FilterState) -> Panel:
    """The chosen measure over time by the chosen breakdown (state.by), by year or term (state.period)."""
    breakdown, termly = state.by, state.period == "term"
    measure = queries.measure_in(state.measure)
    options = queries.filter_options()
    title = f"{measure.label} by {BREAKDOWNS[breakdown].lower()}, {'by term' if termly else 'by academic year'}"
    notes = [n for n in [ignored_filters_note(state, measure)] if n]
    if breakdown not in measure.filters:
        return no_data_panel(
            title,
            notes
            + [
                f"{measure.label} is counted per resident, so it cannot be broken down by "
                f"{BREAKDOWNS[breakdown].lower()}."
            ],
        )
    # The breakdown shows every member; a filter on that same dimension picks which one to highlight.
    chosen = getattr(state, breakdown)
    everywhere = replace(state, **{breakdown: None})
    try:
        # Clusters are places of schools: a locality chosen with them means where the schools are.
        series = queries.rates(
            measure.id, everywhere, ("year", breakdown), termly=termly, school_locality=breakdown == "cluster"
        )
        # The reference line is the place the filters chose (the borough only when none is), counted as the
        # breakdown counts it.
        borough = queries.rates(
            measure.id, everywhere, ("year",), termly=termly, school_locality=breakdown == "cluster"
        )
    except NotApplicable as reason:
        return no_data_panel(title, notes + [f"{reason}."])
    order = queries.term_order()
    names = queries.labels(breakdown)
    series = series[series[breakdown].notna()]
    series = _period(series.assign(label=series[breakdown].map(names).fillna(series[breakdown])), termly, order)
    series, borough = with_interval(series, measure), with_interval(_period(borough, termly, order), measure)
    if not (borough["status"] == SHOWN).any() and not (series["status"] == SHOWN).any():
        hidden = (series["status"] == SUPPRESSED).any() or (borough["status"] == SUPPRESSED).any()
        why = "Every figure rests on too few children to show (c)." if hidden else "Nothing is recorded for them."
        return no_data_panel(title, notes + [why])
    if series.empty or not (series["status"] == SHOWN).any():
        # A coarser level answers: the place above the breakdown is drawn alone, and the note says why.
        notes.append(
            f"Every {BREAKDOWNS[breakdown].lower()}'s figure rests on too few children to show (c), "
            f"so the chart shows {place_name(everywhere, options, measure)} alone."
        )
    latest = series[series["period"] == series["period"].iloc[-1]]  # series is in time order
    ranked = latest[latest["status"] == SHOWN].sort_values("value", ascending=False)["label"].tolist()
    highlighted = ([names.get(chosen, chosen)] if chosen else []) + [
        label for label in ranked if label != names.get(chosen)
    ]
    highlighted = highlighted[:MAX_HIGHLIGHTED]
    # England, the region and the statistical neighbours, each as its own line where loaded.
    bench = pd.concat(
        [queries.benchmark_values(measure.id, level, everywhere) for level in BENCHMARK_LEVELS], ignore_index=True
    )
    bench = bench.assign(period=bench["year"]) if not termly else bench.iloc[0:0]
    # One time axis for every line: the borough and the benchmarks can run over more periods than the breakdown does.
    keys = ["year", "term"] if termly else ["year"]
    periods = list(
        _period(
            pd.concat([frame[keys] for frame in (series, borough) + (() if termly else (bench,))]).drop_duplicates(),
            termly,
            order,
        )["period"]
    )
    targets = line_targets(queries, measure, everywhere, _target_lines(queries, state, series, borough, measure))
    if termly and targets:
        notes.append("Board targets are set for academic years: choose academic years to see them on the chart.")
    targets = [] if termly else targets
    # A target for a year the data have not reached yet is drawn at its own year, beyond the last figure.
    periods = sorted(set(periods) | {judged.target.year for _, judged in targets}) if targets else periods
    # Drawn only when read: a table download never draws it.
    figure = partial(
        trend_lines,
        series,
        highlighted,
        measure,
        f"{measure.label} ({measure.unit}): {describe_selection(everywhere, options, measure)}",
        borough=borough,
        benchmark=bench,
        events=_events_on_axis(queries.events(), periods, termly),
        periods=periods,
        reference_label=_reference_label(everywhere, options, measure),
        # Each member keeps the look of its place in the full list, so North looks the same with West chosen.
        styles={label: index for index, label in enumerate(dict.fromkeys([*names.values(), *series["label"]]))},
        targets=pd.DataFrame(
            [
                (j.target.year, j.target.value, f"Target: {j.words(measure)}", f"Board target, {line.label}")
                for line, j in targets
            ],
            columns=["period", "value", "text", "name"],
        ),
    )
    series = series.assign(display=[rate_text(v, s, measure) for v, s in zip(series["value"], series["status"])])
    # Every period on the chart is a column, so a figure the summary quotes for the reference is in the table.
    table = series.pivot(index="label", columns="period", values="display").reindex(columns=periods, fill_value="")
    table = table.fillna("")
    place = place_name(everywhere, options, measure)
    reference_label = _reference_label(everywhere, options, measure)
    borough_row = pd.DataFrame(
        [[rate_text(v, s, measure) for v, s in zip(borough["value"], borough["status"])]],
        index=[reference_label],
        columns=borough["period"],
    ).reindex(columns=table.columns, fill_value="")
    table = pd.concat([table, borough_row])
    missing = [p for p in borough["period"] if p not in set(series["period"])]
    if missing:
        notes.append(
            f"{BREAKDOWNS[breakdown]} is not recorded for {runs_text(missing, list(borough['period']))}: "
            f"the chart shows {place} alone there."
        )
    if breakdown == "cluster" and everywhere.locality:
        notes.append(f"{reference_label} here means the schools in {place}, as its clusters do.")
    verdicts = {}
    if not termly:
        # The trend over the years shown, tested on the counts (not eyeballed from the line).
        for label, rows in list(series.groupby("label", sort=False)) + [(reference_label, borough)]:
            verdicts[label] = trend_text(rows, periods, measure)
        table["Trend over these years"] = table.index.map(verdicts)
    if targets:
        # Every target drawn is a row of the table, its figure in its year's column and its status beside it.
        target_rows = pd.DataFrame(
            [
                {j.target.year: measure.format(j.target.value, with_unit=False), STATUS_COLUMN: j.status}
                for _, j in targets
            ],
            index=[f"{line.label}: board target for {j.target.year} ({j.target.direction})" for line, j in targets],
        )
        table = pd.concat([table, target_rows]).fillna("")
    table = table.reset_index(names=BREAKDOWNS[breakdown])
    shown = borough[borough["status"] == SHOWN]
    summary, message = NO_DATA_MESSAGE, ""
    if len(shown) >= 2:
        first, last = shown.iloc[0], shown.iloc[-1]
        where = f"Across {place}" if place == options.area.the else f"In {place}"
        start, end = (measure.format(row["value"], with_unit=False) for row in (first, last))
        if start == end:  # the figures as printed decide the verb
            moved = f"was {start} in {first['period']} and again in {last['period']} ({measure.unit})"
        else:
            verb = (
                "rose"
                if as_shown(last["value"], measure.decimals) > as_shown(first["value"], measure.decimals)
                else "fell"
            )
            moved = f"{verb} from {start} in {first['period']} to {measure.format(last['value'])} in {last['period']}"
        summary = f"{where} the {measure.in_sentence} {moved}."
        if start != end:
            # A percentage keeps its sign; a rate's unit is in the subtitle ("per 100 pupils" would crowd the title).
            short = "%" if measure.unit == "%" else ""
            moved_short = f"{verb} from {start}{short} to {end}{short} since {first['period']}"
            what = sentence_case(measure.in_sentence)
            message = headline(f"{what} in {place} {moved_short}", f"{what} {moved_short}")
        if verdicts:
            trend_words = verdicts[reference_label]
            summary += f" Trend in {place}: {trend_words[0].lower()}{trend_words[1:]}."
        if ranked:
            top = latest[latest["label"] == ranked[0]].iloc[-1]
            summary += f" {ranked[0]} was highest in {top['period']} ({measure.format(top['value'])})."
        mine = latest[(latest["label"] == names.get(chosen)) & (latest["status"] == SHOWN)] if chosen else latest[:0]
        if not mine.empty and names.get(chosen) != (ranked or [None])[0]:
            # The member the filters chose is the one a reader asked about: say where it stands.
            position = ranked.index(names[chosen]) + 1
            summary += (
                f" {names[chosen]}, the {BREAKDOWNS[breakdown].lower()} chosen, was "
                f"{measure.format(mine['value'].iat[-1])} in {mine['period'].iat[-1]}, "
                + (
                    f"the lowest of {len(ranked):,}."
                    if position == len(ranked)
                    else f"{_ordinal(position)} highest of {len(ranked):,}."
                )
            )
    if targets and summary != NO_DATA_MESSAGE:
        summary += " " + targets_sentence(targets, measure)
    if targets:
        notes.append(
            "Board targets are judged on the 95% interval of their own year, or of the latest year for a target "
            "still to come, never on the figure alone."
        )
    if len(ranked) > MAX_HIGHLIGHTED:
        notes.append(
            f"The {MAX_HIGHLIGHTED} highest in the latest period are in colour; the other "
            f"{len(ranked) - MAX_HIGHLIGHTED} are grey. All are in the table."
        )
    if (series["status"] != SHOWN).any():
        notes.append("Gaps in a line are periods with too few children to show (c) or no data.")
        notes.extend(n for n in [symbols_note(series["status"])] if n)
    notes.append(
        "Whiskers and the shaded band are 95% confidence intervals. "
        + (
            "Trends are tested over academic years (chi-square test for trend), since terms differ by season."
            if termly
            else "The trend column tests for a steady rise or fall (chi-square test for trend, 95% level)."
        )
    )
    return Panel(title, summary, table, figure, notes, headline=message)


def _target_lines(queries: Queries, state: FilterState, series, borough, measure: Measure) -> list[PlaceLine]:
    """The lines that may carry the board's targets: the place the filters chose (the reference line) and the
    locality or cluster chosen among the breakdown's lines."""
    breakdown, chosen = state.by, getattr(state, state.by)
    everywhere = replace(state, **{breakdown: None})
    options = queries.filter_options()
    lines = []
    # Beside clusters, a chosen locality's line counts the schools there, not the pupils living there: not its target.
    if not (breakdown == "cluster" and everywhere.locality):
        level, code = target_place(everywhere, measure)
        lines.append(
            PlaceLine(
                _reference_label(everywhere, options, measure),
                place_name(everywhere, options, measure),
                level,
                code,
                borough,
            )
        )
    if chosen and breakdown in ("locality", "cluster"):
        label = queries.labels(breakdown).get(chosen, chosen)
        lines.append(PlaceLine(label, label, breakdown, chosen, series[series[breakdown] == chosen]))
    return lines


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _reference_label(state: FilterState, options, measure: Measure) -> str:
    """The reference line's name: the place the filters chose, the whole area ('Borough') when none is."""
    place = place_name(state, options, measure)
    return options.area.title if place == options.area.the else place


def runs_text(chosen: list[str], periods: list[str]) -> str:
    """Periods as runs in words: '2009/10 to 2023/24', or '2012/13, 2014/15 to 2016/17'."""
    runs: list[list[str]] = []
    for period in periods:
        if period not in chosen:
            continue
        if runs and periods.index(runs[-1][-1]) == periods.index(period) - 1:
            runs[-1].append(period)
        else:
            runs.append([period])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs)


def trend_text(rows: pd.DataFrame, periods: list[str], measure) -> str:
    """'Worsening (p = 0.003)', 'No significant change (p = 0.41)' or 'Not enough data' for one series."""
    shown = rows[rows["status"] == SHOWN]
    verdict, p_value = trend(
        shown["numerator"],
        shown["denominator"],
        measure.kind,
        measure.higher_is_worse,
        positions=[periods.index(p) for p in shown["period"]],
    )
    if p_value != p_value:
        return "Not enough data"
    return f"{verdict.capitalize()} (p {'< 0.001' if p_value < 0.001 else f'= {p_value:.3f}'})"


def _events_on_axis(frame: pd.DataFrame, periods, termly: bool) -> pd.DataFrame:
    """Events placed on the period of the chart they fall in."""
    if frame.empty:
        return frame
    periods = list(periods)
    placed = []
    for event in frame.itertuples(index=False):
        period = event.academic_year + (f" {event.term}" if termly else "")
        if period in periods:
            placed.append({"period": period, "label": event.label})
    return pd.DataFrame(placed, columns=["period", "label"])


YEARS_SHOWN = 5  # the table's columns: the chosen year and the four before it
# Share of the year's exclusions, so bars of years with different totals read alike.
SHARE = Measure(
    "reason_share",
    "Share",
    "exclusions",
    "% of the year's exclusions",
    100,
    "exclusions",
    "exclusions",
    "Exclusions with this main reason as a share of all exclusions of the type in the year.",
    None,
    frozenset(),
    1,
)


def reasons_panel(queries: Queries, state: FilterState) -> Panel | None:
    """Main reasons for suspensions (or permanent exclusions) in the chosen year, and over the years before it.

    None when the chosen measure is not an exclusion rate: reasons belong beside exclusions only.
    """
    if MEASURES[state.measure].dataset != "exclusions":
        return None
    kind = exclusion_type_for(state.measure)
    title = f"Reasons for {EXCLUSION_TYPES[kind].lower()}s, {state.year}"
    notes = []
    ignored = [name for name, value in (("SEN provision", state.sen), ("need type", state.need)) if value]
    if ignored:
        notes.append(
            f"Reasons are not recorded by {' or '.join(ignored)}, so "
            f"{'that filter does' if len(ignored) == 1 else 'those filters do'} not apply here."
        )
    try:
        counts = queries.reason_counts(state)
    except NotApplicable as reason:
        return no_data_panel(title, notes + [f"{reason}."])
    this_year = counts[counts["year"] == state.year]
    if this_year.empty:
        return no_data_panel(
            title,
            notes
            + [
                f"No reasons are loaded for {state.year}."
                + (f" They are loaded for {', '.join(sorted(counts['year'].unique()))}." if len(counts) else "")
            ],
        )
    years = sorted(counts["year"].unique())[-YEARS_SHOWN:]
    counts = counts[counts["year"].isin(years)].copy()
    every = counts[counts["reason"] == ALL_REASONS].set_index("year")
    counts = counts[counts["reason"] != ALL_REASONS]
    totals = every["count"]
    # A share would give a hidden total away (total = count / share): shares only beside a shown total.
    counts["share"] = (counts["count"] / counts["year"].map(totals) * 100).where(
        counts["year"].map(every["status"]) == SHOWN
    )
    counts["label"] = counts["reason"].map(EXCLUSION_REASONS).fillna(counts["reason"])
    this_year = counts[counts["year"] == state.year]
    # Largest first among the shown; hidden cells after them in name order, so the order gives no hidden count away.
    this_year = (
        this_year.assign(_shown=this_year["count"].where(this_year["status"] == SHOWN))
        .sort_values(["_shown", "label"], ascending=[False, True], na_position="last")
        .drop(columns="_shown")
    )
    # Bars: only our own shown cells carry a number; c and the source's symbols are printed as they are.
    bars = this_year.assign(value=this_year["share"].where(this_year["status"] == SHOWN))
    bars = bars[
        bars["count"].fillna(1) > 0
    ]  # a reason given for none this year is in the table, not drawn as an empty bar
    place = _place_words(queries, state)
    figure = bar_chart(
        bars[["label", "value", "status"]],
        SHARE,
        f"Main reasons for {EXCLUSION_TYPES[kind].lower()}s, {state.year}: {place}",
    )
    table = counts.assign(
        text=[_cell_text(c, s, share) for c, s, share in zip(counts["count"], counts["status"], counts["share"])]
    )
    table = (
        table.pivot(index="label", columns="year", values="text")
        .reindex(this_year["label"])
        .reset_index(names="Main reason")
    )
    table = table.fillna("0")
    total_row = {"Main reason": "All reasons"} | {
        year: count_text(totals[year], every.at[year, "status"]) for year in years
    }
    table = pd.concat([table, pd.DataFrame([total_row])], ignore_index=True)
    top = this_year[this_year["status"] == SHOWN].head(1)
    summary = NO_DATA_MESSAGE
    if len(top) and every.at[state.year, "status"] == SHOWN:
        row = top.iloc[0]
        summary = (
            f"{row['label']} was the most common main reason for {EXCLUSION_TYPES[kind].lower()}s in {state.year} "
            f"({place}): {row['count']:,.0f} of the {totals[state.year]:,.0f} ({row['share']:.1f}%)."
        )
    notes.append(
        "Each exclusion is counted once, under its main reason. Cells show the number and its share of the year's "
        "exclusions of this type; the table shows up to five years to the one chosen."
    )
    if (counts["status"] == SUPPRESSED).any():
        notes.append(
            "c: too few exclusions to show, or hidden so that a small number cannot be worked out from the total."
        )
    if any(s not in (SHOWN, SUPPRESSED) for s in counts["status"]):
        notes.append(
            symbols_note(counts["status"])
            + " All reasons is the year's exclusions of this type, those with a reason given as a symbol included."
        )
    return Panel(title, summary, table, figure, notes)


def _cell_text(count: float, status: str, share: float) -> str:
    if status == SHOWN:
        return f"{count:,.0f}" + (f" ({share:.1f}%)" if share == share else "")
    return "c" if status == SUPPRESSED else status


def _place_words(queries: Queries, state: FilterState) -> str:
    """'the whole borough', or the chosen locality, cluster and phase in words."""
    parts = []
    if state.cluster:
        parts.append(queries.labels("cluster").get(state.cluster, state.cluster))
    elif state.locality:
        parts.append(queries.labels("locality").get(state.locality, state.locality))
    if state.phase:
        parts.append(f"{PHASES.get(state.phase, state.phase).lower()} schools")
    return ", ".join(parts) if parts else queries.area.whole
