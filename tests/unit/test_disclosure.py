"""Property tests: no shown count of 1 to the threshold, and no hidden count recoverable from what is shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from dashboard.domain.disclosure import Line, lines_of, protect

THRESHOLD = 4


def recoverable_cells(values: np.ndarray, mask: np.ndarray, equations: list[tuple[list[int], int | None]]) -> list[int]:
    """Hidden cells whose value is pinned by what is shown: an attacker's linear program over whole numbers.

    equations are (cells, total): the cells add up to the cell at total, or to a published figure when total is None.
    """
    hidden = np.flatnonzero(mask)
    rows, sums = [], []
    for cells, total in equations:
        row = np.array([int(cell in cells) - int(cell == total) for cell in hidden], dtype=float)
        known = sum(values[c] for c in cells if not mask[c]) - (
            values[total] if total is not None and not mask[total] else 0
        )
        if row.any():
            rows.append(row)
            sums.append((values[cells].sum() - (values[total] if total is not None else 0)) - known)
    if not rows:
        return []
    pinned = []
    for k, cell in enumerate(hidden):
        if values[cell] == 0:
            continue  # learning that a hidden cell is zero names no child: zeros are shown as 0 anyway
        objective = np.eye(len(hidden))[k]
        low = linprog(objective, A_eq=np.array(rows), b_eq=np.array(sums), bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=np.array(rows), b_eq=np.array(sums), bounds=(0, None), method="highs")
        # Counts are whole numbers: a range narrower than one leaves only the true value.
        if low.success and high.success and (-high.fun) - low.fun < 1 - 1e-9:
            pinned.append(int(cell))
    return pinned


def small(values: np.ndarray) -> np.ndarray:
    return (values >= 1) & (values <= THRESHOLD)


def protect_table_with_margins(table: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """Protect a table of counts as the app does: the grand total, each margin, then the cells, each level then frozen.

    Returns every published figure (cells, row totals, column totals, grand total), which are hidden, and the equations.
    """
    n_rows, n_cols = table.shape
    inner = np.arange(n_rows * n_cols).reshape(n_rows, n_cols)
    row_total = n_rows * n_cols + np.arange(n_rows)
    col_total = row_total[-1] + 1 + np.arange(n_cols)
    grand = col_total[-1] + 1
    values = np.concatenate([table.ravel(), table.sum(axis=1), table.sum(axis=0), [table.sum()]]).astype(float)
    equations = (
        [(list(inner[r]), int(row_total[r])) for r in range(n_rows)]
        + [(list(inner[:, c]), int(col_total[c])) for c in range(n_cols)]
        + [(list(row_total), int(grand)), (list(col_total), int(grand))]
    )
    lines = [Line(np.array(cells), total) for cells, total in equations]
    mask = small(values)
    for level in (row_total, col_total, inner.ravel()):
        frozen = np.ones(len(values), dtype=bool)
        frozen[level] = False
        mask = protect(pd.Series(values), pd.Series(mask), lines, pd.Series(frozen)).to_numpy()
    return values, mask, equations


counts = st.integers(min_value=0, max_value=40) | st.integers(min_value=0, max_value=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, min_size=2, max_size=15))
def test_one_breakdown_with_its_total(cells):
    values = np.array(cells + [sum(cells)], dtype=float)
    equations = [(list(range(len(cells))), len(cells))]
    mask = protect(
        pd.Series(values),
        pd.Series(small(values)),
        [Line(np.arange(len(cells)), len(cells))],
        pd.Series([False] * len(cells) + [True]),
    ).to_numpy()
    assert mask[small(values)].all()
    assert not small(values[~mask]).any()
    assert recoverable_cells(values, mask, equations) == []


@settings(max_examples=300, deadline=None)
@given(st.integers(2, 5), st.integers(2, 6), st.data())
def test_a_cross_table_with_its_margins(n_rows, n_cols, data):
    """Need by locality, say, published beside each locality's and each need's total and the borough's.

    Margins of 1 to the threshold are hidden themselves, and then the other margins protect them.
    """
    table = np.array(data.draw(st.lists(counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols))).reshape(
        n_rows, n_cols
    )
    values, mask, equations = protect_table_with_margins(table)
    assert mask[small(values)].all()  # primary suppression is kept
    assert not small(values[~mask]).any()
    assert recoverable_cells(values, mask, equations) == []


def test_an_attacker_can_rebuild_a_lone_hidden_margin_from_the_others():
    """The check above can fail: a small row total, left alone, is the grand total less the other rows."""
    table = np.array([[0, 1], [2, 3], [3, 2]])
    values, _, equations = protect_table_with_margins(table)
    primary_only = small(values)
    assert recoverable_cells(values, primary_only, equations)


def test_lines_of_a_cross_table_are_its_rows_and_columns():
    frame = pd.DataFrame({"row": [0, 0, 1, 1], "col": [0, 1, 0, 1]})
    assert sorted(map(list, lines_of(frame, ["row", "col"]))) == [[0, 1], [0, 2], [1, 3], [2, 3]]
