"""Property tests through the query layer: random measures, cuts, filters and thresholds on the demo borough.

For each case every table the app publishes beside the chosen one (its coarser cuts: wards and localities
beside small areas, clusters and phases beside schools, the borough) is fetched as the app shows it, and an
attacker's linear program over the finest cells looks for any hidden figure that the shown ones pin down.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES
from dashboard.domain.reference import PHASES, SEN_PROVISION
from dashboard.domain.status import SUPPRESSED
from dashboard.query.counts import RATE_SOURCES, NotApplicable, fact_counts
from dashboard.query.protection import parent_cuts
from dashboard.query.queries import Queries

CUTS = [
    ("area",),
    ("ward",),
    ("locality",),
    ("school",),
    ("cluster",),
    ("phase",),
    ("sen",),
    ("need",),
    ("locality", "need"),
    ("locality", "sen"),
    ("year", "locality"),
]


def published_cuts(by: tuple[str, ...]) -> list[tuple[str, ...]]:
    """by and every coarser cut the app publishes beside it (wards go with small areas)."""
    seen, todo = [], [by, tuple("area" if k == "ward" else k for k in by)]
    while todo:
        cut = todo.pop()
        if cut not in seen:
            seen.append(cut)
            todo.extend(parent_cuts(cut))
            if "area" in cut:
                todo.append(tuple("ward" if k == "area" else k for k in cut))
    return seen


def group_sum(fine: pd.DataFrame, keys: list[str], column: str) -> pd.DataFrame:
    """The finest cells' totals for each cell of a coarser cut, with the finest cells' positions."""
    fine = fine.assign(_pos=np.arange(len(fine)), _one="all")
    keys = keys or ["_one"]
    return fine.groupby(keys, dropna=False).agg(total=(column, "sum"), members=("_pos", list)).reset_index()


def pinned(fine_values: np.ndarray, shown: list[tuple[list[int], float]], hidden: list[list[int]]) -> list[int]:
    """Which hidden groups have a sum fixed by every shown group's sum (whole-number range below one)."""
    a_eq = np.zeros((len(shown), len(fine_values)))
    for row, (members, _) in enumerate(shown):
        a_eq[row, members] = 1
    b_eq = np.array([total for _, total in shown])
    found = []
    for k, members in enumerate(hidden):
        if fine_values[members].sum() == 0:
            continue  # learning that a hidden cell is zero names no child: zeros are shown as 0 anyway
        objective = np.zeros(len(fine_values))
        objective[members] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if low.success and high.success and (-high.fun) - low.fun < 1 - 1e-9:
            found.append(k)
    return found


@st.composite
def cases(draw, options):
    measure = draw(st.sampled_from(sorted(MEASURES)))
    by = draw(st.sampled_from(CUTS))
    state = FilterState(
        measure=measure,
        year=draw(st.sampled_from([y for y, _ in options.years])),
        locality=draw(st.none() | st.sampled_from([c for c, _ in options.localities])),
        cluster=draw(st.none() | st.none() | st.sampled_from([c for c, _, _ in options.clusters])),
        need=draw(st.none() | st.sampled_from([c for c, _ in options.needs])),
        sen=draw(st.none() | st.sampled_from(sorted(SEN_PROVISION))),
        phase=draw(st.none() | st.sampled_from(sorted(PHASES))),
    )
    return state, by, draw(st.integers(1, 6))


@pytest.fixture(scope="module")
def options(queries):
    return queries.filter_options()


def assert_nothing_pinned(warehouse, case) -> bool:
    """Every table published beside case's, as the app shows them: nothing small shown, no hidden figure pinned.

    Returns False where the case shows nothing (a cut the measure does not allow, or an empty selection)."""
    state, by, threshold = case
    try:
        tables = {cut: Queries(warehouse, threshold).rates(state.measure, state, cut) for cut in published_cuts(by)}
    except NotApplicable:
        return False
    if tables[by].empty:
        return False  # an empty selection shows nothing, so discloses nothing
    keys = sorted({k for cut in tables for k in cut if k != "borough"})
    fine = fact_counts(warehouse, state.measure, state, tuple(keys) or ("borough",), False, False)
    counted = "numerator_people" if RATE_SOURCES[state.measure][0].people else "denominator_people"
    for people, hidden_of in (
        (counted, lambda t: t["status"] == SUPPRESSED),
        ("denominator_people", lambda t: t["denominator"].isna() & t["status"].ne("no data")),
    ):
        values = fine[people].fillna(0).to_numpy(dtype=float)
        shown, hidden = [], []
        for cut, table in tables.items():
            cut_keys = [k for k in cut if k != "borough"]
            groups = group_sum(fine.assign(**{people: values}), cut_keys, people)
            if cut_keys:
                merged = table.merge(groups, on=cut_keys, how="left")
            else:
                merged = table.assign(total=groups["total"].iloc[0], members=[groups["members"].iloc[0]] * len(table))
            is_hidden = hidden_of(merged).to_numpy()
            # Nothing shown rests on 1 to the threshold children.
            visible = merged.loc[~is_hidden, "total"]
            assert not visible.between(1, threshold).any(), (cut, people, visible[visible.between(1, threshold)])
            for (members, total), hide in zip(merged[["members", "total"]].itertuples(index=False), is_hidden):
                if isinstance(members, list):
                    (hidden if hide else shown).append((members, total) if not hide else members)
        assert pinned(values, shown, hidden) == [], (state, by, threshold, people)
    return True


# CI runs the same examples every time (derandomize), so a red build always means a change broke something.
# Random runs (pytest --hypothesis-seed=N) have found the cases in KNOWN_LEAKS below: see that test.
def test_random_filter_combinations_disclose_nothing(warehouse, options):
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    @given(cases(options))
    # Leaks found here before: needs and their broad areas by locality, where a broad area's total, settled before the
    # needs in it, pinned a hidden need through the needs' borough totals.
    @example((FilterState(measure="absence_rate", year="2019/20", cluster="E3", sen="ehcp"), ("locality", "need"), 1))
    @example((FilterState(measure="absence_rate", year="2019/20", cluster="E3"), ("locality", "need"), 1))
    @example((FilterState(measure="absence_rate", year="2020/21", cluster="E2", sen="ehcp"), ("locality", "need"), 2))
    # A phase hidden beside a hidden zero, which the schools' clusters then showed to be zero.
    @example((FilterState(measure="severe_absence", year="2022/23", need="HI"), ("school",), 1))
    def check(case):
        assume(assert_nothing_pinned(warehouse, case))

    check()


# Leaks a random run found that are not mended: schools pinned where the clusters' and the phases' totals,
# each protected before the schools and then fixed, cross. Mending them needs the linked tables protected
# together rather than coarsest first. strict: the day one is mended, this fails, and the case moves up.
KNOWN_LEAKS = [
    (FilterState(measure="absence_rate", year="2019/20", locality="E", need="PMLD"), ("school",), 1),
]


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="coarser tables are settled first, so crossing cluster and phase totals can pin a school",
)
@pytest.mark.parametrize("case", KNOWN_LEAKS)
def test_known_leaks_between_cluster_and_phase_totals(warehouse, case):
    assert assert_nothing_pinned(warehouse, case)
