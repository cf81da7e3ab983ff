"""The attacker's audit of a published version, from the published cells alone.

A reader who has every figure of every family rebuilds how the families add up (from the cells' own keys and the
registry's hierarchies) and how counts relate (the registry's relations), treats every hidden count as an unknown of
at least 1 (zeros are never hidden) and every unpublished part of a total as an unknown of at least 0, and asks, by
linear programming, how far each hidden count can move. The guarantee holds if every hidden count's interval is at
least 2 wide and reaches above the threshold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.domain.disclosure import Line, Problem, attacker_intervals, breaks_guarantee, consistent
from dashboard.domain.reference import TERMS
from dashboard.domain.status import NOT_PUBLISHED, SHOWN, SUPPRESSED
from dashboard.publish.registry import (
    COUNTS,
    FAMILIES_BY_NAME,
    KEY_COLUMNS,
    PARENTS,
    canonical,
    cut_name,
    implied_by,
    related_counts,
)
from dashboard.publish.relations import ties


@dataclass(frozen=True)
class Break:
    """A hidden count a reader can narrow too far: where it is and the interval they find."""

    count: str
    family: str
    year: str
    term: str | None
    keys: dict
    low: float
    high: float


def audit(published: pd.DataFrame, threshold: int) -> list[Break]:
    """Every hidden count in the published cells whose interval breaks the guarantee (none, if the version is safe).

    Counts tied by a relation are read together, year by year, as the protection protected them."""
    found = []
    for year, year_cells in published.groupby("academic_year", sort=True):
        for group in related_counts():
            cells = year_cells[year_cells["count"].isin(group)].reset_index(drop=True)
            hidden = cells["status"].eq(SUPPRESSED).to_numpy()
            if not hidden.any():
                continue
            problem = reader_problem(cells)
            hidden = np.concatenate([hidden, np.zeros(problem.size - len(hidden), dtype=bool)])  # and the years' rests
            for cell, (low, high) in attacker_intervals(problem, hidden).items():
                if breaks_guarantee(low, high, threshold):
                    row = cells.iloc[cell]
                    keys = {k: row[k] for k in KEY_COLUMNS if pd.notna(row[k])}
                    term = row["term"] if pd.notna(row["term"]) else None
                    found.append(Break(row["count"], row["family"], year, term, keys, low, high))
    return found


def reader_problem(cells: pd.DataFrame) -> Problem:
    """What a reader can set up from the published cells of related counts in one year: values shown, the lines
    within each count, and the relations between them (registry.RELATIONS), as far as the shown figures support them.
    """
    status = cells["status"].to_numpy(object)
    values = np.where(status == SHOWN, cells["value"].to_numpy(float), 0.0)
    values = np.where(np.isin(status, [SHOWN, SUPPRESSED, NOT_PUBLISHED]), values, np.nan)  # a source's symbol
    lines, extra = [], 0
    for count, positions in cells.groupby("count", sort=True).indices.items():
        mine = cells.iloc[positions].reset_index(drop=True)
        own, rests = reader_lines(count, mine)
        # Positions within the count's cells become the system's; each year's rest goes past the end of cells.
        where = np.concatenate([positions, len(cells) + extra + np.arange(rests)]).astype(int)
        lines += [Line(int(where[line.parent]), tuple(int(where[c]) for c in line.children)) for line in own]
        extra += rests
    shown = status == SHOWN

    def coincide(relation, left, right):
        # Two names for one figure, to a reader, where every pair shown on both sides agrees (and some pair is).
        both = shown[left] & shown[right]
        agree = both.any() and (values[left][both] == values[right][both]).all()
        return np.full(len(left), agree, dtype=bool)

    tied = ties(cells, coincide)
    values = np.concatenate([values, np.zeros(extra)])
    unpublished = np.concatenate([status == NOT_PUBLISHED, np.ones(extra, dtype=bool)])
    hidden = np.concatenate([status == SUPPRESSED, np.zeros(extra, dtype=bool)])
    follows = np.concatenate([tied.follows, np.full(extra, -1, dtype=int)])

    def problem(same: list[Line]) -> Problem:
        return Problem(values, lines + same, unpublished=unpublished, bounds=tied.bounds, follows=follows)

    whole = problem(tied.lines)
    if not tied.lines or consistent(whole, hidden):
        return whole
    # Two names seemed one figure where both are shown, yet taking them as one everywhere contradicts what is shown
    # (a reasons file whose totals differ from the exclusions' somewhere): a reader cannot rely on that relation.
    kept = [lines for lines in tied.same.values() if consistent(problem(lines), hidden)]
    return problem([line for lines in kept for line in lines])


def reader_lines(count: str, cells: pd.DataFrame) -> tuple[list[Line], int]:
    """The lines between families, rebuilt from the cells' keys: a coarser cell is the sum of the finer ones in it.

    Also the lines from terms to their year; where a year lacks some terms, the rest of the year is a cell of its
    own past the end of cells. Returns the lines and how many such cells they use.
    """
    terms = cells["term"].astype(object).where(cells["term"].notna(), None)
    present = set(cells["family"])
    keys_of = [
        (family, term, tuple(None if pd.isna(k) else k for k in keys))
        for family, term, *keys in zip(cells["family"], terms, *(cells[k] for k in KEY_COLUMNS))
    ]
    index = {key: position for position, key in enumerate(keys_of)}
    lines = []
    for name in present:
        fine = FAMILIES_BY_NAME[name]
        mine = cells[cells["family"] == name]
        for coarse_name in _coarser(fine.dims, present):
            coarse = FAMILIES_BY_NAME[coarse_name]
            kept = list(coarse.dims) + sorted(
                set().union(*(implied_by(d) for d in coarse.dims)) if coarse.dims else set()
            )
            placed = mine[list(fine.dims)].notna().all(axis=1)
            if mine.loc[placed, list(coarse.dims)].isna().any(axis=None):
                # A cell in no one coarser cell (a ward across two localities): which totals it is part of is not
                # in these cells, so this pair of families gives the reader no line.
                continue
            children = defaultdict(list)
            for position, row in mine.iterrows():
                key = tuple(row[k] if k in kept and pd.notna(row[k]) else None for k in KEY_COLUMNS)
                children[(coarse_name, terms[position], key)].append(position)
            for parent_key, members in children.items():
                if parent_key in index:
                    lines.append(Line(index[parent_key], tuple(sorted(members))))
    extra = 0
    if COUNTS[count].terms_add_up:
        complete = {t for t in terms if t is not None} == set(TERMS)
        by_key = defaultdict(list)
        for position, (family, term, keys) in enumerate(keys_of):
            if term is not None:
                by_key[(family, None, keys)].append(position)
        for key, members in by_key.items():
            if key in index:
                rest = () if complete else (len(cells) + extra,)
                extra += len(rest)
                lines.append(Line(index[key], tuple(members) + rest))
    return list(dict.fromkeys(lines)), extra


def _coarser(dims: tuple[str, ...], present: set[str]) -> list[str]:
    """Published families one step coarser than dims (through unpublished ones in between)."""
    found, frontier, seen = [], [dims], set()
    while frontier:
        current = frontier.pop()
        for i, dim in enumerate(current):
            rest = current[:i] + current[i + 1 :]
            for step in [rest] + [canonical(set(rest) | {parent}) for parent in PARENTS.get(dim, ())]:
                step = canonical(step)
                if step in seen:
                    continue
                seen.add(step)
                if cut_name(step) in present:
                    found.append(cut_name(step))
                else:
                    frontier.append(step)
    return found
