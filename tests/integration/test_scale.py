"""Protection that scales out: the load's systems on dask.distributed give the same publication as in one process."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard.ingest.build import served_tables
from dashboard.publish.engine import Engine
from dashboard.publish.protect import Publication, publish


@pytest.fixture(scope="module")
def in_one_process(small_demo_build) -> tuple[dict, Publication]:
    """The small borough's tables, and their publication protected in this process, each system whole."""
    tables = served_tables(small_demo_build[1])
    return tables, publish(tables, 4, Engine(workers=1))


def test_two_dask_workers_publish_exactly_what_one_process_does(in_one_process):
    tables, one = in_one_process
    alone = Engine(workers=1)
    cluster = Engine(workers=2, in_process=0)
    rows = sum(len(tables[name]) for name in ("fact_census", "fact_attendance"))
    assert alone.describe(rows) == "the loading process"
    assert cluster.describe(rows) == "a local dask cluster of 2 worker processes"

    two = publish(tables, 4, cluster)

    assert len(one.published) > 5_000 and (one.published["status"] == "suppressed").sum() > 100
    # The same values, whatever each process stores its strings in (dask's workers keep pandas' default, Arrow).
    same = {"check_dtype": False, "check_column_type": False, "check_index_type": False}
    pd.testing.assert_frame_equal(one.published.reset_index(drop=True), two.published.reset_index(drop=True), **same)
    pd.testing.assert_frame_equal(one.families, two.families, **same)
    pd.testing.assert_frame_equal(one.relations, two.relations, **same)


def test_a_county_shaped_demo_has_eight_localities_each_following_its_walsall_profile():
    from dashboard.sources.demo.calibration import COUNTY_LOCALITIES, DemoSettings
    from dashboard.sources.demo.people import generate, plan_targets

    settings = DemoSettings(
        areas=160,
        wards=24,
        primary_schools=48,
        secondary_schools=8,
        special_schools=3,
        ap_schools=2,
        clusters_per_locality=2,
        scale=0.25,
        localities=COUNTY_LOCALITIES,
        extent_km=12.0,
        years=2,
    )
    county = generate(settings)

    codes = {"N", "NE", "E", "SE", "S", "SW", "W", "C"}
    assert set(county.areas["locality_code"]) == codes
    assert len(county.clusters) == 16 and set(county.clusters["locality_code"]) == codes
    assert len(county.schools) == 61 and county.schools["school_name"].is_unique
    # Plans: each locality holds a quarter of what its Walsall profile held in 2020/21 (North 734, East 687, West 677).
    year = county.ehcp[county.ehcp["academic_year"] == "2020/21"]
    areas = county.areas.set_index("area_code")["locality_code"]
    plans = year["home_area_code"].map(areas).value_counts()
    targets = plan_targets(2020, settings)
    for code, walsall in (("N", 734), ("SW", 734), ("NE", 687), ("SE", 677)):
        assert plans[code] == targets[code]
        assert abs(plans[code] - walsall / 4) <= 1
    # Suspensions follow the profile: North's (Walsall North, 97.6 per 1,000) above North East's (Walsall East, 54.8).
    rates = {}
    census = county.census[county.census["academic_year"] == "2020/21"]
    suspensions = county.exclusions[
        (county.exclusions["academic_year"] == "2020/21") & (county.exclusions["exclusion_type"] == "suspension")
    ]
    for code in ("N", "NE"):
        pupils = census["home_area_code"].map(areas).eq(code).sum()
        rates[code] = suspensions["home_area_code"].map(areas).eq(code).sum() / pupils
    assert rates["N"] > 1.4 * rates["NE"]
    # Children per small area stay plausible, so a county's map is mostly coloured: at least 40 pupils in nine in ten.
    per_area = census["home_area_code"].value_counts().reindex(county.areas["area_code"], fill_value=0)
    assert (per_area >= 40).mean() >= 0.9


def test_protection_locality_by_locality_then_jointly_passes_the_second_attackers_audit(in_one_process):
    from tests.attacker import attack

    tables, whole = in_one_process
    blocks = publish(tables, 4, Engine(workers=1, blocks_above=0))  # every system locality by locality first

    # The attacker written apart from the protection reads only the published cells, every year and every system.
    assert attack(blocks.published, 4) == []
    # The load report says how each publication was protected: the whole one never mentions localities.
    assert re.search(
        r"; [1-9]\d* of over 0 cells protected locality by locality first, then whole$",
        blocks.publication["method"].iloc[0],
    )
    assert "locality" not in whole.publication["method"].iloc[0]
    # A different way to the same guarantee: some cells are hidden one way and shown the other, about as many (2,140
    # locality by locality against 2,311 whole when written).
    hidden = [_hidden_keys(publication.published) for publication in (whole, blocks)]
    assert hidden[0] != hidden[1]
    assert 0.85 * len(hidden[0]) <= len(hidden[1]) <= 1.1 * len(hidden[0])


def _hidden_keys(published: pd.DataFrame) -> set[tuple]:
    keys = [column for column in published.columns if column not in ("value", "status")]
    hidden = published[published["status"] == "suppressed"][keys].astype(object)
    return set(hidden.where(hidden.notna(), None).itertuples(index=False, name=None))
