"""The attacker's audit of a published version, from the published cells alone.

A reader who has every figure of every family rebuilds how the families add up (from the cells' own keys and the
registry's hierarchies), treats every hidden count as an unknown of at least 1 (zeros are never hidden) and every
unpublished part of a total as an unknown of at least 0, and asks, by linear programming, how far each hidden count
can move. The guarantee holds if every hidden count's interval is at least 2 wide and reaches above the threshold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.domain.disclosure import Line, Problem, attacker_intervals, breaks_guarantee
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
)


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
    """Every hidden count in the published cells whose interval breaks the guarantee (none, if the version is safe)."""
    found = []
    for (count, year), cells in published.groupby(["count", "academic_year"], sort=True):
        cells = cells.reset_index(drop=True)
        hidden = cells["status"].eq(SUPPRESSED).to_numpy()
        if not hidden.any():
            continue
        problem = reader_problem(count, cells)
        hidden = np.concatenate([hidden, np.zeros(problem.size - len(hidden), dtype=bool)])  # and the years' rests
        for cell, (low, high) in attacker_intervals(problem, hidden).items():
            if breaks_guarantee(low, high, threshold):
                row = cells.iloc[cell]
                keys = {k: row[k] for k in KEY_COLUMNS if pd.notna(row[k])}
                found.append(
                    Break(count, row["family"], year, row["term"] if pd.notna(row["term"]) else None, keys, low, high)
                )
    return found


def reader_problem(count: str, cells: pd.DataFrame) -> Problem:
    """What a reader can set up from one count and year's published cells: values shown, and the lines."""
    status = cells["status"].to_numpy(object)
    values = np.where(status == SHOWN, cells["value"].to_numpy(float), 0.0)
    values = np.where(np.isin(status, [SHOWN, SUPPRESSED, NOT_PUBLISHED]), values, np.nan)  # a source's symbol
    lines, extra = reader_lines(count, cells)
    # Each term a year lacks is an unknown of at least 0 on the line from the terms to the year.
    values = np.concatenate([values, np.zeros(extra)])
    unpublished = np.concatenate([status == NOT_PUBLISHED, np.ones(extra, dtype=bool)])
    return Problem(values, lines, unpublished=unpublished)


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
