"""Protect the whole declared publication of a load, count by count and year by year, and report what it hid.

Every family of a count is protected jointly for each year, its terms with it. A family that cannot be protected
is not published at all (it fails closed), and the report says so. The result is three tables for the warehouse
version: `published` (every cell with its value and status), `publication` (the threshold it was built for) and
`publication_family` (cells, hidden and why, per family, count and year).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from dashboard.domain.disclosure import Problem, Unprotectable, gauss_secondary, primary_cells, protect
from dashboard.domain.status import NOT_PUBLISHED, SHOWN, SUPPRESSED
from dashboard.publish.cells import CountYear, count_year, read_facts
from dashboard.publish.registry import COUNTS, KEY_COLUMNS, REASON_TOTALS, Count, families_of

PUBLISHED_COLUMNS = ["count", "family", "academic_year", "term", *KEY_COLUMNS, "value", "status"]
FAMILY_COLUMNS = [
    "count",
    "family",
    "academic_year",
    "cells",
    "primary_hidden",
    "secondary_hidden",
    "published",
    "reason",
]
# Tables the load reads to protect; a version without one of them publishes nothing of its counts.
SOURCE_TABLES = (
    "area",
    "school",
    "cluster",
    "need",
    "fact_census",
    "fact_exclusion",
    "fact_attendance",
    "fact_ehcp",
    "fact_population",
    "exclusion_reason",
)


@dataclass
class Publication:
    """What a load publishes, and how long protecting it took."""

    published: pd.DataFrame
    publication: pd.DataFrame
    families: pd.DataFrame
    seconds: float


def publish(tables: dict[str, pd.DataFrame], threshold: int) -> Publication:
    """Protect every family of every count in tables (a version's tables by name) at threshold."""
    started = time.perf_counter()
    con = duckdb.connect()
    for name in SOURCE_TABLES:
        if name in tables and tables[name] is not None:
            con.register(name, tables[name])
    published, families = [], []
    settled: dict[tuple, pd.DataFrame] = {}  # (count, year) -> its cells with their statuses, for linked counts
    for count in sorted(COUNTS.values(), key=_order):
        if count.table not in tables or tables[count.table] is None or tables[count.table].empty:
            continue
        facts = read_facts(con, count)
        for year in sorted(facts["year"].dropna().unique()):
            cells, stats = _protect_count_year(count, str(year), facts, threshold, settled)
            settled[(count.id, year)] = cells
            published.append(cells[PUBLISHED_COLUMNS])
            families.append(stats)
    con.close()
    published_frame = pd.concat(published, ignore_index=True) if published else pd.DataFrame(columns=PUBLISHED_COLUMNS)
    # Stored in the order look-ups ask for them, so DuckDB skips what it does not need.
    published_frame = published_frame.sort_values(["count", "family", "academic_year"], kind="stable")
    family_frame = pd.concat(families, ignore_index=True) if families else pd.DataFrame(columns=FAMILY_COLUMNS)
    seconds = time.perf_counter() - started
    meta = pd.DataFrame(
        [
            (
                threshold,
                dt.datetime.now().replace(microsecond=0),
                "Gaussian elimination; linear-programming audit",
                round(seconds, 1),
            )
        ],
        columns=["threshold", "built_at", "method", "seconds"],
    )
    return Publication(published_frame, meta, family_frame, seconds)


def _order(count: Count) -> tuple:
    # Sessions take the pattern of the enrolments behind them, and reasons their totals from exclusions: both after.
    return (count.pattern_of is not None or count.id in REASON_TOTALS, count.id)


def _protect_count_year(
    count: Count, year: str, facts: pd.DataFrame, threshold: int, settled: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Protect one count in one year; a family that cannot be protected is dropped and the rest protected again."""
    families = families_of(count.id)
    dropped: dict[str, str] = {}
    while True:
        table = count_year(count, year, facts, [f for f in families if f.name not in dropped])
        if count.id in REASON_TOTALS:
            _complete_reason_totals(table, settled.get((REASON_TOTALS[count.id], year)))
        try:
            hidden, primary = _hide(count, table, threshold, settled)
            break
        except Unprotectable as failure:
            stuck = sorted(set(table.cells.iloc[failure.cells]["family"]))
            for name in stuck:
                dropped[name] = "could not be protected: a small number could still be worked out"
    cells = table.cells.copy()
    cells["count"], cells["academic_year"] = count.id, year
    unpublished = ~cells["published"].to_numpy(bool)
    symbol = cells["symbol"].to_numpy(object)
    # A source's symbol (c, low, x, z, u) is kept as the status: the query layer shows its c as it shows ours.
    status = np.where(
        unpublished, NOT_PUBLISHED, np.where(pd.notna(symbol), symbol, np.where(hidden, SUPPRESSED, SHOWN))
    )
    cells["status"] = status
    cells["_true"] = cells["value"]  # kept in memory only, for counts whose cells are linked to these
    cells["value"] = cells["value"].where(cells["status"] == SHOWN)
    return cells, _family_stats(count, year, cells, hidden, primary, table, dropped)


def _hide(count: Count, table: CountYear, threshold: int, settled: dict) -> tuple[np.ndarray, np.ndarray]:
    """Which cells of one count and year to hide, and which of those are primary."""
    cells = table.cells
    values = cells["value"].to_numpy(float)
    published = cells["published"].to_numpy(bool)
    forced = (values == 0) & published
    frozen = np.zeros(len(cells), dtype=bool)
    if count.pattern_of:
        # Sessions describe the pupils behind them: hidden wherever those pupils' count is.
        primary = _linked(cells, settled.get((count.pattern_of, table.year)), SUPPRESSED) & published
        problem = Problem(values, table.lines, forced=forced, unpublished=~published)
        return gauss_secondary(problem, primary, threshold), primary
    primary = primary_cells(values, threshold) & published
    if count.id in REASON_TOTALS:
        # The reasons' totals by phase and for the borough are the exclusions' own cells: settled there.
        totals = settled.get((REASON_TOTALS[count.id], table.year))
        same = _linked(cells, totals, None, same_value=True)
        shown_there = _linked(cells, totals, SHOWN, same_value=True)
        frozen = same & ~shown_there
        forced |= shown_there
    problem = Problem(values, table.lines, forced=forced, frozen_hidden=frozen, unpublished=~published)
    return protect(problem, primary, threshold), primary


def _complete_reason_totals(table: CountYear, exclusions: pd.DataFrame | None) -> None:
    """Where a source gave some reasons as a symbol, their total is unknown from the reasons alone; every exclusion
    has one main reason, so the total is the exclusions' own figure for the same place, and it is set to that."""
    if exclusions is None:
        return
    cells = table.cells
    unknown = cells["value"].isna() & cells["reason"].isna() & cells["published"]
    if not unknown.any():
        return
    keys = ["family", "term", *KEY_COLUMNS]
    theirs = dict(zip(_keys(exclusions[keys]), exclusions["_true"].to_numpy(float)))
    for index, key in zip(cells.index[unknown], _keys(cells.loc[unknown, keys])):
        total = theirs.get(key)
        if total is not None and not np.isnan(total):
            cells.at[index, "value"], cells.at[index, "symbol"] = total, None


def _linked(
    cells: pd.DataFrame, other: pd.DataFrame | None, status: str | None, same_value: bool = False
) -> np.ndarray:
    """Cells with a counterpart in another count's settled cells (same family, term and keys), of that status if given.

    With same_value, only where the two counts agree on the figure: the same figure under two names.
    """
    if other is None:
        return np.zeros(len(cells), dtype=bool)
    keys = ["family", "term", *KEY_COLUMNS]
    theirs = {
        key: (row_status, true)
        for key, row_status, true in zip(_keys(other[keys]), other["status"], other["_true"].to_numpy(float))
    }
    found = []
    for key, value in zip(_keys(cells[keys]), cells["value"].to_numpy(float)):
        match = theirs.get(key)
        found.append(
            match is not None and (status is None or match[0] == status) and (not same_value or match[1] == value)
        )
    return np.array(found, dtype=bool)


def _keys(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(row) for row in frame.astype(object).fillna("").itertuples(index=False)]


def _family_stats(
    count: Count,
    year: str,
    cells: pd.DataFrame,
    hidden: np.ndarray,
    primary: np.ndarray,
    table: CountYear,
    dropped: dict[str, str],
) -> pd.DataFrame:
    frame = cells.assign(_hidden=hidden, _primary=primary)
    frame = frame[frame["term"].isna() & frame["published"]]
    rows = []
    for family in families_of(count.id):
        mine = frame[frame["family"] == family.name]
        reason = dropped.get(family.name) or (
            f"not recorded: no row gives the {table.not_recorded[family.name]}"
            if family.name in table.not_recorded
            else ""
        )
        primary_n = int(mine["_primary"].sum())
        rows.append(
            (
                count.id,
                family.name,
                year,
                len(mine),
                primary_n,
                int(mine["_hidden"].sum()) - primary_n,
                not reason,
                reason,
            )
        )
    return pd.DataFrame(rows, columns=FAMILY_COLUMNS)
