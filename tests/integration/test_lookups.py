"""A web worker's look-ups stay within the memory they may hold (England's publication does not fit in it), and a
worker whose look-ups do not fit answers exactly as one whose do."""

from __future__ import annotations

import dataclasses
import os
import threading
import time

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES
from dashboard.query import published
from dashboard.query.queries import Queries
from dashboard.store.warehouse import Warehouse, frame_bytes
from dashboard.views.board import CHARTS
from dashboard.views.map import map_view
from tests.integration.test_every_state import filter_states


def test_large_lookups_stay_within_the_budget_the_least_recently_used_dropped_first(demo_build):
    warehouse = Warehouse(demo_build[1], lookup_mb=1)  # 1,048,576 bytes
    built = []

    def look_up(key, size):
        return warehouse.cached(key, lambda: built.append(key) or key.upper(), size=lambda _: size)

    assert look_up("a", 600_000) == "A" and look_up("b", 300_000) == "B"  # 900,000 bytes: both kept
    assert warehouse.cached("small", lambda: built.append("small") or "S") == "S"  # no size: kept for the version
    assert look_up("a", 600_000) == "A" and built == ["a", "b", "small"]  # kept, and now the most recently used
    assert not warehouse.lookups_full
    look_up("c", 300_000)  # 1,200,000 bytes: b, used least recently, goes (900,000 left)
    assert warehouse.lookups_full and warehouse.dropped == 1
    look_up("a", 600_000)
    look_up("c", 300_000)
    assert built == ["a", "b", "small", "c"]  # a and c were kept
    look_up("b", 300_000)  # built again; a, now the least recently used, goes (600,000 left)
    assert built == ["a", "b", "small", "c", "b"] and warehouse.dropped == 2
    look_up("d", 2_000_000)  # larger than the budget alone: kept (the newest always is), everything else goes
    look_up("d", 2_000_000)
    assert built[-1] == "d" and built.count("d") == 1 and warehouse.dropped == 4
    assert warehouse.cached("small", lambda: "built again") == "S"


def test_a_new_version_starts_with_no_lookups_and_a_budget_unspent(demo_build, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    os.link(demo_build[1], db)
    warehouse = Warehouse(db, lookup_mb=1)
    warehouse.cached("a", lambda: "old", size=lambda _: 900_000)
    warehouse.cached("b", lambda: "old", size=lambda _: 900_000)
    assert warehouse.lookups_full
    os.utime(db, ns=(1, 1))  # the file served is another version as far as the warehouse can tell
    assert warehouse.cached("a", lambda: "new", size=lambda _: 900_000) == "new"
    assert not warehouse.lookups_full


def test_a_frames_bytes_count_its_strings():
    # 1,000 rows of a float (8 bytes each) and of a 40-character string as Python objects (as the look-ups hold
    # them): CPython's str of 40 ASCII characters is 89 bytes (49 of header), each row's its own.
    codes = pd.Series(["E0" + str(10**37 + i) for i in range(1000)], dtype=object)
    frame = pd.DataFrame({"value": [1.0] * 1000, "code": codes})
    assert len(frame["code"].iat[0]) == 40
    index_and_columns = int(frame.memory_usage(index=True, deep=False).sum())  # 132 + 8,000 + 8,000 pointers
    assert frame_bytes(frame) == index_and_columns + 1000 * 89


MAP_STATES = [
    FilterState(measure=measure, year=year, level=level, locality=locality)
    for measure in MEASURES
    for year in ("2022/23", "2024/25")
    for level in ("area", "ward", "locality")
    for locality in (None, "N")
]


@pytest.fixture(scope="module")
def starved(demo_build) -> Queries:
    """The demo's look-ups in a worker allowed a twentieth of a MB for them: its publication does not fit, so each
    look-up reads only its own rows, and nearly every one is read again."""
    queries = Queries(Warehouse(demo_build[1], lookup_mb=0.05))
    queries.warm()
    return queries


def test_a_worker_whose_lookups_do_not_fit_reads_rows_not_families_and_answers_every_map_the_same(starved, queries):
    queries.warm()
    assert not published.fits(starved.warehouse) and published.fits(queries.warehouse)
    assert published.warm(starved.warehouse) == 0  # no family is read whole
    assert starved.warehouse.lookups_full and not queries.warehouse.lookups_full
    for state in MAP_STATES:
        mine, theirs = map_view(starved, state, with_geometry=True), map_view(queries, state, with_geometry=True)
        assert mine.summary == theirs.summary, state
        pd.testing.assert_frame_equal(mine.table, theirs.table)
        assert mine.figure.to_plotly_json() == theirs.figure.to_plotly_json(), state
    assert starved.warehouse.dropped > len(MAP_STATES)


def _shown(panel) -> tuple | None:
    """Everything a reader sees of a view: its words, its table and its chart."""
    if panel is None:
        return None
    figure = panel.figure.to_json() if panel.figure is not None else None
    return (panel.title, panel.summary, tuple(panel.notes), panel.table.to_csv(index=False), figure)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_view_from_rows_read_as_asked_is_the_view_from_the_whole_publication(starved, queries, data):
    # Each look-up of a worker that cannot hold the publication reads its own year and filters from the warehouse
    # (a locality, a school, a slice of pupils, every year for a trend); what a reader sees must not change.
    options = queries.filter_options()
    state = data.draw(filter_states(options))
    school = data.draw(st.sampled_from(list(queries.school_places()["school"])))
    for name, chart in CHARTS.items():
        asked = dataclasses.replace(state, school=school) if name.startswith("school") else state
        assert _shown(chart.build(starved, asked)) == _shown(chart.build(queries, asked)), (name, asked)


def test_readers_asking_for_a_look_up_being_built_wait_for_it_rather_than_build_it_again(demo_build):
    warehouse = Warehouse(demo_build[1])
    started, release, built = threading.Event(), threading.Event(), []

    def build():
        built.append(threading.current_thread().name)
        started.set()
        release.wait(5)  # slow, as England's boundaries are: every other reader arrives while it is built
        return "boundaries"

    answers = []
    first = threading.Thread(target=lambda: answers.append(warehouse.cached("level", build)), name="first")
    first.start()
    started.wait(5)
    others = [
        threading.Thread(target=lambda: answers.append(warehouse.cached("level", build)), name=f"reader {n}")
        for n in range(4)
    ]
    for thread in others:
        thread.start()
    time.sleep(0.2)  # the readers are waiting now
    release.set()
    for thread in [first, *others]:
        thread.join(5)
    assert built == ["first"] and answers == ["boundaries"] * 5
    # A look-up that failed is not kept, and the next reader builds it.
    with pytest.raises(RuntimeError):
        warehouse.cached("broken", lambda: (_ for _ in ()).throw(RuntimeError("no boundaries")))
    assert warehouse.cached("broken", lambda: "built again") == "built again"
