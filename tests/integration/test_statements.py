"""Sentences and labels a new user found wrong (issue 19), each with its figures worked out from the fact tables."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest

from dashboard.config import Config
from dashboard.domain.filters import MAP_LEVELS, FilterState
from dashboard.domain.measures import MEASURES
from dashboard.domain.status import SHOWN
from dashboard.views.board import CHARTS
from dashboard.views.map import map_panel, map_view
from dashboard.views.overview import headline_card, locality_table
from dashboard.views.schools import funnel_panel
from dashboard.views.trends import trend_panel

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def sql(demo_build):
    con = duckdb.connect(str(demo_build[1]), read_only=True)
    yield lambda query, *params: con.execute(query, list(params)).fetchall()
    con.close()


@pytest.fixture(scope="module")
def client(demo_build):
    from app import create_app

    return create_app(Config(warehouse_path=demo_build[1])).server.test_client()


# Every school's pupils count in the denominator, those with no suspensions too (hence the census LEFT JOIN).
SUSPENSIONS = (
    "SELECT {group} AS place, 100.0 * SUM(coalesce(e.n, 0)) / SUM(c.pupils) FROM "
    "(SELECT urn, SUM(pupils) AS pupils FROM fact_census WHERE academic_year = ? GROUP BY urn) c LEFT JOIN "
    "(SELECT urn, SUM(exclusions) AS n FROM fact_exclusion WHERE academic_year = ? AND term = 'Full year' "
    "AND exclusion_type = 'suspension' GROUP BY urn) e USING (urn) "
    "JOIN school s USING (urn) JOIN cluster USING (cluster_code) GROUP BY 1"
)


def school_rates(sql, group: str, year: str) -> dict:
    """Suspensions per 100 pupils on roll, by school's URN, cluster or the borough, from the fact tables."""
    return {place: rate for place, rate in sql(SUSPENSIONS.format(group=group), year, year)}


def test_a_schools_exported_trend_is_its_own_beside_its_cluster_and_the_borough(client, sql):
    """/export/school-trend.csv?urn=900097 gave the school's 19.91 on all three rows and called urn unknown."""
    year = "2024/25"
    school = school_rates(sql, "s.urn", year)["900097"]
    cluster_code, cluster = sql(
        "SELECT s.cluster_code, c.cluster_name FROM school s JOIN cluster c USING (cluster_code) WHERE urn = '900097'"
    )[0]
    in_cluster = school_rates(sql, "s.cluster_code", year)[cluster_code]
    borough = school_rates(sql, "'borough'", year)["borough"]
    assert (f"{school:.2f}", cluster, f"{in_cluster:.2f}", f"{borough:.2f}") == (
        "19.91",
        "Wilbury cluster",
        "17.02",
        "9.02",
    )
    response = client.get("/export/school-trend.csv?urn=900097")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    header = rows[""]
    column = header.index(year)
    assert rows["Wilbury cluster"][column] == "17.02" and rows["Borough"][column] == "9.02"
    assert [row[column] for name, row in rows.items() if name not in ("", "Wilbury cluster", "Borough")] == ["19.91"]
    assert "does not know" not in text


def test_trends_in_a_locality_by_cluster_name_the_locality_not_the_borough(queries, sql):
    """locality=W&by=cluster: the reference row and line were West's figures named 'Borough'."""
    west = {
        year: rate
        for year, rate in sql(
            "SELECT c.academic_year, 100.0 * SUM(coalesce(e.n, 0)) / SUM(c.pupils) FROM (SELECT academic_year, urn, "
            "SUM(pupils) AS pupils FROM fact_census GROUP BY 1, 2) c LEFT JOIN (SELECT academic_year, urn, "
            "SUM(exclusions) AS n FROM fact_exclusion WHERE term = 'Full year' AND exclusion_type = 'suspension' "
            "GROUP BY 1, 2) e USING (academic_year, urn) JOIN school s USING (urn) JOIN cluster USING (cluster_code) "
            "WHERE cluster.locality_code = 'W' GROUP BY 1"
        )
    }
    panel = trend_panel(queries, FilterState(year="2024/25", locality="W", by="cluster"))
    table = panel.table.set_index("School cluster")
    assert "Borough" not in table.index
    assert table.at["West", "2019/20"] == f"{west['2019/20']:.2f}" == "2.83"
    assert table.at["West", "2024/25"] == f"{west['2024/25']:.2f}" == "4.95"
    assert panel.summary.startswith("In West the suspension rate rose from 2.83 in 2019/20 to 4.95 per 100 pupils")
    assert "Borough" not in {trace.name for trace in panel.figure.data}
    assert "West" in {trace.name for trace in panel.figure.data}


def test_a_figure_the_trend_summary_quotes_is_in_its_table(queries):
    """locality=W&by=need: need is not recorded for 2019/20, yet the summary quoted West's 2019/20 figure."""
    panel = trend_panel(queries, FilterState(year="2024/25", locality="W", by="need"))
    table = panel.table.set_index("Primary need")
    assert panel.summary.startswith(f"In West the suspension rate rose from {table.at['West', '2019/20']} in 2019/20")
    assert table.at["West", "2019/20"] == "2.88"


def test_the_change_on_the_year_is_the_difference_of_the_printed_figures(queries, sql):
    """The borough's suspension rate: 8.69 in 2023/24 and 9.02 in 2024/25, so 'up 0.33' (it said 'up 0.32')."""
    borough = {
        year: rate
        for year, rate in sql(
            "SELECT e.academic_year, 100.0 * e.n / c.d FROM (SELECT academic_year, SUM(exclusions) AS n "
            "FROM fact_exclusion WHERE term = 'Full year' AND exclusion_type = 'suspension' GROUP BY 1) e "
            "JOIN (SELECT academic_year, SUM(pupils) AS d FROM fact_census GROUP BY 1) c USING (academic_year)"
        )
    }
    assert (f"{borough['2023/24']:.2f}", f"{borough['2024/25']:.2f}") == ("8.69", "9.02")
    assert round(borough["2024/25"] - borough["2023/24"], 2) == 0.32  # the unrounded difference, as it was said
    card = headline_card(queries, MEASURES["suspension_rate"], FilterState(year="2024/25"))
    assert card.value == "9.02" and card.change == "up 0.33 on 2023/24"


def test_a_percentage_against_england_is_said_in_percentage_points(queries, sql):
    """Persistent absence 19.6% against England's 18.5% was 'this is 6% above it'."""
    england = sql(
        "SELECT value FROM benchmark WHERE geography_level = 'England' AND academic_year = '2024/25' "
        "AND measure = 'persistent_absence'"
    )[0][0]
    card = headline_card(queries, MEASURES["persistent_absence"], FilterState(year="2024/25"))
    assert (card.value, f"{england:.1f}") == ("19.6%", "18.5")
    assert "the borough is 1.1 percentage points above England" in card.benchmark
    assert "%" not in card.benchmark.split(";")[1].replace("percentage", "")


def test_a_card_never_says_its_verdict_twice(queries):
    cards = [headline_card(queries, m, FilterState(year="2024/25")) for m in MEASURES.values()]
    for card in cards:
        assert not card.judgement or card.judgement.strip("()") not in card.change, (card.change, card.judgement)
        assert "(up)" not in card.judgement and "(down)" not in card.judgement


def test_the_locality_summary_says_a_ratio_and_its_note_names_the_tables_row(queries):
    panel = locality_table(queries, FilterState(year="2024/25"))
    rows = {row["Locality"]: row for row in panel.table.to_dict("records")}
    north, borough = (
        rows["North"]["Suspension rate (per 100 pupils)"],
        rows["Borough"]["Suspension rate (per 100 pupils)"],
    )
    ratio = float(north) / float(borough)
    assert panel.summary == (
        f"North has the highest suspension rate, {north} per 100 pupils, {ratio:.2f} times the borough's "
        f"({borough} per 100 pupils)."
    )
    assert any(note.startswith("The table's 'Outside the borough' row") for note in panel.notes)
    assert "Outside the borough" in rows


@pytest.mark.parametrize(
    ("filters", "level", "sentence"),
    [
        ({"sen": "ehcp"}, "ward", "Shown by ward: small areas are not published with the SEN provision chosen."),
        ({"phase": "primary"}, "ward", "Shown by ward: small areas are not published with the phase chosen."),
        (
            {"need": "ASD"},
            "locality",
            "Shown by locality: small areas and wards are not published with the need type chosen.",
        ),
    ],
)
def test_the_map_draws_the_finest_level_published_and_says_so(queries, filters, level, sentence):
    """The map at its default small-area level went all grey as soon as a slice of pupils was chosen."""
    state = FilterState(year="2024/25", **filters)
    view = map_view(queries, state, with_geometry=False)
    assert view.level == level and view.note.startswith(sentence)
    assert (view.values["status"] == SHOWN).any()
    assert f"by {MAP_LEVELS[level].one.lower()}, 2024/25" in view.title
    # The export and the board pack draw the same level, their table named by it.
    panel = map_panel(queries, state)
    assert panel.table.columns[0] == MAP_LEVELS[level].one and sentence in panel.notes[0]


def test_the_funnel_summary_counts_what_its_table_marks(queries):
    """It said '2 are beyond the 99.8% limit' beside about 10 schools marked worse than the borough."""
    panel = funnel_panel(queries, FilterState(year="2024/25"))
    marks = panel.table["Compared with expected"]
    higher = marks.str.startswith("Higher than expected").sum()
    far = marks == "Higher than expected (beyond the 99.8% limits)"
    within = (marks == "Similar to expected (within the limits)").sum()
    assert (within, higher, far.sum()) == (77, 10, 2)
    first, second = panel.table.loc[far, "School"]
    assert panel.summary == (
        f"{higher} of {len(marks)} schools lie beyond the 95% limits around the borough rate for their phase "
        f"({higher} higher than expected). Beyond the 99.8% limits, which neither chance nor the usual spread "
        f"between schools would explain: {first} (higher) and {second} (higher). The other 8, beyond the 95% limits "
        "only, are named in the table."
    )
    assert panel.headline == f"{higher} of {len(marks)} schools lie beyond the 95% limits for their phase"


def test_a_view_published_at_no_level_is_left_out_of_the_pack_and_meeting_with_a_line(client, queries):
    """The board pack printed a blank funnel page ('No data for this selection') for a need type."""
    from dashboard.exports.pack import build_pack

    # Suspensions by need type are published for localities and the borough, never school by school.
    pack = build_pack(queries, "?year=2024/25&need=ASD")
    charts = [slide.chart for slide in pack.slides]
    assert "funnel" not in charts and "map" in charts and "trend" in charts
    assert all(not slide.panel.empty for slide in pack.slides)
    assert len(pack.left_out) == 1 and pack.left_out[0].startswith(
        "Left out: Suspension rate: each school against schools of its phase"
    )
    assert "not published" in pack.left_out[0]
    # Meeting mode follows the same sequence and says the same on its first slide.
    page = client.get("/meeting?year=2024/25&need=ASD").get_data(as_text=True)
    assert 'data-chart="funnel"' not in page and 'data-chart="map"' in page
    assert "Left out: Suspension rate: each school against schools of its phase" in page


def test_dates_are_words_and_the_version_goes_only_where_a_paper_is_traced(client, queries):
    """The header showed 'version 20261202-053550-6237510b', which means nothing to a board member."""
    from dashboard.domain.formatting import MONTHS
    from dashboard.exports.caption import caption_for

    info = queries.info()
    year, month, day = (int(part) for part in info.loaded_at[:10].split("-"))
    words = f"loaded on {day} {MONTHS[month - 1]} {year}."
    caption = caption_for(queries, FilterState(year="2024/25"), "Map", [], CHARTS["map"])
    assert caption.as_of.endswith(words) and info.version not in caption.as_of
    # A file carries the version, so a paper can be traced to its load; the projector's bar does not.
    assert caption.lines[-1] == f"{caption.as_of} Version {info.version}."
    bar = client.get("/meeting?year=2024/25").get_data(as_text=True).split('class="meeting-bar__status">')[1]
    assert words in bar.split("</p>")[0] and info.version not in bar.split("</p>")[0]
    # The map's caption names the level drawn, not the one asked for.
    drawn = caption_for(queries, FilterState(year="2024/25", sen="ehcp"), "Map", [], CHARTS["map"])
    assert drawn.filters.endswith("; map by ward")
