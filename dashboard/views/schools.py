"""Schools page: the funnel plot, every school and cluster with every measure, and one school in detail."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard.domain.area import BOROUGH, Area
from dashboard.domain.filters import FilterState, echoed
from dashboard.domain.formatting import count_text, rate_text, sentence_case
from dashboard.domain.funnel import BEYOND_95, BEYOND_998, WITHIN, Comparison, funnel, phase_rate, verdict_text
from dashboard.domain.measures import MEASURES, Measure
from dashboard.domain.reference import NO_SEN_AREA
from dashboard.domain.standardise import ADJUSTED_FOR_PHASE, NOT_ADJUSTED_FOR
from dashboard.domain.status import NO_DATA_MESSAGE, SHOWN, SOURCE_SYMBOLS, SUPPRESSED
from dashboard.figures.charts import bar_chart, trend_lines
from dashboard.figures.funnel import funnel_figure
from dashboard.query.queries import NotApplicable, Queries
from dashboard.views.panel import Panel, no_data_panel
from dashboard.views.sentences import headline, place_name

SCHOOL_MEASURES = ("suspension_rate", "permanent_rate", "absence_rate", "persistent_absence", "severe_absence")
SHARES = {"ehcp": "% with an EHC plan", "sen_support": "% on SEN support"}
# The school grid's identifying columns as headed on screen and in downloads.
SCHOOL_HEADINGS = dict(
    school="URN", school_name="School", phase="Phase", cluster_name="Cluster", locality_name="Locality"
)


def _school_rows(queries: Queries, state: FilterState, level: str) -> pd.DataFrame:
    """One row per school (or cluster): pupils, shares with SEN, and each measure's value and status."""
    # School views place a school by where it is, so locality means the school's locality here.
    parts = []
    for measure_id in SCHOOL_MEASURES:
        values = queries.rates_where_possible(
            measure_id, replace(state, measure=measure_id), level, school_locality=True
        )
        parts.append((values, {"value": measure_id, "status": f"{measure_id}_status"}))
    if all(values.empty for values, _ in parts):
        # Nothing published for this selection: the grid keeps its columns and has no rows.
        names = [n for _, named in parts for n in named.values()] + ["pupils"]
        return pd.DataFrame(
            columns=[level, *names, *SHARES.values(), *(f"{label}_status" for label in SHARES.values())]
        )
    # Pupils on roll, and the shares with each SEN provision, straight from the published counts of pupils.
    parts.append((_pupils(queries, replace(state, sen=None), level), {"value": "pupils", "status": "pupils_status"}))
    counted = {sen: _pupils(queries, replace(state, sen=sen), level) for sen in SHARES}
    parts += [(frame, {"value": f"n_{sen}", "status": f"n_{sen}_status"}) for sen, frame in counted.items()]
    columns = _outer(level, parts)
    roll_shown = columns["pupils_status"] == SHOWN
    pupils = np.where(roll_shown, columns["pupils"], np.nan)
    for sen, label in SHARES.items():
        # A school with no pupils of this provision has no cell: its share is 0, not hidden.
        hidden = ~np.isin(columns[f"n_{sen}_status"], [SHOWN, None]) | ~roll_shown
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.nan_to_num(columns[f"n_{sen}"], nan=0.0) / np.where(pupils > 0, pupils, np.nan) * 100
        # No cells at all where the data do not record SEN provision: no data, not 0%.
        no_data = (np.isnan(pupils) & ~hidden) if not counted[sen].empty else np.ones(len(pupils), dtype=bool)
        columns[label] = np.where(~hidden & ~no_data, share, np.nan)
        columns[f"{label}_status"] = np.where(no_data, "no data", np.where(hidden, SUPPRESSED, SHOWN))
    columns["pupils"] = pupils
    for name in ["pupils_status"] + [c for c in columns if c.startswith("n_")]:
        del columns[name]
    return pd.DataFrame(columns)


def _outer(level: str, parts: list[tuple[pd.DataFrame, dict[str, str]]]) -> dict[str, np.ndarray]:
    """Look-ups side by side on the place they are keyed by (the part with no place left out), as named arrays.

    Done with a dictionary of places rather than pandas merges: a grid is a few hundred rows, asked for often.
    """
    places: dict = {}
    for frame, _ in parts:
        for place in frame[level].to_numpy(object):
            if place is not None and place == place:
                places.setdefault(place, len(places))
    columns = {level: np.array(list(places), dtype=object)}
    for frame, names in parts:
        position = np.array([places.get(p, -1) for p in frame[level].to_numpy(object)], dtype=int)
        found = position >= 0
        for source, target in names.items():
            numeric = source == "value"
            filled = np.full(len(places), np.nan if numeric else None, dtype=float if numeric else object)
            filled[position[found]] = frame[source].to_numpy(float if numeric else object)[found]
            columns[target] = filled
    return columns


def _pupils(queries: Queries, state: FilterState, level: str) -> pd.DataFrame:
    """Pupils on roll per school or cluster under the filters (value, status), or no rows where not published."""
    try:
        return queries.count_values("pupils", state, level, school_locality=True)
    except NotApplicable:
        return pd.DataFrame(columns=[level, "value", "status"])


def school_table(queries: Queries, state: FilterState) -> pd.DataFrame:
    """Schools with name, phase, cluster, locality and every measure (NaN where suppressed; status columns say why)."""
    schools = queries.school_places()
    frame = schools.merge(_school_rows(queries, state, "school"), on="school", how="inner")
    frame["phase"] = frame["phase"].map(queries.labels("phase"))
    frame = frame.rename(columns=SCHOOL_HEADINGS)
    return frame.sort_values("School")


def cluster_table(queries: Queries, state: FilterState) -> pd.DataFrame:
    """Clusters with their locality and every measure."""
    clusters = queries.cluster_places()
    frame = clusters.merge(_school_rows(queries, state, "cluster"), on="cluster", how="inner")
    return frame.rename(columns={"cluster_name": "Cluster", "locality_name": "Locality"}).sort_values("Cluster")


def grid_measures(frame: pd.DataFrame) -> list[str]:
    """The measures a grid shows: those published at its level (permanent exclusions are not, school by school)."""
    return [m for m in SCHOOL_MEASURES if f"{m}_status" in frame and frame[f"{m}_status"].notna().any()]


def grid_summary(schools: pd.DataFrame, clusters: pd.DataFrame, state: FilterState) -> str:
    """How many schools and clusters the grids hold, what the filters mean for them, and what is not shown."""
    summary = (
        f"{len(schools)} schools and {len(clusters)} clusters in {state.year}. Locality and cluster here mean where "
        "the school is; the need, SEN provision and phase filters apply to the pupils counted."
    )
    left_out = [MEASURES[m].label.lower() for m in SCHOOL_MEASURES if m not in grid_measures(schools)]
    if left_out and not schools.empty:
        summary += (
            f" The {' and '.join(left_out)} {'is' if len(left_out) == 1 else 'are'} not published school by school: "
            "most schools have too few such pupils to show. See them by locality on the Map."
        )
    return summary


def why_empty(queries: Queries, state: FilterState, level: str) -> str:
    """Why the grid of schools (or clusters) is empty under these filters, in words."""
    measure = state.measure if state.measure in SCHOOL_MEASURES else "suspension_rate"
    try:
        queries.rates(measure, replace(state, measure=measure), level, school_locality=True)
    except NotApplicable as reason:
        return f"{reason}."
    return NO_DATA_MESSAGE


def display_table(frame: pd.DataFrame, id_columns: list[str]) -> pd.DataFrame:
    """The grid as text for download: suppressed values become c, so exports inherit disclosure control."""
    out = frame[id_columns].copy()
    out["Pupils on roll"] = [f"{p:,.0f}" if pd.notna(p) and p > 0 else "" for p in frame["pupils"]]
    for label in SHARES.values():
        out[label] = [
            ("c" if s == SUPPRESSED else (f"{v:.1f}" if s == SHOWN else ""))
            for v, s in zip(frame[label], frame[f"{label}_status"])
        ]
    for measure_id in grid_measures(frame):
        measure = MEASURES[measure_id]
        out[f"{measure.label} ({measure.unit})"] = [
            rate_text(v, s, measure) for v, s in zip(frame[measure_id], frame[f"{measure_id}_status"])
        ]
    return out


def school_detail(queries: Queries, state: FilterState, urn: str) -> list[Panel]:
    """One school: its trend beside its cluster and the whole area, its SEN mix, and this year's comparison."""
    info = queries.school_info(urn)
    if info.empty:
        return [Panel("School not found", f"There is no school with URN {echoed(urn)} in the data.", pd.DataFrame())]
    name, cluster, cluster_name = info.iloc[0]
    measure = MEASURES[state.measure if state.measure in SCHOOL_MEASURES else "suspension_rate"]
    area = queries.area
    # The school's own trend ignores the place filters: a school is compared with its own cluster.
    own = replace(state, measure=measure.id, locality=None, cluster=None, phase=None, school=None)
    series = []
    for label, scope, group in (
        (name, own, "school"),
        (cluster_name, replace(own, cluster=cluster), "cluster"),
        (area.title, own, "borough"),
    ):
        values = queries.rates_where_possible(measure.id, scope, ("year", group), school_locality=True)
        if group == "school":
            values = values[values["school"] == urn]
        elif group == "cluster":
            values = values[values["cluster"] == cluster]
        series.append(values.assign(label=label, period=values["year"]).sort_values("year"))
    lines = pd.concat(series, ignore_index=True)
    trend_title = f"{measure.label} at {name}, its cluster and {area.the}"
    table = (
        lines.assign(display=[rate_text(v, s, measure) for v, s in zip(lines["value"], lines["status"])])
        .pivot(index="label", columns="period", values="display")
        .reindex([name, cluster_name, area.title])
        .reset_index(names="")
    )
    table.columns.name = None
    school_line = series[0][series[0]["status"] == SHOWN]
    summary = NO_DATA_MESSAGE
    if not school_line.empty:
        year = school_line["year"].iat[-1]
        at = [frame[frame["year"] == year] for frame in series[1:]]
        cluster_text, borough_text = (
            rate_text(f["value"].iat[0], f["status"].iat[0], measure, True) if not f.empty else "no data" for f in at
        )
        latest = measure.format(school_line["value"].iat[-1])
        summary = f"In {year}, {name}: {latest}; its cluster {cluster_text}; {area.the} {borough_text}."
    notes = ["Gaps in a line are years with too few children to show (c)."] if (lines["status"] != SHOWN).any() else []
    figure = trend_lines(
        pd.concat(series[:2], ignore_index=True),
        [name, cluster_name],
        measure,
        trend_title,
        borough=series[2],
        reference_label=area.title,
    )
    trend = Panel(trend_title, summary, table, figure, notes)
    # Pupils with SEN at this school by broad area of need (by primary need, most would be too few to show).
    alone = FilterState(measure=state.measure, year=state.year, school=urn)
    try:
        mix = queries.count_values("pupils", alone, "broad_area")
    except NotApplicable:
        mix = pd.DataFrame(columns=["broad_area", "value", "status"])
    mix = mix[mix["broad_area"].notna() & (mix["broad_area"] != NO_SEN_AREA)].copy()
    mix["label"] = mix["broad_area"]
    mix["pupils"] = mix["value"].where(mix["status"] == SHOWN)
    mix = mix[(mix["pupils"] != 0)].sort_values("pupils", ascending=False, na_position="last")
    mix["value"] = mix["pupils"]
    count = MEASURES["suspension_rate"]  # any measure with whole-number display serves for the labels
    mix_title = f"Pupils with SEN at {name} by broad area of need, {state.year}"
    mix_table = pd.DataFrame(
        {
            "Broad area of need": mix["label"],
            "Pupils": ["c" if s != SHOWN else f"{p:,.0f}" for p, s in zip(mix["pupils"], mix["status"])],
        }
    )
    mix_summary = (
        NO_DATA_MESSAGE
        if mix.empty
        else f"The most common broad area of need among pupils with SEN at {name} is {mix['label'].iat[0].lower()}."
    )
    mix_panel = Panel(
        mix_title,
        mix_summary,
        mix_table,
        bar_chart(mix, replace(count, unit="pupils", decimals=0), mix_title) if not mix.empty else None,
    )
    return [trend, mix_panel]


def funnel_panel(queries: Queries, state: FilterState) -> Panel:
    """The default way schools are compared: each school against the borough rate for its own phase, by size.

    A school's expected count is its pupils times the borough rate for schools of its phase; the plot shows
    observed / expected against expected, with exact Poisson limits around 1, so small schools get wide
    limits and an AP centre is not held to a primary school's rate.
    """
    requested = MEASURES[state.measure]
    measure = requested if requested.id in SCHOOL_MEASURES else MEASURES["suspension_rate"]
    state = replace(state, measure=measure.id)
    title = f"{measure.label}: each school against schools of its phase, {state.year}"
    notes = (
        []
        if requested.id == measure.id
        else [f"{requested.label} is counted per resident, so schools are compared on the suspension rate."]
    )
    try:
        values = queries.rates(measure.id, state, ("school", "phase"), school_locality=True)
        # Each school is set against the borough's rate for its phase, wherever it is and whichever cluster.
        phase = queries.rates(measure.id, replace(state, locality=None, cluster=None), "phase")
    except NotApplicable as reason:
        return no_data_panel(title, notes + [f"{reason}."])
    # Phase rates are compared before suppression would matter: they rest on hundreds of pupils or are left out.
    # The rest of a total that a source does not give school by school belongs to no school and no phase.
    values, phase = values[values["school"].notna()], phase[phase["phase"].notna()]
    rate_of_phase = (phase["numerator"] / phase["denominator"]).where(phase["status"] == SHOWN)
    values = values.merge(pd.DataFrame({"phase": phase["phase"], "reference": rate_of_phase}), on="phase", how="left")
    # Where the source gave some schools as a symbol (DfE's x), the phase's own total is unknown: its rate is
    # then worked out from the schools that have a figure, and the note says so.
    given = values["status"].isin(SOURCE_SYMBOLS)
    for name, rows in values[values["reference"].isna() & values["phase"].isin(values.loc[given, "phase"])].groupby(
        "phase"
    ):
        known = rows[rows["status"] == SHOWN]
        if known["denominator"].sum() > 0:
            values.loc[values["phase"] == name, "reference"] = known["numerator"].sum() / known["denominator"].sum()
            notes.append(
                f"The rate for {queries.labels('phase').get(name, name).lower()} schools is worked out from the "
                f"{len(known)} with a figure: the source gives {int(given[values['phase'] == name].sum())} as a symbol."
            )
    shown = values[(values["status"] == SHOWN) & (values["reference"] > 0)].copy()
    hidden = int((values["status"] == SUPPRESSED).sum())
    if shown.empty:
        why = (
            f"Every school's figure rests on too few children to show (c), or its phase's rate is hidden: "
            f"{hidden} school{'s are' if hidden != 1 else ' is'} hidden."
            if hidden
            else "No school has a figure for these pupils."
        )
        return no_data_panel(title, notes + [why])
    names, phases = queries.labels("school"), queries.labels("phase")
    shown["name"] = shown["school"].map(names)
    shown["expected"] = shown["reference"] * shown["denominator"]
    comparison = phase_rate(queries.area)
    if state.compare == "expected":
        shown, comparison, title, note = _against_deprivation(queries, state, measure, shown, title)
        notes.append(note)
    place = place_name(state, queries.filter_options(), measure)
    panel = compared_panel(title, shown, measure, comparison, place, phases, notes, queries.area)
    if hidden:
        panel.notes.append(f"{hidden:,} schools rest on too few children to show and are not plotted.")
    if given.any():
        panel.notes.append(
            f"{int(given.sum())} schools the source gives as a symbol (x: not available) are not plotted."
        )
    return panel


# Each school against the count its phase's rates predict for the deprivation of where its pupils live.
GIVEN_DEPRIVATION = Comparison(
    "what deprivation predicts for its pupils", "what deprivation predicts for their pupils", "given deprivation"
)


def _against_deprivation(
    queries: Queries, state: FilterState, measure: Measure, shown: pd.DataFrame, title: str
) -> tuple[pd.DataFrame, Comparison, str, str]:
    """Schools' expected counts given the deprivation of their pupils' homes, at the borough's rates for their phase;
    where that cannot be worked out, the phase's rate stands and the note says why (naming the control)."""
    try:
        found = queries.expected(measure.id, replace(state, locality=None, cluster=None), "school")
    except NotApplicable as reason:
        comparison = phase_rate(queries.area)
        return shown, comparison, title, f"{reason}. Schools are compared with {comparison.their}."
    found = found[found["expected"] > 0][["school", "expected", "covered"]]
    shown = shown.drop(columns="expected").merge(found, on="school", how="inner")
    note = (
        f"Expected given deprivation: the {measure.numerator_label} each school would have at {queries.area.its} rates "
        f"for {ADJUSTED_FOR_PHASE}. Not adjusted for {NOT_ADJUSTED_FOR}."
    )
    thin = int((shown["covered"] < 0.5).sum())
    if thin:
        note += (
            f" For {thin} schools fewer than half the pupils can be placed by decile (the rest are hidden to protect "
            "small numbers), so their expected count leans on the phase's overall rate."
        )
    title = title.replace("against schools of its phase", "against what deprivation predicts")
    return shown, GIVEN_DEPRIVATION, title, note


def _names(rows: pd.DataFrame) -> str:
    """Schools named with their direction, e.g. 'Abbey (higher) and Birch (lower)'."""
    named = [f"{name} ({direction})" for name, direction in zip(rows["name"], rows["direction"])]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


# A summary names every school beyond the 95% limits up to this many; beyond it, the table names the rest.
NAMED_IN_SUMMARY = 6


def compared_panel(
    title: str,
    shown: pd.DataFrame,
    measure: Measure,
    comparison: Comparison,
    place: str,
    phases: dict[str, str],
    notes: list[str],
    area: Area = BOROUGH,
) -> Panel:
    """The funnel panel for schools with a count and an expected count: chart, table and summary from the same rows.

    shown has one row per school whose figure is shown (never a suppressed one): name, phase, value (the rate),
    numerator (the count O), denominator and expected (the count E that comparison describes); place is the place
    the filters chose, in words. Any way of working out E fits, so long as comparison says it in words.
    """
    result = funnel(shown["numerator"], shown["expected"], measure.higher_is_worse)
    spread = result.spread
    shown = shown.assign(**{c: result.points[c] for c in result.points.columns if c not in ("observed", "expected")})
    notes = [*notes, comparison.how_to_read(spread.tau2 > 0)]
    if spread.tau2 > 0:
        notes.append(
            f"Schools differ more than chance alone would make them (overdispersion {spread.phi:.1f} times chance "
            f"across {spread.schools} schools, p {'< 0.001' if spread.p_value < 0.001 else f'= {spread.p_value:.3f}'}"
            "), as schools serving different pupils do. The limits are widened by that spread between schools "
            "(Spiegelhalter's random-effects method), so a school is named only when it stands out among schools. "
            f"With limits for chance alone, {result.beyond_998_by_chance_alone} would be beyond the 99.8% limits."
        )
    # Flagged schools first, furthest out first: the table leads with them, and the figure names the highest first.
    shown["band"] = shown["reach"].map({BEYOND_998: 0, BEYOND_95: 1, WITHIN: 2})
    shown = shown.sort_values(["band", "ratio"], ascending=[True, False])

    figure = funnel_figure(shown, measure, spread.tau2, phases, comparison)

    events = sentence_case(measure.numerator_label)
    table = pd.DataFrame(
        {
            "School": shown["name"],
            "Phase": shown["phase"].map(phases),
            events: [count_text(v, SHOWN) for v in shown["numerator"]],
            sentence_case(measure.denominator_label): [count_text(v, SHOWN) for v in shown["denominator"]],
            f"{measure.label} ({measure.unit})": [rate_text(v, SHOWN, measure) for v in shown["value"]],
            f"{events} expected": [f"{v:,.1f}" for v in shown["expected"]],
            "Times expected": [f"{v:,.2f}" for v in shown["ratio"]],
            "Compared with expected": [verdict_text(d, r) for d, r in zip(shown["direction"], shown["reach"])],
        }
    ).reset_index(drop=True)
    # The summary and headline count the rows of the table's last column, so the words and the table always agree.
    outside, far = shown[shown["reach"] != WITHIN], shown[shown["reach"] == BEYOND_998]
    schools = "schools" if place == area.the else f"schools in {place}"
    lie = "lies" if len(outside) == 1 else "lie"
    how_many = f"{len(outside):,}" if len(outside) else "None"
    message = headline(
        f"{how_many} of {len(shown):,} {schools} {lie} beyond the 95% limits {comparison.short}",
        f"{how_many} of {len(shown):,} schools {lie} beyond the 95% limits {comparison.short}",
    )
    if outside.empty:
        summary = f"None of {len(shown):,} {schools} {lie} beyond the 95% limits around {comparison.their}."
    else:
        directions = ", ".join(f"{n} {d}" for d, n in outside["direction"].value_counts(sort=False).items())
        summary = (
            f"{len(outside):,} of {len(shown):,} {schools} {lie} beyond the 95% limits around {comparison.their} "
            f"({directions} than expected)."
        )
        explain = (
            "neither chance nor the usual spread between schools would explain"
            if spread.tau2 > 0
            else "chance alone would rarely explain"
        )
        summary += (
            f" Beyond the 99.8% limits, which {explain}: {_names(far)}."
            if len(far)
            else " None is beyond the 99.8% limits."
        )
        only95 = outside[outside["reach"] == BEYOND_95]
        if len(only95):
            summary += (
                f" Beyond the 95% limits only: {_names(only95)}."
                if len(outside) <= NAMED_IN_SUMMARY
                else f" {'The other' if len(far) else 'All'} {len(only95)}, beyond the 95% limits only, are named in "
                "the table."
            )
    return Panel(title, summary, table, figure, notes, headline=message)
