"""Every chart a page shows, by the name its panel has on the page, and its export in any format.

One URL scheme serves them all: /export/<chart>.<png|svg|pdf|csv|xlsx>?<the page's own query string>. Each file is
built from the same view the page shows, so a figure hidden on the page is hidden in every file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode

import pandas as pd
import plotly.graph_objects as go

from dashboard.domain.access import SCHOOLS, Audience, may, refusal, restricted
from dashboard.domain.filters import echoed, parse_query
from dashboard.exports.caption import caption_for
from dashboard.exports.images import SIZES, render
from dashboard.exports.tables import csv_bytes, xlsx_bytes
from dashboard.figures.maps import for_print
from dashboard.figures.style import message_figure
from dashboard.query.queries import Queries
from dashboard.views.board import CHARTS
from dashboard.views.panel import Panel

FORMATS = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMAGES = ("png", "svg", "pdf")
TABLES = ("csv", "xlsx")


class ExportNotFound(LookupError):
    """No such chart or format, or nothing of it for these filters: the sentence says which."""


class ExportRefused(PermissionError):
    """The reader's role does not allow this file: the sentence says why."""


@dataclass(frozen=True)
class ExportFile:
    """One exported file: its bytes, media type and a file name that says what it holds."""

    content: bytes
    mimetype: str
    filename: str


def export(
    queries: Queries,
    chart: str,
    fmt: str,
    query: str,
    school: str | None = None,
    contact: str = "",
    audience: Audience | None = None,
) -> ExportFile:
    """The chart (or its table) for the filters in query, in fmt; raises ExportNotFound with a sentence, or
    ExportRefused where the audience may not see it (no audience: the command line, the tests). A workbook's
    cover gives contact as who to ask about the figures; size=document in query draws an image for a page 16 cm
    across at 300 dpi rather than for a screen."""
    if chart not in CHARTS:
        raise ExportNotFound(f"There is no chart called '{echoed(chart)}'. Charts: {', '.join(CHARTS)}.")
    declared = CHARTS[chart]
    if audience is not None and not may(audience, SCHOOLS if school else declared.right):
        raise ExportRefused(refusal(SCHOOLS if school else declared.right))
    if fmt not in declared.formats:
        raise ExportNotFound(f"Charts download as {', '.join(declared.formats)}; '{echoed(fmt)}' is not one of them.")
    # The school is named apart from the filters (urn=...), as its panel's Download menu links it; so is the size.
    pairs = parse_qsl(query.lstrip("?"))
    size = dict(pairs).get("size", "screen")
    if size not in SIZES:
        raise ExportNotFound(f"Images come in the sizes {' and '.join(SIZES)}; '{echoed(size)}' is not one of them.")
    filters = urlencode([(k, v) for k, v in pairs if k not in ("urn", "size")])
    state, messages = parse_query(filters, queries.filter_options())
    if audience is not None:
        state, refused = restricted(audience, state)
        messages += refused
    if school:
        state = replace(state, school=school)
    panel = declared(queries, state, audience, on_server=True)  # drawn, if at all, by the export browser
    if panel is None:
        raise ExportNotFound(f"The '{chart}' chart is not shown for these filters, so there is nothing to download.")
    # An unknown filter value falls back as the pages do, and the file says so.
    caption = caption_for(
        queries, state, panel.title, [panel.summary, *panel.listed_findings, *messages, *panel.notes], declared
    )
    # A selection with nothing to show has no table on the page: its file says why, rather than being empty.
    table = panel.table if not panel.table.empty else pd.DataFrame({"Note": [panel.summary, *panel.notes]})
    if fmt == "csv":
        content = csv_bytes(table)
    elif fmt == "xlsx":
        content = xlsx_bytes(table, caption, contact)
    else:
        figure = drawable(panel)
        # On paper a map may be copied in greys: its states are named swatches, suppressed places dotted.
        figure = for_print(figure) if chart == "map" and panel.figure is not None else figure
        content = render(figure, fmt, caption, SIZES[size])
    suffix = "-for-documents" if size == "document" and fmt in IMAGES else ""
    return ExportFile(content, FORMATS[fmt], f"{slug(panel.title)}{suffix}.{fmt}")


def drawable(panel: Panel) -> go.Figure:
    """The panel's figure, or one that says there is nothing to draw, so an image of an empty selection explains
    itself."""
    return panel.figure if panel.figure is not None else message_figure(panel.summary)


def slug(title: str) -> str:
    """A file name from a title: 'Suspension rate by ward, 2024/25' -> 'suspension-rate-by-ward-2024-25'."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "chart"
