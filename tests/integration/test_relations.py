"""What a reader can justify beyond sums, tried on real builds by the second attacker (tests/attacker.py).

The attacker is written apart from the protection: it rebuilds every line from the registry's declarations and the
published cells alone, adds the relations (a year's enrolments at least each term's and at most their sum; severe
at most persistent at most enrolments; sessions missed at most possible, possible at most 380 per enrolment; two
counts of the same children as one figure) and solves for the smallest and largest value of every hidden count,
every year. Beside it, each way in that the relations opened before they were protected, with its figures: the
premise read from the fact tables, the route shown open when the counts are protected apart, and closed now.
"""

from __future__ import annotations

import csv
import shutil

import pandas as pd
import pytest

from dashboard.domain.status import SHOWN, SUPPRESSED
from dashboard.ingest.build import load
from dashboard.publish import registry, relations
from dashboard.publish.audit import audit
from dashboard.publish.protect import SOURCE_TABLES, publish
from dashboard.publish.registry import KEY_COLUMNS
from tests.attacker import attack, read_published


@pytest.fixture(scope="module")
def cells(warehouse):
    return warehouse.query("SELECT * FROM published")


@pytest.fixture(scope="module")
def apart(warehouse):
    """The demo's pupil counts of 2019/20 to 2021/22 protected as before the relations: each count on its own (but
    sessions, which still follow the enrolments they describe)."""
    tables = {name: warehouse.query(f"SELECT * FROM {name}") for name in SOURCE_TABLES}
    for name in ("fact_census", "fact_attendance"):
        tables[name] = tables[name][tables[name]["academic_year"].isin(["2019/20", "2020/21", "2021/22"])]
    for name in ("fact_exclusion", "fact_ehcp", "fact_population", "exclusion_reason"):
        tables[name] = None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "RELATIONS", ())
        patch.setattr(relations, "RELATIONS", ())
        return publish(tables, 4).published


def breaks(published, year: str, count: str) -> dict[tuple, tuple[float, float, str]]:
    """The second attacker's breaks in one year's group of counts: (count, family, keys) -> (low, high, kind)."""
    return {
        (found.count, found.family, tuple(sorted(found.keys.items()))): (found.low, found.high, found.kind)
        for found in attack(published, 4, years=[year], counts=[count])
        if found.term is None
    }


def cell_of(published, year: str, count: str, family: str, **keys) -> tuple:
    """A published year cell's (count, family, keys) as the attacker names it, its keys read from the cell itself."""
    mine = published[
        (published["count"] == count)
        & (published["family"] == family)
        & (published["academic_year"] == year)
        & published["term"].isna()
    ]
    for key, value in keys.items():
        mine = mine[mine[key].isna() if value is None else mine[key] == value]
    assert len(mine) == 1, (count, family, keys, len(mine))
    row = mine.iloc[0]
    return (count, family, tuple(sorted((k, row[k]) for k in KEY_COLUMNS if pd.notna(row[k]))))


def test_the_demo_passes_the_second_attacker_in_every_year(cells, queries):
    assert sorted(cells["academic_year"].unique()) == ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
    assert (cells["status"] == SUPPRESSED).sum() > 3000
    assert attack(cells, queries.threshold) == []


def test_a_ward_across_two_localities_is_tied_to_neither(small_demo_build, tmp_path):
    """Localities made of whole wards are the rule, not a promise: a small area's own row may put it elsewhere. A
    ward across two localities carries no locality, is summed into neither, and the protection still holds."""
    extracts = tmp_path / "extracts"
    shutil.copytree(small_demo_build[0], extracts)
    with open(extracts / "areas.csv", newline="") as handle:
        areas = list(csv.DictReader(handle))
    moved = areas[0]
    ward, home = moved["ward_code"], moved["locality_code"]
    moved["locality_code"] = next(a["locality_code"] for a in areas if a["locality_code"] != home)
    with open(extracts / "areas.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(moved))
        writer.writeheader()
        writer.writerows(areas)
    load(extracts, tmp_path / "warehouse.duckdb")
    published = read_published(tmp_path / "warehouse.duckdb")
    wards = published[(published["family"] == "ward") & published["ward"].notna()]
    assert wards.loc[wards["ward"] == ward, "locality"].isna().all()
    assert wards.loc[wards["ward"] != ward, "locality"].notna().all()
    assert attack(published, 4) == []
    assert audit(published, 4) == []


def test_a_year_at_least_each_term_pinned_ap_pupils_with_ehc_plans_and_no_longer_does(warehouse, cells, apart):
    """2021/22: the borough's 45,615 enrolments less primary's 24,276 and secondary's 20,547 leave 792 for AP and
    special, hidden; but every term showed AP 98 and special 694, and a year's pupils are at least each term's, so
    AP was 98 exactly; AP with SEN support (24) and no SEN (70) were shown, so AP with EHC plans was pinned at 4."""
    facts = warehouse.query(
        "SELECT f.term, s.phase, f.sen_provision, sum(f.enrolments) AS n FROM fact_attendance f "
        "JOIN school s USING (urn) WHERE f.academic_year = '2021/22' GROUP BY ALL"
    )
    ap = facts[facts["phase"] == "ap"].groupby("term")["n"].sum()
    assert ap.to_dict() == {"Autumn": 98, "Spring": 98, "Summer": 98, "Full year": 98}
    special = facts[facts["phase"] == "special"].groupby("term")["n"].sum()
    assert set(special) == {694}
    by_sen = facts[(facts["phase"] == "ap") & (facts["term"] == "Full year")].set_index("sen_provision")["n"]
    assert by_sen.to_dict() == {"ehcp": 4, "sen_support": 24, "none": 70}
    # Protected apart, the route is open: the attacker pins the 4 (so this test can fail).
    before = breaks(apart, "2021/22", "enrolments")
    assert before[cell_of(apart, "2021/22", "enrolments", "phase|sen", phase="ap", sen="ehcp")] == (4, 4, "pinned")
    assert before[cell_of(apart, "2021/22", "enrolments", "phase", phase="ap")] == (98, 98, "pinned")
    # Protected together, the terms go with the year (or the year is shown) and nothing narrows the 4.
    mine = cells[
        (cells["count"] == "enrolments") & (cells["academic_year"] == "2021/22") & (cells["family"] == "phase")
    ]
    ap_cells = mine[mine["phase"] == "ap"]
    assert ap_cells["status"].nunique() == 1, ap_cells[["term", "value", "status"]]
    hidden = cells[(cells["academic_year"] == "2021/22") & (cells["status"] == SUPPRESSED)]
    assert len(hidden) > 300
    assert breaks(cells, "2021/22", "enrolments") == {}


@pytest.mark.parametrize(
    ("year", "count", "family", "keys", "before"),
    [
        # AP absentees with EHC plans: capped by AP's enrolments with EHC plans, less the SEN slices shown.
        ("2021/22", "persistent", "phase|sen", {"phase": "ap", "sen": "ehcp"}, (1.0, 2.0, "narrowed")),
        ("2021/22", "severe", "phase|sen", {"phase": "ap", "sen": "ehcp"}, (1.0, 2.0, "narrowed")),
        ("2019/20", "persistent", "phase|sen", {"phase": "ap", "sen": "ehcp"}, (1.0, 3.0, "small")),
        ("2019/20", "severe", "phase|sen", {"phase": "ap", "sen": "ehcp"}, (1.0, 3.0, "small")),
    ],
)
def test_orderings_between_counts_narrowed_hidden_absentees_and_no_longer_do(
    cells, apart, year, count, family, keys, before
):
    """severe <= persistent <= enrolments: protected apart, each of these was narrowed below width 2 or proved
    small; protected together, the second attacker finds none of them, nor any other in the year."""
    assert breaks(apart, year, count)[cell_of(apart, year, count, family, **keys)] == before
    assert breaks(cells, year, count) == {}


def twins(published) -> pd.DataFrame:
    """Every year cell of pupils on roll beside the enrolments cell of the same family, year and keys."""
    keys = ["family", "academic_year", *KEY_COLUMNS]
    years = published[published["term"].isna()].astype({k: object for k in KEY_COLUMNS})
    years[list(KEY_COLUMNS)] = years[list(KEY_COLUMNS)].fillna("")
    pupils = years[years["count"] == "pupils"].set_index(keys)
    enrolments = years[years["count"] == "enrolments"].set_index(keys)
    return pupils.join(enrolments, suffixes=("_pupils", "_enrolments"), how="inner")


def test_pupils_on_roll_and_enrolments_of_the_same_children_are_shown_or_hidden_together(warehouse, cells, apart):
    """2020/21: pupils on roll at AP with SEN support were hidden while their enrolments showed 14. In the demo the
    two count the same children (every pair shown on both sides agrees), so whatever one shows, the other gives."""
    facts = warehouse.query(
        "SELECT (SELECT sum(pupils) FROM fact_census f JOIN school s USING (urn) WHERE f.academic_year = '2020/21' "
        "AND s.phase = 'ap' AND f.sen_provision = 'sen_support') AS pupils, (SELECT sum(enrolments) FROM "
        "fact_attendance f JOIN school s USING (urn) WHERE f.academic_year = '2020/21' AND f.term = 'Full year' "
        "AND s.phase = 'ap' AND f.sen_provision = 'sen_support') AS enrolments"
    ).iloc[0]
    assert facts.to_dict() == {"pupils": 14, "enrolments": 14}
    # Protected apart, pairs still show on one side what the other hides, and the attacker pins each hidden one.
    before = twins(apart)
    mismatched = before[(before["status_pupils"] == SUPPRESSED) & (before["status_enrolments"] == SHOWN)]
    assert len(mismatched) > 0
    for (family, year, *keys), row in mismatched.head(3).iterrows():
        named = tuple(sorted((k, v) for k, v in zip(KEY_COLUMNS, keys) if v != ""))
        value = row["value_enrolments"]
        assert breaks(apart, year, "pupils")[("pupils", family, named)] == (value, value, "pinned")
    # Protected together: every pair has one status, and shown pairs one value.
    both = twins(cells)
    assert len(both) > 4000
    shown = both["status_pupils"] == SHOWN
    assert (both["status_pupils"] == both["status_enrolments"]).all()
    assert (both.loc[shown, "value_pupils"] == both.loc[shown, "value_enrolments"]).all()
    ap = both.xs(("phase|sen", "2020/21"), level=("family", "academic_year"))
    ap = ap[(ap.index.get_level_values("phase") == "ap") & (ap.index.get_level_values("sen") == "sen_support")]
    assert len(ap) == 1 and ap["status_pupils"].iat[0] == ap["status_enrolments"].iat[0]


def test_sessions_shown_beside_hidden_pupils_would_pin_them_so_they_follow_them(warehouse, cells):
    """2021/22, ward X05000017: 2 AP pupils with 760 sessions possible, 15 special with 5,682. A pupil has at most 380
    sessions a year, so shown sessions would give at least 760 / 380 = 2 and 5,682 / 380 > 14, so at least 15; the
    ward's AP and special pupils together are 17 (its total less primary 718 and secondary 624), so both would be
    pinned. Sessions follow the pupils they describe: hidden wherever those are."""
    facts = warehouse.query(
        "SELECT s.phase, sum(f.enrolments) AS pupils, sum(f.sessions_possible) AS sessions FROM fact_attendance f "
        "JOIN school s USING (urn) JOIN area a ON a.area_code = f.home_area_code "
        "WHERE f.academic_year = '2021/22' AND f.term = 'Full year' AND a.ward_code = 'X05000017' GROUP BY s.phase"
    ).set_index("phase")
    assert facts.loc["ap"].tolist() == [2, 760] and facts.loc["special"].tolist() == [15, 5682]
    shown_sessions = cells.copy()
    place = (
        (shown_sessions["academic_year"] == "2021/22")
        & (shown_sessions["family"] == "ward|phase")
        & (shown_sessions["ward"] == "X05000017")
        & shown_sessions["term"].isna()
        & (shown_sessions["count"] == "sessions_possible")
    )
    for phase, sessions in (("ap", 760.0), ("special", 5682.0)):
        shown_sessions.loc[place & (shown_sessions["phase"] == phase), ["value", "status"]] = [sessions, SHOWN]
    found = breaks(shown_sessions, "2021/22", "enrolments")
    for count in ("pupils", "enrolments"):
        assert found[cell_of(cells, "2021/22", count, "ward|phase", ward="X05000017", phase="ap")] == (2, 2, "pinned")
        assert found[cell_of(cells, "2021/22", count, "ward|phase", ward="X05000017", phase="special")] == (
            15,
            15,
            "pinned",
        )
    year = cells[(cells["academic_year"] == "2021/22") & (cells["family"] == "ward|phase") & cells["term"].isna()]
    place = year[(year["ward"] == "X05000017") & (year["phase"] == "ap")].set_index("count")["status"]
    assert place["enrolments"] == SUPPRESSED
    assert place["sessions_possible"] == SUPPRESSED and place["sessions_missed"] == SUPPRESSED
    every = cells.set_index(["count", "family", "academic_year", "term", *KEY_COLUMNS])["status"]
    enrolments = every.xs("enrolments", level="count")
    for sessions in ("sessions_possible", "sessions_missed"):
        theirs = every.xs(sessions, level="count")
        hidden_pupils = enrolments[enrolments == SUPPRESSED].index
        # Sessions missed are not published by school and decile (nothing divides by them there): the hidden
        # enrolments of every family the sessions count has are compared.
        families = theirs.index.get_level_values("family").unique()
        beside = hidden_pupils[hidden_pupils.get_level_values("family").isin(families)]
        assert len(beside) and (theirs.reindex(beside) == SUPPRESSED).all(), sessions


def test_plans_outside_the_borough_by_need_are_no_longer_the_total_less_its_localities(warehouse, cells):
    """2019/20, SLCN: 330 plans in the borough, of which East 70, North 92, South & Central 79 and West 85 live in a
    locality and 4 live outside it. Outside the borough by need is never published, but with every locality shown
    it was the borough less the localities: 330 - 326 = 4, a small count given away. It is protected now as a
    hidden count is: one locality's cell is hidden with it."""
    facts = warehouse.query(
        "SELECT a.locality_code AS locality, sum(f.plans) AS plans FROM fact_ehcp f "
        "LEFT JOIN area a ON a.area_code = f.home_area_code "
        "WHERE f.academic_year = '2019/20' AND f.primary_need = 'SLCN' GROUP BY 1"
    )
    plans = dict(zip(facts["locality"].fillna("outside"), facts["plans"]))
    assert plans == {"E": 70, "N": 92, "SC": 79, "W": 85, "outside": 4}
    slcn = cells[
        (cells["academic_year"] == "2019/20")
        & (cells["count"] == "plans")
        & (cells["need"] == "SLCN")
        & cells["term"].isna()
        & cells["family"].isin(["need", "locality|need"])
    ]
    assert slcn.loc[slcn["family"] == "need", "value"].tolist() == [330]
    outside = cell_of(cells, "2019/20", "plans", "locality|need", need="SLCN", locality=None)
    # Shown every locality (as the protection did before), the attacker pins the outside part at 4.
    every_locality = cells.copy()
    mine = every_locality.index.isin(slcn.index) & every_locality["locality"].notna()
    every_locality.loc[mine, "value"] = every_locality.loc[mine, "locality"].map(plans)
    every_locality.loc[mine, "status"] = SHOWN
    assert breaks(every_locality, "2019/20", "plans")[outside] == (4, 4, "pinned")
    # Now a locality's cell is hidden with it, and nothing of the year's plans can be worked out.
    assert (slcn["status"] == SUPPRESSED).sum() >= 1
    assert outside not in breaks(cells, "2019/20", "plans")
