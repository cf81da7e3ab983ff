"""Warehouse versions: each load written whole and kept, served by one atomic swap, rolled back on demand."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.store.schema import SCHEMA_SQL, TABLE_ORDER

KEEP_VERSIONS = 10  # older versions are pruned after a load; the one being served is always kept


def versions_folder(path: Path) -> Path:
    """Where every loaded version of the warehouse at path is kept: a folder beside it."""
    return path.parent / (path.name + ".versions")


def exports_folder(path: Path, version: str) -> Path:
    """Where the files exported from one version are kept for every web worker: beside the version, pruned with it."""
    return versions_folder(path) / f"{version}.exports"


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


def previous_version(path: Path) -> Path | None:
    """The kept version loaded before the one path serves, if there is one."""
    versions, current = list_versions(path), current_version(path)
    if current is None or versions.index(current) == 0:
        return None
    return versions[versions.index(current) - 1]


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
    kept = {version.stem for version in list_versions(path)}
    for exported in versions_folder(path).glob("*.exports"):
        if exported.name.removesuffix(".exports") not in kept:
            shutil.rmtree(exported, ignore_errors=True)  # its version is gone: its files could never be asked for
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
