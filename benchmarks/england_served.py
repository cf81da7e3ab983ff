"""England served: its extracts loaded into a warehouse with a stand-in publication, to time the app at England's size.

Run: .venv/bin/python -m benchmarks.england --steps warehouse,serve   (after its extracts step; make bench-england)

England's joint stage does not yet scale to its 151 LAs (docs/performance.md), so the app has never served its
protected publication. What serving costs depends on how many cells and places each request reads and draws, not
on which of them are hidden, so the map, the browser, an export and the web workers' memory are timed here on a
warehouse whose publication is a STAND-IN: every count of 1 to the threshold hidden (primary suppression, where the
real protection starts; sessions hidden with their pupils), no secondary suppression, no audit. It is not protected
against differencing. It is written only under bench/warehouses, its publication's method says what it is, and it
must never be served to a reader: the load (`python -m dashboard.ingest load`) has no way to make one.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dashboard.config import Config
from dashboard.domain.disclosure import primary_cells
from dashboard.domain.status import NOT_PUBLISHED, SHOWN, SUPPRESSED
from dashboard.publish.cells import count_year, read_facts
from dashboard.publish.protect import FAMILY_COLUMNS, PUBLISHED_COLUMNS, SOURCE_TABLES
from dashboard.publish.registry import COUNTS, KEY_COLUMNS, families_of

STANDIN_METHOD = (
    "BENCHMARK STAND-IN, NOT PROTECTED: counts of 1 to the threshold hidden, no secondary suppression, no audit "
    "(benchmarks/england_served.py); never to be served to a reader"
)


def write_tables(extracts: Path, boundaries: Path, db: Path, out: Path) -> None:
    """England's extracts read by the ingest and written as a warehouse version at db, its publication empty."""
    from dashboard.ingest.build import build_tables
    from dashboard.store.versions import write_warehouse

    tables, report = build_tables(
        extracts, boundaries=boundaries, code_field="LSOA21CD", data_kind="synthetic", area_kind="country"
    )
    if report.errors:
        raise SystemExit(f"England's extracts did not validate: {report.errors[:3]}")
    tables["load_version"]["description"] = "England (synthetic), benchmark stand-in publication"
    stored = write_warehouse(db, tables)
    out.write_text(json.dumps({"version": stored.name} | {name: len(t) for name, t in tables.items()}))


def standin_publication(db: Path, out: Path, threshold: int | None = None) -> None:
    """The stand-in publication of the version served at db, year by year, written into that version's file."""
    threshold = Config().suppression_threshold if threshold is None else threshold
    started = time.perf_counter()
    stored = db.resolve()
    with tempfile.TemporaryDirectory(dir=db.parent) as folder:
        years = _years(stored)
        for year in years:
            published, families = _year(stored, year, threshold)
            published.to_parquet(Path(folder) / f"published-{year.replace('/', '-')}.parquet", index=False)
            families.to_parquet(Path(folder) / f"family-{year.replace('/', '-')}.parquet", index=False)
            print(f"  {year}: {len(published):,} cells", flush=True)
        seconds = time.perf_counter() - started
        con = duckdb.connect(str(stored))
        try:
            columns = ", ".join(f'"{c}"' for c in PUBLISHED_COLUMNS)
            # Stored in the order look-ups ask for them, as the load stores them.
            con.execute(
                f"INSERT INTO published ({columns}) SELECT {columns} FROM read_parquet('{folder}/published-*.parquet') "
                "ORDER BY count, family, academic_year"
            )
            con.execute(
                f"INSERT INTO publication_family SELECT * FROM read_parquet('{folder}/family-*.parquet') "
                "ORDER BY count, academic_year"
            )
            con.execute(
                "INSERT INTO publication VALUES (?, ?, ?, ?)",
                [threshold, dt.datetime.now().replace(microsecond=0), STANDIN_METHOD, round(seconds, 1)],
            )
            con.execute("CHECKPOINT")
            cells = con.execute("SELECT count(*) FROM published").fetchone()[0]
        finally:
            con.close()
    out.write_text(json.dumps({"years": len(years), "cells": cells, "stand-in s": round(seconds, 1)}))


def _years(stored: Path) -> list[str]:
    con = duckdb.connect(str(stored), read_only=True)
    try:
        return [row[0] for row in con.execute("SELECT DISTINCT academic_year FROM fact_census ORDER BY 1").fetchall()]
    finally:
        con.close()


def _year(stored: Path, year: str, threshold: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One year's cells of every family of every count, as the load makes them, with the stand-in's statuses."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{stored}' AS warehouse (READ_ONLY)")
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'warehouse'").df()
    present = set(tables["table_name"])
    for name in SOURCE_TABLES:
        if name not in present:
            continue
        has_year = "academic_year" in con.execute(f"SELECT * FROM warehouse.{name} LIMIT 0").df().columns
        where = f" WHERE academic_year = '{year}'" if has_year else ""
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM warehouse.{name}{where}")
    counts = [c for c in COUNTS.values() if c.table in present]
    facts = read_facts(con, counts)
    con.close()
    frames, stats = [], []
    for count in counts:
        table = count_year(count, year, facts.pop(count.id))
        cells = table.cells.assign(count=count.id, academic_year=year)
        values = cells["value"].to_numpy(float)
        hidden = primary_cells(values, threshold) if count.children else np.zeros(len(cells), dtype=bool)
        cells["_hidden"] = hidden
        frames.append(cells)
    cells = pd.concat(frames, ignore_index=True)
    # Sessions are not children: hidden wherever the pupils they describe are (registry's pattern_of).
    keys = ["family", "term", *KEY_COLUMNS]
    for count in (c for c in counts if c.pattern_of):
        leader = cells.loc[cells["count"] == count.pattern_of, [*keys, "_hidden"]].rename(columns={"_hidden": "_led"})
        mine = cells.index[cells["count"] == count.id]
        led = cells.loc[mine, keys].merge(leader, on=keys, how="left")["_led"].fillna(False).to_numpy(bool)
        cells.loc[mine, "_hidden"] = led
    unpublished = ~cells["published"].to_numpy(bool)
    symbol = cells["symbol"].to_numpy(object)
    cells["status"] = np.where(
        unpublished,
        NOT_PUBLISHED,
        np.where(pd.notna(symbol), symbol, np.where(cells["_hidden"].to_numpy(bool), SUPPRESSED, SHOWN)),
    )
    cells["value"] = cells["value"].where(cells["status"] == SHOWN)
    year_cells = cells[cells["term"].isna() & cells["published"]]
    for count in counts:
        mine = year_cells[year_cells["count"] == count.id]
        for family in families_of(count.id):
            part = mine[mine["family"] == family.name]
            stats.append((count.id, family.name, year, len(part), int(part["_hidden"].sum()), 0, True, ""))
    return cells[PUBLISHED_COLUMNS], pd.DataFrame(stats, columns=FAMILY_COLUMNS)


def serve(db: Path) -> dict:
    """The app on England's stand-in warehouse, measured as every other scale is (benchmarks.scales): the Map's
    filter change served against the naive map, the first map and redraws in Chromium, one chart export; then 25
    signed-in users against two web workers, with the largest one's peak memory."""
    import gc
    import resource

    from benchmarks.scales import export_time, in_chromium, served_and_naive, users

    row, app = served_and_naive(db)
    row["benchmark process peak MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    try:
        row |= in_chromium(app, row["areas"])
    except Exception as failure:  # noqa: BLE001 - reported in the results as not measured, never as a figure
        row["browser"] = f"not measured: {str(failure).splitlines()[0][:200]}"
    row |= export_time(app, db)
    del app
    gc.collect()
    return row | users(db, 2, 45)
