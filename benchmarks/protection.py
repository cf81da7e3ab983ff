"""Benchmark: what protecting related counts together costs, against protecting each count apart, in one run.

Run: .venv/bin/python -m benchmarks.protection [warehouse ...] [--runs N]   (make bench runs it on the demo)

For each warehouse (the demo by default, and a small borough built for the run), the load's protection runs on the
same fact tables with the registry's relations (related counts as one system per year, bounds in the audit) and
without them (every count on its own but the sessions, which still follow their pupils: the protection before the
relations), alternately, so drift hits both. Prints seconds
and cells hidden for each, and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from dashboard.config import Config
from dashboard.publish import registry, relations
from dashboard.publish.protect import SOURCE_TABLES, publish


def tables_of(warehouse: Path) -> dict:
    """The tables a load protects, read from a warehouse version."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        present = set(con.execute("SELECT table_name FROM information_schema.tables").df()["table_name"])
        return {name: con.execute(f"SELECT * FROM {name}").df() for name in SOURCE_TABLES if name in present}
    finally:
        con.close()


def protect_once(tables: dict, threshold: int, together: bool) -> tuple[float, int, int]:
    """(seconds, cells hidden, cells) for one protection, with the relations or with every count apart."""
    saved = registry.RELATIONS, relations.RELATIONS
    if not together:
        registry.RELATIONS = relations.RELATIONS = ()
    try:
        started = time.perf_counter()
        result = publish(tables, threshold)
        seconds = time.perf_counter() - started
    finally:
        registry.RELATIONS, relations.RELATIONS = saved
    families = result.families[result.families["published"]]
    return seconds, int((families["primary_hidden"] + families["secondary_hidden"]).sum()), int(families["cells"].sum())


def small_borough(folder: Path) -> Path:
    """A small borough (48 areas, 33 schools, three years, a third of the children), built for the run."""
    from dashboard.sources.demo.calibration import DemoSettings
    from dashboard.sources.demo.extracts import build_demo

    settings = DemoSettings(
        seed=7,
        years=3,
        areas=48,
        wards=8,
        primary_schools=24,
        secondary_schools=6,
        special_schools=2,
        ap_schools=1,
        clusters_per_locality=1,
        scale=0.3,
    )
    build_demo(folder / "extracts", folder / "warehouse.duckdb", settings)
    return folder / "warehouse.duckdb"


def main(argv: list[str] | None = None) -> None:
    """Time the protection together and apart on each warehouse, alternately, and print the ratios."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.protection", description=__doc__.splitlines()[0])
    parser.add_argument("warehouses", nargs="*", type=Path, help="warehouse files (default: the demo's)")
    parser.add_argument("--runs", type=int, default=2, help="runs of each, alternately (default 2)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        warehouses = args.warehouses or [Config().warehouse_path, small_borough(Path(folder))]
        for warehouse in warehouses:
            if not Path(warehouse).exists():
                raise SystemExit(f"No warehouse at {warehouse}: build the demo first (make demo).")
            tables = tables_of(warehouse)
            found = {True: [], False: []}
            for _ in range(args.runs):
                for together in (False, True):
                    found[together].append(protect_once(tables, Config().suppression_threshold, together))
            print(f"{warehouse}:")
            for together, label in ((False, "each count apart"), (True, "related counts together")):
                seconds = statistics.median(s for s, _, _ in found[together])
                hidden, cells = found[together][0][1:]
                print(f"  {label:<24} {seconds:6.1f} s   hidden {hidden:,} of {cells:,} ({hidden / cells:.1%})")
            apart, together = (statistics.median(s for s, _, _ in found[key]) for key in (False, True))
            print(f"  time together / apart: {together / apart:.2f}x")


if __name__ == "__main__":
    main()
