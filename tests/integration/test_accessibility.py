"""Accessibility the server decides: contrast of every chart's marks and text, marks beside colour, the live
region's sentence, tab wiring and the accessibility statement."""

from __future__ import annotations

import pytest
from dash._utils import stringify_id

from dashboard.domain.filters import FilterState, parse_query
from dashboard.domain.measures import MEASURES
from dashboard.domain.reference import EES_SYMBOLS
from dashboard.domain.status import HIDDEN_STATUSES, SHOWN, SUPPRESSED
from dashboard.figures.maps import ARROWS
from dashboard.figures.style import STATE_COLOURS, TITLE_WIDTH, VERDICT_COLOURS, contrast_ratio
from dashboard.views.board import CHARTS
from dashboard.views.map import map_view
from dashboard.views.sentences import views_updated
from layouts.components import dom_id, tab_id, tabpanel_id, tabs

WHITE = "#ffffff"
# Filter sets that between them draw every kind of mark: classes, verdicts, school points, terms, needs, a narrow
# selection with suppressed cells.
STATES = (
    "",
    "?colour=borough&schools=show",
    "?measure=persistent_absence&level=ward&period=term",
    "?measure=ehcp_rate&by=need",
    "?locality=N&sen=ehcp&phase=secondary",
)


def _hex(colour) -> str | None:
    """A #rrggbb colour, or None for what is not one (a list, rgba() bands, 'transparent')."""
    return colour.lower() if isinstance(colour, str) and colour.startswith("#") and len(colour) == 7 else None


def _low_contrast_marks(figure: dict) -> list[str]:
    """Lines, bars and markers that do not reach 3:1 against the white page, where no dark edge gives them one."""
    problems = []
    for trace in figure["data"]:
        name, kind = trace.get("name"), trace["type"]
        edge = _hex((trace.get("marker") or {}).get("line", {}).get("color"))
        edged = edge is not None and contrast_ratio(edge, WHITE) >= 3 and (trace["marker"]["line"].get("width", 1) > 0)
        if kind in ("scatter", "scattergeo") and "lines" in (trace.get("mode") or "lines"):
            line = trace.get("line") or {}
            if line.get("width", 2) > 0 and (colour := _hex(line.get("color"))) and contrast_ratio(colour, WHITE) < 3:
                problems.append(f"{name}: line {colour}")
        colours = (trace.get("marker") or {}).get("color")
        colours = colours if isinstance(colours, list) else [colours]
        if kind in ("bar", "scatter", "scattergeo") and "markers" in (trace.get("mode") or "markers") and not edged:
            for colour in filter(None, map(_hex, colours)):
                if contrast_ratio(colour, WHITE) < 3:
                    problems.append(f"{name}: {kind} mark {colour} without an edge")
        if kind == "choropleth" and not edged:
            problems.append(f"{name}: places without a 3:1 outline")
        for bars in ("error_x", "error_y"):
            if (colour := _hex((trace.get(bars) or {}).get("color"))) and contrast_ratio(colour, WHITE) < 3:
                problems.append(f"{name}: whiskers {colour}")
    return problems


def _low_contrast_text(figure: dict, font: str) -> list[str]:
    """Text set in its own colour that does not reach 4.5:1 on white (bars' inside text: on the bar's colour)."""
    problems = []
    for trace in figure["data"]:
        inside = _hex((trace.get("textfont") or {}).get("color"))
        if trace["type"] == "bar" and inside and "inside" in str(trace.get("textposition")):
            if contrast_ratio(inside, _hex(trace["marker"]["color"]) or WHITE) < 4.5:
                problems.append(f"{trace.get('name')}: inside text {inside}")
        outside = _hex((trace.get("outsidetextfont") or {}).get("color"))
        if outside and contrast_ratio(outside, WHITE) < 4.5:
            problems.append(f"{trace.get('name')}: outside text {outside}")
    for note in figure["layout"].get("annotations", []):
        if (colour := _hex((note.get("font") or {}).get("color"))) and contrast_ratio(colour, WHITE) < 4.5:
            problems.append(f"annotation {note.get('text')}: {colour}")
    if contrast_ratio(font, WHITE) < 4.5:
        problems.append(f"font {font}")
    return problems


@pytest.mark.parametrize("query", STATES)
def test_every_charts_marks_reach_3_to_1_and_its_text_4_5_to_1(queries, query):
    state, messages = parse_query(query, queries.filter_options())
    assert messages == []
    checked = 0
    for chart, build in CHARTS.items():
        panel = build(queries, state)
        if panel is None or panel.figure is None:
            continue
        figure = panel.figure.to_plotly_json()
        font = panel.figure.layout.font.color or panel.figure.layout.template.layout.font.color
        assert _low_contrast_marks(figure) == [], chart
        assert _low_contrast_text(figure, font) == [], chart
        title = panel.figure.layout.title.text or ""
        assert max(len(line) for line in title.split("<br>")) <= TITLE_WIDTH, (chart, title)
        checked += 1
    assert checked >= 3


def test_the_maps_suppressed_places_and_verdicts_carry_a_mark_in_ink_that_reads_on_them(queries):
    state, _ = parse_query("?colour=borough&year=2019/20", queries.filter_options())
    view = map_view(queries, state, with_geometry=False)
    marks = next(t for t in view.patch["traces"] if t["name"] == "marks")
    # Places are named by their feature ids, their positions in the level's list of places.
    codes = queries.place_table("area")["code"]
    printed = dict(zip(codes[marks["locations"]], zip(marks["text"], marks["textfont"]["color"])))
    measure = MEASURES[state.measure]
    assert measure.higher_is_worse is True
    values = view.values.set_index("code")
    seen = set()
    for code, row in values.iterrows():
        if row["status"] == SUPPRESSED:
            expected, fill = "c", STATE_COLOURS[SUPPRESSED]
        elif row["status"] == SHOWN and row["verdict"] in ("better", "worse"):
            expected, fill = ARROWS["above" if row["verdict"] == "worse" else "below"], VERDICT_COLOURS[row["verdict"]]
        else:
            assert code not in printed or row["status"] not in (SHOWN, *HIDDEN_STATUSES), code
            continue
        text, ink = printed[code]
        assert text == expected, code
        assert contrast_ratio(ink, fill) >= 4.5
        seen.add(expected)
    assert seen == {"c", "▲", "▼"}
    # Marks are words and symbols for what the colours already say, never a number a view does not show.
    assert set(marks["text"]) <= {"c", "–", *ARROWS.values(), *EES_SYMBOLS}
    # The legend says what each mark means.
    labels = view.patch["coloraxis"]["colorbar"]["ticktext"]
    assert "Worse than the borough (▲)" in labels and "Better than the borough (▼)" in labels
    assert any(label.startswith("Suppressed (c") for label in labels)


def test_the_live_region_says_which_page_updated_and_for_what(queries):
    options = queries.filter_options()
    state = FilterState(year="2023/24", locality="N")
    assert views_updated("Map", state, options, MEASURES["suspension_rate"]) == (
        "Map updated: suspension rate, 2023/24, North."
    )
    # A label that starts with capitals (EHC) keeps them.
    assert views_updated("Needs", state, options, MEASURES["ehcp_rate"]).startswith("Needs updated: EHC plan rate, ")


def test_each_tab_controls_its_own_panel_by_the_id_dash_gives_it():
    component = tabs("trend", "Trend: chart or table", [("chart", "Chart", "a chart"), ("table", "Table", "a table")])
    tablist, chart, table = component.children
    assert tablist.role == "tablist"
    for button, panel, key in zip(tablist.children, (chart, table), ("chart", "table")):
        assert dom_id(button.id) == stringify_id(tab_id("trend", key))
        assert getattr(button, "aria-controls") == stringify_id(tabpanel_id("trend", key)) == dom_id(panel.id)
        assert getattr(panel, "aria-labelledby") == stringify_id(button.id)
        assert panel.role == "tabpanel"
    assert [getattr(b, "aria-selected") for b in tablist.children] == ["true", "false"]
    assert [b.tabIndex for b in tablist.children] == ["0", "-1"]
    assert (chart.hidden, table.hidden) == (False, True)


def test_the_accessibility_statement_has_the_gov_uk_sections_and_the_contact_set(monkeypatch):
    from layouts.pages import accessibility

    monkeypatch.setenv("ACCESSIBILITY_CONTACT", "inclusion-data@example.gov.uk")
    page = accessibility.layout()
    headings = [c.children for c in page.children if type(c).__name__ in ("H1", "H2", "H3")]
    for section in (
        "Accessibility statement for the Inclusion Dashboard",
        "How accessible this dashboard is",
        "Feedback and contact information",
        "Reporting accessibility problems with this dashboard",
        "Enforcement procedure",
        "Technical information about this dashboard's accessibility",
        "Compliance status",
        "Non-accessible content",
        "What we are doing to improve accessibility",
        "Preparation of this accessibility statement",
    ):
        assert section in headings
    assert "mailto:inclusion-data@example.gov.uk" in str(page)
    monkeypatch.delenv("ACCESSIBILITY_CONTACT")
    assert "mailto:" not in str(accessibility.layout())
