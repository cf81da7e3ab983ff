"""Benchmark: what a filter change costs on the Map page, full figure against a Patch of the values.

Run: .venv/bin/python -m benchmarks.map_update [warehouse]  (default: the configured warehouse)
Reports ratios measured in this one run; absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import plotly.io as pio

from dashboard.config import Config
from dashboard.domain.filters import FilterState
from dashboard.query.queries import Queries
from dashboard.store.warehouse import Warehouse
from dashboard.views.map import map_view

ROUNDS = 20
STATES = [
    FilterState(year=year, locality=locality)
    for year in ("2022/23", "2023/24", "2024/25")
    for locality in (None, "N", "E", "SC", "W")
]


def measure(queries: Queries, with_geometry: bool) -> tuple[float, int]:
    """Mean seconds and mean bytes of the response body for one filter change."""
    started, size = time.perf_counter(), 0
    for round_ in range(ROUNDS):
        queries.forget_protected()  # each change is timed as if its filters were new, not from the shared protection
        view = map_view(queries, STATES[round_ % len(STATES)], with_geometry=with_geometry)
        body = pio.to_json(view.figure) if with_geometry else json.dumps(view.patch)
        size += len(body.encode())
    return (time.perf_counter() - started) / ROUNDS, size // ROUNDS


def main() -> None:
    """Print time and size of both ways of updating the map, and their ratios."""
    parser = argparse.ArgumentParser(
        description="What a filter change costs on the Map page: full figure against a Patch."
    )
    parser.add_argument(
        "warehouse",
        nargs="?",
        type=Path,
        default=Config().warehouse_path,
        help="warehouse file to measure (default: the configured one)",
    )
    path = parser.parse_args().warehouse
    if not path.exists():
        parser.error(f"no warehouse at {path}: build the demo with 'make demo' or give a path")
    queries = Queries(Warehouse(path), Config().suppression_threshold)
    map_view(queries, STATES[0], with_geometry=True)  # warm the caches both ways share
    full_time, full_size = measure(queries, with_geometry=True)
    patch_time, patch_size = measure(queries, with_geometry=False)
    print(f"full figure: {full_time * 1000:.0f} ms, {full_size / 1024:.0f} KB per filter change")
    print(f"patch:       {patch_time * 1000:.0f} ms, {patch_size / 1024:.0f} KB per filter change")
    print(f"ratios (full / patch): time {full_time / patch_time:.1f}x, bytes {full_size / patch_size:.1f}x")


if __name__ == "__main__":
    main()
