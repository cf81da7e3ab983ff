"""Protect a publication made of parts that only totals tie together (England: its LAs, and the national figures
that add up each LA's own), each part alone and then a joint stage that never holds a part's small cells.

Each part (an LA's count and year) is protected alone by `protect`, as a borough is. Its *interface* is its cells
that a total across parts adds up (the LA's figures behind a national figure); a national line says a national cell
is the sum of the parts' interface cells with its key. The joint stage decides only which national cells to hide.

Why it is exact without solving the whole country at once. A reader's solutions to everything shown are, part by
part, solutions of that part alone (the part's own lines and bounds) that the national lines fit together. So:

- a hidden cell stays as safe as its part alone made it wherever the solutions its part's audit relied on (the
  cell at its smallest and largest) can be completed in the other parts so that every shown national figure still
  adds up. A solution that leaves the part's interface at its true values is completed at once (every other part at
  its truth): most cells of a part are certified that way, with the interface held at its true values
  (`part_of`). The few that need the interface to move (the small parts of a small LA figure, say) keep the
  solutions they need, and the joint stage asks that each can be completed.
- completing uses, for each other part, mixtures of solutions of that part alone (its truth and its kept
  solutions): any mixture is a solution of the part (its solutions are a convex set), so whatever the joint stage
  finds with them a reader could find too. It may hide more than a reader's exact view would need, never less. A
  part's unknowns fall into connected groups (no line or bound holds cells of two), and each group's changes add
  to the others' as a solution of the part, so each group is mixed on its own: a part can move two national lines
  at once from two groups, which one mixture of the whole part could only do half each.
- a hidden interface cell's interval, and a hidden national cell's, are read from the same mixtures.
- a linear program holds a team of a few parts, every other part at its truth (TEAM): a restriction of the program
  of every part, so still a subset of what a reader can work out, and a country's programs stay small.

A break is mended by hiding national cells (the break's own national line first), never by protecting a part
again: with every national cell through it hidden, a part's solutions need no completing, so every break can be
mended. A part is never needed whole: the stage holds, per part, only its kept solutions on its hidden interface
cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.sparse import coo_matrix

from dashboard.domain.disclosure import (
    Problem,
    Unprotectable,
    _solvers,
    audit_breaks,
    breaks_guarantee,
    breaks_unpublished,
    neighbourhood,
    new_highs,
    optimise,
)


@dataclass
class Part:
    """What the joint stage needs of one part: its hidden interface cells and the solutions kept for them.

    keys: the national cell each hidden interface cell adds into; values: their true values; points: kept solutions
    of the part alone, each as its change from the truth on those cells (a row per solution); required: points that
    a hidden cell of the part relies on for its guarantee (each must be completed across parts); groups: the
    connected group of the part's unknowns each point moves (None: all in one).
    """

    keys: np.ndarray
    values: np.ndarray
    points: np.ndarray
    required: np.ndarray
    unpublished: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    groups: np.ndarray | None = None


def part_of(problem: Problem, hidden: np.ndarray, interface: np.ndarray, keys: np.ndarray, threshold: int) -> Part:
    """A part's share of the joint stage, from its problem protected alone (hidden): interface gives its interface
    cells (positions in the problem) and keys the national cell each adds into."""
    interface, keys = np.asarray(interface, dtype=int), np.asarray(keys, dtype=int)
    mine = problem.unknowns(hidden)[interface]  # hidden, or never shown: a reader's unknowns
    cells, cell_keys = interface[mine], keys[mine]
    if not len(cells):
        return Part(cell_keys, np.zeros(0), np.zeros((0, 0)), np.zeros(0, dtype=bool), groups=np.zeros(0, dtype=int))
    position = {int(c): k for k, c in enumerate(cells)}
    points, required, groups, group_of = [], [], [], {}

    def extremes(cell: int, needed: bool) -> None:
        # The cell at its smallest and largest over the part alone (a largest without end taken as far as a reader
        # would need). Where the cell relies on them for its guarantee, only the ends it needs are required, and a
        # largest beyond what it needs is drawn back towards the truth (a mixture of the two is a solution too), so
        # the other parts have less to make up.
        attacker = attackers[cell]
        truth = problem.values[cell]
        judge = breaks_unpublished if problem.unpublished[cell] else breaks_guarantee
        needed_high = max(threshold + 1, truth + 2)
        cap = truth + REACH * needed_high
        ends = [_end(attacker, cell, sense, cap, problem.values) for sense in (MINIMISE, MAXIMISE)]
        low, high = ends[0][0], ends[1][0]
        need = [True, True]
        if needed and not judge(truth, high, threshold):
            need = [False, True]
            ends[1] = (needed_high, ends[1][1] * min(1.0, (needed_high - truth) / (high - truth)))
        elif needed and not judge(low, truth, threshold):
            need = [True, False]
        for (_, solution), wanted in zip(ends, need):
            point = np.zeros(len(cells))
            for member, value in zip(attacker.members, solution):
                if member in position:
                    point[position[member]] = value
            point = np.nan_to_num(point)  # a source's symbol: unknown to everyone, nothing to keep
            if np.any(point):
                points.append(point)
                required.append(needed and wanted)
                groups.append(group_of.setdefault(id(attacker), len(group_of)))

    # The interface held at its true values: every hidden cell of the part still safe so is safe jointly.
    held = hidden.copy()
    held[cells] = False
    reached = {c for cell in cells for c in neighbourhood(problem, hidden, int(cell))} - set(position)
    relying = [int(cell) for cell in audit_breaks(problem, held, threshold, sorted(reached))]
    known = [int(cell) for cell in cells if not np.isnan(problem.values[cell])]
    attackers = _attackers(problem, hidden, known + relying)
    for cell in known:
        extremes(cell, needed=False)
    for cell in relying:
        extremes(cell, needed=True)
    points = np.array(points).reshape(len(points), len(cells))
    rows, needed = _pruned(points, np.array(required, dtype=bool))
    groups = np.array(groups, dtype=int).reshape(len(points))[rows]
    return Part(cell_keys, problem.values[cells], points[rows], needed, problem.unpublished[cells], groups)


def _pruned(points: np.ndarray, required: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The kept solutions without those that add nothing to the mixtures (their rows, in order), and which are
    required.

    The joint stage mixes a part's truth with its kept solutions, so a solution on the way from the truth to another
    (the same direction, no farther) is a mixture already: dropping it leaves every mixture, and so every answer of
    the stage, as it was, in a program with fewer columns (England's largest stage held a quarter fewer). A required
    solution is a check of its own, so it stays, once for each distinct change. (Two solutions of the same direction
    move the same cells, so they are of one group.)"""
    if not len(points):
        return np.zeros(0, dtype=int), required
    # Each distinct change once (its first row), required if any of its repeats is.
    _, first, same = np.unique(points, axis=0, return_index=True, return_inverse=True)
    distinct = points[first]
    wanted = np.zeros(len(first), dtype=bool)
    np.logical_or.at(wanted, same.ravel(), required)
    # Per direction (rounded, so one found through different arithmetic is one), the farthest change.
    reach = np.abs(distinct).max(axis=1)
    _, direction = np.unique(np.round(distinct / reach[:, None], 9), axis=0, return_inverse=True)
    direction = direction.ravel()
    order = np.lexsort((-reach, direction))
    farthest = np.zeros(len(first), dtype=bool)
    farthest[order[np.r_[True, direction[order][1:] != direction[order][:-1]]]] = True
    keep = np.flatnonzero(farthest | wanted)
    keep = keep[np.argsort(first[keep])]  # in the order they were found
    return first[keep], wanted[keep]


def _attackers(problem: Problem, hidden: np.ndarray, cells: list[int]) -> dict:
    """The reader's linear program of each connected group holding these cells (one per group, made once)."""
    found = {}
    if cells:
        for _, make in _solvers(problem, hidden, np.array(sorted(set(cells)))):
            attacker = make()
            found |= {member: attacker for member in attacker.members}
    return {cell: found[cell] for cell in cells}


MINIMISE, MAXIMISE = highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize
# How far past what the guarantee needs a cell without an upper end is taken for a kept solution: more room for the
# other parts to use, at no cost (the joint stage mixes each solution with the truth).
REACH = 4


def _end(attacker, cell: int, sense, cap: float, values: np.ndarray) -> tuple[float, np.ndarray]:
    """The cell's smallest or largest value over its part alone (at most cap), and that solution's change from the
    truth on the group's cells."""
    k = attacker.index[cell]
    lower = float(attacker.highs.getLp().col_lower_[k])
    attacker.highs.changeColBounds(k, lower, cap)
    attacker.bound(cell, sense)
    solved = attacker.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    solution = np.asarray(attacker.highs.getSolution().col_value, dtype=float)
    attacker.highs.changeColBounds(k, lower, highspy.kHighsInf)
    if not solved:
        raise RuntimeError(f"the part's linear program for cell {cell} could not be solved")
    return solution[k], solution - values[attacker.members]


def joint_hidden(
    parts: list[Part],
    values: np.ndarray,
    threshold: int,
    primary: np.ndarray,
    floor: np.ndarray,
    same: list[tuple[int, int]] = (),
    follows: np.ndarray | None = None,
    free: np.ndarray | None = None,
    team: int | None = None,
) -> np.ndarray:
    """Which national cells to hide so that every part's hidden cells keep the guarantee jointly.

    values: the national cells' true values; primary: those hidden whatever happens (small ones); floor: the least
    a hidden national cell can be to a reader (1 for a count of children, 0 for a cell that follows another); same:
    pairs a reader takes as one figure (shown or hidden together); follows: the cell each follows (-1 for none);
    free: cells no reader sees (parts never published, a source's symbols), unknowns from the start; team: how many
    parts one linear program holds (TEAM unless given).
    Raises Unprotectable when a break survives every national cell through it hidden.

    Hiding a national cell only widens what a reader allows (its true value stays possible), so a check that holds
    keeps holding as cells are hidden for others: each check is made once, and a broken one is mended on the spot,
    the national cells that could mend it hidden one at a time, cheapest first, until it holds.
    """
    values = np.nan_to_num(np.asarray(values, dtype=float))
    follows = np.full(len(values), -1) if follows is None else np.asarray(follows)
    free = np.zeros(len(values), dtype=bool) if free is None else np.asarray(free, dtype=bool)
    joint = _Joint(parts, values, floor, same, team or TEAM)
    hidden = joint.hidden
    joint.hide(_closed(primary | free, same, follows))

    def mend(checks) -> None:
        for check, options, owner in checks:
            while check(threshold):
                shown = [n for n in options if not hidden[n] and values[n] > 0]  # a shown 0 is 0: never hidden
                if not shown:
                    raise Unprotectable([owner])
                wanted = hidden.copy()
                wanted[shown[0]] = True
                joint.hide(_closed(wanted, same, follows))

    mend(joint.checks(primary))
    # A national cell hidden only for others that a reader can work out exactly anyway is shown: the mixtures all
    # give it its true value, so showing it takes none of them away and every check above still holds.
    partners = {a: b for a, b in same} | {b: a for a, b in same}
    for n in np.flatnonzero(hidden & ~primary & ~free):
        tied = [n] + ([partners[n]] if n in partners else [])
        leading = follows[n] >= 0 and hidden[follows[n]]
        if not leading and not (primary | free)[tied].any() and all(joint.pinned(m) for m in tied):
            joint.show(tied)
    # Any other hidden for others that a reader can narrow is widened as a small one is.
    mend(joint.national_checks(hidden & ~primary & ~free))
    return hidden


# How many parts one joint linear program holds. A program of every part is the widest view the kept solutions
# give, but each of its solves grows with the country (8 ms for two LAs, 113 ms for ten). A program of a few parts,
# every other part held at its truth, is a restriction of it (each of its solutions is one of the whole), so what it
# finds a reader could find too: it can only hide more, never less. On ten LAs' pupils of a year, teams of two hid
# 394 national cells where one program of all ten hid 387, in 4.7 s against 76.6 s (docs/performance.md).
TEAM = 2


def _closed(hidden: np.ndarray, same, follows: np.ndarray) -> np.ndarray:
    """hidden with every cell tied to a hidden one (one figure, or following it) hidden too."""
    while True:
        before = hidden.copy()
        for a, b in same:
            hidden[a] = hidden[b] = hidden[a] or hidden[b]
        following = follows >= 0
        hidden[following] |= hidden[follows[following]]
        if (hidden == before).all():
            return hidden


class _Joint:
    """The joint stage over teams of parts: a linear program per team (_Stage), the national cells hidden in all."""

    def __init__(self, parts: list[Part], values: np.ndarray, floor: np.ndarray, same, team: int):
        self.values = values
        self.hidden = np.zeros(len(values), dtype=bool)
        teams = [parts[start : start + team] for start in range(0, len(parts), team)] or [[]]
        self.stages = [_Stage(members, values, floor, same, self.hidden) for members in teams]
        self.moved = sorted(set().union(*(stage.moving for stage in self.stages)), key=lambda k: (values[k], k))

    def hide(self, wanted: np.ndarray) -> None:
        """Hide the national cells wanted that are not hidden yet, in every team's program."""
        fresh = np.flatnonzero(wanted & ~self.hidden)
        for stage in self.stages:
            stage.free(fresh)
        self.hidden[fresh] = True

    def show(self, cells: list[int]) -> None:
        """Show these hidden national cells again, in every team's program."""
        cells = np.asarray(cells, dtype=int)
        for stage in self.stages:
            stage.hold(cells)
        self.hidden[cells] = False

    def pinned(self, n: int) -> bool:
        """True when every team's mixtures give national cell n its true value. Every check rests on solutions of
        one team's program, so showing n again takes none of them away (a reader may combine teams and narrow n, but
        n is hidden only for others, and what each check relies on stands)."""
        return all(stage.pinned(n) for stage in self.stages)

    def checks(self, primary: np.ndarray):
        """Each check (threshold -> True while broken) with the national cells that could mend it, cheapest first,
        and the national cell it is about: each team's parts' checks, then every small national cell."""
        for stage in self.stages:
            yield from stage.checks()
        yield from self.national_checks(primary)

    def national_checks(self, cells: np.ndarray):
        """A check for each of these national cells, as checks() gives them."""
        for n in np.flatnonzero(cells):
            yield (lambda threshold, n=int(n): self._national_breaks(n, threshold)), self.moved, int(n)

    def _national_breaks(self, n: int, threshold: int) -> bool:
        """True when national cell n breaks the guarantee: its least and greatest values over the teams' programs
        are each a reader's solution, so the interval between them is one a reader cannot narrow."""
        truth = self.values[n]
        low, high = truth, truth
        for stage in self.stages:
            least, most = stage.found_span(stage.national + n)
            low, high = min(low, truth + least), max(high, truth + most)
        for stage in self.stages:
            if not breaks_guarantee(low, high, threshold):
                return False
            if not stage.moves(n):
                continue
            costs = np.zeros(stage.columns)
            costs[stage.national + n] = 1.0
            least, most = (stage.solve(costs, sense) for sense in (MINIMISE, MAXIMISE))
            low = min(low, truth + least @ costs) if least is not None else -np.inf
            high = max(high, truth + most @ costs) if most is not None else np.inf
        return breaks_guarantee(low, high, threshold)


class _Stage:
    """A team's joint linear program: per part, a mixture of its truth and kept solutions; per national cell, its change
    from the truth (none while it is shown); per national cell, its parts' changes adding up to its own."""

    def __init__(self, parts: list[Part], values: np.ndarray, floor: np.ndarray, same, hidden: np.ndarray):
        self.parts, self.values, self.floor, self.hidden = parts, values, floor, hidden
        self.offsets = np.cumsum([0] + [len(part.points) for part in parts])
        weights = int(self.offsets[-1])
        self.highs = new_highs()
        # HiGHS's presolve, run afresh at each change of bounds, costs more than it saves here: ten LAs' pupils of
        # a year took 5.1 s with it off, 6.1 s with it on, the same hidden (a program of five LAs decided whether a
        # solution could be completed in 43 ms, not 400). The attacker's programs of an LA alone gain nothing from
        # it off, and keep it.
        self.highs.setOptionValue("presolve", "off")
        inf = highspy.kHighsInf
        self.highs.addVars(weights, np.zeros(weights), np.ones(weights))
        # Every national cell has a column for its change, held at 0 while it is shown.
        self.national = weights
        self.highs.addVars(len(values), np.zeros(len(values)), np.zeros(len(values)))
        # A mixture with the truth, per connected group of a part's unknowns: its weights add up to at most 1. No line
        # or bound of the part holds cells of two groups, so each group's mixture adds to the others' as a solution
        # of the part.
        mixtures = []
        for p, part in enumerate(parts):
            groups = part.groups if part.groups is not None else np.zeros(len(part.points), dtype=int)
            mixtures += [self.offsets[p] + np.flatnonzero(groups == g) for g in np.unique(groups)]
        starts = np.array([0] + [len(columns) for columns in mixtures]).cumsum()
        columns = np.concatenate(mixtures or [np.zeros(0, dtype=int)])
        self.highs.addRows(
            len(mixtures),
            np.full(len(mixtures), -inf),
            np.ones(len(mixtures)),
            len(columns),
            starts,
            columns,
            np.ones(len(columns)),
        )
        # A national cell is the sum of its parts' cells: of their changes, when hidden (none, if all are shown).
        keys, columns, changes = [np.arange(len(values))], [weights + np.arange(len(values))], [-np.ones(len(values))]
        for p, part in enumerate(parts):
            q, j = np.nonzero(part.points) if len(part.points) else (np.zeros(0, int), np.zeros(0, int))
            keys.append(part.keys[j].astype(int))
            columns.append(self.offsets[p] + q)
            changes.append(part.points[q, j])
        keys, columns, changes = np.concatenate(keys), np.concatenate(columns), np.concatenate(changes)
        national = coo_matrix((changes, (keys, columns)), shape=(len(values), weights + len(values))).tocsr()
        self.highs.addRows(
            len(values),
            np.zeros(len(values)),
            np.zeros(len(values)),
            national.nnz,
            national.indptr,
            national.indices,
            national.data,
        )
        for a, b in same:
            self.highs.addRow(0.0, 0.0, 2, np.array([weights + a, weights + b]), np.array([1.0, -1.0]))
        self.columns = weights + len(values)
        self.moving = set(keys[columns < weights].tolist())  # the national cells a kept solution moves
        # Per part, per national cell: the farthest up and down one of its kept solutions moves it.
        self._farthest = [
            dict(zip(p.keys.tolist(), zip(p.points.max(axis=0), -p.points.min(axis=0)))) if len(p.points) else {}
            for p in parts
        ]
        # Solutions found so far, a row each (the first the truth: every mixture at nothing): any of them is a point
        # a reader cannot rule out, so a cell whose values across them already keep the guarantee needs no solve.
        self.found, self.solutions = np.zeros((64, self.columns)), 1

    def free(self, cells: np.ndarray) -> None:
        """Let these national cells (being hidden) change, down to their floor."""
        if len(cells):
            lower = self.floor[cells] - self.values[cells]
            upper = np.full(len(cells), highspy.kHighsInf)
            self.highs.changeColsBounds(len(cells), self.national + cells, lower, upper)

    def hold(self, cells: np.ndarray) -> None:
        """Hold these national cells (being shown again) at their true values."""
        zeros = np.zeros(len(cells))
        self.highs.changeColsBounds(len(cells), self.national + cells, zeros, zeros)

    def moves(self, n: int) -> bool:
        """True when a kept solution of one of the parts moves national cell n."""
        return n in self.moving

    def found_span(self, column: int) -> tuple[float, float]:
        """The least and greatest change of a column over the solutions found so far."""
        changes = self.found[: self.solutions, column]
        return float(changes.min()), float(changes.max())

    def pinned(self, n: int) -> bool:
        """True when every mixture gives national cell n its true value."""
        if not self.moves(n):
            return True  # its line holds only its own change
        column = self.national + n
        if np.abs(self.found[: self.solutions, column]).max() > 1e-7:
            return False  # a solution found already moves it
        costs = np.zeros(self.columns)
        costs[column] = 1.0
        ends = [self.solve(costs, sense) for sense in (MINIMISE, MAXIMISE)]
        return all(end is not None for end in ends) and abs(ends[1] @ costs - ends[0] @ costs) < 1e-7

    def _keep(self, solution: np.ndarray) -> None:
        if self.solutions == len(self.found):
            self.found = np.vstack([self.found, np.zeros_like(self.found)])
        self.found[self.solutions] = solution
        self.solutions += 1

    def solve(self, costs: np.ndarray, sense) -> np.ndarray | None:
        """The program's solution at its least (or greatest) cost, kept as found; None when it has no end."""
        status = optimise(self.highs, costs, sense)
        if status == highspy.HighsModelStatus.kOptimal:
            solution = np.asarray(self.highs.getSolution().col_value, dtype=float)
            self._keep(solution)
            return solution
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return None
        raise RuntimeError(f"the joint linear program could not be solved ({status})")

    def _completes(self, p: int, q: int) -> bool:
        """True when part p at its kept solution q (its group's mixture all of q) can be completed by its other groups
        and the other parts together."""
        column = int(self.offsets[p]) + q
        self.highs.changeColBounds(column, 1.0, 1.0)
        self.highs.changeColsCost(self.columns, np.arange(self.columns), np.zeros(self.columns))
        self.highs.run()
        solved = self.highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if solved:
            self._keep(np.asarray(self.highs.getSolution().col_value, dtype=float))
        self.highs.changeColBounds(column, 0.0, 1.0)
        return solved

    def _incomplete(self, p: int, q: int, hidden: np.ndarray) -> bool:
        """True when part p's kept solution q cannot be completed in the other parts, every shown national cell
        kept."""
        part = self.parts[p]
        moving = part.points[q] != 0
        moved, changes = part.keys[moving], part.points[q][moving]  # an LA adds one cell to each national figure
        if hidden[moved].all() and (changes >= self.floor[moved] - self.values[moved] - 1e-9).all():
            return False  # every national figure it moves is hidden, and none below its floor: the others at truth
        shown = ~hidden[moved]
        if (np.abs(changes[shown]) > self._reach(p, moved[shown], changes[shown] < 0) + 1e-9).any():
            return True  # a shown national figure it moves that the other parts cannot move back that far
        return not self._completes(p, q)

    def _reach(self, p: int, keys: np.ndarray, up: np.ndarray) -> np.ndarray:
        """How far the parts other than p can move each of these national cells, up (where up) or down: at most the
        sum over parts of the farthest a kept solution of each goes that way (a mixture's weights add up to 1)."""
        reach = np.zeros(len(keys))
        for r, farthest in enumerate(self._farthest):
            if r != p:
                reach += [max(farthest.get(int(k), (0.0, 0.0))[0 if u else 1], 0.0) for k, u in zip(keys, up)]
        return reach

    def _breaks(self, costs: np.ndarray, truth: float, judge, threshold: int) -> bool:
        """True when the expression (costs over the columns, plus truth) breaks the guarantee jointly."""
        used = np.flatnonzero(costs)
        spans = self.found[: self.solutions, used] @ costs[used]
        if not judge(truth + spans.min(), truth + spans.max(), threshold):
            return False
        ends = []
        for sense in (MINIMISE, MAXIMISE):
            solution = self.solve(costs, sense)
            ends.append(truth + solution @ costs if solution is not None else (np.inf if ends else -np.inf))
        return judge(ends[0], ends[1], threshold)

    def checks(self):
        """Each check of the team's parts (threshold -> True while broken) with the national cells that could mend
        it, cheapest first, and the national cell it is about: every kept solution a part's cell relies on, every
        hidden interface cell."""
        for p, part in enumerate(self.parts):
            for q in np.flatnonzero(part.required):
                lines = self._lines(part, part.points[q])
                yield (lambda threshold, p=p, q=int(q): self._incomplete(p, q, self.hidden)), lines, lines[0]
            start = int(self.offsets[p])
            for j, key in enumerate(part.keys):
                if np.isnan(part.values[j]):
                    continue  # a source's symbol: no figure to keep
                costs = np.zeros(self.columns)
                costs[start : start + len(part.points)] = part.points[:, j]
                judge = breaks_unpublished if part.unpublished[j] else breaks_guarantee
                moving = np.abs(part.points[part.points[:, j] != 0]).sum(axis=0)
                options = list(dict.fromkeys([int(key), *self._lines(part, moving)]))
                truth = part.values[j]
                yield (lambda threshold, c=costs, t=truth, g=judge: self._breaks(c, t, g, threshold)), options, int(key)

    def _lines(self, part: Part, change: np.ndarray) -> list[int]:
        """The national cells a change of the part moves, smallest first (cheapest to hide)."""
        keys = [int(part.keys[j]) for j in np.flatnonzero(change)]
        return sorted(dict.fromkeys(keys), key=lambda k: (self.values[k], k))
