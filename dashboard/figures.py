"""Pure figure builders: DataFrame in, plotly Figure (or the parts a Patch replaces) out."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.measures import Measure, sentence_case
from dashboard.queries import NO_DATA, OUTSIDE, SHOWN, SUPPRESSED

# ColorBrewer YlGnBu (the darker five of six classes): sequential and safe for the common forms of
# colour blindness, and its palest class is still clearly apart from white and grey.
SEQUENTIAL = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
# States that are not values get greys and white, far from the sequence, each named in the legend.
STATE_COLOURS = {SUPPRESSED: "#737373", NO_DATA: "#d4d4d4", OUTSIDE: "#ffffff"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
TOPOJSON_URL = "/assets/topojson/"


def class_labels(bins: list[float], measure: Measure) -> list[str]:
    """Words for each colour class, e.g. 'under 2.5', '2.5 to 5.0', '5.0 and over'."""
    fmt = lambda v: f"{v:,.{measure.decimals}f}"  # noqa: E731
    if not bins:
        return ["all values"]
    labels = [f"under {fmt(bins[0])}"]
    labels += [f"{fmt(low)} to under {fmt(high)}" for low, high in zip(bins, bins[1:])]
    labels.append(f"{fmt(bins[-1])} and over")
    return labels


def _classes(values: pd.DataFrame, bins: list[float]) -> np.ndarray:
    """Class index per area: 0..len(bins) for values, then one index per non-value state."""
    value_classes = np.searchsorted(np.asarray(bins, dtype=float), values["value"].to_numpy(float), side="right")
    base = len(bins) + 1
    state_index = {state: base + i for i, state in enumerate(STATE_COLOURS)}
    return np.where(values["status"] == SHOWN, value_classes, values["status"].map(state_index).fillna(base + 1)).astype(int)


def _colourscale(count: int) -> list:
    """Discrete colour scale: one flat band per class, values first, then the states."""
    colours = list(SEQUENTIAL[-count:] if count <= len(SEQUENTIAL) else SEQUENTIAL) + list(STATE_COLOURS.values())
    n = len(colours)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    return scale


def _hover(values: pd.DataFrame, measure: Measure, threshold: int) -> list[str]:
    texts = []
    for row in values.itertuples(index=False):
        head = f"<b>{row.area_name}</b><br>{row.ward_name}, {row.locality_name}"
        if row.status == SHOWN:
            body = (f"{measure.label}: {measure.format(row.value)}<br>"
                    f"{sentence_case(measure.numerator_label)}: {row.numerator:,.0f} of {row.denominator:,.0f} {measure.denominator_label}")
        elif row.status == SUPPRESSED:
            body = f"{measure.label}: c (suppressed: between 1 and {threshold} children)"
        elif row.status == OUTSIDE:
            body = "Outside the chosen locality"
        else:
            body = f"{measure.label}: no data for this selection"
        texts.append(f"{head}<br>{body}")
    return texts


def choropleth_values(values: pd.DataFrame, measure: Measure, bins: list[float], threshold: int) -> dict:
    """The parts of the map that change with filters: sent as a Patch, never with the geometry."""
    labels = class_labels(bins, measure) + ["Suppressed (c)", "No data", "Outside selection"]
    count = len(labels)
    return {
        "z": _classes(values, bins).tolist(),
        "hovertext": _hover(values, measure, threshold),
        "colorscale": _colourscale(len(bins) + 1),
        "zmin": -0.5,
        "zmax": count - 0.5,
        "colorbar": {
            "title": {"text": f"{measure.label}<br>({measure.unit})", "font": {"size": 13}},
            "tickvals": list(range(count)),
            "ticktext": labels,
            "len": 0.9,
            "thickness": 18,
            "outlinewidth": 1,  # so the white 'outside selection' swatch has an edge
            "outlinecolor": "#505050",
        },
    }


def choropleth(geojson: dict, values: pd.DataFrame, measure: Measure, bins: list[float], threshold: int, title: str) -> go.Figure:
    """Small-area choropleth: geometry once, colours from fixed classes, every state named in the legend."""
    parts = choropleth_values(values, measure, bins, threshold)
    figure = go.Figure(
        go.Choropleth(
            geojson=geojson,
            locations=values["area_code"].tolist(),
            featureidkey="id",
            z=parts["z"],
            zmin=parts["zmin"],
            zmax=parts["zmax"],
            colorscale=parts["colorscale"],
            colorbar=parts["colorbar"],
            hovertext=parts["hovertext"],
            hovertemplate="%{hovertext}<extra></extra>",
            marker={"line": {"color": "#505050", "width": 0.4}},
        )
    )
    figure.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    figure.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 16}},
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        height=620,
        font={"family": FONT, "size": 13, "color": "#1b1b1b"},
        paper_bgcolor="#ffffff",
        dragmode=False,
    )
    return figure
