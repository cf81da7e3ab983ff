"""Every chart a page shows, by the name its panel has on the page, and its export in any format.

One URL scheme serves them all: /export/<chart>.<png|svg|pdf|csv|xlsx>?<the page's own query string>. Each file is
built from the same view the page shows, so a figure hidden on the page is hidden in every file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go

from dashboard.domain.filters import FilterState, parse_query
from dashboard.exports.caption import caption_for
from dashboard.exports.images import render
from dashboard.exports.tables import csv_bytes, xlsx_bytes
from dashboard.query.queries import Queries
from dashboard.views.map import map_panel
from dashboard.views.needs import by_group, need_mix
from dashboard.views.overview import locality_table
from dashboard.views.panel import Panel
from dashboard.views.schools import funnel_panel, school_detail
from dashboard.views.trends import reasons_panel, trend_panel

FORMATS = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMAGES = ("png", "svg", "pdf")
TABLES = ("csv", "xlsx")


def _school(index: int) -> Callable[[Queries, FilterState], Panel | None]:
    def build(queries: Queries, state: FilterState) -> Panel | None:
        return school_detail(queries, state, state.school)[index] if state.school else None

    return build


# Panel names as the pages use them (layouts.components.panel_id), so a page's Download menu links its own chart.
CHARTS: dict[str, Callable[[Queries, FilterState], Panel | None]] = {
    "map": map_panel,
    "localities": locality_table,
    "trend": trend_panel,
    "reasons": reasons_panel,
    "need-mix": need_mix,
    "broad-mix": lambda queries, state: need_mix(queries, state, broad=True),
    "by-sen": lambda queries, state: by_group(queries, state, "sen"),
    "by-need": lambda queries, state: by_group(queries, state, "need"),
    "funnel": funnel_panel,
    "school-trend": _school(0),
    "school-needs": _school(1),
}


class ExportNotFound(LookupError):
    """No such chart or format, or nothing of it for these filters: the sentence says which."""


@dataclass(frozen=True)
class ExportFile:
    """One exported file: its bytes, media type and a file name that says what it holds."""

    content: bytes
    mimetype: str
    filename: str


def export(queries: Queries, chart: str, fmt: str, query: str, school: str | None = None) -> ExportFile:
    """The chart (or its table) for the filters in query, in fmt; raises ExportNotFound with a sentence."""
    if chart not in CHARTS:
        raise ExportNotFound(f"There is no chart called '{chart}'. Charts: {', '.join(CHARTS)}.")
    if fmt not in FORMATS:
        raise ExportNotFound(f"Charts download as {', '.join(FORMATS)}; '{fmt}' is not one of them.")
    state, messages = parse_query(query, queries.filter_options())
    if school:
        state = replace(state, school=school)
    panel = CHARTS[chart](queries, state)
    if panel is None:
        raise ExportNotFound(f"The '{chart}' chart is not shown for these filters, so there is nothing to download.")
    # An unknown filter value falls back as the pages do, and the file says so.
    caption = caption_for(queries, state, panel.title, [panel.summary, *messages, *panel.notes], chart)
    # A selection with nothing to show has no table on the page: its file says why, rather than being empty.
    table = panel.table if not panel.table.empty else pd.DataFrame({"Note": [panel.summary, *panel.notes]})
    if fmt == "csv":
        content = csv_bytes(table)
    elif fmt == "xlsx":
        content = xlsx_bytes(table, caption)
    else:
        content = render(drawable(panel), fmt, caption)
    return ExportFile(content, FORMATS[fmt], f"{slug(panel.title)}.{fmt}")


def drawable(panel: Panel) -> go.Figure:
    """The panel's figure, or one that says there is nothing to draw, so an image of an empty selection explains
    itself."""
    if panel.figure is not None:
        return panel.figure
    figure = go.Figure()
    figure.add_annotation(text=panel.summary, showarrow=False, font={"size": 16})
    figure.update_layout(xaxis_visible=False, yaxis_visible=False, height=300)
    return figure


def slug(title: str) -> str:
    """A file name from a title: 'Suspension rate by ward, 2024/25' -> 'suspension-rate-by-ward-2024-25'."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:80] or "chart"
