"""Trends page: a measure over academic years or terms, by locality, cluster, need, SEN provision or phase."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dashboard.figures import HIGHLIGHT, trend_lines
from dashboard.filters import BREAKDOWNS, FilterState
from dashboard.panels import NO_DATA_MESSAGE, Panel, rate_text, symbols_note, with_interval
from dashboard.stats import trend
from dashboard.queries import (
    BENCHMARK_LEVELS, SHOWN, NotApplicable, benchmark_values, events, filter_options, labels, measure_in, rates, term_order,
)
from dashboard.views import describe_selection, ignored_filters_note
from dashboard.warehouse import Warehouse

MAX_HIGHLIGHTED = len(HIGHLIGHT)


def _period(frame: pd.DataFrame, termly: bool, order: dict[str, int]) -> pd.DataFrame:
    """Add a period label and sort chronologically (terms within years)."""
    if termly:
        frame = frame.assign(period=frame["year"] + " " + frame["term"], _order=frame["term"].map(order))
        return frame.sort_values(["year", "_order"]).drop(columns="_order")
    return frame.assign(period=frame["year"]).sort_values("year")


def trend_panel(warehouse: Warehouse, state: FilterState, threshold: int) -> Panel:
    """The chosen measure over time by the chosen breakdown (state.by), by year or term (state.period)."""
    breakdown, termly = state.by, state.period == "term"
    measure = measure_in(warehouse, state.measure)
    options = filter_options(warehouse)
    title = f"{measure.label} by {BREAKDOWNS[breakdown].lower()}, {'by term' if termly else 'by academic year'}"
    notes = [n for n in [ignored_filters_note(state, measure)] if n]
    if breakdown not in measure.filters:
        return Panel(title, NO_DATA_MESSAGE, pd.DataFrame(), notes=notes + [
            f"{measure.label} is counted per resident, so it cannot be broken down by {BREAKDOWNS[breakdown].lower()}."])
    # The breakdown shows every member; a filter on that same dimension picks which one to highlight.
    chosen = getattr(state, breakdown)
    everywhere = replace(state, **{breakdown: None})
    try:
        series = rates(warehouse, measure.id, everywhere, ("year", breakdown), threshold, termly=termly)
        borough = rates(warehouse, measure.id, everywhere, ("year",), threshold, termly=termly)
    except NotApplicable as reason:
        return Panel(title, NO_DATA_MESSAGE, pd.DataFrame(), notes=notes + [f"{reason}."])
    order = term_order(warehouse)
    names = labels(warehouse, breakdown)
    series = series[series[breakdown].notna()]
    series = _period(series.assign(label=series[breakdown].map(names).fillna(series[breakdown])), termly, order)
    series, borough = with_interval(series, measure), with_interval(_period(borough, termly, order), measure)
    if series.empty or not (series["status"] == SHOWN).any():
        return Panel(title, NO_DATA_MESSAGE, pd.DataFrame(), notes=notes)
    latest = series[series["period"] == series["period"].iloc[-1]]  # series is in time order
    ranked = latest[latest["status"] == SHOWN].sort_values("value", ascending=False)["label"].tolist()
    highlighted = ([names.get(chosen, chosen)] if chosen else []) + [label for label in ranked if label != names.get(chosen)]
    highlighted = highlighted[:MAX_HIGHLIGHTED]
    # England, the region and the statistical neighbours, each as its own line where loaded.
    bench = pd.concat([benchmark_values(warehouse, measure.id, level, everywhere) for level in BENCHMARK_LEVELS], ignore_index=True)
    bench = bench.assign(period=bench["year"]) if not termly else bench.iloc[0:0]
    # One time axis for every line: the borough and the benchmarks can run over more periods than the breakdown does.
    keys = ["year", "term"] if termly else ["year"]
    periods = list(_period(pd.concat([frame[keys] for frame in (series, borough) + (() if termly else (bench,))]).drop_duplicates(), termly, order)["period"])
    figure = trend_lines(series, highlighted, measure, f"{measure.label} ({measure.unit}): {describe_selection(everywhere, options, measure)}",
                         borough=borough, benchmark=bench, events=_events_on_axis(events(warehouse), periods, termly), periods=periods)
    series = series.assign(display=[rate_text(v, s, measure) for v, s in zip(series["value"], series["status"])])
    table = series.pivot(index="label", columns="period", values="display")
    table = table[sorted(table.columns, key=list(series["period"].unique()).index)]
    borough_row = pd.DataFrame([[rate_text(v, s, measure) for v, s in zip(borough["value"], borough["status"])]],
                               index=["Borough"], columns=borough["period"]).reindex(columns=table.columns)
    table = pd.concat([table, borough_row])
    missing = [p for p in borough["period"] if p not in set(series["period"])]
    if missing:
        notes.append(f"{BREAKDOWNS[breakdown]} is not recorded for {runs_text(missing, list(borough['period']))}: "
                     "the chart shows the borough alone there.")
    verdicts = {}
    if not termly:
        # The trend over the years shown, tested on the counts (not eyeballed from the line).
        for label, rows in list(series.groupby("label", sort=False)) + [("Borough", borough)]:
            verdicts[label] = trend_text(rows, periods, measure)
        table["Trend over these years"] = table.index.map(verdicts)
    table = table.reset_index(names=BREAKDOWNS[breakdown])
    shown = borough[borough["status"] == SHOWN]
    summary = NO_DATA_MESSAGE
    if len(shown) >= 2:
        first, last = shown.iloc[0], shown.iloc[-1]
        verb = "rose" if last["value"] > first["value"] else ("fell" if last["value"] < first["value"] else "stayed")
        summary = (f"Across the borough the {measure.in_sentence} {verb} from {measure.format(first['value'], with_unit=False)} in "
                   f"{first['period']} to {measure.format(last['value'])} in {last['period']}.")
        if verdicts:
            summary += f" Borough trend: {verdicts['Borough'][0].lower()}{verdicts['Borough'][1:]}."
        if ranked:
            top = latest[latest["label"] == ranked[0]].iloc[-1]
            summary += f" {ranked[0]} was highest in {top['period']} ({measure.format(top['value'])})."
    if len(ranked) > MAX_HIGHLIGHTED:
        notes.append(f"The {MAX_HIGHLIGHTED} highest in the latest period are in colour; the other {len(ranked) - MAX_HIGHLIGHTED} are grey. All are in the table.")
    if (series["status"] != SHOWN).any():
        notes.append("Gaps in a line are periods with too few children to show (c) or no data.")
        notes.extend(n for n in [symbols_note(series["status"])] if n)
    notes.append("Whiskers and the shaded band are 95% confidence intervals. "
                 + ("Trends are tested over academic years (chi-square test for trend), since terms differ by season."
                    if termly else "The trend column tests for a steady rise or fall (chi-square test for trend, 95% level)."))
    return Panel(title, summary, table, figure, notes)


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
    verdict, p_value = trend(shown["numerator"], shown["denominator"], measure.kind, measure.higher_is_worse,
                             positions=[periods.index(p) for p in shown["period"]])
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
