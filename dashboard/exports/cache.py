"""Exports kept per data version, chart, filters, format and role, so a repeated download is served at once.

Two layers: the files a worker made most recently, in its memory, and every file any worker has made, on disk beside
the version it was made from, so web workers sharing a version draw each chart once between them rather than once
each (a map PNG takes seconds in the export browser)."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from dashboard.domain.access import Audience
from dashboard.exports.charts import ExportFile, export
from dashboard.exports.pack import PACK, export_pack
from dashboard.query.queries import Queries
from dashboard.store.files import write_whole
from dashboard.store.versions import exports_folder

KEPT = 128  # files per process: a board's packs and charts for a meeting, a few megabytes each at most


def cached_export(
    queries: Queries, chart: str, fmt: str, query: str, school: str | None = None, **options
) -> ExportFile:
    """The file export() or export_pack() makes, built once per data version, chart, filters, format, school and
    role (a board member's pack leaves out what an officer's holds; two officers get the same file); a new version is
    a new key, so nothing stale is served. Raises ExportNotFound and ExportRefused as they do (never kept)."""
    # The same filters in another order, or with a leading '?', are the same file.
    filters = urlencode(sorted(parse_qsl(query.lstrip("?"), keep_blank_values=True)))
    if options.get("audience") is not None:
        # What a file holds depends on the reader's role alone, never on their name.
        options["audience"] = Audience(options["audience"].role)
    # The date is in the key too: a pack says the day it was made.
    made = dt.date.today()
    return _build(queries, queries.info().version, made, chart, fmt, filters, school, tuple(sorted(options.items())))


@functools.lru_cache(maxsize=KEPT)
def _build(queries: Queries, version: str, made, chart: str, fmt: str, filters: str, school, options) -> ExportFile:
    # The served file's identity too: two files never share a key, even copies that carry the same version name.
    served = queries.warehouse.stamp
    key = hashlib.sha256(repr((served, version, made, chart, fmt, filters, school, options)).encode()).hexdigest()
    folder = exports_folder(queries.warehouse.path, version)
    found = read_kept(folder, key)
    if found is not None:
        return found
    with making(folder, key):
        found = read_kept(folder, key)  # made by another worker or thread while this one waited
        if found is not None:
            return found
        options = dict(options)
        if chart == PACK:
            made_file = export_pack(queries, fmt, filters, options.get("audience"))
        else:
            made_file = export(queries, chart, fmt, filters, school, **options)
        keep(folder, key, made_file)
    return made_file


@contextlib.contextmanager
def making(folder: Path, key: str):
    """Held while one file is made, by any thread of any worker: another asking for the same file waits and reads
    it, rather than drawing it again beside it (readers of one board paper ask for the same map at once, and each
    drawing takes seconds of both cores). Released however the making ends, a killed worker's too (a file lock).
    Where the folder cannot be written, each makes its own."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        held = open(folder / f".{key}.making", "a")  # noqa: SIM115 - closed below, which releases the lock
    except OSError:
        yield
        return
    with held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


def read_kept(folder: Path, key: str) -> ExportFile | None:
    """A file another worker (or this one, before a restart) made for the same key, if it is there."""
    try:
        with open(folder / key, "rb") as kept:
            meta = json.loads(kept.readline())
            return ExportFile(kept.read(), meta["mimetype"], meta["filename"])
    except (OSError, ValueError, KeyError):  # not made yet, or unreadable: made again
        return None


def keep(folder: Path, key: str, made: ExportFile) -> None:
    """Write the file for other workers, whole or not at all. A folder that cannot be written (a read-only mount) only
    means each worker makes its own."""
    meta = json.dumps({"mimetype": made.mimetype, "filename": made.filename}).encode()
    write_whole(folder / key, meta + b"\n" + made.content)
