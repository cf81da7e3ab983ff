"""England's demo extracts: LA by LA on the real LSOA 2021 boundaries, aggregated, and read by the ordinary ingest."""

from __future__ import annotations

import hashlib

import duckdb
import geopandas as gpd
import pandas as pd
import pytest

from dashboard.ingest.build import build_tables
from dashboard.publish.engine import Engine
from dashboard.publish.national import PLACES, CrossingRows, publish_by_la, split_by_la
from dashboard.publish.registry import FAMILIES_BY_NAME
from dashboard.sources.demo.england import write_england
from tests.attacker import attack
from tests.conftest import SHARED_DATA, shared_file

# The City of London (6 small areas) is made with Hackney, as too small alone; Rutland (26) is the smallest LA made
# alone, as one locality.
LAS = {"E09000001", "E09000012", "E06000017"}


@pytest.fixture(scope="module")
def england(tmp_path_factory):
    """Three LAs' extracts made with two processes, and again with one."""
    shared_file("boundaries/lsoa2021_england_5dp.geojson.gz")
    folders = {workers: tmp_path_factory.mktemp(f"england{workers}") for workers in (1, 2)}
    reports = {
        workers: write_england(folder, SHARED_DATA, workers=workers, only=LAS) for workers, folder in folders.items()
    }
    return folders, reports


def test_each_la_is_a_locality_of_its_own_small_areas_with_its_districts_as_wards(england):
    folders, _ = england
    lsoas = gpd.read_file(f"/vsigzip/{shared_file('boundaries/lsoa2021_england_5dp.geojson.gz')}", ignore_geometry=True)
    lsoas = lsoas[lsoas["UTLACD"].isin(LAS)]
    areas = pd.read_csv(folders[2] / "areas.csv", dtype=str).set_index("area_code")
    assert sorted(areas.index) == sorted(lsoas["LSOA21CD"])  # every small area of the three, once
    la = lsoas.set_index("LSOA21CD")["UTLACD"].replace({"E09000001": "E09000012"})
    assert (areas["locality_code"] == la[areas.index]).all()
    assert (areas["ward_code"] == lsoas.set_index("LSOA21CD")["LADCD_ACTIVE"][areas.index]).all()
    assert areas.groupby(["locality_code", "ward_name"]).size().to_dict() == {
        ("E06000017", "Rutland"): 26,
        ("E09000012", "City of London"): 6,
        ("E09000012", "Hackney"): 149,
    }
    localities = pd.read_csv(folders[2] / "localities.csv")
    assert localities.values.tolist() == [["E06000017", "Rutland"], ["E09000012", "Hackney and City of London"]]


def test_schools_have_their_own_numbers_and_clusters_within_their_la(england):
    folders, _ = england
    schools = pd.read_csv(folders[2] / "schools.csv", dtype=str)
    areas = pd.read_csv(folders[2] / "areas.csv", dtype=str).set_index("area_code")
    clusters = pd.read_csv(folders[2] / "clusters.csv", dtype=str).set_index("cluster_code")
    assert schools["urn"].is_unique and schools["urn"].str.fullmatch(r"\d{8}").all()
    assert (
        clusters.loc[schools["cluster_code"], "locality_code"].to_numpy()
        == areas.loc[schools["area_code"], "locality_code"].to_numpy()
    ).all()
    # England had 21,319 state-funded schools for its 33,755 small areas (DfE, exclusions by geographic level,
    # 2016/17): 0.63 a small area. The LAs here have their share, within a quarter.
    assert 0.8 * 0.632 <= len(schools) / len(areas) <= 1.25 * 0.632


def test_children_per_small_area_are_englands_and_counting_keeps_every_pupil_term(england):
    folders, reports = england
    census = pd.read_csv(folders[2] / "census.csv", dtype={"urn": str})
    attendance = pd.read_csv(folders[2] / "attendance.csv", dtype={"urn": str})
    areas = len(pd.read_csv(folders[2] / "areas.csv"))
    # 8,025,075 pupils in England's state-funded schools in 2016/17 (the same DfE file): 238 a small area.
    per_area = census.groupby("academic_year")["pupils"].sum() / areas
    assert ((per_area >= 0.8 * 238) & (per_area <= 1.25 * 238)).all(), per_area
    # Each pupil-term row is one enrolment in its cell's term: counted into cells, none is lost or added.
    terms = attendance[attendance["term"] != "Full year"]
    assert terms["enrolments"].sum() == reports[2].pupil_terms > 800_000
    assert reports[2].rows["attendance"] == len(attendance) < reports[2].pupil_terms / 4


def test_the_files_are_the_same_made_with_one_process_or_two(england):
    folders, _ = england

    def digests(folder):
        return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.glob("*.csv"))}

    assert len(digests(folders[1])) == 11 and digests(folders[1]) == digests(folders[2])


def test_the_ordinary_ingest_reads_the_extracts_without_a_fault(england):
    folders, _ = england
    tables, report = build_tables(
        folders[2],
        boundaries=shared_file("boundaries/lsoa2021_england_5dp.geojson.gz"),
        code_field="LSOA21CD",
        data_kind="synthetic",
        area_kind="country",
    )
    assert not report.errors
    assert (len(tables["locality"]), len(tables["area"]), len(tables["area_geometry"])) == (2, 181, 181)
    assert tables["fact_attendance"]["enrolments"].sum() > 0 and len(tables["exclusion_reason"]) > 0


def test_the_demo_command_writes_englands_extracts_and_says_they_are_not_loaded(tmp_path, capsys, monkeypatch):
    shared_file("boundaries/lsoa2021_england_5dp.geojson.gz")
    from dashboard.sources.demo import cli

    def rutland_only(out, shared_data, seed, workers):  # England's smallest LA made alone, not all 153
        return write_england(out, shared_data, seed=seed, workers=workers, only={"E06000017"})

    monkeypatch.setattr(cli, "write_england", rutland_only)
    assert cli.main(["--scale", "england", "--out", str(tmp_path / "england"), "--db", str(tmp_path / "w.duckdb")]) == 0
    said = capsys.readouterr().out
    assert "Wrote 1 LA, 26 small areas and " in said and "They are not loaded" in said
    rows = sum(1 for _ in (tmp_path / "england" / "attendance.csv").open()) - 1
    assert f"rows counted into {rows:,} rows of attendance.csv" in said
    assert not (tmp_path / "w.duckdb").exists()


# A country of two LAs over two years: Rutland (26 small areas) and Hartlepool (57).
COUNTRY = {"E06000017", "E06000001"}


@pytest.fixture(scope="module")
def country(tmp_path_factory):
    """Two LAs loaded as a country, each protected alone and then England's figures jointly: in this process, and
    on a local dask cluster of two workers."""
    shared_file("boundaries/lsoa2021_england_5dp.geojson.gz")
    folder = tmp_path_factory.mktemp("country")
    write_england(folder, SHARED_DATA, workers=1, only=COUNTRY, years=2)
    tables, report = build_tables(folder, data_kind="synthetic", area_kind="country")
    assert not report.errors
    one = publish_by_la(tables, 4, Engine(workers=1))
    two = publish_by_la(tables, 4, Engine(workers=2, in_process=0))
    return tables, one, two


def test_a_country_is_published_the_same_on_one_worker_or_two(country):
    _, one, two = country
    assert "2 LAs protected alone on the loading process" in one.publication["method"].iloc[0]
    assert "2 LAs protected alone on a local dask cluster of 2 worker processes" in two.publication["method"].iloc[0]
    # Text columns come back in whichever string storage each process had: the cells themselves are compared.
    for mine, theirs in ((one.published, two.published), (one.families, two.families)):
        pd.testing.assert_frame_equal(mine.astype(object), theirs.astype(object), check_column_type=False)


def test_the_second_attacker_narrows_no_hidden_count_of_the_country(country):
    _, one, _ = country
    published = one.published
    assert (published["status"] == "suppressed").sum() > 1000  # enough hidden to attack
    assert attack(published, 4) == []


def test_englands_figures_are_its_las_figures_added_up(country):
    tables, one, _ = country
    year_rows = one.published[(one.published["count"] == "pupils") & one.published["term"].isna()]
    census = tables["fact_census"].merge(
        tables["area"][["area_code", "locality_code"]], how="left", left_on="home_area_code", right_on="area_code"
    )
    for year, rows in census.groupby("academic_year"):
        mine = year_rows[year_rows["academic_year"] == year]
        # England's pupils on roll: every census row of the year, shown (thousands of pupils are not small).
        assert mine.loc[mine["family"] == "borough", "value"].tolist() == [rows["pupils"].sum()]
        las = mine[mine["family"] == "locality"]
        for code in COUNTRY:
            expected = rows.loc[rows["locality_code"] == code, "pupils"].sum()
            assert las.loc[las["locality"] == code, "value"].tolist() == [expected]
        # Pupils with no home in either LA: England's own cell beside its LAs, not one per LA.
        outside = rows.loc[rows["locality_code"].isna(), "pupils"].sum()
        assert las.loc[las["locality"].isna(), "value"].tolist() == [outside]


def test_each_la_is_given_its_own_rows_in_their_order(country):
    tables, _, _ = country
    split = split_by_la(tables)
    area_la = tables["area"].set_index("area_code")["locality_code"]
    cluster_la = tables["cluster"].set_index("cluster_code")["locality_code"]
    school_la = tables["school"].set_index("urn")["cluster_code"].map(cluster_la)
    for name, home in (("fact_census", "home_area_code"), ("fact_population", "area_code")):
        facts = tables[name]
        none = pd.Series(None, index=facts.index, dtype=object)
        by_school = facts["urn"].map(school_la).astype(object) if "urn" in facts else none
        owner = by_school.fillna(facts[home].map(area_la).astype(object))
        for code in ("E06000017", "E06000001"):
            expected = facts[owner == code].reset_index(drop=True)
            pd.testing.assert_frame_equal(split[code][name], expected)
        assert sum(len(split[code][name]) for code in split) == len(facts)


def test_a_row_whose_school_and_home_lie_in_two_las_is_refused_by_name(country):
    tables, _, _ = country
    crossing = {name: frame.copy() for name, frame in tables.items()}
    census = crossing["fact_census"]
    rutland_area = tables["area"].loc[tables["area"]["locality_code"] == "E06000017", "area_code"].iloc[0]
    hartlepool_school = census.loc[
        census["home_area_code"].isin(tables["area"].loc[tables["area"]["locality_code"] == "E06000001", "area_code"]),
        "urn",
    ].iloc[0]
    row = int(census.index[census["urn"] == hartlepool_school][0])
    census.loc[row, "home_area_code"] = rutland_area
    with pytest.raises(CrossingRows, match=rf"fact_census, row {row + 1}: school {hartlepool_school} is in E06000001"):
        split_by_la(crossing)


def test_the_demo_command_loads_the_las_it_is_given_as_a_country(tmp_path, capsys, monkeypatch):
    shared_file("boundaries/lsoa2021_england_5dp.geojson.gz")
    from dashboard.sources.demo import cli

    def one_year(out, shared_data, seed, workers, only):  # a year of each, to keep the test short
        return write_england(out, shared_data, seed=seed, workers=workers, only=only, years=1)

    monkeypatch.setattr(cli, "write_england", one_year)
    db = tmp_path / "england.duckdb"
    argv = ["--scale", "england", "--only", "E06000017, E06000001", "--out", str(tmp_path / "x"), "--db", str(db)]
    assert cli.main(argv) == 0
    said = capsys.readouterr().out
    assert "Wrote 2 LAs, 83 small areas" in said and "Built a synthetic England of 2 LAs" in said
    con = duckdb.connect(str(db), read_only=True)
    try:
        (kind,) = con.execute("SELECT area_kind FROM load_version").fetchone()
        (method,) = con.execute("SELECT method FROM publication").fetchone()
        places = con.execute(
            "SELECT count(*) FROM published WHERE count = 'pupils' AND family = 'locality' AND term IS NULL"
        ).fetchone()
    finally:
        con.close()
    assert kind == "country" and "2 LAs protected alone" in method
    assert places == (3,)  # Rutland, Hartlepool and the pupils living in neither


def test_the_demo_command_loads_every_la_it_writes_when_told_all(tmp_path, capsys, monkeypatch):
    shared_file("boundaries/lsoa2021_england_5dp.geojson.gz")
    from dashboard.sources.demo import cli

    def rutland_for_all(out, shared_data, seed, workers):  # England's smallest LA stands in for all 151
        return write_england(out, shared_data, seed=seed, workers=workers, only={"E06000017"}, years=1)

    monkeypatch.setattr(cli, "write_england", rutland_for_all)
    db = tmp_path / "england.duckdb"
    assert cli.main(["--scale", "england", "--only", "all", "--out", str(tmp_path / "x"), "--db", str(db)]) == 0
    assert "Built a synthetic England of 1 LA in" in capsys.readouterr().out
    con = duckdb.connect(str(db), read_only=True)
    try:
        (description,) = con.execute("SELECT description FROM load_version").fetchone()
    finally:
        con.close()
    assert description == "Synthetic England: 1 LA"


def test_the_demo_command_says_which_la_codes_it_does_not_know(tmp_path, capsys):
    shared_file("boundaries/lsoa2021_england_5dp.geojson.gz")
    from dashboard.sources.demo import cli

    argv = ["--scale", "england", "--only", "E99999999", "--out", str(tmp_path / "x"), "--db", str(tmp_path / "w")]
    assert cli.main(argv) == 1
    assert "No LA of England has the code E99999999." in capsys.readouterr().err


def test_the_demo_command_refuses_a_list_with_one_code_it_does_not_know_before_writing(tmp_path, capsys):
    shared_file("boundaries/lsoa2021_england_5dp.geojson.gz")
    from dashboard.sources.demo import cli

    out = tmp_path / "x"
    argv = ["--scale", "england", "--only", "E06000017,E0600001", "--out", str(out), "--db", str(tmp_path / "w")]
    assert cli.main(argv) == 1
    assert "No LA of England has the code E0600001." in capsys.readouterr().err
    assert not out.exists()


def test_a_national_family_not_published_says_why_in_the_report(country):
    _, one, _ = country
    published, families = one.published, one.families
    national = published[published["family"].map(lambda name: not set(FAMILIES_BY_NAME[name].dims) & PLACES)]
    years = national[national["term"].isna()].groupby(["count", "family", "academic_year"])["status"]
    withheld = [key for key, statuses in years if (statuses == "not published").all()]
    report = families.set_index(["count", "family", "academic_year"])
    for key in withheld:
        row = report.loc[key]
        assert not row["published"] and row["reason"], key
