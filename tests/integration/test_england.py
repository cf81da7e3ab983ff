"""England's demo extracts: LA by LA on the real LSOA 2021 boundaries, aggregated, and read by the ordinary ingest."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.ingest.build import build_tables
from dashboard.sources.demo.england import write_england
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
