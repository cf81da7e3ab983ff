"""Queries checked against the extracts themselves, counted a second way with pandas; suppression; filters."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.domain.filters import FilterState, parse_query, resolve, to_query
from dashboard.domain.measures import MEASURES
from dashboard.domain.status import NO_DATA, NO_DATA_MESSAGE, OUTSIDE, SHOWN, SUPPRESSED
from dashboard.views.map import map_view

THRESHOLD = 4
YEAR = "2023/24"


@pytest.fixture(scope="module")
def extracts(demo_build):
    folder = demo_build[0]
    read = lambda name: pd.read_csv(folder / name, dtype={"urn": str}, keep_default_na=False, na_values=[""])  # noqa: E731
    schools = read("schools.csv")
    areas = read("areas.csv")
    return {
        "schools": schools,
        "areas": areas,
        "census": read("census_pupil.csv").merge(schools[["urn", "cluster_code", "phase"]], on="urn"),
        "exclusions": read("exclusions_pupil.csv").merge(schools[["urn", "cluster_code", "phase"]], on="urn"),
        "attendance": read("attendance_pupil.csv").merge(schools[["urn", "cluster_code", "phase"]], on="urn"),
        "ehcp": read("ehcp_pupil.csv"),
        "population": read("population.csv"),
    }


def _with_locality(frame: pd.DataFrame, areas: pd.DataFrame, column: str = "home_area_code") -> pd.DataFrame:
    return frame.merge(
        areas[["area_code", "locality_code"]].rename(columns={"area_code": column}), on=column, how="left"
    )


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    # The row with no key is pupils living outside the borough; areas are what is checked here.
    return frame[(frame["status"] == SHOWN) & frame["area"].notna()].set_index("area")


def _shown_at(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    return frame[(frame["status"] == SHOWN) & frame[level].notna()].set_index(level)


# Each a cut the registry publishes: SEN provision and phase come with wards, a cluster with its schools.
@pytest.mark.parametrize(
    "level, filters",
    [
        ("area", {}),
        ("area", {"locality": "N"}),
        ("ward", {"sen": "sen_support"}),
        ("ward", {"phase": "secondary"}),
        ("school", {"cluster": "E2"}),
    ],
)
def test_suspension_rate_equals_a_count_of_the_pupil_level_extract(queries, extracts, level, filters):
    state = FilterState(year=YEAR, **filters)
    result = _shown_at(queries.rates("suspension_rate", state, level), level)
    wards = extracts["areas"][["area_code", "ward_code"]].rename(columns={"area_code": "home_area_code"})
    column = {"area": "home_area_code", "ward": "ward_code", "school": "urn"}[level]

    def select(frame):
        frame = _with_locality(frame[frame["academic_year"] == YEAR], extracts["areas"]).merge(
            wards, on="home_area_code", how="left"
        )
        for key, source in (
            ("locality", "locality_code"),
            ("sen", "sen_provision"),
            ("phase", "phase"),
            ("cluster", "cluster_code"),
        ):
            if key in filters:
                frame = frame[frame[source] == filters[key]]
        return frame

    suspensions = select(extracts["exclusions"]).query("exclusion_type == 'suspension'").groupby(column).size()
    pupils = select(extracts["census"]).groupby(column).size()
    assert len(result) > 3
    for place, row in result.iterrows():
        assert row["numerator"] == suspensions.get(place, 0)
        assert row["denominator"] == pupils[place]
        assert row["value"] == pytest.approx(100 * suspensions.get(place, 0) / pupils[place])


def test_ehcp_rate_with_a_need_filter_equals_the_extracts(queries, extracts):
    state = FilterState(measure="ehcp_rate", year="2020/21", need="ASD")
    result = _shown_at(queries.rates("ehcp_rate", state, "locality"), "locality")
    plans = _with_locality(
        extracts["ehcp"].query("academic_year == '2020/21' and primary_need == 'ASD'"), extracts["areas"]
    ).groupby("locality_code")
    population = (
        _with_locality(extracts["population"].query("academic_year == '2020/21'"), extracts["areas"], "area_code")
        .groupby("locality_code")["population"]
        .sum()
    )
    assert len(result) == 4
    for locality, row in result.iterrows():
        assert row["value"] == pytest.approx(1000 * plans.size().get(locality, 0) / population[locality])


def test_a_cut_the_registry_does_not_publish_is_refused_with_where_to_find_it(queries):
    from dashboard.query.queries import NotOffered

    with pytest.raises(NotOffered, match="To filter the EHC plan rate by primary need, choose localities"):
        queries.rates("ehcp_rate", FilterState(measure="ehcp_rate", year=YEAR, need="ASD"), "area")
    with pytest.raises(NotOffered, match="permanent exclusion rate is not published by small area: choose localities"):
        queries.rates("permanent_rate", FilterState(measure="permanent_rate", year=YEAR), "area")


@pytest.mark.parametrize("measure_id", list(MEASURES))
def test_the_filter_panel_says_truly_where_the_chosen_pupils_are_published(queries, measure_id):
    """The hint beside the filters names the places a view can be had; each one named works and each excluded is
    refused, for every measure with each slice and pair of slices."""
    from dashboard.query.queries import NotOffered

    words = {"locality": "locality", "ward": "ward", "area": "small area", "school": "school"}
    for slices in ({}, {"need": "ASD"}, {"sen": "K"}, {"phase": "Primary"}, {"sen": "K", "phase": "Primary"}):
        state = FilterState(measure=measure_id, year=YEAR, **slices)
        hint = queries.where_offered(state)
        for place, name in words.items():
            if measure_id == "ehcp_rate" and place == "school":
                continue  # per resident: no school at all, and the hint does not offer one
            try:
                queries.rates(measure_id, state, ("school", "phase") if place == "school" else place)
                works = True
            except NotOffered:
                works = False
            if hint is None:
                assert works, (measure_id, slices, place)
                continue
            if "is not published:" in hint:
                assert not works, (measure_id, slices, place, hint)
                continue
            published, _, refused = hint.partition("; not by ")
            assert works == (name in published and " by " in published), (measure_id, slices, place, hint)
            assert works != (name in refused), (measure_id, slices, place, hint)


def test_persistent_absence_is_decided_over_each_pupils_whole_year(queries, extracts):
    rows = extracts["attendance"].query("academic_year == @YEAR")
    year = (
        rows.groupby(["pupil_id", "urn", "home_area_code", "sen_provision", "primary_need"], dropna=False)[
            ["sessions_possible", "sessions_authorised", "sessions_unauthorised"]
        ]
        .sum()
        .reset_index()
    )
    year["persistent"] = (year["sessions_authorised"] + year["sessions_unauthorised"]) / year[
        "sessions_possible"
    ] >= 0.1
    expected = year.groupby("home_area_code").agg(n=("persistent", "sum"), d=("persistent", "size"))
    result = _shown(queries.rates("persistent_absence", FilterState(measure="persistent_absence", year=YEAR), "area"))
    for area, row in result.iterrows():
        assert (row["numerator"], row["denominator"]) == (expected.at[area, "n"], expected.at[area, "d"])
    borough = queries.borough_value("persistent_absence", FilterState(measure="persistent_absence", year=YEAR))
    assert borough["value"] == pytest.approx(100 * year["persistent"].mean())


@pytest.mark.parametrize("measure_id", sorted(MEASURES))
def test_no_count_of_one_to_four_children_is_shown(queries, measure_id):
    from dashboard.query.queries import NotApplicable

    tried = 0
    for level in ("borough", "area", "ward", "locality", "school", "cluster"):
        for filters in ({}, {"need": "SEMH"}, {"locality": "W", "sen": "ehcp"}):
            try:
                frame = queries.rates(measure_id, FilterState(measure=measure_id, year=YEAR, **filters), level)
            except NotApplicable:
                continue  # not published this way: nothing shown
            tried += 1
            shown = frame[frame["status"] == SHOWN]
            assert not shown["numerator"].between(1, THRESHOLD).any() or measure_id == "absence_rate"
            assert not shown["denominator"].between(1, THRESHOLD).any()
            hidden = frame[frame["status"] == SUPPRESSED]
            assert hidden["numerator"].isna().all() and hidden["value"].isna().all()
    assert tried >= 2


def test_small_counts_are_suppressed_and_zero_stays_zero(queries, extracts):
    frame = queries.rates("suspension_rate", FilterState(year=YEAR), "area").set_index("area")
    counts = (
        extracts["exclusions"]
        .query("academic_year == @YEAR and exclusion_type == 'suspension'")
        .groupby("home_area_code")
        .size()
    )
    small = counts[counts.between(1, THRESHOLD)].index
    assert len(small) > 0
    assert (frame.loc[small, "status"] == SUPPRESSED).all()
    zero = frame.index.dropna().difference(counts.index)
    assert (frame.loc[zero, "status"] == SHOWN).all() and (frame.loc[zero, "value"] == 0).all()


def test_areas_outside_the_chosen_locality_are_marked_not_dropped(queries):
    frame = queries.map_values("absence_rate", FilterState(measure="absence_rate", year=YEAR, locality="E"))
    assert len(frame) == len(queries.map_values("absence_rate", FilterState(measure="absence_rate", year=YEAR)))
    assert set(frame.loc[frame["locality_code"] != "E", "status"]) == {OUTSIDE}
    assert frame.loc[frame["locality_code"] == "E", "value"].notna().all()


def test_colour_classes_are_fixed_per_measure_whatever_the_filters(queries):
    bins = queries.measure_bins("suspension_rate")
    assert bins == sorted(bins) and len(bins) == 4
    first = map_view(queries, FilterState(year="2019/20", level="locality"), with_geometry=False).patch["coloraxis"]
    # Need is published by locality, not by small area: the map draws localities, in the localities' classes.
    later = map_view(queries, FilterState(year=YEAR, locality="N", need="ASD"), with_geometry=False).patch["coloraxis"]
    states = ("Suppressed", "No data", "Outside selection")
    assert [t for t in first["colorbar"]["ticktext"] if not t.startswith(states)] == [
        t for t in later["colorbar"]["ticktext"] if not t.startswith(states)
    ]


def test_the_legend_lists_only_the_states_a_place_has(queries):
    """Outside selection only when a locality is chosen; Suppressed only where a place is c."""
    whole = map_view(queries, FilterState(year=YEAR), with_geometry=False)
    ticks = whole.patch["coloraxis"]["colorbar"]["ticktext"]
    assert not any(t.startswith("Outside selection") for t in ticks)
    assert any(t.startswith("Suppressed") for t in ticks) == (whole.values["status"] == SUPPRESSED).any()
    assert any(t.startswith("No data") for t in ticks) == (whole.values["status"] == NO_DATA).any()
    north = map_view(queries, FilterState(year=YEAR, locality="N"), with_geometry=False)
    labels = north.patch["coloraxis"]["colorbar"]["ticktext"]
    assert labels[-1] == "Outside selection"
    # Each class index drawn has its own label and colour band.
    classes = {z for trace in north.patch["traces"] if trace["type"] == "choropleth" for z in trace["z"]}
    assert max(classes) == len(labels) - 1 and len(north.patch["coloraxis"]["colorscale"]) == 2 * len(labels)


def test_an_empty_selection_says_so(queries):
    view = map_view(
        queries, FilterState(year=YEAR, phase="primary", need="PMLD", sen="sen_support", cluster="W3"), False
    )
    assert view.summary == NO_DATA_MESSAGE
    assert set(view.table["status"]) <= {NO_DATA, SUPPRESSED}
    assert view.note == (
        "The suspension rate is not published by school cluster and phase and SEN provision and primary need."
    )


def test_the_summary_sentence_is_computed_from_the_figures_shown(queries):
    state = FilterState(measure="ehcp_rate", year="2020/21", locality="N")
    view = map_view(queries, state, with_geometry=True)
    total = queries.borough_value("ehcp_rate", state)
    assert view.summary.startswith("EHC plan rate in 2020/21 for North: 33.0 per 1,000 aged 0-25")
    assert view.title == "EHC plan rate by small area, 2020/21: North"
    assert f"{total['numerator']:,.0f} EHC plans of {total['denominator']:,.0f} residents aged 0-25" in view.summary
    layers = {trace.name: trace for trace in view.figure.data}
    assert len(layers["shown"].geojson["features"]) == len(view.table) + len(
        queries.map_values("ehcp_rate", state).query("status == @OUTSIDE")
    )
    # Outside North the map draws the other three localities whole, by their own boundaries.
    assert sorted(layers["outside"].customdata) == ["E", "SC", "W"]
    assert len(layers["outside"].locations) == 3 and len(layers["outside"].geojson["features"]) == 4


def test_a_filter_that_cannot_apply_is_named(queries):
    view = map_view(queries, FilterState(measure="ehcp_rate", year=YEAR, phase="secondary", sen="ehcp"), False)
    assert "phase and SEN provision filters do not apply" in view.note
    small_areas = map_view(queries, FilterState(year=YEAR, phase="secondary"), False)
    assert small_areas.note.startswith("Shown by ward: small areas are not published with the phase chosen.")
    assert small_areas.level == "ward" and SHOWN in set(small_areas.table["status"])
    # Wards chosen say the same, since the Map level control greys small areas out for these filters; localities
    # chosen while wards are offered were a choice, and need no sentence.
    wards = map_view(queries, FilterState(year=YEAR, phase="secondary", level="ward"), False)
    assert wards.note == small_areas.note
    assert map_view(queries, FilterState(year=YEAR, phase="secondary", level="locality"), False).note is None


def test_links_round_trip_and_unknown_values_fall_back_with_a_message(queries):
    options = queries.filter_options()
    state = FilterState(measure="ehcp_rate", year="2021/22", locality="SC", need="SEMH")
    assert parse_query(to_query(state), options) == (state, [])
    parsed, messages = parse_query("?locality=Narnia&year=1999/00&measure=happiness&colour=red&flavour=mint", options)
    assert parsed == FilterState(year=options.years[-1][0])
    assert any("no locality 'Narnia'" in m for m in messages)
    assert any("no academic year '1999/00'" in m for m in messages)
    assert any("no measure 'happiness'" in m for m in messages)
    assert any("(flavour)" in m for m in messages)
    assert any("no map colouring 'red'" in m for m in messages)


def test_a_cluster_from_another_locality_is_cleared(queries):
    state, messages = resolve({"locality": "N", "cluster": "E1"}, queries.filter_options())
    assert state.cluster is None and state.locality == "N"
    assert "not in North" in messages[0]


def test_options_come_from_the_warehouse(queries):
    options = queries.filter_options()
    assert [y for y, _ in options.years] == ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
    assert {code for code, _ in options.localities} == {"N", "E", "SC", "W"}
    assert len(options.clusters) == 16
    east = options.clusters_in("E")
    assert len(east) == 4 and all(code.startswith("E") for code, _ in east)
    assert "NONE" not in dict(options.needs) and "ASD" in dict(options.needs)


@pytest.mark.parametrize(("level", "count"), [("ward", 20), ("locality", 4)])
def test_wards_and_localities_are_dissolved_from_small_areas_and_add_up(queries, level, count):
    geojson = queries.map_geojson(level)
    assert len(geojson["features"]) == count
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in geojson["features"])
    state = FilterState(measure="suspension_rate", year=YEAR)
    places = queries.map_values("suspension_rate", state, level)
    areas = queries.rates("suspension_rate", state, "area")
    assert (
        places["denominator"].sum() == areas["denominator"].sum() - areas.loc[areas["area"].isna(), "denominator"].sum()
    )
    view = map_view(queries, FilterState(year=YEAR, level=level, schools="show"), with_geometry=True)
    # One layer of places per kind of figure (shown, c, a source's symbol, no data, outside), the marks printed on
    # places (c, ▲, ▼...), then the schools; over wards, the localities' outlines and names on top.
    overlay = ["scattergeo"] * 2 if level == "ward" else []
    assert len(view.table) == count
    assert [t.type for t in view.figure.data] == ["choropleth"] * 5 + ["scattergeo"] * 2 + overlay
    assert sum(len(t.locations) for t in view.figure.data[:5]) == count
    assert view.figure.data[5].name == "marks" and view.figure.data[5].mode == "text"
    assert len(view.figure.data[6].lat) == 127  # every school, suppressed ones grey


@pytest.mark.parametrize("level", ["area", "ward"])
def test_small_areas_and_wards_carry_the_localities_outlines_and_names(queries, level):
    """Nobody could tell which part of a small-area or ward map was North."""
    import shapely.geometry

    view = map_view(queries, FilterState(year=YEAR, level=level), with_geometry=True)
    outlines, names = view.figure.data[-2:]
    assert (outlines.mode, names.mode) == ("lines", "text")
    assert outlines.hoverinfo == names.hoverinfo == "skip"  # hovers and clicks reach the places beneath
    localities = {
        f["properties"]["name"]: shapely.geometry.shape(f["geometry"])
        for f in queries.map_geojson("locality")["features"]
    }
    assert sorted(n.removeprefix("<b>").removesuffix("</b>") for n in names.text) == sorted(localities)
    assert sorted(localities) == ["East", "North", "South & Central", "West"]
    # Each name sits inside its own locality, and every outline point on some locality's boundary (within 20 m).
    for text, lon, lat in zip(names.text, names.lon, names.lat):
        assert localities[text[3:-4]].contains(shapely.geometry.Point(lon, lat))
    borders = shapely.union_all([shape.boundary for shape in localities.values()])
    points = [shapely.geometry.Point(x, y) for x, y in zip(outlines.lon, outlines.lat) if x is not None]
    assert len(points) > 100 and max(borders.distance(p) for p in points) < 0.0003
    # A filter change patches the places' layers only: the outlines are not among them.
    assert len(view.patch["traces"]) == len(view.figure.data) - 2
    # The map of localities needs no outlines of its own.
    localities_map = map_view(queries, FilterState(year=YEAR, level="locality"), with_geometry=True)
    assert all(t.name not in ("locality outlines", "locality names") for t in localities_map.figure.data)


@pytest.mark.parametrize("colour", ["borough", "benchmark"])
def test_the_map_can_colour_places_better_similar_or_worse(queries, colour):
    from collections import Counter

    from scipy.stats import chi2

    view = map_view(queries, FilterState(year=YEAR, colour=colour), with_geometry=True)
    if colour == "borough":
        name, reference = (
            "the borough",
            queries.borough_value("suspension_rate", FilterState(year=YEAR))["value"],
        )
    else:
        name, reference = (
            "England (illustrative)",
            queries.benchmark_values("suspension_rate").set_index("year").at[YEAR, "value"],
        )
    assert view.reference_name == name
    shown = view.table[view.table["status"] == SHOWN]
    # Each verdict follows from the exact Poisson interval, worked out here from the chi-square distribution.
    for row in shown.itertuples():
        low = chi2.ppf(0.025, 2 * row.numerator) / 2 / row.denominator * 100 if row.numerator > 0 else 0.0
        high = chi2.ppf(0.975, 2 * (row.numerator + 1)) / 2 / row.denominator * 100
        assert row.verdict == ("worse" if low > reference else "better" if high < reference else "similar")
    assert {"better", "similar", "worse"} <= set(shown["verdict"])
    ticks = view.patch["coloraxis"]["colorbar"]["ticktext"]
    # The suspension rate is worse higher up: worse places are marked ▲ (above the reference), better ones ▼.
    assert ticks[:3] == [f"Better than {name} (▼)", f"Similar to {name}", f"Worse than {name} (▲)"]
    layers = {trace["name"]: trace for trace in view.patch["traces"]}
    classes = Counter(z for trace in view.patch["traces"] if trace["type"] == "choropleth" for z in trace["z"])
    assert [classes[i] for i in range(3)] == [(shown["verdict"] == v).sum() for v in ("better", "similar", "worse")]
    assert classes[3] == (view.table["status"] == SUPPRESSED).sum()  # suppressed places keep their own class
    # Hover text names each shown place's verdict; the template sets it in bold under the figures.
    assert f"Worse than {name}" in layers["shown"]["text"] and "<b>%{text}</b>" in layers["shown"]["hovertemplate"]
    assert len(layers["suppressed"]["locations"]) == classes[3]
