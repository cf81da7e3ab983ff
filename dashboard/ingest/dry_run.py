"""What a load would change, table by table, without changing anything."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from dashboard.ingest.build import build_tables
from dashboard.ingest.report import LoadReport


def dry_run(source: Path, db_path: Path, **options) -> tuple[LoadReport, list[tuple[str, int, int, int]]]:
    """What a load would change, without changing anything: (report, [(table, added, changed, removed)])."""
    tables, report = build_tables(Path(source), **options)
    if report.errors:
        return report, []
    current: dict[str, pd.DataFrame] = {}
    if Path(db_path).exists():
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            for name in tables:
                try:
                    current[name] = con.execute(f"SELECT * FROM {name}").df()
                except duckdb.Error:
                    pass  # a table the served version does not have: all its rows are new
        finally:
            con.close()
    changes = []
    for name, new in tables.items():
        if name in ("load_version", "load_source"):
            continue
        changes.append((name, *table_changes(current.get(name), new)))
    return report, changes


def table_changes(old: pd.DataFrame | None, new: pd.DataFrame) -> tuple[int, int, int]:
    """Rows (added, changed, removed) from old to new, matching rows on their text columns (codes, years, names)."""
    if old is None or old.empty:
        return len(new), 0, 0
    columns = [c for c in new.columns if c in old.columns]
    keys = [c for c in columns if new[c].dtype == object or str(new[c].dtype).startswith(("str", "string"))] or columns
    values = [c for c in columns if c not in keys]

    def normalised(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[columns].copy()
        for c in keys:
            frame[c] = frame[c].astype(str)
        for c in values:
            frame[c] = (
                pd.to_numeric(frame[c], errors="coerce").astype(float).round(9)
                if frame[c].dtype != object
                else frame[c].astype(str)
            )
        return frame

    before, after = normalised(old), normalised(new)
    joined = before.merge(after, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
    added = int((joined["_merge"] == "right_only").sum())
    removed = int((joined["_merge"] == "left_only").sum())
    both = joined[joined["_merge"] == "both"]
    changed = 0
    if values and not both.empty:
        differs = pd.Series(False, index=both.index)
        for c in values:
            a, b = both[f"{c}_old"], both[f"{c}_new"]
            differs |= ~((a == b) | (a.isna() & b.isna()))
        changed = int(differs.sum())
    return added, changed, removed
