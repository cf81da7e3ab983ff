"""The registry's relations between counts, as ties between the cells of one system (related counts, one year).

A system's cells are every cell of every related count, year and terms, in one frame with a `count` column. The
relations become bounds (a year's enrolments at least each term's), lines of one child (two names for one figure,
wherever the two coincide) and followers (sessions hidden wherever the enrolments they describe are). The caller
says which pairs coincide: the protection knows the true figures, a reader only the shown ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.domain.disclosure import AtMost, Line
from dashboard.domain.reference import TERMS
from dashboard.publish.registry import COUNTS, FAMILIES_BY_NAME, HOME_KEYS, KEY_COLUMNS, RELATIONS, Relation

# Two cells are the same cell of two counts (or of a year and a term) when these agree.
_PLACE = ["family", *KEY_COLUMNS]


@dataclass
class Ties:
    """What the relations add to a system's lines: sums of one child, bounds, and which cell each cell follows."""

    same: dict[Relation, list[Line]]  # for each 'same' relation, the pairs it ties as one figure
    bounding: dict[Relation, list[AtMost]]  # for each other relation, its bounds
    pairs: dict[Relation, int]  # for each 'same' relation, how many pairs it could tie
    follows: np.ndarray

    @property
    def lines(self) -> list[Line]:
        """Every pair tied as one figure, as a line of one child."""
        return [line for lines in self.same.values() for line in lines]

    @property
    def bounds(self) -> list[AtMost]:
        """Every bound of every relation."""
        return [bound for bounds in self.bounding.values() for bound in bounds]


def ties(cells: pd.DataFrame, coincide: Callable[[Relation, np.ndarray, np.ndarray], np.ndarray]) -> Ties:
    """The ties between a system's cells (positions in cells) that the registry's relations declare.

    coincide(relation, left, right) says, for arrays of paired positions, which pairs of a 'same' relation are one
    figure: only those are tied as equal.
    """
    keys = _keys(cells)
    counts = cells["count"].to_numpy(object)
    term = cells["term"].astype(object).where(cells["term"].notna(), None).to_numpy(object)
    rest = _rests(cells)
    same, bounding, pairs = {}, {}, {}
    present = set(counts)
    for relation in RELATIONS:
        if not set(relation.counts) <= present:
            continue
        if relation.kind in ("at_most", "same"):
            left, right = _pair(keys, counts, term, relation.counts[0], relation.counts[1], same_period=True)
            if relation.kind == "same":
                # Each source's rest of a total not given by school or phase is its own: not one figure.
                kept = ~rest[left]
                left, right = left[kept], right[kept]
        else:
            # A year's cell (left) beside each of its terms' cells (right), within one count.
            left, right = _pair(keys, counts, term, relation.counts[0], relation.counts[0], same_period=False)
        if relation.kind == "at_most":
            bounding[relation] = [AtMost((int(a),), (int(b),), relation.factor) for a, b in zip(left, right)]
        elif relation.kind == "year_at_least_each_term":
            bounding[relation] = [AtMost((int(t),), (int(y),)) for y, t in zip(left, right)]
        elif relation.kind == "year_at_most_sum_of_terms":
            bounding[relation] = _year_at_most_terms(left, right, term)
        else:
            tied = coincide(relation, left, right)
            same[relation] = [Line(int(a), (int(b),)) for a, b in zip(left[tied], right[tied])]
            pairs[relation] = len(left)
    return Ties(same, bounding, pairs, _follows(keys, counts, term))


def _rests(cells: pd.DataFrame) -> np.ndarray:
    """Cells that are a source's rest of a total not given by a dimension of their family other than a home place
    (not given school by school, or by phase); pupils living outside the borough are a place, not a rest."""
    rest = np.zeros(len(cells), dtype=bool)
    family = cells["family"].to_numpy(object)
    for name in set(family.tolist()):
        mine = family == name
        for dim in (d for d in FAMILIES_BY_NAME[name].dims if d not in HOME_KEYS):
            rest[mine] |= cells[dim].isna().to_numpy()[mine]
    return rest


def _keys(cells: pd.DataFrame) -> list[tuple]:
    """One hashable key per cell for its family and place (not its count or period)."""
    frame = cells[_PLACE].astype(object)
    return list(frame.where(frame.notna(), "").itertuples(index=False, name=None))


def _pair(keys, counts, term, first: str, second: str, same_period: bool) -> tuple[np.ndarray, np.ndarray]:
    """Positions of cells of `first` and `second` with the same family and place: in the same period, or (for one
    count) a year's cell on the left and each of its terms' on the right."""
    if same_period:
        right_of = {(k, t): i for i, (k, c, t) in enumerate(zip(keys, counts, term)) if c == second}
        found = [(i, right_of.get((k, t))) for i, (k, c, t) in enumerate(zip(keys, counts, term)) if c == first]
    else:
        year_of = {k: i for i, (k, c, t) in enumerate(zip(keys, counts, term)) if c == first and t is None}
        found = [(year_of.get(k), i) for i, (k, c, t) in enumerate(zip(keys, counts, term)) if c == first and t]
    found = [(a, b) for a, b in found if a is not None and b is not None]
    left = np.array([a for a, _ in found], dtype=int)
    right = np.array([b for _, b in found], dtype=int)
    return left, right


def _year_at_most_terms(years: np.ndarray, terms: np.ndarray, term) -> list[AtMost]:
    """A year's cell at most the sum of its terms', where every term of the year is there."""
    parts: dict[int, list[int]] = {}
    for year, part in zip(years.tolist(), terms.tolist()):
        parts.setdefault(year, []).append(part)
    complete = set(TERMS)
    return [
        AtMost((year,), tuple(members)) for year, members in parts.items() if {term[m] for m in members} == complete
    ]


def _follows(keys, counts, term) -> np.ndarray:
    """For each cell, the cell of the count it describes (sessions: the enrolments) at the same place and period."""
    follows = np.full(len(keys), -1, dtype=int)
    for follower in {c for c in counts if COUNTS[c].pattern_of}:
        leader = COUNTS[follower].pattern_of
        if leader not in set(counts):
            continue
        left, right = _pair(keys, counts, term, follower, leader, same_period=True)
        follows[left] = right
    return follows
