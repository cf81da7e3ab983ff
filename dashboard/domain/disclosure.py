"""Disclosure control for linked tables of counts: primary and secondary suppression, and the attacker's audit.

A protection problem is a set of cells (every figure of every family for one count and year) and the lines that
tie them: each line says that one cell (the parent) is the sum of others (its children), as a locality is the sum
of its small areas. A reader who sees the shown cells knows every line, that counts are whole numbers, that a
shown 0 is 0 and that a hidden count is at least 1 (zeros are never hidden). Cells a source gave as a symbol are
unknown to everyone: they are unknowns of the lines, at least 0.

- Primary suppression hides counts of 1 to the threshold.
- Secondary suppression is Gaussian elimination in cost order (after Langsrud's GaussSuppression): cells are
  offered for publication one by one, zeros first and then the largest, and a cell is published unless that
  would let some primary cell be worked out exactly from what is published and the lines.
- The audit is the attacker's own linear program: for every hidden cell, the smallest and largest values it can
  take given all of the above. A hidden cell breaks the guarantee if its interval is narrower than 2, or if it
  cannot reach above the threshold (which would prove it small). Each break hides one more cell on a line through
  it, the smallest that will do, and the audit runs again until it finds nothing.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

TOLERANCE = 1e-9


@dataclass(frozen=True)
class Line:
    """A published total and the cells that add up to it."""

    parent: int
    children: tuple[int, ...]


@dataclass
class Problem:
    """Cells of one count and year with their true values, and the lines between them.

    values: the true count per cell (NaN where a source gave a symbol: unknown to everyone, at least 0).
    forced: cells that must be shown whatever happens (zeros are always forced).
    frozen_hidden: cells that must be hidden because they were settled hidden elsewhere (a linked table).
    unpublished: cells that are never shown (a part of a total the registry does not break down): to a reader
    they are unknowns of at least 0, which cover the cells beside them.
    """

    values: np.ndarray
    lines: list[Line]
    forced: np.ndarray | None = None
    frozen_hidden: np.ndarray | None = None
    unpublished: np.ndarray | None = None

    def __post_init__(self):
        size = len(self.values)
        self.forced = np.zeros(size, dtype=bool) if self.forced is None else self.forced
        self.frozen_hidden = np.zeros(size, dtype=bool) if self.frozen_hidden is None else self.frozen_hidden
        self.unpublished = np.zeros(size, dtype=bool) if self.unpublished is None else self.unpublished

    @property
    def size(self) -> int:
        """Number of cells."""
        return len(self.values)

    @property
    def unknown(self) -> np.ndarray:
        """Cells whose value no one knows (a source's symbol)."""
        return np.isnan(self.values)


class Unprotectable(ValueError):
    """Some hidden cells could not be protected by hiding more: the table must not be published."""

    def __init__(self, cells: list[int]):
        self.cells = cells
        super().__init__(f"{len(cells)} hidden cell(s) could not be protected")


def primary_cells(values: np.ndarray, threshold: int) -> np.ndarray:
    """Counts of 1 to threshold: too few children to show."""
    return (values >= 1) & (values <= threshold)


def gauss_secondary(problem: Problem, primary: np.ndarray, threshold: int, sums=()) -> np.ndarray:
    """Primary cells plus those Gaussian elimination in cost order must hide so no primary can be worked out.

    Works on the rows of the lines: the published cells and the lines span what a reader can compute; a primary
    cell is revealed when its unit vector falls in that span. Cells are offered for publication in cost order (forced
    cells and zeros first, then the largest values), and each is published unless it would reveal a primary, or a
    protected sum: small counts on one line (GaussSuppression's singleton sums), and any sums the audit asks for.
    """
    size = problem.size
    unknown = problem.unknown
    hidden = primary | problem.frozen_hidden
    basis = _Basis()
    for line in problem.lines:
        basis.add_if_new({line.parent: -1.0} | {child: 1.0 for child in line.children})
    protected = [cell for cell in np.flatnonzero(hidden) if not unknown[cell]]
    residuals = {(int(cell),): basis.reduce({int(cell): 1.0}) for cell in protected}
    # Small counts hidden together on one line give away their sum when the rest of the line is shown: where that
    # sum is small too, it is protected like a cell of its own, so [7, c, c | 9] hides the 7 as well.
    values = np.nan_to_num(problem.values, nan=0.0)
    groups = {tuple(sorted(int(c) for c in line.children if primary[c] and not unknown[c])) for line in problem.lines}
    groups = {g for g in groups if len(g) > 1 and values[list(g)].sum() <= threshold + len(g) - 1} | set(sums)
    for group in groups:
        if group not in residuals:
            residuals[group] = basis.reduce({c: 1.0 for c in group})
    # A primary the lines alone pin down (a one-cell line) is handled by the audit, which hides its neighbours.
    residuals = {cells: r for cells, r in residuals.items() if r}
    forced = problem.forced
    offered = [c for c in range(size) if not hidden[c] and not unknown[c] and not problem.unpublished[c]]
    offered.sort(key=lambda c: (not (forced[c] or values[c] == 0), -values[c], c))
    for cell in offered:
        vector = basis.reduce({cell: 1.0})
        if not vector:
            continue  # already worked out from what is published: showing it adds nothing
        pivot = basis.pivot_for(vector)
        revealing = any(pivot in r and _proportional(r, vector, pivot) for r in residuals.values())
        if revealing and not (forced[cell] or values[cell] == 0):
            hidden[cell] = True
            continue
        for r in residuals.values():
            if pivot in r:
                _eliminate(r, vector, pivot)
        residuals = {c: r for c, r in residuals.items() if r}
        basis.add(vector, pivot)
    return hidden


class _Basis:
    """Sparse rows in reduced echelon form: each pivot column appears in its own row only."""

    def __init__(self):
        self.rows: dict[int, dict[int, float]] = {}
        self.holders: defaultdict[int, set[int]] = defaultdict(set)  # column -> pivots whose rows contain it

    def reduce(self, vector: dict[int, float]) -> dict[int, float]:
        vector = dict(vector)
        for column in [c for c in vector if c in self.rows]:
            if column in vector:
                _eliminate(vector, self.rows[column], column)
        return vector

    def pivot_for(self, vector: dict[int, float]) -> int:
        # The column in fewest rows: least fill-in when it is eliminated from them.
        return min(vector, key=lambda c: (len(self.holders[c]), c))

    def add_if_new(self, vector: dict[int, float]) -> None:
        if vector:
            reduced = self.reduce(vector)
            if reduced:
                self.add(reduced, self.pivot_for(reduced))

    def add(self, vector: dict[int, float], pivot: int) -> None:
        for other in list(self.holders[pivot]):
            row = self.rows[other]
            before = set(row)
            _eliminate(row, vector, pivot)
            for column in before - set(row):
                self.holders[column].discard(other)
            for column in set(row) - before:
                self.holders[column].add(other)
        self.rows[pivot] = vector
        for column in vector:
            self.holders[column].add(pivot)


def _eliminate(target: dict[int, float], row: dict[int, float], pivot: int) -> None:
    factor = target[pivot] / row[pivot]
    for column, weight in row.items():
        value = target.get(column, 0.0) - factor * weight
        if abs(value) < TOLERANCE:
            target.pop(column, None)
        else:
            target[column] = value


def _proportional(residual: dict[int, float], vector: dict[int, float], pivot: int) -> bool:
    if len(residual) != len(vector):
        return False
    factor = residual[pivot] / vector[pivot]
    return all(abs(residual.get(column, 0.0) - factor * weight) < TOLERANCE for column, weight in vector.items())


def attacker_intervals(problem: Problem, hidden: np.ndarray, cells=None) -> dict[int, tuple[float, float]]:
    """The smallest and largest value each hidden cell can take, to a reader of everything shown (linear programs).

    The reader's unknowns are the hidden cells, each at least 1; every line through a hidden cell is an equation
    whose other terms are shown. Groups of hidden cells that share no line are solved apart. Returns {cell: (low,
    high)} for the hidden cells asked for (all by default); high is infinite where nothing bounds the cell.
    """
    wanted = np.flatnonzero(hidden) if cells is None else [c for c in cells if hidden[c]]
    return {
        cell: bounds for _, make in _solvers(problem, hidden, wanted) for cell, bounds in make().intervals().items()
    }


class _Attacker:
    """One connected group of hidden cells as HiGHS sees it, solved for each cell's minimum and maximum."""

    def __init__(
        self, members: list[int], lower: np.ndarray, equations: list[tuple[dict[int, float], float]], targets: list[int]
    ):
        self.members, self.targets = members, targets
        self.index = {cell: k for k, cell in enumerate(members)}
        self.highs = _new_highs()
        count = len(members)
        self.highs.addVars(count, lower, np.full(count, highspy.kHighsInf))
        self.hidden_costs = (lower > 0).astype(float)  # the hidden counts, for solutions at either end of their total
        for variables, rhs in equations:
            columns = np.array([self.index[c] for c in variables], dtype=np.int32)
            self.highs.addRow(rhs, rhs, len(columns), columns, np.array(list(variables.values())))

    def bound(self, cell: int, sense) -> float:
        """The cell's minimum or maximum over everything the reader knows."""
        costs = np.zeros(len(self.members))
        costs[self.index[cell]] = 1.0
        self.highs.changeColsCost(len(costs), np.arange(len(costs), dtype=np.int32), costs)
        self.highs.changeObjectiveSense(sense)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kUnknown:
            # The warm start from the previous answer can leave the simplex stuck: solve this one from scratch.
            self.highs.clearSolver()
            self.highs.run()
            status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return self.highs.getInfo().objective_function_value
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return math.inf if sense == highspy.ObjSense.kMaximize else 1.0
        raise RuntimeError(f"the reader's linear program could not be solved ({status})")

    def intervals(self, cells=None) -> dict[int, tuple[float, float]]:
        """(low, high) for each target cell (or each of cells)."""
        return {
            cell: (self.bound(cell, highspy.ObjSense.kMinimize), self.bound(cell, highspy.ObjSense.kMaximize))
            for cell in (self.targets if cells is None else cells)
        }

    def point(self, sense) -> np.ndarray | None:
        """A solution the reader cannot rule out, with the hidden cells' total as small or as large as it can be."""
        self.highs.changeColsCost(len(self.members), np.arange(len(self.members), dtype=np.int32), self.hidden_costs)
        self.highs.changeObjectiveSense(sense)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.highs.getSolution().col_value, dtype=float)

    def breaks(self, threshold: int, truth: np.ndarray) -> list[int]:
        """The target cells whose interval breaks the guarantee.

        Every solution the reader cannot rule out lies inside each cell's interval, and an interval is all of one
        piece: a cell whose values across solutions already found (the truth, the smallest and largest total, and
        each exact solve's answer) span enough is safe without linear programs of its own. Only the rest are solved
        exactly, each solve adding its answer to those found.
        """
        # Each cell's smallest and largest value over the solutions found so far (none yet: an empty span).
        low, high = np.full(len(self.members), np.inf), np.full(len(self.members), -np.inf)
        first = [truth] if not np.isnan(truth).any() else []
        first += [self.point(highspy.ObjSense.kMinimize), self.point(highspy.ObjSense.kMaximize)]
        for solution in first:
            if solution is not None:
                low, high = np.minimum(low, solution), np.maximum(high, solution)
        found = []
        for cell in self.targets:
            k = self.index[cell]
            if np.isfinite(low[k]) and not breaks_guarantee(low[k], high[k], threshold):
                continue
            exact = []
            for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                exact.append(self.bound(cell, sense))
                if self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                    solution = np.asarray(self.highs.getSolution().col_value, dtype=float)
                    low, high = np.minimum(low, solution), np.maximum(high, solution)
            if breaks_guarantee(exact[0], exact[1], threshold):
                found.append(cell)
        return found


def _new_highs() -> highspy.Highs:
    global _BANNER_SHOWN
    if not _BANNER_SHOWN:
        # HiGHS prints its banner from C++ on the first solver made: keep it out of the command line's output.
        _BANNER_SHOWN = True
        saved = os.dup(1)
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            try:
                highs = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
    else:
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    return highs


_BANNER_SHOWN = False


def _equations(problem: Problem, hidden: np.ndarray) -> tuple[list, np.ndarray, np.ndarray]:
    """The reader's equations over the unknowns, the unknown cells, and each unknown's connected group."""
    values = problem.values
    unknown = hidden | problem.unpublished | problem.unknown
    equations = []
    for line in problem.lines:
        terms = defaultdict(float)
        terms[line.parent] -= 1.0
        for child in line.children:
            terms[child] += 1.0
        variables = {c: w for c, w in terms.items() if unknown[c] and abs(w) > TOLERANCE}
        if variables:
            known = sum(w * values[c] for c, w in terms.items() if not unknown[c])
            equations.append((variables, -known))
    cells = np.flatnonzero(unknown)
    position = {int(c): k for k, c in enumerate(cells)}
    rows, cols = [], []
    for variables, _ in equations:
        members = [position[c] for c in variables]
        rows += members[:-1]
        cols += members[1:]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(cells), len(cells)))
    _, component = connected_components(graph, directed=False)
    return equations, cells, component


def neighbourhood(problem: Problem, hidden: np.ndarray, cell: int) -> list[int]:
    """The hidden cells that share a connected group of unknowns with cell (cell included)."""
    _, cells, component = _equations(problem, hidden)
    label = component[np.searchsorted(cells, cell)]
    return [int(c) for c in cells[component == label] if hidden[c]]


def _solvers(problem: Problem, hidden: np.ndarray, wanted, every_hidden: bool = False):
    """(key, make solver) for each connected group of unknowns that holds a wanted cell.

    The key names the group's linear program (its unknowns and which are hidden); the solver is made only when
    called. With every_hidden, a group's solver answers for all its hidden cells, not only the wanted ones.
    """
    equations, cells, component = _equations(problem, hidden)
    position = {int(c): k for k, c in enumerate(cells)}
    groups = defaultdict(list)
    for variables, rhs in equations:
        groups[component[position[next(iter(variables))]]].append((variables, rhs))
    wanted_by_group = defaultdict(list)
    for cell in wanted:
        wanted_by_group[component[position[int(cell)]]].append(int(cell))
    for label, targets in wanted_by_group.items():
        members = cells[component == label]
        if every_hidden:
            targets = [int(c) for c in members if hidden[c]]
        key = (members.tobytes(), hidden[members].tobytes())

        def make(members=members, targets=targets, label=label) -> _Attacker:
            # A hidden count is at least 1; an unpublished part, or a count a source gave as a symbol, may be 0.
            lower = np.where(hidden[members] & ~problem.unknown[members], 1.0, 0.0)
            return _Attacker([int(c) for c in members], lower, groups.get(label, []), targets)

        yield key, make


def breaks_guarantee(low: float, high: float, threshold: int) -> bool:
    """True when a reader can narrow a small count to an interval of width under 2, or prove it is at most threshold.

    Counts are whole numbers, so the reader rounds the bounds inwards.
    """
    low_whole = math.ceil(low - 1e-6)
    high_whole = math.floor(high + 1e-6) if math.isfinite(high) else math.inf
    return high_whole - low_whole < 2 or high_whole <= threshold


def audit_breaks(
    problem: Problem, hidden: np.ndarray, threshold: int, cells=None, memo: dict | None = None
) -> list[int]:
    """Hidden cells (of cells, if given) whose interval breaks the guarantee (too narrow, or provably small).

    memo, kept between calls on the same problem, holds each group's answer: a group with the same unknowns,
    hidden the same way, is the same linear program, so rounds of protection solve only the groups they changed.
    """
    wanted = np.flatnonzero(hidden) if cells is None else [c for c in cells if hidden[c]]
    asked = {int(c) for c in wanted}
    breaks = []
    for key, make in _solvers(problem, hidden, wanted, every_hidden=True):
        if memo is not None and key in memo:
            found = memo[key]
        else:
            solver = make()
            truth = problem.values[solver.members]
            found = solver.breaks(threshold, truth)
            if memo is not None:
                memo[key] = found
        breaks += [c for c in found if c in asked]
    return sorted(breaks, key=lambda c: (problem.values[c], c))


def protect(problem: Problem, primary: np.ndarray, threshold: int, rounds: int = 30) -> np.ndarray:
    """Which cells to hide: primary, then secondary by Gaussian elimination, then what the audit asks for.

    The audit checks every hidden cell. A cell hidden only for others that a reader can narrow too far is shown
    instead, where that breaks nothing. Otherwise, on a line through the broken cell that hides too small a sum,
    the smallest shown cell that makes the sum big enough is protected too, and the elimination runs again, so
    that what it hides stays consistent. Raises Unprotectable when a break cannot be mended.
    """
    lines_of = defaultdict(list)
    for line in problem.lines:
        for cell in (line.parent, *line.children):
            lines_of[cell].append(line)
    chosen = problem.frozen_hidden.copy()
    memo: dict = {}  # each group's answers, kept across rounds: a round solves only the groups it changed
    for _ in range(rounds):
        hidden = gauss_secondary(
            Problem(problem.values, problem.lines, problem.forced, chosen, problem.unpublished), primary, threshold
        )
        breaks = audit_breaks(problem, hidden, threshold, memo=memo)
        if not breaks:
            return hidden
        mended = False
        for cell in breaks:
            if not primary[cell] and not chosen[cell]:
                # Showing it changes only the group of unknowns it is in: only that group is audited again.
                group = [c for c in neighbourhood(problem, hidden, cell) if c != cell]
                shown = hidden.copy()
                shown[cell] = False
                if not audit_breaks(problem, shown, threshold, group, memo):
                    hidden = shown
                    continue
            extra = _cover(problem, hidden, chosen, cell, threshold, lines_of[cell])
            if extra is not None:
                chosen[extra] = True
                mended = True
        if not mended:
            if not audit_breaks(problem, hidden, threshold, memo=memo):
                return hidden
            raise Unprotectable(breaks)
    raise Unprotectable(audit_breaks(problem, hidden, threshold, memo=memo))


def _cover(
    problem: Problem, hidden: np.ndarray, chosen: np.ndarray, cell: int, threshold: int, lines: list[Line]
) -> int | None:
    """A shown cell to hide with a broken one: on the line through it whose hidden part is smallest, the smallest
    cell that brings that part above what the guarantee needs (the largest, if none does)."""
    values = problem.values

    def open_cell(c: int) -> bool:
        return (
            not hidden[c] and not chosen[c] and not problem.forced[c] and not problem.unpublished[c] and values[c] > 0
        )

    best = None
    for line in lines:
        if hidden[line.parent]:
            members = [line.parent, *line.children]
        else:
            members = list(line.children)
        hidden_part = [c for c in members if hidden[c] and c != line.parent]
        room = values[hidden_part].sum() - (len(hidden_part) - 1)  # how high one hidden member can go
        options = sorted((c for c in members if open_cell(c)), key=lambda c: (values[c], c))
        if not options and open_cell(line.parent):
            options = [line.parent]  # nothing left to hide beside it: hide the total, and the line says nothing
        if not options:
            continue
        needed = threshold + 2 - room
        enough = [c for c in options if values[c] >= needed]
        pick = enough[0] if enough else options[-1]
        if best is None or (room, values[pick]) < best[0]:
            best = ((room, values[pick]), pick)
    return None if best is None else best[1]
