"""Property tests: no shown count of 1 to the threshold, and no hidden count recoverable from what is shown."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from dashboard.disclosure import lines_of, protect

THRESHOLD = 4


def recoverable_cells(values: np.ndarray, mask: np.ndarray, lines: list[np.ndarray]) -> list[int]:
    """Hidden cells whose value is pinned by the shown cells and every line total (an attacker's linear program)."""
    hidden = np.flatnonzero(mask)
    if not len(hidden):
        return []
    rows, totals = [], []
    for line in lines:
        row = np.isin(hidden, line).astype(float)
        if row.any():
            rows.append(row)
            totals.append(values[line][mask[line]].sum())
    if not rows:
        return []  # no published total touches a hidden cell
    pinned = []
    for k, cell in enumerate(hidden):
        objective = np.zeros(len(hidden))
        objective[k] = 1
        low = linprog(objective, A_eq=np.array(rows), b_eq=np.array(totals), bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=np.array(rows), b_eq=np.array(totals), bounds=(0, None), method="highs")
        # An unbounded cell (no total constrains it from above) cannot be pinned.
        if low.success and high.success and (-high.fun) - low.fun < 0.5:
            pinned.append(int(cell))
    return pinned


def check(values: np.ndarray, lines: list[np.ndarray]) -> None:
    # A total of 1 to the threshold is itself suppressed, so only the other totals are published constraints.
    lines = [line for line in lines if not 1 <= values[line].sum() <= THRESHOLD]
    primary = (values >= 1) & (values <= THRESHOLD)
    mask = protect(pd.Series(values), pd.Series(primary), lines).to_numpy()
    assert mask[primary].all()  # primary suppression is kept
    shown = values[~mask]
    assert not ((shown >= 1) & (shown <= THRESHOLD)).any()
    # No hidden cell can be pinned down from the shown cells and the published line totals.
    assert recoverable_cells(values, mask, lines) == []


counts = st.integers(min_value=0, max_value=40) | st.integers(min_value=0, max_value=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, min_size=2, max_size=15))
def test_one_breakdown_with_a_total(cells):
    values = np.array(cells, dtype=float)
    check(values, [np.arange(len(values))])


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 5), st.integers(2, 6), st.data())
def test_a_cross_table_whose_margins_are_all_publishable(n_rows, n_cols, data):
    """Cross tables (need by locality, say) where every row and column total is above the threshold.

    Margins of 0 or 1 to the threshold need the margins themselves suppressed, which is not built yet;
    this test covers the tables the app shows today, whose margins are localities and needs of a borough.
    """
    cells = data.draw(st.lists(counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    frame = pd.DataFrame({"row": np.repeat(np.arange(n_rows), n_cols), "col": np.tile(np.arange(n_cols), n_rows)})
    values = np.array(cells, dtype=float)
    lines = lines_of(frame, ["row", "col"])
    assume(all(values[line].sum() > THRESHOLD for line in lines))
    check(values, lines)


def test_the_same_query_hides_the_same_cells_every_time(warehouse):
    from dashboard.filters import FilterState
    from dashboard.queries import rates

    state = FilterState(measure="ehcp_rate", year="2024/25")
    runs = [rates(warehouse, "ehcp_rate", state, ("locality", "need"), THRESHOLD)[["locality", "need", "status"]] for _ in range(5)]
    assert all(run.equals(runs[0]) for run in runs[1:])
    assert (runs[0]["status"] == "suppressed").sum() >= 2
