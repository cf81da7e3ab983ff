"""The demo borough: calibrated to Walsall's published figures, deterministic, and map-like."""

from __future__ import annotations

import csv
import hashlib

import duckdb
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard.domain.status import SUPPRESSED
from dashboard.publish.audit import audit
from dashboard.sources.demo.calibration import DemoSettings
from dashboard.sources.demo.people import generate
from tests.attacker import attack, read_published, read_threshold
from tests.conftest import shared_file

# shared/context/README.md: EHC plans on 18 March 2021 by locality of residence, and their needs.
PUBLISHED_PLANS = {"North": 734, "East": 687, "South & Central": 528, "West": 677}
PUBLISHED_POPULATION = {"North": 22_234, "East": 23_606, "South & Central": 22_121, "West": 23_887}
PUBLISHED_NEEDS = {
    "North": {"ASD": 184, "SLCN": 117, "MLD": 106, "SLD": 62, "SEMH": 120},
    "East": {"ASD": 228, "SLCN": 89, "MLD": 83, "SLD": 64, "SEMH": 73},
    "South & Central": {"ASD": 126, "SLCN": 100, "MLD": 63, "SLD": 61, "SEMH": 45},
    "West": {"ASD": 200, "SLCN": 108, "MLD": 93, "SLD": 72, "SEMH": 71},
}
# Exclusions 2017-2021 by locality: permanent per 1,000 and fixed-term per 1,000.
PUBLISHED_PERMANENT_RANKING = ["North", "West", "South & Central", "East"]
PUBLISHED_SUSPENSION_RANKING = ["North", "East", "South & Central", "West"]


@pytest.fixture(scope="module")
def con(demo_build):
    connection = duckdb.connect(str(demo_build[1]), read_only=True)
    yield connection
    connection.close()


def by_locality(con, sql: str) -> dict[str, float]:
    return dict(con.execute(sql).fetchall())


def test_ehcp_counts_and_rates_by_locality_match_the_strategy_in_2020_21(con):
    plans = by_locality(
        con,
        """
        SELECT l.locality_name, SUM(e.plans) FROM fact_ehcp e JOIN area a ON a.area_code = e.home_area_code
        JOIN locality l USING (locality_code) WHERE e.academic_year = '2020/21' GROUP BY 1""",
    )
    population = by_locality(
        con,
        """
        SELECT l.locality_name, SUM(p.population) FROM fact_population p JOIN area a USING (area_code)
        JOIN locality l USING (locality_code) WHERE p.academic_year = '2020/21' GROUP BY 1""",
    )
    for locality, published in PUBLISHED_PLANS.items():
        assert plans[locality] == pytest.approx(published, rel=0.05)
        assert population[locality] == pytest.approx(PUBLISHED_POPULATION[locality], rel=0.05)
    rates = {k: 1000 * plans[k] / population[k] for k in plans}
    assert sorted(rates, key=rates.get, reverse=True) == [
        "North",
        "East",
        "West",
        "South & Central",
    ]  # 33.0, 29.1, 28.3, 23.9
    out_of_borough = con.execute(
        "SELECT SUM(plans) FROM fact_ehcp WHERE academic_year = '2020/21' AND home_area_code IS NULL"
    ).fetchone()[0]
    assert out_of_borough == pytest.approx(36, abs=2)
    total_population = con.execute(
        "SELECT SUM(population) FROM fact_population WHERE academic_year = '2020/21'"
    ).fetchone()[0]
    assert total_population == pytest.approx(92_000, rel=0.02)


def test_need_mix_by_locality_matches_the_strategy_in_2020_21(con):
    rows = con.execute("""
        SELECT l.locality_name, e.primary_need, SUM(e.plans) FROM fact_ehcp e JOIN area a ON a.area_code =
        e.home_area_code
        JOIN locality l USING (locality_code) WHERE e.academic_year = '2020/21' GROUP BY 1, 2""").fetchall()
    counts = {(locality, need): n for locality, need, n in rows}
    for locality, needs in PUBLISHED_NEEDS.items():
        total = sum(n for (loc, _), n in counts.items() if loc == locality)
        for need, published in needs.items():
            assert counts[(locality, need)] == pytest.approx(published, rel=0.05), (locality, need)
            assert counts[(locality, need)] / total == pytest.approx(published / PUBLISHED_PLANS[locality], abs=0.01)


def test_caseload_grows_like_walsalls_published_series(con):
    """Each year's plans within 5% of Walsall's January caseload in the DfE's own file (2020/21 is the March figure)."""
    path = shared_file("ees/ehcp/ehcp2025_caseload_wm7.csv")
    with open(path, encoding="utf-8-sig") as handle:
        walsall = {
            f"{r['time_period'][:4]}/{r['time_period'][4:]}": int(r["ehcplans"])
            for r in csv.DictReader(handle)
            if r["la_name"] == "Walsall" and r["breakdown_topic"] == "All EHC plans"
        }
    assert walsall["2018/19"] == 2_017 and walsall["2024/25"] == 4_743
    demo = dict(con.execute("SELECT academic_year, SUM(plans) FROM fact_ehcp GROUP BY 1").fetchall())
    assert sorted(demo) == ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
    for year, plans in demo.items():
        assert plans == pytest.approx(walsall[year], rel=0.05), year
    assert all(demo[a] < demo[b] for a, b in zip(sorted(demo), sorted(demo)[1:]))


def _exclusion_ranking(con, kind: str) -> list[str]:
    rates = by_locality(
        con,
        f"""
        WITH ex AS (SELECT a.locality_code, SUM(e.exclusions) n FROM fact_exclusion e JOIN area a ON
        a.area_code = e.home_area_code
                    WHERE e.term = 'Full year' AND e.exclusion_type = '{kind}' GROUP BY 1),
             roll AS (SELECT a.locality_code, SUM(c.pupils) d FROM fact_census c JOIN area a ON a.area_code =
             c.home_area_code GROUP BY 1)
        SELECT l.locality_name, ex.n / roll.d FROM ex JOIN roll USING (locality_code) JOIN locality l USING
        (locality_code)""",
    )
    return sorted(rates, key=rates.get, reverse=True)


def test_locality_ranking_of_exclusion_rates_is_kept(con):
    assert _exclusion_ranking(con, "permanent") == PUBLISHED_PERMANENT_RANKING
    assert _exclusion_ranking(con, "suspension") == PUBLISHED_SUSPENSION_RANKING


def test_absence_is_plausible_and_higher_with_sen_and_deprivation(con):
    overall, persistent, severe = con.execute("""
        SELECT SUM(sessions_missed) / SUM(sessions_possible), SUM(persistent_absentees) / SUM(enrolments),
        SUM(severe_absentees) / SUM(enrolments)
        FROM fact_attendance WHERE term = 'Full year' AND academic_year = '2023/24'""").fetchone()
    assert 0.06 <= overall <= 0.08
    assert 0.17 <= persistent <= 0.23
    assert 0.005 <= severe <= 0.03
    by_sen = by_locality(
        con,
        """SELECT sen_provision, SUM(sessions_missed) / SUM(sessions_possible) FROM fact_attendance
                                 WHERE term = 'Full year' GROUP BY 1""",
    )
    assert by_sen["ehcp"] > by_sen["none"] * 1.3 and by_sen["sen_support"] > by_sen["none"] * 1.3
    by_decile = by_locality(
        con,
        """SELECT a.imd_decile, SUM(persistent_absentees) / SUM(enrolments) FROM fact_attendance f
                                    JOIN area a ON a.area_code = f.home_area_code WHERE term = 'Full year'
                                    GROUP BY 1""",
    )
    assert by_decile[1] > 1.5 * by_decile[10]


def test_the_borough_has_the_shape_of_walsall(con):
    areas, localities, wards = con.execute(
        "SELECT count(*), count(DISTINCT locality_code), count(DISTINCT ward_code) FROM area"
    ).fetchone()
    assert 160 <= areas <= 180 and localities == 4 and wards == 20
    phases = dict(con.execute("SELECT phase, count(*) FROM school GROUP BY 1").fetchall())
    assert set(phases) == {"primary", "secondary", "special", "ap"} and 120 <= sum(phases.values()) <= 140
    assert 12 <= con.execute("SELECT count(*) FROM cluster").fetchone()[0] <= 20
    assert (
        con.execute("SELECT count(DISTINCT academic_year || term) FROM period").fetchone()[0] == 24
    )  # 6 years x (3 terms + year)
    assert con.execute("SELECT count(DISTINCT term) FROM fact_attendance").fetchone()[0] == 4
    assert con.execute("SELECT data_kind FROM load_version").fetchone()[0] == "synthetic"


def test_areas_tile_the_borough_and_localities_are_contiguous(con):
    rows = con.execute(
        "SELECT g.geojson, a.locality_code FROM area_geometry g JOIN area a USING (area_code)"
    ).fetchall()
    frame = gpd.GeoDataFrame(
        {"locality": [r[1] for r in rows]}, geometry=shapely.from_geojson([r[0] for r in rows]), crs=4326
    ).to_crs(27700)
    borough = frame.union_all()
    assert borough.geom_type == "Polygon"  # one piece, no holes between areas
    assert frame.area.sum() == pytest.approx(borough.area, rel=1e-3)  # no overlaps
    assert 80e6 < borough.area < 160e6  # Walsall is about 104 km2
    for locality, part in frame.dissolve("locality").geometry.items():
        assert part.buffer(1).geom_type == "Polygon", f"locality {locality} is in pieces"


def test_the_same_seed_gives_the_same_borough_and_another_seed_a_different_one():
    small = DemoSettings(areas=120, primary_schools=60, secondary_schools=12, special_schools=4, ap_schools=2, years=2)

    def fingerprint(settings):
        borough = generate(settings)
        return hashlib.sha256(
            pd.util.hash_pandas_object(borough.census, index=False).values.tobytes()
            + pd.util.hash_pandas_object(borough.exclusions, index=False).values.tobytes()
        ).hexdigest()

    assert fingerprint(small) == fingerprint(small)
    assert fingerprint(small) != fingerprint(DemoSettings(**{**small.__dict__, "seed": 7}))


def test_synthetic_data_can_sit_on_real_boundaries(second_seed_build):
    shared_file("boundaries/lsoa2021_walsall_E08000030.geojson")
    _, db, boundaries = second_seed_build
    assert boundaries is not None
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM area_geometry").fetchone()[0] == 169
    assert con.execute("SELECT count(*) FROM area WHERE area_code LIKE 'E01%'").fetchone()[0] == 169
    assert (
        con.execute("SELECT count(*) FROM area WHERE area_name LIKE 'Walsall ____'").fetchone()[0] == 169
    )  # e.g. Walsall 001A
    assert con.execute("SELECT SUM(plans) FROM fact_ehcp WHERE academic_year = '2020/21'").fetchone()[0] == 2_662


# Here rather than beside the other attacks (test_relations.py), so the demo with another seed is built in one test
# process only: it is the suite's largest fixture.
def test_a_demo_with_another_seed_passes_both_attackers(second_seed_build):
    published = read_published(second_seed_build[1])
    threshold = read_threshold(second_seed_build[1])
    assert (published["status"] == SUPPRESSED).sum() > 3000
    assert attack(published, threshold) == []
    assert audit(published, threshold) == []


def test_the_need_mix_moves_to_walsalls_2025_mix_and_localities_stay_distinct(con):
    rows = con.execute("""SELECT COALESCE(a.locality_code, 'OOB'), e.primary_need, SUM(e.plans) FROM fact_ehcp e
                          LEFT JOIN area a ON a.area_code = e.home_area_code WHERE e.academic_year = '2024/25'
                          GROUP BY 1, 2""").fetchall()
    frame = pd.DataFrame(rows, columns=["locality", "need", "plans"])
    borough = frame.groupby("need")["plans"].sum()
    for need, published in {"ASD": 877, "SEMH": 1098, "SLCN": 1186}.items():  # Walsall, January 2025 (DfE SEN2)
        assert borough[need] / borough.sum() == pytest.approx(published / 4743, abs=0.02)
    share = frame.pivot(index="need", columns="locality", values="plans").fillna(0)
    share = share / share.sum()
    assert share.loc["SEMH", "N"] > share.loc["SEMH", "SC"] + 0.05  # North keeps its higher SEMH share
