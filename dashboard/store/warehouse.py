"""Read-only access to the warehouse version being served: queries, a per-version cache, and what data it holds."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.store.versions import current_version


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

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int] | None = None
        self._cache: dict = {}

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
            return self._con

    def query(self, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
        """Run one read-only SQL statement and return a DataFrame."""
        cursor = self._connection()
        try:
            return cursor.execute(sql, params or []).df()
        finally:
            cursor.close()

    def cached(self, key, compute):
        """Return compute() once per warehouse version: results are dropped when a new version is swapped in."""
        self._current()
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = compute()
        with self._lock:
            self._cache[key] = value
        return value

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
