"""The joint stage (dashboard/domain/joint.py): parts protected alone, national cells hidden where they must be, and
the whole (every part and the national lines as one problem) audited exactly by the attacker's own linear programs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from dashboard.domain.disclosure import Line, Problem, audit_breaks, primary_cells, protect
from dashboard.domain.joint import _pruned, joint_hidden, part_of

THRESHOLD = 3


def la_table(values: np.ndarray) -> tuple[Problem, np.ndarray]:
    """An LA's small areas by category (rows by columns) with its area totals, category totals and grand total.

    Cells in order: the rows x columns body, the row totals, the column totals, the grand total. Returns the
    problem and the positions of its interface cells (column totals, then the grand total), which add into the
    national cells 0..columns-1 and columns."""
    rows, columns = values.shape
    body = values.ravel().astype(float)
    row_totals, column_totals = values.sum(axis=1), values.sum(axis=0)
    cells = np.concatenate([body, row_totals, column_totals, [values.sum()]]).astype(float)
    row_at, column_at, grand = rows * columns, rows * columns + rows, rows * columns + rows + columns
    lines = [Line(row_at + r, tuple(r * columns + c for c in range(columns))) for r in range(rows)]
    lines += [Line(column_at + c, tuple(r * columns + c for r in range(rows))) for c in range(columns)]
    lines += [Line(grand, tuple(row_at + r for r in range(rows)))]
    lines += [Line(grand, tuple(column_at + c for c in range(columns)))]
    return Problem(cells, lines), np.arange(column_at, grand + 1)


def whole(problems, interfaces, national: np.ndarray) -> Problem:
    """Every LA and the national cells (after them) as one problem, with the national lines."""
    offsets = np.cumsum([0] + [p.size for p in problems])
    values = np.concatenate([p.values for p in problems] + [national])
    lines = [Line(a.parent + o, tuple(c + o for c in a.children)) for p, o in zip(problems, offsets) for a in p.lines]
    base = int(offsets[-1])
    for key in range(len(national)):
        lines.append(Line(base + key, tuple(int(o + i[key]) for i, o in zip(interfaces, offsets))))
    return Problem(values, lines)


def protected(tables: list[np.ndarray], team: int | None = None):
    """Each LA protected alone, then the joint stage (team: LAs per linear program); the whole problem and its hidden
    cells."""
    problems, interfaces, hiddens, parts = [], [], [], []
    for table in tables:
        problem, interface = la_table(table)
        primary = primary_cells(problem.values, THRESHOLD)
        hidden = protect(problem, primary, THRESHOLD)
        problems.append(problem)
        interfaces.append(interface)
        hiddens.append(hidden)
        parts.append(part_of(problem, hidden, interface, np.arange(len(interface)), THRESHOLD))
    national = sum(problem.values[interface] for problem, interface in zip(problems, interfaces))
    primary = primary_cells(national, THRESHOLD)
    chosen = joint_hidden(parts, national, THRESHOLD, primary, np.ones(len(national)), team=team)
    return whole(problems, interfaces, national), np.concatenate(hiddens + [chosen]), chosen, hiddens


@pytest.mark.parametrize("team", [None, 1])
def test_a_small_la_figure_alone_on_its_national_line_hides_the_national_figure(team):
    # Worked by hand. LA A has 1 pupil in category 2 (small: hidden, with the cells that protect it in A); LA B has
    # 20 there, shown. England's category 2 is 21: with it shown, A's is 21 - 20 = 1 exactly. So England's category
    # 2 must be hidden, and then England's total (shown) less its categories 0 and 1 (shown) gives it back unless
    # another national figure goes too.
    a = np.array([[9, 8, 1], [7, 9, 0], [8, 6, 0]])
    b = np.array([[9, 8, 7], [7, 9, 6], [8, 6, 7]])
    problem, hidden, chosen, _ = protected([a, b], team)
    assert chosen[2], "England's category 2 would give LA A's 1 away"
    assert chosen.sum() >= 2, "England's total less its other categories would give category 2 back"
    assert audit_breaks(problem, hidden, THRESHOLD) == []


def test_nothing_national_is_hidden_when_no_la_figure_is():
    a = np.array([[9, 8, 1], [7, 9, 9], [8, 6, 9]])  # the 1 is protected inside A: its column total is large
    b = np.array([[9, 8, 7], [7, 9, 6], [8, 6, 7]])
    problem, hidden, chosen, hiddens = protected([a, b])
    interface_hidden = [h[-4:].any() for h in hiddens]
    assert not any(interface_hidden)
    assert not chosen.any()
    assert audit_breaks(problem, hidden, THRESHOLD) == []


def random_tables(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    las = rng.integers(2, 5)
    tables = []
    for _ in range(las):
        rows, columns = rng.integers(3, 5), 3
        # Mostly small counts in one LA in three: the LA figures of those are small too.
        scale = 2 if rng.random() < 0.4 else 12
        tables.append(rng.poisson(scale, size=(rows, columns)))
    return tables


# Teams of one and two LAs split most countries of these draws into several programs, each holding the other LAs
# at their truth; None is the default team (two LAs); 4 holds every LA of these draws in one program.
@pytest.mark.parametrize("team", [None, 1, 4])
@pytest.mark.parametrize("seed", range(40))
def test_the_whole_country_audited_at_once_finds_nothing_to_narrow(seed, team):
    try:
        problem, hidden, _, _ = protected(random_tables(seed), team)
    except Exception as failure:  # an LA too small to protect alone is not this test's concern
        if type(failure).__name__ == "Unprotectable":
            pytest.skip("an LA of this draw cannot be protected alone")
        raise
    assert audit_breaks(problem, hidden, THRESHOLD) == []


def test_without_the_joint_stage_the_whole_country_gives_figures_away():
    # The control: the same draws with only small national figures hidden. If no draw broke, the test above could
    # not fail for want of the joint stage.
    broken = 0
    for seed in range(40):
        tables = random_tables(seed)
        try:
            problems, interfaces, hiddens = [], [], []
            for table in tables:
                problem, interface = la_table(table)
                hiddens.append(protect(problem, primary_cells(problem.values, THRESHOLD), THRESHOLD))
                problems.append(problem)
                interfaces.append(interface)
        except Exception as failure:
            if type(failure).__name__ == "Unprotectable":
                continue
            raise
        national = sum(p.values[i] for p, i in zip(problems, interfaces))
        problem = whole(problems, interfaces, national)
        hidden = np.concatenate(hiddens + [primary_cells(national, THRESHOLD)])
        broken += bool(audit_breaks(problem, hidden, THRESHOLD))
    assert broken >= 5


def test_a_part_needing_its_la_figure_to_move_is_protected_though_that_figure_is_not_narrowed():
    # Worked by hand, threshold 3. LA A: 1 + 1 = 2, all hidden (each 1 can be anything from 1 up, alone). LA B:
    # 2 + 2 + 10 (shown) = 14, the 2s and 14 hidden. England's 16 shown: A's total is 16 less B's, and B's is at
    # least 12, so A's is 2 to 4 and each of A's 1s at most 3, provably small; B's 2s likewise. A's and B's totals
    # alone keep the guarantee (2 to 4, 12 to 14): only the small parts inside them give the need for England's 16
    # to be hidden away.
    a = Problem(np.array([1.0, 1.0, 2.0]), [Line(2, (0, 1))])
    b = Problem(np.array([2.0, 2.0, 10.0, 14.0]), [Line(3, (0, 1, 2))])
    a_hidden, b_hidden = np.array([True, True, True]), np.array([True, True, False, True])
    parts = [part_of(a, a_hidden, [2], [0], THRESHOLD), part_of(b, b_hidden, [3], [0], THRESHOLD)]
    assert parts[0].required.any() and parts[1].required.any()
    national = np.array([16.0])
    chosen = joint_hidden(parts, national, THRESHOLD, np.array([False]), np.ones(1))
    assert chosen.tolist() == [True]
    problem = whole([a, b], [np.array([2]), np.array([3])], national)
    assert audit_breaks(problem, np.concatenate([a_hidden, b_hidden, chosen]), THRESHOLD) == []
    assert sorted(audit_breaks(problem, np.concatenate([a_hidden, b_hidden, [False]]), THRESHOLD)) == [0, 1, 3, 4]


def test_a_figure_another_la_of_the_team_can_balance_keeps_the_national_figure_shown():
    # Worked by hand, threshold 3, one team. A: 1 + 9 (shown) = 10, the 1 and the 10 hidden: the 1 keeps its
    # guarantee only if A's 10 can be 13 or more. B: 2 + 8 = 10, all hidden: B's 10 can be as low as 2. England's
    # 20 shown: A's 10 and B's 10 add to 20, so A's is 10 to 18 and its 1 is 1 to 9; B's 10 is 2 to 10 and its 2 is
    # 1 to 9. Nothing is narrowed, so England's 20 stays shown (hiding it would take a figure from every reader).
    a = Problem(np.array([1.0, 9.0, 10.0]), [Line(2, (0, 1))])
    b = Problem(np.array([2.0, 8.0, 10.0]), [Line(2, (0, 1))])
    hiddens = [np.array([True, False, True]), np.ones(3, dtype=bool)]
    parts = [part_of(p, h, [2], [0], THRESHOLD) for p, h in zip([a, b], hiddens)]
    assert parts[0].required.any()
    national = np.array([20.0])
    chosen = joint_hidden(parts, national, THRESHOLD, np.array([False]), np.ones(1))
    assert chosen.tolist() == [False]
    problem = whole([a, b], [np.array([2])] * 2, national)
    assert audit_breaks(problem, np.concatenate([*hiddens, chosen]), THRESHOLD) == []


def test_an_la_balances_two_national_lines_at_once_from_two_groups_of_its_own():
    # Worked by hand, threshold 3. A: its 1 is in both its totals (1 + 9 = 10 twice), the 1 and the two 10s hidden;
    # the 1 keeps its guarantee only if it can be 4, which moves both of A's 10s (England's two lines) up by 3. B:
    # 2 + 3 = 5 and, apart, 2 + 3 = 5, all hidden (two groups: no line holds cells of both), each 5 as low as 2.
    # England's 15 and 15 shown: B's 5s can both be 2 at once, so A's 1 is 1 to 4 (and B's 2s and 3s 1 to 4) with
    # nothing national hidden. B's solutions mixed as one (their weights adding up to 1) move one of B's 5s down by
    # 3, or each by 1.5, never both by 3: that would hide one of England's figures for nothing.
    a = Problem(np.array([1.0, 9.0, 9.0, 10.0, 10.0]), [Line(3, (0, 1)), Line(4, (0, 2))])
    b = Problem(np.array([2.0, 3.0, 5.0, 2.0, 3.0, 5.0]), [Line(2, (0, 1)), Line(5, (3, 4))])
    hiddens = [np.array([True, False, False, True, True]), np.ones(6, dtype=bool)]
    interfaces = [np.array([3, 4]), np.array([2, 5])]
    parts = [part_of(p, h, i, [0, 1], THRESHOLD) for p, h, i in zip([a, b], hiddens, interfaces)]
    assert parts[0].required.any() and not parts[1].required.any()
    assert sorted(set(parts[1].groups.tolist())) == [0, 1]
    national, none = np.array([15.0, 15.0]), np.array([False, False])
    chosen = joint_hidden(parts, national, THRESHOLD, none, np.ones(2))
    assert chosen.tolist() == [False, False]
    problem = whole([a, b], interfaces, national)
    assert audit_breaks(problem, np.concatenate([*hiddens, chosen]), THRESHOLD) == []
    as_one = [dataclasses.replace(part, groups=None) for part in parts]
    assert joint_hidden(as_one, national, THRESHOLD, none, np.ones(2)).sum() == 1


def test_a_solution_on_the_way_to_another_is_dropped_and_a_required_one_kept_once():
    # Worked by hand. (1, 0) is on the way from the truth to (2, 0), and (0, 1) to (0, 3): mixtures already, so only
    # the farthest of each direction stays; (1, 0) is required (a cell relies on it), so it stays too, once, though
    # it was found twice; (2, 0) twice is one; (0, -1) and (1, 1) point elsewhere and stay.
    points = np.array([[2, 0], [1, 0], [2, 0], [0, 1], [0, 3], [0, -1], [1, 1], [1, 0]], dtype=float)
    required = np.array([False, False, False, False, False, False, False, True])
    rows, needed = _pruned(points, required)
    assert points[rows].tolist() == [[2, 0], [1, 0], [0, 3], [0, -1], [1, 1]]
    assert needed.tolist() == [False, True, False, False, False]


def test_solutions_on_the_way_to_kept_ones_change_nothing_the_stage_hides():
    # The pruning's claim, from the other side: give each part back, for every kept solution, the ones half and a
    # quarter of the way to it (mixtures of it and the truth), and the stage hides the same national cells. Over the
    # random countries above that keep solutions at all (an LA too small to protect alone is left out).
    compared = 0
    for seed in range(40):
        problems, interfaces, parts = [], [], []
        try:
            for table in random_tables(seed):
                problem, interface = la_table(table)
                hidden = protect(problem, primary_cells(problem.values, THRESHOLD), THRESHOLD)
                problems.append(problem)
                interfaces.append(interface)
                parts.append(part_of(problem, hidden, interface, np.arange(len(interface)), THRESHOLD))
        except Exception as failure:
            if type(failure).__name__ == "Unprotectable":
                continue
            raise
        if not any(len(part.points) for part in parts):
            continue
        national = sum(problem.values[interface] for problem, interface in zip(problems, interfaces))
        primary, ones = primary_cells(national, THRESHOLD), np.ones(len(national))
        padded = [
            dataclasses.replace(
                part,
                points=np.vstack([part.points, part.points / 2, part.points / 4]),
                required=np.concatenate([part.required, np.zeros(2 * len(part.points), dtype=bool)]),
                groups=np.tile(part.groups, 3),
            )
            for part in parts
        ]
        chosen = joint_hidden(parts, national, THRESHOLD, primary, ones)
        assert joint_hidden(padded, national, THRESHOLD, primary, ones).tolist() == chosen.tolist(), seed
        compared += 1
    assert compared >= 15, f"only {compared} of the draws keep solutions to pad"
