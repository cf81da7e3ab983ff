"""Trend lines, bars with intervals and stacked shares."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.domain.measures import Measure
from dashboard.domain.reference import EES_SYMBOLS
from dashboard.domain.status import SHOWN, SUPPRESSED
from dashboard.figures.style import (
    BENCHMARK,
    BENCHMARK_DASHES,
    BOROUGH,
    CATEGORY_COLOURS,
    HIGHLIGHT,
    MUTED,
    PATTERNS,
    base_layout,
    line_style,
)


def trend_lines(
    series: pd.DataFrame,
    highlighted: list[str],
    measure: Measure,
    title: str,
    borough: pd.DataFrame | None = None,
    benchmark: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    periods: list[str] | None = None,
    reference_label: str = "",  # the whole area's line: 'Borough', 'County', or the place the filters chose
    styles: dict[str, int] | None = None,
    targets: pd.DataFrame | None = None,
) -> go.Figure:
    """A measure over time: up to four named series in colour, the rest grey, borough and benchmark lines.

    targets (columns period, value, text, name), where given, are the board's targets: a bar marker at the target's
    year and value, labelled in words beside it, so a target is read from its label and never from colour alone.

    periods, when given, is the whole time axis in order (lines may each cover only part of it). styles gives each
    label its place in its breakdown's full list (see line_style), so it keeps its look whatever is highlighted;
    without it the highlighted take the first looks in turn.

    series has columns period, label, value (NaN where suppressed: drawn as a gap), and optionally low and
    high, the 95% interval, drawn as whiskers on the coloured series and as a band around the borough.
    """
    figure = go.Figure()
    if borough is not None and "low" in borough and borough["low"].notna().any():
        figure.add_scatter(
            x=list(borough["period"]) + list(borough["period"][::-1]),
            y=list(borough["high"]) + list(borough["low"][::-1]),
            fill="toself",
            mode="lines",
            line={"width": 1, "color": BENCHMARK, "dash": "dot"},  # the band's edges, drawn so they can be seen
            fillcolor="rgba(27,27,27,0.12)",
            name=f"{reference_label} 95% interval",
            hoverinfo="skip",
        )
    for label, rows in series.groupby("label", sort=False):
        if label in highlighted:
            continue
        figure.add_scatter(
            x=rows["period"],
            y=rows["value"],
            name=label,
            mode="lines",
            line={"color": MUTED, "width": 1},
            legendgroup="others",
            showlegend=False,
            hovertemplate=f"{label}: %{{y:.{measure.decimals}f}}<extra></extra>",
        )
    for i, label in enumerate(highlighted):
        colour, dash, marker = line_style((styles or {}).get(label, i))
        rows = series[series["label"] == label]
        error = None
        if "low" in rows:
            error = {
                "type": "data",
                "symmetric": False,
                "array": (rows["high"] - rows["value"]).tolist(),
                "arrayminus": (rows["value"] - rows["low"]).tolist(),
                "color": colour,
                "thickness": 1.2,
                "width": 3,
            }
        figure.add_scatter(
            x=rows["period"],
            y=rows["value"],
            name=label,
            mode="lines+markers",
            error_y=error,
            line={"color": colour, "width": 3, "dash": dash},
            marker={"symbol": marker, "size": 8},
            hovertemplate=f"{label}: %{{y:.{measure.decimals}f}}<extra></extra>",
        )
    if borough is not None and not borough.empty:
        figure.add_scatter(
            x=borough["period"],
            y=borough["value"],
            name=reference_label,
            mode="lines",
            line={"color": BOROUGH, "width": 2, "dash": "longdash"},
            hovertemplate=f"{reference_label}: %{{y:.{measure.decimals}f}}<extra></extra>",
        )
    if benchmark is not None and not benchmark.empty:
        for i, (label, rows) in enumerate(benchmark.groupby("label", sort=False)):
            figure.add_scatter(
                x=rows["period"],
                y=rows["value"],
                name=label,
                mode="lines",
                line={"color": BENCHMARK, "width": 2, "dash": BENCHMARK_DASHES[i % len(BENCHMARK_DASHES)]},
            )
    named = set()
    for target in targets.itertuples(index=False) if targets is not None else []:
        late = target.period in (periods or [])[len(periods or []) // 2 :]
        figure.add_scatter(
            x=[target.period],
            y=[target.value],
            name=target.name,
            mode="markers+text",
            marker={"symbol": "line-ew-open", "size": 26, "line": {"width": 3, "color": BOROUGH}},
            text=[target.text],
            # The label runs away from the nearer edge, as an event's does, so it stays on the chart.
            textposition="middle left" if late else "middle right",
            textfont={"size": 11},
            cliponaxis=False,
            hovertemplate=f"{target.name}: {target.text}<extra></extra>",
            legendgroup=target.name,
            showlegend=target.name not in named,  # a place's targets share one legend entry
        )
        named.add(target.name)
    for i, event in enumerate(events.itertuples(index=False) if events is not None else []):
        figure.add_shape(vertical_line(event.period, {"color": "#505050", "width": 1, "dash": "dot"}))
        # Alternate heights so labels of neighbouring events do not overprint each other.
        figure.add_annotation(
            x=event.period,
            y=1.0 + 0.07 * (i % 2),
            yref="paper",
            text=event.label,
            showarrow=False,
            # A label runs away from the nearer edge, so it stays on a narrow chart.
            xanchor="right" if event.period in (periods or [])[len(periods or []) // 2 :] else "left",
            yanchor="bottom",
            font={"size": 11},
            bgcolor="rgba(255,255,255,0.85)",
        )
    figure.update_yaxes(title={"text": measure.unit})
    # With the periods known the axis spans them exactly: an event's label must not stretch it (plotly widens an
    # axis to hold its annotations, which on a phone squeezed the lines into half the width).
    axis = {"categoryorder": "array", "categoryarray": periods, "range": [-0.4, len(periods) - 0.6]} if periods else {}
    figure.update_xaxes(type="category", **axis)
    return base_layout(figure, title)


def vertical_line(x, line: dict) -> dict:
    """A line across the whole plot at x (what add_vline draws, built directly: add_vline is slow)."""
    return {"type": "line", "x0": x, "x1": x, "y0": 0, "y1": 1, "xref": "x", "yref": "paper", "line": line}


def bar_chart(
    frame: pd.DataFrame, measure: Measure, title: str, reference: float | None = None, reference_label: str = ""
) -> go.Figure:
    """Horizontal bars of a rate by group (columns label, value, status), suppressed groups named as c."""
    frame = frame.iloc[::-1]  # plotly draws the first row at the bottom
    # A source's own symbol (x, low...) is printed as it is; our suppression as c.
    text = [
        measure.format(v, with_unit=False)
        if s == SHOWN
        else ("c" if s == SUPPRESSED else s if s in EES_SYMBOLS else "no data")
        for v, s in zip(frame["value"], frame["status"])
    ]
    error = None
    if "low" in frame and "high" in frame:
        # 95% confidence interval as whiskers, so a bar resting on few children shows how unsure it is.
        error = {
            "type": "data",
            "symmetric": False,
            "array": (frame["high"] - frame["value"]).fillna(0).tolist(),
            "arrayminus": (frame["value"] - frame["low"]).fillna(0).tolist(),
            "color": "#1b1b1b",
            "thickness": 1.5,
            "width": 4,
        }
    figure = go.Figure(
        go.Bar(
            # Figures sit inside the bar's base, clear of the whiskers at its end; c and 'no data' have no bar to sit
            # in.
            x=frame["value"].fillna(0),
            y=frame["label"],
            orientation="h",
            text=text,
            insidetextanchor="start",
            textposition=["inside" if s == SHOWN else "outside" for s in frame["status"]],
            textfont={"color": "#ffffff"},
            outsidetextfont={"color": "#1b1b1b"},
            marker={"color": HIGHLIGHT[0]},
            hovertemplate="%{y}: %{text}<extra></extra>",
            cliponaxis=False,
            error_x=error,
        )
    )
    if reference is not None and reference == reference:
        figure.add_shape(vertical_line(reference, {"color": BOROUGH, "dash": "dash", "width": 2}))
        figure.add_annotation(
            x=reference,
            y=1,
            yref="paper",
            text=f"{reference_label} {measure.format(reference, with_unit=False)}",
            showarrow=False,
            yanchor="bottom",
        )
    figure.update_xaxes(title={"text": measure.unit})
    figure.update_yaxes(ticksuffix="  ")  # room between a name and 'c' or 'no data' printed beside an empty bar
    return base_layout(figure, title, height=max(260, 60 + 32 * len(frame)))


def share_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Stacked 100% bars: each group's mix of categories (columns group, category, share)."""
    bars = []
    for i, (category, rows) in enumerate(frame.groupby("category", sort=False)):
        # Colour and hatching together, so neighbouring categories differ for every reader.
        # A dark edge on every segment: pale colours (yellow, sky blue) keep a 3:1 boundary with white and each other.
        look = {
            "color": CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)],
            "pattern": {"shape": PATTERNS[i % len(PATTERNS)]},
            "line": {"color": "#1b1b1b", "width": 1},
        }
        bars.append(
            {
                "type": "bar",
                "x": rows["share"].tolist(),
                "y": rows["group"].tolist(),
                "name": category,
                "orientation": "h",
                "marker": look,
                "hovertemplate": f"{category}: %{{x:.1f}}%<extra>%{{y}}</extra>",
            }
        )
    # Built in one go from plain lists: a dozen add_bar calls each validate the whole figure again.
    layout = {
        "barmode": "stack",
        "legend": {"traceorder": "normal", "orientation": "h", "y": -0.3},
        "xaxis": {"title": {"text": "% of plans"}, "range": [0, 100]},
    }
    # A group with no share to draw (its whole is hidden) is marked c, so an empty row is never read as none.
    shares = frame.groupby("group", sort=False)["share"].sum()
    layout["annotations"] = [
        {"x": 0, "y": group, "text": "c", "showarrow": False, "xanchor": "left", "font": {"size": 14}}
        for group, total in shares.items()
        if total == 0
    ]
    figure = go.Figure({"data": bars, "layout": layout})
    return base_layout(figure, title, height=max(300, 120 + 50 * frame["group"].nunique()))
