"""A chart as PNG, SVG or PDF, rendered on the server by kaleido in Debian's Chromium, with its caption drawn in."""

from __future__ import annotations

import atexit
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import plotly.graph_objects as go

from dashboard.config import ROOT, Config
from dashboard.exports.browser import ExportBrowser
from dashboard.exports.caption import Caption

WIDTH = 1200  # CSS pixels; PNG is drawn at twice this (print resolution), SVG and PDF are vectors
TOPOJSON = (ROOT / "assets" / "topojson").as_uri() + "/"  # served locally: nothing is fetched at run time
# One export browser for the process, behind a lock: kaleido mixes up results between concurrent threads otherwise.
_LOCK = threading.Lock()
_BROWSER = ExportBrowser()
atexit.register(_BROWSER.stop)
# The longest one image may take to draw, and so the longest another export waits for the browser.
TIME_LIMIT = Config().export_seconds


@dataclass(frozen=True)
class Size:
    """Where an image will be placed: its width in CSS pixels (96 to the inch), its smallest text there, and the
    scale a PNG is drawn at."""

    width: int
    type_px: float
    scale: float


# The screen's size, and a document's: 16 cm across at 300 dpi, where 12.5 px is 9.4 pt on the printed page.
SIZES = {"screen": Size(WIDTH, 12, 2), "document": Size(605, 12.5, 300 / 96)}


def captioned(figure: go.Figure, caption: Caption, size: Size = SIZES["screen"]) -> go.Figure:
    """A copy of the figure with the title above and the caption's lines below it, wrapped inside the width."""
    drawn = go.Figure(figure)
    if size.width < WIDTH:
        drawn = placed(drawn, size.width, int(drawn.layout.height or 500), size.type_px)
    # An average character is about half the type's size across: lines wrap well inside the image's edges.
    across = int((size.width - 50) / (size.type_px * 0.56))
    lines = [part for line in caption.lines for part in textwrap.wrap(printable(line), across)]
    line_height = round(size.type_px * 1.4)
    height = int(drawn.layout.height or 500)
    below = 85 + line_height * len(lines)  # room for an axis title, then the caption
    margin = drawn.layout.margin
    drawn.update_layout(
        title={"text": _wrapped(caption.title, size), "x": 0.01, "font": {"size": max(18, size.type_px + 3)}},
        height=height + below,
        width=size.width,
        margin={
            "t": 50 + round((size.type_px + 9) * _wrapped(caption.title, size).count("<br>")) + 30,
            "b": below + (margin.b or 0) // 2,
            "r": 40,
        },
        # The legend goes to the right, top down, so the caption below never runs into it.
        legend={"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"},
    )
    # The caption starts at the image's left edge, not the plot's: the left margin is set here (long category names
    # wrapped to two fifths of the width), so where the plot begins is known.
    left = _left_margin(drawn, size)
    if left is not None:
        drawn.update_layout(margin={"l": left})
        drawn.update_yaxes(automargin=False)
    plot_width = size.width - (left or 0) - 40
    start = -((left or 0) - 10) / plot_width if left else 0
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
            x=start,
            y=0,
            xanchor="left",
            yanchor="top",
            yshift=-(75 + line_height * index),
            showarrow=False,
            align="left",
            font={"size": size.type_px, "color": "#1b1b1b"},
            bgcolor="#ffdd00" if warning else None,
        )
    return drawn


class ImageExportFailed(RuntimeError):
    """The export browser could not draw the image (no Chromium on the server, say): the sentence says so."""


class ImageExportBusy(ImageExportFailed):
    """The export browser was drawing other images for longer than this one may wait: try again shortly."""


def render(figure: go.Figure, fmt: str, caption: Caption, size: Size = SIZES["screen"]) -> bytes:
    """The captioned figure as PNG (at the size's scale), SVG or PDF bytes; raises ImageExportFailed if no browser
    can draw it."""
    drawn = captioned(figure, caption, size)
    return draw(drawn, fmt, size.width, int(drawn.layout.height), size.scale if fmt == "png" else 1)


def _left_margin(figure: go.Figure, size: Size) -> int | None:
    """Room for the y axis's labels (wrapped to two fifths of the width, in place) and its title; None for a figure
    without a y axis of its own (a map)."""
    if not any(trace.type in ("bar", "scatter") for trace in figure.data):
        return None
    tick_px = max(figure.layout.yaxis.tickfont.size or 0, figure.layout.font.size or 12, size.type_px)
    names = [
        str(value)
        for trace in figure.data
        if trace.type == "bar" and trace.orientation == "h" and trace.y is not None
        for value in trace.y
    ]
    widest = 6  # characters of a number on a value axis
    if names:
        across = int(size.width * 0.42 / (tick_px * 0.6))
        wrapped = {name: textwrap.wrap(name, across) or [name] for name in dict.fromkeys(names)}
        figure.update_yaxes(tickvals=list(wrapped), ticktext=["<br>".join(lines) for lines in wrapped.values()])
        widest = max(len(line) for lines in wrapped.values() for line in lines)
    titled = bool(figure.layout.yaxis.title.text)
    return int(widest * tick_px * 0.6) + 20 + (int(tick_px * 2.2) if titled else 0)


def _wrapped(title: str, size: Size) -> str:
    across = int((size.width - 30) / ((size.type_px + 3) * 0.6))
    return "<br>".join(f"<b>{part}</b>" for part in textwrap.wrap(printable(title), across))


def printable(text: str) -> str:
    """Text with any control character dropped: the export browser is never handed one (a NUL byte once killed it)."""
    return "".join(char for char in str(text) if char.isprintable())


def draw(figure: go.Figure, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
    """The figure as it stands, width by height CSS pixels, as PNG (at scale), SVG or PDF bytes; raises
    ImageExportFailed if no browser can draw it."""
    spec = figure.to_plotly_json()
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    # No export waits for the browser longer than its own time limit, whatever another is doing.
    if not _LOCK.acquire(timeout=TIME_LIMIT):
        raise ImageExportBusy(
            "The server is busy drawing other images; please try again in a minute. Tables download as CSV and XLSX "
            "at once."
        )
    try:
        _check_files(spec)  # before drawing: a file named here may have gone while this export waited
        for attempt in (1, 2):
            try:
                return _calc(spec, opts)
            except TimeoutError as exc:  # a drawing that ran out of time is not tried again
                _stop()
                raise ImageExportFailed(
                    f"This image took longer than {TIME_LIMIT:g} seconds to draw, so it was stopped. Tables "
                    "download as CSV and XLSX."
                ) from exc
            except Exception as exc:  # noqa: BLE001 - a browser that died is started again once
                _check_files(spec, exc)  # or while it was drawn: the browser is well, and a new one would fail too
                _stop()
                if attempt == 2:
                    raise ImageExportFailed(
                        "Images could not be drawn: the server needs Debian's chromium to draw them (make "
                        "install-test installs it). Tables download as CSV and XLSX without it."
                    ) from exc
    finally:
        _LOCK.release()
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _check_files(spec: dict, cause: Exception | None = None) -> None:
    """Raise ImageExportFailed, in words, when a boundaries' file the figure names (an export's map: figures.maps,
    on_server) is gone: its data version was replaced and its exports folder pruned."""
    geojsons = (trace.get("geojson") for trace in spec.get("data", []))
    addresses = [address for address in geojsons if isinstance(address, str) and address.startswith("file:")]
    if any(not Path(url2pathname(urlparse(address).path)).exists() for address in addresses):
        raise ImageExportFailed(
            "The map's boundaries were replaced by a newer data version while this image was being made: please ask "
            "for it again."
        ) from cause


def _calc(spec: dict, opts: dict) -> bytes:
    return _BROWSER.calc(spec, opts, TOPOJSON, TIME_LIMIT)


def _stop() -> None:
    _BROWSER.stop()


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
    # Room above the plot for its labels; the legend to the right, top down, where larger type cannot reach an axis,
    # unless it is longer than the chart is tall: then across, below the axis title.
    entries = sum(1 for trace in drawn.data if trace.showlegend is not False and trace.name)
    beside = entries * type_px * 1.6 <= height - 90
    legend = {"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"}
    if not beside:
        legend = {"orientation": "h", "x": 0, "xanchor": "left", "y": -6 * type_px / height, "yanchor": "top"}
    drawn.update_layout(margin={"t": 60}, legend={"font": {"size": type_px}, **legend})
    # Labels by points may run past the plot's edge rather than be cut off at it.
    drawn.update_traces(cliponaxis=False, selector={"type": "scatter"})
    title = drawn.layout.yaxis.title.text
    if title and len(title) * type_px * 0.6 > height * 0.8 and " (" in title:
        drawn.update_yaxes(title_text=title.replace(" (", "<br>(", 1))  # an axis title in two lines, not clipped
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
