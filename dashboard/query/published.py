"""Look-ups in the version's published cells: the only place the app reads counts from, protected at load."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.domain.status import NOT_PUBLISHED
from dashboard.publish.registry import (
    COUNTS,
    DIMENSIONS,
    FAMILIES_BY_NAME,
    KEY_COLUMNS,
    cut_name,
    implied_by,
)
from dashboard.store.warehouse import Warehouse, frame_bytes

# What each count's data is called in sentences about a gap in it.
DATA_WORDS = {
    "fact_census": "pupils on roll",
    "fact_exclusion": "exclusions",
    "fact_attendance": "attendance",
    "fact_ehcp": "EHC plans",
    "fact_population": "population",
    "exclusion_reason": "reasons for exclusion",
}
# What a source file may not say, by dimension.
GAP_WORDS = {
    "area": "where pupils live",
    "decile": "where pupils live (the deprivation decile of home)",
    "school": "which school",
    "sen": "SEN provision",
    "need": "primary need",
    "phase": "which phase",
    "reason": "the reason",
}


class NotApplicable(ValueError):
    """A measure cannot be cut this way (EHC plans per resident by school, say)."""


class NotOffered(NotApplicable):
    """The registry does not publish this cut: the sentence says where the view can be had instead."""


class NotRecorded(NotApplicable):
    """The loaded data do not record a breakdown this view needs (public files give no home area, say)."""

    def __init__(self, data: str, missing: str, year: str | None, measure_words: str):
        self.data, self.missing, self.year = data, missing, year
        self.gap = f"the {data} data{f' for {year}' if year else ''} do not say {missing}"
        super().__init__(f"{self.gap[0].upper()}{self.gap[1:]}, so the {measure_words} cannot be shown this way")


class NotPublished(RuntimeError):
    """The warehouse was loaded before publications were protected at load: it must be published to be served."""

    MESSAGE = (
        "This data was loaded by an earlier release, before every figure was protected once at load, so it is "
        "not served. Protect it with 'python -m dashboard.ingest publish' (or load the extracts again)."
    )

    def __init__(self):
        super().__init__(self.MESSAGE)


def publication(warehouse: Warehouse) -> dict:
    """The threshold the served version was protected at, when, and how. Raises NotPublished for an older version."""

    def build() -> dict:
        if not warehouse.columns("published") or not warehouse.columns("publication"):
            raise NotPublished()
        return warehouse.query("SELECT * FROM publication").iloc[0].to_dict()

    return warehouse.cached("publication", build)


def family_gaps(warehouse: Warehouse) -> dict[tuple[str, str, str], str]:
    """(count, family, year) -> why that family was not published that year (not recorded, or not protectable)."""

    def build() -> dict:
        publication(warehouse)
        frame = warehouse.query(
            "SELECT count, family, academic_year, reason FROM publication_family WHERE NOT published"
        )
        return {(r.count, r.family, r.academic_year): r.reason for r in frame.itertuples(index=False)}

    return warehouse.cached("family gaps", build)


def cells(
    warehouse: Warehouse, count: str, dims: tuple[str, ...], year: str | None, termly: bool, filters: dict[str, str]
) -> pd.DataFrame:
    """Published cells of a count's family: one year (or all, if year is None), years or terms, filtered by keys.

    Columns: year, term, the family's key columns (its dimensions and those they imply), value (blank unless shown)
    and status. Unpublished parts are left out. A look-up in the version's cells, held in memory by family where the
    whole publication fits; otherwise only the rows asked for are read, and kept as a large look-up.
    """
    if not fits(warehouse):
        return _rows(warehouse, count, cut_name(dims), year, termly, filters).copy()
    family = _cell_index(warehouse).get((count, cut_name(dims)), {}).get(termly)
    if family is None:
        return pd.DataFrame(columns=["year", "term", *dims, "value", "status"])
    frame = family.every if year is None else family.by_year.get(year)
    if frame is None:  # a year with no rows: none, with the columns (made only then: a look-up is hot)
        frame = family.every.iloc[0:0]
    if filters:
        keep = np.ones(len(frame), dtype=bool)
        for column, value in filters.items():
            if column not in frame:
                return frame.iloc[0:0]
            keep &= frame[column].to_numpy(object) == value
        frame = frame[keep]
    return frame.copy()


@dataclass(frozen=True)
class _Family:
    every: pd.DataFrame  # every year
    by_year: dict[str, pd.DataFrame]


def warm(warehouse: Warehouse) -> int:
    """Read the whole publication, as a worker starting up should, so no reader waits for a family (a school's mix by
    need, the expected counts' deprivation families), if it fits in the memory a worker's look-ups may hold; if not,
    nothing (each request reads only its own rows). Returns how many families were read."""
    return sum(len(parts) for parts in _cell_index(warehouse).values()) if fits(warehouse) else 0


# About how much memory a published cell takes in a worker's look-ups, its rates included: a county's 279,421 cells
# took 144 MB, a region's 447,096 took 231 MB.
BYTES_PER_CELL = 520


def fits(warehouse: Warehouse) -> bool:
    """True when the version's whole publication fits in the memory a worker's look-ups may hold: it is then read at
    once and kept whole (a borough, a county, a region); otherwise (England) each look-up reads only its own rows,
    kept as large look-ups, the least recently used dropped first."""

    def build() -> bool:
        publication(warehouse)
        cells = warehouse.query("SELECT count(*) AS n FROM published WHERE status <> ?", [NOT_PUBLISHED])["n"].iat[0]
        return int(cells) * BYTES_PER_CELL <= warehouse.lookup_bytes

    return warehouse.cached("publication fits", build)


def _rows(
    warehouse: Warehouse, count: str, family: str, year: str | None, termly: bool, filters: dict[str, str]
) -> pd.DataFrame:
    """The published cells a look-up asks for, read from the warehouse with only the family's own key columns, and
    kept as a large look-up: where the publication does not fit in memory (England), a map of one LA reads its few
    hundred cells, not the 200,000 of the family."""
    columns = _columns(family)
    if any(column not in columns for column in filters):  # a filter the family cannot follow: nothing matches
        return pd.DataFrame(columns=columns).astype({c: object for c in columns if c != "value"})

    def build() -> pd.DataFrame:
        publication(warehouse)
        where = ["count = ?", "family = ?", "status <> ?", f"term IS {'NOT ' if termly else ''}NULL"]
        params = [count, family, NOT_PUBLISHED]
        if year is not None:
            where.append("academic_year = ?")
            params.append(year)
        for column, value in sorted(filters.items()):  # the columns are the registry's own key columns
            where.append(f'"{column}" = ?')
            params.append(value)
        # Only the family's own columns (a publication from before one existed has none: blank, as nothing is cut by
        # it). The table is stored by count, family and year: DuckDB reads only the row groups those can be in.
        stored = warehouse.columns("published")
        chosen = ", ".join(f'"{c}"' for c in ["academic_year", *columns[1:]] if c in stored)
        frame = warehouse.query(
            f"SELECT {chosen} FROM published WHERE {' AND '.join(where)} ORDER BY academic_year, rowid", params
        ).rename(columns={"academic_year": "year"})
        # Keys as plain objects, NaN where missing whether DuckDB gave a string column or (none in these rows) None.
        keys = {c: frame[c].to_numpy(dtype=object, na_value=np.nan) for c in frame.columns if c != "value"}
        return _projected(frame.assign(**keys), family)

    key = ("published rows", count, family, year, termly, tuple(sorted(filters.items())))
    return warehouse.cached(key, build, size=frame_bytes)


def _family(part: pd.DataFrame, family: str) -> _Family:
    """A family's cells with only its own key columns, every year and by year."""
    part = _projected(part, family)
    return _Family(part, {year: rows.reset_index(drop=True) for year, rows in part.groupby("year", sort=False)})


def family_columns(dims: tuple[str, ...]) -> list[str]:
    """The columns of a family's cells: year, term, its key columns (its dimensions and those they imply), value and
    status."""
    return _columns(cut_name(dims))


def _columns(family: str) -> list[str]:
    """A family's columns: year, term, its key columns (its dimensions and those they imply), value and status."""
    dims = FAMILIES_BY_NAME[family].dims if family in FAMILIES_BY_NAME else ()
    keys = set(dims).union(*(implied_by(d) for d in dims)) if dims else set()
    return ["year", "term", *[k for k in KEY_COLUMNS if k in keys], "value", "status"]


def _projected(part: pd.DataFrame, family: str) -> pd.DataFrame:
    """Published rows with only the family's columns, as plain objects (a few hundred rows per look-up join faster
    without Arrow-backed strings). A publication from before a key column existed (the decile) has none: blank, as
    nothing is cut by it."""
    columns = _columns(family)
    return part.reindex(columns=columns).astype({c: object for c in columns if c != "value"}).reset_index(drop=True)


def _cell_index(warehouse: Warehouse) -> dict[tuple[str, str], dict[bool, _Family]]:
    """The version's whole publication by (count, family), then full years (False) and terms (True), each with only
    its own key columns: read in one query and kept for the version."""

    def build() -> dict:
        frame = warehouse.query(
            "SELECT * FROM published WHERE status <> ? ORDER BY count, family, academic_year, rowid", [NOT_PUBLISHED]
        ).rename(columns={"academic_year": "year"})
        index: dict[tuple[str, str], dict[bool, _Family]] = {}
        for (count, family, termly), part in frame.groupby(["count", "family", frame["term"].notna()], sort=False):
            index.setdefault((count, family), {})[bool(termly)] = _family(part, family)
        return index

    return warehouse.cached("published cells", build)


def gap(warehouse: Warehouse, count: str, dims: tuple[str, ...], year: str) -> str | None:
    """Why a count's family is not published for a year, if it is not."""
    return family_gaps(warehouse).get((count, cut_name(dims), year))


def gap_error(count: str, reason: str, year: str | None, measure_words: str) -> NotApplicable:
    """The error a view shows for a family that was not published."""
    if reason.startswith("not recorded"):
        missing = reason.rsplit(" ", 1)[-1]
        return NotRecorded(
            DATA_WORDS[COUNTS[count].table],
            GAP_WORDS.get(missing, DIMENSIONS.get(missing, missing)),
            year,
            measure_words,
        )
    why = (
        "most of it would be hidden to protect small numbers"
        if reason.startswith("mostly hidden")
        else "it could not be protected, so a small number could have been worked out"
    )
    return NotApplicable(f"The {measure_words} {'for ' + year + ' ' if year else ''}is not published this way: {why}")
