"""The DuckDB warehouse: its star schema, atomic writes of a new version, and read-only access."""
from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

SCHEMA_SQL = """
CREATE TABLE locality (
    locality_code VARCHAR PRIMARY KEY,
    locality_name VARCHAR NOT NULL
);
CREATE TABLE cluster (
    cluster_code VARCHAR PRIMARY KEY,
    cluster_name VARCHAR NOT NULL,
    locality_code VARCHAR NOT NULL REFERENCES locality
);
CREATE TABLE area (
    area_code VARCHAR PRIMARY KEY,
    area_name VARCHAR NOT NULL,
    ward_code VARCHAR NOT NULL,
    ward_name VARCHAR NOT NULL,
    locality_code VARCHAR NOT NULL REFERENCES locality,
    imd_decile TINYINT,
    idaci_decile TINYINT
);
CREATE TABLE area_geometry (
    area_code VARCHAR PRIMARY KEY REFERENCES area,
    geojson VARCHAR NOT NULL
);
CREATE TABLE school (
    urn VARCHAR PRIMARY KEY,
    school_name VARCHAR NOT NULL,
    phase VARCHAR NOT NULL,
    school_type VARCHAR NOT NULL,
    cluster_code VARCHAR NOT NULL REFERENCES cluster,
    area_code VARCHAR REFERENCES area,
    latitude DOUBLE,
    longitude DOUBLE,
    open_date DATE,
    close_date DATE
);
CREATE TABLE need (
    need_code VARCHAR PRIMARY KEY,
    need_label VARCHAR NOT NULL,
    broad_area VARCHAR NOT NULL
);
CREATE TABLE period (
    academic_year VARCHAR NOT NULL,
    term VARCHAR NOT NULL,
    period_code VARCHAR NOT NULL UNIQUE,
    term_order TINYINT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    PRIMARY KEY (academic_year, term)
);
CREATE TABLE fact_population (
    academic_year VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL REFERENCES area,
    age_band VARCHAR NOT NULL,
    population INTEGER,
    symbols VARCHAR,  -- EES symbols standing for counts, as 'column=c;column=x'
    PRIMARY KEY (academic_year, area_code, age_band)
);
CREATE TABLE fact_census (
    academic_year VARCHAR NOT NULL,
    urn VARCHAR REFERENCES school,  -- blank: the part of a total not given school by school
    home_area_code VARCHAR REFERENCES area,
    sen_provision VARCHAR,  -- blank: not known (a public file without this breakdown)
    primary_need VARCHAR REFERENCES need,
    pupils INTEGER,
    symbols VARCHAR  -- EES symbols standing for counts, as 'column=c;column=x'
);
CREATE TABLE fact_exclusion (
    academic_year VARCHAR NOT NULL,
    term VARCHAR NOT NULL,
    urn VARCHAR REFERENCES school,  -- blank: the part of a total not given school by school
    home_area_code VARCHAR REFERENCES area,
    sen_provision VARCHAR,  -- blank: not known (a public file without this breakdown)
    primary_need VARCHAR REFERENCES need,
    exclusion_type VARCHAR NOT NULL,
    exclusions INTEGER,
    pupils_excluded INTEGER,
    sessions_lost INTEGER,
    symbols VARCHAR  -- EES symbols standing for counts, as 'column=c;column=x'
);
CREATE TABLE exclusion_reason (
    academic_year VARCHAR NOT NULL,
    urn VARCHAR REFERENCES school,  -- blank: a figure for a phase or the whole LA
    phase VARCHAR,  -- blank: the school's phase, or not known
    exclusion_type VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    exclusions INTEGER,
    symbols VARCHAR  -- EES symbols standing for counts, as 'exclusions=x'
);
CREATE TABLE fact_attendance (
    academic_year VARCHAR NOT NULL,
    term VARCHAR NOT NULL,
    urn VARCHAR REFERENCES school,  -- blank: the part of a total not given school by school
    home_area_code VARCHAR REFERENCES area,
    sen_provision VARCHAR,  -- blank: not known (a public file without this breakdown)
    primary_need VARCHAR REFERENCES need,
    enrolments INTEGER,
    sessions_possible BIGINT,
    sessions_authorised BIGINT,
    sessions_unauthorised BIGINT,
    sessions_missed BIGINT,
    persistent_absentees INTEGER,
    severe_absentees INTEGER,
    symbols VARCHAR  -- EES symbols standing for counts, as 'column=c;column=x'
);
CREATE TABLE fact_ehcp (
    academic_year VARCHAR NOT NULL,
    home_area_code VARCHAR REFERENCES area,
    age_band VARCHAR,  -- blank: not known
    primary_need VARCHAR REFERENCES need,
    setting_type VARCHAR,
    urn VARCHAR REFERENCES school,
    plans INTEGER,
    symbols VARCHAR  -- EES symbols standing for counts, as 'column=c;column=x'
);
CREATE TABLE benchmark (
    geography_code VARCHAR NOT NULL,
    geography_name VARCHAR NOT NULL,
    geography_level VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    academic_year VARCHAR NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    source VARCHAR NOT NULL,
    phase VARCHAR,  -- blank: all phases
    sen_provision VARCHAR,  -- blank: all pupils
    primary_need VARCHAR,  -- blank: all pupils
    symbols VARCHAR  -- EES symbols standing for counts, as 'column=c;column=x'
);
CREATE TABLE event (
    event_date DATE NOT NULL,
    label VARCHAR NOT NULL,
    academic_year VARCHAR NOT NULL,
    term VARCHAR NOT NULL
);
CREATE TABLE load_version (
    version VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    data_kind VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);
CREATE TABLE load_source (
    file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL,
    form VARCHAR NOT NULL
);
CREATE TABLE dataset_status (
    dataset VARCHAR PRIMARY KEY,
    rows_loaded INTEGER NOT NULL,
    first_year VARCHAR,
    latest_year VARCHAR,
    as_of DATE
);
"""

# Load order respects the foreign keys above.
TABLE_ORDER = (
    "locality", "cluster", "area", "area_geometry", "school", "need", "period",
    "fact_population", "fact_census", "fact_exclusion", "exclusion_reason", "fact_attendance", "fact_ehcp", "benchmark", "event",
    "load_version", "load_source", "dataset_status",
)


class WarehouseMissing(FileNotFoundError):
    """No warehouse file exists yet at the configured path."""


KEEP_VERSIONS = 10  # older versions are pruned after a load; the one being served is always kept


def versions_folder(path: Path) -> Path:
    """Where every loaded version of the warehouse at path is kept: a folder beside it."""
    return path.parent / (path.name + ".versions")


def write_warehouse(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write a new version of the warehouse, keep it in the versions folder and serve it at path.

    The version is written and synced under a temporary name, renamed into the versions folder, and
    only then linked in at path with one rename. A failure or a kill at any point leaves path serving
    the version it served before, intact. Returns the version's file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = versions_folder(path)
    folder.mkdir(exist_ok=True)
    _keep_current(path)
    version = str(tables["load_version"]["version"].iat[0]) if "load_version" in tables else "unversioned"
    stored = folder / f"{version}.duckdb"
    _write_file(stored, tables)
    serve_version(path, stored)
    prune_versions(path)
    return stored


def _keep_current(path: Path) -> None:
    """A warehouse from before versions were kept is filed as a version first, so it can be rolled back to."""
    if not path.exists() or current_version(path) is not None:
        return
    con = duckdb.connect(str(path), read_only=True)
    try:
        version = con.execute("SELECT version FROM load_version").fetchone()[0]
    except duckdb.Error:
        version = "earlier"
    finally:
        con.close()
    target = versions_folder(path) / f"{version}.duckdb"
    if not target.exists():
        os.link(path, target)


def serve_version(path: Path, stored: Path) -> None:
    """Make path serve stored (a file in the versions folder) with one atomic rename of a hard link."""
    link = path.parent / f".{path.name}.{os.getpid()}.link"
    link.unlink(missing_ok=True)
    os.link(stored, link)
    os.replace(link, path)


def list_versions(path: Path) -> list[Path]:
    """Every kept version of the warehouse at path, oldest first (names start with the load time)."""
    folder = versions_folder(path)
    return sorted(folder.glob("*.duckdb")) if folder.exists() else []


def current_version(path: Path) -> Path | None:
    """The kept version path is serving, if any."""
    if not path.exists():
        return None
    return next((v for v in list_versions(path) if os.path.samefile(v, path)), None)


def rollback(path: Path) -> Path:
    """Serve the version loaded before the one being served; returns it. Raises ValueError if there is none."""
    versions, current = list_versions(path), current_version(path)
    if current is None or versions.index(current) == 0:
        raise ValueError(f"There is no earlier version of {path} to roll back to.")
    previous = versions[versions.index(current) - 1]
    serve_version(path, previous)
    return previous


def prune_versions(path: Path, keep: int = KEEP_VERSIONS) -> None:
    """Delete all but the newest keep versions (never the one being served), and files a killed load left behind."""
    current = current_version(path)
    for old in list_versions(path)[:-keep]:
        if old != current:
            old.unlink(missing_ok=True)
    for leftover in versions_folder(path).glob("*.tmp*"):
        leftover.unlink(missing_ok=True)


def _write_file(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write every table into a new file beside path, check it, then move it to path with one rename.

    A failure at any point leaves nothing at path (or what was there) and no temporary file.
    """
    handle, temp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temp = Path(temp_name)
    temp.unlink()  # DuckDB refuses to open an empty file that is not a database
    try:
        con = duckdb.connect(str(temp))
        try:
            con.execute(SCHEMA_SQL)
            for name in TABLE_ORDER:
                frame = tables.get(name)
                if frame is None or frame.empty:
                    continue
                columns = ", ".join(f'"{c}"' for c in frame.columns)
                con.register("incoming", frame)
                con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM incoming")
                con.unregister("incoming")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
        Path(str(temp) + ".wal").unlink(missing_ok=True)


@dataclass(frozen=True)
class WarehouseInfo:
    """What the header and /healthz say about the data being served."""

    version: str
    data_kind: str
    loaded_at: str
    description: str
    latest_year: str | None


class Warehouse:
    """Read-only access to the warehouse file; reopens when a new version has been swapped in."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int] | None = None
        self._cache: dict = {}

    def _connection(self) -> duckdb.DuckDBPyConnection:
        try:
            stat = self.path.stat()
        except FileNotFoundError as exc:
            raise WarehouseMissing(f"No warehouse at {self.path}. Run 'make demo' or 'python -m dashboard.ingest'.") from exc
        stamp = (stat.st_ino, stat.st_mtime_ns)
        with self._lock:
            if self._con is None or stamp != self._stamp:
                if self._con is not None:
                    self._con.close()
                self._con = duckdb.connect(str(self.path), read_only=True)
                self._stamp = stamp
                self._cache.clear()
            # A cursor per call: DuckDB connections are not safe to share across threads.
            return self._con.cursor()

    def query(self, sql: str, params: list | tuple | None = None) -> pd.DataFrame:
        """Run one read-only SQL statement and return a DataFrame."""
        cursor = self._connection()
        try:
            return cursor.execute(sql, params or []).df()
        finally:
            cursor.close()

    def cached(self, key, compute):
        """Return compute() once per warehouse version: results are dropped when a new version is swapped in."""
        self._connection().close()
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
        return self.cached(("columns", table), lambda: set(self.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])["column_name"]))

    @property
    def stamp(self) -> tuple[int, int] | None:
        """Identity of the file version last opened; changes when a new version is swapped in."""
        self._connection().close()
        return self._stamp

    def info(self) -> WarehouseInfo:
        """Version, kind (synthetic or real) and dates of the data being served."""
        row = self.query("SELECT version, data_kind, CAST(loaded_at AS VARCHAR) AS loaded_at, description FROM load_version")
        latest = self.query("SELECT max(latest_year) AS latest FROM dataset_status")["latest"].iloc[0]
        record = row.iloc[0]
        return WarehouseInfo(
            version=str(record["version"]),
            data_kind=str(record["data_kind"]),
            loaded_at=str(record["loaded_at"])[:19],
            description=str(record["description"]),
            latest_year=None if pd.isna(latest) else str(latest),
        )
