"""A chart as PNG, SVG or PDF, rendered on the server by kaleido in Debian's Chromium, with its caption drawn in."""

from __future__ import annotations

import textwrap
import threading

import kaleido
import plotly.graph_objects as go

from dashboard.config import ROOT
from dashboard.exports.caption import Caption

WIDTH = 1200  # CSS pixels; PNG is drawn at twice this (print resolution), SVG and PDF are vectors
LINE_HEIGHT = 17
TOPOJSON = (ROOT / "assets" / "topojson").as_uri() + "/"  # served locally: nothing is fetched at run time
# One export browser for the process, behind a lock: kaleido mixes up results between concurrent threads otherwise.
_LOCK = threading.Lock()
_server = {"started": False}


def captioned(figure: go.Figure, caption: Caption) -> go.Figure:
    """A copy of the figure with the title above and the caption's lines below it, wrapped to the width."""
    drawn = go.Figure(figure)
    lines = [part for line in caption.lines for part in textwrap.wrap(line, 150)]
    height = int(drawn.layout.height or 500)
    below = 85 + LINE_HEIGHT * len(lines)  # room for an axis title, then the caption
    margin = drawn.layout.margin
    drawn.update_layout(
        title={"text": f"<b>{caption.title}</b>", "x": 0.01, "font": {"size": 18}},
        height=height + below,
        width=WIDTH,
        margin={"t": 80, "b": below + (margin.b or 0) // 2, "r": 40},
        # The legend goes to the right, top down, so the caption below never runs into it.
        legend={"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"},
    )
    drawn.update_yaxes(automargin=True)  # long place names keep their room beside the bars
    # Hatching laid over the colour, not in place of it, and coarser than on screen: Chromium's PDF printer draws
    # a pattern as an image, several megabytes and seconds for plotly's own; this is a third of both, and prints well.
    drawn.for_each_trace(
        lambda trace: trace.update(marker={"pattern": {"fillmode": "overlay", "size": 18}}),
        selector=lambda trace: bool(getattr(getattr(getattr(trace, "marker", None), "pattern", None), "shape", None)),
    )
    for index, line in enumerate(lines):
        warning = caption.synthetic and index == 0
        drawn.add_annotation(
            text=f"<b>{line}</b>" if warning else line,
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            xanchor="left",
            yanchor="top",
            yshift=-(75 + LINE_HEIGHT * index),
            showarrow=False,
            align="left",
            font={"size": 12, "color": "#1b1b1b"},
            bgcolor="#ffdd00" if warning else None,
        )
    return drawn


class ImageExportFailed(RuntimeError):
    """The export browser could not draw the image (no Chromium on the server, say): the sentence says so."""


def render(figure: go.Figure, fmt: str, caption: Caption) -> bytes:
    """The captioned figure as PNG (at 2x), SVG or PDF bytes; raises ImageExportFailed if no browser can draw it."""
    drawn = captioned(figure, caption)
    return draw(drawn, fmt, WIDTH, int(drawn.layout.height), 2 if fmt == "png" else 1)


def draw(figure: go.Figure, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
    """The figure as it stands, width by height CSS pixels, as PNG (at scale), SVG or PDF bytes; raises
    ImageExportFailed if no browser can draw it."""
    spec = figure.to_plotly_json()
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    with _LOCK:
        try:
            return _calc(spec, opts)
        except Exception:  # noqa: BLE001 - a browser that died is started again once
            _stop()
            try:
                return _calc(spec, opts)
            except Exception as exc:  # noqa: BLE001 - the reader gets a sentence; the log keeps the detail
                _stop()
                raise ImageExportFailed(
                    "Images could not be drawn: the server needs Debian's chromium to draw them (make install-test "
                    "installs it). Tables download as CSV and XLSX without it."
                ) from exc


def _calc(spec: dict, opts: dict) -> bytes:
    if not _server["started"]:
        # MathJax off (it would come from a CDN); the browser is Debian's Chromium, found by kaleido.
        kaleido.start_sync_server(n=1, timeout=60, mathjax=False, silence_warnings=True)
        _server["started"] = True
    return kaleido.calc_fig_sync(spec, opts=opts, topojson=TOPOJSON)


def _stop() -> None:
    if _server["started"]:
        try:
            kaleido.stop_sync_server(silence_warnings=True)
        finally:
            _server["started"] = False


def placed(figure: go.Figure, width: int, height: int, type_px: float) -> go.Figure:
    """A copy of the figure drawn for a place of width by height CSS pixels (a pack page, a slide), its title left to
    the page and no text smaller than type_px there: every font the figure sets is raised to at least that."""
    spec = figure.to_plotly_json()
    layout = spec.setdefault("layout", {})
    layout.pop("title", None)
    layout.update(width=width, height=height)
    layout.setdefault("font", {})["size"] = max(type_px, layout.get("font", {}).get("size") or 0)
    _raise_fonts(spec, type_px)
    drawn = go.Figure(spec)
    drawn.update_layout(margin={"t": 30}, legend={"font": {"size": type_px}})
    drawn.update_xaxes(automargin=True, tickfont={"size": type_px}, title_font={"size": type_px})
    drawn.update_yaxes(automargin=True, tickfont={"size": type_px}, title_font={"size": type_px})
    return drawn


def _raise_fonts(node, type_px: float) -> None:
    """Raise every font size in a figure's JSON below type_px to type_px, in place (a list of sizes, each one)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and "size" in value:
                size = value["size"]
                if isinstance(size, (int, float)):
                    value["size"] = max(size, type_px)
                elif isinstance(size, list):
                    value["size"] = [max(s, type_px) if isinstance(s, (int, float)) else type_px for s in size]
            _raise_fonts(value, type_px)
    elif isinstance(node, list):
        for item in node:
            _raise_fonts(item, type_px)
