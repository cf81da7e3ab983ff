"""Protection block by block (each locality apart, then jointly): the whole problem's guarantee, checked by the
integer programs of test_disclosure's checker, which knows nothing of blocks."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.domain import blocks as blocks_module
from dashboard.domain.blocks import JOINT, block_parts, protect_in_blocks
from dashboard.domain.disclosure import Line, Problem, protect
from tests.unit.test_disclosure import THRESHOLD, assert_protected, integer_bounds, small

# Two localities of two small areas each, and two deprivation deciles that each take one area from both:
#   cells 0 a1=3, 1 a2=20 (locality A, cell 4 = 23); 2 b1=15, 3 b2=30 (locality B, cell 5 = 45);
#   6 decile one = a1 + b1 = 18, 7 decile two = a2 + b2 = 50, 8 the whole = 68.
VALUES = np.array([3, 20, 15, 30, 23, 45, 18, 50, 68], dtype=float)
LINES = [
    Line(4, (0, 1)),
    Line(5, (2, 3)),
    Line(8, (4, 5)),
    Line(6, (0, 2)),
    Line(7, (1, 3)),
    Line(8, (6, 7)),
]
BLOCKS = np.array([0, 0, 1, 1, 0, 1, JOINT, JOINT, JOINT])


def test_lines_within_one_locality_are_its_own_and_lines_across_localities_are_the_joint_stages():
    parts = block_parts(Problem(VALUES, LINES), BLOCKS)

    assert sorted(parts) == [0, 1]
    assert parts[0][0].tolist() == [0, 1, 4] and parts[0][1] == [Line(4, (0, 1))]
    assert parts[1][0].tolist() == [2, 3, 5] and parts[1][1] == [Line(5, (2, 3))]


def test_a_small_count_a_locality_protects_alone_is_protected_again_where_a_decile_crosses_the_localities():
    problem = Problem(VALUES, LINES)
    # Locality A alone hides the 3 and the 20 beside it; but the deciles and locality B, all shown, give the 3 away:
    # decile one (18) less b1 (15).
    alone = np.zeros(9, dtype=bool)
    alone[[0, 1]] = True
    assert integer_bounds(problem, alone)[0] == (3, 3)

    hidden = protect_in_blocks(problem, small(VALUES), THRESHOLD, BLOCKS)

    # Worked by hand: the joint stage offers the whole (68), decile two (50) and B (45) first and shows them; b2 (30)
    # would then give a2 away, and b1 (15) a1, so both are hidden; A and decile one follow from what is shown. The
    # reader is left with a1 = t, a2 = 23 - t, b1 = 18 - t, b2 = 27 + t for t from 1 to 17.
    assert np.flatnonzero(hidden).tolist() == [0, 1, 2, 3]
    assert integer_bounds(problem, hidden) == {0: (1, 17), 1: (6, 22), 2: (1, 17), 3: (28, 44)}
    assert_protected(problem, hidden)


def test_one_block_and_a_cell_following_one_in_another_block_are_protected_whole(monkeypatch):
    def no_blocks(*_):
        raise AssertionError("split into blocks")

    monkeypatch.setattr(blocks_module, "block_parts", no_blocks)
    problem = Problem(VALUES, LINES)
    whole = protect(problem, small(VALUES), THRESHOLD)
    assert (protect_in_blocks(problem, small(VALUES), THRESHOLD, np.zeros(9, dtype=int)) == whole).all()
    follows = np.full(9, -1)
    follows[2] = 0  # b1 follows a1 across the localities: their hiding is decided together, so not apart
    tied = Problem(VALUES, LINES, follows=follows)
    assert (protect_in_blocks(tied, small(VALUES), THRESHOLD, BLOCKS) == protect(tied, small(VALUES), THRESHOLD)).all()


@st.composite
def localities_and_deciles(draw):
    """Localities of small areas with their totals and the whole, and deciles across them (each area in one)."""
    localities = draw(st.integers(2, 3))
    sizes = [draw(st.integers(2, 3)) for _ in range(localities)]
    counts = st.sampled_from([0, 1, 2, 3, 4, 6, 9, 14, 25, 40])
    areas = [draw(counts) for _ in range(sum(sizes))]
    deciles = [draw(st.integers(0, 1)) for _ in areas]
    return sizes, areas, deciles


@settings(max_examples=40, deadline=None)
@given(localities_and_deciles())
def test_protection_block_by_block_keeps_the_whole_problems_guarantee(table):
    sizes, areas, deciles = table
    n = len(areas)
    members = np.split(np.arange(n), np.cumsum(sizes)[:-1])
    totals = [sum(areas[i] for i in m) for m in members]
    decile_totals = [sum(a for a, d in zip(areas, deciles) if d == k) for k in (0, 1)]
    values = np.array(areas + totals + decile_totals + [sum(areas)], dtype=float)
    whole = len(values) - 1
    first_total, first_decile = n, n + len(sizes)
    lines = [Line(first_total + k, tuple(int(i) for i in m)) for k, m in enumerate(members)]
    lines.append(Line(whole, tuple(range(first_total, first_decile))))
    for k in (0, 1):
        inside = tuple(i for i in range(n) if deciles[i] == k)
        if inside:
            lines.append(Line(first_decile + k, inside))
    lines.append(Line(whole, (first_decile, first_decile + 1)))
    blocks = np.array([k for k, m in enumerate(members) for _ in m] + list(range(len(sizes))) + [JOINT, JOINT, JOINT])
    problem = Problem(values, lines)

    hidden = protect_in_blocks(problem, small(values), THRESHOLD, blocks)

    assert hidden[small(values)].all()
    assert_protected(problem, hidden)
