"""The one look of every chart: fonts, colour-blind-safe palettes that know which way is good, base layout."""

from __future__ import annotations

import functools
import textwrap

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
# A title line fits a chart 34rem wide (the narrowest the pages draw one) at 16 px.
TITLE_WIDTH = 60
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
MUTED = "#8a8a8a"  # other places' lines recede, but still at 3:1 against white
BOROUGH = "#1b1b1b"
BENCHMARK = "#6b6b6b"
DASHES = ("solid", "dash", "dot", "dashdot")  # a second cue beside colour
MARKERS = ("circle", "square", "diamond", "triangle-up")


def line_style(index: int) -> tuple[str, str, str]:
    """The colour, dash and marker of the index-th member of a breakdown (its place in the full list, not its rank),
    so a place keeps its look in every view and filter; beyond four, colours repeat with another dash and marker."""
    colour = index % len(HIGHLIGHT)
    return HIGHLIGHT[colour], DASHES[(colour + index // len(HIGHLIGHT)) % len(DASHES)], MARKERS[index // 4 % 4]


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


def wrap_title(title: str, width: int = TITLE_WIDTH) -> str:
    """A chart title broken into lines of at most width characters: plotly never wraps text, so a long title on a
    narrow screen (or zoomed in) would run off the chart and be lost."""
    return "<br>".join(textwrap.wrap(title, width)) if "<br>" not in title else title


def base_layout(figure: go.Figure, title: str, height: int = 440) -> go.Figure:
    """The house style on a figure: its title and height (the rest comes from the house template)."""
    text = wrap_title(title)
    figure.update_layout(
        title={"text": text, "x": 0.01, "font": {"size": 16}},
        height=height,
        margin={"t": 80 + 20 * text.count("<br>")},
    )
    return figure


def message_figure(text: str, height: int = 300) -> go.Figure:
    """A figure that is only a sentence, for where there is nothing to draw (no boundaries, an empty selection)."""
    figure = go.Figure()
    figure.add_annotation(text=text, showarrow=False, font={"size": 16})
    figure.update_layout(xaxis_visible=False, yaxis_visible=False, height=height, plot_bgcolor="#ffffff")
    return figure


def _luminance(colour: str) -> float:
    """Relative luminance of a #rrggbb colour, as WCAG 2 defines it."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@functools.cache
def ink_on(fill: str) -> str:
    """Near-black or white, whichever reads better on fill: for a mark or label drawn on a coloured shape."""
    return max(("#0b0c0c", "#ffffff"), key=lambda ink: contrast_ratio(ink, fill))
