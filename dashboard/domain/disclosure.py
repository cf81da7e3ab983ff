"""Disclosure control for linked tables of counts: primary and secondary suppression, and the attacker's audit.

A protection problem is a set of cells (every figure of every family for one count and year) and the lines that
tie them: each line says that one cell (the parent) is the sum of others (its children), as a locality is the sum
of its small areas. A reader who sees the shown cells knows every line, that counts are whole numbers, that a
shown 0 is 0 and that a hidden count is at least 1 (zeros are never hidden). Cells a source gave as a symbol are
unknown to everyone: they are unknowns of the lines, at least 0. A reader also knows how counts relate beyond sums
(a year's pupils are at least each term's; severe absentees are at most persistent ones): those are bounds, each
saying that some cells add up to at most a multiple of others. A cell may follow another (sessions follow the pupils
they describe): it is hidden wherever that one is, and may then be 0.

- Primary suppression hides counts of 1 to the threshold.
- Secondary suppression is Gaussian elimination in cost order (after Langsrud's GaussSuppression): cells are
  offered for publication one by one, zeros first and then the largest, and a cell is published unless that
  would let some primary cell be worked out exactly from what is published and the lines.
- The audit is the attacker's own linear program: for every hidden cell, the smallest and largest values it can
  take given all of the above, bounds included. A hidden cell breaks the guarantee if its interval is narrower than
  2, or if it cannot reach above the threshold (which would prove it small). Each break hides one more cell on a
  line or bound through it, the smallest that will do, and the audit runs again until it finds nothing.
  Elimination sees only the lines; the audit sees the bounds too, so it mends what the bounds give away.
"""

from __future__ import annotations

import logging
import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import highspy
import numpy as np
from scipy.sparse import bmat, coo_matrix, csc_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

# HiGHS's simplex strategy for every program: left to choose (primal from a feasible start, dual otherwise).
SIMPLEX = int(highspy.simplex_constants.kSimplexStrategyChoose)
# How a solve may end: at an optimum, or without end (only a maximum can run away: every cell is at least 0).
ENDED = (
    highspy.HighsModelStatus.kOptimal,
    highspy.HighsModelStatus.kUnbounded,
    highspy.HighsModelStatus.kUnboundedOrInfeasible,
)
_LOG = logging.getLogger(__name__)

TOLERANCE = 1e-9


@dataclass(frozen=True)
class Line:
    """A published total and the cells that add up to it."""

    parent: int
    children: tuple[int, ...]


@dataclass(frozen=True)
class AtMost:
    """A bound a reader can justify: the cells `lesser` add up to at most `factor` times the cells `greater`."""

    lesser: tuple[int, ...]
    greater: tuple[int, ...]
    factor: float = 1.0


@dataclass
class Problem:
    """Cells of one or more related counts in one year with their true values, and what ties them.

    values: the true count per cell (NaN where a source gave a symbol: unknown to everyone, at least 0).
    lines: sums (a parent is the sum of its children).
    forced: cells that must be shown whatever happens; zeros always are (a shown 0 is 0).
    frozen_hidden: cells that must be hidden whatever happens.
    unpublished: cells that are never shown (a part of a total the registry does not break down): to a reader
    they are unknowns of at least 0, which cover the cells beside them.
    bounds: inequalities a reader can justify between cells (AtMost).
    follows: for each cell, the cell whose hiding it follows (-1 for none): it is hidden wherever that one is, so a
    reader knows it may be hidden at 0.
    """

    values: np.ndarray
    lines: list[Line]
    forced: np.ndarray | None = None
    frozen_hidden: np.ndarray | None = None
    unpublished: np.ndarray | None = None
    bounds: list[AtMost] = field(default_factory=list)
    follows: np.ndarray | None = None

    def __post_init__(self):
        none = np.zeros(len(self.values), dtype=bool)
        self.forced = (none if self.forced is None else self.forced) | (self.values == 0)
        self.frozen_hidden = none if self.frozen_hidden is None else self.frozen_hidden
        self.unpublished = none if self.unpublished is None else self.unpublished
        self.follows = np.full(len(self.values), -1) if self.follows is None else self.follows
        # Each group's audit, kept while the problem lives: a group with the same unknowns, hidden the same way, is
        # the same linear program, so rounds of protection solve only the groups they changed.
        self.answers: dict = {}

    @property
    def size(self) -> int:
        """Number of cells."""
        return len(self.values)

    @property
    def unknown(self) -> np.ndarray:
        """Cells whose value no one knows (a source's symbol)."""
        return np.isnan(self.values)

    def lagging(self, hidden: np.ndarray) -> np.ndarray:
        """Shown cells whose leader is hidden: they must be hidden too."""
        return (self.follows >= 0) & ~hidden & hidden[self.follows]  # -1 reads the last cell, for none, and is masked

    def unknowns(self, hidden: np.ndarray) -> np.ndarray:
        """Cells a reader does not see: the hidden ones, parts never shown, and a source's symbols."""
        return hidden | self.unpublished | self.unknown

    def floor(self, hidden: np.ndarray) -> np.ndarray:
        """The least value a reader can give each cell: 1 for a hidden count (zeros are never hidden), else 0 (a part
        never published may be 0 for all a reader knows, though the protection treats a small one as hidden)."""
        return np.where(hidden & ~self.unknown & ~self.unpublished & (self.follows < 0), 1.0, 0.0)

    @cached_property
    def totals(self) -> np.ndarray:
        """Cells that are the total of some line: hiding one means hiding one more cell on its line, so the cover
        hides a detail before a total."""
        flags = np.zeros(self.size, dtype=bool)
        flags[[line.parent for line in self.lines]] = True
        return flags

    @cached_property
    def basis(self) -> _Basis:
        """The lines in reduced echelon form, built once (the hidden cells do not change it)."""
        basis = _Basis()
        # Shortest lines first: a long one (an area's total over thousands of cells) added early has each later pivot
        # eliminated from it, and its fill-in spreads to the rows after it; added last it is reduced once. The span,
        # and so what elimination hides, is the same in any order (a region's joint stage: 11.4 s -> 1.2 s).
        for line in sorted(self.lines, key=lambda line: len(line.children)):
            basis.add_if_new({line.parent: -1.0} | {child: 1.0 for child in line.children})
        return basis

    @cached_property
    def rows(self) -> _Rows:
        """Every line and bound as a row over the cells, built once (the hidden cells do not change them)."""
        return _rows(self.lines, self.bounds, self.size)


class Unprotectable(ValueError):
    """Some hidden cells could not be protected by hiding more: the table must not be published."""

    def __init__(self, cells: list[int]):
        self.cells = cells
        super().__init__(f"{len(cells)} hidden cell(s) could not be protected")


def primary_cells(values: np.ndarray, threshold: int) -> np.ndarray:
    """Counts of 1 to threshold: too few children to show."""
    return (values >= 1) & (values <= threshold)


def gauss_secondary(
    problem: Problem, primary: np.ndarray, threshold: int, frozen: np.ndarray | None = None
) -> np.ndarray:
    """Primary cells plus those Gaussian elimination in cost order must hide so no primary can be worked out.

    Works on the rows of the lines: the published cells and the lines span what a reader can compute; a primary
    cell is revealed when its unit vector falls in that span. Cells are offered for publication in cost order (forced
    cells first, zeros among them, then the largest values), and each is published unless it would reveal a primary,
    or a protected sum: small counts on one line (GaussSuppression's singleton sums). Frozen cells (the problem's
    own, or those given) are protected like primary ones.
    """
    unknown = problem.unknown
    hidden = primary | (problem.frozen_hidden if frozen is None else frozen)
    basis = problem.basis.copy()
    residuals = {(int(cell),): basis.reduce({int(cell): 1.0}) for cell in np.flatnonzero(hidden & ~unknown)}
    # Small counts hidden together on one line give away their sum when the rest of the line is shown: where that
    # sum is small too (no member could pass the threshold), it is protected like a cell of its own, so
    # [7, c, c | 9] hides the 7 as well. A lone small count is such a sum already.
    values = problem.values
    for line in problem.lines:
        group = tuple(sorted(int(c) for c in line.children if primary[c] and not unknown[c]))
        if values[list(group)].sum() <= threshold + len(group) - 1 and group not in residuals:
            residuals[group] = basis.reduce({c: 1.0 for c in group})
    # A primary the lines alone pin down (a one-cell line) is handled by the audit, which hides its neighbours.
    residuals = {cells: r for cells, r in residuals.items() if r}
    holding = defaultdict(set)  # column -> the residuals that hold it, so a pivot finds its residuals at once
    for key, residual in residuals.items():
        for column in residual:
            holding[column].add(key)
    forced = problem.forced
    offered = [c for c in range(problem.size) if not hidden[c] and not unknown[c] and not problem.unpublished[c]]
    offered.sort(key=lambda c: (not forced[c], -values[c], c))
    for cell in offered:
        vector = basis.reduce({cell: 1.0})
        if not vector:
            continue  # already worked out from what is published: showing it adds nothing
        pivot = basis.pivot_for(vector)
        touched = sorted(holding[pivot])
        if not forced[cell] and any(_proportional(residuals[key], vector, pivot) for key in touched):
            hidden[cell] = True
            continue
        for key in touched:
            residual = residuals[key]
            added, dropped = _eliminate(residual, vector, pivot)
            for column in dropped:
                holding[column].discard(key)
            for column in added:
                holding[column].add(key)
        basis.add(vector, pivot)
    return hidden


class _Basis:
    """Sparse rows in reduced echelon form: each pivot column appears in its own row only."""

    def __init__(self):
        self.rows: dict[int, dict[int, float]] = {}
        self.holders: defaultdict[int, set[int]] = defaultdict(set)  # column -> pivots whose rows contain it

    def copy(self) -> _Basis:
        """A basis that can grow without changing this one."""
        other = _Basis()
        other.rows = {pivot: dict(row) for pivot, row in self.rows.items()}
        other.holders = defaultdict(set, {column: set(pivots) for column, pivots in self.holders.items()})
        return other

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
            added, dropped = _eliminate(row, vector, pivot)
            for column in dropped:
                self.holders[column].discard(other)
            for column in added:
                self.holders[column].add(other)
        self.rows[pivot] = vector
        for column in vector:
            self.holders[column].add(pivot)


def _eliminate(target: dict[int, float], row: dict[int, float], pivot: int) -> tuple[list[int], list[int]]:
    """target -= a multiple of row that clears the pivot; the columns it gained and lost (only row's can change, so
    the callers keep their column indexes without comparing whole rows)."""
    factor = target[pivot] / row[pivot]
    added, dropped = [], []
    get = target.get
    # The hottest loop of a load's protection: written for CPython (a comparison chain, no abs(), no default).
    for column, weight in row.items():
        old = get(column)
        if old is None:
            value = -factor * weight
            if not -TOLERANCE < value < TOLERANCE:
                target[column] = value
                added.append(column)
        else:
            value = old - factor * weight
            if -TOLERANCE < value < TOLERANCE:
                del target[column]
                dropped.append(column)
            else:
                target[column] = value
    return added, dropped


def _proportional(residual: dict[int, float], vector: dict[int, float], pivot: int) -> bool:
    if len(residual) != len(vector):
        return False
    factor = residual[pivot] / vector[pivot]
    return all(abs(residual.get(column, 0.0) - factor * weight) < TOLERANCE for column, weight in vector.items())


def attacker_intervals(problem: Problem, hidden: np.ndarray) -> dict[int, tuple[float, float]]:
    """The smallest and largest value each hidden cell can take, to a reader of everything shown (linear programs).

    The reader's unknowns are the hidden cells, each at least 1; every line through a hidden cell is an equation
    whose other terms are shown, and every bound through one an inequality. Groups of hidden cells that share no line
    or bound are solved apart. Returns {cell: (low, high)} for every hidden cell; high is infinite where nothing bounds
    the cell.
    """
    wanted = np.flatnonzero(hidden)
    return {
        cell: bounds for _, make in _solvers(problem, hidden, wanted) for cell, bounds in make().intervals().items()
    }


class _Attacker:
    """One connected group of hidden cells as HiGHS sees it, solved for each cell's minimum and maximum."""

    def __init__(
        self,
        members: list[int],
        lower: np.ndarray,
        rows: tuple[csr_matrix, np.ndarray, np.ndarray],
        targets=(),
        unpublished: np.ndarray | None = None,
    ):
        self.members, self.targets = members, targets
        # Parts never published break only when proved a small count of at least 1 (they may be 0 to a reader).
        self.unpublished = np.zeros(len(members), dtype=bool) if unpublished is None else unpublished
        self.index = {cell: k for k, cell in enumerate(members)}
        self.highs = new_highs()
        count = len(members)
        self.highs.addVars(count, lower, np.full(count, highspy.kHighsInf))
        self.hidden_costs = (lower > 0).astype(float)  # the hidden counts, for solutions at either end of their total
        matrix, low, high = rows
        if matrix.shape[0]:
            self.highs.addRows(matrix.shape[0], low, high, matrix.nnz, matrix.indptr, matrix.indices, matrix.data)

    def bound(self, cell: int, sense) -> float:
        """The cell's minimum or maximum over everything the reader knows."""
        costs = np.zeros(len(self.members))
        costs[self.index[cell]] = 1.0
        status = optimise(self.highs, costs, sense)
        if status == highspy.HighsModelStatus.kOptimal:
            return self.highs.getInfo().objective_function_value
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return math.inf  # every cell is at least 0, so only a maximum can run away
        raise RuntimeError(f"the reader's linear program could not be solved ({status})")

    def intervals(self) -> dict[int, tuple[float, float]]:
        """(low, high) for each target cell."""
        return {
            cell: (self.bound(cell, highspy.ObjSense.kMinimize), self.bound(cell, highspy.ObjSense.kMaximize))
            for cell in self.targets
        }

    def feasible(self) -> bool:
        """True when some values of the group's cells satisfy all its rows."""
        return self.point(highspy.ObjSense.kMinimize) is not None

    def point(self, sense) -> np.ndarray | None:
        """A solution the reader cannot rule out, with the hidden cells' total as small or as large as it can be."""
        self.highs.changeColsCost(len(self.members), np.arange(len(self.members)), self.hidden_costs)
        self.highs.changeObjectiveSense(sense)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.highs.getSolution().col_value, dtype=float)

    def breaks(self, threshold: int, truth: np.ndarray) -> list[int]:
        """The target cells whose interval breaks the guarantee.

        Every solution the reader cannot rule out lies inside each cell's interval, and an interval is all of one
        piece: a cell whose values across solutions already found (the truth, the smallest and largest total, and
        each solve's answer) span enough is safe without linear programs of its own. The cells still open are
        first pushed together, their sum as large and then as small as it can be, while a push settles any; only
        those left are solved alone, each solve adding its answer to those found.
        """
        # Each cell's smallest and largest value over the solutions found so far (none yet: an empty span).
        low, high = np.full(len(self.members), np.inf), np.full(len(self.members), -np.inf)

        def take(solution: np.ndarray | None) -> None:
            nonlocal low, high
            if solution is not None:
                low, high = np.minimum(low, solution), np.maximum(high, solution)

        def judge(cell: int):
            return breaks_unpublished if self.unpublished[self.index[cell]] else breaks_guarantee

        def settled(cell: int) -> bool:
            k = self.index[cell]
            return bool(np.isfinite(low[k])) and not judge(cell)(low[k], high[k], threshold)

        if not np.isnan(truth).any():
            take(truth)
        take(self.point(highspy.ObjSense.kMinimize))
        take(self.point(highspy.ObjSense.kMaximize))
        unsettled = [cell for cell in self.targets if not settled(cell)]
        # One push moves many cells at once: on Kent's largest groups (2,000 to 4,500 unknowns) most cells the two
        # totals leave open are settled by a few pushes instead of two solves each (docs/performance.md).
        while len(unsettled) > 1:
            costs = np.zeros(len(self.members))
            costs[[self.index[cell] for cell in unsettled]] = 1.0
            for sense in (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize):
                take(self._optimum(costs, sense))
            left = [cell for cell in unsettled if not settled(cell)]
            if len(left) == len(unsettled):
                break  # no push moves them further: each is solved alone
            unsettled = left
        found = []
        for cell in unsettled:
            if settled(cell):  # by an answer found for a cell before it
                continue
            exact = []
            for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                exact.append(self.bound(cell, sense))
                if self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                    take(np.asarray(self.highs.getSolution().col_value, dtype=float))
            if judge(cell)(exact[0], exact[1], threshold):
                found.append(cell)
        return found

    def _optimum(self, costs: np.ndarray, sense) -> np.ndarray | None:
        """The solution at the optimum for these costs, or None where the program runs away."""
        if optimise(self.highs, costs, sense) != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.highs.getSolution().col_value, dtype=float)


def optimise(highs: highspy.Highs, costs: np.ndarray, sense) -> highspy.HighsModelStatus:
    """Solve highs for these costs (one per column) in this sense, and say how it ended: at an optimum, or without
    end (a maximum that runs away)."""
    highs.changeColsCost(len(costs), np.arange(len(costs)), costs)
    highs.changeObjectiveSense(sense)
    highs.run()
    status = highs.getModelStatus()
    if status not in ENDED:
        # The programs solved here always have a solution (the true values are one), so any other end is the
        # simplex failing from its warm start: stuck (unknown), or primal simplex calling a program of one of
        # England's largest LAs infeasible. Solved again from scratch with dual simplex, which has not failed so.
        # A stuck solve is routine in a joint stage (259 in England's), so only a false infeasible is worth a warning.
        level = logging.DEBUG if status == highspy.HighsModelStatus.kUnknown else logging.WARNING
        _LOG.log(level, "HiGHS ended a linear program %s from its warm start: solved again from scratch", status)
        highs.clearSolver()
        highs.setOptionValue("simplex_strategy", int(highspy.simplex_constants.kSimplexStrategyDual))
        highs.run()
        highs.setOptionValue("simplex_strategy", SIMPLEX)
        status = highs.getModelStatus()
    return status


def new_highs() -> highspy.Highs:
    """A quiet HiGHS solver (no banner, no log)."""
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
    # Most solves change only the costs of a program just solved (a cell's minimum, then its maximum): the last
    # answer is still a feasible point, so primal simplex goes on from it where dual simplex (HiGHS's default) must
    # first repair it. Left to choose, HiGHS takes primal simplex from a feasible start and dual from any other (a
    # joint stage's changed bounds). The optima are the same: an LA protected in a country load (its share of the
    # joint stage made too) took 30% less time, a borough's protection about the same (docs/performance.md).
    highs.setOptionValue("simplex_strategy", SIMPLEX)
    return highs


_BANNER_SHOWN = False


@dataclass
class _Rows:
    """Every line and bound as a row over the cells (by row and by column), and each row's lower end: a line's sum
    is 0, a bound's at most 0."""

    matrix: csr_matrix
    columns: csc_matrix
    low: np.ndarray


def _rows(lines: list[Line], bounds: list[AtMost], size: int) -> _Rows:
    rows, cols, weights = [], [], []
    for row, line in enumerate(lines):
        rows += [row] * (len(line.children) + 1)
        cols += [line.parent, *line.children]
        weights += [-1.0] + [1.0] * len(line.children)
    for row, bound in enumerate(bounds, start=len(lines)):
        rows += [row] * (len(bound.lesser) + len(bound.greater))
        cols += [*bound.lesser, *bound.greater]
        weights += [1.0] * len(bound.lesser) + [-bound.factor] * len(bound.greater)
    matrix = coo_matrix((weights, (rows, cols)), shape=(len(lines) + len(bounds), size)).tocsr()  # repeats add up
    matrix.data[np.abs(matrix.data) < TOLERANCE] = 0.0
    matrix.eliminate_zeros()
    low = np.concatenate([np.zeros(len(lines)), np.full(len(bounds), -highspy.kHighsInf)])
    return _Rows(matrix, matrix.tocsc(), low)


def _ends(problem: Problem, hidden: np.ndarray, matrix: csr_matrix, low: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows' ends once the shown cells are moved across: what the unknowns must add up to."""
    shown_part = matrix @ np.where(problem.unknowns(hidden), 0.0, np.nan_to_num(problem.values))
    return low - shown_part, -shown_part


@dataclass
class _Reader:
    """The reader's rows over the unknowns, and each unknown's and row's connected group."""

    cells: np.ndarray  # the unknown cells, in order
    matrix: csr_matrix  # rows that hold an unknown, over the unknown cells
    low: np.ndarray
    high: np.ndarray
    component: np.ndarray  # of each unknown cell
    row_component: np.ndarray  # of each row


def _reader(problem: Problem, hidden: np.ndarray) -> _Reader:
    """What a reader can write down: each line and bound with the shown cells moved to its ends."""
    every = problem.rows
    cells = np.flatnonzero(problem.unknowns(hidden))
    rows = every.matrix[:, cells]
    low, high = _ends(problem, hidden, every.matrix, every.low)
    # Cells and rows as one graph (each way): a row joins every unknown it holds; one with none is a group of its
    # own, and no cell's.
    _, labels = connected_components(bmat([[None, rows.T], [rows, None]]))
    return _Reader(cells, rows.tocsr(), low, high, labels[: len(cells)], labels[len(cells) :])


def _group(problem: Problem, hidden: np.ndarray, cell: int) -> tuple[np.ndarray, np.ndarray]:
    """The unknown cells and the rows of cell's connected group, found by walking out from it (cheaper than every
    group's when one is wanted)."""
    every = problem.rows
    matrix, columns = every.matrix, every.columns
    unknown = problem.unknowns(hidden)
    in_cells, in_rows = np.zeros(problem.size, dtype=bool), np.zeros(matrix.shape[0], dtype=bool)
    in_cells[cell] = True
    frontier = np.array([cell])
    while len(frontier):
        fresh = _entries(columns, frontier)
        fresh = fresh[~in_rows[fresh]]
        in_rows[fresh] = True
        reached = _entries(matrix, np.unique(fresh))
        frontier = np.unique(reached[unknown[reached] & ~in_cells[reached]])
        in_cells[frontier] = True
    return np.flatnonzero(in_cells), np.flatnonzero(in_rows)


def _entries(compressed: csr_matrix | csc_matrix, lines: np.ndarray) -> np.ndarray:
    """The column indices of these rows of a CSR matrix (or row indices of these columns of a CSC one), together."""
    starts, ends = compressed.indptr[lines], compressed.indptr[lines + 1]
    lengths = ends - starts
    # Each entry's position: its line's start, plus how far it is along the line.
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return compressed.indices[np.repeat(starts, lengths) + offsets]


def _group_attacker(problem: Problem, hidden: np.ndarray, cell: int) -> _Attacker:
    """The reader's linear program for cell's connected group alone."""
    every = problem.rows
    members, rows = _group(problem, hidden, cell)
    block = every.matrix[rows]
    low, high = _ends(problem, hidden, block, every.low[rows])
    return _Attacker(members.tolist(), problem.floor(hidden)[members], (block[:, members].tocsr(), low, high))


def neighbourhood(problem: Problem, hidden: np.ndarray, cell: int) -> list[int]:
    """The hidden cells that share a connected group of unknowns with cell (cell included)."""
    members, _ = _group(problem, hidden, cell)
    return [int(c) for c in members if hidden[c]]


def _solvers(problem: Problem, hidden: np.ndarray, wanted):
    """(key, make solver) for each connected group of unknowns that holds a wanted cell.

    The key names the group's linear program (its unknowns and which are hidden); the solver, made only when called,
    answers for every hidden cell of the group.
    """
    reader = _reader(problem, hidden)
    floor = problem.floor(hidden)
    for label in dict.fromkeys(reader.component[np.searchsorted(reader.cells, wanted)].tolist()):
        positions = np.flatnonzero(reader.component == label)
        members = reader.cells[positions]
        key = (members.tobytes(), hidden[members].tobytes())

        def make(members=members, positions=positions, label=label) -> _Attacker:
            rows = np.flatnonzero(reader.row_component == label)
            block = reader.matrix[rows][:, positions].tocsr()
            targets = [int(c) for c in members if hidden[c]]
            # A hidden count is at least 1; an unpublished part, a source's symbol or a follower may be 0.
            return _Attacker(
                members.tolist(),
                floor[members],
                (block, reader.low[rows], reader.high[rows]),
                targets,
                problem.unpublished[members],
            )

        yield key, make


def consistent(problem: Problem, hidden: np.ndarray) -> bool:
    """True when some values of the unknown cells satisfy every line and bound, the shown cells as shown."""
    return all(make().feasible() for _, make in _solvers(problem, hidden, np.flatnonzero(problem.unknowns(hidden))))


def breaks_unpublished(low: float, high: float, threshold: int) -> bool:
    """True when a reader can prove a part that is never published to be a small count: 1 to threshold. It may be 0
    for all they know, so a range reaching 0 proves nothing."""
    return math.ceil(low - 1e-6) >= 1 and math.floor(high + 1e-6) <= threshold


def breaks_guarantee(low: float, high: float, threshold: int) -> bool:
    """True when a reader can narrow a small count to an interval of width under 2, or prove it is at most threshold.

    Counts are whole numbers, so the reader rounds the bounds inwards.
    """
    low_whole = math.ceil(low - 1e-6)
    high_whole = math.floor(high + 1e-6) if math.isfinite(high) else math.inf
    return high_whole - low_whole < 2 or high_whole <= threshold


def audit_breaks(problem: Problem, hidden: np.ndarray, threshold: int, cells=None) -> list[int]:
    """Hidden cells (of cells, if given) whose interval breaks the guarantee (too narrow, or provably small), the
    smallest first. Each group's answer is kept on the problem, so a group already audited is not solved again."""
    wanted = np.flatnonzero(hidden) if cells is None else [c for c in cells if hidden[c]]
    breaks = []
    for key, make in _solvers(problem, hidden, wanted):
        if (key, threshold) not in problem.answers:
            solver = make()
            problem.answers[(key, threshold)] = solver.breaks(threshold, problem.values[solver.members])
        breaks += problem.answers[(key, threshold)]
    return sorted(set(breaks) & {int(c) for c in wanted}, key=lambda c: (problem.values[c], c))


def protect(problem: Problem, primary: np.ndarray, threshold: int, rounds: int = 30) -> np.ndarray:
    """Which cells to hide: primary, then secondary by Gaussian elimination, then what the audit asks for.

    Cells that follow a hidden cell are hidden with it, and elimination runs again to protect them too. The audit
    checks every hidden cell. A cell hidden only for others that a reader can narrow too far is shown instead, where
    that breaks nothing. Otherwise one more shown cell on a line or bound through the broken cell is hidden (the
    first, in cost order, that mends it), and the elimination runs again, so that what it hides stays consistent.
    Raises Unprotectable when a break cannot be mended.
    """
    through = relations_through(problem)
    chosen = problem.frozen_hidden.copy()
    for _ in range(rounds):
        hidden = gauss_secondary(problem, primary, threshold, chosen)
        while (lagging := problem.lagging(hidden)).any():
            chosen |= lagging
            hidden = gauss_secondary(problem, primary, threshold, chosen)
        breaks = audit_breaks(problem, hidden, threshold)
        if not breaks:
            return hidden
        mended, changed = False, False
        for cell in breaks:
            if changed and not _breaks_alone(problem, hidden, cell, threshold):
                continue  # mended already by a cell hidden for an earlier break this round
            if not primary[cell] and not chosen[cell]:
                # Showing it changes only the group of unknowns it is in: only that group is audited again.
                group = [c for c in neighbourhood(problem, hidden, cell) if c != cell]
                shown = hidden.copy()
                shown[cell] = False
                if not problem.lagging(shown).any() and not audit_breaks(problem, shown, threshold, group):
                    hidden, changed = shown, True
                    continue
            extra = _cover(problem, hidden, chosen, cell, threshold, through)
            if extra is not None:
                chosen[extra] = hidden[extra] = True
                mended = changed = True
        if not mended:
            if not audit_breaks(problem, hidden, threshold):
                return hidden
            raise Unprotectable(breaks)
        # What is hidden now stays hidden: elimination run afresh could drop a cell a cover relied on, and the
        # rounds would go round in circles.
        chosen = hidden.copy()
    # Out of rounds: what the last one hid may still pass the audit, as it is (the audit is the guarantee).
    breaks = audit_breaks(problem, hidden, threshold)
    if breaks:
        raise Unprotectable(breaks)
    return hidden


def relations_through(problem: Problem) -> dict[int, list]:
    """Each cell's lines and bounds (the relations a cover looks along)."""
    through = defaultdict(list)
    for line in problem.lines:
        for cell in (line.parent, *line.children):
            through[cell].append(line)
    for bound in problem.bounds:
        for cell in (*bound.lesser, *bound.greater):
            through[cell].append(bound)
    return through


def _cover(
    problem: Problem, hidden: np.ndarray, chosen: np.ndarray, cell: int, threshold: int, through: dict
) -> int | None:
    """A shown cell to hide with a broken one, found through the lines and bounds it is on.

    First choice, on the line through it whose hidden part is smallest: the smallest cell that brings that part
    above what the guarantee needs (the largest, if none does). Then the other shown cells of its lines and bounds,
    then those one hidden cell further away, and so on. Everywhere details come before totals (a total hidden takes
    another cell of its own line with it), each the smallest first. The first that mends the broken cell is
    taken; if none does alone, the first found (the next round goes on from there)."""
    values, totals = problem.values, problem.totals

    def cost(c: int) -> tuple:
        # A total hidden takes one more cell of its own line with it: details first, each group smallest first.
        return (totals[c], values[c], c)

    def open_cell(c: int) -> bool:
        return (
            not hidden[c] and not chosen[c] and not problem.forced[c] and not problem.unpublished[c] and values[c] > 0
        )

    best = None
    for line in (r for r in through[cell] if isinstance(r, Line)):
        members = [line.parent, *line.children] if hidden[line.parent] else list(line.children)
        hidden_part = [c for c in members if hidden[c] and c != line.parent]
        room = values[hidden_part].sum() - (len(hidden_part) - 1)  # how high one hidden member can go
        options = sorted((c for c in members if open_cell(c)), key=cost)
        if not options and open_cell(line.parent):
            options = [line.parent]  # nothing left to hide beside it: hide the total, and the line says nothing
        if not options:
            continue
        needed = threshold + 2 - room
        enough = [c for c in options if values[c] >= needed]
        pick = enough[0] if enough else max(options, key=lambda c: (not totals[c], values[c], c))
        if best is None or (room, values[pick]) < best[0]:
            best = ((room, values[pick]), pick)
    candidates = [best[1]] if best else []
    for ring in _rings(through, hidden, cell):
        candidates += sorted((c for c in ring if open_cell(c) and c not in candidates), key=cost)
        if len(candidates) >= COVER_TRIALS:
            break
    candidates = candidates[:COVER_TRIALS]
    if len(candidates) > 1:
        # Hiding a cell only widens a reader's intervals (its true value stays possible), so if the candidates hidden
        # all together leave the cell broken, none alone mends it: one linear program says so, not one a candidate.
        # Most covers are of that kind (151 of 189 in the demo borough's load, which then took a quarter less time).
        trial = hidden.copy()
        trial[candidates] = True
        if _breaks_alone(problem, trial, cell, threshold):
            return candidates[0]
    for candidate in candidates:
        trial = hidden.copy()
        trial[candidate] = True
        if not _breaks_alone(problem, trial, cell, threshold):
            return candidate
    return candidates[0] if candidates else None


def _rings(through: dict, hidden: np.ndarray, cell: int):
    """The cells on the lines and bounds through cell, then those through the hidden ones among them, and so on."""
    seen, frontier = {cell}, [cell]
    while frontier:
        ring = []
        for current in frontier:
            for relation in through[current]:
                members = (
                    (relation.parent, *relation.children)
                    if isinstance(relation, Line)
                    else (*relation.lesser, *relation.greater)
                )
                ring += [c for c in members if c not in seen]
                seen.update(members)
        yield ring
        frontier = [c for c in ring if hidden[c]]


def _breaks_alone(problem: Problem, hidden: np.ndarray, cell: int, threshold: int) -> bool:
    """True when the hidden cell's own interval breaks the guarantee (its group's other cells are not checked).

    The cell's true value is a point the reader cannot rule out, so its interval reaches from at most the truth to
    the maximum: if that much keeps the guarantee, the minimum need not be solved."""
    attacker = _group_attacker(problem, hidden, cell)
    judge = breaks_unpublished if problem.unpublished[cell] else breaks_guarantee
    high = attacker.bound(cell, highspy.ObjSense.kMaximize)
    truth = problem.values[cell]
    if not np.isnan(truth) and not judge(truth, high, threshold):
        return False
    return judge(attacker.bound(cell, highspy.ObjSense.kMinimize), high, threshold)


# How many cells the cover tries against the audit before settling for its first choice.
COVER_TRIALS = 8
