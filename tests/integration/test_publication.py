"""The published version as a determined reader sees it: every family, every slice, numerators and denominators.

The audit rebuilds, from the published cells alone, how every family adds up into every coarser one, and asks by
linear programming how far each hidden count can move. Beside it, the ways in that broke the per-request design:
a slice subtracted from its whole, terms from their year, the school grid beside the funnel, small sums, and the
cluster-and-phase crossing.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES
from dashboard.domain.reference import PHASES, SEN_PROVISION
from dashboard.domain.status import SHOWN, SUPPRESSED
from dashboard.publish.audit import audit, reader_lines
from dashboard.publish.registry import FAMILIES_BY_NAME, KEY_COLUMNS, MEASURE_COUNTS, offered
from dashboard.query.queries import NotApplicable, NotOffered, Queries
from dashboard.sources.demo.extracts import build_demo
from dashboard.store.warehouse import Warehouse
from dashboard.views import map as map_page
from dashboard.views import needs, overview, schools, trends
from tests.attacker import attack
from tests.conftest import small_borough


@pytest.fixture(scope="module")
def cells(warehouse) -> pd.DataFrame:
    return warehouse.query("SELECT * FROM published")


def test_the_demo_publication_passes_the_attackers_audit(cells, queries):
    assert (cells["status"] == SUPPRESSED).sum() > 1000, "the demo hides many small counts"
    assert audit(cells, queries.threshold) == []


def test_every_family_is_published_each_year_or_says_why(warehouse):
    families = warehouse.query("SELECT * FROM publication_family")
    assert families["published"].mean() > 0.95
    assert (families.loc[~families["published"], "reason"].str.len() > 10).all()
    published = warehouse.query("SELECT DISTINCT count, family, academic_year FROM published")
    declared = families[families["published"]][["count", "family", "academic_year"]]
    assert len(declared.merge(published)) == len(declared), "every family the report calls published is there"
    for family in published["family"].unique():
        assert family in FAMILIES_BY_NAME, f"{family} is not in the registry"


def test_a_family_that_would_be_mostly_hidden_is_not_published_and_its_neighbours_are_shown(warehouse, queries):
    """Suspensions by locality and need, 2019/20: protecting it would hide 46 of its 61 cells, and two localities'
    totals with them. The scope rule leaves it out that year, says so, and the localities' totals are shown."""
    families = warehouse.query("SELECT * FROM publication_family WHERE NOT published")
    assert families[["count", "family", "academic_year"]].values.tolist() == [
        ["suspensions", "locality|need", "2019/20"]
    ]
    assert families["reason"].iat[0] == "mostly hidden: 46 of its 61 cells would be c, so it is not published this year"
    localities = queries.rates("suspension_rate", FilterState(year="2019/20"), ("locality",))
    assert (localities["status"] == SHOWN).all() and len(localities) == 5
    with pytest.raises(NotApplicable, match="is not published this way: most of it would be hidden"):
        queries.rates("suspension_rate", FilterState(year="2019/20", need="ASD"), ("locality",))
    assert (
        queries.rates("suspension_rate", FilterState(year="2020/21", need="ASD"), ("locality",))["status"]
        .eq(SHOWN)
        .any()
    )


def test_a_slice_never_gives_a_hidden_count_away_by_subtraction_from_its_whole(cells):
    """Suspensions by ward for all pupils, then for each SEN provision: no line holds exactly one hidden count.

    The per-request design lost 63 such counts on the demo's small-area map alone.
    """
    checked = 0
    for (count, year), mine in cells.groupby(["count", "academic_year"]):
        mine = mine.reset_index(drop=True)
        hidden = mine["status"].eq(SUPPRESSED).to_numpy()
        lines, _ = reader_lines(count, mine)
        for line in lines:
            members = [line.parent, *line.children]
            if max(members) < len(mine) and mine["status"].iloc[members].isin([SHOWN, SUPPRESSED]).all():
                assert hidden[members].sum() != 1, (count, year, mine.iloc[members][["family", "term", "value"]])
                checked += 1
    assert checked > 10_000


def test_terms_never_give_away_a_hidden_year_or_term(cells):
    terms = cells[cells["term"].notna()]
    assert {"suspensions", "sessions_missed"} <= set(terms["count"])
    keys = ["count", "family", "academic_year", *(k for k in KEY_COLUMNS if k != "reason")]
    years = cells[cells["term"].isna()]
    joined = terms.merge(years, on=keys, suffixes=("", "_year"))
    for _, group in joined[joined["count"].isin(["suspensions", "permanent"])].groupby(keys, dropna=False):
        hidden = (group["status"] == SUPPRESSED).sum() + (group["status_year"].iat[0] == SUPPRESSED)
        assert hidden != 1, group


def test_the_school_grid_the_funnel_and_the_map_points_show_the_same_school_cells(queries):
    """One family, school, behind all three: the per-request design protected them one way here, another there."""
    state = FilterState(year="2024/25")
    grid = schools.school_table(queries, state).set_index("URN")
    points = map_page.map_schools(queries, replace(state, schools="show")).set_index("school")
    funnel = queries.rates("suspension_rate", state, ("school", "phase"), school_locality=True).set_index("school")
    for urn in grid.index:
        statuses = {grid.at[urn, "suspension_rate_status"], points.at[urn, "status"], funnel.at[urn, "status"]}
        assert len(statuses) == 1, (urn, statuses)
    assert (grid["suspension_rate_status"] == SUPPRESSED).any()


def test_the_cluster_and_phase_crossing_that_pinned_a_school_is_refused_and_audited(queries, cells):
    """Formerly a strict xfail: a school's absence pinned where cluster and phase totals crossed, asked for by need
    within a locality. The cut is not published (schools by need), and the families behind it pass the audit."""
    state = FilterState(measure="absence_rate", year="2019/20", locality="E", need="PMLD")
    with pytest.raises(NotOffered):
        queries.rates("absence_rate", state, ("school",), school_locality=True)
    mine = cells[cells["count"].isin(["enrolments", "sessions_missed"]) & (cells["academic_year"] == "2019/20")]
    assert audit(mine, queries.threshold) == []


def test_every_count_shown_is_a_published_cell_with_its_value_and_status(warehouse, queries, cells):
    """The rates the views read are the published cells themselves: no count is computed at request time."""
    lookup = {}
    for row in cells.itertuples(index=False):
        lookup[
            (
                row.count,
                row.family,
                row.academic_year,
                row.term if isinstance(row.term, str) else None,
                row.locality,
                row.sen,
            )
        ] = (row.value, row.status)
    frame = queries.rates("suspension_rate", FilterState(year="2023/24"), ("locality", "sen"))
    for row in frame.itertuples(index=False):
        value, status = lookup[("suspensions", "locality|sen", "2023/24", None, row.locality, row.sen)]
        if status == SHOWN:
            assert row.numerator == value
        else:
            assert math.isnan(row.numerator) and row.status == SUPPRESSED


class Recording(Warehouse):
    """A warehouse that notes every statement it runs."""

    def __init__(self, path):
        super().__init__(path)
        self.statements: list[str] = []

    def query(self, sql, params=None):
        self.statements.append(sql)
        return super().query(sql, params)


@st.composite
def filter_states(draw, options):
    return FilterState(
        measure=draw(st.sampled_from(sorted(MEASURES))),
        year=draw(st.sampled_from([y for y, _ in options.years])),
        locality=draw(st.none() | st.sampled_from([c for c, _ in options.localities])),
        cluster=draw(st.none() | st.none() | st.sampled_from([c for c, _, _ in options.clusters])),
        need=draw(st.none() | st.none() | st.sampled_from([c for c, _ in options.needs])),
        sen=draw(st.none() | st.sampled_from(sorted(SEN_PROVISION))),
        phase=draw(st.none() | st.sampled_from(sorted(PHASES))),
        by=draw(st.sampled_from(["locality", "cluster", "need", "sen", "phase"])),
        period=draw(st.sampled_from(["year", "term"])),
        level=draw(st.sampled_from(["area", "ward", "locality"])),
    )


def test_every_page_reads_only_published_cells_for_any_filters(demo_build, queries, cells, monkeypatch):
    """Random filter states through every page's views: no statement reads a fact table, every family asked for is
    in the registry, and every count a rate is shown with is a shown published cell of its count and year."""
    from dashboard.publish.registry import cut_name
    from dashboard.query import published
    from dashboard.query import rates as rates_module

    recording = Recording(demo_build[1])
    reader = Queries(recording)
    options = queries.filter_options()
    for measure_id in MEASURES:
        reader.measure_in(measure_id)  # read once per process at start-up: the age bands residents came in
    shown_cells = {
        (count, year): set(values)
        for (count, year), values in cells[cells["status"] == SHOWN].groupby(["count", "academic_year"])["value"]
    }
    asked, served = [], []
    original_cells, original_rates = published.cells, rates_module.rates

    def cells_spy(warehouse, count, dims, year, termly, filters):
        asked.append((count, cut_name(dims), termly))
        return original_cells(warehouse, count, dims, year, termly, filters)

    def rates_spy(warehouse, measure_id, state, *args, **options):
        frame = original_rates(warehouse, measure_id, state, *args, **options)
        served.append((measure_id, state.year, frame))
        return frame

    monkeypatch.setattr(published, "cells", cells_spy)
    monkeypatch.setattr(rates_module, "rates", rates_spy)

    @settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    @given(filter_states(options))
    def check(state):
        recording.statements.clear()
        asked.clear()
        served.clear()
        overview.overview(reader, state)
        trends.trend_panel(reader, state)
        trends.reasons_panel(reader, state)
        needs.need_mix(reader, state)
        needs.by_group(reader, state, "sen")
        needs.by_group(reader, state, "need")
        schools.school_table(reader, state)
        schools.cluster_table(reader, state)
        schools.funnel_panel(reader, state)
        schools.school_detail(reader, state, "900111")
        view = map_page.map_view(reader, state, with_geometry=False)
        for sql in recording.statements:
            assert "fact_" not in sql and "exclusion_reason" not in sql, sql
        for count, family, termly in asked:
            assert offered(count, FAMILIES_BY_NAME[family].dims, termly), (count, family, termly)
        for measure_id, year, frame in served:
            numerator, denominator = MEASURE_COUNTS[measure_id]
            shown = frame[frame["status"] == SHOWN]
            years = shown["year"] if "year" in shown else pd.Series(year, index=shown.index)
            for row_year, n, d in zip(years, shown["numerator"], shown["denominator"]):
                # A group with pupils and no event has no numerator cell: it is 0, which zeros are shown as.
                assert n == 0 or n in shown_cells.get((numerator, row_year), ()), (measure_id, row_year, n)
                assert d in shown_cells.get((denominator, row_year), ()), (measure_id, row_year, d)
            hidden = frame[frame["status"] != SHOWN]
            assert hidden["value"].isna().all()
        # The map says why where its level cannot be cut this way, and shows nothing then.
        if view.note is None or "choose" not in view.note:
            return
        assert set(view.table["status"]) <= {"no data"} or "Show schools" in view.note

    check()


# One borough a run (each load takes three to four minutes on two cores, most of it protection), from a tenth of the
# demo's children (about 4,000): at a twenty-fifth (1,700) the deprivation families make one load take several
# minutes more (docs/disclosure.md), too long for every test run.
@settings(max_examples=1, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(1, 10_000), areas=st.integers(24, 48), scale=st.floats(0.1, 0.2))
def test_small_boroughs_are_protected_too(tmp_path_factory, seed, areas, scale):
    """Boroughs of a few thousand children in a few dozen areas: more of their counts are small, and none escapes."""
    folder = tmp_path_factory.mktemp("small")
    settings_ = small_borough(seed=seed, years=2, areas=areas, wards=4, scale=scale)
    build_demo(folder / "extracts", folder / "warehouse.duckdb", settings_)
    small = Warehouse(folder / "warehouse.duckdb")
    published = small.query("SELECT * FROM published")
    assert (published["status"] == SUPPRESSED).any()
    assert audit(published, Queries(small).threshold) == []
    assert attack(published, Queries(small).threshold) == []  # the second attacker, written apart, every year
