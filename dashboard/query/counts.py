"""Counts behind each rate, read from the fact tables with every filter and breakdown: the SQL of the rates."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES, Measure
from dashboard.domain.reference import FULL_YEAR, SYMBOL_ORDER
from dashboard.store.warehouse import Warehouse


@dataclass(frozen=True)
class Side:
    """One side of a rate: the fact table, what is summed, and which rows count."""

    table: str
    total: str
    condition: str = "TRUE"
    people: str | None = None  # count of children behind the total, for disclosure control


# Numerator and denominator of each measure. Exclusion rates use the January census as DfE does.
RATE_SOURCES: dict[str, tuple[Side, Side]] = {
    "suspension_rate": (
        Side("fact_exclusion", "SUM(f.exclusions)", "f.exclusion_type = 'suspension'", "SUM(f.exclusions)"),
        Side("fact_census", "SUM(f.pupils)", people="SUM(f.pupils)"),
    ),
    "permanent_rate": (
        Side("fact_exclusion", "SUM(f.exclusions)", "f.exclusion_type = 'permanent'", "SUM(f.exclusions)"),
        Side("fact_census", "SUM(f.pupils)", people="SUM(f.pupils)"),
    ),
    "ehcp_rate": (
        Side("fact_ehcp", "SUM(f.plans)", people="SUM(f.plans)"),
        Side("fact_population", "SUM(f.population)", people="SUM(f.population)"),
    ),
    # Sessions are not children: the enrolments behind them decide whether a cell is disclosive.
    "absence_rate": (
        Side("fact_attendance", "SUM(f.sessions_missed)"),
        Side("fact_attendance", "SUM(f.sessions_possible)", people="SUM(f.enrolments)"),
    ),
    "persistent_absence": (
        Side("fact_attendance", "SUM(f.persistent_absentees)", people="SUM(f.persistent_absentees)"),
        Side("fact_attendance", "SUM(f.enrolments)", people="SUM(f.enrolments)"),
    ),
    "severe_absence": (
        Side("fact_attendance", "SUM(f.severe_absentees)", people="SUM(f.severe_absentees)"),
        Side("fact_attendance", "SUM(f.enrolments)", people="SUM(f.enrolments)"),
    ),
}
PUPIL_TABLES = frozenset({"fact_census", "fact_exclusion", "fact_attendance"})
TERMLY_TABLES = frozenset({"fact_exclusion", "fact_attendance"})
ALL_TABLES = PUPIL_TABLES | {"fact_ehcp", "fact_population"}
# Every way a rate can be cut: the column, and the tables that have it. A filter on a dimension a
# table lacks does not apply to that side; a grouping it lacks means that side's total is shared
# by every group (the EHC plan rate by need divides by all residents, say).
DIMENSIONS = {
    "borough": ("'borough'", ALL_TABLES),
    "area": ("a.area_code", ALL_TABLES),
    "ward": ("a.ward_code", ALL_TABLES),
    "locality": ("a.locality_code", ALL_TABLES),
    "school_locality": ("sc.locality_code", PUPIL_TABLES),
    "year": ("f.academic_year", ALL_TABLES),
    "term": ("f.term", TERMLY_TABLES),
    "cluster": ("s.cluster_code", PUPIL_TABLES),
    "school": ("f.urn", PUPIL_TABLES),
    "phase": ("s.phase", PUPIL_TABLES),
    "sen": ("f.sen_provision", PUPIL_TABLES),
    "need": ("f.primary_need", PUPIL_TABLES | {"fact_ehcp"}),
    "broad_area": ("n.broad_area", PUPIL_TABLES | {"fact_ehcp"}),
}
FILTERED_DIMENSIONS = ("locality", "cluster", "phase", "sen", "need")
# The fact column a cut or filter needs. A public file may not give it (exclusions per school, with no
# home area; EHC plans per LA): the view then says so rather than showing every place or need as zero.
BREAKDOWN_COLUMNS = {
    "area": "home_area_code",
    "ward": "home_area_code",
    "locality": "home_area_code",
    "school_locality": "urn",
    "cluster": "urn",
    "school": "urn",
    "phase": "urn",
    "sen": "sen_provision",
    "need": "primary_need",
    "broad_area": "primary_need",
}
BREAKDOWN_WORDS = {
    "home_area_code": "where pupils live",
    "urn": "which school",
    "sen_provision": "SEN provision",
    "primary_need": "primary need",
}
TABLE_WORDS = {
    "fact_census": "pupils on roll",
    "fact_exclusion": "exclusions",
    "fact_attendance": "attendance",
    "fact_ehcp": "EHC plans",
    "fact_population": "population",
}


class NotApplicable(ValueError):
    """A measure cannot be cut this way (EHC plans per resident by school, say)."""


class NotRecorded(NotApplicable):
    """The loaded data do not record a breakdown this view needs (public files give no home area, say)."""

    def __init__(self, data: str, missing: str, year: str | None, measure_words: str):
        self.data, self.missing, self.year = data, missing, year
        self.gap = f"the {data} data{f' for {year}' if year else ''} do not say {missing}"
        super().__init__(f"{self.gap[0].upper()}{self.gap[1:]}, so the {measure_words} cannot be shown this way")


def unrecorded_years(warehouse: Warehouse, table: str, column: str) -> dict[str, bool]:
    """Each year of a fact table, and whether no row of it gives column (a file loaded without that breakdown)."""

    def build() -> dict[str, bool]:
        frame = warehouse.query(f"SELECT academic_year, count({column}) = 0 AS missing FROM {table} GROUP BY 1")
        return dict(zip(frame["academic_year"], frame["missing"].astype(bool)))

    return warehouse.cached(("unrecorded", table, column), build)


def has_rest_rows(warehouse: Warehouse, table: str) -> bool:
    """True when a pupil fact table has rows without a school: the rest of a total a source did not give per school."""
    return table in PUPIL_TABLES and warehouse.cached(
        ("rest rows", table),
        lambda: bool(warehouse.query(f"SELECT count(*) AS n FROM {table} WHERE urn IS NULL").iat[0, 0]),
    )


def _years_without(
    warehouse: Warehouse, measure_id: str, state: FilterState, grouping: tuple[str, ...], school_locality: bool
) -> list[str]:
    """Years to leave out because a side of the rate does not record a breakdown this view needs.

    Raises NotApplicable when that leaves nothing to show, naming what the data do not say.
    """
    measure = MEASURES[measure_id]
    needed = [k for k in grouping if k in BREAKDOWN_COLUMNS]
    needed += [k for k in FILTERED_DIMENSIONS if getattr(state, k) is not None and k in measure.filters]
    needed = [
        "school_locality" if k == "locality" and school_locality and "locality" not in grouping else k for k in needed
    ]
    needed += ["school"] if state.school else []
    gaps: dict[str, tuple[str, str]] = {}
    every_year: set[str] = set()
    for side in RATE_SOURCES[measure_id]:
        for key in dict.fromkeys(needed):
            column = BREAKDOWN_COLUMNS[key]
            if side.table not in DIMENSIONS[key][1] or (side.table == "fact_population" and column == "home_area_code"):
                continue
            years = unrecorded_years(warehouse, side.table, column)
            every_year |= set(years)
            for year, missing in years.items():
                if missing:
                    gaps.setdefault(year, (side.table, column))
    if not gaps:
        return []
    asked = sorted(every_year) if "year" in grouping else [state.year]
    if all(year in gaps for year in asked):
        table, column = gaps[asked[-1]]
        raise NotRecorded(
            TABLE_WORDS[table], BREAKDOWN_WORDS[column], None if "year" in grouping else state.year, measure.in_sentence
        )
    return sorted(gaps)


def _side_sql(
    side: Side,
    state: FilterState,
    measure: Measure,
    by: tuple[str, ...],
    termly: bool,
    school_locality: bool,
    left_out: list[str] = (),
    rest: bool = False,
) -> tuple[str, list, list[str]]:
    area_column = "f.area_code" if side.table == "fact_population" else "f.home_area_code"
    joins = f"LEFT JOIN area a ON a.area_code = {area_column}"
    if side.table in PUPIL_TABLES:
        joins += " LEFT JOIN school s ON s.urn = f.urn LEFT JOIN cluster sc ON sc.cluster_code = s.cluster_code"
    if side.table in DIMENSIONS["need"][1]:
        joins += " LEFT JOIN need n ON n.need_code = f.primary_need"
    where, params = [side.condition], []
    if "year" not in by:
        where.append("f.academic_year = ?")
        params.append(state.year)
    elif left_out:
        where.append(f"f.academic_year NOT IN ({', '.join('?' * len(left_out))})")
        params.extend(left_out)
    if side.table in TERMLY_TABLES:
        where.append(f"f.term {'<>' if termly else '='} '{FULL_YEAR}'")
    for key in FILTERED_DIMENSIONS:
        value = getattr(state, key)
        if value is None or key not in measure.filters or side.table not in DIMENSIONS[key][1]:
            continue
        column = DIMENSIONS[key][0]
        if key == "locality" and school_locality:
            # On school views a locality means where the school is, not where its pupils live.
            if side.table not in PUPIL_TABLES:
                continue
            column = "sc.locality_code"
        where.append(f"{column} = ?")
        params.append(value)
    if state.school and side.table in PUPIL_TABLES:
        where.append("f.urn = ?")
        params.append(state.school)
    keys = [key for key in by if side.table in DIMENSIONS[key][1]]
    selected = ", ".join(f'{DIMENSIONS[k][0]} AS "{k}"' for k in keys) or "'all' AS \"_all\""
    people = side.people or "NULL"
    # The most restrictive EES symbol standing for the summed column in any row of the group, as its rank.
    column = re.search(r"f\.(\w+)", side.total).group(1)
    ranks = "[" + ", ".join(f"'{s}'" for s in SYMBOL_ORDER) + "]"
    rank = f"list_position({ranks}, regexp_extract(f.symbols, '(^|;){column}=([a-z]+)', 2))"
    symbol = f"max({rank})"
    if rest:
        # A row without a school holds what the source's school rows leave out of its total, so a group
        # that includes it is complete even where some schools' figures were given as symbols.
        symbol = f"CASE WHEN bool_or(f.urn IS NULL) THEN max({rank}) FILTER (WHERE f.urn IS NULL) ELSE {symbol} END"
    sql = (
        f"SELECT {selected}, {side.total} AS total, {people} AS people, {symbol} AS symbol_rank "
        f"FROM {side.table} f {joins} WHERE {' AND '.join(where)} GROUP BY ALL"
    )
    return sql, params, keys


def fact_counts(
    warehouse: Warehouse,
    measure_id: str,
    state: FilterState,
    grouping: tuple[str, ...],
    termly: bool,
    school_locality: bool,
) -> pd.DataFrame:
    """Unsuppressed numerator and denominator per group, with the children behind each, in a fixed order."""
    measure = MEASURES[measure_id]
    left_out = _years_without(warehouse, measure_id, state, grouping, school_locality)
    (num_sql, num_params, num_keys), (den_sql, den_params, den_keys) = (
        _side_sql(
            side, state, measure, grouping, termly, school_locality, left_out, has_rest_rows(warehouse, side.table)
        )
        for side in RATE_SOURCES[measure_id]
    )
    missing = [k for k in grouping if k not in num_keys]
    if missing:
        raise NotApplicable(f"{measure.label} cannot be broken down by {', '.join(missing)}")
    keys = num_keys
    on = " AND ".join(f'num."{k}" IS NOT DISTINCT FROM den."{k}"' for k in den_keys) or "TRUE"
    # Groups with pupils but no exclusions still count (as zero) when both sides share every key.
    join = "FULL OUTER JOIN" if set(den_keys) == set(keys) else "LEFT JOIN"
    columns = ", ".join(f'COALESCE(num."{k}", den."{k}") AS "{k}"' if k in den_keys else f'num."{k}"' for k in keys)
    sql = (
        f"WITH num AS ({num_sql}), den AS ({den_sql}) "
        f"SELECT {columns}, COALESCE(num.total, 0) AS numerator, num.people AS numerator_people, "
        f"den.total AS denominator, den.people AS denominator_people, "
        f"greatest(num.symbol_rank, den.symbol_rank) AS symbol_rank, den.symbol_rank AS den_symbol_rank "
        f"FROM num {join} den ON {on}"
    )
    frame = warehouse.query(sql, num_params + den_params)
    ranks = pd.to_numeric(frame.pop("symbol_rank"), errors="coerce").astype(float)
    frame["symbol"] = pd.Series(
        [SYMBOL_ORDER[int(r) - 1] if r == r else None for r in ranks], index=frame.index, dtype=object
    )
    frame["den_symbol"] = pd.to_numeric(frame.pop("den_symbol_rank"), errors="coerce").notna()
    if "borough" in grouping:
        frame["borough"] = "borough"
    for column in ("numerator", "denominator", "numerator_people", "denominator_people"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    # SQL returns groups in no fixed order; sorting makes the choice of secondary cells the same every time.
    return frame.sort_values(list(grouping), na_position="last", kind="stable").reset_index(drop=True)
