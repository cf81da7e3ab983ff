"""Look-ups in the version's published cells: the only place the app reads counts from, protected at load."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.domain.status import NOT_PUBLISHED
from dashboard.publish.registry import (
    COUNTS,
    DIMENSIONS,
    FAMILIES,
    FAMILIES_BY_NAME,
    KEY_COLUMNS,
    cut_name,
    implied_by,
)
from dashboard.store.warehouse import Warehouse, frame_bytes

# Text as DuckDB hands it over (pandas' strings, NaN where missing).
TEXT = pd.StringDtype(na_value=np.nan)
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
    and status. Unpublished parts are left out. A look-up in the version's cells, held in memory by family.
    """
    family = _family_cells(warehouse, count, cut_name(dims)).get(termly)
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
    """Read every family of every count the registry declares, as a worker starting up should, so no reader waits for
    one (a school's mix by need, the expected counts' deprivation families); stops once the look-ups fill the memory
    they may hold. Returns how many were read."""
    read = 0
    for family in FAMILIES:
        for count in sorted(family.counts):
            if warehouse.lookups_full:
                return read
            _family_cells(warehouse, count, family.name)
            read += 1
    return read


# About how much memory a published cell takes in a worker's look-ups, its rates included: a county's 279,421 cells
# took 144 MB, a region's 447,096 took 231 MB.
BYTES_PER_CELL = 520


def fits(warehouse: Warehouse) -> bool:
    """True when the version's whole publication fits in the memory a worker's look-ups may hold: it is then read at
    once and kept whole (a borough, a county, a region); otherwise (England) family by family as asked for, the least
    recently used dropped first."""

    def build() -> bool:
        publication(warehouse)
        cells = warehouse.query("SELECT count(*) AS n FROM published WHERE status <> ?", [NOT_PUBLISHED])["n"].iat[0]
        return int(cells) * BYTES_PER_CELL <= warehouse.lookup_bytes

    return warehouse.cached("publication fits", build)


def _family_cells(warehouse: Warehouse, count: str, family: str) -> dict[bool, _Family]:
    """A count's published cells in one family, for full years (False) and terms (True), each with only its own key
    columns: from the whole publication read at once where it fits, else read as asked for and kept as a large
    look-up."""
    if fits(warehouse):
        return _cell_index(warehouse).get((count, family), {})

    def build() -> dict[bool, _Family]:
        publication(warehouse)
        # The table is stored by count, family and year: DuckDB reads only the family's own row groups.
        frame = warehouse.query(
            "SELECT * FROM published WHERE count = ? AND family = ? AND status <> ? ORDER BY academic_year, rowid",
            [count, family, NOT_PUBLISHED],
        ).rename(columns={"academic_year": "year"})
        # DuckDB gives a column with no value in these rows as objects (None), one with some as strings (NaN where
        # missing): every column as strings, so a missing key reads the same in every family.
        frame = frame.astype({c: TEXT for c, dtype in frame.dtypes.items() if dtype == np.dtype(object)})
        parts = frame.groupby(frame["term"].notna(), sort=False)
        return {bool(termly): _family(part, family) for termly, part in parts}

    # Each family's rows are held twice: every year together, and year by year.
    return warehouse.cached(
        ("published cells", count, family),
        build,
        size=lambda found: sum(2 * frame_bytes(part.every) for part in found.values()),
    )


def _family(part: pd.DataFrame, family: str) -> _Family:
    """A family's cells with only its own key columns (its dimensions and those they imply), every year and by year."""
    dims = FAMILIES_BY_NAME[family].dims if family in FAMILIES_BY_NAME else ()
    keys = set(dims).union(*(implied_by(d) for d in dims)) if dims else set()
    columns = ["year", "term", *[k for k in KEY_COLUMNS if k in keys], "value", "status"]
    # Plain object columns: a few hundred rows per look-up join faster without Arrow-backed strings.
    # A publication from before a key column existed (the decile) has none: blank, as nothing is cut by it.
    part = part.reindex(columns=columns).astype({c: object for c in columns if c != "value"}).reset_index(drop=True)
    return _Family(part, {year: rows.reset_index(drop=True) for year, rows in part.groupby("year", sort=False)})


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
