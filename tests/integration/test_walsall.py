"""The README's walkthrough: Walsall from public files alone, its Overview checked against the files' own numbers."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import defaultdict
from dataclasses import replace

import pytest

from dashboard.config import ROOT
from dashboard.domain.filters import FilterState, parse_query
from dashboard.domain.measures import MEASURES
from dashboard.domain.status import SUPPRESSED
from dashboard.ingest.build import load
from dashboard.publish.audit import audit
from dashboard.query.queries import NotApplicable, Queries
from dashboard.sources.public.cli import main as public_main
from dashboard.store.warehouse import Warehouse
from dashboard.views.map import map_view
from dashboard.views.needs import need_mix
from dashboard.views.overview import overview
from dashboard.views.schools import funnel_panel, school_table
from dashboard.views.trends import reasons_panel, trend_panel
from tests.attacker import attack
from tests.conftest import SHARED_DATA, shared_file

FILES = {
    "--gias": "schools/gias_open_establishments_20250524_wm7.csv",
    "--lsoa-lookup": "lookups/derived_lsoa21_to_ward25_bestfit_wm7.csv",
    "--imd": "deprivation/File_1_-_IMD2019_Index_of_Multiple_Deprivation_wm7.csv",
    "--lsoa11-lookup": "lookups/derived_lsoa11_to_lsoa21_england.csv",
    "--population": "population/census2021_lsoa21_age6_wm7.csv",
    "--school-exclusions": "ees/exclusions/exclusions_by_geographic_level_wm7.csv",
    "--exclusions": "ees/exclusions/exclusions_by_geographic_level_nat_reg_la.csv",
    "--exclusion-reasons": "ees/exclusions/exclusions_by_reason.csv",
    "--exclusion-characteristics": "ees/exclusions/exclusions_by_characteristic.csv",
    "--neighbours": "ees/lait/statistical_neighbours_may_2025.xlsx",
    "--lait": "ees/lait/lait_bds_long.parquet",
    "--ehcp-caseload": "ees/ehcp/ehcp2025_caseload_wm7.csv",
    "--ehcp-needs": "ees/ehcp/ehcp2025_sen_needs_all_plans_wm7.csv",
    "--ehcp-history": "ees/ehcp/SEN2_AGE_STOCK_old_ees.csv",
    "--absence": "ees/absence/absence_by_term.csv",
}
BOUNDARIES = "boundaries/lsoa2021_walsall_E08000030.geojson"


def rows(relative: str) -> list[dict]:
    """A source file's own rows, read with the csv module rather than the importers."""
    with open(SHARED_DATA / relative, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def walsall(tmp_path_factory):
    """The walkthrough's two commands: public files into templates, then the ordinary load."""
    for relative in list(FILES.values()) + [BOUNDARIES]:
        shared_file(relative)
    out = tmp_path_factory.mktemp("walsall-extracts")
    args = [
        "build",
        "--la",
        "335",
        "--out",
        str(out),
        "--mapping",
        str(ROOT / "docs" / "examples" / "walsall-mapping.csv"),
    ]
    for flag, relative in FILES.items():
        args += [flag, str(SHARED_DATA / relative)]
    assert public_main(args) == 0
    db = tmp_path_factory.mktemp("walsall-warehouse") / "warehouse.duckdb"
    report = load(
        out, db, boundaries=SHARED_DATA / BOUNDARIES, code_field="LSOA21CD", description="Walsall from public files"
    )
    return out, Warehouse(db), report


def test_places_reproduce_the_published_counts(walsall):
    out, warehouse, _ = walsall
    areas = warehouse.query(
        "SELECT count(*) AS n, count(DISTINCT ward_code) AS wards, count(imd_decile) AS imd FROM area"
    )
    assert areas.iloc[0].tolist() == [169, 20, 169]  # 169 LSOA21 in 20 wards, each with an IMD decile
    assert warehouse.query("SELECT count(*) AS n FROM area_geometry").iat[0, 0] == 169
    kept = warehouse.query("SELECT count(*) AS n FROM school").iat[0, 0]
    with open(out / "left_out.csv", newline="") as handle:
        left_out = list(csv.DictReader(handle))
    assert kept + len(left_out) == 134  # every open GIAS establishment is either shown or listed with its reason
    assert all(row["reason"] for row in left_out)
    # 167 LSOA11 become 169 LSOA21: the two that split hand their IMD decile to both halves.
    imd = {r["LSOA code (2011)"]: int(r["Index of Multiple Deprivation (IMD) Decile"]) for r in rows(FILES["--imd"])}
    assert (
        len(
            [
                c
                for c, r in ((r["LSOA code (2011)"], r) for r in rows(FILES["--imd"]))
                if r["Local Authority District code (2019)"] == "E08000030"
            ]
        )
        == 167
    )
    deciles = dict(warehouse.query("SELECT area_code, imd_decile FROM area").itertuples(index=False, name=None))
    for parent, halves in (("E01032889", ("E01033894", "E01033895")), ("E01010371", ("E01033896", "E01033897"))):
        assert {deciles[h] for h in halves} == {imd[parent]}


def test_the_mapping_places_every_area_and_the_report_lists_what_it_leaves_out(walsall):
    _, warehouse, report = walsall
    localities = warehouse.query(
        "SELECT l.locality_name, count(*) AS n FROM area a JOIN locality l USING (locality_code) GROUP BY 1"
    )
    assert dict(localities.itertuples(index=False, name=None)).keys() == {"North", "East", "South & Central", "West"}
    text = report.path.read_text()
    # Chase House stands near London, outside every mapped area: shown as 'Not mapped' and named in the report.
    assert "140273 (Chase House School)" in text and "Not mapped" in text
    # St Thomas More stands just over the border; the mapping's own row for it places it in West.
    assert (
        warehouse.query(
            "SELECT c.locality_code FROM school s JOIN cluster c USING (cluster_code) WHERE urn = '104259'"
        ).iat[0, 0]
        == "W"
    )
    assert "has no column 'home_area_code'" in text


def test_the_overview_shows_the_source_files_own_figures(walsall):
    _, warehouse, _ = walsall
    queries = Queries(warehouse)
    la = {
        r["time_period"]: r
        for r in rows(FILES["--school-exclusions"])
        if r["geographic_level"] == "Local authority" and r["old_la_code"] == "335" and r["school_type"] == "Total"
    }
    cards, localities, _ = overview(queries, FilterState(measure="suspension_rate", year="2016/17"))
    card = {c.measure.id: c for c in cards}
    for measure_id, column in (("suspension_rate", "fixed_excl"), ("permanent_rate", "perm_excl")):
        expected = int(la["201617"][column]) / int(la["201617"]["headcount"]) * 100
        assert card[measure_id].value == f"{expected:.{MEASURES[measure_id].decimals}f}"
        assert f"{int(la['201617'][column]):,} " in card[measure_id].detail and "49,578" in card[measure_id].detail
    england = next(
        r
        for r in rows(FILES["--exclusions"])
        if r["geographic_level"] == "National" and r["time_period"] == "201617" and r["school_type"] == "Total"
    )
    assert (
        f"England: {int(england['fixed_excl']) / int(england['headcount']) * 100:.2f}"
        in card["suspension_rate"].benchmark
    )
    assert "Statistical neighbours (mean of 10)" in card["suspension_rate"].benchmark

    sessions = defaultdict(int)
    for r in rows(FILES["--absence"]):
        if (
            r["geographic_level"] == "Local authority"
            and r["old_la_code"] == "335"
            and r["time_period"] == "201617"
            and r["term"] == "Total"
        ):
            sessions["missed"] += int(r["sess_overall"])
            sessions["possible"] += int(r["sess_possible"])
    assert card["absence_rate"].value == f"{sessions['missed'] / sessions['possible'] * 100:.1f}%"
    assert card["persistent_absence"].value == "x"  # not in the public file: shown as DfE's symbol, never as zero

    # Exclusions are per school in the public file, so the locality table goes by where the schools are.
    assert any("where the schools are" in note for note in localities.notes)
    assert set(localities.table["Locality"]) >= {"North", "East", "South & Central", "West", "Borough"}
    # A locality with a school DfE gave as x is x itself (its total is not known): the chart prints the symbol,
    # and the sentence does not call the one locality left 'the highest'.
    symbols = localities.table.set_index("Locality")["Suspension rate (per 100 pupils)"]
    assert (
        list(localities.figure.data[0].text).count("x")
        == (symbols.drop(["Borough", "Not given school by school"], errors="ignore") == "x").sum()
        > 0
    )
    assert "is the only locality whose suspension rate can be shown" in localities.summary

    cards, _, _ = overview(queries, FilterState(measure="ehcp_rate", year="2024/25"))
    ehcp = {c.measure.id: c for c in cards}["ehcp_rate"]
    plans = next(
        int(r["ehcplans"])
        for r in rows(FILES["--ehcp-caseload"])
        if r["old_la_code"] == "335" and r["time_period"] == "202425" and r["breakdown_topic"] == "All EHC plans"
    )
    areas = {r["LSOA21CD"] for r in rows(FILES["--lsoa-lookup"]) if r["LAD25CD"] == "E08000030"}
    residents = sum(
        int(r["usual_residents"])
        for r in rows(FILES["--population"])
        if r["lsoa21_code"] in areas and r["age_group"] in ("Aged 15 years and under", "Aged 16 to 24 years")
    )
    assert plans == 4743
    assert (
        ehcp.value == f"{plans / residents * 1000:.1f}"
        and f"{plans:,} EHC plans of {residents:,} residents aged 0-24 (Census 2021" in ehcp.detail
    )


def test_views_the_public_data_cannot_support_say_why_instead_of_showing_zeros(walsall):
    _, warehouse, _ = walsall
    queries = Queries(warehouse)
    state = FilterState(measure="suspension_rate", year="2016/17")
    with pytest.raises(NotApplicable, match="do not say where pupils live"):
        queries.rates("suspension_rate", state, "area")
    with pytest.raises(NotApplicable, match="do not say SEN provision"):
        queries.rates("suspension_rate", replace(state, sen="ehcp"), "borough")
    # By school it works, and the schools add up to less than DfE's total only by what DfE gave per school as x.
    by_school = queries.rates("suspension_rate", state, "school")
    assert len(by_school) > 100 and (by_school["status"] == "x").any()
    # EHC plans by need exist for 2024/25 only: earlier years are left out of a trend by need, not drawn as zero.
    trend = queries.rates("ehcp_rate", replace(state, measure="ehcp_rate"), ("year", "need"))
    assert set(trend["year"]) == {"2024/25"}


def test_expected_given_deprivation_says_why_the_public_files_cannot_give_it(walsall):
    _, warehouse, _ = walsall
    # The public files count pupils by school and by LA, never by home: the comparison says so, and the funnel falls
    # back to its phase's rate with that sentence rather than a blank.
    queries = Queries(warehouse)
    state = FilterState(measure="suspension_rate", year="2016/17", compare="expected")
    for level in ("locality", "school"):
        with pytest.raises(NotApplicable, match="where pupils live"):
            queries.expected("suspension_rate", state, level)
    panel = funnel_panel(queries, state)
    assert any("where pupils live" in note for note in panel.notes)


def test_a_link_without_a_year_opens_on_the_latest_year_the_measure_has_data(walsall):
    _, warehouse, _ = walsall
    queries = Queries(warehouse)
    options = queries.filter_options()
    # Public exclusions stop in 2016/17 while EHC plans run to 2024/25: neither opens on a page of 'no data'.
    assert parse_query("", options)[0].year == "2016/17"
    assert parse_query("?measure=ehcp_rate", options)[0].year == "2024/25"
    assert parse_query("?measure=ehcp_rate&year=2019/20", options)[0].year == "2019/20"
    state, messages = parse_query("?measure=absence_rate&year=1999/00", options)
    assert state.year == "2016/17" and "no academic year '1999/00'" in messages[0]


def test_the_funnel_compares_schools_with_their_phase_even_where_dfe_gave_some_as_x(walsall):
    _, warehouse, _ = walsall
    queries = Queries(warehouse)
    panel = funnel_panel(queries, FilterState(measure="suspension_rate", year="2016/17"))
    # The primary total is unknown (10 primary schools are x), so the primary rate comes from the 61 with a figure.
    assert (
        "The rate for primary schools is worked out from the 61 with a figure: the source gives 10 as a symbol."
        in panel.notes
    )
    assert set(panel.table["Phase"]) == {"Primary", "Secondary", "Special"}
    counts = [
        r
        for r in rows(FILES["--school-exclusions"])
        if r["geographic_level"] == "School"
        and r["time_period"] == "201617"
        and r["old_la_code"] == "335"
        and r["school_type"] == "State-funded primary"
    ]
    known = [r for r in counts if r["fixed_excl"] != "x"]
    assert len(counts) - len(known) == 10


def test_the_needs_page_shows_the_boroughs_need_mix_from_the_la_caseload(walsall):
    _, warehouse, _ = walsall
    queries = Queries(warehouse)
    panel = need_mix(queries, FilterState(measure="ehcp_rate", year="2024/25"))
    walsall_row = next(
        r for r in rows(FILES["--ehcp-needs"]) if r["old_la_code"] == "335" and r["breakdown_topic"] == "All EHC plans"
    )
    shown = dict(zip(panel.table["Primary need"], panel.table["Borough"]))
    for need, column in (("ASD", "number_asd"), ("SEMH", "number_semh"), ("SLCN", "number_slcn")):
        assert shown[need].startswith(f"{int(walsall_row[column]):,} (")
    assert shown["SLCN"] == f"1,186 ({1186 / 4743 * 100:.1f}%)"
    assert any("Only the whole borough is shown" in note for note in panel.notes)


def test_ehcp_charts_name_the_census_ages_their_rate_is_per(walsall):
    """Census 2021 has no 0-25 band, so every chart of the EHC plan rate says 0-24, not only the card."""
    _, warehouse, _ = walsall
    queries = Queries(warehouse)
    state = FilterState(measure="ehcp_rate", year="2024/25", by="need")
    trend = trend_panel(queries, state)
    assert trend.figure.layout.yaxis.title.text == "per 1,000 aged 0-24"
    assert "(per 1,000 aged 0-24)" in trend.figure.layout.title.text
    # Need is recorded for 2024/25 only: the borough line keeps its earlier years, in time order, and the note says so.
    axis = list(trend.figure.layout.xaxis.categoryarray)
    assert axis == sorted(axis) and axis[-1] == "2024/25" and len(axis) > 1
    assert (
        f"Primary need is not recorded for {axis[0]} to {axis[-2]}: the chart shows the borough alone there."
        in trend.notes
    )
    drawn = map_view(queries, replace(state, level="ward"), with_geometry=True).figure
    legend = drawn.layout.coloraxis.colorbar.title.text  # the map's layers share one colour axis and its legend
    assert "aged 0-24" in legend and "0-25" not in legend


def test_the_older_sen2_file_carries_the_ehcp_series_back_to_2010_and_agrees_where_the_releases_overlap(walsall):
    _, warehouse, _ = walsall
    queries = Queries(warehouse)
    state = FilterState(measure="ehcp_rate", year="2024/25")
    shown = queries.rates("ehcp_rate", state, ("year",)).set_index("year")["numerator"]
    older = {
        f"{int(r['time_period']) - 1}/{r['time_period'][2:]}": r
        for r in rows(FILES["--ehcp-history"])
        if r["old_la_code"] == "335" and r["age"] == "Total"
    }
    newer = {
        f"{r['time_period'][:4]}/{r['time_period'][4:]}": int(r["ehcplans"])
        for r in rows(FILES["--ehcp-caseload"])
        if r["old_la_code"] == "335" and r["breakdown_topic"] == "All EHC plans"
    }
    # Statements and EHC plans together, as DfE counts the series across the change (NULL: none of that kind).
    count = lambda cell: 0 if cell == "NULL" else int(cell)  # noqa: E731
    for year, row in older.items():
        expected = newer.get(year, count(row["Total_ST"]) + count(row["Total_EHC"]))
        assert shown[year] == expected, year
    assert min(shown.index) == "2009/10" and older["2018/19"]["Total_EHC"] == str(newer["2018/19"]) == "2017"
    assert shown["2024/25"] == 4743


def test_reasons_for_exclusion_are_dfes_own_for_the_borough_and_keep_dfes_x_by_phase(walsall):
    _, warehouse, _ = walsall
    queries = Queries(warehouse)
    source = {
        (r["time_period"], r["school_type"]): r for r in rows(FILES["--exclusion-reasons"]) if r["old_la_code"] == "335"
    }
    total = source[("201617", "Total")]
    panel = reasons_panel(queries, FilterState(measure="suspension_rate", year="2016/17"))
    shown = dict(zip(panel.table["Main reason"], panel.table["2016/17"]))
    all_suspensions = sum(int(v) for k, v in total.items() if k.startswith("fixed_"))
    assert shown["All reasons"] == f"{all_suspensions:,}"
    persistent = int(total["fixed_persistent_disruptive"])
    assert shown["Persistent disruptive behaviour"] == f"{persistent:,} ({persistent / all_suspensions * 100:.1f}%)"
    assert panel.summary.startswith(
        "Persistent disruptive behaviour was the most common main reason for suspensions in 2016/17"
    )
    assert list(panel.table.columns[1:]) == ["2012/13", "2013/14", "2014/15", "2015/16", "2016/17"]
    # Permanent exclusions: DfE's LA total is shown where it is a number, x where DfE gave x; 3 is ours to hide (c).
    permanent = reasons_panel(queries, FilterState(measure="permanent_rate", year="2016/17"))
    shown = dict(zip(permanent.table["Main reason"], permanent.table["2016/17"]))
    assert total["perm_verbal_pupil"] == "x" and shown["Verbal abuse or threatening behaviour against a pupil"] == "x"
    assert total["perm_persistent_disruptive"] == "39" and shown["Persistent disruptive behaviour"].startswith("39 (")
    assert any("x = " in note for note in permanent.notes)
    # Where DfE gave some reasons as x, All reasons is the year's permanent exclusions, so shares are still shown.
    assert shown["All reasons"] == "70" and shown["Physical assault against a pupil"] == "7 (10.0%)"
    # Reasons for permanent exclusions are published for the borough only; by phase, most would be too few.
    secondary = reasons_panel(queries, FilterState(measure="permanent_rate", year="2016/17", phase="secondary"))
    assert secondary.empty and "shown for the whole borough, not by phase" in secondary.notes[-1]
    # By phase, a suspension figure DfE gave as x stays x, though the borough's total for that reason is known.
    primary = reasons_panel(queries, FilterState(measure="suspension_rate", year="2016/17", phase="primary"))
    shown = dict(zip(primary.table["Main reason"], primary.table["2016/17"]))
    assert source[("201617", "State-funded primary")]["fixed_theft"] == "x"
    assert shown["Theft"] == "x" and shown["Persistent disruptive behaviour"] == "120"
    # DfE's primary suspensions that year are x, so there is no total to take shares of: none is made up.
    assert shown["All reasons"] == "x" and "(" not in shown["Persistent disruptive behaviour"]


def test_a_phase_is_set_beside_englands_same_phase_not_all_pupils(walsall):
    _, warehouse, _ = walsall
    queries = Queries(warehouse)
    england = {
        (r["school_type"], r["characteristic"]): r
        for r in rows(FILES["--exclusion-characteristics"])
        if r["geographic_level"] == "National" and r["time_period"] == "201617"
    }
    cards, _, _ = overview(queries, FilterState(measure="suspension_rate", year="2016/17", phase="secondary"))
    card = {c.measure.id: c for c in cards}["suspension_rate"]
    secondary = england[("State-funded secondary", "Total")]
    assert card.benchmark.startswith(f"England: {int(secondary['fixed_excl']) / int(secondary['headcount']) * 100:.2f}")
    # No region or neighbours' figure is published by phase, so none is set beside a phase.
    assert "West Midlands" not in card.benchmark and "neighbours" not in card.benchmark
    # By SEN provision England's figure is loaded, but Walsall's own is not in the public files: the card says so.
    cards, _, _ = overview(queries, FilterState(measure="suspension_rate", year="2016/17", sen="ehcp"))
    card = {c.measure.id: c for c in cards}["suspension_rate"]
    ehcp = england[("Total", "SEN provision SEN with statement EHC")]
    assert "do not say SEN provision" in " ".join(str(v) for v in vars(card).values())
    bench = queries.benchmark_values("suspension_rate", "England", FilterState(year="2016/17", sen="ehcp")).set_index(
        "year"
    )
    assert bench.at["2016/17", "value"] == pytest.approx(int(ehcp["fixed_excl"]) / int(ehcp["headcount"]) * 100)
    assert bench.at["2016/17", "label"] == "England"


def test_the_build_command_names_a_wrong_file_without_a_traceback(tmp_path):
    args = [
        sys.executable,
        "-m",
        "dashboard.public",
        "build",
        "--la",
        "335",
        "--out",
        str(tmp_path),
        "--gias",
        str(shared_file(FILES["--gias"])),
        "--lsoa-lookup",
        str(shared_file(FILES["--population"])),
        "--absence",
        str(shared_file(FILES["--absence"])),
    ]
    result = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "census2021_lsoa21_age6_wm7.csv: no column for LSOA 2021 code" in result.stderr
    assert "it has lsoa21_code, lsoa21_name, age_group, usual_residents" in result.stderr


def test_the_walsall_publication_passes_the_attackers_audit(walsall):
    """DfE's own suppression (c, x, low) and school rows with the rest of the LA: the same audit, nothing narrowed."""
    _, warehouse, _ = walsall
    cells = warehouse.query("SELECT * FROM published")
    assert (cells["status"] == SUPPRESSED).sum() > 50, "Walsall's school rows hide small counts of their own"
    assert audit(cells, Queries(warehouse).threshold) == []


def test_the_walsall_publication_passes_the_second_attacker_which_gives_up_only_what_dfe_contradicts(walsall):
    """The second attacker (tests/attacker.py) assumes every relation; DfE's own figures contradict three of them in
    some years, so no reader can rely on those there: a reasons file's totals by phase that are not the exclusions'
    (2006/07, 2007/08, 2014/15, 2015/16, 2016/17; in 2016/17 the borough's 2,102 suspensions less secondary's 1,529
    and special's 86 leave primary 450 in the exclusions file, whose rest not given by phase is 37, and 481 in the
    reasons file, whose rest is 6), and a full year's sessions that are not its terms' sum (2012/13 to 2015/16: the
    year counts pupils the terms do not). With those given up, and only those, nothing is narrowed."""
    published = walsall[1].query("SELECT * FROM published")
    given_up = []
    assert attack(published, 4, dropped=given_up) == []
    assert {(year, rule) for year, rules, _ in given_up for rule in rules} == {
        *((year, "same [reasons_suspension/suspensions]") for year in ("2006/07", "2007/08", "2014/15", "2015/16")),
        ("2016/17", "same [reasons_suspension/suspensions]"),
        ("2014/15", "same [reasons_permanent/permanent]"),
        *(
            (year, f"terms [{count}]")
            for year in ("2012/13", "2013/14", "2014/15", "2015/16")
            for count in ("sessions_missed", "sessions_possible")
        ),
    }


def test_the_schools_grid_filtered_by_locality_and_phase_keeps_schools_where_a_measure_has_no_school_rows(walsall):
    """DfE's absence file has no school rows: the grid still lists the locality's schools, with no absence figure."""
    _, warehouse, _ = walsall
    state = FilterState(measure="suspension_rate", year="2008/09", locality="E", phase="secondary")
    table = school_table(Queries(warehouse), state)
    assert len(table) > 0 and set(table["Phase"]) == {"Secondary"}
    assert table["suspension_rate"].notna().any() and table["absence_rate"].isna().all()
