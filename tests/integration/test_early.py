"""Early identification on the Needs page, against a direct recount from the demo's pupil-level extracts."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from dashboard.domain.filters import FilterState
from dashboard.views.board import CHARTS
from dashboard.views.needs import early_absence, early_identification
from layouts.components import render_panel
from layouts.pages import needs as needs_page

YEAR = "2024/25"
RISING = ("2020/21", "2022/23")  # the demo's persistent absence rises after the pandemic years


@pytest.fixture(scope="module")
def extracts(demo_build):
    """The pupil-level extracts with each row's home locality and IDACI decile ('outside' for no home area in the
    borough) and its school's cluster, read with pandas alone."""
    folder, _ = demo_build
    areas = pd.read_csv(folder / "areas.csv", dtype=str)[["area_code", "locality_code", "idaci_decile"]]
    schools = pd.read_csv(folder / "schools.csv", dtype=str)[["urn", "cluster_code"]]

    def read(name: str) -> pd.DataFrame:
        frame = pd.read_csv(folder / name, dtype={"home_area_code": str, "urn": str, "academic_year": str})
        frame = frame.merge(areas, left_on="home_area_code", right_on="area_code", how="left")
        frame = frame.merge(schools, on="urn", how="left")
        return frame.assign(decile=frame["idaci_decile"].fillna("outside"))

    return {name: read(f"{name}.csv") for name in ("census_pupil", "attendance_pupil", "exclusions_pupil")}


def test_identification_by_locality_equals_a_direct_recount_from_the_pupil_rows(queries, extracts):
    census = extracts["census_pupil"]
    census = census[census["academic_year"] == YEAR].assign(
        identified=lambda f: f["sen_provision"].isin(["sen_support", "ehcp"])
    )
    # The borough's share identified in each decile of home, outside the borough a decile of its own.
    share = census.groupby("decile")["identified"].mean()
    frame = queries.identification(FilterState(year=YEAR), "locality").set_index("locality")
    assert set(frame.index) == {"E", "N", "SC", "W"}
    assert (frame["covered"] == 1).all()  # every locality's pupils are shown decile by decile: nothing pooled
    flagged_by_recount = set()
    for locality, pupils in census[census["locality_code"].notna()].groupby("locality_code"):
        observed = pupils["identified"].sum()
        expected = (pupils.groupby("decile").size() * share).dropna().sum()
        assert frame.at[locality, "identified"] == observed
        assert frame.at[locality, "pupils"] == len(pupils)
        assert frame.at[locality, "expected"] == pytest.approx(expected, rel=1e-9)
        # Garwood's exact upper 95% limit on the observed count, over the expected count.
        if stats.chi2.ppf(0.975, 2 * (observed + 1)) / 2 / expected < 1:
            flagged_by_recount.add(locality)
    assert set(frame.index[frame["verdict"] == "lower"]) == flagged_by_recount == {"SC"}


def test_the_flags_are_the_rows_whose_95_upper_limit_is_below_1_and_each_has_its_sentence(queries):
    state = FilterState(year=YEAR)
    panel = early_identification(queries, state)
    table = panel.table
    uppers = table["95% interval"].map(lambda text: float(text.split(" to ")[1]) if text else float("nan"))
    lower = table["Judgement"].str.startswith("Lower")
    assert lower.sum() >= 5
    assert (uppers[lower] < 1).all() and not (uppers[~lower] < 1).any()
    assert len(panel.findings) == lower.sum()
    judged = (table["95% interval"] != "").sum()
    assert panel.summary.startswith(f"{lower.sum()} of {judged} localities, wards, clusters and schools identify")
    # Every figure a sentence quotes is printed in its place's row.
    for finding, (_, row) in zip(panel.findings, table[lower].iterrows()):
        assert finding.startswith(f"{row['Place']}: {row['Identified (%)']}% of pupils identified with SEN against ")
        assert f"{row['Expected given deprivation (%)']}% expected" in finding
        assert f"({row['Times expected']} times expected, 95% interval {row['95% interval']}" in finding
    sc = panel.findings[0]
    assert sc.startswith("South & Central locality: 20.0% of pupils identified with SEN against 21.1% expected")


def test_a_locality_filter_lists_only_its_places_and_names_it_and_pupil_filters_are_set_aside(queries):
    panel = early_identification(queries, FilterState(year=YEAR, locality="N", sen="ehcp"))
    assert set(panel.table["Type"]) == {"Locality", "Ward", "Cluster", "School"}
    assert panel.table.loc[panel.table["Type"] == "Locality", "Place"].tolist() == ["North locality"]
    assert " in North " in panel.summary
    assert any("The SEN provision filter does not apply here" in note for note in panel.notes)
    # The same figures as for all pupils: the SEN filter changes nothing.
    everyone = early_identification(queries, FilterState(year=YEAR, locality="N"))
    pd.testing.assert_frame_equal(panel.table, everyone.table)


def _absence_recount(extracts, year: str, place: str) -> pd.DataFrame:
    """Per place: persistently absent enrolments and enrolments (each pupil's sessions over the year at one school,
    home and SEN record, absent 10% or more), suspensions and pupils on roll."""
    rows = extracts["attendance_pupil"]
    rows = rows[rows["academic_year"] == year]
    keys = ["pupil_id", "urn", "home_area_code", "sen_provision", "primary_need", place]
    year_rows = rows.groupby(keys, dropna=False)[["sessions_possible", "sessions_authorised", "sessions_unauthorised"]]
    enrolments = year_rows.sum().reset_index()
    missed = enrolments["sessions_authorised"] + enrolments["sessions_unauthorised"]
    enrolments["persistent"] = missed >= 0.1 * enrolments["sessions_possible"]
    census = extracts["census_pupil"]
    exclusions = extracts["exclusions_pupil"]
    suspensions = exclusions[(exclusions["academic_year"] == year) & (exclusions["exclusion_type"] == "suspension")]
    return pd.DataFrame(
        {
            "persistent": enrolments.groupby(place)["persistent"].sum(),
            "enrolments": enrolments.groupby(place).size(),
            "suspensions": suspensions.groupby(place).size(),
            "pupils": census[census["academic_year"] == year].groupby(place).size(),
        }
    ).fillna(0)


def test_absence_rising_before_suspensions_by_cluster_equals_a_recount_with_textbook_tests(queries, extracts):
    before, now = RISING
    then, later = _absence_recount(extracts, before, "cluster_code"), _absence_recount(extracts, now, "cluster_code")
    frame = queries.absence_change(FilterState(year=now), "cluster").set_index("cluster")
    assert set(frame.index) == set(later.index)
    flagged = set()
    for cluster in frame.index:
        a, b = then.loc[cluster], later.loc[cluster]
        assert frame.at[cluster, "pa_before_numerator"] == a["persistent"]
        assert frame.at[cluster, "pa_now_denominator"] == b["enrolments"]
        assert frame.at[cluster, "susp_now_numerator"] == b["suspensions"]
        # Persistent absence: the chi-square test of the 2x2 table; suspensions: given both years' suspensions,
        # the later year's share is binomial with its share of the pupils.
        table = [
            [b["persistent"], b["enrolments"] - b["persistent"]],
            [a["persistent"], a["enrolments"] - a["persistent"]],
        ]
        pa_up = stats.chi2_contingency(table, correction=False)[1] < 0.05 and (
            b["persistent"] / b["enrolments"] > a["persistent"] / a["enrolments"]
        )
        total = int(a["suspensions"] + b["suspensions"])
        share = b["pupils"] / (a["pupils"] + b["pupils"])
        susp_up = stats.binomtest(int(b["suspensions"]), total, share).pvalue < 0.05 and (
            b["suspensions"] / b["pupils"] > a["suspensions"] / a["pupils"]
        )
        if pa_up and not susp_up:
            flagged.add(cluster)
    assert frame["susp_now_status"].eq("shown").all()  # every cluster's suspensions are shown: each can be judged
    assert set(frame.index[frame["flagged"]]) == flagged
    assert len(flagged) >= 2


def test_absence_rising_panel_quotes_both_years_and_the_change_from_its_rows(queries):
    before, now = RISING
    panel = early_absence(queries, FilterState(year=now))
    assert panel.title == f"Persistent absence rising before suspensions, {before} to {now}"
    table = panel.table
    flagged = table["Flagged"] != ""
    assert len(panel.findings) == flagged.sum() >= 2
    for finding, (_, row) in zip(panel.findings, table[flagged].iterrows()):
        assert finding.startswith(
            f"{row['Place']}: persistent absence rose from {row[f'Persistent absence {before} (%)']}% in {before} to "
            f"{row[f'Persistent absence {now} (%)']}% in {now} ({row['Change (percentage points)']} percentage points"
        )
        assert row["Persistent absence significantly up"] == "Yes" and row["Suspensions significantly up"] == "No"
        change = float(row[f"Persistent absence {now} (%)"]) - float(row[f"Persistent absence {before} (%)"])
        assert float(row["Change (percentage points)"]) == pytest.approx(change, abs=1e-9)
    # In 2024/25 persistent absence fell everywhere: nothing is flagged, and it says so plainly.
    quiet = early_absence(queries, FilterState(year=YEAR))
    assert quiet.findings == []
    assert quiet.summary == (
        "No locality, ward, cluster or school saw persistent absence rise significantly from 2022/23 to 2024/25 "
        "while its suspensions did not."
    )
    # Two years before the first year loaded there is nothing to compare: a sentence, not a blank.
    first = early_absence(queries, FilterState(year="2019/20"))
    assert first.empty and "not loaded for 2017/18" in first.notes[-1]


def test_the_needs_page_has_the_panel_and_its_callback_renders_the_sentences(queries):
    page = str(needs_page.layout())
    for name in ("early-identification", "early-absence"):
        assert f"'panel': '{name}'" in page
    chart = CHARTS["early-identification"]
    panel = chart(queries, FilterState(year=YEAR))
    rendered = str(render_panel(panel, chart, "?year=2024/25"))
    assert panel.findings[0] in rendered
    # The borough flags more places than a board reads: ten are listed, the rest counted, all marked in the table.
    assert len(panel.findings) > 10 and panel.findings[9] in rendered and panel.findings[10] not in rendered
    assert f"And {len(panel.findings) - 10} more, each marked in the table." in rendered
    assert "/export/early-identification.csv?year=2024/25" in rendered
    assert "/export/early-identification.png" not in rendered  # a table alone: no image to download
