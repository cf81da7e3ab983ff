"""The one look of every chart: fonts, colour-blind-safe palettes that know which way is good, base layout."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.domain.status import NO_DATA, OUTSIDE, SUPPRESSED

# ColorBrewer YlGnBu (the darker five of six classes): sequential and safe for the common forms of
# colour blindness, and its palest class is still clearly apart from white and grey.
SEQUENTIAL = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
# States that are not values get greys and white, far from the sequence, each named in the legend.
STATE_COLOURS = {SUPPRESSED: "#737373", NO_DATA: "#d4d4d4", OUTSIDE: "#ffffff"}
# Verdicts against a reference, in Okabe-Ito blue, yellow and vermillion: apart for every common colour
# blindness, and named in the legend and hover text. Measures with no good direction say lower / higher.
VERDICT_COLOURS = {
    "better": "#0072B2",
    "lower": "#56B4E9",
    "similar": "#F0E442",
    "worse": "#D55E00",
    "higher": "#E69F00",
}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
TOPOJSON_URL = "/assets/topojson/"
# Okabe-Ito: distinguishable with the common forms of colour blindness; at most four series are coloured.
HIGHLIGHT = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
# Up to 13 categories in a stacked bar (the need mix): Okabe-Ito, then Tol's muted, each with its own hatching.
CATEGORY_COLOURS = HIGHLIGHT + (
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#999999",
    "#882255",
    "#44AA99",
    "#117733",
    "#332288",
)
PATTERNS = ("", "/", "\\", "x", "-", "|", "+", ".", "", "/", "\\", "x", "-")
MUTED = "#b3b3b3"
BOROUGH = "#1b1b1b"
BENCHMARK = "#6b6b6b"
DASHES = ("solid", "dash", "dot", "dashdot")  # a second cue beside colour
MARKERS = ("circle", "square", "diamond", "triangle-up")
BENCHMARK_DASHES = ("dot", "dashdot", "longdashdot")  # England, region, statistical neighbours


# The house template: set once, so every figure starts in the house style and carries it in a few hundred bytes
# (plotly's own default template adds several kilobytes to every figure sent, and time to every figure built).
HOUSE_TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": FONT, "size": 13, "color": "#1b1b1b"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": list(HIGHLIGHT),
        "margin": {"l": 60, "r": 20, "t": 80, "b": 50},
        "legend": {"orientation": "h", "y": -0.18},
        "hoverlabel": {"font": {"family": FONT}},
        "yaxis": {
            "automargin": True,  # long names (schools, needs, localities) keep their room beside the bars
            "gridcolor": "#e5e5e5",
            "zeroline": True,
            "zerolinecolor": "#bdbdbd",
            "rangemode": "tozero",
        },
    }
)
pio.templates["inclusion"] = HOUSE_TEMPLATE
pio.templates.default = "inclusion"


def base_layout(figure: go.Figure, title: str, height: int = 440) -> go.Figure:
    """The house style on a figure: its title and height (the rest comes from the house template)."""
    figure.update_layout(title={"text": title, "x": 0.01, "font": {"size": 16}}, height=height)
    return figure


def message_figure(text: str, height: int = 300) -> go.Figure:
    """A figure that is only a sentence, for where there is nothing to draw (no boundaries, an empty selection)."""
    figure = go.Figure()
    figure.add_annotation(text=text, showarrow=False, font={"size": 16})
    figure.update_layout(xaxis_visible=False, yaxis_visible=False, height=height, plot_bgcolor="#ffffff")
    return figure
