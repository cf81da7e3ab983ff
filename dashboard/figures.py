"""Pure figure builders: DataFrame in, plotly Figure (or the parts a Patch replaces) out."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.measures import Measure, sentence_case
from dashboard.panels import interval_text, verdict_text
from dashboard.queries import HIDDEN_STATUSES, MISSING_STATUSES, NO_DATA, OUTSIDE, SHOWN, SUPPRESSED
from dashboard.reference import EES_SYMBOLS

# ColorBrewer YlGnBu (the darker five of six classes): sequential and safe for the common forms of
# colour blindness, and its palest class is still clearly apart from white and grey.
SEQUENTIAL = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
# States that are not values get greys and white, far from the sequence, each named in the legend.
STATE_COLOURS = {SUPPRESSED: "#737373", NO_DATA: "#d4d4d4", OUTSIDE: "#ffffff"}
# Verdicts against a reference, in Okabe-Ito blue, yellow and vermillion: apart for every common colour
# blindness, and named in the legend and hover text. Measures with no good direction say lower / higher.
VERDICT_COLOURS = {"better": "#0072B2", "lower": "#56B4E9", "similar": "#F0E442", "worse": "#D55E00", "higher": "#E69F00"}
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
            body = (f"{measure.label}: {measure.format(row.value)}<br>"
                    f"{sentence_case(measure.numerator_label)}: {row.numerator:,.0f} of {row.denominator:,.0f} {measure.denominator_label}")
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


def choropleth_values(values: pd.DataFrame, measure: Measure, bins: list[float], threshold: int,
                      reference_name: str | None = None) -> dict:
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
        scale, title = _scale(colours + list(STATE_COLOURS.values())), f"{measure.label}<br>against {reference_name}<br>(95% interval)"
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
    colours = list(SEQUENTIAL[-(len(bins) + 1):]) if len(bins) + 1 <= len(SEQUENTIAL) else list(SEQUENTIAL)
    count = schools["numerator"].where(shown, 0).fillna(0).to_numpy(float)
    size = np.where(shown, 6 + 24 * np.sqrt(count / max(count.max(), 1)), 6)
    by_verdict = "verdict" in schools
    verdicts = schools["verdict"].fillna("").tolist() if by_verdict else [""] * len(schools)
    hover = [
        f"<b>{r.School}</b> ({r.Phase})<br>{measure.label}: {measure.format(r.value)}<br>"
        f"{sentence_case(measure.numerator_label)}: {r.numerator:,.0f} of {r.denominator:,.0f} {measure.denominator_label}"
        + (f"<br><b>{verdict_text(v, 'schools of its phase')}</b>" if v and v != "not compared" else "")
        if r.status == SHOWN else f"<b>{r.School}</b> ({r.Phase})<br>{measure.label}: c (too few children to show)"
        for r, v in zip(schools.itertuples(index=False), verdicts)
    ]
    if by_verdict:
        colours_by_school = [VERDICT_COLOURS.get(v, STATE_COLOURS[NO_DATA]) if ok else STATE_COLOURS[SUPPRESSED]
                             for v, ok in zip(verdicts, shown)]
        name = "Schools against schools of their phase (size: count; grey: c)"
    else:
        colours_by_school = [colours[c] if ok else STATE_COLOURS[SUPPRESSED] for c, ok in zip(classes, shown)]
        name = "Schools (size: count; grey: c)"
    return go.Scattergeo(
        lat=schools["latitude"], lon=schools["longitude"], mode="markers", name=name,
        marker={"size": size, "color": colours_by_school,
                "line": {"color": "#1b1b1b", "width": 1.2}, "symbol": "circle"},
        hovertext=hover, hovertemplate="%{hovertext}<extra></extra>", showlegend=True,
        customdata=schools["locality_code"].tolist(),  # a click on a school filters to its locality too
    )


def choropleth(geojson: dict, values: pd.DataFrame, measure: Measure, bins: list[float], threshold: int, title: str,
               schools: pd.DataFrame | None = None, reference_name: str | None = None) -> go.Figure:
    """Small-area choropleth: geometry once, colours from fixed classes (or verdicts), every state named in the legend."""
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


# Okabe-Ito: distinguishable with the common forms of colour blindness; at most four series are coloured.
HIGHLIGHT = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
MUTED = "#b3b3b3"
BOROUGH = "#1b1b1b"
BENCHMARK = "#6b6b6b"
DASHES = ("solid", "dash", "dot", "dashdot")  # a second cue beside colour
MARKERS = ("circle", "square", "diamond", "triangle-up")
BENCHMARK_DASHES = ("dot", "dashdot", "longdashdot")  # England, region, statistical neighbours


def _base_layout(figure: go.Figure, title: str, height: int = 440) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 16}},
        font={"family": FONT, "size": 13, "color": "#1b1b1b"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        height=height,
        margin={"l": 60, "r": 20, "t": 80, "b": 50},
        legend={"orientation": "h", "y": -0.18},
        hoverlabel={"font": {"family": FONT}},
    )
    figure.update_xaxes(showgrid=False, linecolor="#505050", ticks="outside")
    figure.update_yaxes(gridcolor="#e5e5e5", zeroline=True, zerolinecolor="#bdbdbd", rangemode="tozero")
    return figure


def trend_lines(series: pd.DataFrame, highlighted: list[str], measure: Measure, title: str,
                borough: pd.DataFrame | None = None, benchmark: pd.DataFrame | None = None,
                events: pd.DataFrame | None = None, periods: list[str] | None = None) -> go.Figure:
    """A measure over time: up to four named series in colour, the rest grey, borough and benchmark lines.

    periods, when given, is the whole time axis in order (lines may each cover only part of it).

    series has columns period, label, value (NaN where suppressed: drawn as a gap), and optionally low and
    high, the 95% interval, drawn as whiskers on the coloured series and as a band around the borough.
    """
    figure = go.Figure()
    if borough is not None and "low" in borough and borough["low"].notna().any():
        figure.add_scatter(x=list(borough["period"]) + list(borough["period"][::-1]),
                           y=list(borough["high"]) + list(borough["low"][::-1]), fill="toself", mode="lines",
                           line={"width": 0}, fillcolor="rgba(27,27,27,0.12)", name="Borough 95% interval", hoverinfo="skip")
    for label, rows in series.groupby("label", sort=False):
        if label in highlighted:
            continue
        figure.add_scatter(x=rows["period"], y=rows["value"], name=label, mode="lines", line={"color": MUTED, "width": 1},
                           legendgroup="others", showlegend=False, hovertemplate=f"{label}: %{{y:.{measure.decimals}f}}<extra></extra>")
    for i, label in enumerate(highlighted):
        rows = series[series["label"] == label]
        error = None
        if "low" in rows:
            error = {"type": "data", "symmetric": False, "array": (rows["high"] - rows["value"]).tolist(),
                     "arrayminus": (rows["value"] - rows["low"]).tolist(), "color": HIGHLIGHT[i], "thickness": 1.2, "width": 3}
        figure.add_scatter(x=rows["period"], y=rows["value"], name=label, mode="lines+markers", error_y=error,
                           line={"color": HIGHLIGHT[i], "width": 3, "dash": DASHES[i]}, marker={"symbol": MARKERS[i], "size": 8},
                           hovertemplate=f"{label}: %{{y:.{measure.decimals}f}}<extra></extra>")
    if borough is not None and not borough.empty:
        figure.add_scatter(x=borough["period"], y=borough["value"], name="Borough", mode="lines",
                           line={"color": BOROUGH, "width": 2, "dash": "longdash"}, hovertemplate=f"Borough: %{{y:.{measure.decimals}f}}<extra></extra>")
    if benchmark is not None and not benchmark.empty:
        for i, (label, rows) in enumerate(benchmark.groupby("label", sort=False)):
            figure.add_scatter(x=rows["period"], y=rows["value"], name=label, mode="lines",
                               line={"color": BENCHMARK, "width": 2, "dash": BENCHMARK_DASHES[i % len(BENCHMARK_DASHES)]})
    for i, event in enumerate(events.itertuples(index=False) if events is not None else []):
        figure.add_vline(x=event.period, line={"color": "#505050", "width": 1, "dash": "dot"})
        # Alternate heights so labels of neighbouring events do not overprint each other.
        figure.add_annotation(x=event.period, y=1.0 + 0.07 * (i % 2), yref="paper", text=event.label, showarrow=False, xanchor="left",
                              yanchor="bottom", font={"size": 11}, bgcolor="rgba(255,255,255,0.85)")
    figure.update_yaxes(title={"text": measure.unit})
    figure.update_xaxes(type="category", **({"categoryorder": "array", "categoryarray": periods} if periods else {}))
    return _base_layout(figure, title)


def bar_chart(frame: pd.DataFrame, measure: Measure, title: str, reference: float | None = None,
              reference_label: str = "Borough") -> go.Figure:
    """Horizontal bars of a rate by group (columns label, value, status), suppressed groups named as c."""
    frame = frame.iloc[::-1]  # plotly draws the first row at the bottom
    # A source's own symbol (x, low...) is printed as it is; our suppression as c.
    text = [measure.format(v, with_unit=False) if s == SHOWN else ("c" if s == SUPPRESSED else s if s in EES_SYMBOLS else "no data")
            for v, s in zip(frame["value"], frame["status"])]
    error = None
    if "low" in frame and "high" in frame:
        # 95% confidence interval as whiskers, so a bar resting on few children shows how unsure it is.
        error = {"type": "data", "symmetric": False, "array": (frame["high"] - frame["value"]).fillna(0).tolist(),
                 "arrayminus": (frame["value"] - frame["low"]).fillna(0).tolist(), "color": "#1b1b1b", "thickness": 1.5, "width": 4}
    figure = go.Figure(go.Bar(
        # Figures sit inside the bar's base, clear of the whiskers at its end; c and 'no data' have no bar to sit in.
        x=frame["value"].fillna(0), y=frame["label"], orientation="h", text=text, insidetextanchor="start",
        textposition=["inside" if s == SHOWN else "outside" for s in frame["status"]], textfont={"color": "#ffffff"},
        outsidetextfont={"color": "#1b1b1b"},
        marker={"color": HIGHLIGHT[0]}, hovertemplate="%{y}: %{text}<extra></extra>", cliponaxis=False, error_x=error,
    ))
    if reference is not None and reference == reference:
        figure.add_vline(x=reference, line={"color": BOROUGH, "dash": "dash", "width": 2},
                         annotation_text=f"{reference_label} {measure.format(reference, with_unit=False)}", annotation_position="top")
    figure.update_xaxes(title={"text": measure.unit})
    figure.update_yaxes(ticksuffix="  ")  # room between a name and 'c' or 'no data' printed beside an empty bar
    return _base_layout(figure, title, height=max(260, 60 + 32 * len(frame)))


def share_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Stacked 100% bars: each group's mix of categories (columns group, category, share)."""
    figure = go.Figure()
    palette = HIGHLIGHT + ("#E69F00", "#56B4E9", "#F0E442", "#000000", "#999999", "#882255", "#44AA99", "#117733", "#332288")
    patterns = ("", "/", "\\", "x", "-", "|", "+", ".", "", "/", "\\", "x", "-")
    for i, (category, rows) in enumerate(frame.groupby("category", sort=False)):
        figure.add_bar(x=rows["share"], y=rows["group"], name=category, orientation="h",
                       marker={"color": palette[i % len(palette)], "pattern": {"shape": patterns[i % len(patterns)]}},
                       hovertemplate=f"{category}: %{{x:.1f}}%<extra>%{{y}}</extra>")
    figure.update_layout(barmode="stack", legend={"traceorder": "normal", "orientation": "h", "y": -0.3})
    figure.update_xaxes(title={"text": "% of plans"}, range=[0, 100])
    return _base_layout(figure, title, height=max(300, 120 + 50 * frame["group"].nunique()))
