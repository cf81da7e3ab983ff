"""Importers for public files, tested on the real DfE files in ../shared/data (skipped with a reason if absent)."""

from __future__ import annotations

import csv
import subprocess
import sys

import pandas as pd
import pytest

from dashboard.config import ROOT
from dashboard.ingest.build import load, republish
from dashboard.query.catalogue import benchmark_values
from dashboard.query.queries import Queries
from dashboard.sources.public.benchmarks import exclusion_benchmarks
from dashboard.sources.public.build import write_template
from dashboard.sources.public.ees import PublicFileError, read_ees
from dashboard.store.warehouse import Warehouse
from tests.conftest import shared_file

EXCLUSIONS = "ees/exclusions/exclusions_by_geographic_level_nat_reg_la.csv"


def published_rows(path) -> list[dict]:
    """The file's own rows, read with the csv module rather than the importer."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return [row for row in csv.DictReader(handle) if row["school_type"] == "Total"]


def test_exclusion_benchmarks_reproduce_the_published_rates_for_england_and_the_region():
    path = shared_file(EXCLUSIONS)
    frame = exclusion_benchmarks(path, "335")
    assert set(frame["geography_name"]) == {"England", "West Midlands"}  # Walsall is in the West Midlands
    assert frame.equals(exclusion_benchmarks(path, "E08000030"))  # DfE or ONS code alike
    published = {
        (r["geographic_level"], r["time_period"]): r
        for r in published_rows(path)
        if r["geographic_level"] == "National"
        or (r["geographic_level"] == "Regional" and r["region_code"] == "E12000005")
    }
    assert len(frame) == 2 * len(published) == 44  # two measures, 11 years, England and the region
    levels = {"England": "National", "Region": "Regional"}
    for row in frame.itertuples(index=False):
        source = published[(levels[row.geography_level], row.academic_year.replace("/", ""))]
        rate = source["fixed_excl_rate" if row.measure == "suspension_rate" else "perm_excl_rate"]
        # Worked out from the counts, it rounds to the rate DfE published.
        assert round(float(row.value), 2) == pytest.approx(float(rate), abs=0.0051)
        assert row.denominator == float(source["headcount"])
    england = frame[(frame["geography_name"] == "England") & (frame["academic_year"] == "2016/17")].set_index("measure")
    assert (
        england.at["suspension_rate", "numerator"] == 381865
        and round(england.at["suspension_rate", "value"], 2) == 4.76
    )


def test_a_public_file_that_is_not_what_is_expected_is_named(tmp_path):
    path = shared_file(EXCLUSIONS)
    with pytest.raises(PublicFileError, match="no local authority with code 999"):
        exclusion_benchmarks(path, "999")
    broken = tmp_path / "exclusions.csv"
    pd.read_csv(path, dtype=str, nrows=5).drop(columns=["headcount"]).to_csv(broken, index=False)
    with pytest.raises(PublicFileError, match=r"exclusions.csv: missing column\(s\) headcount"):
        exclusion_benchmarks(broken, "335")


def test_symbols_in_a_public_file_reach_the_warehouse_and_the_cli_feeds_the_ordinary_load(template_set, tmp_path):
    path = shared_file(EXCLUSIONS)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    national = (
        (frame["geographic_level"] == "National")
        & (frame["school_type"] == "Total")
        & (frame["time_period"] == "201516")
    )
    frame.loc[national, "fixed_excl"] = "x"
    copy = tmp_path / "exclusions_by_geographic_level.csv"
    frame.to_csv(copy, index=False)
    assert read_ees(copy).indicators == ()  # no meta file beside the copy: still read, as text
    assert "fixed_excl" in read_ees(path).indicators  # the real one has its meta file
    (template_set / "benchmarks.csv").unlink()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard.public",
            "benchmarks",
            "--exclusions",
            str(copy),
            "--la",
            "E08000030",
            "--neighbours",
            str(shared_file("ees/lait/statistical_neighbours_may_2025.xlsx")),
            "--out",
            str(template_set),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0 and "Wrote 66 benchmark rows" in result.stdout  # England, region and neighbours
    db = tmp_path / "wh.duckdb"
    assert load(template_set, db).errors == []
    values = benchmark_values(Warehouse(db), "suspension_rate").set_index("year")
    assert values.at["2015/16", "symbol"] == "x" and pd.isna(values.at["2015/16", "value"])
    assert round(values.at["2016/17", "value"], 2) == 4.76
    neighbours = benchmark_values(Warehouse(db), "suspension_rate", "Statistical neighbours")
    assert len(neighbours) == 11 and neighbours["value"].notna().all()


def test_written_templates_keep_whole_numbers_whole(tmp_path):
    path = write_template(pd.DataFrame({"a": [1.0, 2.5], "b": ["x", "y"]}), tmp_path / "t.csv")
    assert path.read_text() == "a,b\n1,x\n2.5,y\n"


def test_gias_gives_walsalls_open_schools_in_the_dashboards_phases_and_lists_the_rest():
    from dashboard.sources.public.gias import gias_schools

    path = shared_file("schools/gias_open_establishments_20250524_wm7.csv")
    schools, left_out = gias_schools(path, "335")
    assert (
        len(schools) + len(left_out) == 134
    )  # every open Walsall establishment in the May 2025 file, none dropped silently
    raw = pd.read_csv(path, dtype=str, keep_default_na=False).query("la_code == '335'").set_index("urn")
    assert set(schools["urn"]) | set(left_out["urn"]) == set(raw.index)
    counts = schools["phase"].value_counts().to_dict()
    assert counts["primary"] == (raw["education_phase"] == "Primary").sum()  # 85
    assert counts["special"] == (raw["establishment_type"].str.contains("special", case=False)).sum()
    assert counts["ap"] == raw["establishment_type"].str.contains("referral|alternative provision", case=False).sum()
    reasons = left_out["reason"].str.split(" ").str[0].value_counts().to_dict()
    assert reasons == {"nursery": 8, "independent": 6, "16": 1}
    # Schools stand in LSOA 2021 areas with WGS84 points; those in Walsall's own LSOAs are inside the borough.
    import json

    walsall = {
        f["properties"]["LSOA21CD"]
        for f in json.loads(shared_file("boundaries/lsoa2021_walsall_E08000030.geojson").read_text())["features"]
    }
    inside = schools[schools["area_code"].isin(walsall)]
    assert schools["area_code"].str.startswith("E01").all() and len(inside) >= len(schools) - 2
    assert inside["latitude"].between(52.5, 52.7).all() and inside["longitude"].between(-2.1, -1.8).all()
    # A school Walsall maintains may stand over the border, or far off (an independent special school near London
    # here): kept with its own place, not moved, and every far-off point is one of those.
    far = schools[~schools["latitude"].between(52.5, 52.7)]
    assert len(far) >= 1 and set(far["urn"]) <= set(schools.loc[~schools["area_code"].isin(walsall), "urn"])
    with pytest.raises(PublicFileError, match="no establishments with la_code 999"):
        gias_schools(path, "999")


def test_statistical_neighbours_come_from_dfes_workbook_and_average_their_rates():
    from openpyxl import load_workbook

    from dashboard.sources.public.benchmarks import statistical_neighbours

    workbook = shared_file("ees/lait/statistical_neighbours_may_2025.xlsx")
    neighbours = statistical_neighbours(workbook, "335")
    # The same row read cell by cell with openpyxl: SN1 to SN10 follow the five columns naming the LA.
    sheet = load_workbook(workbook, read_only=True).worksheets[0]
    row = next(r for r in sheet.iter_rows(values_only=True) if str(r[0]).strip() == "335")
    assert neighbours == [str(row[5 + 2 * i]).strip() for i in range(10)]
    assert "336" in neighbours  # Wolverhampton, next door
    path = shared_file(EXCLUSIONS)
    frame = exclusion_benchmarks(path, "335", neighbours)
    averaged = frame[
        (frame["geography_level"] == "Statistical neighbours") & (frame["academic_year"] == "2016/17")
    ].set_index("measure")
    rows = [
        r
        for r in published_rows(path)
        if r["geographic_level"] == "Local authority"
        and r["old_la_code"] in neighbours
        and r["time_period"] == "201617"
    ]
    assert len(rows) == 10
    expected = sum(int(r["fixed_excl"]) / int(r["headcount"]) * 100 for r in rows) / 10
    assert averaged.at["suspension_rate", "value"] == pytest.approx(expected, abs=1e-6)
    with pytest.raises(PublicFileError, match="no local authority numbered 999"):
        statistical_neighbours(workbook, "999")


def test_region_and_neighbour_benchmarks_sit_beside_england_on_the_overview_and_trends(template_set, tmp_path):
    from dashboard.domain.filters import FilterState
    from dashboard.domain.measures import MEASURES
    from dashboard.views.overview import headline_card
    from dashboard.views.trends import trend_panel

    rows = [
        ["E92000001", "England", "England", "suspension_rate", "2023/24", "9.33", "", "", "DfE"],
        ["E12000005", "West Midlands", "Region", "suspension_rate", "2023/24", "10.10", "", "", "DfE"],
        [
            "SN",
            "Statistical neighbours (mean of 10)",
            "Statistical neighbours",
            "suspension_rate",
            "2023/24",
            "11.20",
            "",
            "",
            "DfE",
        ],
    ]
    header = (template_set / "benchmarks.csv").read_text().splitlines()[0]
    (template_set / "benchmarks.csv").write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n")
    db = tmp_path / "wh.duckdb"
    load(template_set, db)
    warehouse = Warehouse(db)
    queries = Queries(warehouse)
    state = FilterState(year="2023/24")
    card = headline_card(queries, MEASURES["suspension_rate"], state)
    assert card.benchmark.startswith("England: 9.33 per 100 pupils")
    assert (
        "West Midlands: 10.10 per 100 pupils; Statistical neighbours (mean of 10): 11.20 per 100 pupils"
        in card.benchmark
    )
    # The example extract has 3 suspensions: shown once the version is protected at a threshold of 2.
    republish(db, 2)
    figure = trend_panel(Queries(Warehouse(db)), state).figure
    lines = {trace.name: trace.line.dash for trace in figure.data if trace.name in {r[1] for r in rows}}
    assert lines == {"England": "dot", "West Midlands": "dashdot", "Statistical neighbours (mean of 10)": "longdashdot"}


def test_the_current_ees_layout_imports_as_the_older_one_does(tmp_path):
    """DfE's current school files say suspension (not fixed_excl) and carry school_urn and school_laestab.

    No current school-level file is in ../shared, so the real 2016/17 Walsall file is rewritten in the current
    names, with each school's URN, and must give the same templates.
    """
    from dashboard.sources.public.dfe import school_exclusions
    from dashboard.sources.public.gias import gias_laestabs

    older = shared_file("ees/exclusions/exclusions_by_geographic_level_wm7.csv")
    gias = shared_file("schools/gias_open_establishments_20250524_wm7.csv")
    laestabs = gias_laestabs(gias, "335")
    frame = pd.read_csv(older, dtype=str, keep_default_na=False)
    current = frame.rename(
        columns={
            "fixed_excl": "suspension",
            "fixed_excl_rate": "susp_rate",
            "one_plus_fixed": "one_plus_susp",
            "one_plus_fixed_rate": "one_plus_susp_rate",
            "laestab": "school_laestab",
        }
    )
    # A closed school's URN is not an open one: it is matched by LAESTAB, as before, or counted in the rest.
    current.insert(
        current.columns.get_loc("school_laestab"),
        "school_urn",
        current["school_laestab"].map(laestabs).fillna("100000"),
    )
    # An open school's URN is enough: with its LAESTAB changed (as on becoming an academy) it is still matched.
    has_urn = current["school_urn"] != "100000"
    current.loc[has_urn, "school_laestab"] = "3359999"
    current.to_csv(tmp_path / "exc_school.csv", index=False)
    for got, expected in zip(
        school_exclusions(tmp_path / "exc_school.csv", "335", laestabs), school_exclusions(older, "335", laestabs)
    ):
        assert got.equals(expected)
    census, exclusions, _ = school_exclusions(tmp_path / "exc_school.csv", "335", laestabs)
    assert len(exclusions) > 1000 and set(exclusions["exclusion_type"]) == {"suspension", "permanent"}
