"""Read-only access to the warehouse version being served: queries, a per-version cache, and what data it holds."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dashboard.config import LOOKUP_MB
from dashboard.store.versions import current_version

_MISSING = object()  # no value kept for a key (None is a value)


class WarehouseMissing(FileNotFoundError):
    """No warehouse file exists yet at the configured path."""


@dataclass(frozen=True)
class WarehouseInfo:
    """What the header and /healthz say about the data being served."""

    version: str
    data_kind: str
    loaded_at: str
    description: str
    latest_year: str | None
    area_kind: str = "borough"  # a version loaded before the load said which is a borough's


class Warehouse:
    """Read-only access to the warehouse file; reopens when a new version has been swapped in."""

    def __init__(self, path: Path, lookup_mb: float = LOOKUP_MB):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int] | None = None
        self._cache: dict = {}
        self._building: dict = {}  # key -> the lock of the thread computing it
        # The large look-ups, least recently used first, each with its size in bytes.
        self._large: OrderedDict = OrderedDict()
        self._large_bytes = 0
        self.lookup_bytes = int(lookup_mb * 2**20)
        self.dropped = 0  # large look-ups dropped to stay within lookup_bytes, this version

    def _connection(self) -> duckdb.DuckDBPyConnection:
        # A cursor per call: DuckDB connections are not safe to share across threads.
        return self._current().cursor()

    def _current(self) -> duckdb.DuckDBPyConnection:
        """The connection to the version being served, reopened (and the cache dropped) when a new one is swapped in."""
        try:
            stat = self.path.stat()
        except FileNotFoundError as exc:
            raise WarehouseMissing(
                f"No warehouse at {self.path}. Run 'make demo' or 'python -m dashboard.ingest'."
            ) from exc
        stamp = (stat.st_ino, stat.st_mtime_ns)
        with self._lock:
            if self._con is None or stamp != self._stamp:
                if self._con is not None:
                    self._con.close()
                # DuckDB shares one open database per path within a process: opening the version's own file
                # means a new version is read even while another reader still holds the one before.
                self._con = duckdb.connect(str(current_version(self.path) or self.path), read_only=True)
                self._stamp = stamp
                self._cache.clear()
                self._large.clear()
                self._large_bytes, self.dropped = 0, 0
            return self._con

    def query(self, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
        """Run one read-only SQL statement and return a DataFrame."""
        cursor = self._connection()
        try:
            return cursor.execute(sql, params or []).df()
        finally:
            cursor.close()

    def cached(self, key, compute, size: Callable[[object], int] | None = None):
        """Return compute() once per warehouse version: results are dropped when a new version is swapped in.

        With size (the bytes a value holds), the value is a large look-up: kept while the large look-ups together
        stay within lookup_bytes, the least recently used dropped first (the newest is always kept).

        One thread computes a key at a time: others asking for it meanwhile wait for its value. (A worker warming
        England's boundaries while its first readers arrived built them several times at once, holding each.)"""
        self._current()
        found = self._found(key)
        if found is not _MISSING:
            return found
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        try:
            with building:
                found = self._found(key)
                if found is not _MISSING:
                    return found
                value = compute()
                self._keep(key, value, size)
                return value
        finally:
            with self._lock:
                if self._building.get(key) is building:
                    del self._building[key]

    def _found(self, key):
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            if key in self._large:
                self._large.move_to_end(key)
                return self._large[key][0]
        return _MISSING

    def _keep(self, key, value, size: Callable[[object], int] | None) -> None:
        with self._lock:
            if size is None:
                self._cache[key] = value
            elif key not in self._large:
                self._large[key] = (value, size(value))
                self._large_bytes += self._large[key][1]
                while self._large_bytes > self.lookup_bytes and len(self._large) > 1:
                    _, (_, dropped) = self._large.popitem(last=False)
                    self._large_bytes -= dropped
                    self.dropped += 1

    @property
    def lookups_full(self) -> bool:
        """True once a large look-up has been dropped to stay within lookup_bytes (this version)."""
        return self.dropped > 0

    def columns(self, table: str) -> set[str]:
        """The columns a table has in the version being served (none if it has no such table).

        A warehouse loaded by an earlier release lacks what was added since; queries ask, rather than fail.
        """
        return self.cached(
            ("columns", table),
            lambda: set(
                self.query("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])[
                    "column_name"
                ]
            ),
        )

    @property
    def stamp(self) -> tuple[int, int] | None:
        """Identity of the file version last opened; changes when a new version is swapped in."""
        self._current()
        return self._stamp

    def info(self) -> WarehouseInfo:
        """Version, kind (synthetic or real) and dates of the data being served."""
        return self.cached("info", self._read_info)

    def _read_info(self) -> WarehouseInfo:
        kind = ", area_kind" if "area_kind" in self.columns("load_version") else ""
        row = self.query(
            f"SELECT version, data_kind, CAST(loaded_at AS VARCHAR) AS loaded_at, description{kind} FROM load_version"
        )
        latest = self.query("SELECT max(latest_year) AS latest FROM dataset_status")["latest"].iloc[0]
        record = row.iloc[0]
        return WarehouseInfo(
            version=str(record["version"]),
            data_kind=str(record["data_kind"]),
            loaded_at=str(record["loaded_at"])[:19],
            description=str(record["description"]),
            latest_year=None if pd.isna(latest) else str(latest),
            area_kind=str(record.get("area_kind", "borough")),
        )


def frame_bytes(frame: pd.DataFrame, sample: int = 1000) -> int:
    """About how many bytes a DataFrame holds, the Python objects of its object columns included (measured on a sample
    of rows: pandas' deep count reads every one, which costs as much as a look-up's build)."""
    total = int(frame.memory_usage(index=True, deep=False).sum())
    rows = len(frame)
    if not rows:
        return total
    picked = np.linspace(0, rows - 1, min(rows, sample)).astype(int)
    for column in frame.columns[[dtype == np.dtype(object) for dtype in frame.dtypes]]:
        values = frame[column].to_numpy(object)[picked]
        total += int(sum(sys.getsizeof(v) for v in values if v is not None) * rows / len(picked))
    return total
