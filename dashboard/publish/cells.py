"""Every cell of every family of one count and year, read from the fact tables, and the lines that tie them.

A line says one cell is the sum of others: a family's cell is the sum of the cells of any finer family inside it
(a locality of its small areas, a school of its SEN provision), and where terms add up, a year's cell is the sum of
its terms'. Cells a source gave as a symbol are unknown to everyone: they are published as the symbol and stay in
the lines as unknowns of at least 0 (where a source gives the rest of a total in a row of its own, the known total
still adds up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard.domain.disclosure import Line
from dashboard.domain.reference import FULL_YEAR, SYMBOL_ORDER, TERMS
from dashboard.publish.registry import (
    HOME_KEYS,
    KEY_COLUMNS,
    PARENTS,
    READ_FROM,
    Count,
    Family,
    canonical,
    families_of,
    implied_by,
)

# Which fact column holds each of a count's own dimensions: a dimension no row gives is not recorded that year.
# A phase is a column of the fact rows once the school is joined; the rest are read as the registry says.
# A decile is a column of its own too: areas loaded without deprivation deciles do not record it.
SOURCE_OF = {**{d: source for d, source in READ_FROM.items() if d != "term"}, "phase": "phase", "decile": "decile"}


@dataclass
class CountYear:
    """The cells of one count in one academic year, with the lines between them."""

    count: Count
    year: str
    cells: pd.DataFrame  # family, term (None for the year), the key columns, value (NaN if unknown), symbol
    lines: list[Line]
    not_recorded: dict[str, str] = field(default_factory=dict)  # family name -> the dimension no row gives


def read_facts(con: duckdb.DuckDBPyConnection, counts: list[Count], year: str | None = None) -> dict[str, pd.DataFrame]:
    """Every fact row of each count (of one academic year, if given) with its places resolved: year, term, key
    columns, value, symbol rank, rest flag.

    Counts read from the same rows (one table, condition, terms and dimensions) share one query: a region's five
    attendance counts were five reads of the same 1.7 million joined rows, most of it their text made into pandas.
    """
    groups: dict[tuple, list[Count]] = {}
    for count in counts:
        groups.setdefault((count.table, count.condition, count.termly, count.dimensions), []).append(count)
    found = {}
    for members in groups.values():
        sql = _facts_sql(con, members, one_year=year is not None)
        frame = _frame(con.sql(sql, params=None if year is None else {"year": year}).to_arrow_table())
        if members[0].table == "exclusion_reason":
            frame["phase"] = frame["phase"].replace("", None)
        keys = [c for c in frame.columns if not c.startswith(("value_", "symbol_rank_")) and c != "rest"]
        for i, count in enumerate(members):
            found[count.id] = frame[keys].assign(
                value=frame[f"value_{i}"], symbol_rank=frame[f"symbol_rank_{i}"], rest=frame["rest"]
            )
    return found


def fact_years(con: duckdb.DuckDBPyConnection, counts: list[Count]) -> dict[str, list[str]]:
    """The academic years each count has fact rows in, in order (a count with none is left out)."""
    years = {}
    for count in counts:
        rows = con.sql(f"SELECT DISTINCT academic_year FROM {count.table} f WHERE {count.condition}").fetchall()
        if rows:
            years[count.id] = sorted(str(year) for (year,) in rows)
    return years


# Nullable pandas types for arrow's integers and booleans, as duckdb's own .df() gives a column with a NULL.
NULLABLE = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def _frame(table: pa.Table) -> pd.DataFrame:
    """The frame duckdb's .df() gives of a result, by way of arrow, which does not make a Python string of every
    text cell on the way (read so, six LAs' facts raised a process's peak by 540 MB to keep 190 MB; by arrow,
    by 185 MB). The same columns and types: a column of integers or booleans with a NULL nullable, one of text
    with nothing but NULLs objects."""
    columns = {}
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_string(column.type) and column.null_count == len(column):
            columns[name] = pd.Series([None] * len(column), dtype=object)
        elif column.null_count and column.type in NULLABLE:
            columns[name] = column.to_pandas(types_mapper=NULLABLE.get)
        else:
            columns[name] = column.to_pandas()
    return pd.DataFrame(columns)


def _facts_sql(con: duckdb.DuckDBPyConnection, counts: list[Count], one_year: bool = False) -> str:
    """The query of counts read from the same rows: the rows' keys, then value_i and symbol_rank_i of the i-th count
    (of the year given as the parameter $year, if one_year)."""
    count = counts[0]
    where = f"({count.condition})" + (" AND f.academic_year = $year" if one_year else "")
    ranks = "[" + ", ".join(f"'{s}'" for s in SYMBOL_ORDER) + "]"
    # Pupil-level extracts carry no symbols column: no count of theirs was given as a symbol.
    has_symbols = "symbols" in con.execute(f"SELECT * FROM {count.table} LIMIT 0").df().columns
    symbols = "f.symbols" if has_symbols else "NULL::VARCHAR"
    values = ", ".join(
        f"f.{c.column} AS value_{i}, "
        f"list_position({ranks}, regexp_extract({symbols}, '(^|;){c.column}=([a-z]+)', 2)) AS symbol_rank_{i}"
        for i, c in enumerate(counts)
    )
    if count.table == "exclusion_reason":
        # Reasons come by school (their phase is the school's) or by phase; phase '' holds the rest of a total.
        phase = "coalesce(s.phase, CAST(f.phase AS VARCHAR), '')"
        return (
            f"SELECT f.academic_year AS year, '{FULL_YEAR}' AS term, {phase} AS phase, "
            f"f.reason, {values}, {phase} = '' AS rest "
            f"FROM exclusion_reason f LEFT JOIN school s USING (urn) WHERE {where}"
        )
    area = "f.area_code" if count.table == "fact_population" else "f.home_area_code"
    school = "f.urn" if "school" in count.dimensions else "NULL"
    term = "f.term" if count.termly else f"'{FULL_YEAR}'"
    # A column left empty in every row of a CSV arrives as a number type; codes are always text.
    sen = "CAST(f.sen_provision AS VARCHAR)" if "sen" in count.dimensions else "NULL::VARCHAR"
    need = "CAST(f.primary_need AS VARCHAR)" if "need" in count.dimensions else "NULL::VARCHAR"
    return (
        f"SELECT f.academic_year AS year, {term} AS term, a.area_code AS area, a.ward_code AS ward, "
        f"a.locality_code AS locality, CAST(a.idaci_decile AS VARCHAR) AS decile, s.urn AS school, "
        f"s.cluster_code AS cluster, c.locality_code AS school_locality, "
        f"s.phase, {sen} AS sen, {need} AS need, n.broad_area, {values}, "
        f"{school} IS NULL AND {'TRUE' if 'school' in count.dimensions else 'FALSE'} AS rest "
        f"FROM {count.table} f LEFT JOIN area a ON a.area_code = {area} "
        f"LEFT JOIN school s ON s.urn = {school} LEFT JOIN cluster c ON c.cluster_code = s.cluster_code "
        f"LEFT JOIN need n ON n.need_code = {need} WHERE {where}"
    )


def count_year(count: Count, year: str, facts: pd.DataFrame, families: list[Family] | None = None) -> CountYear:
    """The cells and lines of one count in one year, for the families given (by default every family of the count)."""
    families = families_of(count.id) if families is None else families
    rows = _Rows(facts[facts["year"] == year].reset_index(drop=True))
    recorded = {dim for dim in set(SOURCE_OF.values()) if dim in rows.frame and rows.frame[dim].notna().any()}
    not_recorded, published = {}, []
    for family in families:
        missing = [d for d in family.dims if SOURCE_OF[d] not in recorded]
        if missing:
            not_recorded[family.name] = SOURCE_OF[missing[0]]
        else:
            published.append(family)
    terms = [t for t in TERMS if count.termly and (rows.frame["term"] == t).any()]
    periods = [(FULL_YEAR, f) for f in published] + [(t, f) for t in terms for f in published if count.id in f.by_term]
    parts, membership, offset = [], {}, 0
    for term, family in periods:
        in_period = np.flatnonzero(rows.term == term)
        columns, cell_of_row = rows.group(in_period, family)
        size = len(columns["value"])
        columns["family"] = np.full(size, family.name, dtype=object)
        columns["term"] = np.full(size, None if term == FULL_YEAR else term, dtype=object)
        membership[(term, family.name)] = (in_period, cell_of_row + offset)
        parts.append(columns)
        offset += size
    order = ["family", "term", *KEY_COLUMNS, "value", "symbol", "published"]
    # One frame per count and year, its text columns said to be objects (pandas would infer Arrow strings).
    cells = pd.DataFrame(
        {
            name: pd.Series(
                np.concatenate([part[name] for part in parts]) if parts else [],
                dtype=float if name == "value" else bool if name == "published" else object,
            )
            for name in order
        }
    )
    lines = _lines(count, cells, membership, published, terms)
    return CountYear(count, year, cells, _useful_lines(lines), not_recorded)


class _Rows:
    """One year's fact rows, each key column coded as integers once so every family groups them cheaply."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.value = pd.to_numeric(frame["value"], errors="coerce").to_numpy(float)
        self.rank = pd.to_numeric(frame["symbol_rank"], errors="coerce").fillna(0).to_numpy(int)
        self.rest = frame["rest"].to_numpy(bool)
        self.term = frame["term"].to_numpy(object)
        self.codes, self.labels = {}, {}
        for column in KEY_COLUMNS:
            if column in frame:
                # Missing keys (outside the borough, not given by school) are a value of their own.
                codes, _ = pd.factorize(frame[column], use_na_sentinel=False)
                self.codes[column] = codes
                self.labels[column] = frame[column].astype(object).where(frame[column].notna(), None).to_numpy(object)

    def straddles(self, key: str, column: str) -> np.ndarray:
        """For each code of key, True when its rows that year hold more than one value of column (a coarser place)."""
        width = int(self.codes[column].max()) + 1
        pairs = np.unique(self.codes[key].astype(np.int64) * width + self.codes[column])
        return np.bincount(pairs // width, minlength=int(self.codes[key].max()) + 1) > 1

    def group(self, rows: np.ndarray, family: Family) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The family's cells from these rows (in key order) as named arrays, and each row's cell."""
        keys = list(family.dims)
        carried = sorted(set().union(*(implied_by(d) for d in keys)) - set(keys), key=KEY_COLUMNS.index) if keys else []
        if keys:
            combined = np.zeros(len(rows), dtype=np.int64)
            for k in keys:  # one integer per key combination, column by column
                combined = combined * (int(self.codes[k].max()) + 1) + self.codes[k][rows]
            _, first, cell = np.unique(combined, return_index=True, return_inverse=True)
        else:
            first, cell = np.zeros(min(len(rows), 1), dtype=int), np.zeros(len(rows), dtype=int)
        size = len(first)
        values = self.value[rows]
        known = ~np.isnan(values)
        total = np.bincount(cell, weights=np.where(known, values, 0.0), minlength=size)
        any_known = np.bincount(cell, weights=known.astype(float), minlength=size) > 0
        rank = np.zeros(size, dtype=int)
        np.maximum.at(rank, cell, self.rank[rows])
        rest = self.rest[rows]
        if rest.any():
            # A group with a row for the rest of a total is complete: only the rest row's own symbol stands for it.
            rest_rank = np.zeros(size, dtype=int)
            np.maximum.at(rest_rank, cell[rest], self.rank[rows][rest])
            with_rest = np.bincount(cell, weights=rest.astype(float), minlength=size) > 0
            rank = np.where(with_rest, rest_rank, rank)
        columns = {
            column: self.labels[column][rows][first] if column in keys + carried else np.full(size, None, dtype=object)
            for column in KEY_COLUMNS
        }
        for column in carried:
            # A place that lies across two places of a coarser dimension (a ward across two localities) is in none
            # of them: its cells carry no value there.
            across = np.zeros(size, dtype=bool)
            for key in (k for k in keys if column in implied_by(k)):
                across |= self.straddles(key, column)[self.codes[key][rows][first]]
            columns[column] = np.where(across, None, columns[column])
        columns["value"] = np.where(any_known & (rank == 0), total, np.nan)
        columns["symbol"] = np.array([SYMBOL_ORDER[r - 1] if r > 0 else None for r in rank], dtype=object)
        # Pupils living outside the borough are a place like any other: published broken down (by need, say), so
        # each such cell is protected, and can cover its neighbours, as a locality's can. The rest of a total a
        # source does not give school by school or by phase is a different rest in each source: broken down, it is
        # not published, but a small one is still protected (the total less the parts would give it away).
        given = [np.array([v is not None or k in HOME_KEYS for v in columns[k]], dtype=bool) for k in keys]
        columns["published"] = np.logical_and.reduce(given) if len(keys) >= 2 else np.ones(size, dtype=bool)
        if keys:
            # Cells in key order, missing keys last, so the choice of secondary cells is the same every time.
            order = np.lexsort(
                tuple(np.array(["\uffff" if v is None else str(v) for v in columns[k]]) for k in reversed(keys))
            )
            rank_of = np.empty(size, dtype=int)
            rank_of[order] = np.arange(size)
            columns = {name: values[order] for name, values in columns.items()}
            cell = rank_of[cell]
        return columns, cell


def _coarser(family: Family, names: set[str]) -> list[str]:
    """The declared families one step coarser than family (through undeclared ones in between)."""
    found, frontier, seen = [], [family.dims], set()
    while frontier:
        dims = frontier.pop()
        for i, dim in enumerate(dims):
            rest = dims[:i] + dims[i + 1 :]
            # A small area fixes its ward and its decile at once: a ward's cell of one decile is a sum of areas too.
            parents = PARENTS.get(dim, ())
            combos = [set(c) for size in range(1, len(parents) + 1) for c in combinations(parents, size)]
            for step in [rest] + [canonical(set(rest) | combo) for combo in combos]:
                step = canonical(step)
                if step in seen:
                    continue
                seen.add(step)
                name = "|".join(step) or "borough"
                if name in names:
                    found.append(name)
                else:
                    frontier.append(step)
    return found


def _lines(
    count: Count, cells: pd.DataFrame, membership: dict, published: list[Family], terms: list[str]
) -> list[Line]:
    names = {family.name for family in published}
    lines = []
    for term in [FULL_YEAR, *terms]:
        for family in published:
            if (term, family.name) not in membership:
                continue
            rows, fine = membership[(term, family.name)]
            for coarse_name in _coarser(family, names):
                if (term, coarse_name) not in membership:
                    continue
                coarse_rows, coarse = membership[(term, coarse_name)]
                lines += _pairs_to_lines(fine, coarse)
    if count.terms_add_up and terms:
        # A year's cell is the sum of the same cell in each term, where that is true: a source may give some terms
        # only, and a reader who assumes the year adds up can only use it where it does.
        values = cells["value"].to_numpy(float)
        complete = set(terms) == set(TERMS)
        keys = [tuple(row) for row in cells[["family", *KEY_COLUMNS]].astype(object).fillna("").itertuples(index=False)]
        years = {key: i for key, i, term in zip(keys, cells.index, cells["term"]) if term is None or term != term}
        by_key: dict[tuple, list[int]] = {}
        for key, i, term in zip(keys, cells.index, cells["term"]):
            if isinstance(term, str) and key in years:
                by_key.setdefault(key, []).append(int(i))
        for key, children in by_key.items():
            parent, parts = int(years[key]), values[children]
            known = not np.isnan(parts).any() and not np.isnan(values[parent])
            if (known and parts.sum() == values[parent]) or (not known and complete):
                lines.append(Line(parent, tuple(children)))
    return list(dict.fromkeys(lines))


def _pairs_to_lines(fine: np.ndarray, coarse: np.ndarray) -> list[Line]:
    """Lines from each row's fine and coarse cell: every coarse cell is the sum of the fine cells its rows fall in,
    unless one of those lies partly in another coarse cell too (a ward across two localities): then no line."""
    width = int(fine.max()) + 1
    pairs = np.unique(coarse.astype(np.int64) * width + fine)
    straddling = np.bincount(pairs % width, minlength=width) > 1
    pairs = pairs[~np.isin(pairs // width, pairs[straddling[pairs % width]] // width)]
    if not len(pairs):
        return []
    parents, children = pairs // width, pairs % width
    splits = np.flatnonzero(np.diff(parents)) + 1
    return [
        Line(int(group_parents[0]), tuple(int(c) for c in group_children))
        for group_parents, group_children in zip(np.split(parents, splits), np.split(children, splits))
    ]


def _useful_lines(lines: list[Line]) -> list[Line]:
    """Lines that say something: a cell that is its own only part (one small area in a ward) adds nothing."""
    return [line for line in lines if line.children != (line.parent,)]
