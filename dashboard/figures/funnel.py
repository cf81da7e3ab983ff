"""The funnel plot's figure: schools against their expected count, limits, and outliers named without overprinting."""

from __future__ import annotations

import numpy as np

from dashboard.figures.style import HIGHLIGHT, MUTED

# Marker shape and colour together, so the verdict never rests on colour alone.
STYLE = {
    "worse": ("#D55E00", "triangle-up"),
    "better": (HIGHLIGHT[0], "triangle-down"),
    "higher": ("#D55E00", "triangle-up"),
    "lower": (HIGHLIGHT[0], "triangle-down"),
    "similar": (MUTED, "circle"),
}
PLOT_SIZE = (
    1000,
    380,
)  # the plotting area in pixels on a laptop, near enough to keep names of neighbouring schools apart
POSITIONS = ("top center", "bottom center", "middle right", "middle left")


def label_positions(x, y, names: list[str], x_range: tuple[float, float], y_range: tuple[float, float]) -> list[str]:
    """Where to print each name beside its point (x on the log axis, y linear) so neighbouring names do not overprint.

    x_range and y_range are the axes' spans. Each name takes the first of above, below, right and left whose box
    (estimated from its length) clears the names already placed; names are placed in the order given, so the
    first (the furthest out) keeps 'above'.
    """
    low, high = np.log10(x_range)
    px = (np.log10(np.asarray(x, float)) - low) / max(high - low, 1e-9) * PLOT_SIZE[0]
    py = (np.asarray(y, float) - y_range[0]) / max(y_range[1] - y_range[0], 1e-9) * PLOT_SIZE[1]
    placed: list[tuple[float, float, float, float]] = []
    positions = []
    for cx, cy, name in zip(px, py, names):
        width, height = 6.5 * len(name), 14
        boxes = {
            "top center": (cx - width / 2, cy + 7, cx + width / 2, cy + 7 + height),
            "bottom center": (cx - width / 2, cy - 7 - height, cx + width / 2, cy - 7),
            "middle right": (cx + 8, cy - height / 2, cx + 8 + width, cy + height / 2),
            "middle left": (cx - 8 - width, cy - height / 2, cx - 8, cy + height / 2),
        }
        clear = [p for p in POSITIONS if not any(_overlap(boxes[p], other) for other in placed)]
        chosen = clear[0] if clear else POSITIONS[0]
        placed.append(boxes[chosen])
        positions.append(chosen)
    return positions


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
