"""Figure helpers that need no data: where the funnel plot prints its outliers' names, its words and marks."""

from __future__ import annotations

import numpy as np


def test_names_of_neighbouring_outliers_are_placed_apart():
    from dashboard.figures.funnel import label_positions

    # Two schools almost on top of each other, and one far away.
    x, y = np.array([40.0, 41.0, 900.0]), np.array([2.5, 2.45, 0.2])
    names = ["Abbey Primary School", "Alumwell Junior School", "Far Away Academy"]
    positions = label_positions(x, y, names, (3, 1000), (0, 3))
    assert positions[0] == "top center" and positions[1] != "top center" and positions[2] == "top center"
    # Apart, both keep the place above their point.
    assert label_positions(np.array([5.0, 900.0]), np.array([0.1, 2.5]), names[:2], (3, 1000), (0, 3)) == [
        "top center",
        "top center",
    ]


def _panel(comparison=None):
    from dashboard.domain.funnel import BOROUGH_PHASE
    from dashboard.domain.measures import MEASURES
    from dashboard.views.schools import compared_panel
    from tests.unit.test_funnel import schools_in_east

    measure = MEASURES["suspension_rate"]
    return compared_panel("Title", schools_in_east(), measure, comparison or BOROUGH_PHASE, "East", {}, [])


def test_the_funnels_axes_say_in_words_what_they_measure():
    figure = _panel().figure
    assert figure.layout.yaxis.title.text == "Times the borough rate for its phase<br>(1 = the same rate, 2 = twice it)"
    assert figure.layout.xaxis.title.text == (
        "Suspensions expected at the borough rate for its phase (grows with the school's size)"
    )
    line = next(t for t in figure.data if t.name == "1 = the borough rate for its phase")
    assert list(line.y) == [1, 1] and line.mode == "lines"
    assert figure.layout.xaxis.type == "log"


def test_the_funnels_words_come_from_the_comparison_its_caller_chose():
    from dashboard.domain.funnel import Comparison

    deprivation = Comparison(
        "the rate expected given deprivation", "the rate expected given deprivation", "given deprivation"
    )
    figure = _panel(deprivation).figure
    assert figure.layout.yaxis.title.text == (
        "Times the rate expected given deprivation<br>(1 = the same rate, 2 = twice it)"
    )
    assert figure.layout.xaxis.title.text.startswith("Suspensions expected at the rate expected given deprivation")


def test_the_markers_outside_the_drawn_limits_are_the_schools_the_table_flags():
    panel = _panel()
    figure, table = panel.figure, panel.table
    inner = [t for t in figure.data if t.name == "95% limits (inner)"]
    outer = [t for t in figure.data if t.name == "99.8% limits (outer)"]

    def outside(lines, x, y):
        # The lines are drawn on a log x axis: read them between grid points there.
        bounds = [np.interp(np.log(x), np.log(np.asarray(t.x)), np.asarray(t.y)) for t in lines]
        return y < min(bounds) or y > max(bounds)

    markers = [t for t in figure.data if t.mode == "markers+text"]
    placed = [
        (text.split("<b>")[1].split("</b>")[0], x, y, label)
        for t in markers
        for x, y, text, label in zip(t.x, t.y, t.hovertext, t.text)
    ]
    assert len(placed) == len(table) == 24
    flagged = table.loc[table["Compared with expected"] != "Similar to expected (within the limits)", "School"]
    assert {name for name, x, y, _ in placed if outside(inner, x, y)} == set(flagged)
    assert set(flagged) == {"Ash Primary", "Birch Primary", "Damson Primary"}
    far = {name for name, x, y, _ in placed if outside(outer, x, y)}
    assert far == {"Birch Primary"} == set(table.loc[table["Compared with expected"].str.contains("99.8%"), "School"])
    # Only the school beyond the 99.8% limits carries its name on the plot.
    assert {label for *_, label in placed if label} == {"Birch Primary"}
    # Shapes as well as colour: triangles up above, down below, circles within, each named in the legend.
    symbols = {t.name: t.marker.symbol for t in markers}
    assert symbols == {
        "Higher than expected (beyond the 95% limits)": "triangle-up",
        "Lower than expected (beyond the 95% limits)": "triangle-down",
        "Within the 95% limits": "circle",
    }
