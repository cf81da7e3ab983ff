"""Funnel plot: each school's rate against its size, with 95% and 99.8% limits around the borough rate."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import BOROUGH, HIGHLIGHT, MUTED, _base_layout
from dashboard.filters import FilterState
from dashboard.measures import MEASURES, sentence_case
from dashboard.panels import NO_DATA_MESSAGE, Panel, count_text, rate_text
from dashboard.queries import SHOWN, SOURCE_SYMBOLS, SUPPRESSED, NotApplicable, labels, rates
from dashboard.schools import SCHOOL_MEASURES
from dashboard.stats import funnel_limits, overdispersion, widened_limits
from dashboard.warehouse import Warehouse

# Marker shape and colour together, so the verdict never rests on colour alone.
STYLE = {
    "worse": ("#D55E00", "triangle-up"), "better": (HIGHLIGHT[0], "triangle-down"),
    "higher": ("#D55E00", "triangle-up"), "lower": (HIGHLIGHT[0], "triangle-down"), "similar": (MUTED, "circle"),
}


def _verdict(value, low95, high95, low998, high998, higher_is_worse: bool | None) -> tuple[str, str]:
    """(direction word, how far) for one school: e.g. ('worse', 'beyond 99.8%')."""
    if low998 <= value <= high998 and low95 <= value <= high95:
        return "similar", "within the limits"
    above = value > high95
    word = ("higher" if above else "lower") if higher_is_worse is None else ("worse" if above == higher_is_worse else "better")
    reach = "beyond the 99.8% limit" if (value > high998 or value < low998) else "beyond the 95% limit"
    return word, reach


PLOT_SIZE = (1000, 380)  # the plotting area in pixels on a laptop, near enough to keep names of neighbouring schools apart
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
        boxes = {"top center": (cx - width / 2, cy + 7, cx + width / 2, cy + 7 + height),
                 "bottom center": (cx - width / 2, cy - 7 - height, cx + width / 2, cy - 7),
                 "middle right": (cx + 8, cy - height / 2, cx + 8 + width, cy + height / 2),
                 "middle left": (cx - 8 - width, cy - height / 2, cx - 8, cy + height / 2)}
        clear = [p for p in POSITIONS if not any(_overlap(boxes[p], other) for other in placed)]
        chosen = clear[0] if clear else POSITIONS[0]
        placed.append(boxes[chosen])
        positions.append(chosen)
    return positions


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def funnel_panel(warehouse: Warehouse, state: FilterState, threshold: int) -> Panel:
    """The default way schools are compared: each school against the borough rate for its own phase, by size.

    A school's expected count is its pupils times the borough rate for schools of its phase; the plot shows
    observed / expected against expected, with exact Poisson limits around 1, so small schools get wide
    limits and an AP centre is not held to a primary school's rate.
    """
    requested = MEASURES[state.measure]
    measure = requested if requested.id in SCHOOL_MEASURES else MEASURES["suspension_rate"]
    state = replace(state, measure=measure.id)
    title = f"{measure.label}: each school against schools of its phase, {state.year}"
    notes = [] if requested.id == measure.id else [f"{requested.label} is counted per resident, so schools are compared on the suspension rate."]
    try:
        values = rates(warehouse, measure.id, state, ("school", "phase"), threshold, school_locality=True)
        phase = rates(warehouse, measure.id, state, "phase", threshold, school_locality=True)
    except NotApplicable as reason:
        return Panel(title, NO_DATA_MESSAGE, pd.DataFrame(), notes=notes + [f"{reason}."])
    # Phase rates are compared before suppression would matter: they rest on hundreds of pupils or are left out.
    # The rest of a total that a source does not give school by school belongs to no school and no phase.
    values, phase = values[values["school"].notna()], phase[phase["phase"].notna()]
    phase_rate = (phase["numerator"] / phase["denominator"]).where(phase["status"] == SHOWN)
    values = values.merge(pd.DataFrame({"phase": phase["phase"], "reference": phase_rate}), on="phase", how="left")
    # Where the source gave some schools as a symbol (DfE's x), the phase's own total is unknown: its rate is
    # then worked out from the schools that have a figure, and the note says so.
    given = values["status"].isin(SOURCE_SYMBOLS)
    for name, rows in values[values["reference"].isna() & values["phase"].isin(values.loc[given, "phase"])].groupby("phase"):
        known = rows[rows["status"] == SHOWN]
        if known["denominator"].sum() > 0:
            values.loc[values["phase"] == name, "reference"] = known["numerator"].sum() / known["denominator"].sum()
            notes.append(f"The rate for {labels(warehouse, 'phase').get(name, name).lower()} schools is worked out from the "
                         f"{len(known)} with a figure: the source gives {int(given[values['phase'] == name].sum())} as a symbol.")
    shown = values[(values["status"] == SHOWN) & (values["reference"] > 0)].copy()
    hidden = int((values["status"] == SUPPRESSED).sum())
    if shown.empty:
        return Panel(title, NO_DATA_MESSAGE, pd.DataFrame(), notes=notes)
    names, phases = labels(warehouse, "school"), labels(warehouse, "phase")
    shown["name"] = shown["school"].map(names)
    shown["expected"] = shown["reference"] * shown["denominator"]
    shown["ratio"] = shown["numerator"] / shown["expected"]
    # Schools differ for reasons beyond chance (the pupils they serve); where they differ more than chance allows,
    # the limits take in that spread, so a school is named only when it stands out among schools.
    spread = overdispersion(shown["numerator"], shown["expected"])
    chance_alone = {}
    for level, suffix in ((0.95, "95"), (0.998, "998")):
        low, high = funnel_limits(1.0, shown["expected"], "rate", level)
        chance_alone[suffix] = ((shown["ratio"] < low) | (shown["ratio"] > high)).sum()
        shown[f"low{suffix}"], shown[f"high{suffix}"] = widened_limits(low, high, level, spread.tau2)
    verdicts = [_verdict(r.ratio, r.low95, r.high95, r.low998, r.high998, measure.higher_is_worse) for r in shown.itertuples()]
    shown["word"], shown["reach"] = [v[0] for v in verdicts], [v[1] for v in verdicts]
    if spread.tau2 > 0:
        notes.append(
            f"Schools differ more than chance alone would make them (overdispersion {spread.phi:.1f} times chance across "
            f"{spread.schools} schools, p {'< 0.001' if spread.p_value < 0.001 else f'= {spread.p_value:.3f}'}), as schools "
            "serving different pupils do. The limits are widened by that spread between schools (Spiegelhalter's random-effects "
            f"method), so a school is named only when it stands out among schools. With limits for chance alone, "
            f"{chance_alone['998']} would be beyond the 99.8% limit.")
    shown = shown.sort_values("ratio", ascending=False)

    figure = go.Figure()
    grid = np.geomspace(max(shown["expected"].min() * 0.8, 0.5), shown["expected"].max() * 1.2, 200)
    for level, dash, label in ((0.998, "dash", "99.8% limits"), (0.95, "dot", "95% limits")):
        low, high = widened_limits(*funnel_limits(1.0, grid, "rate", level), level, spread.tau2)
        for i, bound in enumerate((low, high)):
            figure.add_scatter(x=grid, y=bound, mode="lines", line={"color": "#505050", "dash": dash, "width": 1.5},
                               name=label, legendgroup=label, showlegend=i == 0, hoverinfo="skip")
    figure.add_hline(y=1, line={"color": BOROUGH, "width": 2}, annotation_text="Borough rate for the phase", annotation_position="top right")
    named = shown["reach"] == "beyond the 99.8% limit"
    shown["position"] = POSITIONS[0]
    if named.any():  # shown is sorted furthest above first, so the highest ratio keeps its name above it
        shown.loc[named, "position"] = label_positions(shown.loc[named, "expected"], shown.loc[named, "ratio"], list(shown.loc[named, "name"]),
                                                       (grid[0], grid[-1]), (0, max(shown["ratio"].max(), shown["high998"].max())))
    for word, rows in shown.groupby("word", sort=False):
        colour, symbol = STYLE[word]
        outliers = rows["reach"] == "beyond the 99.8% limit"
        figure.add_scatter(
            x=rows["expected"], y=rows["ratio"], mode="markers+text",
            name=f"{sentence_case(word)} than the borough" if word != "similar" else "Within the limits",
            marker={"color": colour, "symbol": symbol, "size": 10, "line": {"color": "#1b1b1b", "width": 1}},
            text=np.where(outliers, rows["name"], ""), textposition=list(rows["position"]), textfont={"size": 11},
            hovertext=[f"<b>{r.name}</b> ({phases.get(r.phase, r.phase)})<br>{measure.label}: {measure.format(r.value)} against "
                       f"{measure.format(r.reference * measure.scale)} for its phase<br>{r.numerator:,.0f} {measure.numerator_label}, "
                       f"{r.expected:,.1f} expected<br>{sentence_case(r.word)} ({r.reach})" for r in rows.itertuples()],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    # Ticks at 1, 2, 5, 10, 20, 50...: plotly's own log ticks print 20 as '2', which reads as two.
    ticks = [m * 10 ** e for e in range(-1, 8) for m in (1, 2, 5) if grid[0] <= m * 10 ** e <= grid[-1]]
    figure.update_xaxes(title={"text": f"{sentence_case(measure.numerator_label)} expected at the borough rate for the phase"}, type="log",
                        tickvals=ticks, ticktext=[f"{t:,g}" for t in ticks])
    figure.update_yaxes(title={"text": "Observed / expected (1 = the borough rate)"}, rangemode="tozero")
    _base_layout(figure, "Points outside the dashed lines are unlikely to be chance" + (" or the usual spread between schools" if spread.tau2 > 0 else "")
                 + "; names mark the furthest.", height=540)

    table = pd.DataFrame({
        "School": shown["name"],
        "Phase": shown["phase"].map(phases),
        f"{measure.label} ({measure.unit})": [rate_text(v, SHOWN, measure) for v in shown["value"]],
        "Borough rate for the phase": [measure.format(v * measure.scale, with_unit=False) for v in shown["reference"]],
        sentence_case(measure.numerator_label): [count_text(v, SHOWN) for v in shown["numerator"]],
        "Expected": [f"{v:,.1f}" for v in shown["expected"]],
        "Compared with the borough": [f"{sentence_case(w)} ({r})" if w != "similar" else "Similar (within the limits)"
                                      for w, r in zip(shown["word"], shown["reach"])],
    })
    far = shown[shown["reach"] == "beyond the 99.8% limit"]
    within = int((shown["word"] == "similar").sum())
    summary = f"{within} of {len(shown)} schools are within the limits around the borough rate for their phase"
    explain = "neither chance nor the usual spread between schools would explain" if spread.tau2 > 0 else "chance alone would rarely explain"
    summary += (f"; {len(far)} {'is' if len(far) == 1 else 'are'} beyond the 99.8% limit, which {explain}, "
                f"led by {far['name'].iat[0]} ({far['word'].iat[0]})." if len(far) else "; none is beyond the 99.8% limit.")
    if hidden:
        notes.append(f"{hidden} schools rest on too few children to show and are not plotted.")
    if given.any():
        notes.append(f"{int(given.sum())} schools the source gives as a symbol (x: not available) are not plotted.")
    return Panel(title, summary, table, figure, notes)
