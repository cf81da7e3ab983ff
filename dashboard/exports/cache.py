"""Exports kept per data version, chart, filters and format, so a repeated download is served at once."""

from __future__ import annotations

import datetime as dt
import functools
from urllib.parse import parse_qsl, urlencode

from dashboard.exports.charts import ExportFile, export
from dashboard.exports.pack import PACK, export_pack
from dashboard.query.queries import Queries

KEPT = 128  # files per process: a board's packs and charts for a meeting, a few megabytes each at most


def cached_export(
    queries: Queries, chart: str, fmt: str, query: str, school: str | None = None, **options
) -> ExportFile:
    """The file export() or export_pack() makes, built once per data version, chart, filters, format, school and
    audience (a board member's pack leaves out what an officer's holds); a new version is a new key, so nothing
    stale is served. Raises ExportNotFound and ExportRefused as they do (never kept)."""
    # The same filters in another order, or with a leading '?', are the same file.
    filters = urlencode(sorted(parse_qsl(query.lstrip("?"), keep_blank_values=True)))
    # The date is in the key too: a pack says the day it was made.
    made = dt.date.today()
    return _build(queries, queries.info().version, made, chart, fmt, filters, school, tuple(sorted(options.items())))


@functools.lru_cache(maxsize=KEPT)
def _build(queries: Queries, version: str, made, chart: str, fmt: str, filters: str, school, options) -> ExportFile:
    options = dict(options)
    if chart == PACK:
        return export_pack(queries, fmt, filters, options.get("audience"))
    return export(queries, chart, fmt, filters, school, **options)
