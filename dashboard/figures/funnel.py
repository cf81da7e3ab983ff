"""The funnel plot's figure: schools against their expected count, limits, and outliers named without overprinting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.domain.formatting import sentence_case
from dashboard.domain.funnel import BEYOND_998, Comparison, limits, verdict_text
from dashboard.domain.measures import Measure
from dashboard.figures.style import BOROUGH, HIGHLIGHT, MUTED, base_layout

# Marker shape and colour together, so the verdict never rests on colour alone.
STYLE = {
    "worse": ("#D55E00", "triangle-up"),
    "better": (HIGHLIGHT[0], "triangle-down"),
    "higher": ("#D55E00", "triangle-up"),
    "lower": (HIGHLIGHT[0], "triangle-down"),
    "similar": (MUTED, "circle"),
}
# The plotting area in pixels on a laptop, near enough to keep names of neighbouring schools apart.
PLOT_SIZE = (1000, 380)
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


def funnel_figure(
    shown: pd.DataFrame, measure: Measure, tau2: float, phases: dict[str, str], comparison: Comparison
) -> go.Figure:
    """Each school's observed / expected against its expected count, with 95% and 99.8% limits widened by tau2.

    shown has one row per school: name, phase, value, numerator, expected, ratio, high998, direction (higher,
    lower, similar), word (better, similar, worse...) and reach (which limits it lies beyond), sorted furthest above
    first. comparison gives the words: what each school's expected count assumes, for the axes, the line at 1 and
    the hover text.
    """
    shown = shown.copy()
    figure = go.Figure()
    grid = np.geomspace(max(shown["expected"].min() * 0.8, 0.5), shown["expected"].max() * 1.2, 200)
    for level, dash, label in ((0.998, "dash", "99.8% limits (outer)"), (0.95, "dot", "95% limits (inner)")):
        for i, bound in enumerate(limits(grid, level, tau2)):
            figure.add_scatter(
                x=grid,
                y=bound,
                mode="lines",
                line={"color": "#505050", "dash": dash, "width": 1.5},
                name=label,
                legendgroup=label,
                showlegend=i == 0,
                hoverinfo="skip",
            )
    # The line at 1 is named in the legend rather than on the plot, where its label overprinted schools' dots.
    figure.add_scatter(
        x=[grid[0], grid[-1]],
        y=[1, 1],
        mode="lines",
        line={"color": BOROUGH, "width": 2},
        name=f"1 = {comparison.its}",
        hoverinfo="skip",
    )
    named = shown["reach"] == BEYOND_998
    shown["position"] = POSITIONS[0]
    if named.any():  # shown is sorted furthest above first, so the highest ratio keeps its name above it
        shown.loc[named, "position"] = label_positions(
            shown.loc[named, "expected"],
            shown.loc[named, "ratio"],
            list(shown.loc[named, "name"]),
            (grid[0], grid[-1]),
            (0, max(shown["ratio"].max(), shown["high998"].max())),
        )
    for word, rows in shown.groupby("word", sort=False):
        colour, symbol = STYLE[word]
        direction = rows["direction"].iat[0]
        outliers = rows["reach"] == BEYOND_998
        figure.add_scatter(
            x=rows["expected"],
            y=rows["ratio"],
            mode="markers+text",
            name=(
                "Within the 95% limits"
                if word == "similar"
                else f"{sentence_case(direction)} than expected (beyond the 95% limits)"
            ),
            marker={"color": colour, "symbol": symbol, "size": 10, "line": {"color": "#1b1b1b", "width": 1}},
            text=np.where(outliers, rows["name"], ""),
            textposition=list(rows["position"]),
            textfont={"size": 11},
            hovertext=[
                f"<b>{r.name}</b> ({phases.get(r.phase, r.phase)})<br>{measure.label}: {measure.format(r.value)}"
                f"<br>{r.numerator:,.0f} {measure.numerator_label}, {r.expected:,.1f} expected at {comparison.its}"
                f"<br>{r.ratio:,.2f} times expected: {verdict_text(r.direction, r.reach).lower()}"
                for r in rows.itertuples()
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    # Ticks at 1, 2, 5, 10, 20, 50...: plotly's own log ticks print 20 as '2', which reads as two.
    ticks = [m * 10**e for e in range(-1, 8) for m in (1, 2, 5) if grid[0] <= m * 10**e <= grid[-1]]
    figure.update_xaxes(
        title={"text": comparison.x_title(measure.numerator_label)},
        type="log",
        tickvals=ticks,
        ticktext=[f"{t:,g}" for t in ticks],
    )
    # Two lines, so the title is not cut at the plot's height: the words, then what 1 means.
    figure.update_yaxes(title={"text": comparison.y_title.replace(" (", "<br>(", 1)}, rangemode="tozero")
    base_layout(
        figure,
        "Dots beyond the dashed lines are very unlikely to be chance"
        + (" or the usual spread between schools" if tau2 > 0 else "")
        + "; names mark them.",
        height=540,
    )
    return figure
