"""Disclosure control on tables of counts (dashboard/domain/disclosure.py), checked against hand-worked answers and
against an attacker of our own written here: an integer program per hidden cell.

The checker is scipy's mixed-integer solver, not the HiGHS models the protection uses, and it works over whole
numbers, so it is at least as sharp as the audit. It has its own idea of a small count and of the guarantee
(nothing here calls the module's primary_cells or breaks_guarantee to judge it). Expected values in the examples
are worked out in the comments beside them. make mutation runs mutmut over the module with this file.
"""

from __future__ import annotations

import logging
import math
import subprocess
import sys
from pathlib import Path

import highspy
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from dashboard.domain import disclosure
from dashboard.domain.disclosure import (
    AtMost,
    Line,
    Problem,
    Unprotectable,
    _Basis,
    _proportional,
    _reader,
    attacker_intervals,
    audit_breaks,
    breaks_guarantee,
    breaks_unpublished,
    consistent,
    gauss_secondary,
    neighbourhood,
    primary_cells,
    protect,
)

THRESHOLD = 4


# --- The checker ------------------------------------------------------------------------------------------------


def small(values: np.ndarray) -> np.ndarray:
    """Counts of 1 to the threshold: what must never be shown or narrowed."""
    return (values >= 1) & (values <= THRESHOLD)


def integer_bounds(problem: Problem, hidden: np.ndarray) -> dict[int, tuple[float, float]]:
    """Each hidden cell's smallest and largest whole-number value, given the shown cells, lines and bounds."""
    values = problem.values
    unknown = np.flatnonzero(hidden | problem.unpublished | np.isnan(values))
    position = {int(c): k for k, c in enumerate(unknown)}

    def row(weights):
        found, known = np.zeros(len(unknown)), 0.0
        for cell, weight in weights:
            if int(cell) in position:
                found[position[int(cell)]] += weight
            else:
                known += weight * values[cell]
        return found, known

    constraints = []
    for line in problem.lines:
        found, known = row([(line.parent, -1.0)] + [(child, 1.0) for child in line.children])
        if found.any():
            constraints.append(LinearConstraint(found, -known, -known))
    for bound in problem.bounds:
        found, known = row([(c, 1.0) for c in bound.lesser] + [(c, -bound.factor) for c in bound.greater])
        if found.any():
            constraints.append(LinearConstraint(found, -np.inf, -known))
    # A hidden count is at least 1 (zeros are never hidden), unless it follows another cell's hiding.
    lower = np.where(hidden[unknown] & ~np.isnan(values[unknown]) & (problem.follows[unknown] < 0), 1.0, 0.0)
    limits = Bounds(lower, np.full(len(unknown), np.inf))
    found = {}
    for cell in np.flatnonzero(hidden):
        objective = np.zeros(len(unknown))
        objective[position[int(cell)]] = 1.0
        low = milp(objective, integrality=np.ones(len(unknown)), bounds=limits, constraints=constraints)
        high = milp(-objective, integrality=np.ones(len(unknown)), bounds=limits, constraints=constraints)
        assert low.status == 0, f"the checker's program is infeasible for cell {cell}"
        found[int(cell)] = (round(low.fun), -round(high.fun) if high.status == 0 else math.inf)
    return found


def assert_protected(problem: Problem, hidden: np.ndarray) -> None:
    """No small count is shown, and no hidden count can be narrowed to under 2 wide or proved small."""
    shown = ~hidden & ~problem.unpublished
    assert not small(problem.values[shown]).any(), "a count of 1 to the threshold is shown"
    for cell, (low, high) in integer_bounds(problem, hidden).items():
        assert high - low >= 2 and high > THRESHOLD, f"cell {cell} = {problem.values[cell]} narrowed to {low}..{high}"


def one_breakdown(cells: list[int]) -> tuple[np.ndarray, list[Line]]:
    values = np.array(cells + [sum(cells)], dtype=float)
    return values, [Line(len(cells), tuple(range(len(cells))))]


def cross_table(table: np.ndarray) -> tuple[np.ndarray, list[Line]]:
    """Cells, row totals, column totals and the grand total, with every line between them."""
    n_rows, n_cols = table.shape
    inner = np.arange(n_rows * n_cols).reshape(n_rows, n_cols)
    row_total = n_rows * n_cols + np.arange(n_rows)
    col_total = row_total[-1] + 1 + np.arange(n_cols)
    grand = int(col_total[-1] + 1)
    values = np.concatenate([table.ravel(), table.sum(axis=1), table.sum(axis=0), [table.sum()]]).astype(float)
    lines = (
        [Line(int(row_total[r]), tuple(int(c) for c in inner[r])) for r in range(n_rows)]
        + [Line(int(col_total[c]), tuple(int(r) for r in inner[:, c])) for c in range(n_cols)]
        + [Line(grand, tuple(int(r) for r in row_total)), Line(grand, tuple(int(c) for c in col_total))]
    )
    return values, lines


def year_and_term(year: np.ndarray, term: np.ndarray) -> Problem:
    """A cross table for a year and the same for one of its terms, each term cell at most its year cell."""
    year_values, lines = cross_table(year)
    term_values, term_lines = cross_table(term)
    n = len(year_values)
    lines += [Line(line.parent + n, tuple(child + n for child in line.children)) for line in term_lines]
    values = np.concatenate([year_values, term_values])
    return Problem(values, lines, forced=values == 0, bounds=[AtMost((n + i,), (i,)) for i in range(n)])


def protected(problem: Problem) -> np.ndarray:
    return protect(problem, small(problem.values), THRESHOLD)


def cells_of(mask: np.ndarray) -> list[int]:
    return np.flatnonzero(mask).tolist()


# --- Small counts and the guarantee --------------------------------------------------------------------------------


def test_primary_cells_are_the_counts_from_one_to_the_threshold():
    values = np.array([0, 1, 2, 4, 5, 40, np.nan])
    assert primary_cells(values, 4).tolist() == [False, True, True, True, False, False, False]
    assert primary_cells(values, 1).tolist() == [False, True, False, False, False, False, False]


@pytest.mark.parametrize(
    ("low", "high", "broken"),
    [
        (1, 5, False),  # 1..5: five values, and it may be above 4
        (1, 4, True),  # proved to be at most 4
        (3, 4, True),
        (5, 6, True),  # two values only: under 2 wide
        (5, 7, False),
        (6, 6, True),  # pinned
        (1, math.inf, False),
        (3, 5, False),  # exactly 2 wide and able to be 5
        (0.5, 2.5, True),  # whole numbers 1..2
        (1.5, 6.5, False),  # whole numbers 2..6
        (0.9999995, 5.0000004, False),  # solver noise rounds to 1..5
        (1.2, 3.8, True),  # 2..3
    ],
)
def test_the_guarantee_rounds_inwards_to_whole_numbers(low, high, broken):
    assert breaks_guarantee(low, high, 4) is broken


def test_the_guarantee_depends_on_the_threshold():
    assert breaks_guarantee(1, 6, 6) and not breaks_guarantee(1, 6, 5)


# --- The problem's own rules ---------------------------------------------------------------------------------------


def test_a_problem_fills_in_what_it_is_not_given():
    problem = Problem(np.array([1.0, np.nan, 3.0]), [])
    assert problem.size == 3
    assert problem.unknown.tolist() == [False, True, False]
    for mask in (problem.forced, problem.frozen_hidden, problem.unpublished):
        assert mask.tolist() == [False, False, False]
    assert problem.follows.tolist() == [-1, -1, -1] and problem.bounds == []


def test_a_cell_that_follows_a_hidden_one_is_lagging_until_it_is_hidden_too():
    # Cells 1 and 2 follow cell 0; cell 3 follows none (its -1 must not be read as the last cell).
    problem = Problem(np.array([2.0, 760.0, 0.0, 5.0]), [], follows=np.array([-1, 0, 0, -1]))
    assert problem.lagging(np.array([True, False, True, False])).tolist() == [False, True, False, False]
    assert problem.lagging(np.array([False, False, False, True])).tolist() == [False, False, False, False]


def test_a_zero_is_always_shown_even_where_nobody_said_so():
    problem = Problem(np.array([0.0, 3.0, 0.0]), [], forced=np.array([False, True, False]))
    assert problem.forced.tolist() == [True, True, True]
    assert gauss([0, 2, 5, 7], [Line(3, (0, 1, 2))], forced=np.zeros(4, dtype=bool)) == [1, 2]


def test_a_reader_puts_a_hidden_count_at_one_or_more_but_a_symbol_or_a_follower_at_zero_or_more():
    problem = Problem(np.array([1.0, np.nan, 3.0, 5.0]), [], follows=np.array([-1, -1, 0, -1]))
    assert problem.floor(np.array([True, True, True, False])).tolist() == [1.0, 0.0, 0.0, 0.0]


def test_a_reader_puts_a_part_never_published_at_zero_or_more_even_where_the_protection_hides_it_as_small():
    problem = Problem(np.array([3.0, 5.0]), [], unpublished=np.array([True, False]))
    assert problem.floor(np.array([True, True])).tolist() == [0.0, 1.0]


@pytest.mark.parametrize(
    ("low", "high", "broken"),
    [
        (3, 3, True),  # pinned at 3
        (1, 4, True),  # proved 1 to 4: a small count, if not which
        (2, 3, True),
        (0.9999999, 4.0000001, True),  # 1 to 4 once rounded inwards
        (0, 3, False),  # it may be none at all
        (0, 0, False),  # a zero is no one's secret
        (5, 5, False),  # above the threshold
        (3, 6, False),
    ],
)
def test_a_part_never_published_breaks_only_when_proved_a_small_count(low, high, broken):
    assert breaks_unpublished(low, high, THRESHOLD) is broken


def test_a_small_part_never_published_is_covered_like_a_hidden_count():
    # [9, 8, u | 20], u = 3 never published: with 9, 8 and 20 shown, u = 20 - 9 - 8 = 3, a small count given away.
    # The smaller shown part, 8, is hidden with it: u + 8 = 11, so u can be 0 to 10 and the 8 (at least 1) 1 to 11.
    values = np.array([9.0, 8.0, 3.0, 20.0])
    problem = Problem(values, [Line(3, (0, 1, 2))], unpublished=np.array([False, False, True, False]))
    hidden = protect(problem, np.array([False, False, True, False]), THRESHOLD)
    assert cells_of(hidden) == [1, 2]
    assert attacker_intervals(problem, hidden) == {1: (1.0, 11.0), 2: (0.0, 10.0)}


# --- Secondary suppression by Gaussian elimination -----------------------------------------------------------------


def gauss(values, lines, **extra) -> list[int]:
    values = np.array(values, dtype=float)
    problem = Problem(values, lines, forced=extra.pop("forced", values == 0), **extra)
    return cells_of(gauss_secondary(problem, primary_cells(values, THRESHOLD), THRESHOLD))


def test_elimination_offers_the_largest_first_and_hides_the_cell_that_would_reveal():
    # [10, 3, 20 | 33]: 33 and 20 are shown; then 10 would give 3 = 33 - 20 - 10, so 10 is hidden.
    assert gauss([10, 3, 20, 33], [Line(3, (0, 1, 2))]) == [0, 1]


def test_elimination_offers_zeros_first_because_a_zero_is_always_shown():
    # [0, 2, 5 | 7]: the 0 will be shown whatever happens, so with 7 shown, 5 would give the 2 away.
    assert gauss([0, 2, 5, 7], [Line(3, (0, 1, 2))]) == [1, 2]


def test_elimination_offers_forced_cells_first():
    # [10 (forced), 3, 20 | 33]: 10 and 33 shown, so 20 would give the 3 away.
    forced = np.array([True, False, False, False])
    assert gauss([10, 3, 20, 33], [Line(3, (0, 1, 2))], forced=forced) == [1, 2]


def test_a_cell_already_worked_out_is_shown_and_the_rest_still_offered():
    # Two totals of the same two cells: once one is shown the other adds nothing; then 20 would give the 2 away.
    assert gauss([2, 20, 22, 22], [Line(2, (0, 1)), Line(3, (0, 1))]) == [0, 1]


def test_a_frozen_cell_is_protected_like_a_small_one():
    # [10, 20 (frozen), 30 | 60]: 60 and 30 shown, so 10 would give the 20 away.
    frozen = np.array([False, True, False, False])
    assert gauss([10, 20, 30, 60], [Line(3, (0, 1, 2))], frozen_hidden=frozen) == [0, 1]


def test_a_symbol_and_a_part_never_shown_cover_the_small_count_beside_them():
    # [x, 2, 10 | 20]: x is unknown to all, so 20 and 10 shown leave x + 2 = 10. The same with a part never shown.
    assert gauss([np.nan, 2, 10, 20], [Line(3, (0, 1, 2))]) == [1]
    unpublished = np.array([True, False, False, False])
    assert gauss([8, 2, 10, 20], [Line(3, (0, 1, 2))], unpublished=unpublished) == [1]


def test_the_echelon_rows_reduce_by_the_pivots_weight():
    # Rows 2a + b (pivot a) and b - c (pivot b): reducing a leaves -b / 2, and that reduced by b's row -c / 2.
    basis = _Basis()
    basis.add({0: 2.0, 1: 1.0}, 0)
    assert basis.reduce({0: 1.0}) == {1: -0.5}
    basis.add({1: 1.0, 2: -1.0}, 1)
    assert basis.rows[0] == {0: 2.0, 2: 1.0}  # b eliminated from a's row: 2a + b - (b - c) = 2a + c
    assert basis.reduce({0: 1.0}) == {2: -0.5}
    copy = basis.copy()
    copy.add({2: 4.0}, 2)
    assert 2 not in basis.rows and basis.reduce({0: 1.0}) == {2: -0.5}  # the copy grows alone
    assert copy.reduce({0: 1.0}) == {}


def test_the_basis_knows_which_rows_hold_each_column_as_columns_cancel_and_fill_in():
    # a + b, then b + c: a's row becomes a - c (b cancels, c fills in); then c + 2d: a + 2d and b - 2d.
    basis = _Basis()
    basis.add({0: 1.0, 1: 1.0}, 0)
    basis.add({1: 1.0, 2: 1.0}, 1)
    assert basis.rows == {0: {0: 1.0, 2: -1.0}, 1: {1: 1.0, 2: 1.0}}
    assert {c: rows for c, rows in basis.holders.items() if rows} == {0: {0}, 1: {1}, 2: {0, 1}}
    basis.add({2: 1.0, 3: 2.0}, 2)
    assert basis.rows == {0: {0: 1.0, 3: 2.0}, 1: {1: 1.0, 3: -2.0}, 2: {2: 1.0, 3: 2.0}}
    assert {c: rows for c, rows in basis.holders.items() if rows} == {0: {0}, 1: {1}, 2: {2}, 3: {0, 1, 2}}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.integers(0, 11), st.sampled_from([-2.0, -1.0, 1.0, 3.0]), min_size=1), max_size=12))
def test_the_basis_index_matches_its_rows_whatever_rows_are_added(rows):
    basis = _Basis()
    for row in rows:
        basis.add_if_new(row)
    for pivot, row in basis.rows.items():
        assert row[pivot] != 0 and all(other == pivot or pivot not in basis.rows[other] for other in basis.rows)
    held = {c: {p for p, row in basis.rows.items() if c in row} for c in range(12)}
    assert {c: basis.holders.get(c, set()) for c in range(12)} == held


def test_a_cells_neighbourhood_is_the_hidden_cells_it_shares_lines_with_through_other_hidden_ones():
    # Two lines: 0 = 1 + 2 and 2 = 3 + 4. With 1, 2 and 3 hidden, 1 reaches 3 through 2; with 2 shown it does not.
    lines = [Line(0, (1, 2)), Line(2, (3, 4))]
    problem = Problem(np.array([10.0, 3, 7, 2, 5]), lines)
    assert neighbourhood(problem, np.array([False, True, True, True, False]), 1) == [1, 2, 3]
    assert neighbourhood(problem, np.array([False, True, False, True, True]), 1) == [1]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_cells_neighbourhood_is_its_whole_connected_group_of_unknowns(data):
    size = data.draw(st.integers(4, 14))
    cell = st.integers(0, size - 1)
    lines = [
        Line(parent, tuple(c for c in children if c != parent))
        for parent, children in data.draw(st.lists(st.tuples(cell, st.sets(cell, min_size=1, max_size=4)), max_size=8))
        if set(children) - {parent}
    ]
    hidden = np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)))
    if not hidden.any() or not lines:
        return
    problem = Problem(np.arange(1.0, size + 1), lines)
    start = int(np.flatnonzero(hidden)[0])
    # The whole-problem reader labels every unknown's group at once (scipy's connected components): the walk from one
    # cell must find exactly the hidden cells of its group.
    reader = _reader(problem, hidden)
    label = reader.component[np.searchsorted(reader.cells, start)]
    together = [int(c) for c in reader.cells[reader.component == label] if hidden[c]]
    assert neighbourhood(problem, hidden, start) == together


def test_two_rows_are_proportional_only_when_every_weight_scales_alike():
    assert _proportional({0: 2.0, 1: -4.0}, {0: 1.0, 1: -2.0}, 0)
    assert not _proportional({0: 2.0, 1: -3.0}, {0: 1.0, 1: -2.0}, 0)
    assert not _proportional({0: 2.0}, {0: 1.0, 1: -2.0}, 0)


@pytest.mark.parametrize(
    ("cells", "hidden"),
    [
        ([7, 1, 1], [0, 1, 2]),  # 1 + 1 = 2: a small sum, protected like a cell, so the 7 goes too
        ([7, 2, 3], [0, 1, 2]),  # 2 + 3 = 5 = threshold + 1: still small for two cells of at least 1
        ([7, 3, 3], [1, 2]),  # 3 + 3 = 6: each could be 1..5, so the 7 may be shown
    ],
)
def test_small_counts_on_one_line_have_their_sum_protected_when_it_is_small(cells, hidden):
    values, lines = one_breakdown(cells)
    assert gauss(values, lines) == hidden


# --- The attacker's intervals ----------------------------------------------------------------------------------------


def intervals(values, lines, hidden, **extra) -> dict[int, tuple[float, float]]:
    problem = Problem(np.array(values, dtype=float), lines, **extra)
    return attacker_intervals(problem, np.isin(np.arange(problem.size), hidden))


def test_two_hidden_cells_of_a_small_sum_are_pinned():
    # [7, c, c | 9]: the two add up to 2 and each is at least 1.
    assert intervals([7, 1, 1, 9], [Line(3, (0, 1, 2))], [1, 2]) == {1: (1, 1), 2: (1, 1)}


def test_nothing_bounds_a_cell_whose_total_is_hidden_too():
    assert intervals([5, 6, 11], [Line(2, (0, 1))], [0, 1, 2]) == {0: (1, math.inf), 1: (1, math.inf), 2: (2, math.inf)}


def test_bounds_narrow_a_cell_the_lines_leave_wide():
    # Year 100 = A + B + 70, terms show A_t = 10 and B_t = 20, and a year is at least each term: A + B = 30 with
    # A >= 10 and B >= 20, so A = 10 and B = 20. Without the bounds A is anywhere in 1..29.
    values, lines = [100, 10, 20, 70, 10, 20], [Line(0, (1, 2, 3))]
    bounds = [AtMost((4,), (1,)), AtMost((5,), (2,))]
    assert intervals(values, lines, [1, 2], bounds=bounds) == {1: (10, 10), 2: (20, 20)}
    assert intervals(values, lines, [1, 2]) == {1: (1, 29), 2: (1, 29)}


def test_a_bound_with_a_factor_gives_a_floor():
    # Sessions possible 1,140 <= 380 x enrolments E, so E >= 3; E + F = 10 with F >= 1, so E is 3..9 and F 1..7.
    bounds = [AtMost((3,), (0,), 380)]
    assert intervals([4, 6, 10, 1140], [Line(2, (0, 1))], [0, 1], bounds=bounds) == {0: (3, 9), 1: (1, 7)}


def test_a_follower_may_be_hidden_at_zero():
    # Sessions missed 0 for a hidden group: S + 7 = 7, so S = 0, which a reader allows for a follower only.
    follows = np.array([1, -1, -1, -1])
    assert intervals([0, 2, 7, 7], [Line(3, (0, 2))], [0, 1], follows=follows)[0] == (0, 0)
    with pytest.raises(RuntimeError, match="could not be solved"):
        intervals([0, 2, 7, 7], [Line(3, (0, 2))], [0, 1])


def test_a_symbol_and_a_part_never_shown_are_at_least_zero():
    # [x, c, 10 | 20]: c = 10 - x with x >= 0, so c is 1..10. The same with a part never shown.
    assert intervals([np.nan, 3, 10, 20], [Line(3, (0, 1, 2))], [1]) == {1: (1, 10)}
    unpublished = np.array([True, False, False, False])
    assert intervals([8, 3, 10, 20], [Line(3, (0, 1, 2))], [1], unpublished=unpublished) == {1: (1, 10)}


def test_figures_that_contradict_the_lines_are_an_error_and_not_a_pass():
    # c + 5 = 3 has no solution with c >= 1.
    problem = Problem(np.array([1.0, 5.0, 3.0]), [Line(2, (0, 1))])
    hidden = np.array([True, False, False])
    with pytest.raises(RuntimeError, match="could not be solved"):
        attacker_intervals(problem, hidden)
    assert consistent(problem, hidden) is False
    assert consistent(Problem(np.array([1.0, 5.0, 6.0]), [Line(2, (0, 1))]), hidden) is True


def test_the_audit_lists_each_broken_cell_smallest_first():
    # Two lines: [5, c | 7] pins the 2 (cell 1); [6, c | 7] pins the 1 (cell 4); [c, c | 30] leaves both wide.
    values = np.array([5.0, 2.0, 7.0, 6.0, 1.0, 7.0, 10.0, 20.0, 30.0])
    lines = [Line(2, (0, 1)), Line(5, (3, 4)), Line(8, (6, 7))]
    problem = Problem(values, lines)
    hidden = np.isin(np.arange(9), [1, 4, 6, 7])
    assert audit_breaks(problem, hidden, THRESHOLD) == [4, 1]
    assert audit_breaks(problem, hidden, THRESHOLD, cells=[1, 6]) == [1]
    assert audit_breaks(problem, hidden, THRESHOLD) == [4, 1]  # again, from the answers kept on the problem
    assert len(problem.answers) == 3  # one per group: {1}, {4}, {6, 7}
    # Another threshold is another question: at 1, the 2 pinned at 2 still breaks, and so does the 1.
    assert audit_breaks(problem, hidden, 1) == [4, 1]
    assert len(problem.answers) == 6


def test_the_audit_tells_a_wide_enough_pair_from_one_proved_small():
    # [c, c | 6] with cells 1 and 5: each 1..5, which reaches above 4 and is 5 wide: safe. [c, c | 5] with 1 and 4:
    # each 1..4, proved small.
    assert audit_breaks(Problem(np.array([1.0, 5.0, 6.0]), [Line(2, (0, 1))]), np.array([1, 1, 0], bool), 4) == []
    problem = Problem(np.array([1.0, 4.0, 5.0]), [Line(2, (0, 1))])
    assert audit_breaks(problem, np.array([1, 1, 0], bool), 4) == [0, 1]


def test_cells_no_push_can_move_are_solved_alone_and_found_broken():
    # [a 4, b 2, c 6 | 12] and [b 2, f 3 | 5], with only a and b hidden: b = 5 - 3 = 2 exactly, so a = 12 - 6 - 2 =
    # 4 exactly. Both are open after the truth and no push moves either: each is solved alone and both break, the
    # smallest first.
    values = np.array([4.0, 2.0, 6.0, 12.0, 3.0, 5.0])
    lines = [Line(3, (0, 1, 2)), Line(5, (1, 4))]
    hidden = np.array([1, 1, 0, 0, 0, 0], bool)
    assert audit_breaks(Problem(values, lines), hidden, THRESHOLD) == [1, 0]


def drawn_year_and_term(n_rows: int, n_cols: int, data) -> Problem:
    """A year and its term drawn by hypothesis, each term cell at most its year cell."""
    size = n_rows * n_cols
    year = np.array(data.draw(st.lists(counts, min_size=size, max_size=size))).reshape(n_rows, n_cols)
    term = np.minimum(year, np.array(data.draw(st.lists(counts, min_size=size, max_size=size))).reshape(year.shape))
    return year_and_term(year, term)


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.integers(2, 4), st.integers(2, 4), st.data())
def test_what_elimination_hides_is_the_same_whatever_order_the_lines_are_reduced_in(n_rows, n_cols, data):
    """The lines are put in echelon form shortest first, the fastest order at scale. What a reader can work out is
    their span, the same in any order, so elimination must hide the same cells as with the lines reduced in any
    drawn order. A year and its term, with their bounds."""
    problem = drawn_year_and_term(n_rows, n_cols, data)
    primary = primary_cells(problem.values, THRESHOLD)
    drawn = _Basis()
    for line in data.draw(st.permutations(problem.lines)):
        drawn.add_if_new({line.parent: -1.0} | {child: 1.0 for child in line.children})
    again = Problem(problem.values, problem.lines, forced=problem.forced, bounds=problem.bounds)
    again.__dict__["basis"] = drawn  # the cached echelon form, made in the drawn order
    hidden = gauss_secondary(problem, primary, THRESHOLD)
    assert cells_of(gauss_secondary(again, primary, THRESHOLD)) == cells_of(hidden)


def _narrow(low: float, high: float) -> bool:
    """The checker's own guarantee: whole-number bounds under 2 apart, or a top at most the threshold."""
    top = math.floor(high + 1e-6) if math.isfinite(high) else math.inf
    return top - math.ceil(low - 1e-6) < 2 or top <= THRESHOLD


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.integers(2, 3), st.integers(2, 3), st.data())
def test_the_audit_names_exactly_the_cells_whose_own_minimum_and_maximum_break(n_rows, n_cols, data):
    """The audit settles most cells from solutions found for others (the truth, the hidden totals, pushes of many
    cells at once) and solves only the rest alone: it must name the cells that solving every hidden cell's minimum
    and maximum alone finds broken, no more and no fewer. A year and its term, any non-zero cells hidden."""
    problem = drawn_year_and_term(n_rows, n_cols, data)
    nonzero = np.flatnonzero(problem.values > 0)  # zeros are never hidden
    if len(nonzero) < 2:
        return
    hidden = np.zeros(problem.size, dtype=bool)
    hidden[data.draw(st.lists(st.sampled_from(nonzero.tolist()), min_size=2, unique=True))] = True
    each_alone = attacker_intervals(problem, hidden)
    broken = [cell for cell, (low, high) in each_alone.items() if _narrow(low, high)]
    assert audit_breaks(problem, hidden, THRESHOLD) == sorted(broken, key=lambda c: (problem.values[c], c))


# --- The whole protection ------------------------------------------------------------------------------------------


def test_two_small_counts_on_a_line_hide_a_third_so_their_sum_is_not_given_away():
    values, lines = one_breakdown([7, 1, 1])
    problem = Problem(values, lines, forced=values == 0)
    hidden = protected(problem)
    assert cells_of(hidden) == [0, 1, 2]
    assert_protected(problem, hidden)


def test_the_checker_finds_what_primary_suppression_alone_gives_away():
    """The checker can fail: a small row total, left alone, is the grand total less the other rows."""
    values, lines = cross_table(np.array([[0, 1], [2, 3], [3, 2]]))
    problem = Problem(values, lines, forced=values == 0)
    with pytest.raises(AssertionError):
        assert_protected(problem, small(values))


def test_where_every_line_through_a_broken_cell_is_hidden_the_cover_looks_one_hidden_cell_further():
    # [[3, 1], [2, 1]]: every count but the grand total 7 and the first column's 5 is small. Elimination hides the
    # 5 too (with 7 shown it would give the second column's 2), leaving each inner cell 1..4, proved small. Every
    # line through an inner cell is hidden, so the cover goes out a step to the grand total: all hidden.
    values, lines = cross_table(np.array([[3, 1], [2, 1]]))
    problem = Problem(values, lines, forced=values == 0)
    hidden = protected(problem)
    assert hidden.all()
    assert_protected(problem, hidden)


def test_a_bound_makes_the_audit_hide_more_than_elimination_does():
    # Year 100 = A 4 + B 26 + C 70; a term 96 = 0 + 26 + 70; a year is at least each term. Elimination hides A and
    # B (B would give A away). Then A + B = 30 and B >= 26, so A is proved 1..4. Hiding C does not help (C >= 70);
    # hiding the year's 100 does (it is only bounded below, by 96): A, B and the year are hidden.
    values = np.array([100, 4, 26, 70, 96, 0, 26, 70], dtype=float)
    lines = [Line(0, (1, 2, 3)), Line(4, (5, 6, 7))]
    bounds = [AtMost((4 + i,), (i,)) for i in range(4)]
    problem = Problem(values, lines, forced=values == 0, bounds=bounds)
    hidden = protected(problem)
    assert cells_of(hidden) == [0, 1, 2]
    assert_protected(problem, hidden)


def test_a_cell_hidden_for_others_is_shown_instead_where_a_bound_narrows_it_and_showing_it_breaks_nothing():
    # Year 14 = a 5 + b 3 + c 6; term 13 = 5 + 3 + 5; a year at least each term. Elimination hides a and b, and the
    # term's b and c. The bounds then narrow all four: b + c >= b_t + c_t = 8, so a = 14 - b - c is 5..6 and b
    # 2..3. Hiding c mends b (b now 1..8), but a is still 5..6; a was hidden only for b, and showing it leaves b,
    # c, b_t and c_t each wide (b + c = 9, b_t + c_t = 8). So a is shown and c hidden.
    values = np.array([14, 5, 3, 6, 13, 5, 3, 5], dtype=float)
    lines = [Line(0, (1, 2, 3)), Line(4, (5, 6, 7))]
    problem = Problem(values, lines, forced=values == 0, bounds=[AtMost((4 + i,), (i,)) for i in range(4)])
    assert cells_of(gauss_secondary(problem, small(values), THRESHOLD)) == [1, 2, 6, 7]
    hidden = protected(problem)
    assert cells_of(hidden) == [2, 3, 6, 7]
    assert_protected(problem, hidden)


def test_sessions_follow_the_pupils_they_describe_and_are_protected_in_turn():
    # Enrolments [2, 8 | 10] and their sessions [760, 3040 | 3800]. The 2 is small and the 8 would give it away;
    # the sessions of both follow them into hiding, and 3800 may stay (the two hidden sessions still add up).
    values = np.array([2, 8, 10, 760, 3040, 3800], dtype=float)
    lines = [Line(2, (0, 1)), Line(5, (3, 4))]
    follows = np.array([-1, -1, -1, 0, 1, 2])
    problem = Problem(values, lines, forced=values == 0, follows=follows)
    hidden = protected(problem)
    assert cells_of(hidden) == [0, 1, 3, 4]
    assert_protected(problem, hidden)


def test_a_small_count_pinned_by_cells_that_must_be_shown_cannot_be_protected():
    # 9 = c + 7, with the 7 and the 9 both forced to show: nothing can be hidden to save the 2.
    values = np.array([2.0, 7.0, 9.0])
    problem = Problem(values, [Line(2, (0, 1))], forced=np.array([False, True, True]))
    with pytest.raises(Unprotectable) as failure:
        protected(problem)
    assert failure.value.cells == [0]
    assert str(failure.value) == "1 hidden cell(s) could not be protected"


def test_the_cover_first_tries_the_line_whose_hidden_part_has_least_room():
    # Year 11 = a 4 + b 2 + c 5; a term 10 = 4 + 1 + 5; a year at least each term. Elimination hides a and b, and
    # the term's 4, 1 and 5 (with 10 shown, its 5 would give away the term's 4 + 1 = 5, a small sum). Then the
    # term's 4 + 1 is at most a + b = 6 and at least 10 - 5 (its 5 is at most c), so its 5 is 4..5: broken.
    # Showing it instead would prove the term's 4 and 1 at most 4. Its line holds no shown cell but its total 10,
    # so that is the first choice, and it mends the 5 (now 1..5). Hiding c (5) would mend it too, from its bound,
    # but comes second. Round two finds nothing: a, b, the term's total and cells hidden.
    values = np.array([11, 4, 2, 5, 10, 4, 1, 5], dtype=float)
    lines = [Line(0, (1, 2, 3)), Line(4, (5, 6, 7))]
    problem = Problem(values, lines, bounds=[AtMost((4 + i,), (i,)) for i in range(4)])
    assert cells_of(gauss_secondary(problem, small(values), THRESHOLD)) == [1, 2, 5, 6, 7]
    hidden = protected(problem)
    assert cells_of(hidden) == [1, 2, 4, 5, 6, 7]
    assert_protected(problem, hidden)


def test_a_cell_is_shown_instead_only_where_that_breaks_no_other():
    # A year's 2 x 2 table [[12, 12], [8, 2]] (totals 24, 10; 20, 14; 34) and a term's [[0, 5], [8, 0]], each term
    # cell at most the year's. Elimination hides the year's four inner cells; the term gives b >= 5 and c >= 8, so
    # d = 10 - c is 1..2 and a, b, c are each two values wide. No one shown cell mends d (every total is the grand
    # total less shown ones), so the first choice on its line, the row total 10, is hidden. c is still 8..9, and it
    # was hidden only for d, but showing it would pin d at 10 - 8 = 2: refused. Hiding the first row's 24 leaves
    # c 8..19 (and a, b, d wide): the inner cells and both row totals are hidden.
    problem = year_and_term(np.array([[12, 12], [8, 2]]), np.array([[0, 5], [8, 0]]))
    assert cells_of(gauss_secondary(problem, small(problem.values), THRESHOLD)) == [0, 1, 2, 3]
    hidden = protected(problem)
    assert cells_of(hidden) == [0, 1, 2, 3, 4, 5]
    assert_protected(problem, hidden)


def test_a_cross_table_whose_covers_choose_among_several_cells_on_a_line():
    values, lines = cross_table(np.array([[0, 2, 2], [12, 1, 8]]))
    problem = Problem(values, lines)
    assert_protected(problem, protected(problem))


def test_the_solver_says_nothing_on_the_command_lines_output():
    """HiGHS prints a banner when a process makes its first solver, and a log unless told not to: neither may reach
    standard output, which is the command line's (a fresh process, so the banner has not been shown yet)."""
    code = (
        "import numpy as np\n"
        "from dashboard.domain.disclosure import Line, Problem, attacker_intervals\n"
        "problem = Problem(np.array([7.0, 1.0, 1.0, 9.0]), [Line(3, (0, 1, 2))])\n"
        "print(attacker_intervals(problem, np.array([False, True, True, False])))\n"
    )
    # The same code the tests import (under mutmut, its mutated copy): run from the folder that holds it.
    folder = Path(disclosure.__file__).parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=folder)
    # The same answer as here, where the solver has long been made (and mutmut sees this test use it).
    here = attacker_intervals(
        Problem(np.array([7.0, 1.0, 1.0, 9.0]), [Line(3, (0, 1, 2))]), np.array([0, 1, 1, 0], bool)
    )
    assert done.stdout == f"{here}\n" == "{1: (1.0, 1.0), 2: (1.0, 1.0)}\n"


class _FailsOnce(highspy.Highs):
    """A solver whose first solve ends as told (as HiGHS's primal simplex once ended one of England's largest LAs'
    programs from its warm start: infeasible, though the true values are a solution)."""

    def __init__(self, first: highspy.HighsModelStatus):
        super().__init__()
        self.setOptionValue("output_flag", False)
        self.setOptionValue("simplex_strategy", disclosure.SIMPLEX)
        self.first, self.strategies = first, []

    def run(self):
        self.strategies.append(self.getOptions().simplex_strategy)
        return super().run()

    def getModelStatus(self):
        status, self.first = self.first or super().getModelStatus(), None
        return status


@pytest.mark.parametrize(
    "first, level",
    [(highspy.HighsModelStatus.kInfeasible, logging.WARNING), (highspy.HighsModelStatus.kUnknown, logging.DEBUG)],
)
def test_a_solve_that_fails_from_its_warm_start_is_solved_again_from_scratch_with_dual_simplex(first, level, caplog):
    caplog.set_level(logging.DEBUG, logger=disclosure.__name__)
    # a + b = 10, both at least 0: a's largest value is 10.
    highs = _FailsOnce(first)
    highs.addVars(2, np.zeros(2), np.full(2, highspy.kHighsInf))
    highs.addRows(1, np.array([10.0]), np.array([10.0]), 2, np.array([0, 2]), np.array([0, 1]), np.ones(2))
    status = disclosure.optimise(highs, np.array([1.0, 0.0]), highspy.ObjSense.kMaximize)
    assert status == highspy.HighsModelStatus.kOptimal and highs.getInfo().objective_function_value == 10.0
    dual = int(highspy.simplex_constants.kSimplexStrategyDual)
    assert highs.strategies == [disclosure.SIMPLEX, dual] and highs.getOptions().simplex_strategy == disclosure.SIMPLEX
    # A false infeasible is warned of; a stuck solve (routine in a joint stage) only logged for debugging.
    assert [(r.levelno, str(first) in r.getMessage()) for r in caplog.records] == [(level, True)]


def test_a_maximum_without_end_is_not_solved_again():
    highs = _FailsOnce(None)
    highs.addVars(1, np.zeros(1), np.full(1, highspy.kHighsInf))
    status = disclosure.optimise(highs, np.array([1.0]), highspy.ObjSense.kMaximize)
    assert status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible)
    assert highs.strategies == [disclosure.SIMPLEX]


def test_out_of_rounds_it_gives_up_naming_cells_the_checker_finds_broken():
    # A year and a term of a 2 x 2 table needing two rounds of covers: after one, some cell still breaks.
    problem = year_and_term(np.array([[2, 3], [8, 2]]), np.array([[2, 3], [8, 1]]))
    with pytest.raises(Unprotectable) as failure:
        protect(problem, small(problem.values), THRESHOLD, rounds=1)
    hidden = protected(problem)
    assert_protected(problem, hidden)
    assert failure.value.cells
    assert all(hidden[c] for c in failure.value.cells)


# --- Property tests: random tables, the checker's verdict -------------------------------------------------------------

counts = st.integers(min_value=0, max_value=40) | st.integers(min_value=0, max_value=6)


@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(st.lists(counts, min_size=2, max_size=12))
def test_one_breakdown_with_its_total(cells):
    values, lines = one_breakdown(cells)
    problem = Problem(values, lines, forced=values == 0)
    hidden = protected(problem)
    assert hidden[small(values)].all()
    assert not hidden[values == 0].any(), "a zero is hidden: a shown 0 is 0"
    assert_protected(problem, hidden)


@settings(max_examples=120, deadline=None, derandomize=True, database=None)
@given(st.integers(2, 4), st.integers(2, 5), st.data())
def test_a_cross_table_with_its_margins(n_rows, n_cols, data):
    """Need by locality, say, published beside each locality's and each need's total and the borough's. Any such
    table can be protected (hiding every non-zero cell leaves each unbounded), so giving up is a failure."""
    cells = data.draw(st.lists(counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    values, lines = cross_table(np.array(cells).reshape(n_rows, n_cols))
    problem = Problem(values, lines, forced=values == 0)
    hidden = protected(problem)
    assert_protected(problem, hidden)


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.integers(2, 3), st.integers(2, 3), st.data())
def test_a_year_and_its_term_with_the_year_at_least_the_term(n_rows, n_cols, data):
    """Enrolments by phase and SEN provision for a year and a term: the reader knows each term cell is at most the
    year's. Giving up is a failure here too."""
    year = np.array(data.draw(st.lists(counts, min_size=n_rows * n_cols, max_size=n_rows * n_cols)))
    term = np.minimum(year, data.draw(st.lists(counts, min_size=year.size, max_size=year.size)))
    problem = year_and_term(year.reshape(n_rows, n_cols), term.reshape(n_rows, n_cols))
    hidden = protected(problem)
    assert_protected(problem, hidden)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(st.integers(0, 30) | st.integers(0, 6), st.integers(0, 380)), min_size=2, max_size=8))
def test_sessions_are_hidden_wherever_their_pupils_are(groups):
    """Enrolments by group with their total, and the sessions of each group (at most 380 per pupil) beside them."""
    pupils = [n for n, _ in groups]
    sessions = [n * each for n, each in groups]
    values = np.array([*pupils, sum(pupils), *sessions, sum(sessions)], dtype=float)
    k = len(groups) + 1
    lines = [Line(k - 1, tuple(range(k - 1))), Line(2 * k - 1, tuple(range(k, 2 * k - 1)))]
    follows = np.concatenate([np.full(k, -1), np.arange(k)])
    bounds = [AtMost((k + i,), (i,), 380) for i in range(k)]
    problem = Problem(values, lines, forced=values == 0, follows=follows, bounds=bounds)
    hidden = protected(problem)
    assert not (hidden[:k] & ~hidden[k:]).any(), "sessions shown for hidden pupils"
    assert_protected(problem, hidden)


def test_the_cover_hides_a_detail_before_a_total_that_would_mend_as_well():
    # P 44 = A 2 + X 12 + B 30, and X = D 6 + E 6 with D and E already hidden. A (small) is hidden and pinned by
    # P - X - B. Hiding X would mend it (A + X = 14, X at least 2 from D + E, so A is 1..12), and so would hiding B
    # (A + B = 32, A 1..31); X comes first by position, but X is a total: hiding a total takes another cell of its
    # own line with it, so the cover takes the detail, B.
    from collections import defaultdict

    from dashboard.domain.disclosure import _cover

    values = np.array([2, 12, 30, 44, 6, 6], dtype=float)
    lines = [Line(3, (0, 1, 2)), Line(1, (4, 5))]
    problem = Problem(values, lines)
    through = defaultdict(list)
    for line in lines:
        for cell in (line.parent, *line.children):
            through[cell].append(line)
    hidden = np.array([True, False, False, False, True, True])
    assert _cover(problem, hidden, np.zeros(6, dtype=bool), 0, THRESHOLD, through) == 2


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.integers(2, 3), st.integers(2, 3), st.data())
def test_hiding_more_cells_never_narrows_what_a_reader_can_say_of_a_hidden_one(n_rows, n_cols, data):
    """What the cover relies on to try its candidates all together first: if hiding them all leaves a cell broken,
    hiding any one of them would too. A year and its term, with their bounds; the checker's whole-number intervals
    under a hidden set and under a larger one."""
    problem = drawn_year_and_term(n_rows, n_cols, data)
    nonzero = np.flatnonzero(problem.values > 0)  # zeros are never hidden
    if len(nonzero) < 2:
        return
    chosen = data.draw(st.lists(st.sampled_from(nonzero.tolist()), min_size=1, unique=True))
    more = data.draw(st.lists(st.sampled_from(nonzero.tolist()), min_size=1, unique=True))
    hidden = np.zeros(problem.size, dtype=bool)
    hidden[chosen] = True
    larger = hidden.copy()
    larger[more] = True
    # The checker's whole-number intervals, and the audit's own linear programs, which the cover asks.
    for bounds in (integer_bounds, disclosure.attacker_intervals):
        before, after = bounds(problem, hidden), bounds(problem, larger)
        for cell, (low, high) in before.items():
            assert after[cell][0] <= low + 1e-6 and after[cell][1] >= high - 1e-6, (cell, (low, high), after[cell])
