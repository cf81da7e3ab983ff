"""A second attacker on a published version, written apart from the protection, for the tests to check it with.

It reads nothing but the `published` table (and the registry's plain declarations) and does what a determined
reader could: for each academic year and each group of related counts (`registry.related_counts()`), it writes
everything it can justify as one linear program over the cells it cannot see, and asks how far each hidden count
can move. What it writes, each kind of row a "rule" with a label (so a contradiction can name it):

- sums: a cell of a coarser family is the sum of the cells of any finer family inside it (same count and period);
  family G is coarser than F when each dimension of G is one of F's or implied by one (`registry.implied_by`);
- terms: where a count's terms add up, a year's cell is the sum of its terms' cells (plus a rest of at least 0
  when the year's published terms are not all of TERMS);
- the registry's RELATIONS, cell by cell: at most (severe <= persistent <= enrolments, sessions possible <= 380 x
  enrolments...), a year at least each of its terms, a year at most the sum of its terms (where all terms are
  published for the cell), and twins ("same", "same_over_terms"): two counts, or a year and its terms, are one
  figure in a year when some pair is shown on both sides and every such pair agrees;
- bounds: a 'suppressed' count is at least 1 (zeros are never hidden); a 'not published' part of a total, a
  source's symbol and a year's rest are at least 0; a shown cell is its value.

The guarantee it checks, for every 'suppressed' cell: with [low, high] the cell's range over the program, rounded
inwards to whole numbers, the range is at least 2 wide and reaches above the threshold. A program with no solution
means the reader's assumptions contradict the published figures: that raises `ReaderContradiction` rather than
being skipped (an attacker that gave up there would certify anything). A caller who wants the rest of the version
attacked anyway can ask the reader to drop the rules the figures contradict, and is told which (`dropped`).

Most hidden cells are certified without a solve of their own: any feasible solution is a point of the program, so
the values a cell takes across the solutions found so far lie inside its true range; a cell whose values found
already keep the guarantee is safe. The rest get their exact maximum, and minimum where still needed.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from dashboard.domain.reference import TERMS
from dashboard.domain.status import NOT_PUBLISHED, SHOWN, SUPPRESSED
from dashboard.publish.registry import COUNTS, FAMILIES, KEY_COLUMNS, RELATIONS, implied_by, related_counts

# Solutions are floating point: a bound within this of a whole number counts as that number.
TOLERANCE = 1e-6
# How a full year's cell and a year's unknown rest are keyed here (the published term is NULL for the year).
YEAR, REST = "", "rest of the year"
# A NULL key is a value of its own: locality NULL is the pupils living outside the borough, a real cell. (Not
# "\x00": numpy's fixed-width strings drop trailing NULs.)
NULL = "<null>"
CELL_COLUMNS = ["count", "family", "term", *KEY_COLUMNS]
# At most this many cheap rounds (one linear program over the whole year each) before exact solves cell by cell.
ROUNDS = 30
# When the figures contradict the program and the caller asked for the rest anyway, the kind of rule given up
# first: the least certain assumptions first, the sums (the registry's own hierarchies) last.
TRUST = ("same_over_terms", "same", "year_at_most_sum_of_terms", "year_at_least_each_term", "at_most", "terms", "sum")


@dataclass(frozen=True)
class Finding:
    """A hidden count the reader can narrow too far: where it is, its range, and how it breaks the guarantee.

    kind: 'pinned' (low == high), 'narrowed' (high - low < 2) or 'small' (proved to lie in 1..threshold); None in
    `intervals` for a cell that keeps the guarantee.
    """

    count: str
    family: str
    year: str
    term: str | None
    keys: dict
    low: float
    high: float
    kind: str | None


class ReaderContradiction(ValueError):
    """The reader's program has no solution: what they assume contradicts the published figures.

    rules: the labels of the rules involved; definite: True when rows between shown cells alone fail (those
    rules are contradicted outright), False when a part of the program is infeasible (one of its rules is wrong).
    """

    def __init__(self, message: str, year: str, rules: set[str], definite: bool):
        super().__init__(message)
        self.year, self.rules, self.definite = year, rules, definite


def read_published(db_path) -> pd.DataFrame:
    """The `published` table of a warehouse version, read read-only."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("SELECT * FROM published").df()
    finally:
        con.close()


def read_threshold(db_path) -> int:
    """The threshold a warehouse version was protected for (table `publication`)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return int(con.execute("SELECT threshold FROM publication").fetchone()[0])
    finally:
        con.close()


def verdict(low: float, high: float, threshold: int) -> str | None:
    """How a hidden count with this range breaks the guarantee ('pinned', 'narrowed', 'small'), or None if safe."""
    low_whole = math.ceil(low - TOLERANCE)
    high_whole = math.inf if math.isinf(high) else math.floor(high + TOLERANCE)
    if high_whole == low_whole:
        return "pinned"
    if high_whole - low_whole < 2:
        return "narrowed"
    if high_whole <= threshold:
        return "small"
    return None


def verdict_unpublished(low: float, high: float, threshold: int) -> str | None:
    """How a part of a total that is never published breaks the guarantee: proved to be a small count (1 to the
    threshold), 'pinned' if exactly. It may be 0, so a range reaching 0 proves nothing."""
    low_whole = math.ceil(low - TOLERANCE)
    high_whole = math.inf if math.isinf(high) else math.floor(high + TOLERANCE)
    if low_whole >= 1 and high_whole <= threshold:
        return "pinned" if low_whole == high_whole else "small"
    return None


def systems(counts=None) -> list[frozenset[str]]:
    """The groups of related counts solved as one program per year (those holding any of counts, if given)."""
    wanted = set(counts) if counts is not None else None
    return [group for group in related_counts() if wanted is None or group & wanted]


def attack(
    published: pd.DataFrame,
    threshold: int,
    years=None,
    counts=None,
    relations=None,
    dropped: list | None = None,
    timings: dict | None = None,
) -> list[Finding]:
    """Every suppressed count that breaks the guarantee, for every year (or those given) and every group of
    related counts (or the groups holding the counts given).

    relations: the kinds of RELATIONS the reader uses (all by default; sums and terms always).
    dropped: None (the default) raises ReaderContradiction where a year's program is infeasible. A list instead
    lets the reader give up the rules the figures contradict (least trusted first, see TRUST) and go on; each
    (year, rules given up, the contradiction) is appended to it.
    timings: if given, filled with (seconds, exact solves) per (year, group).
    """
    found = []
    for year in _years(published, years):
        in_year = published[published["academic_year"] == year]
        for group in systems(counts):
            started = time.perf_counter()
            program, ranges = _solve_year(in_year, year, group, relations, threshold, False, dropped)
            statuses = program.cells["status"].to_numpy(object)
            for cell, low, high in ranges:
                judge = verdict if statuses[cell] == SUPPRESSED else verdict_unpublished
                kind = judge(low, high, threshold)
                if kind:
                    found.append(program.finding(cell, low, high, kind))
            if timings is not None:
                timings[(year, tuple(sorted(group)))] = (time.perf_counter() - started, program.exact_solves)
    return found


def intervals(
    published: pd.DataFrame, year: str, counts=None, threshold: int = 4, relations=None, dropped: list | None = None
) -> pd.DataFrame:
    """Every suppressed or never-published cell of a year (in the groups holding counts, if given) with its exact low
    and high.

    relations and dropped as for attack; threshold only sets the kind. Columns: count, family, term, the key
    columns (None where NULL), low, high, kind (None where the cell keeps the guarantee).
    """
    rows = []
    in_year = published[published["academic_year"] == year]
    for group in systems(counts):
        program, ranges = _solve_year(in_year, year, group, relations, threshold, True, dropped)
        statuses = program.cells["status"].to_numpy(object)
        for cell, low, high in ranges:
            judge = verdict if statuses[cell] == SUPPRESSED else verdict_unpublished
            finding = program.finding(cell, low, high, judge(low, high, threshold))
            keys = {k: finding.keys.get(k) for k in KEY_COLUMNS}
            rows.append({"count": finding.count, "family": finding.family, "term": finding.term, **keys})
            rows[-1].update(low=low, high=high, kind=finding.kind)
    return pd.DataFrame(rows, columns=["count", "family", "term", *KEY_COLUMNS, "low", "high", "kind"])


def _solve_year(in_year, year, group, relations, threshold, exact, dropped):
    """The program of one year and group and its ranges, giving up contradicted rules only if dropped is a list."""
    given_up: set[str] = set()
    while True:
        program = _Program(in_year, year, group, relations, given_up)
        try:
            return program, program.ranges(threshold, exact)
        except ReaderContradiction as contradiction:
            if dropped is None:
                raise
            rules = contradiction.rules - given_up
            if not contradiction.definite:
                # Which rule of an infeasible part is wrong is not known: give up its least trusted kind.
                kinds = {_kind(rule) for rule in rules}
                first = next((kind for kind in TRUST if kind in kinds), None)
                rules = {rule for rule in rules if _kind(rule) == first}
            if not rules:
                raise
            given_up |= rules
            dropped.append((year, sorted(rules), str(contradiction)))


def _kind(rule: str) -> str:
    return rule.split(" ", 1)[0]


def _years(published: pd.DataFrame, years) -> list[str]:
    present = sorted(published["academic_year"].dropna().unique())
    return present if years is None else [y for y in present if y in set(years)]


def _closure(dims) -> set[str]:
    return set(dims).union(*(implied_by(d) for d in dims)) if dims else set()


def fine_dims(name: str) -> tuple[str, ...]:
    """A family's own dimensions."""
    return next(family.dims for family in FAMILIES if family.name == name)


# For each family, the families coarser than it: each of their dimensions is one of its own or implied by one.
COARSER = {
    fine.name: [coarse for coarse in FAMILIES if coarse.name != fine.name and set(coarse.dims) <= _closure(fine.dims)]
    for fine in FAMILIES
}


@dataclass
class _Rows:
    """The reader's rows, each sum(coefficient x cell) = 0 (equal) or <= 0, as one entry per cell in a row.

    Rows of a rule in `given_up` are not written.
    """

    given_up: set = field(default_factory=set)
    row: list = field(default_factory=list)
    cell: list = field(default_factory=list)
    coef: list = field(default_factory=list)
    equal: list = field(default_factory=list)
    rule: list = field(default_factory=list)
    size: int = 0

    def add(self, row, cell, coef, rows: int, equal: bool, rule: str) -> None:
        """Entries of `rows` new rows of one rule, the rows numbered from 0 in row."""
        if rule in self.given_up or not rows:
            return
        self.row.append(np.asarray(row, dtype=np.int64) + self.size)
        self.cell.append(np.asarray(cell, dtype=np.int64))
        self.coef.append(np.asarray(coef, dtype=float))
        self.equal.append(np.full(rows, equal))
        self.rule.append(np.full(rows, rule, dtype=object))
        self.size += rows

    def totals(self, parent, child, equal: bool, rule: str) -> None:
        """Rows 'parent = sum of its children' (or <= where not equal), from one (parent, child) pair per child."""
        child = np.asarray(child, dtype=np.int64)
        row, parents = pd.factorize(np.asarray(parent, dtype=np.int64))
        n = len(parents)
        self.add(
            np.concatenate([np.arange(n), row]),
            np.concatenate([parents, child]),
            np.concatenate([np.ones(n), -np.ones(len(child))]),
            n,
            equal,
            rule,
        )

    def pairs(self, a, b, factor: float, equal: bool, rule: str) -> None:
        """Rows 'a = b' (equal) or 'a <= factor x b', one per pair."""
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        n = len(a)
        self.add(
            np.concatenate([np.arange(n), np.arange(n)]),
            np.concatenate([a, b]),
            np.concatenate([np.ones(n), np.full(n, -factor)]),
            n,
            equal,
            rule,
        )

    def arrays(self):
        """All entries (row, cell, coefficient) and, per row, whether it is an equality and its rule."""
        if not self.size:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0), np.zeros(0, dtype=bool), np.zeros(0, dtype=object)
        return tuple(np.concatenate(part) for part in (self.row, self.cell, self.coef, self.equal, self.rule))


class _Program:
    """What the reader can write about one year of one group of related counts, and its ranges."""

    def __init__(self, in_year: pd.DataFrame, year: str, counts: frozenset[str], relations=None, given_up=()):
        self.year, self.counts = year, counts
        self.kinds = {r.kind for r in RELATIONS} if relations is None else set(relations)
        self.exact_solves = 0
        cells = in_year[in_year["count"].isin(counts)]
        cells = cells[CELL_COLUMNS + ["value", "status"]].copy().reset_index(drop=True)
        cells["term"] = cells["term"].astype(object).where(cells["term"].notna(), YEAR)
        for column in KEY_COLUMNS:
            cells[column] = cells[column].astype(object).where(cells[column].notna(), NULL)
        duplicated = cells.duplicated(CELL_COLUMNS).to_numpy()
        if duplicated.any():
            raise ValueError(f"{year}: the published table holds a cell twice: {_describe(cells, duplicated)}")
        # One number per family and keys, shared by every count and period: what relations pair cells by.
        cells["place"] = cells.groupby(["family", *KEY_COLUMNS], sort=False).ngroup() if len(cells) else []
        self.cells = cells
        self.rows = _Rows(set(given_up))
        self._sums()
        self._relations()
        self._terms()  # last: it adds the years' rests as cells of their own

    # --- What the reader writes -------------------------------------------------------------------------------

    def _sums(self) -> None:
        cells = self.cells
        by_family = cells.groupby("family").indices
        for fine_name, coarser in COARSER.items():
            if fine_name not in by_family:
                continue
            fine = cells.iloc[by_family[fine_name]]
            for coarse in coarser:
                if coarse.name not in by_family:
                    continue
                on = ["count", "term", *coarse.dims]
                # The fine cell's coarse key is read from its own columns: a row carries the columns its key implies.
                # A cell placed by its own key but in no one coarse cell (a ward across two localities carries no
                # locality) is part of totals the reader cannot name: this pair of families gives no rows.
                placed = (fine[list(fine_dims(fine_name))] != NULL).all(axis=1)
                if (fine.loc[placed, list(coarse.dims)] == NULL).any(axis=None):
                    continue
                parents = cells.iloc[by_family[coarse.name]][on].assign(parent=by_family[coarse.name])
                matched = fine[on].assign(child=fine.index).merge(parents, on=on, how="inner")
                for count, part in matched.groupby("count"):
                    self.rows.totals(part["parent"], part["child"], True, f"sum {coarse.name} < {fine_name} [{count}]")

    def _relations(self) -> None:
        cells = self.cells
        for relation in RELATIONS:
            if not set(relation.counts) <= self.counts or relation.kind not in self.kinds:
                continue
            rule = f"{relation.kind} [{'/'.join(relation.counts)}]"
            if relation.kind in ("at_most", "same"):
                first, second = relation.counts
                # The rest of a total a source does not give by school or phase is that source's own rest: two
                # counts' rests are not one figure. Pupils living outside the borough are the same pupils in both.
                paired = cells if relation.kind == "at_most" else cells[~self._rest()]
                left = paired.loc[paired["count"] == first, ["place", "term"]].assign(a=lambda f: f.index)
                right = paired.loc[paired["count"] == second, ["place", "term"]].assign(b=lambda f: f.index)
                pairs = left.merge(right, on=["place", "term"])
                if relation.kind == "at_most":
                    self.rows.pairs(pairs["a"], pairs["b"], relation.factor, False, rule)
                else:
                    self._twins(pairs["a"].to_numpy(), pairs["b"].to_numpy(), rule)
                continue
            (count,) = relation.counts
            terms = self._year_and_terms(count)
            if relation.kind == "year_at_least_each_term":
                self.rows.pairs(terms["term_cell"], terms["year_cell"], 1.0, False, rule)
            elif relation.kind == "year_at_most_sum_of_terms":
                # Only where every term is published for the cell: a missing term could hold the rest.
                whole = terms[terms.groupby("year_cell")["term"].transform("nunique").to_numpy() == len(TERMS)]
                self.rows.totals(whole["year_cell"], whole["term_cell"], False, rule)
            elif relation.kind == "same_over_terms":
                self._twins(terms["year_cell"].to_numpy(), terms["term_cell"].to_numpy(), rule)
            else:
                raise ValueError(f"the attacker does not know the relation kind {relation.kind!r}")

    def _rest(self) -> pd.Series:
        """Cells that are the rest of a total not given by one of their family's dimensions other than a home
        place (an LA's figure not given school by school, say)."""
        rest = pd.Series(False, index=self.cells.index)
        for name, rows in self.cells.groupby("family").groups.items():
            for dim in (d for d in fine_dims(name) if d not in ("area", "ward", "locality")):
                rest.loc[rows] |= self.cells.loc[rows, dim].isna()
        return rest

    def _twins(self, a: np.ndarray, b: np.ndarray, rule: str) -> None:
        """Equalities between paired cells, if some pairs are shown on both sides and all of those agree."""
        status, value = self.cells["status"].to_numpy(object), self.cells["value"].to_numpy(float)
        both = (status[a] == SHOWN) & (status[b] == SHOWN)
        if not both.any() or np.any(np.abs(value[a][both] - value[b][both]) > TOLERANCE):
            return
        self.rows.pairs(a[~both], b[~both], 1.0, True, rule)

    def _year_and_terms(self, count: str) -> pd.DataFrame:
        """Each of a count's term cells (term_cell, term) with the year cell of the same family and keys."""
        cells = self.cells[self.cells["count"] == count]
        years = cells.loc[cells["term"] == YEAR, ["place"]].assign(year_cell=lambda f: f.index)
        terms = cells.loc[cells["term"].isin(TERMS), ["place", "term"]].assign(term_cell=lambda f: f.index)
        return terms.merge(years, on="place")

    def _terms(self) -> None:
        for count in sorted(self.counts):
            if count not in COUNTS or not COUNTS[count].terms_add_up:
                continue
            terms = self._year_and_terms(count)
            if terms.empty or f"terms [{count}]" in self.rows.given_up:
                continue
            parent, child = terms["year_cell"].to_numpy(), terms["term_cell"].to_numpy()
            if set(self.cells.loc[self.cells["count"] == count, "term"]) & set(TERMS) != set(TERMS):
                # The year lacks some terms: each year cell with terms gets an unknown rest of at least 0.
                owners = np.unique(parent)
                rests = self.cells.loc[owners].assign(term=REST, status=REST, value=np.nan)
                rests.index = np.arange(len(self.cells), len(self.cells) + len(owners))
                self.cells = pd.concat([self.cells, rests])
                parent, child = np.concatenate([parent, owners]), np.concatenate([child, rests.index.to_numpy()])
            self.rows.totals(parent, child, True, f"terms [{count}]")

    # --- The linear program --------------------------------------------------------------------------------------

    def ranges(self, threshold: int, exact: bool) -> list[tuple[int, float, float]]:
        """(cell, low, high) for the suppressed cells solved exactly: all of them if exact, else those the cheap
        rounds could not certify. Raises ReaderContradiction if the program has no solution."""
        status = self.cells["status"].to_numpy(object)
        value = self.cells["value"].to_numpy(float)
        shown = status == SHOWN
        variable = np.full(len(status), -1, dtype=np.int64)
        variable[~shown] = np.arange(int((~shown).sum()))
        cell_of = np.flatnonzero(~shown)
        row, cell, coef, equal, rule = self.rows.arrays()
        # A shown cell is a constant: its part of each row moves to the right-hand side.
        known = shown[cell]
        constant = np.bincount(row[known], weights=coef[known] * value[cell[known]], minlength=self.rows.size)
        has_unknown = np.bincount(row[~known], minlength=self.rows.size) > 0
        self._check_constants(row, cell, equal, rule, constant, has_unknown)
        if not len(cell_of):
            return []
        kept = np.flatnonzero(has_unknown)
        renumbered = np.full(self.rows.size, -1, dtype=np.int64)
        renumbered[kept] = np.arange(len(kept))
        matrix = coo_matrix(
            (coef[~known], (renumbered[row[~known]], variable[cell[~known]])), shape=(len(kept), len(cell_of))
        ).tocsr()
        lower = np.where(status[cell_of] == SUPPRESSED, 1.0, 0.0)
        lp = _LP(matrix, -constant[kept], equal[kept], lower, rule[kept])
        # A part of a total that is never published is worked out like a hidden count: it too may be small.
        targets = np.flatnonzero(np.isin(status[cell_of], [SUPPRESSED, NOT_PUBLISHED]))
        try:
            found = lp.ranges(targets, threshold, exact)
        except _Infeasible as infeasible:
            members = np.zeros(len(self.cells), dtype=bool)
            members[cell_of[infeasible.variables]] = True
            raise ReaderContradiction(
                f"{self.year}, counts {sorted(self.counts)}: the reader's program is infeasible (the assumptions "
                f"contradict the published figures) in a part with {len(infeasible.variables)} unknown cells and "
                f"the rules {sorted(infeasible.rules)}; cells such as {_describe(self.cells, members)}",
                self.year,
                set(infeasible.rules),
                definite=False,
            ) from None
        self.exact_solves += lp.exact_solves
        return [(int(cell_of[v]), low, high) for v, low, high in found]

    def _check_constants(self, row, cell, equal, rule, constant, has_unknown) -> None:
        """Rows between shown cells only must hold as published, or the reader's assumptions are wrong."""
        scale = 1.0 + np.abs(constant)
        broken = ~has_unknown & np.where(equal, np.abs(constant) > TOLERANCE * scale, constant > TOLERANCE * scale)
        if not broken.any():
            return
        first = int(np.flatnonzero(broken)[0])
        members = np.zeros(len(self.cells), dtype=bool)
        members[cell[row == first]] = True
        raise ReaderContradiction(
            f"{self.year}, counts {sorted(self.counts)}: {int(broken.sum())} of the reader's rows between shown "
            f"cells do not hold (rules {sorted(set(rule[broken]))}), e.g. {rule[first]}: "
            f"{_describe(self.cells, members)}",
            self.year,
            set(rule[broken]),
            definite=True,
        )

    def finding(self, cell: int, low: float, high: float, kind: str | None) -> Finding:
        """A cell's range as a Finding."""
        row = self.cells.iloc[cell]
        return Finding(
            count=row["count"],
            family=row["family"],
            year=self.year,
            term=None if row["term"] == YEAR else row["term"],
            keys={k: row[k] for k in KEY_COLUMNS if row[k] != NULL},
            low=float(low),
            high=float(high),
            kind=kind,
        )


def _describe(cells: pd.DataFrame, members: np.ndarray, limit: int = 8) -> str:
    """Some cells in words, for an error message."""
    parts = []
    for _, row in cells[members].head(limit).iterrows():
        keys = ",".join(f"{k}={row[k]}" for k in KEY_COLUMNS if row[k] != NULL)
        shown = row["value"] if row["status"] == SHOWN else row["status"]
        parts.append(f"{row['count']} {row['family']} {row['term'] or 'year'} [{keys}] = {shown}")
    more = int(members.sum()) - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


class _Infeasible(Exception):
    def __init__(self, variables: np.ndarray, rules: set[str]):
        self.variables, self.rules = variables, rules


class _LP:
    """The reader's program over the unknown cells: rows (= or <=) with right-hand sides, and lower bounds."""

    def __init__(self, matrix: csr_matrix, rhs: np.ndarray, equal: np.ndarray, lower: np.ndarray, rule: np.ndarray):
        self.matrix, self.rhs, self.equal, self.lower, self.rule = matrix, rhs, equal, lower, rule
        self.exact_solves = 0
        size, rows = matrix.shape[1], matrix.shape[0]
        # Unknowns tied by a row are in one component, a program of its own (an unknown in no row is alone).
        graph = coo_matrix(
            (np.ones(matrix.nnz), (matrix.indices, size + np.repeat(np.arange(rows), np.diff(matrix.indptr)))),
            shape=(size + rows, size + rows),
        )
        _, label = connected_components(graph, directed=False)
        self.component, self.row_component = label[:size], label[size:]
        self._parts: dict = {}

    def _part(self, component: int | None):
        """(unknowns, A_eq, b_eq, A_ub, b_ub, rules) of one component, or of the whole program for None."""
        if component not in self._parts:
            if component is None:
                variables, rows = np.arange(self.matrix.shape[1]), np.arange(self.matrix.shape[0])
            else:
                variables = np.flatnonzero(self.component == component)
                rows = np.flatnonzero(self.row_component == component)
            sub = self.matrix[rows][:, variables]
            eq, ub = self.equal[rows], ~self.equal[rows]
            self._parts[component] = (
                variables,
                sub[eq] if eq.any() else None,
                self.rhs[rows][eq] if eq.any() else None,
                sub[ub] if ub.any() else None,
                self.rhs[rows][ub] if ub.any() else None,
                set(self.rule[rows]),
            )
        return self._parts[component]

    def _solve(self, component: int | None, objective: np.ndarray, upper: np.ndarray | None = None):
        """linprog on a part: (status, x, objective value); status 0 solved, 2 infeasible, 3 unbounded."""
        variables, a_eq, b_eq, a_ub, b_ub, _ = self._part(component)
        high = np.full(len(variables), np.inf) if upper is None else upper
        bounds = np.column_stack([self.lower[variables], high])
        for method in ("highs", "highs-ipm"):  # the interior point method only if the simplex gives up
            result = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method=method)
            if result.status in (0, 2, 3):
                return result.status, result.x, result.fun
        raise RuntimeError(f"linprog could not solve the reader's program: {result.message}")

    def ranges(self, targets: np.ndarray, threshold: int, exact: bool) -> list[tuple[int, float, float]]:
        """(unknown, low, high) for the targets solved exactly (all if exact, else those not certified cheaply)."""
        size = self.matrix.shape[1]
        # A point of the whole program: every unknown as small as it can be (the objective is separable, so this is
        # the same point as each component's own).
        status, start, _ = self._solve(None, np.ones(size))
        if status != 0:
            for component in np.unique(self.component):
                part = self._part(component)
                if self._solve(component, np.ones(len(part[0])))[0] != 0:
                    raise _Infeasible(part[0], part[5])
            raise _Infeasible(np.arange(size), set(self.rule))
        # Per target, the smallest and largest values seen at points of the program: inside its true range.
        low, high = start[targets].copy(), start[targets].copy()
        if exact:
            todo = range(len(targets))
        else:
            pending = ~_safe(low, high, threshold)
            for _ in range(ROUNDS):
                if not pending.any():
                    break
                # Push each pending target up to what would certify it, and no further, so that one cell's gain is
                # not bought with another's; the start point keeps every cap feasible.
                chosen = targets[pending]
                upper = np.full(size, np.inf)
                upper[chosen] = np.maximum.reduce(
                    [np.full(len(chosen), threshold + 1.0), np.ceil(low[pending] - TOLERANCE) + 2, start[chosen]]
                )
                objective = np.zeros(size)
                objective[chosen] = -1.0
                status, x, _ = self._solve(None, objective, upper)
                if status == 0:
                    low, high = np.minimum(low, x[targets]), np.maximum(high, x[targets])
                still = pending & ~_safe(low, high, threshold)
                progress = still.sum() < pending.sum()
                pending = still
                if not progress:
                    break
            todo = np.flatnonzero(pending)
        results = []
        for t in todo:
            if not exact and _safe(low[t : t + 1], high[t : t + 1], threshold)[0]:
                continue  # certified by a point found for another cell
            variable = int(targets[t])
            component = int(self.component[variable])
            variables = self._part(component)[0]
            local = np.searchsorted(variables, variable)
            # The targets in the same component, and where each sits in the component's points.
            inside = np.flatnonzero(self.component[targets] == component)
            position = np.searchsorted(variables, targets[inside])
            objective = np.zeros(len(variables))
            objective[local] = -1.0
            status, x, fun = self._solve(component, objective)
            self.exact_solves += 1
            if status == 0:
                top = -fun
                low[inside], high[inside] = np.minimum(low[inside], x[position]), np.maximum(high[inside], x[position])
            else:
                # The component has a point (the start), so no finite maximum: unbounded above.
                top = math.inf
            high[t] = max(high[t], top)
            if not exact and verdict(low[t], top, threshold) is None:
                continue
            objective[local] = 1.0
            status, x, fun = self._solve(component, objective)
            self.exact_solves += 1
            if status != 0:
                raise _Infeasible(variables, self._part(component)[5])
            low[inside], high[inside] = np.minimum(low[inside], x[position]), np.maximum(high[inside], x[position])
            results.append((variable, float(fun), float(top)))
        return results


def _safe(low: np.ndarray, high: np.ndarray, threshold: int) -> np.ndarray:
    """Per cell, True when a range containing [low, high] keeps the guarantee (the verdict, for arrays)."""
    low_whole = np.ceil(low - TOLERANCE)
    high_whole = np.floor(high + TOLERANCE)
    return (high_whole - low_whole >= 2) & (high_whole > threshold)
