"""Secondary suppression: hide enough further cells that no hidden count can be worked out from what is shown.

A table is published beside its totals: each line of cells adds up to a total shown elsewhere (a
locality's small areas add up to the locality, the localities to the borough). A hidden cell that is
the only hidden member of a line could be recovered by subtraction, so the smallest other non-zero
cell in that line is hidden too, and this repeats until every line is safe. Where lines cross, a
linear-programming audit (the attacker's own method) hides more until no hidden value is pinned down.

Totals that are themselves cells of a coarser table (a hidden ward, say) take part as members of
their line, so a hidden total cannot be rebuilt from its visible parts either. Their hidden or shown
state was settled when the coarser table was protected, so it is frozen here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import null_space
from scipy.optimize import linprog


@dataclass(frozen=True)
class Line:
    """Cells whose sum is published: as the cell at position total, or (total None) outside the table."""

    cells: np.ndarray
    total: int | None = None

    @property
    def members(self) -> np.ndarray:
        """Every cell in the line, its total included when the total is a cell."""
        return self.cells if self.total is None else np.append(self.cells, self.total)


def protect(counts: pd.Series, hidden: pd.Series, lines: list, frozen: pd.Series | None = None) -> pd.Series:
    """Return hidden widened until no hidden count can be worked out from the shown cells and line totals.

    counts are the true values (used to choose the smallest cells to give up); hidden says which are
    suppressed; lines are Line objects or arrays of positions whose total is published elsewhere;
    frozen cells (totals settled in a coarser table) are never newly hidden.
    """
    lines = [line if isinstance(line, Line) else Line(np.asarray(line)) for line in lines]
    values = counts.to_numpy(dtype=float)
    mask = hidden.to_numpy(dtype=bool).copy()
    hideable = np.ones(len(mask), dtype=bool) if frozen is None else ~frozen.to_numpy(dtype=bool)
    # A total with one cell under it is that cell: the two are shown or hidden together, and neither can be
    # hidden if either is a shown total settled elsewhere.
    twins = _twins(len(mask), lines)
    for line in lines:
        if line.total is None and len(line.cells) == 1 and not mask[line.cells[0]]:
            # The only cell under a total shown elsewhere is that total: hiding it would hide nothing.
            hideable[twins.get(int(line.cells[0]), [int(line.cells[0])])] = False
    for group in twins.values():
        if mask[group].any():
            mask[group] = True
        elif not hideable[group].all():
            hideable[group] = False
    while True:
        cell = _lone_fix(values, mask, hideable, lines)
        if cell is None:
            cell = _pinned_fix(values, mask, hideable, lines, twins)
        if cell is None:
            return pd.Series(mask, index=hidden.index)
        mask[twins.get(cell, [cell])] = True


def _twins(size: int, lines: list[Line]) -> dict[int, list[int]]:
    """Cells tied by one-cell lines (a ward of one small area) or by totals over the same cells, each to its group."""
    parent = list(range(size))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    same_cells: dict[frozenset, int] = {}
    for line in lines:
        if len(line.cells) == 1 and line.total is not None:
            parent[root(int(line.cells[0]))] = root(int(line.total))
        if line.total is not None:
            # Two totals over the very same cells (a locality with one ward in the selection) are one figure.
            first = same_cells.setdefault(frozenset(int(c) for c in line.cells), int(line.total))
            parent[root(int(line.total))] = root(first)
    groups: dict[int, list[int]] = {}
    for i in range(size):
        groups.setdefault(root(i), []).append(i)
    return {i: group for group in groups.values() if len(group) > 1 for i in group}


def _lone_fix(values: np.ndarray, mask: np.ndarray, hideable: np.ndarray, lines: list[Line]) -> int | None:
    """The cell to hide for the first line with exactly one hidden member, if any can be hidden."""
    for line in lines:
        members = line.members
        # A hidden zero is no cover: a finer table settled later may show it is zero (every cell under it shown as 0).
        if len(members) > 1 and (mask[members] & (values[members] > 0)).sum() == 1:
            cell = _smallest_visible(values, mask, hideable, line)
            if cell is not None:
                return cell
    return None


def _smallest_visible(values: np.ndarray, mask: np.ndarray, hideable: np.ndarray, line: Line) -> int | None:
    # Give up the smallest visible non-zero cell: a zero beside a hidden cell says nothing about it.
    # The line's own total goes only when no cell can.
    open_cells = [i for i in line.cells if not mask[i] and hideable[i]]
    if not open_cells and line.total is not None and not mask[line.total] and hideable[line.total]:
        open_cells = [line.total]
    candidates = [i for i in open_cells if values[i] > 0] or open_cells
    return int(min(candidates, key=lambda i: (values[i], i))) if candidates else None


def _pinned_fix(
    values: np.ndarray, mask: np.ndarray, hideable: np.ndarray, lines: list[Line], twins: dict[int, list[int]]
) -> int | None:
    """A cell to hide because some hidden value is fixed by the totals (its smallest and largest possible values agree).

    Of the visible cells sharing a line with the pinned one, the smallest whose hiding frees it is chosen,
    so one cell is given up where one is enough.
    """
    touching = [line for line in lines if mask[line.members].any()]
    if len(touching) < 2:
        return None  # one line with two or more hidden cells never pins them
    fallback = None
    # A hidden zero that can be worked out gives nothing away (zeros are shown as 0 anyway).
    for cell in (c for c in pinned_cells(values, mask, touching) if values[c] > 0):
        tied = twins.get(cell, [cell])
        options = {
            int(i)
            for line in touching
            if np.isin(tied, line.members).any()
            for i in line.members
            if not mask[i] and hideable[i]
        }
        # Where every line through the cell is hidden already, the figures pinning it run through other lines:
        # any visible cell on a line that touches a hidden one may be the one to give up.
        nearby = {int(i) for line in touching for i in line.members if not mask[i] and hideable[i]} - options
        ranked = sorted(options, key=lambda i: (values[i] == 0, values[i], i)) + sorted(
            nearby, key=lambda i: (values[i] == 0, values[i], i)
        )
        for option in ranked:
            trial = mask.copy()
            trial[twins.get(option, [option])] = True
            if not pinned_cells(values, trial, lines, targets=[cell]):
                return option
        fallback = fallback if fallback is not None or not ranked else ranked[0]
    return fallback


def pinned_cells(values: np.ndarray, mask: np.ndarray, lines: list, targets: list[int] | None = None) -> list[int]:
    """Hidden cells (of targets, if given) whose value the shown cells and line totals fix (the attacker's view)."""
    lines = [line if isinstance(line, Line) else Line(np.asarray(line)) for line in lines]
    hidden = np.flatnonzero(mask)
    if not len(hidden):
        return []
    position = {cell: k for k, cell in enumerate(hidden)}
    rows = []
    for line in lines:
        row = np.zeros(len(hidden))
        for cell in line.cells:
            if mask[cell]:
                row[position[cell]] = 1
        if line.total is not None and mask[line.total]:
            row[position[line.total]] = -1
        if row.any():
            rows.append(row)
    if not rows:
        return []  # no published total touches a hidden cell
    a_eq = np.array(rows)
    # Directions in which the hidden values can move together without changing any total. A cell that no
    # such direction moves is pinned. Hidden cells whose every possible value is zero cannot move at all,
    # so they are held still first (a cell at zero with room above it can still move).
    stuck = (
        _always_zero(a_eq, a_eq @ values[hidden]) if (values[hidden] == 0).any() else np.zeros(len(hidden), dtype=bool)
    )
    free = null_space(np.vstack([a_eq, np.eye(len(hidden))[stuck]]))
    movable = (np.abs(free) > 1e-9).any(axis=1) if free.size else np.zeros(len(hidden), dtype=bool)
    # Line totals give a network-like system whose extreme points are whole numbers, so a cell that can
    # move at all can move by at least one: fixed or not is the whole question.
    return [int(cell) for k, cell in enumerate(hidden) if not movable[k] and (targets is None or cell in targets)]


def _always_zero(a_eq: np.ndarray, b_eq: np.ndarray) -> np.ndarray:
    """Which unknowns are zero in every solution of a_eq x = b_eq, x >= 0: one linear program.

    Over the cone a_eq x = t b_eq (t >= 1), maximise the sum of y with y <= x and y <= 1: any unknown that
    can be positive can be made at least one by scaling, so it ends with y = 1 and only the always-zero stay at 0.
    """
    n = a_eq.shape[1]
    # Variables: x (n), y (n), t.
    objective = np.concatenate([np.zeros(n), -np.ones(n), [0]])
    a_eq_full = np.hstack([a_eq, np.zeros_like(a_eq), -b_eq[:, None]])
    a_ub = np.hstack([-np.eye(n), np.eye(n), np.zeros((n, 1))])  # y - x <= 0
    bounds = [(0, None)] * n + [(0, 1)] * n + [(1, None)]
    result = linprog(
        objective, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq_full, b_eq=np.zeros(len(b_eq)), bounds=bounds, method="highs"
    )
    if not result.success:
        return np.zeros(n, dtype=bool)
    return result.x[n : 2 * n] < 0.5


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
