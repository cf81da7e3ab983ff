"""What the Overview, Trends, Needs and Schools callbacks show, checked against direct SQL on the demo warehouse."""

from __future__ import annotations

import dash_ag_grid as dag
import duckdb
import numpy as np
import pytest

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES
from dashboard.domain.stats import difference_p, funnel_limits, trend
from dashboard.domain.status import NO_DATA_MESSAGE, SHOWN
from dashboard.views.map import map_view
from dashboard.views.needs import by_group, need_mix
from dashboard.views.overview import headline_card, locality_table, overview
from dashboard.views.schools import (
    cluster_table,
    display_table,
    funnel_panel,
    grid_summary,
    school_detail,
    school_table,
)
from dashboard.views.trends import trend_panel
from layouts.tables import values_table

THRESHOLD = 4
YEAR = "2024/25"


@pytest.fixture(scope="module")
def sql(demo_build):
    con = duckdb.connect(str(demo_build[1]), read_only=True)
    yield lambda query, *params: con.execute(query, list(params)).fetchall()
    con.close()


def test_headline_cards_match_a_direct_query_and_judge_direction_by_the_measure(queries, sql):
    cards = {c.measure.id: c for c in overview(queries, FilterState(year=YEAR))[0]}
    assert len(cards) == len(MEASURES)
    for year in (YEAR, "2023/24"):
        missed, possible = sql(
            "SELECT SUM(sessions_missed), SUM(sessions_possible) FROM fact_attendance WHERE term = 'Full year' AND "
            "academic_year = ?",
            year,
        )[0]
        if year == YEAR:
            now = 100 * missed / possible
        else:
            before = 100 * missed / possible
    card = cards["absence_rate"]
    assert card.value == f"{now:.1f}%"
    assert card.verdict == ("better" if round(now, 1) < round(before, 1) else "worse") and card.arrow in "▲▼"
    # A change is called better or worse only when the test says chance is unlikely to explain it.
    counts = dict(
        (
            (year, (n, d))
            for year, n, d in sql(
                "SELECT e.academic_year, e.n, c.d FROM (SELECT academic_year, SUM(exclusions) AS n FROM "
                "fact_exclusion WHERE term = 'Full year' "
                "AND exclusion_type = 'suspension' GROUP BY 1) e JOIN (SELECT academic_year, SUM(pupils) AS d FROM "
                "fact_census GROUP BY 1) c USING (academic_year)"
            )
        )
    )
    p_value = difference_p(*counts[YEAR], *counts["2023/24"], "rate")
    rising = counts[YEAR][0] / counts[YEAR][1] > counts["2023/24"][0] / counts["2023/24"][1]
    assert cards["suspension_rate"].verdict == (
        "no significant change" if p_value >= 0.05 else ("worse" if rising else "better")
    )
    assert card.change.endswith("on 2023/24")
    suspensions = sql(
        "SELECT SUM(exclusions) FROM fact_exclusion WHERE term = 'Full year' AND exclusion_type = 'suspension' AND "
        "academic_year = ?",
        YEAR,
    )[0][0]
    assert cards["suspension_rate"].detail.startswith(f"{suspensions:,.0f} suspensions of ")
    # More plans is neither good nor bad: the card says whether the change is more than chance, not which way is good.
    assert cards["ehcp_rate"].verdict in ("a significant change", "no significant change", "no change")
    england = dict(
        sql("SELECT measure, value FROM benchmark WHERE geography_level = 'England' AND academic_year = ?", YEAR)
    )
    assert cards["suspension_rate"].benchmark.startswith(
        f"England (illustrative): {england['suspension_rate']:.2f} per 100 pupils; the borough is "
    )
    assert cards["absence_rate"].benchmark.startswith(f"England (illustrative): {england['absence_rate']:.1f}%")


def test_the_first_year_has_no_comparison(queries):
    card = headline_card(queries, MEASURES["suspension_rate"], FilterState(year="2019/20"))
    assert card.change == "No comparison with 2018/19" and card.verdict == "not comparable"


def test_the_locality_table_is_the_strategys_table_live(queries):
    panel = locality_table(queries, FilterState(measure="ehcp_rate", year="2020/21", locality="N"))
    rows = {row["Locality"]: row for row in panel.table.to_dict("records")}
    assert rows["North (selected)"]["EHC plans"] == "734"
    assert rows["North (selected)"]["EHC plan rate (per 1,000 aged 0-25)"] == "33.0"
    assert rows["South & Central"]["EHC plan rate (per 1,000 aged 0-25)"] == "23.9"
    assert rows["Outside the borough"]["EHC plan rate (per 1,000 aged 0-25)"] == "n/a"
    assert rows["Borough"]["EHC plans"] == "2,662" and rows["Borough"]["EHC plan rate (per 1,000 aged 0-25)"] == "29.0"
    assert (
        # 33.0 / 29.0 = 1.138, as printed
        panel.summary == "North has the highest EHC plan rate, 33.0 per 1,000 aged 0-25, 1.14 times the borough's "
        "(29.0 per 1,000 aged 0-25)."
    )


def test_trends_by_locality_equal_a_direct_query_and_highlight_at_most_four(queries, sql):
    panel = trend_panel(queries, FilterState(measure="persistent_absence", year=YEAR, by="cluster"))
    expected = sql("""SELECT c.cluster_name, f.academic_year, 100.0 * SUM(persistent_absentees) / SUM(enrolments)
                      FROM fact_attendance f JOIN school s USING (urn) JOIN cluster c USING (cluster_code)
                      WHERE term = 'Full year' GROUP BY 1, 2""")
    table = panel.table.set_index("School cluster")
    for cluster, year, value in expected:
        assert table.at[cluster, year] == f"{value:.1f}"
    lines = ("Borough", "Borough 95% interval", "England (illustrative)", "Board target, Borough")
    coloured = [trace for trace in panel.figure.data if trace.showlegend is not False and trace.name not in lines]
    assert (
        len(coloured) == 4 and len(panel.figure.data) == 16 + 3 + 2
    )  # every cluster, the borough, its band, the benchmark and the borough's two targets (the demo's)
    assert all(trace.error_y.array is not None for trace in coloured)  # 95% intervals as whiskers
    assert "other 12 are grey" in " ".join(panel.notes)
    assert panel.summary.startswith("Across the borough the persistent absence")
    # The borough's trend verdict is the chi-square test for trend on the counts themselves.
    counts = sql("""SELECT academic_year, SUM(persistent_absentees), SUM(enrolments) FROM fact_attendance
                    WHERE term = 'Full year' GROUP BY 1 ORDER BY 1""")
    verdict, p_value = trend([c[1] for c in counts], [c[2] for c in counts], "proportion", True)
    assert table.at["Borough", "Trend over these years"].startswith(verdict.capitalize())
    assert f"Trend in the borough: {verdict}" in panel.summary


def test_trends_by_term_have_every_term_and_mark_events(queries):
    panel = trend_panel(queries, FilterState(measure="suspension_rate", year=YEAR, period="term"))
    periods = [c for c in panel.table.columns if c != "Locality"]
    assert len(periods) == 18 and periods[:3] == ["2019/20 Autumn", "2019/20 Spring", "2019/20 Summer"]
    labels = [a.text for a in panel.figure.layout.annotations]
    assert "Restorative practice programme starts" in labels


def test_a_breakdown_that_cannot_apply_says_so(queries):
    panel = trend_panel(queries, FilterState(measure="ehcp_rate", year=YEAR, by="cluster"))
    assert panel.summary == NO_DATA_MESSAGE
    assert "cannot be broken down by school cluster" in panel.notes[-1]
    termly = trend_panel(queries, FilterState(measure="ehcp_rate", year=YEAR, period="term"))
    assert "counted once a year, not by term" in termly.notes[-1]


def test_need_mix_counts_and_shares_equal_a_direct_query(queries, sql):
    panel = need_mix(queries, FilterState(year="2022/23"))
    expected = sql("""SELECT l.locality_name, e.primary_need, SUM(plans), SUM(SUM(plans)) OVER (PARTITION BY
        l.locality_name)
                      FROM fact_ehcp e JOIN area a ON a.area_code = e.home_area_code JOIN locality l USING
                      (locality_code)
                      WHERE academic_year = '2022/23' GROUP BY 1, 2""")
    table = panel.table.set_index("Primary need")
    checked = secondary = 0
    for locality, need, plans, total in expected:
        cell = table.at[need, locality]
        if plans <= THRESHOLD:
            assert cell == "c"
        elif cell == "c":
            secondary += 1  # hidden so that a small cell cannot be found by subtraction
        else:
            assert cell == f"{plans:,.0f} ({100 * plans / total:.1f}%)"
            checked += 1
    assert checked > 30 and secondary < checked
    broad = need_mix(queries, FilterState(year="2022/23"), broad=True)
    assert set(broad.table["Broad area of need"]) >= {"Communication and interaction", "Cognition and learning"}


def test_rates_by_sen_provision_carry_the_ratio_to_pupils_with_no_sen(queries, sql):
    panel = by_group(queries, FilterState(measure="absence_rate", year=YEAR), "sen")
    rows = {r["SEN provision"]: r for r in panel.table.to_dict("records")}
    rate = {
        sen: 100 * n / d
        for sen, n, d in sql(
            """
        SELECT sen_provision, SUM(sessions_missed), SUM(sessions_possible) FROM fact_attendance
        WHERE term = 'Full year' AND academic_year = ? GROUP BY 1""",
            YEAR,
        )
    }
    assert rows["No SEN"]["Times the rate for pupils with no SEN"] == "1.0"
    assert rows["SEN support"]["Times the rate for pupils with no SEN"] == f"{rate['sen_support'] / rate['none']:.1f}"
    assert rows["EHC plan"]["Overall absence (%)"] == f"{rate['ehcp']:.1f}"
    low, high = rows["EHC plan"]["95% confidence interval"].split(" to ")
    assert float(low) <= rate["ehcp"] <= float(high)
    other = by_group(queries, FilterState(measure="ehcp_rate", year=YEAR), "need")
    assert other.title.startswith("Suspension rate by primary need") and "shows the suspension rate" in other.notes[0]


def test_school_grid_values_equal_a_direct_query_and_exports_show_c(queries, sql):
    frame = school_table(queries, FilterState(year=YEAR, phase="secondary")).set_index("URN")
    assert set(frame["Phase"]) == {"Secondary"}
    expected = sql(
        """WITH x AS (SELECT urn, SUM(exclusions) n FROM fact_exclusion WHERE term = 'Full year' AND
            exclusion_type = 'suspension' AND academic_year = ? GROUP BY 1),
                           c AS (SELECT urn, SUM(pupils) d FROM fact_census WHERE academic_year = ? GROUP BY 1)
                      SELECT urn, COALESCE(n, 0), d FROM c LEFT JOIN x USING (urn) JOIN school USING (urn)
                      WHERE phase = 'secondary'""",
        YEAR,
        YEAR,
    )
    assert len(expected) == len(frame) == 20
    for urn, n, d in expected:
        assert frame.at[urn, "pupils"] == d
        assert frame.at[urn, "suspension_rate"] == pytest.approx(100 * n / d)
    everything = school_table(queries, FilterState(year=YEAR))
    shown = display_table(everything, ["URN", "School"])
    column = "Suspension rate (per 100 pupils)"
    hidden = everything["suspension_rate_status"] == "suppressed"
    assert hidden.any() and everything.loc[hidden, "suspension_rate"].isna().all()
    assert (shown.loc[hidden.values, column] == "c").all()
    # Shares with an EHC plan come from the published pupils by school and SEN provision: shown or c, never blank.
    share = everything["% with an EHC plan_status"]
    assert (
        set(share) == {"shown", "suppressed"}
        and (shown.loc[(share == "suppressed").values, "% with an EHC plan"] == "c").all()
    )
    # Permanent exclusions are not published school by school: no column, and the summary says why.
    assert "Permanent exclusion rate (per 100 pupils)" not in shown
    summary = grid_summary(everything, cluster_table(queries, FilterState(year=YEAR)), FilterState(year=YEAR))
    assert "permanent exclusion rate and severe absence are not published school by school" in summary


def test_a_locality_on_the_schools_page_means_where_the_school_is(queries, sql):
    clusters = cluster_table(queries, FilterState(year=YEAR, locality="E"))
    assert set(clusters["Locality"]) == {"East"} and len(clusters) == 4
    pupils = sql(
        """SELECT SUM(pupils) FROM fact_census f JOIN school s USING (urn) JOIN cluster c USING (cluster_code)
                    WHERE c.locality_code = 'E' AND academic_year = ?""",
        YEAR,
    )[0][0]
    assert clusters["pupils"].sum() == pupils


def test_school_detail_compares_with_cluster_and_borough(queries):
    trend, needs = school_detail(queries, FilterState(year=YEAR, measure="absence_rate"), "900111")
    assert trend.title.startswith("Overall absence at ") and trend.title.endswith(", its cluster and the borough")
    assert list(trend.table.iloc[:, 0])[2] == "Borough"
    assert {t.name for t in trend.figure.data} >= {"Borough"}
    # By broad area of need: the registry publishes a school's pupils by broad area, not by each primary need.
    assert needs.summary.startswith("The most common broad area of need among pupils with SEN at")
    missing = school_detail(queries, FilterState(year=YEAR), "123")
    assert missing[0].summary == "There is no school with URN 123 in the data."


def test_empty_selections_say_no_data(queries):
    state = FilterState(year=YEAR, phase="primary", need="PMLD", sen="sen_support", cluster="W3")
    assert trend_panel(queries, state).summary == NO_DATA_MESSAGE
    assert by_group(queries, state, "need").summary == NO_DATA_MESSAGE
    assert school_table(queries, state)["suspension_rate"].isna().all()


def test_the_funnel_compares_each_school_with_its_phase_and_labels_outliers(queries):
    panel = funnel_panel(queries, FilterState(year="2024/25"))
    points = [t for t in panel.figure.data if t.mode == "markers+text"]
    labelled = [text for t in points for text in t.text if text]
    assert labelled, "an outlier beyond the 99.8% limits is named on the plot"
    table = panel.table
    far = table[table["Compared with expected"].str.contains("99.8%")]
    assert set(labelled) == set(far["School"])
    assert set(table["Phase"]) >= {"Primary", "Secondary"}
    assert "schools rest on too few children" in " ".join(panel.notes)
    # The demo's schools differ by more than chance: the limits take that in, and the note says what chance alone
    # would flag.
    note = next(n for n in panel.notes if n.startswith("Schools differ more than chance alone"))
    chance_alone = int(note.split("With limits for chance alone, ")[1].split(" ")[0])
    assert chance_alone > len(far) >= 1
    limit = next(t for t in panel.figure.data if t.name == "99.8% limits (outer)" and max(t.y) > 1)
    assert max(limit.y) > max(funnel_limits(1.0, np.asarray(limit.x), "rate", 0.998)[1])
    # The reader is told how to read it beside the chart, in words that match a widened funnel.
    assert panel.notes[0].startswith("How to read this: each dot is a school")
    assert "chance and the usual spread between schools" in panel.notes[0]


def test_the_funnel_never_places_or_names_a_suppressed_school(queries):
    state = FilterState(year="2024/25")
    cells = queries.rates("suspension_rate", state, ("school", "phase"), school_locality=True)
    names = queries.labels("school")
    hidden = {names[s] for s in cells.loc[cells["status"] == "suppressed", "school"]}
    shown = {names[s] for s in cells.loc[cells["status"] == SHOWN, "school"]}
    assert len(hidden) == 40 and not hidden & shown
    panel = funnel_panel(queries, state)
    assert set(panel.table["School"]) == shown
    drawn = " ".join(" ".join([*t.hovertext, *t.text]) for t in panel.figure.data if t.mode == "markers+text")
    assert not [name for name in hidden if name in drawn]
    assert not [name for name in hidden if name in panel.summary]
    assert f"{len(hidden)} schools rest on too few children to show and are not plotted." in panel.notes


def test_the_funnel_summary_names_the_place_chosen_and_every_school_its_table_flags(queries):
    panel = funnel_panel(queries, FilterState(year="2024/25", locality="N"))
    flagged = panel.table[panel.table["Compared with expected"] != "Similar to expected (within the limits)"]
    assert len(flagged) == 4 and list(flagged.index) == [0, 1, 2, 3]  # flagged schools lead the table
    assert panel.summary.startswith(
        f"4 of {len(panel.table)} schools in North lie beyond the 95% limits around the borough rate for their "
        "phase (4 higher than expected). None is beyond the 99.8% limits. Beyond the 95% limits only: "
    )
    for name in flagged["School"]:
        assert f"{name} (higher)" in panel.summary
    assert panel.headline == f"4 of {len(panel.table)} schools lie beyond the 95% limits for their phase"


def test_the_demo_boards_targets_are_on_the_cards_with_a_status_from_the_interval(queries):
    """The demo's targets (calibration.DEMO_TARGETS), worked by hand against the figures the cards print.

    Suspensions, 2024/25: 4,124 of 45,737 pupils, 9.02 per 100, exact Poisson interval 8.74 to 9.30, wholly above
    "at most 8.50 by 2025/26": off track. Persistent absence, 2024/25: 8,946 of 45,737 enrolments, 19.6%, Wilson
    interval 19.2 to 19.9, wholly under "at most 20.0": on track. In 2022/23 the interval 7.49 to 8.00 includes the
    2022/23 target of 7.50 (too close to call), and persistent absence's 21.6 to 22.4 is wholly under 22.5 (met).
    """
    cards = {c.measure.id: c for c in overview(queries, FilterState(year=YEAR))[0]}
    assert cards["suspension_rate"].target == "at most 8.50 by 2025/26"
    assert cards["suspension_rate"].target_status == "off track"
    assert cards["suspension_rate"].target_text == (
        "Board target for the borough: at most 8.50 by 2025/26 — off track (95% interval 8.74 to 9.30 in 2024/25)"
    )
    assert cards["suspension_rate"].detail.endswith("95% interval 8.74 to 9.30")  # the same interval, shown above
    assert cards["persistent_absence"].target_text == (
        "Board target for the borough: at most 20.0% by 2025/26 — on track (95% interval 19.2 to 19.9 in 2024/25)"
    )
    assert (cards["permanent_rate"].target, cards["permanent_rate"].target_text) == ("", "")
    before = {c.measure.id: c for c in overview(queries, FilterState(year="2022/23"))[0]}
    assert before["suspension_rate"].target_text == (
        "Board target for the borough: at most 7.50 by 2022/23 — too close to call (95% interval 7.49 to 8.00 in "
        "2022/23)"
    )
    assert before["persistent_absence"].target_status == "met"
    north = headline_card(queries, MEASURES["suspension_rate"], FilterState(year=YEAR, locality="N"))
    assert north.target_text == (
        "Board target for North: at most 14.00 by 2025/26 — off track (95% interval 14.74 to 16.23 in 2024/25)"
    )
    # A target is for all pupils: beside secondary pupils' figure it is named, not judged.
    secondary = headline_card(queries, MEASURES["suspension_rate"], FilterState(year=YEAR, phase="secondary"))
    assert secondary.target_status == "not judged for the pupils chosen"


def test_the_locality_table_carries_each_places_target_and_status_and_no_empty_columns_without_one(queries):
    table = locality_table(queries, FilterState(year=YEAR)).table.set_index("Locality")
    # North 15.47 (14.74 to 16.23) against at most 14.00: off track; West 5.35 (4.94 to 5.79) against 6.00: on track.
    assert table.loc["North", ["Board target", "Against the board target"]].tolist() == [
        "at most 14.00 by 2025/26",
        "Off track",
    ]
    assert table.loc["West", ["Board target", "Against the board target"]].tolist() == [
        "at most 6.00 by 2025/26",
        "On track",
    ]
    assert table.loc["Borough", ["Board target", "Against the board target"]].tolist() == [
        "at most 8.50 by 2025/26",
        "Off track",
    ]
    assert table.loc["East", ["Board target", "Against the board target"]].tolist() == ["", ""]
    assert table.at["North", "95% interval"] == "14.74 to 16.23"  # the interval the status was judged on
    permanent = locality_table(queries, FilterState(measure="permanent_rate", year=YEAR)).table
    assert "Board target" not in permanent.columns and "Against the board target" not in permanent.columns


def test_the_trend_draws_the_places_targets_and_its_table_and_summary_carry_them(queries):
    panel = trend_panel(queries, FilterState(year=YEAR, locality="N"))
    table = panel.table.set_index("Locality")
    assert table.at["Borough: board target for 2025/26 (at most)", "2025/26"] == "8.50"
    assert table.at["Borough: board target for 2025/26 (at most)", "Against the board target"] == "off track"
    assert table.at["Borough: board target for 2022/23 (at most)", "2022/23"] == "7.50"
    assert table.at["Borough: board target for 2022/23 (at most)", "Against the board target"] == "too close to call"
    assert table.at["North: board target for 2025/26 (at most)", "2025/26"] == "14.00"
    # Every figure the sentence quotes is in the table: 9.02 and 7.74 (the borough), 15.47 (North).
    assert (table.at["Borough", "2024/25"], table.at["Borough", "2022/23"], table.at["North", "2024/25"]) == (
        "9.02",
        "7.74",
        "15.47",
    )
    assert panel.summary.endswith(
        "Board targets for the borough: at most 7.50 by 2022/23, too close to call (7.74 in 2022/23); at most 8.50 "
        "by 2025/26, off track (9.02 in 2024/25). Board target for North: at most 14.00 by 2025/26, off track "
        "(15.47 in 2024/25)."
    )
    markers = [(t.name, list(t.x), list(t.y), list(t.text)) for t in panel.figure.data if t.name.startswith("Board")]
    assert markers == [
        ("Board target, Borough", ["2022/23"], [7.5], ["Target: at most 7.50 by 2022/23"]),
        ("Board target, Borough", ["2025/26"], [8.5], ["Target: at most 8.50 by 2025/26"]),
        ("Board target, North", ["2025/26"], [14.0], ["Target: at most 14.00 by 2025/26"]),
    ]
    assert list(panel.figure.layout.xaxis.categoryarray)[-1] == "2025/26"  # the axis runs on to the target's year
    termly = trend_panel(queries, FilterState(year=YEAR, period="term"))
    assert not any(t.name.startswith("Board") for t in termly.figure.data)
    assert "Board targets are set for academic years" in " ".join(termly.notes)


def test_a_long_map_table_is_a_virtualised_grid_with_the_same_rows_as_the_html_table(queries):
    view = map_view(queries, FilterState(year=YEAR), with_geometry=False)
    measure = MEASURES[view.measure_id]
    table = values_table(view, measure, "Small area")  # the borough's 170 small areas: a plain table
    caption, head, body = table.children
    html_rows = [[cell.children for cell in row.children] for row in body.children]
    assert len(html_rows) == 171 and html_rows[0][0] == "The whole borough"
    region = values_table(view, measure, "Small area", long_rows=100)  # as a county's thousand would be drawn
    label, grid = region.children
    assert isinstance(grid, dag.AgGrid) and grid.id == "map-grid"
    assert region.role == "region" and label.children == caption.children  # named by the table's caption
    assert [c["headerName"] for c in grid.columnDefs] == [h.children for h in head.children.children]
    fields = [c["field"] for c in grid.columnDefs]
    assert [[row[f] for f in fields] for row in grid.rowData] == html_rows
