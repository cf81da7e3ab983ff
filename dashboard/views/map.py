"""Map page: the map, its summary, notes and table for a filter state; a Patch of values when only filters change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import quote

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.domain.comparison import compare_with, with_interval
from dashboard.domain.filters import FILTER_LABELS, MAP_LEVELS, FilterOptions, FilterState, normalised
from dashboard.domain.formatting import (
    count_text,
    interval_text,
    rate_text,
    sentence_case,
    symbols_note,
    verdict_text,
)
from dashboard.domain.measures import Measure
from dashboard.domain.standardise import EXPECTED_NAME, as_verdict
from dashboard.domain.status import NO_DATA, NO_DATA_MESSAGE, OUTSIDE, SHOWN, SUPPRESSED
from dashboard.figures.maps import (
    choropleth,
    choropleth_spec,
    choropleth_values,
    extent,
    locality_traces,
    no_boundaries_figure,
)
from dashboard.figures.style import wrap_title
from dashboard.query.queries import NotApplicable, Queries
from dashboard.views.panel import Panel
from dashboard.views.sentences import describe_selection, headline, ignored_filters_note

# Where a map finds one level's boundaries (one locality's, or all with None): an address, or the boundaries.
Boundaries = Callable[[str, str | None], str | dict | None]

# The most localities named on a map of the whole area: more (England's 151 LAs) write over one another, so they are
# named only once a locality is chosen and the map zooms to it.
NAMED_AT_ONCE = 40


@dataclass
class MapView:
    """Everything the Map page shows for one filter state."""

    measure_id: str
    title: str
    summary: str
    note: str | None
    values: pd.DataFrame  # every place of the level with its figures, outside ones marked
    figure: go.Figure | None  # set when the whole figure is drawn (a new level or school layer)
    patch: dict  # the layers, colour axis and title, all that changes with filters (empty without boundaries)
    reference_name: str = ""  # what the verdict column compares with: "the borough", "England"
    level: str = "area"  # the level drawn: the one asked for, or the finest coarser one published for the filters
    total: pd.Series | None = None  # the whole selection's figures, which the summary quotes
    total_name: str = ""  # the selection in words, e.g. 'West, pupils with EHC plan'

    def whole_figure(self) -> go.Figure:
        """The whole figure, boundaries named or inside: for a new level or school layer."""
        return self.figure if self.figure is not None else choropleth(self.patch, self.title)

    def whole_figure_spec(self) -> go.Figure | dict:
        """whole_figure as a page is sent it: the figure as plotly.js reads it, unchecked by plotly.py."""
        return self.figure if self.figure is not None else choropleth_spec(self.patch, self.title)

    @property
    def table(self) -> pd.DataFrame:
        """The places in the selection with their figures, as the Table tab lists them."""
        columns = ["code", "name", "context", "value", "low", "high", "verdict", "numerator", "denominator", "status"]
        columns += [c for c in EXPECTED_COLUMNS if c in self.values]
        return self.values[self.values["status"] != OUTSIDE][columns].sort_values(["context", "name"])


# Each place against what its deprivation predicts: the count expected, and observed / expected with its interval.
EXPECTED_COLUMNS = ["expected", "ratio", "ratio_low", "ratio_high"]


def ratio_text(ratio: float, low: float, high: float) -> str:
    """'1.24 (1.16 to 1.31)': observed / expected with its 95% interval, or blank where there is none."""
    if ratio != ratio:
        return ""
    return f"{ratio:.2f} ({low:.2f} to {high:.2f})"


def display_table(view: MapView, measure: Measure, level_label: str) -> pd.DataFrame:
    """The Table tab as text: place, what it is part of, rate, interval, verdict and both counts; c where hidden.

    Empty when nothing in the selection is shown or suppressed (the page then says there is no data).
    """
    frame = view.table
    has_total = view.total is not None and view.total["status"] in (SHOWN, SUPPRESSED)
    if not has_total and not frame["status"].isin([SHOWN, SUPPRESSED]).any():
        return pd.DataFrame()
    if has_total:
        # The whole selection first, the row the summary quotes; its interval and counts as for any place.
        total = with_interval(pd.DataFrame([view.total]), measure).assign(
            name=sentence_case(view.total_name), context="All the places below", verdict=None
        )
        frame = pd.concat([total[frame.columns.intersection(total.columns)], frame], ignore_index=True)
    rows = zip(frame["name"], frame["context"], frame["value"], frame["low"], frame["high"], frame["verdict"])
    counts = zip(frame["numerator"], frame["denominator"], frame["status"])
    table = pd.DataFrame(
        [
            (
                name,
                context,
                rate_text(value, status, measure),
                interval_text(low, high, measure),
                verdict_text(verdict, view.reference_name),
                count_text(numerator, status),
                count_text(denominator, status),
            )
            for (name, context, value, low, high, verdict), (numerator, denominator, status) in zip(rows, counts)
        ],
        columns=[
            level_label,
            "Part of",
            f"{measure.label} ({measure.unit})",
            "95% interval",
            f"Compared with {view.reference_name}",
            sentence_case(measure.numerator_label),
            sentence_case(measure.denominator_label),
        ],
    )
    if view.reference_name == EXPECTED_NAME and "expected" in frame:
        table[f"{sentence_case(measure.numerator_label)} expected given deprivation"] = [
            "" if e != e else f"{e:,.1f}" for e in frame["expected"]
        ]
        table["Times expected (95% interval)"] = [
            ratio_text(r, lo, hi) for r, lo, hi in zip(frame["ratio"], frame["ratio_low"], frame["ratio_high"])
        ]
    return table


def map_panel(queries: Queries, state: FilterState, schools: bool = True, geometry: Boundaries | None = None) -> Panel:
    """The Map as a panel for export: the whole figure (drawn only when read), the table, the notes; schools (False
    for a reader who may not see them) says whether school points are offered; geometry, where the figure finds its
    boundaries (inside it, without)."""
    view = map_view(queries, state, with_geometry=False, geometry=geometry, schools=schools)
    measure = queries.measure_in(state.measure)
    table = display_table(view, measure, MAP_LEVELS[view.level].one)
    message = ""
    if view.total is not None and view.total["status"] == SHOWN:
        value = measure.format(view.total["value"])
        message = headline(
            f"{sentence_case(view.total_name)}: {measure.in_sentence} of {value} in {state.year}",
            f"{sentence_case(measure.in_sentence)} of {value} in {state.year}",
        )
    return Panel(view.title, view.summary, table, view.whole_figure, [view.note] if view.note else [], headline=message)


def summary_sentence(
    values: pd.DataFrame, total: pd.Series, state: FilterState, options: FilterOptions, measure: Measure
) -> str:
    """One plain-English line computed from the figures shown."""
    status = values["status"].to_numpy(object)
    in_view = int((status != OUTSIDE).sum())
    if total["status"] not in (SHOWN, SUPPRESSED) and not np.isin(status, [SHOWN, SUPPRESSED]).any():
        return NO_DATA_MESSAGE
    where = describe_selection(state, options, measure)
    sentence = f"{measure.label} in {state.year} for {where}: "
    if total["status"] == SHOWN:
        sentence += (
            f"{measure.format(total['value'])} ({total['numerator']:,.0f} {measure.numerator_label} "
            f"of {total['denominator']:,.0f} {measure.denominator_label})."
        )
    else:
        sentence += "c (suppressed: too few children to show)."
    suppressed = int((status == SUPPRESSED).sum())
    if suppressed:
        verb = "rests" if suppressed == 1 else "rest"
        places = MAP_LEVELS[state.level].many.lower()
        sentence += (
            f" {suppressed:,} of {in_view:,} {places} {verb} on too few children to show and "
            f"{'is' if suppressed == 1 else 'are'} marked c."
        )
    return sentence


def map_view(
    queries: Queries, state: FilterState, with_geometry: bool, geometry: Boundaries | None = None, schools: bool = True
) -> MapView:
    """The Map page for one filter state; the whole figure only when with_geometry is set. schools says whether the
    reader may be offered school points (the state itself never asks for them for one who may not).

    geometry gives, for a level and locality, the address the browser fetches those boundaries from; without it they
    go in the figure.
    """
    options = queries.filter_options()
    measure = queries.measure_in(state.measure)
    state = normalised(state)
    state, values, shown_instead = drawn_level(queries, state)
    unavailable = values.attrs.get("unavailable")
    total, refused = selection_total(queries, state)
    if unavailable and not refused and schools and queries.offers(state.measure, "school"):
        unavailable += (
            " Each school is drawn as a point."
            if state.schools == "show"
            else " Choose 'Show schools' under Map in the filters to see each school."
        )
    unavailable = refused or unavailable  # a selection not published at all says so once, not level by level
    reference_name, reference, reference_note = map_reference(queries, state, (total, refused))
    values = compare_with(values, measure, reference)
    compared = reference == reference
    if state.compare == "expected":
        values, reference_name, reference_note, compared = against_expected(queries, state, values, measure)
    colour_by = reference_name if state.colour != "value" and compared else None
    bins = queries.measure_bins(state.measure, state.level)
    level = MAP_LEVELS[state.level].one.lower()
    title = f"{measure.label} by {level}, {state.year}: {describe_selection(state, options, measure)}"
    # A level too large to draw whole is drawn for the chosen locality alone, from its own boundaries.
    part = state.locality if queries.drawn_by_locality(state.level) else None
    # The boundaries' text says whether there are any; they are parsed only to go in the figure (an export).
    drawable = queries.map_geojson_text(state.level, part) is not None
    parts = {}
    if drawable:
        boundaries = geometry or queries.map_geojson
        address, localities = boundaries(state.level, part), boundaries("locality", None)
        parts = choropleth_values(
            values,
            measure,
            bins,
            address,
            colour_by,
            map_schools(queries, state),
            school_layer=state.schools == "show",
            localities=(localities, queries.feature_ids("locality")),
        )
        parts["title"] = wrap_title(title)
        # Zoomed to the selection: a chosen locality fills the map, the others stay round it.
        inside = values["status"].to_numpy(object) != OUTSIDE if state.locality else slice(None)
        parts["geo"] = extent(queries.feature_bounds(state.level)[values["feature"].to_numpy(int)][inside])
        # A level drawn one locality at a time draws the others whole, borders and all: only the chosen one's outline.
        overlay = queries.locality_overlay(part, state.level) if state.level != "locality" else None
        if overlay:
            if state.locality is None and len(overlay["names"]) > NAMED_AT_ONCE:
                overlay = {**overlay, "names": []}  # named on the map once one is chosen; hover names every place
            parts["overlay"] = locality_traces(overlay)
    figure = None
    if not drawable:
        figure = no_boundaries_figure()
    elif with_geometry:
        figure = choropleth(parts, title)
    notes = [
        n
        for n in [
            shown_instead,
            unavailable,
            ignored_filters_note(state, measure),
            reference_note,
            symbols_note(values["status"]),
        ]
        if n
    ]
    summary = summary_sentence(values, total, state, options, measure)
    if reference_name == EXPECTED_NAME:
        summary += " " + expected_sentence(values, state, measure)
    if summary == NO_DATA_MESSAGE and not notes:
        notes.append(
            f"No {measure.numerator_label} are recorded for {describe_selection(state, options, measure)} in "
            f"{state.year}."
        )
    if state.schools == "show" and "cluster" not in measure.filters:
        notes.append(f"{measure.label} is counted per resident, so there are no school points for it.")
    elif state.schools == "show" and not queries.offers(state.measure, "school"):
        notes.append(
            f"The {measure.in_sentence} is not published school by school: most schools have too few such pupils "
            "to show, so there are no school points for it."
        )
    return MapView(
        measure_id=measure.id,
        title=title,
        summary=summary,
        note=" ".join(notes) or None,
        values=values,
        figure=figure,
        patch=parts,
        reference_name=reference_name,
        level=state.level,
        total=total,
        total_name=describe_selection(state, options, measure),
    )


def geometry_name(level: str, locality: str | None) -> str:
    """Where a level's boundaries are served under the version's geometry address: 'area', or 'area/N' for one
    locality's small areas."""
    return level if locality is None else f"{level}/{quote(locality, safe='')}"


def offered_levels(queries: Queries, state: FilterState) -> list[str]:
    """The map levels the publication offers for these filters, finest first."""
    # As map_values asks: every place of the level, the chosen locality only marking the others as outside.
    everywhere = replace(state, locality=None)
    return [level for level in MAP_LEVELS if queries.answers(state.measure, everywhere, level)]


def level_to_draw(asked: str, offered: list[str]) -> str:
    """The level asked for when it is offered, else the finest coarser one offered (never a grey map when a coarser
    level can answer); the level asked for when nothing coarser is offered either (the map then says why)."""
    levels = list(MAP_LEVELS)
    coarser = [level for level in levels[levels.index(asked) :] if level in offered]
    return coarser[0] if coarser else asked


def drawn_level(queries: Queries, state: FilterState) -> tuple[FilterState, pd.DataFrame, str | None]:
    """The state at the level the map draws, its places' values, and the sentence saying why finer levels are not
    drawn when the filters leave them out: 'Shown by ward: small areas are not published with the SEN provision
    chosen. To see small areas, clear that filter.'"""
    offered = offered_levels(queries, state)
    drawn = level_to_draw(state.level, offered)
    whole = whole_area_level(queries, state, drawn, offered)
    if whole != drawn:
        values = queries.map_values(state.measure, state, whole)
        if not values.attrs.get("unavailable"):
            return replace(state, level=whole), values, too_many_sentence(queries, drawn, whole)
    values = queries.map_values(state.measure, state, drawn)
    if values.attrs.get("unavailable"):
        return state, values, None  # no level is offered: the view says why
    levels = list(MAP_LEVELS)
    finer = levels[: levels.index(drawn)]
    refused = [level for level in finer if level not in offered]
    if not refused or len(refused) < len(finer):
        return replace(state, level=drawn), values, None  # a finer level is offered: drawing this one was a choice
    chosen = [
        FILTER_LABELS[key]
        for key in ("need", "sen", "phase", "cluster")
        if getattr(state, key) and key in queries.measure_in(state.measure).filters
    ]
    names = " and ".join(MAP_LEVELS[level].many.lower() for level in refused)
    sentence = f"Shown by {MAP_LEVELS[drawn].one.lower()}: {names} are not published"
    if chosen:
        those = "that filter" if len(chosen) == 1 else "those filters"
        sentence += f" with the {' and '.join(chosen)} chosen. To see {names}, clear {those}."
    else:
        sentence += f" for {state.year}."
    return replace(state, level=drawn), values, sentence


def whole_area_level(queries: Queries, state: FilterState, drawn: str, offered: list[str]) -> str:
    """The level drawn when no locality is chosen: drawn, unless it has more places than a map draws at once (England's
    small areas), then the finest coarser level offered that has not; with a locality chosen, always drawn."""
    if state.locality or not queries.drawn_by_locality(drawn):
        return drawn
    levels = list(MAP_LEVELS)
    coarser = [level for level in levels[levels.index(drawn) + 1 :] if level in offered]
    return next((level for level in coarser if not queries.drawn_by_locality(level)), drawn)


def too_many_sentence(queries: Queries, asked: str, drawn: str) -> str:
    """Why the whole area is drawn at a coarser level, and how to see the finer one: 'Shown by locality: the
    country's small areas are too many to draw at once. To see small areas, choose a locality in the filters or click
    one on the map.'

    It gives no count of places: every figure in a note comes from the table beside the map, which is by the level
    drawn."""
    many = MAP_LEVELS[asked].many.lower()
    return (
        f"Shown by {MAP_LEVELS[drawn].one.lower()}: {queries.area.its} {many} are too many to draw at once. "
        f"To see {many}, choose a locality in the filters or click one on the map."
    )


def selection_total(queries: Queries, state: FilterState) -> tuple[pd.Series, str | None]:
    """The rate for the whole selection, and why there is none where the publication does not offer it."""
    try:
        return queries.borough_value(state.measure, state), None
    except NotApplicable as reason:
        return pd.Series({"numerator": None, "denominator": None, "value": None, "status": NO_DATA}), f"{reason}."


def map_reference(
    queries: Queries, state: FilterState, selection: tuple[pd.Series, str | None] | None = None
) -> tuple[str, float, str | None]:
    """What places are compared with: (name, rate, note). The whole borough, or the benchmark when chosen and loaded.

    selection is selection_total's answer for state, when already looked up: without a locality it is the borough's.
    """
    measure, area = queries.measure_in(state.measure), queries.area
    if selection is not None and not state.locality:
        borough, refused = selection
    else:
        borough, refused = selection_total(queries, replace(state, locality=None))
    if refused:
        return area.the, float("nan"), None  # nothing is shown, so there is nothing to compare
    borough_rate = borough["value"] if borough["status"] == SHOWN else float("nan")
    note = None
    if state.compare == "benchmark":
        bench = queries.benchmark_values(state.measure, state=state)
        bench = bench[(bench["year"] == state.year) & bench["value"].notna()]
        if not bench.empty:
            return str(bench["label"].iat[0]), float(bench["value"].iat[0]), None
        note = (
            f"No benchmark is loaded for the {measure.in_sentence} in {state.year} for the pupils chosen, "
            f"so places are compared with {area.the}."
        )
    if borough_rate != borough_rate:
        note = (
            f"{sentence_case(area.the)} figure for this selection rests on too few children, so places are not "
            "compared with it."
        )
    return area.the, borough_rate, note


def map_schools(queries: Queries, state: FilterState) -> pd.DataFrame | None:
    """Schools to draw on the map with the chosen measure, when asked for and when the measure counts pupils."""
    if state.schools != "show" or not queries.offers(state.measure, "school"):
        return None
    measure = queries.measure_in(state.measure)
    values = queries.rates_where_possible(state.measure, state, ("school", "phase"), school_locality=True)
    if state.colour != "value":
        # Schools are compared with schools of their own phase, as on the funnel plot, not with every pupil.
        phases = queries.rates_where_possible(state.measure, state, "phase", school_locality=True)
        reference = dict(zip(phases["phase"], phases["value"].where(phases["status"] == SHOWN)))
        values = (
            pd.concat(
                [
                    compare_with(rows, measure, reference.get(phase, float("nan")))
                    for phase, rows in values.groupby("phase", dropna=False)
                ]
            )
            if not values.empty
            else values
        )
    places = queries.school_points()
    frame = places.merge(values, on="school")
    return frame.rename(columns={"name": "School"}).assign(Phase=frame["phase"].map(queries.labels("phase")))


def against_expected(
    queries: Queries, state: FilterState, values: pd.DataFrame, measure: Measure
) -> tuple[pd.DataFrame, str, str | None, bool]:
    """Places set against the count their deprivation predicts: (values with expected, ratio and verdict, the
    comparison's name, its note, whether anything is compared). Where the publication cannot support it, places stay
    compared with the borough and the note says why, naming the control to change."""
    level = MAP_LEVELS[state.level].many.lower()
    try:
        found = queries.expected(measure.id, replace(state, locality=None), state.level)
    except NotApplicable as reason:
        area = queries.area
        return values, area.the, f"{reason}. Places are compared with {area.the} instead.", True
    found = found.rename(columns={state.level: "code", "low": "ratio_low", "high": "ratio_high"})
    found = found.assign(verdict=[as_verdict(v, measure.higher_is_worse) for v in found["verdict"]])
    values = values.drop(columns=["verdict"]).merge(
        found[["code", "expected", "ratio", "ratio_low", "ratio_high", "verdict", "covered"]], on="code", how="left"
    )
    values["verdict"] = values["verdict"].where(values["status"] == SHOWN, "").fillna("")
    plan = queries.expected_design(measure.id, state.level)
    note = (
        f"Expected given deprivation: the {measure.numerator_label} each of these {level} would have at "
        f"{queries.area.its} rates for {plan.adjusted_for}. Not adjusted for {plan.not_adjusted_for}. A place is "
        "higher or lower than expected when the 95% interval of observed / expected lies wholly above or below 1."
    )
    thin = int(((values["covered"] < 0.5) & (values["status"] == SHOWN)).sum())
    if thin:
        note += (
            f" For {thin} of them fewer than half the pupils can be placed by {plan.placed_by} (the rest are hidden to "
            "protect "
            f"small numbers), so their expected count leans on {queries.area.its} overall rate."
        )
    return values, EXPECTED_NAME, note, True


def expected_sentence(values: pd.DataFrame, state: FilterState, measure: Measure) -> str:
    """How many places have more or fewer than their deprivation predicts, counted from the table's rows."""
    rows = values[(values["status"] == SHOWN) & values["ratio"].notna()]
    level = MAP_LEVELS[state.level].many.lower()
    above = int((rows["ratio_low"] > 1).sum())
    below = int((rows["ratio_high"] < 1).sum())
    return (
        f"Against the count expected for their pupils, {above:,} of {len(rows):,} {level} have significantly more "
        f"{measure.numerator_label} than expected and {below} significantly fewer."
    )
