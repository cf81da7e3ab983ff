"""Secondary suppression: hide enough further cells that no hidden count can be worked out from what is shown.

A hidden cell in a line of cells whose total is published could be recovered by subtraction if it were
the only hidden cell in that line. So wherever a line has exactly one hidden cell, the smallest other
non-zero cell in it is hidden too, and this repeats until every line is safe (lines cross, so hiding
one cell can expose another line).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linprog


def protect(counts: pd.Series, hidden: pd.Series, lines: list[np.ndarray]) -> pd.Series:
    """Return hidden widened until no hidden count can be worked out from the shown cells and line totals.

    counts are the true values (used to choose the smallest cells to give up); hidden says which are
    suppressed; lines are sets of row positions whose totals are published.
    """
    values = counts.to_numpy(dtype=float)
    mask = hidden.to_numpy(dtype=bool).copy()
    while True:
        lone = next((line for line in lines if len(line) > 1 and mask[line].sum() == 1), None)
        if lone is None:
            # Every line now hides none or several cells; where lines cross, that can still pin a cell down.
            lone = _pinned_line(values, mask, lines)
            if lone is None:
                return pd.Series(mask, index=hidden.index)
        cell = _smallest_visible(values, mask, lone)
        if cell is None:
            return pd.Series(mask, index=hidden.index)
        mask[cell] = True


def _smallest_visible(values: np.ndarray, mask: np.ndarray, line: np.ndarray) -> int | None:
    # Give up the smallest visible non-zero cell: a zero beside a hidden cell says nothing about it.
    candidates = [i for i in line if not mask[i] and values[i] > 0] or [i for i in line if not mask[i]]
    return min(candidates, key=lambda i: (values[i], i)) if candidates else None


def _pinned_line(values: np.ndarray, mask: np.ndarray, lines: list[np.ndarray]) -> np.ndarray | None:
    """A line through a hidden cell whose value is fixed by the totals (its smallest and largest possible values agree)."""
    crossing = sum(1 for line in lines if mask[line].any()) > 1
    if not crossing:
        return None
    hidden = np.flatnonzero(mask)
    index = {cell: k for k, cell in enumerate(hidden)}
    rows, totals = [], []
    for line in lines:
        row = np.zeros(len(hidden))
        for cell in line:
            if mask[cell]:
                row[index[cell]] = 1
        if row.any():
            rows.append(row)
            totals.append(values[line][mask[line]].sum())
    if not rows:
        return None
    a_eq, b_eq = np.array(rows), np.array(totals)
    for k, cell in enumerate(hidden):
        objective = np.zeros(len(hidden))
        objective[k] = 1
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if low.success and high.success and (-high.fun) - low.fun < 0.5:
            return next(line for line in lines if cell in line and (~mask[line]).any()) if any(cell in line and (~mask[line]).any() for line in lines) else None
    return None


def lines_of(frame: pd.DataFrame, keys: list[str], fixed: list[str] = ()) -> list[np.ndarray]:
    """Lines of a table: for each key, the cells sharing every other key (and every fixed column, such as the
    year) add up to a published total."""
    positions = np.arange(len(frame))
    lines = []
    for key in keys:
        others = [k for k in keys if k != key] + list(fixed)
        if not others:
            if len(positions) > 1:
                lines.append(positions)
            continue
        for _, group in frame.assign(_pos=positions).groupby(others, dropna=False)["_pos"]:
            if len(group) > 1:  # a one-cell "line" is the cell itself, not a further total
                lines.append(group.to_numpy())
    return lines
