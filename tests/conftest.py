"""Shared fixtures: one demo borough per test session, and the real public files read in place."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.config import ROOT
from dashboard.query.queries import Queries
from dashboard.sources.demo.extracts import build_demo
from dashboard.store.warehouse import Warehouse

SHARED_DATA = ROOT.parent / "shared" / "data"
# The web process keeps strings in Python (create_app sets it); a test process builds apps part way through, so it
# keeps them there from the start, or frames made before and after the first app would differ in storage alone.
pd.set_option("mode.string_storage", "python")


def shared_file(relative: str) -> Path:
    """A file from ../shared/data, read in place; the test is skipped with a reason if it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data file {path} is not available (../shared is absent)")
    return path


def rows_of(path: Path) -> list[list[str]]:
    """A CSV file's rows as lists of text."""
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    """Write rows as a CSV file."""
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)


def digest(path: Path) -> str:
    """A file's SHA-256, to prove it was not changed."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Files that take minutes go first: pytest-xdist (--dist loadfile) hands files out in the order collected, so a long
# one collected late would leave one process running it alone at the end of `make test`.
SLOW_FIRST = (
    "tests/integration/test_relations.py",
    "tests/integration/test_demo.py",
    "tests/integration/test_publication.py",
    "tests/integration/test_versions.py",
    "tests/browser/test_browser.py",
    "tests/browser/test_accessibility.py",
)


def pytest_collection_modifyitems(config, items):
    """Put the slowest files first, each keeping its own order of tests."""
    rank = {path: index for index, path in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> tuple[Path, Path]:
    """The demo borough built once: (folder of extracts, warehouse file)."""
    folder = tmp_path_factory.mktemp("demo")
    extracts, db = folder / "extracts", folder / "warehouse.duckdb"
    build_demo(extracts, db)
    return extracts, db


def small_borough(seed: int, years: int, areas: int, wards: int, scale: float):
    """Demo settings for a small borough: 33 schools in one cluster per locality, a share of the children."""
    from dashboard.sources.demo.calibration import DemoSettings

    return DemoSettings(
        seed=seed,
        years=years,
        areas=areas,
        wards=wards,
        primary_schools=24,
        secondary_schools=6,
        special_schools=2,
        ap_schools=1,
        clusters_per_locality=1,
        scale=scale,
    )


@pytest.fixture(scope="session")
def second_seed_build(tmp_path_factory) -> tuple[Path, Path, Path | None]:
    """The demo with another seed (2), on Walsall's real boundaries where ../shared has them, else on its own made-up
    ones, built once: (folder of extracts, warehouse file, boundaries file or None)."""
    from dashboard.sources.demo.calibration import DemoSettings

    folder = tmp_path_factory.mktemp("second-seed")
    extracts, db = folder / "extracts", folder / "warehouse.duckdb"
    boundaries = SHARED_DATA / "boundaries" / "lsoa2021_walsall_E08000030.geojson"
    boundaries = boundaries if boundaries.exists() else None
    build_demo(extracts, db, DemoSettings(seed=2), boundaries, "LSOA21CD" if boundaries else None)
    return extracts, db, boundaries


@pytest.fixture(scope="session")
def small_demo_build(tmp_path_factory) -> tuple[Path, Path]:
    """A small borough built once (48 areas, 33 schools, a third of the children, two years): for tests that load
    many times."""
    folder = tmp_path_factory.mktemp("small-demo")
    extracts, db = folder / "extracts", folder / "warehouse.duckdb"
    build_demo(extracts, db, small_borough(seed=7, years=2, areas=48, wards=8, scale=0.3))
    return extracts, db


@pytest.fixture(scope="session")
def warehouse(demo_build) -> Warehouse:
    """Read-only access to the session's demo warehouse."""
    return Warehouse(demo_build[1])


@pytest.fixture()
def template_set(tmp_path) -> Path:
    """A folder holding the aggregated templates exactly as shipped (header plus example row)."""
    folder = tmp_path / "extracts"
    folder.mkdir()
    for path in (ROOT / "data" / "templates").glob("*.csv"):
        if not path.stem.endswith("_pupil"):
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def queries(warehouse) -> Queries:
    """Everything the app reads from the demo warehouse, at the default threshold of 4."""
    return Queries(warehouse)
