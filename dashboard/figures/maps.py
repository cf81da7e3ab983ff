"""Choropleth maps: geometry once, then colours from fixed classes or verdicts, every state named in the legend."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from dashboard.domain.formatting import sentence_case, verdict_text
from dashboard.domain.measures import Measure
from dashboard.domain.reference import EES_SYMBOLS
from dashboard.domain.status import HIDDEN_STATUSES, MISSING_STATUSES, NO_DATA, OUTSIDE, SHOWN, SUPPRESSED
from dashboard.figures.style import (
    FONT,
    SEQUENTIAL,
    STATE_COLOURS,
    VERDICT_COLOURS,
    ink_on,
    message_figure,
    wrap_title,
)


def value_classes(bins: list[float]) -> int:
    """How many colour classes the values take: none where the measure has no figure at the level (no bins)."""
    return len(bins) + 1 if bins else 0


def class_labels(bins: list[float], measure: Measure) -> list[str]:
    """Words for each colour class, e.g. 'under 2.5', '2.5 to 5.0', '5.0 and over'."""
    fmt = lambda v: f"{v:,.{measure.decimals}f}"  # noqa: E731
    if not bins:
        return []  # no figures at this level: the legend lists only the states, and the note says why
    labels = [f"under {fmt(bins[0])}"]
    labels += [f"{fmt(low)} to under {fmt(high)}" for low, high in zip(bins, bins[1:])]
    labels.append(f"{fmt(bins[-1])} and over")
    return labels


class _Statuses:
    """Each place's status as a small whole number: a map compares a thousand places' statuses a dozen ways in every
    request, and comparing whole numbers costs a fraction of comparing strings."""

    def __init__(self, status: np.ndarray):
        self.codes, found = pd.factorize(status)
        self.code = {value: k for k, value in enumerate(found.tolist())}

    def isin(self, *wanted: str) -> np.ndarray:
        """True for each place whose status is one of wanted."""
        mask = np.zeros(len(self.codes), dtype=bool)
        for value in wanted:
            if value in self.code:
                mask |= self.codes == self.code[value]
        return mask

    @property
    def symbol(self) -> np.ndarray:
        """True for each place with a source's symbol other than c (low, x, z, u)."""
        return self.isin(*(s for s in EES_SYMBOLS if s != "c"))


def _classes(values: pd.DataFrame, bins: list[float], status: _Statuses) -> np.ndarray:
    """Class index per area: 0..len(bins) for values, then one index per non-value state."""
    classes = np.searchsorted(np.asarray(bins, dtype=float), values["value"].to_numpy(float), side="right")
    return np.where(status.isin(SHOWN), classes, _state_classes(status, value_classes(bins))).astype(int)


def _state_classes(status: _Statuses, base: int) -> np.ndarray:
    """Class index of each place that has no value: suppressed (c, low), no figure (no data, x, z, u), or outside."""
    return np.select([status.isin(*HIDDEN_STATUSES), status.isin(OUTSIDE)], [base, base + 2], base + 1)


def _scale(colours: list[str]) -> list:
    """One flat band per colour, so each class index maps to exactly one colour."""
    n = len(colours)
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    return scale


def verdict_order(measure: Measure) -> tuple[str, str, str]:
    """The three verdicts a measure can get, in legend order."""
    return ("lower", "similar", "higher") if measure.higher_is_worse is None else ("better", "similar", "worse")


def _verdict_classes(verdict_index: np.ndarray, measure: Measure, status: _Statuses) -> tuple[np.ndarray, list[str]]:
    """Class index per place when colouring by verdict (verdict_index: _verdict_index), and the colours: three
    verdicts, then the states."""
    order = verdict_order(measure)
    shown = status.isin(SHOWN) & (verdict_index >= 0)
    classes = np.where(shown, verdict_index, _state_classes(status, len(order)))
    return classes.astype(int), [VERDICT_COLOURS[v] for v in order]


def _verdict_index(values: pd.DataFrame, order: tuple[str, ...]) -> np.ndarray:
    """Each place's verdict as its position in order, -1 for none: what indexes the verdicts' colours and arrows."""
    verdict = values["verdict"].to_numpy(object)
    return np.select([verdict == v for v in order], list(range(len(order))), -1)


# Places are drawn in one layer per kind of figure, so each layer's hover text is one template over the places' own
# properties (sent once, with the boundaries) and a few numbers: a filter change sends no sentences. Places are named
# by their feature ids (small numbers, see map_geojson). Outside a chosen locality the map draws the other localities
# whole, beneath the rest, rather than each of their places: a filter change then sends a handful of them, not
# thousands.
LAYERS = ("outside", "shown", "suppressed", "symbol", "no data")
HEAD = "<b>%{properties.name}</b><br>%{properties.context}<br>"


def _layers(status: _Statuses) -> np.ndarray:
    """Which layer each place is drawn in: outside the selection (not drawn), its figure, c, a source's symbol, no
    data."""
    return np.select(
        [status.isin(OUTSIDE), status.isin(SHOWN), status.isin(SUPPRESSED), status.symbol], [0, 1, 2, 3], 4
    )


def _templates(measure: Measure, reference_name: str | None) -> list[str]:
    """Hover templates for the five layers, in LAYERS order."""
    places = measure.decimals
    unit = "%" if measure.unit == "%" else f" {measure.unit}"
    shown = (
        f"{HEAD}{measure.label}: %{{customdata[0]:,.{places}f}}{unit}<br>"
        f"{sentence_case(measure.numerator_label)}: %{{customdata[1]:,.0f}} of %{{customdata[2]:,.0f}} "
        f"{measure.denominator_label}<br>95% interval: %{{customdata[3]:,.{places}f}} to "
        f"%{{customdata[4]:,.{places}f}}" + ("<br><b>%{text}</b>" if reference_name else "")
    )
    return [
        f"{HEAD}Outside the chosen locality",
        shown,
        f"{HEAD}{measure.label}: c (too few children to show, or hidden so a small number cannot be worked out)",
        f"{HEAD}{measure.label}: %{{text}}",
        f"{HEAD}{measure.label}: no data for this selection",
    ]


def choropleth_values(
    values: pd.DataFrame,
    measure: Measure,
    bins: list[float],
    geojson: dict | str,
    reference_name: str | None = None,
    schools: pd.DataFrame | None = None,
    school_layer: bool = False,
    localities: tuple[dict | str, pd.Index] | None = None,
) -> dict:
    """The map's layers (traces as dicts, schools last if given) and colour axis: all a filter change sends.

    geojson is the boundaries or the address they are served at; localities the localities' boundaries (or their
    address) and the localities' codes in feature-id order, to draw the localities outside a chosen one. With
    reference_name (e.g. 'the borough') places are coloured by their verdict against it, which values must then
    carry (see compare_with); otherwise by the measure's fixed classes.
    """
    status = values["status"].to_numpy(object)
    kinds = _Statuses(status)
    present = kinds.code
    hidden = ", ".join(["c"] + [s for s in HIDDEN_STATUSES[1:] if s in present])
    missing = [s for s in MISSING_STATUSES[1:] if s in present]
    # In brackets, the marks printed on such places (_marks), so the legend reads without its colours.
    states = [f"Suppressed ({hidden})", f"No data ({', '.join([NO_DATA_MARK, *missing])})", "Outside selection"]
    verdict_index = _verdict_index(values, verdict_order(measure)) if reference_name else None
    if reference_name:
        classes, colours = _verdict_classes(verdict_index, measure, kinds)
        labels = [
            f"{verdict_text(v, reference_name)}{f' ({ARROWS[d]})' if d else ''}"
            for v, d in zip(verdict_order(measure), _directions(verdict_order(measure), measure))
        ]
        title = f"{measure.label}<br>against {reference_name}<br>(95% interval)"
    else:
        classes, labels = _classes(values, bins, kinds), class_labels(bins, measure)
        colours = list(SEQUENTIAL[len(SEQUENTIAL) - min(value_classes(bins), len(SEQUENTIAL)) :])
        title = f"{measure.label}<br>({measure.unit})"
    # The value classes are fixed per measure, so years compare; the states are listed only where a place has one.
    base = len(labels)
    present = [k for k in range(len(states)) if (classes == base + k).any()]
    renumbered = np.arange(base + len(states))  # each class to itself, then the states present closed up
    renumbered[[base + k for k in present]] = base + np.arange(len(present))
    classes = renumbered[classes]
    labels += [states[k] for k in present]
    scale = _scale(colours + [list(STATE_COLOURS.values())[k] for k in present])
    layer = _layers(kinds)
    features = values["feature"].to_numpy(int)
    templates = _templates(measure, reference_name)
    # The numbers a shown place's hover text needs, rounded as the table shows them.
    places = measure.decimals
    numbers = [
        _json_numbers(np.round(values[column].to_numpy(float), places if column in ("value", "low", "high") else 0))
        if column in values
        else np.full(len(values), None, dtype=object)
        for column in ("value", "numerator", "denominator", "low", "high")
    ]
    if reference_name:
        said = {v: verdict_text(v, reference_name) for v in set(values["verdict"].tolist())}
    traces = []
    for index, name in enumerate(LAYERS):
        mine = layer == index
        locations, z, boundaries = features[mine].tolist(), classes[mine].tolist(), geojson
        if name == "outside" and localities is not None:
            boundaries, ids = localities
            position = {code: k for k, code in enumerate(ids.tolist())}
            outside = sorted(set(values["locality_code"].to_numpy(object)[mine].tolist()) & position.keys())
            locations, z = [position[code] for code in outside], z[:1] * len(outside)
        trace = {
            "type": "choropleth",
            "name": name,
            # Boundaries held in the figure (an export) go only with layers that draw a place: plotly copies each
            # trace's whole, and a county's boundaries are megabytes. An address costs nothing to repeat.
            "geojson": boundaries if locations or not isinstance(boundaries, dict) else None,
            "featureidkey": "id",
            "locations": locations,
            "z": z,
            "coloraxis": "coloraxis",
            "hovertemplate": templates[index] + "<extra></extra>",
            "marker": {"line": {"color": "#505050", "width": 0.4}},
            "showlegend": False,
        }
        if name == "shown":
            trace["customdata"] = list(map(list, zip(*(n[mine].tolist() for n in numbers))))
            if reference_name:
                trace["text"] = [said[v] for v in values["verdict"].to_numpy(object)[mine].tolist()]
        elif name == "symbol":
            trace["text"] = [f"{s} ({EES_SYMBOLS[s]}, in the source data)" for s in status[mine]]
        elif name == "outside" and localities is not None:
            trace["customdata"] = outside  # a click on one filters to it, as a school point does
        traces.append(trace)
    traces.append(_marks(values, kinds, measure, geojson, verdict_index))
    if schools is not None and not schools.empty:
        traces.append(school_points(schools, measure, bins).to_plotly_json())
    elif school_layer:
        # The school layer asked for, with no school to draw: an empty layer keeps the layers in place, so a filter
        # change patches them by position.
        traces.append({"type": "scattergeo", "name": "schools", "lat": [], "lon": [], "showlegend": False})
    count = len(labels)
    coloraxis = {
        "colorscale": scale,
        "cmin": -0.5,
        "cmax": count - 0.5,
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
    return {"traces": traces, "coloraxis": coloraxis}


# Marks printed on places whose state or verdict must not rest on colour alone: c, a source's symbol, no data, and
# an arrow for a place above or below the reference.
ARROWS = {"above": "▲", "below": "▼"}
NO_DATA_MARK = "–"


def _directions(verdicts, measure: Measure) -> list[str]:
    """Whether each verdict puts a place above or below its reference ('' for similar or none)."""
    worse_is = {True: "above", False: "below"}.get(measure.higher_is_worse, "")
    better_is = {True: "below", False: "above"}.get(measure.higher_is_worse, "")
    return [{"higher": "above", "lower": "below", "worse": worse_is, "better": better_is}.get(v, "") for v in verdicts]


def _marks(
    values: pd.DataFrame, kinds: _Statuses, measure: Measure, geojson: dict | str, verdict_index: np.ndarray | None
) -> dict:
    """Text at each marked place's centre (c, x, –, ▲, ▼), in ink that reads on the place's own colour; arrows where
    places are coloured by verdict (verdict_index: _verdict_index, None otherwise)."""
    status = values["status"].to_numpy(object)
    symbol = kinds.symbol
    # Where no place has a figure (a level the measure is not published at), the note says so once instead.
    gaps = kinds.isin(NO_DATA) & (SHOWN in kinds.code)
    text = np.full(len(status), "", dtype=object)
    text[gaps] = NO_DATA_MARK
    text[symbol] = status[symbol]
    text[kinds.isin(SUPPRESSED)] = "c"
    fills = np.full(len(status), "#ffffff", dtype=object)
    fills[symbol | kinds.isin(NO_DATA)] = STATE_COLOURS[NO_DATA]
    fills[kinds.isin(*HIDDEN_STATUSES)] = STATE_COLOURS[SUPPRESSED]
    if verdict_index is not None:
        # By position in the verdicts' order; a place with no verdict (-1) takes the last entry: no arrow, white.
        order = verdict_order(measure)
        arrows = np.array([ARROWS.get(d, "") for d in _directions(order, measure)] + [""], dtype=object)[verdict_index]
        colours = np.array([VERDICT_COLOURS[v] for v in order] + ["#ffffff"], dtype=object)[verdict_index]
        shown = kinds.isin(SHOWN) & (arrows != "")
        text = np.where(shown, arrows, text)
        fills = np.where(shown, colours, fills)
    marked = text != ""
    return {
        "type": "scattergeo",
        "name": "marks",
        "geojson": geojson if marked.any() or not isinstance(geojson, dict) else None,  # as for the layers
        "featureidkey": "id",
        "locationmode": "geojson-id",
        "locations": values["feature"].to_numpy(int)[marked].tolist(),
        "mode": "text",
        "text": text[marked].tolist(),
        "textfont": {"color": [ink_on(f) for f in fills[marked]], "size": 12},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _json_numbers(values: np.ndarray) -> np.ndarray:
    """Numbers as short as JSON can carry them: whole numbers without a point, blanks as null (Python objects)."""
    found = values.astype(object)
    whole = np.isfinite(values) & (values == np.floor(values))
    found[whole] = values[whole].astype(np.int64)
    found[np.isnan(values)] = None
    return found


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
    # A shape as well as a colour: a square for c, and by verdict a triangle pointing above or below the phase.
    shapes = {"above": "triangle-up", "below": "triangle-down", "": "circle"}
    if by_verdict:
        colours_by_school = [
            VERDICT_COLOURS.get(v, STATE_COLOURS[NO_DATA]) if ok else STATE_COLOURS[SUPPRESSED]
            for v, ok in zip(verdicts, shown)
        ]
        symbols = [shapes[d] if ok else "square" for d, ok in zip(_directions(verdicts, measure), shown)]
        name = "Schools against schools of their phase (size: count; ▲ above, ▼ below; grey square: c)"
    else:
        colours_by_school = [colours[c] if ok else STATE_COLOURS[SUPPRESSED] for c, ok in zip(classes, shown)]
        symbols = ["circle" if ok else "square" for ok in shown]
        name = "Schools (size: count; grey square: c)"
    return go.Scattergeo(
        lat=schools["latitude"],
        lon=schools["longitude"],
        mode="markers",
        name=name,
        marker={
            "size": size,
            "color": colours_by_school,
            "line": {"color": "#1b1b1b", "width": 1.2},
            "symbol": symbols,
        },
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        showlegend=True,
        customdata=schools["locality_code"].tolist(),  # a click on a school filters to its locality too
    )


def locality_traces(overlay: dict) -> list[dict]:
    """The localities' outlines and names, to draw over small areas and wards so a reader knows which part is which;
    neither takes a hover or a click, which go to the places beneath."""
    names, lon, lat = zip(*overlay["names"]) if overlay["names"] else ((), (), ())
    return [
        {
            "type": "scattergeo",
            "name": "locality outlines",
            "lon": overlay["lon"],
            "lat": overlay["lat"],
            "mode": "lines",
            "line": {"color": "#1b1b1b", "width": 2.2},
            "hoverinfo": "skip",
            "showlegend": False,
        },
        {
            "type": "scattergeo",
            "name": "locality names",
            "lon": list(lon),
            "lat": list(lat),
            "mode": "text",
            "text": [f"<b>{name}</b>" for name in names],
            # A pale halo keeps the name readable on every colour class beneath it.
            "textfont": {"family": FONT, "size": 15, "color": "#1b1b1b", "shadow": "0 0 3px #ffffff"},
            "hoverinfo": "skip",
            "showlegend": False,
        },
    ]


ASPECT = 16 / 9  # width over height of the map's drawing area, near enough at every screen the app fits


def extent(bounds: np.ndarray) -> dict:
    """The map's view for places' bounding boxes (rows of west, south, east, north): all of them with a margin, so a
    chosen locality fills the map. Empty where no place has a boundary (the map then fits what it draws)."""
    bounds = bounds[~np.isnan(bounds).any(axis=1)]
    if not len(bounds):
        return {}
    west, south = bounds[:, 0].min(), bounds[:, 1].min()
    east, north = bounds[:, 2].max(), bounds[:, 3].max()
    pad_x, pad_y = (east - west) * 0.03 + 1e-4, (north - south) * 0.03 + 1e-4
    # Widened to the map's shape (about 16:9), so a tall or narrow selection fills it and its neighbours show round
    # it, rather than a strip between blank margins. A degree of longitude is cos(latitude) of one of latitude.
    across = np.cos(np.radians((south + north) / 2))
    width, height = (east - west + 2 * pad_x) * across, north - south + 2 * pad_y
    if width < ASPECT * height:
        pad_x += (ASPECT * height - width) / across / 2
    else:
        pad_y += (width / ASPECT - height) / 2
    return {
        "fitbounds": False,
        "lonaxis": {"range": [round(west - pad_x, 5), round(east + pad_x, 5)]},
        "lataxis": {"range": [round(south - pad_y, 5), round(north + pad_y, 5)]},
    }


def choropleth(parts: dict, title: str) -> go.Figure:
    """The map from choropleth_values' parts: its layers over the boundaries, the legend naming every class, and the
    localities' outlines and names on top where parts has them (they never change with the filters)."""
    return go.Figure(choropleth_spec(parts, title))


def choropleth_spec(parts: dict, title: str) -> dict:
    """choropleth()'s figure as plotly.js reads it, for a page: the same figure without plotly.py checking and copying
    every array of every layer, a third of the time a map chosen afresh took to answer at England's scale (where each
    LA chosen draws its small areas whole)."""
    # The selection's extent, where the view gave one, over the map's own settings.
    geo = {"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"}} | parts.get("geo", {})
    layout = {
        "template": _house_template(),  # as a figure made by plotly.py carries it
        "geo": geo,
        "coloraxis": parts["coloraxis"],
        "title": {"text": wrap_title(title), "x": 0.01, "font": {"size": 16}},
        "margin": {"l": 0, "r": 0, "t": 64, "b": 0},  # room for a title of two lines
        "height": 620,
        "font": {"family": FONT, "size": 13, "color": "#1b1b1b"},
        "paper_bgcolor": "#ffffff",
        "dragmode": False,
        "legend": {"orientation": "h", "y": 0, "x": 0},
    }
    return {"data": [*parts["traces"], *parts.get("overlay", [])], "layout": layout}


@functools.cache
def _house_template() -> dict:
    return go.Figure().to_plotly_json()["layout"]["template"]


def no_boundaries_figure() -> go.Figure:
    """Stands in for the map when no boundaries were loaded, saying so in words."""
    return message_figure(
        "No small-area boundaries are loaded, so the map cannot be drawn.<br>The table below has the figures."
    )


# On paper, in black and white: a hidden figure is dotted and an empty place white, so neither reads as a value class.
PRINT_STATES = {"Suppressed": "#ffffff", "No data": "#ffffff", "Outside selection": "#ffffff"}
STIPPLE_ACROSS = 80  # dots across the map's width on a suppressed place


def for_print(figure: go.Figure) -> go.Figure:
    """A copy of the map for a printed page that may be photocopied in greys: every class named in a legend of
    swatches (not a colour bar), suppressed places white with a dot pattern and marked c, places with no data
    white and outlined, marked –."""
    printed = go.Figure(figure)
    axis = printed.layout.coloraxis
    labels = list(axis.colorbar.ticktext or [])
    if not labels:
        return printed
    steps = [colour for _, colour in axis.colorscale][::2]  # each class is two stops of one colour
    colours = [
        next((PRINT_STATES[state] for state in PRINT_STATES if label.startswith(state)), colour)
        for label, colour in zip(labels, steps)
    ]
    printed.update_layout(coloraxis={"colorscale": _scale(colours), "showscale": False})
    for label, colour in zip(labels, colours):
        dotted = label.startswith("Suppressed")
        printed.add_trace(
            go.Scattergeo(
                lat=[None],
                lon=[None],
                mode="markers",
                name=label + (", dotted" if dotted else ""),
                showlegend=True,
                marker={
                    "symbol": "square-dot" if dotted else "square",
                    "size": 16,
                    "color": colour,
                    "line": {"color": "#1b1b1b" if dotted else "#505050", "width": 1.5 if dotted else 1},
                },
                hoverinfo="skip",
            )
        )
    suppressed = next((t for t in printed.data if t.type == "choropleth" and t.name == "suppressed"), None)
    boundaries = _inline(suppressed.geojson) if suppressed is not None else None
    if boundaries is not None and len(suppressed.locations or ()):
        lon, lat = _stipple(boundaries, set(suppressed.locations))
        dots = go.Scattergeo(
            lon=lon,
            lat=lat,
            mode="markers",
            marker={"size": 2.5, "color": "#505050"},
            hoverinfo="skip",
            showlegend=False,
        )
        # Under the marks, so each place's c stays on top of its dots.
        traces = list(printed.data)
        at = next((i for i, t in enumerate(traces) if t.name == "marks"), len(traces))
        printed.data = ()
        printed.add_traces(traces[:at] + [dots] + traces[at:])
    for trace in printed.data:
        if trace.name == "marks" and trace.text:
            # The places they mark are white on paper now: their marks are in black ink.
            inks = trace.textfont.color
            inks = inks if isinstance(inks, (list, tuple)) else [inks] * len(trace.text)
            trace.textfont.color = [
                "#0b0c0c" if text in ("c", NO_DATA_MARK) else ink for text, ink in zip(trace.text, inks)
            ]
    printed.update_layout(legend={"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1, "yanchor": "top"})
    return printed


def _inline(geojson: dict | str | None) -> dict | None:
    """The boundaries a trace draws: its own, or those in the file at its file:// address (an export's); None for
    boundaries this server cannot read (a web address a browser fetches)."""
    if isinstance(geojson, str):
        return _boundaries_in(geojson) if geojson.startswith("file:") else None
    return geojson


@functools.lru_cache(maxsize=4)
def _boundaries_in(address: str) -> dict:
    # A file of boundaries is named by the data it holds and never rewritten, so what was read stays true.
    return json.loads(Path(url2pathname(urlparse(address).path)).read_text(encoding="utf-8"))


def _stipple(geojson: dict, ids: set) -> tuple[list[float], list[float]]:
    """Points of a regular grid that fall inside the places of these feature ids: a dot pattern drawn over them."""
    shapes = [shapely.geometry.shape(f["geometry"]) for f in geojson["features"] if f.get("id") in ids]
    everything = shapely.bounds(shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in geojson["features"]]))
    west, south, east, north = everything
    step = (east - west) / STIPPLE_ACROSS
    xs, ys = np.meshgrid(np.arange(west, east, step), np.arange(south, north, step * 0.7))
    xs, ys = xs.ravel(), ys.ravel()
    inside = np.zeros(len(xs), dtype=bool)
    for place in shapes:
        inside |= shapely.contains_xy(place, xs, ys)
    return xs[inside].round(5).tolist(), ys[inside].round(5).tolist()
