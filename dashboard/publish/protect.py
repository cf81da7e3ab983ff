"""Protect the whole declared publication of a load, system by system and year by year, and report what it hid.

Every family of a count is protected jointly for each year, its terms with it, and with the counts a relation ties
it to (registry.RELATIONS): pupils on roll with enrolments, absentees and sessions; exclusions with their reasons.
A family that cannot be protected is not published at all (it fails closed), and the report says so. The result
is three tables for the warehouse version: `published` (every cell with its value and status), `publication`
(the threshold it was built for) and `publication_family` (cells, hidden and why, per family, count and year).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from dashboard.domain.blocks import JOINT, protect_in_blocks, splits
from dashboard.domain.disclosure import AtMost, Line, Problem, Unprotectable, primary_cells, protect
from dashboard.domain.status import NOT_PUBLISHED, SHOWN, SUPPRESSED
from dashboard.publish.cells import CountYear, count_year, read_facts
from dashboard.publish.engine import Engine
from dashboard.publish.registry import (
    COUNTS,
    FAMILIES_BY_NAME,
    KEY_COLUMNS,
    REASON_TOTALS,
    Count,
    Relation,
    families_of,
    related_counts,
)
from dashboard.publish.relations import ties

PUBLISHED_COLUMNS = ["count", "family", "academic_year", "term", *KEY_COLUMNS, "value", "status"]
RELATION_COLUMNS = ["relation", "kind", "counts", "academic_year", "instances", "broken", "tied"]
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
    relations: pd.DataFrame  # per relation and year: instances used, broken by the data, pairs tied as one figure
    seconds: float


def publish(tables: dict[str, pd.DataFrame], threshold: int, engine: Engine | None = None) -> Publication:
    """Protect every family of every count in tables (a version's tables by name) at threshold.

    Counts tied by a relation (registry.RELATIONS) are protected as one system per year, terms included. The systems
    share no cell, so they run apart on the engine (dask workers, or this process) and are put together in one order:
    the result is the same whatever the number of workers."""
    started = time.perf_counter()
    engine = engine or Engine.from_config()
    con = duckdb.connect()
    for name in SOURCE_TABLES:
        if name in tables and tables[name] is not None:
            con.register(name, tables[name])
    facts = read_facts(
        con,
        [
            count
            for count in COUNTS.values()
            if count.table in tables and tables[count.table] is not None and not tables[count.table].empty
        ],
    )
    con.close()
    jobs = []
    for group in related_counts():
        present = [COUNTS[c] for c in sorted(group) if c in facts]
        # Each system gets only its year's rows: a worker is sent what it needs and nothing more. The rows are split
        # by year once a count, not picked out again for each year.
        by_year = {
            count.id: {year: rows for year, rows in facts[count.id].groupby("year", sort=False)} for count in present
        }
        years = sorted({year for count in present for year in by_year[count.id]})
        for year in years:
            mine = {count.id: by_year[count.id][year] for count in present if year in by_year[count.id]}
            members = [count for count in present if count.id in mine]
            jobs.append(
                (members, year, {count.id: mine[count.id] for count in members}, threshold, engine.blocks_above)
            )
    sizes = [sum(len(frame) for frame in job[2].values()) for job in jobs]
    published, families, relations = [], [], []
    split = 0  # systems protected locality by locality first
    for cells, stats, used in engine.map(_protect_system, jobs, sum(sizes), sizes):
        split += bool(cells.attrs.get("in blocks"))
        published.append(cells[PUBLISHED_COLUMNS])
        families += stats
        relations += used
    published_frame = pd.concat(published, ignore_index=True) if published else pd.DataFrame(columns=PUBLISHED_COLUMNS)
    # Stored in the order look-ups ask for them, so DuckDB skips what it does not need.
    published_frame = published_frame.sort_values(["count", "family", "academic_year"], kind="stable")
    family_frame = pd.concat(families, ignore_index=True) if families else pd.DataFrame(columns=FAMILY_COLUMNS)
    family_frame = family_frame.sort_values(["count", "academic_year"], kind="stable").reset_index(drop=True)
    seconds = time.perf_counter() - started
    meta = pd.DataFrame(
        [
            (
                threshold,
                dt.datetime.now().replace(microsecond=0),
                "Gaussian elimination; linear-programming audit with the relations between counts; "
                f"{len(jobs)} independent systems run on {engine.describe(sum(sizes))}"
                + (
                    f"; {split} of over {engine.blocks_above:,} cells protected locality by locality first, then whole"
                    if split
                    else ""
                ),
                round(seconds, 1),
            )
        ],
        columns=["threshold", "built_at", "method", "seconds"],
    )
    relation_frame = pd.DataFrame(relations, columns=RELATION_COLUMNS)
    return Publication(published_frame, meta, family_frame, relation_frame, seconds)


def _protect_system(
    counts: list[Count], year: str, facts: dict[str, pd.DataFrame], threshold: int, blocks_above: int
) -> tuple[pd.DataFrame, list[pd.DataFrame], list[tuple]]:
    """Protect related counts in one year as one system (of more cells than blocks_above, locality by locality and
    then jointly); a family that cannot be protected is dropped (for its count) and the rest protected again."""
    system = protect_system(counts, year, facts, threshold, blocks_above)
    cells = system.cells
    cells["value"] = cells["value"].where(cells["status"] == SHOWN)
    return cells, system.stats, system.used


@dataclass
class System:
    """One system protected: its cells (true values, status), the problem and the cells hidden, and its report."""

    cells: pd.DataFrame
    problem: Problem
    hidden: np.ndarray
    stats: list[pd.DataFrame]
    used: list[tuple]
    dropped: dict[tuple[str, str], str]  # (count, family) -> why it is not published this year


def protect_system(
    counts: list[Count],
    year: str,
    facts: dict[str, pd.DataFrame],
    threshold: int,
    blocks_above: int,
    whole: frozenset[str] = frozenset(),
) -> System:
    """Related counts in one year protected as one system, each cell's status set; its values still the true ones.

    whole: families kept however much of them is hidden (a country's LA publishes them only inside national sums,
    so the scope rule is not theirs to apply)."""
    dropped: dict[tuple[str, str], str] = {}
    while True:
        tables = [
            count_year(
                count, year, facts[count.id], [f for f in families_of(count.id) if (count.id, f.name) not in dropped]
            )
            for count in counts
        ]
        cells, problem, primary, used = _system(tables, threshold, year)
        try:
            blocks = _blocks(cells) if len(cells) > blocks_above else None
            if blocks is not None and splits(problem, blocks):
                hidden = protect_in_blocks(problem, primary, threshold, blocks)
            else:
                hidden = protect(problem, primary, threshold)
        except Unprotectable as failure:
            for count, family in set(zip(cells["count"].iloc[failure.cells], cells["family"].iloc[failure.cells])):
                dropped[(count, family)] = "could not be protected: a small number could still be worked out"
            continue
        grey = {key: why for key, why in _mostly_hidden(cells, hidden).items() if key[1] not in whole}
        if not grey:
            break
        dropped |= grey
    unpublished = ~cells["published"].to_numpy(bool)
    symbol = cells["symbol"].to_numpy(object)
    # A source's symbol (c, low, x, z, u) is kept as the status: the query layer shows its c as it shows ours.
    status = np.where(
        unpublished, NOT_PUBLISHED, np.where(pd.notna(symbol), symbol, np.where(hidden, SUPPRESSED, SHOWN))
    )
    cells["status"], cells["academic_year"] = status, year
    cells.attrs["in blocks"] = blocks is not None and splits(problem, blocks)  # for the load report's method
    # Sessions hidden because the pupils they describe are hidden count as hidden first, as those pupils do.
    cells["_hidden"], cells["_primary"] = hidden, primary | (problem.follows >= 0) & hidden[problem.follows]
    stats = [
        _family_stats(table.count, year, cells[cells["count"] == table.count.id], table, dropped) for table in tables
    ]
    return System(cells, problem, hidden, stats, used, dropped)


def _blocks(cells: pd.DataFrame) -> np.ndarray:
    """Each cell's block: the locality pupils live in, or the locality of their schools (a block of its own), or
    JOINT for a cell of neither (the whole area, a deprivation decile, pupils living outside)."""
    home, school = cells["locality"].to_numpy(object), cells["school_locality"].to_numpy(object)
    labels = [
        ("home", h) if pd.notna(h) else ("school", s) if pd.notna(s) else None
        for h, s in zip(home, school, strict=True)
    ]
    numbers = {label: number for number, label in enumerate(sorted(set(labels) - {None}))}
    return np.array([numbers.get(label, JOINT) for label in labels], dtype=int)


# The scope rule the registry's choices follow (docs/disclosure.md), applied to each year's data: a table of at least
# MIN_CELLS cells with more than MOSTLY_HIDDEN of them hidden tells a board little, and what it costs its neighbours
# (their cells hidden to protect its) is not worth paying. It is not published that year; the rest are protected again.
MOSTLY_HIDDEN = 2 / 3
MIN_CELLS = 20


def _mostly_hidden(cells: pd.DataFrame, hidden: np.ndarray) -> dict[tuple[str, str], str]:
    """(count, family) -> why, for each family whose year cells would be mostly hidden."""
    year = (cells["term"].isna() & cells["published"]).to_numpy(bool)
    frame = pd.DataFrame({"count": cells["count"], "family": cells["family"], "hidden": hidden})[year]
    shares = frame.groupby(["count", "family"])["hidden"].agg(["sum", "size"])
    grey = shares[(shares["size"] >= MIN_CELLS) & (shares["sum"] > MOSTLY_HIDDEN * shares["size"])]
    return {
        key: f"mostly hidden: {row['sum']} of its {row['size']} cells would be c, so it is not published this year"
        for key, row in grey.iterrows()
    }


def _system(tables: list[CountYear], threshold: int, year: str) -> tuple[pd.DataFrame, Problem, np.ndarray, list]:
    """One problem for the cells of related counts in a year: each count's lines, and the relations between them.

    Also, per relation, a row for publication_relation: how many of its bounds or pairs there were, how many the
    data break (a bound the figures contradict is left out: no reader can rely on it), how many pairs were tied."""
    offsets = np.cumsum([0] + [len(table.cells) for table in tables])
    cells = pd.concat([table.cells.assign(count=table.count.id) for table in tables], ignore_index=True)
    lines = [
        Line(line.parent + int(offset), tuple(child + int(offset) for child in line.children))
        for table, offset in zip(tables, offsets)
        for line in table.lines
    ]
    _complete_reason_totals(cells)
    values = cells["value"].to_numpy(float)

    def coincide(relation, left, right):
        # The protection knows the true figures: two names for one figure wherever they agree.
        return values[left] == values[right]

    tied = ties(cells, coincide)
    published = cells["published"].to_numpy(bool)
    children = ~cells["count"].map(lambda c: COUNTS[c].pattern_of is not None).to_numpy(bool)
    # A part of a total that is never published (pupils living outside the borough, by need) is protected as a
    # hidden count is: the total less its published parts would give it away.
    primary = primary_cells(values, threshold) & children
    bounds, used = [], []
    for relation, instances in tied.bounding.items():
        holding = [bound for bound in instances if _holds(bound, values)]
        bounds += holding
        used.append(_relation_row(relation, year, len(instances), len(instances) - len(holding), 0))
    for relation, pairs in tied.same.items():
        used.append(_relation_row(relation, year, tied.pairs[relation], 0, len(pairs)))
    problem = Problem(
        values,
        lines + tied.lines,
        forced=(values == 0) & published,
        unpublished=~published,
        bounds=bounds,
        follows=tied.follows,
    )
    return cells, problem, primary, used


def _relation_row(relation: Relation, year: str, instances: int, broken: int, tied: int) -> tuple:
    return (relation.why, relation.kind, " ".join(relation.counts), year, instances, broken, tied)


def _holds(bound: AtMost, values: np.ndarray) -> bool:
    """False where the data break a bound the definitions promise (a reader's bound can only hold where it is true)."""
    lesser, greater = values[list(bound.lesser)], values[list(bound.greater)]
    if np.isnan(lesser).any() or np.isnan(greater).any():
        return True
    return lesser.sum() <= bound.factor * greater.sum() + 1e-9


def _complete_reason_totals(cells: pd.DataFrame) -> None:
    """Where a source gave some reasons as a symbol, their total is unknown from the reasons alone; every exclusion
    has one main reason, so the total is the exclusions' own figure for the same place, and it is set to that."""
    for reasons, total in REASON_TOTALS.items():
        unknown = (cells["count"] == reasons) & cells["value"].isna() & cells["reason"].isna() & cells["published"]
        if not unknown.any():
            continue
        keys = ["family", "term", *KEY_COLUMNS]
        theirs = cells[cells["count"] == total]
        figures = dict(zip(_keys(theirs[keys]), theirs["value"].to_numpy(float)))
        for index, key in zip(cells.index[unknown], _keys(cells.loc[unknown, keys])):
            if any(pd.isna(cells.at[index, d]) for d in FAMILIES_BY_NAME[cells.at[index, "family"]].dims):
                continue  # the rest of a total (no phase given) is a different rest in each source
            figure = figures.get(key)
            if figure is not None and not np.isnan(figure):
                cells.at[index, "value"], cells.at[index, "symbol"] = figure, None


def _keys(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(row) for row in frame.astype(object).fillna("").itertuples(index=False)]


def _family_stats(
    count: Count, year: str, cells: pd.DataFrame, table: CountYear, dropped: dict[tuple[str, str], str]
) -> pd.DataFrame:
    frame = cells[cells["term"].isna() & cells["published"]]
    rows = []
    for family in families_of(count.id):
        mine = frame[frame["family"] == family.name]
        reason = dropped.get((count.id, family.name)) or (
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
