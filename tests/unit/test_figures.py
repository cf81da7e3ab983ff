"""Figure helpers that need no data: where the funnel plot prints its outliers' names."""

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
