"""Choropleth maps: geometry once, then colours from fixed classes or verdicts, every state named in the legend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.domain.formatting import interval_text, sentence_case, verdict_text
from dashboard.domain.measures import Measure
from dashboard.domain.reference import EES_SYMBOLS
from dashboard.domain.status import HIDDEN_STATUSES, MISSING_STATUSES, NO_DATA, OUTSIDE, SHOWN, SUPPRESSED
from dashboard.figures.style import FONT, SEQUENTIAL, STATE_COLOURS, VERDICT_COLOURS


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
    return np.where(values["status"] == SHOWN, value_classes, _state_classes(values, len(bins) + 1)).astype(int)


def _state_classes(values: pd.DataFrame, base: int) -> pd.Series:
    """Class index of each place that has no value: suppressed (c, low), no figure (no data, x, z, u), or outside."""
    index = {SUPPRESSED: base, NO_DATA: base + 1, OUTSIDE: base + 2}
    index.update({s: base for s in HIDDEN_STATUSES} | {s: base + 1 for s in MISSING_STATUSES})
    return values["status"].map(index).fillna(base + 1)


def _colourscale(count: int) -> list:
    """Discrete colour scale: one flat band per class, values first, then the states."""
    return _scale(list(SEQUENTIAL[-count:] if count <= len(SEQUENTIAL) else SEQUENTIAL) + list(STATE_COLOURS.values()))


def _scale(colours: list[str]) -> list:
    """One flat band per colour, so each class index maps to exactly one colour."""
    n = len(colours)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    return scale


def _hover(values: pd.DataFrame, measure: Measure, threshold: int, reference_name: str | None = None) -> list[str]:
    texts = []
    for row in values.itertuples(index=False):
        head = f"<b>{row.name}</b><br>{row.context}"
        if row.status == SHOWN:
            body = (
                f"{measure.label}: {measure.format(row.value)}<br>"
                f"{sentence_case(measure.numerator_label)}: {row.numerator:,.0f} of {row.denominator:,.0f} "
                f"{measure.denominator_label}"
            )
            if "low" in values:
                body += f"<br>95% interval: {interval_text(row.low, row.high, measure)}"
            if reference_name and getattr(row, "verdict", ""):
                body += f"<br><b>{verdict_text(row.verdict, reference_name)}</b>"
        elif row.status == SUPPRESSED:
            body = f"{measure.label}: c (suppressed: between 1 and {threshold} children)"
        elif row.status == OUTSIDE:
            body = "Outside the chosen locality"
        elif row.status in EES_SYMBOLS:
            body = f"{measure.label}: {row.status} ({EES_SYMBOLS[row.status]}, in the source data)"
        else:
            body = f"{measure.label}: no data for this selection"
        texts.append(f"{head}<br>{body}")
    return texts


def verdict_order(measure: Measure) -> tuple[str, str, str]:
    """The three verdicts a measure can get, in legend order."""
    return ("lower", "similar", "higher") if measure.higher_is_worse is None else ("better", "similar", "worse")


def _verdict_classes(values: pd.DataFrame, measure: Measure) -> tuple[np.ndarray, list[str]]:
    """Class index per place when colouring by verdict, and the colours: three verdicts, then the states."""
    order = verdict_order(measure)
    verdict_index = values["verdict"].map({v: i for i, v in enumerate(order)})
    shown = (values["status"] == SHOWN) & verdict_index.notna()
    classes = np.where(shown, verdict_index.fillna(0), _state_classes(values, len(order)))
    return classes.astype(int), [VERDICT_COLOURS[v] for v in order]


def choropleth_values(
    values: pd.DataFrame, measure: Measure, bins: list[float], threshold: int, reference_name: str | None = None
) -> dict:
    """The parts of the map that change with filters: sent as a Patch, never with the geometry.

    With reference_name (e.g. 'the borough') places are coloured by their verdict against it, which
    values must then carry (see panels.compare_with); otherwise by the measure's fixed classes.
    """
    present = set(values["status"])
    hidden = ", ".join(["c"] + [s for s in HIDDEN_STATUSES[1:] if s in present])
    missing = ", ".join(s for s in MISSING_STATUSES[1:] if s in present)
    states = [f"Suppressed ({hidden})", f"No data ({missing})" if missing else "No data", "Outside selection"]
    if reference_name:
        classes, colours = _verdict_classes(values, measure)
        labels = [verdict_text(v, reference_name) for v in verdict_order(measure)] + states
        scale, title = (
            _scale(colours + list(STATE_COLOURS.values())),
            f"{measure.label}<br>against {reference_name}<br>(95% interval)",
        )
    else:
        classes, labels = _classes(values, bins), class_labels(bins, measure) + states
        scale, title = _colourscale(len(bins) + 1), f"{measure.label}<br>({measure.unit})"
    count = len(labels)
    return {
        "z": classes.tolist(),
        "hovertext": _hover(values, measure, threshold, reference_name),
        "colorscale": scale,
        "zmin": -0.5,
        "zmax": count - 0.5,
        "colorbar": {
            "title": {"text": title, "font": {"size": 13}},
            "tickvals": list(range(count)),
            "ticktext": labels,
            "len": 0.9,
            "thickness": 18,
            "outlinewidth": 1,  # so the white 'outside selection' swatch has an edge
            "outlinecolor": "#505050",
        },
    }


def school_points(schools: pd.DataFrame, measure: Measure, bins: list[float]) -> go.Scattergeo:
    """Schools as points: area by count, colour by the map's classes; suppressed schools grey, marked c."""
    schools = schools[schools["latitude"].notna()]
    shown = (schools["status"] == SHOWN).to_numpy()
    classes = np.searchsorted(np.asarray(bins, dtype=float), schools["value"].fillna(0).to_numpy(float), side="right")
    colours = list(SEQUENTIAL[-(len(bins) + 1) :]) if len(bins) + 1 <= len(SEQUENTIAL) else list(SEQUENTIAL)
    count = schools["numerator"].where(shown, 0).fillna(0).to_numpy(float)
    size = np.where(shown, 6 + 24 * np.sqrt(count / max(count.max(), 1)), 6)
    by_verdict = "verdict" in schools
    verdicts = schools["verdict"].fillna("").tolist() if by_verdict else [""] * len(schools)
    hover = [
        f"<b>{r.School}</b> ({r.Phase})<br>{measure.label}: {measure.format(r.value)}<br>"
        f"{sentence_case(measure.numerator_label)}: {r.numerator:,.0f} of {r.denominator:,.0f} "
        f"{measure.denominator_label}"
        + (f"<br><b>{verdict_text(v, 'schools of its phase')}</b>" if v and v != "not compared" else "")
        if r.status == SHOWN
        else f"<b>{r.School}</b> ({r.Phase})<br>{measure.label}: c (too few children to show)"
        for r, v in zip(schools.itertuples(index=False), verdicts)
    ]
    if by_verdict:
        colours_by_school = [
            VERDICT_COLOURS.get(v, STATE_COLOURS[NO_DATA]) if ok else STATE_COLOURS[SUPPRESSED]
            for v, ok in zip(verdicts, shown)
        ]
        name = "Schools against schools of their phase (size: count; grey: c)"
    else:
        colours_by_school = [colours[c] if ok else STATE_COLOURS[SUPPRESSED] for c, ok in zip(classes, shown)]
        name = "Schools (size: count; grey: c)"
    return go.Scattergeo(
        lat=schools["latitude"],
        lon=schools["longitude"],
        mode="markers",
        name=name,
        marker={
            "size": size,
            "color": colours_by_school,
            "line": {"color": "#1b1b1b", "width": 1.2},
            "symbol": "circle",
        },
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        showlegend=True,
        customdata=schools["locality_code"].tolist(),  # a click on a school filters to its locality too
    )


def choropleth(
    geojson: dict,
    values: pd.DataFrame,
    measure: Measure,
    bins: list[float],
    threshold: int,
    title: str,
    schools: pd.DataFrame | None = None,
    reference_name: str | None = None,
) -> go.Figure:
    """Small-area choropleth: geometry once, colours from fixed classes (or verdicts), every state in the legend."""
    parts = choropleth_values(values, measure, bins, threshold, reference_name)
    figure = go.Figure(
        go.Choropleth(
            geojson=geojson,
            locations=values["code"].tolist(),
            customdata=values["locality_code"].tolist(),  # a click on a place filters to its locality
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
    if schools is not None and not schools.empty:
        figure.add_trace(school_points(schools, measure, bins))
    figure.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 16}},
        margin={"l": 0, "r": 0, "t": 40, "b": 0},
        height=620,
        font={"family": FONT, "size": 13, "color": "#1b1b1b"},
        paper_bgcolor="#ffffff",
        dragmode=False,
        legend={"orientation": "h", "y": 0, "x": 0},
    )
    return figure


def no_boundaries_figure() -> go.Figure:
    """Stands in for the map when no boundaries were loaded, saying so in words."""
    figure = go.Figure()
    figure.add_annotation(
        text="No small-area boundaries are loaded, so the map cannot be drawn.<br>The table below has the figures.",
        showarrow=False,
        font={"size": 16},
    )
    figure.update_layout(
        xaxis_visible=False, yaxis_visible=False, height=300, font={"family": FONT}, plot_bgcolor="#ffffff"
    )
    return figure
