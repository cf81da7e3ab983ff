"""Ingest: templates, validation messages that locate the problem, aggregation, atomic versions, boundaries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard.config import ROOT
from dashboard.domain.measures import MEASURES
from dashboard.ingest.boundaries import BoundaryError, read_boundaries
from dashboard.ingest.build import IngestError, load
from dashboard.query.queries import Queries
from dashboard.store.versions import list_versions, versions_folder
from dashboard.store.warehouse import Warehouse
from tests.conftest import digest, rows_of, shared_file, write_rows


def test_the_template_examples_load_as_a_warehouse(template_set, tmp_path):
    db = tmp_path / "wh.duckdb"
    report = load(template_set, db, data_kind="real")
    assert report.errors == []
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT pupils FROM fact_census").fetchall() == [(23,)]
    assert con.execute("SELECT sessions_missed FROM fact_attendance").fetchall() == [(570,)]
    assert con.execute("SELECT count(*) FROM need").fetchone()[0] == 15
    assert con.execute("SELECT data_kind FROM load_version").fetchone()[0] == "real"
    # Terms and full year for each academic year seen in the facts.
    assert con.execute("SELECT count(*) FROM period WHERE academic_year = '2023/24'").fetchone()[0] == 4


def _load_pupil_attendance(template_set: Path, tmp_path: Path, rows: list[tuple[str, str, int, int, int]]):
    """Load pupil-level attendance rows (pupil, term, possible, authorised, unauthorised) in one cell of 2023/24:
    the warehouse, and its counts by term (enrolments, possible, missed, persistent and severe absentees)."""
    (template_set / "attendance.csv").unlink()
    header = rows_of(ROOT / "data" / "templates" / "attendance_pupil.csv")[0]
    cell = ["900001", "X01000001", "none", "NONE"]
    lines = [[pupil, "2023/24", term, *cell, *map(str, sessions)] for pupil, term, *sessions in rows]
    write_rows(template_set / "attendance_pupil.csv", [header] + lines)
    db = tmp_path / "wh.duckdb"
    load(template_set, db)
    con = duckdb.connect(str(db), read_only=True)
    result = {
        term: values
        for term, *values in con.execute(
            "SELECT term, enrolments, sessions_possible, sessions_missed, persistent_absentees, severe_absentees "
            "FROM fact_attendance"
        ).fetchall()
    }
    return con, result


def test_pupil_level_rows_are_counted_and_the_ids_are_not_kept(template_set, tmp_path):
    # pupil, term, possible, authorised, unauthorised: A misses 20% in autumn only; B misses 60% in spring.
    con, result = _load_pupil_attendance(
        template_set,
        tmp_path,
        [
            ("PA", "Autumn", 100, 15, 5),
            ("PA", "Spring", 100, 0, 0),
            ("PB", "Autumn", 100, 0, 0),
            ("PB", "Spring", 100, 40, 20),
            ("PC", "Autumn", 100, 2, 0),
        ],
    )
    assert result["Autumn"] == [3, 300, 22, 1, 0]
    assert result["Spring"] == [2, 200, 60, 1, 1]
    # Over the year A missed 10% (persistent), B 30% (persistent, not severe), C 2%.
    assert result["Full year"] == [3, 500, 82, 2, 0]
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
    ).fetchall():
        assert column != "pupil_id"
        found = con.execute(f"SELECT count(*) FROM \"{table}\" WHERE \"{column}\" IN ('PA', 'PB', 'PC')").fetchone()[0]
        assert found == 0, f"a pupil ID reached {table}.{column}"


def test_an_enrolment_with_no_possible_sessions_is_counted_but_never_an_absentee(template_set, tmp_path):
    # A pupil on roll for a term with no possible sessions (joined on its last day) is an enrolment with no absence
    # rate: counted as enrolled, never as a persistent or severe absentee. The load must not fail on it.
    _, result = _load_pupil_attendance(
        template_set,
        tmp_path,
        [("PA", "Autumn", 0, 0, 0), ("PA", "Spring", 100, 30, 30), ("PB", "Autumn", 100, 5, 6)],
    )
    # Autumn: A has no rate, B missed 11%. Spring: A missed 60%. The year: A missed 60 of 100, B 11 of 100.
    assert result["Autumn"] == [2, 100, 11, 1, 0]
    assert result["Spring"] == [1, 100, 60, 1, 1]
    assert result["Full year"] == [2, 200, 71, 2, 1]


def _break(folder: Path, kind: str) -> None:
    path = folder / "census.csv"
    rows = rows_of(path)
    if kind == "missing column":
        drop = rows[0].index("pupils")
        rows = [[v for i, v in enumerate(r) if i != drop] for r in rows]
    elif kind == "wrong type":
        rows[1][rows[0].index("pupils")] = "twelve"
    elif kind == "unknown code":
        rows[1][rows[0].index("urn")] = "999999"
    elif kind == "unknown fixed code":
        rows[1][rows[0].index("sen_provision")] = "statement"
    elif kind == "duplicate key":
        rows.append(list(rows[1]))
    elif kind == "negative count":
        rows[1][rows[0].index("pupils")] = "-3"
    if kind == "empty file":
        path.write_text("")
    else:
        write_rows(path, rows)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("missing column", "census.csv: missing column 'pupils'"),
        ("wrong type", "census.csv, row 2, column 'pupils': expected a whole number (found 'twelve')"),
        ("unknown code", "census.csv, row 2, column 'urn': is not in schools.csv (found '999999')"),
        (
            "unknown fixed code",
            "census.csv, row 2, column 'sen_provision': is not one of ehcp, sen_support, none (found 'statement')",
        ),
        ("duplicate key", "census.csv, row 3: repeats the key of row 2"),
        ("negative count", "census.csv, row 2, column 'pupils': must be 0 or more (found '-3')"),
        ("empty file", "census.csv: the file is empty"),
    ],
)
def test_a_bad_file_is_refused_with_its_place_and_the_serving_warehouse_is_untouched(
    template_set, tmp_path, kind, expected
):
    db = tmp_path / "wh.duckdb"
    load(template_set, db)
    before, version = digest(db), Warehouse(db).info().version
    _break(template_set, kind)
    with pytest.raises(IngestError) as refused:
        load(template_set, db)
    assert expected in str(refused.value)
    assert digest(db) == before
    assert Warehouse(db).info().version == version
    # No temporary file is left, and the only version kept is the one being served.
    leftovers = [
        p.name
        for p in list(tmp_path.iterdir()) + list(versions_folder(db).iterdir())
        if ".tmp" in p.name or p.name.endswith(".link")
    ]
    assert leftovers == [] and [v.stem for v in list_versions(db)] == [version]


def test_every_problem_in_a_file_is_reported_not_just_the_first(template_set, tmp_path):
    path = template_set / "schools.csv"
    rows = rows_of(path)
    second = list(rows[1])
    second[0], second[rows[0].index("phase")], second[rows[0].index("latitude")] = "900002", "nursery", "north"
    write_rows(path, rows + [second])
    with pytest.raises(IngestError) as refused:
        load(template_set, tmp_path / "wh.duckdb")
    message = str(refused.value)
    assert (
        "schools.csv, row 3, column 'phase': is not one of primary, secondary, special, ap (found 'nursery')" in message
    )
    assert "schools.csv, row 3, column 'latitude': expected a number (found 'north')" in message
    assert not (tmp_path / "wh.duckdb").exists()


def test_a_bad_value_repeated_is_reported_at_every_row_it_is_in(template_set, tmp_path):
    # Each distinct text is parsed once: every row holding it must still be named, and only those.
    path = template_set / "census.csv"
    header, first = rows_of(path)[:2]
    year, pupils = header.index("academic_year"), header.index("pupils")
    rows = [header] + [[*first[:year], label, *first[year + 1 :]] for label in ("2023/24", "2022/23", "2021/22")]
    rows[1][pupils], rows[2][pupils], rows[3][pupils] = "twelve", " 7 ", "twelve"
    write_rows(path, rows)
    with pytest.raises(IngestError) as refused:
        load(template_set, tmp_path / "wh.duckdb")
    named = [(i.row, i.column, i.value) for i in refused.value.report.errors if i.file == "census.csv"]
    assert named == [(2, "pupils", "twelve"), (4, "pupils", "twelve")]


def test_the_command_line_names_file_row_and_column(template_set, tmp_path):
    _break(template_set, "wrong type")
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.ingest", "--source", str(template_set), "--db", str(tmp_path / "wh.duckdb")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "census.csv, row 2, column 'pupils': expected a whole number (found 'twelve')" in result.stderr
    assert "was not changed" in result.stderr


def test_a_missing_dimension_file_is_named(template_set, tmp_path):
    (template_set / "schools.csv").unlink()
    with pytest.raises(IngestError) as refused:
        load(template_set, tmp_path / "wh.duckdb")
    assert "schools.csv: is missing" in str(refused.value)


@pytest.mark.parametrize(
    ("relative", "field", "count"),
    [
        ("boundaries/lsoa2011_walsall_E08000030_martinjc.topo.json", "LSOA11CD", 167),  # TopoJSON, no CRS
        ("boundaries/lsoa2021_walsall_E08000030.geojson", "LSOA21CD", 169),  # GeoJSON, WGS84
        (
            "boundaries/ctyua2023may_uk_buc/CTYUA_MAY_2023_UK_BUC.shp",
            "CTYUA23CD",
            218,
        ),  # shapefile, British National Grid
        (
            "boundaries/lsoa2021_england_5dp.geojson.gz",
            "LSOA21CD",
            33_755,
        ),  # gzipped, some polygons invalid after rounding
    ],
)
def test_boundaries_in_any_format_come_out_valid_wgs84(relative, field, count):
    frame = read_boundaries(shared_file(relative), field)
    assert len(frame) == count
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all()
    assert frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    minx, miny, maxx, maxy = frame.total_bounds
    assert -9 < minx < maxx < 2.5 and 49 < miny < maxy < 61  # Great Britain in degrees


def test_boundaries_with_a_wrong_code_field_name_the_fields_there_are():
    with pytest.raises(BoundaryError, match="has no field 'LSOA21CODE'.*LSOA21CD"):
        read_boundaries(shared_file("boundaries/lsoa2021_walsall_E08000030.geojson"), "LSOA21CODE")


def test_boundaries_are_stored_for_known_areas_and_strays_are_reported(template_set, tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"code": code},
            "geometry": {"type": "Polygon", "coordinates": [[[-2, 52.6], [-1.99, 52.6], [-1.99, 52.61], [-2, 52.6]]]},
        }
        for code in ("X01000001", "STRAY")
    ]
    boundaries = tmp_path / "areas.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    report = load(template_set, tmp_path / "wh.duckdb", boundaries=boundaries, code_field="code")
    assert any("1 boundary codes are not in areas.csv" in str(w) and "STRAY" in str(w) for w in report.warnings)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    assert con.execute("SELECT area_code FROM area_geometry").fetchall() == [("X01000001",)]


def test_a_geopackage_in_british_national_grid_is_read(tmp_path):
    source = read_boundaries(shared_file("boundaries/lsoa2021_walsall_E08000030.geojson"), "LSOA21CD")
    package = tmp_path / "walsall.gpkg"
    source.rename(columns={"code": "LSOA21CD", "name": "LSOA21NM"}).to_crs(27700).to_file(package, driver="GPKG")
    frame = read_boundaries(package, "LSOA21CD")
    assert len(frame) == 169 and frame.crs.to_epsg() == 4326
    assert frame["name"].str.startswith("Walsall").all()  # the name field is found beside the code field
    assert frame.to_crs(27700).area.sum() == pytest.approx(source.to_crs(27700).area.sum(), rel=1e-4)


def test_a_broken_dimension_is_reported_once_not_echoed_by_every_fact(template_set, tmp_path):
    _break_areas = rows_of(template_set / "areas.csv")
    _break_areas[1][_break_areas[0].index("imd_decile")] = "11"
    write_rows(template_set / "areas.csv", _break_areas)
    with pytest.raises(IngestError) as refused:
        load(template_set, tmp_path / "wh.duckdb")
    errors = [str(e) for e in refused.value.report.errors]
    assert "areas.csv, row 2, column 'imd_decile': must be 10 or less (found '11')" in errors
    assert "census.csv: not checked: it refers to areas.csv, schools.csv, which must load cleanly first" in errors
    assert "schools.csv: not checked: it refers to areas.csv, which must load cleanly first" in errors
    assert not any("is not in areas.csv" in e for e in errors)


def test_ees_symbols_are_kept_and_shown_where_the_number_would_be(template_set, tmp_path):
    from dashboard.domain.filters import FilterState
    from dashboard.domain.formatting import count_text, rate_text
    from dashboard.domain.status import SUPPRESSED

    rows = rows_of(template_set / "exclusions.csv")
    write_rows(template_set / "exclusions.csv", rows + [rows[1][:1] + ["Autumn"] + rows[1][2:7] + ["c", "c", "c"]])
    rows = rows_of(template_set / "attendance.csv")
    write_rows(template_set / "attendance.csv", [rows[0], rows[1][:10] + ["x", "x"]])
    rows = rows_of(template_set / "benchmarks.csv")
    write_rows(template_set / "benchmarks.csv", rows + [rows[1][:4] + ["2022/23", "z", "", "", rows[1][8]]])
    db = tmp_path / "wh.duckdb"
    assert load(template_set, db).errors == []
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT exclusions, symbols FROM fact_exclusion WHERE term = 'Autumn'").fetchall() == [
        (None, "exclusions=c;pupils_excluded=c;sessions_lost=c")
    ]
    con.close()
    warehouse = Warehouse(db)
    queries = Queries(warehouse)
    state = FilterState(year="2023/24")
    autumn = queries.rates("suspension_rate", state, "borough", termly=True).set_index("term").loc["Autumn"]
    assert (
        autumn["status"] == SUPPRESSED
        and rate_text(autumn["value"], autumn["status"], MEASURES["suspension_rate"]) == "c"
    )
    persistent = queries.rates("persistent_absence", state, "borough").iloc[0]
    assert persistent["status"] == "x" and rate_text(persistent["value"], "x", MEASURES["persistent_absence"]) == "x"
    assert count_text(persistent["numerator"], persistent["status"]) == "x"
    # The enrolments beside the symbol are still a number: only the symbol's own column is unknown.
    absence = queries.rates("absence_rate", state, "borough").iloc[0]
    assert absence["status"] == "shown" and absence["denominator"] == 8250
    bench = queries.benchmark_values("suspension_rate").set_index("year")
    assert bench.at["2022/23", "symbol"] == "z" and bench["value"].isna().sum() == 1


def test_a_blank_count_is_named_with_its_row_and_column(template_set, tmp_path):
    rows = rows_of(template_set / "census.csv")
    write_rows(template_set / "census.csv", [rows[0], rows[1][:5] + [""]])
    with pytest.raises(IngestError) as refused:
        load(template_set, tmp_path / "wh.duckdb")
    problem = next(i for i in refused.value.report.errors if i.file == "census.csv")
    assert (problem.row, problem.column) == (2, "pupils") and "EES symbol" in problem.message


def test_mapping_places_areas_and_schools_and_the_report_names_what_it_leaves_out(template_set, tmp_path):
    (template_set / "localities.csv").unlink()
    (template_set / "clusters.csv").unlink()
    (template_set / "areas.csv").write_text(
        "area_code,area_name,ward_code,ward_name,locality_code,imd_decile,idaci_decile\n"
        "X01000001,Brookhill 001A,X05000001,Brookhill,,2,1\n"
        "X01000002,Brookhill 001B,X05000001,Brookhill,,3,\n"
        "X01000003,Elmdon 002A,X05000002,Elmdon,,,\n"
    )
    (template_set / "schools.csv").write_text(
        "urn,school_name,phase,school_type,cluster_code,area_code,latitude,longitude,open_date,close_date\n"
        "900001,Brookhill Primary School,primary,Academy converter,,X01000001,,,,\n"
        "900002,Brookhill High,secondary,Academy converter,,X01000002,,,,\n"
        "900003,Elmdon Primary,primary,Community school,,X01000003,,,,\n"
        "900004,Over the Border Primary,primary,Community school,,,,,,\n"
    )
    (template_set / "mapping.csv").write_text(
        "level,code,locality_code,locality_name,cluster_code,cluster_name\n"
        "ward,X05000001,N,North,,\n"
        "area,X01000002,E,East,,\n"
        "school,900001,,,BH,Brookhill cluster\n"
    )
    db = tmp_path / "wh.duckdb"
    report = load(template_set, db)
    warehouse = Warehouse(db)
    areas = dict(warehouse.query("SELECT area_code, locality_code FROM area").itertuples(index=False, name=None))
    # The ward places both its areas; the area's own row wins; an area the mapping leaves out is 'Not mapped'.
    assert areas == {"X01000001": "N", "X01000002": "E", "X01000003": "UNMAPPED"}
    schools = warehouse.query(
        "SELECT s.urn, s.cluster_code, c.cluster_name, c.locality_code FROM school s "
        "JOIN cluster c USING (cluster_code) ORDER BY urn"
    )
    assert schools.values.tolist() == [
        ["900001", "BH", "Brookhill cluster", "N"],  # named in the mapping, in its area's locality
        ["900002", "E-secondary", "East secondary schools", "E"],  # its locality's cluster for its phase
        ["900003", "UNMAPPED-primary", "Not mapped primary schools", "UNMAPPED"],
        ["900004", "UNMAPPED-primary", "Not mapped primary schools", "UNMAPPED"],
    ]
    names = dict(
        warehouse.query("SELECT locality_code, locality_name FROM locality").itertuples(index=False, name=None)
    )
    assert names == {"N": "North", "E": "East", "UNMAPPED": "Not mapped"}
    text = report.path.read_text()
    assert (
        "1 small area(s) have no locality in areas.csv or mapping.csv and are shown as 'Not mapped': X01000003 (Elmdon)"
        in text
    )
    assert "900003 (Elmdon Primary), 900004 (Over the Border Primary)" in text


def test_benchmarks_follow_the_pupils_chosen_and_an_older_file_without_groups_still_loads(template_set, tmp_path):
    from dashboard.domain.filters import FilterState
    from dashboard.views.overview import overview

    rows = rows_of(template_set / "benchmarks.csv")
    old_form = [row[:9] for row in rows]  # the benchmarks template before phase, SEN provision and need were added
    write_rows(template_set / "benchmarks.csv", old_form)
    report = load(template_set, tmp_path / "old.duckdb")
    assert not [w for w in report.warnings if "benchmarks.csv" in str(w)]
    header, england = rows
    groups = {name: header.index(name) for name in ("phase", "sen_provision", "primary_need")}

    def row(value: str, **group: str) -> list[str]:
        cells = england[:5] + [value] + england[6:]
        for name, code in group.items():
            cells[groups[name]] = code
        return cells

    write_rows(
        template_set / "benchmarks.csv",
        [header, row("9.33"), row("20.1", sen_provision="ehcp"), row("12", phase="secondary")],
    )
    load(template_set, tmp_path / "wh.duckdb")
    warehouse = Warehouse(tmp_path / "wh.duckdb")
    queries = Queries(warehouse)

    def benchmark(**filters) -> str:
        cards, _, _ = overview(queries, FilterState(measure="suspension_rate", year="2023/24", **filters))
        return next(c for c in cards if c.measure.id == "suspension_rate").benchmark

    assert benchmark().startswith("England: 9.33")
    assert benchmark(sen="ehcp").startswith("England: 20.10")
    assert benchmark(phase="secondary").startswith("England: 12.00")
    assert benchmark(need="ASD") == "No England benchmark loaded for these pupils"


def test_a_warehouse_loaded_by_the_release_before_still_serves(template_set, tmp_path):
    """Benchmarks without groups of pupils, no reasons table and no publication, as releases before wrote them.

    Nothing is served until the version is protected ('publish'); then the pages answer.
    """
    from dashboard.domain.filters import FilterState
    from dashboard.ingest.build import republish
    from dashboard.query.queries import NotPublished
    from dashboard.views.overview import overview
    from dashboard.views.trends import reasons_panel

    db = tmp_path / "wh.duckdb"
    load(template_set, db)
    older = tmp_path / "older.duckdb"
    older.write_bytes(db.read_bytes())
    con = duckdb.connect(str(older))
    con.execute("DROP TABLE exclusion_reason")
    for column in ("phase", "sen_provision", "primary_need"):
        con.execute(f"ALTER TABLE benchmark DROP COLUMN {column}")
    for table in ("published", "publication", "publication_family"):
        con.execute(f"DROP TABLE {table}")
    con.close()
    with pytest.raises(NotPublished, match="python -m dashboard.ingest publish"):
        Queries(Warehouse(older)).rates("suspension_rate", FilterState(year="2023/24"), "borough")
    republish(older, 4)
    warehouse = Warehouse(older)
    queries = Queries(warehouse)
    assert queries.threshold == 4

    def benchmark(**filters) -> str:
        cards, _, _ = overview(queries, FilterState(measure="suspension_rate", year="2023/24", **filters))
        return next(c for c in cards if c.measure.id == "suspension_rate").benchmark

    assert benchmark().startswith("England: 9.33")
    assert (
        benchmark(sen="ehcp") == "No England benchmark loaded for these pupils"
    )  # never all pupils' figure beside a group
    panel = reasons_panel(queries, FilterState(measure="suspension_rate", year="2023/24"))
    assert panel.empty and "No reasons for exclusion are loaded" in panel.notes[-1]


GOOD_TARGET = ["suspension_rate", "2025/26", "borough", "", "8.0", "at most"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ["suspensions", "2025/26", "borough", "", "8.0", "at most"],
            "targets.csv, row 3, column 'measure': is not one of suspension_rate, permanent_rate, ehcp_rate, "
            "absence_rate, persistent_absence, severe_absence (found 'suspensions')",
        ),
        (
            ["suspension_rate", "2025/26", "locality", "Q", "8.0", "at most"],
            "targets.csv, row 3, column 'place': is not in localities.csv (found 'Q')",
        ),
        (
            ["suspension_rate", "2025/26", "cluster", "Q1", "8.0", "at most"],
            "targets.csv, row 3, column 'place': is not in clusters.csv (found 'Q1')",
        ),
        (
            ["suspension_rate", "2025/26", "locality", "", "8.0", "at most"],
            "targets.csv, row 3, column 'place': is blank but a locality code is required",
        ),
        (
            ["suspension_rate", "2024/25", "borough", "N", "8.0", "at most"],
            "targets.csv, row 3, column 'place': must be blank for the borough (found 'N')",
        ),
        (
            ["suspension_rate", "2025/26", "ward", "X05000001", "8.0", "at most"],
            "targets.csv, row 3, column 'level': is not one of borough, locality, cluster (found 'ward')",
        ),
        (
            ["ehcp_rate", "2025/26", "cluster", "N1", "40", "at most"],
            "targets.csv, row 3, column 'level': EHC plan rate has no figure by cluster to set a target for "
            "(found 'cluster')",
        ),
        (
            ["suspension_rate", "2025", "locality", "N", "8.0", "at most"],
            "targets.csv, row 3, column 'year': expected an academic year written like 2023/24 (found '2025')",
        ),
        (
            ["suspension_rate", "2025/27", "locality", "N", "8.0", "at most"],
            "targets.csv, row 3, column 'year': expected an academic year written like 2023/24 (found '2025/27')",
        ),
        (
            ["suspension_rate", "2024/25", "borough", "", "eight", "at most"],
            "targets.csv, row 3, column 'target': expected a number (found 'eight')",
        ),
        (
            ["suspension_rate", "2024/25", "borough", "", "8.0", "below"],
            "targets.csv, row 3, column 'direction': is not one of at most, at least (found 'below')",
        ),
        (
            GOOD_TARGET,
            "targets.csv, row 3: repeats the key of row 2 (measure=suspension_rate, year=2025/26, level=borough, "
            "place=); each key may appear once",
        ),
    ],
)
def test_a_bad_target_is_refused_with_its_file_row_and_column_and_the_serving_warehouse_is_untouched(
    template_set, tmp_path, row, expected
):
    db = tmp_path / "wh.duckdb"
    load(template_set, db)
    before = digest(db)
    header = rows_of(template_set / "targets.csv")[0]
    write_rows(template_set / "targets.csv", [header, GOOD_TARGET, row])
    with pytest.raises(IngestError) as refused:
        load(template_set, db)
    assert expected in str(refused.value)
    assert str(refused.value).count("targets.csv") == 1  # one problem, said once
    assert digest(db) == before


def test_targets_load_in_any_letter_case_with_the_directions_other_words_and_are_asked_for_by_place(
    template_set, tmp_path
):
    header = rows_of(template_set / "targets.csv")[0]
    write_rows(
        template_set / "targets.csv",
        [
            header,
            ["suspension_rate", "2025/26", "Borough", "", "8", "Lower"],
            ["SUSPENSION_RATE", "2022/23", "County", "", "9.5", "<="],  # a county's word for its whole area
            ["suspension_rate", "2025/26", "locality", "N", "7.25", "AT MOST"],
            ["suspension_rate", "2025/26", "cluster", "N1", "6.5", "at most"],
            ["persistent_absence", "2025/26", "locality", "N", "18.5", "lower"],
            ["absence_rate", "2025/26", "borough", "", "93", "higher"],
        ],
    )
    db = tmp_path / "wh.duckdb"
    assert load(template_set, db).errors == []
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute(
        "SELECT measure, academic_year, level, place, target, direction FROM board_target ORDER BY 1, 2, 3"
    ).fetchall() == [
        ("absence_rate", "2025/26", "borough", None, 93.0, "at least"),
        ("persistent_absence", "2025/26", "locality", "N", 18.5, "at most"),
        ("suspension_rate", "2022/23", "borough", None, 9.5, "at most"),
        ("suspension_rate", "2025/26", "borough", None, 8.0, "at most"),
        ("suspension_rate", "2025/26", "cluster", "N1", 6.5, "at most"),
        ("suspension_rate", "2025/26", "locality", "N", 7.25, "at most"),
    ]
    con.close()
    queries = Queries(Warehouse(db))
    assert [(t.year, t.value) for t in queries.targets("suspension_rate", "borough")] == [
        ("2022/23", 9.5),
        ("2025/26", 8.0),
    ]
    assert [(t.level, t.place, t.value) for t in queries.targets("suspension_rate", "locality", "N")] == [
        ("locality", "N", 7.25)
    ]
    assert queries.targets("suspension_rate", "locality", "E") == []
    assert len(queries.targets("suspension_rate")) == 4
    assert queries.targets("severe_absence") == []


def test_a_version_protected_again_in_the_second_it_was_loaded_is_a_new_version(template_set, tmp_path, monkeypatch):
    # A CI run once loaded and republished in the same second: the republished version took the loaded one's name,
    # and the look-ups kept by that name served the old publication.
    import datetime as dt

    import dashboard.ingest.build as build

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 12, 5, 4, 30, 0)

    monkeypatch.setattr(build.dt, "datetime", Frozen)
    db = tmp_path / "wh.duckdb"
    load(template_set, db)
    first = Warehouse(db).info().version
    again = build.republish(db, 2)
    twice = build.republish(db, 2)
    names = {first, again.stem, twice.stem}
    assert len(names) == 3, names
    assert again.stem == f"{first}-t2" and twice.stem == f"{first}-t2-2"
    assert Queries(Warehouse(db)).threshold == 2
    assert {v.stem for v in versions_folder(db).glob("*.duckdb")} >= names
