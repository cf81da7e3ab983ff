"""SQL over the warehouse returning tidy DataFrames; small numbers are suppressed here, before any view."""
from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from dashboard.disclosure import Line, protect
from dashboard.filters import FilterOptions, FilterState
from dashboard.measures import MEASURES, Measure
from dashboard.reference import CENSUS_AGE_BANDS, EES_SYMBOLS, FULL_YEAR, PHASES, SEN_PROVISION, SYMBOL_ORDER
from dashboard.warehouse import Warehouse

SHOWN, SUPPRESSED, NO_DATA, OUTSIDE = "shown", "suppressed", "no data", "outside selection"
# A source's EES symbol (low, x, z, u) is a status of its own; c from a source is SUPPRESSED like ours.
SOURCE_SYMBOLS = tuple(s for s in EES_SYMBOLS if s != "c")
# Statuses the map draws as suppressed, and as having no figure.
HIDDEN_STATUSES = (SUPPRESSED, "low")
MISSING_STATUSES = (NO_DATA, "x", "z", "u")


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
    "area": "home_area_code", "ward": "home_area_code", "locality": "home_area_code", "school_locality": "urn",
    "cluster": "urn", "school": "urn", "phase": "urn", "sen": "sen_provision", "need": "primary_need",
    "broad_area": "primary_need",
}
BREAKDOWN_WORDS = {"home_area_code": "where pupils live", "urn": "which school", "sen_provision": "SEN provision",
                   "primary_need": "primary need"}
TABLE_WORDS = {"fact_census": "pupils on roll", "fact_exclusion": "exclusions", "fact_attendance": "attendance",
               "fact_ehcp": "EHC plans", "fact_population": "population"}


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
        ("rest rows", table), lambda: bool(warehouse.query(f"SELECT count(*) AS n FROM {table} WHERE urn IS NULL").iat[0, 0]))


def _years_without(warehouse: Warehouse, measure_id: str, state: FilterState, grouping: tuple[str, ...],
                   school_locality: bool) -> list[str]:
    """Years to leave out because a side of the rate does not record a breakdown this view needs.

    Raises NotApplicable when that leaves nothing to show, naming what the data do not say.
    """
    measure = MEASURES[measure_id]
    needed = [k for k in grouping if k in BREAKDOWN_COLUMNS]
    needed += [k for k in FILTERED_DIMENSIONS if getattr(state, k) is not None and k in measure.filters]
    needed = ["school_locality" if k == "locality" and school_locality and "locality" not in grouping else k for k in needed]
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
        raise NotRecorded(TABLE_WORDS[table], BREAKDOWN_WORDS[column], None if "year" in grouping else state.year, measure.in_sentence)
    return sorted(gaps)


def _side_sql(side: Side, state: FilterState, measure: Measure, by: tuple[str, ...], termly: bool,
              school_locality: bool, left_out: list[str] = (), rest: bool = False) -> tuple[str, list, list[str]]:
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
    selected = ", ".join(f"{DIMENSIONS[k][0]} AS \"{k}\"" for k in keys) or "'all' AS \"_all\""
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
    sql = (f"SELECT {selected}, {side.total} AS total, {people} AS people, {symbol} AS symbol_rank "
           f"FROM {side.table} f {joins} WHERE {' AND '.join(where)} GROUP BY ALL")
    return sql, params, keys


# Coarser cuts that are published too: each cell of a finer cut adds up into one cell of each of these.
PARENTS = {"area": ("ward", "locality"), "school": ("cluster", "phase"), "need": ("broad_area",)}
# Dimensions fixed by another (a school has one phase): they label a cell without splitting it.
IMPLIED = {"area": {"ward", "locality"}, "school": {"phase", "cluster", "school_locality"},
           "cluster": {"school_locality"}, "need": {"broad_area"}}
FIXED = ("year", "term")


def rates(warehouse: Warehouse, measure_id: str, state: FilterState, by: str | tuple[str, ...], threshold: int,
          termly: bool = False, school_locality: bool = False) -> pd.DataFrame:
    """Numerator, denominator and rate per group, with small numbers suppressed.

    by names the dimensions to group on (see DIMENSIONS); with "year" in by, every year is returned.
    termly asks for term rows instead of full years (exclusions and attendance only); school_locality
    makes the locality filter mean the school's locality rather than the pupil's home.
    Columns: one per dimension in by, numerator, denominator, value, status (shown / suppressed / no data).
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    measure = MEASURES[measure_id]
    if termly and RATE_SOURCES[measure_id][0].table not in TERMLY_TABLES:
        raise NotApplicable(f"{measure.label} is counted once a year, not by term")
    memo = _shared_memo(warehouse, measure_id, state, threshold, termly, school_locality)
    frame = _protected(warehouse, measure_id, state, by, threshold, termly, school_locality, memo)
    keys = [k for k in by + (("term",) if termly else ()) if k in frame]
    return _publish(frame, measure)[keys + ["numerator", "denominator", "value", "status"]]


def rates_where_possible(warehouse: Warehouse, measure_id: str, state: FilterState, by: str | tuple[str, ...], threshold: int,
                         **options) -> pd.DataFrame:
    """rates(), or no rows where the loaded data cannot be cut this way (a school grid beside LA-level absence, say)."""
    try:
        return rates(warehouse, measure_id, state, by, threshold, **options)
    except NotApplicable:
        keys = [by] if isinstance(by, str) else list(by)
        return pd.DataFrame(columns=keys + ["numerator", "denominator", "value", "status"])


_MEMOS: OrderedDict[tuple, dict] = OrderedDict()
_MEMOS_LOCK = threading.Lock()
MEMOS_KEPT = 64


def _shared_memo(warehouse: Warehouse, measure_id: str, state: FilterState, threshold: int, termly: bool,
                 school_locality: bool) -> dict:
    """The protected cuts already worked out for these data filters, shared by every call that uses them.

    A map, its borough figure and its comparison all protect the same cuts; working them out once keeps
    a filter change quick, and a new warehouse version (a new stamp) starts afresh. The newest few are kept.
    """
    key = (str(warehouse.path), warehouse.stamp, measure_id, state.year, state.locality, state.cluster, state.need,
           state.sen, state.phase, state.school, threshold, termly, school_locality)
    with _MEMOS_LOCK:
        memo = _MEMOS.setdefault(key, {})
        _MEMOS.move_to_end(key)
        while len(_MEMOS) > MEMOS_KEPT:
            _MEMOS.popitem(last=False)
    return memo


def forget_protected() -> None:
    """Drop every shared protection (for benchmarks that must time a filter change never seen before)."""
    with _MEMOS_LOCK:
        _MEMOS.clear()


def _counts(warehouse: Warehouse, measure_id: str, state: FilterState, grouping: tuple[str, ...], termly: bool,
            school_locality: bool) -> pd.DataFrame:
    """Unsuppressed numerator and denominator per group, with the children behind each, in a fixed order."""
    measure = MEASURES[measure_id]
    numerator, denominator = RATE_SOURCES[measure_id]
    left_out = _years_without(warehouse, measure_id, state, grouping, school_locality)
    num_sql, num_params, num_keys = _side_sql(numerator, state, measure, grouping, termly, school_locality, left_out,
                                              has_rest_rows(warehouse, numerator.table))
    den_sql, den_params, den_keys = _side_sql(denominator, state, measure, grouping, termly, school_locality, left_out,
                                              has_rest_rows(warehouse, denominator.table))
    missing = [k for k in grouping if k not in num_keys]
    if missing:
        raise NotApplicable(f"{measure.label} cannot be broken down by {', '.join(missing)}")
    keys = num_keys
    on = " AND ".join(f'num."{k}" IS NOT DISTINCT FROM den."{k}"' for k in den_keys) or "TRUE"
    # Groups with pupils but no exclusions still count (as zero) when both sides share every key.
    join = "FULL OUTER JOIN" if set(den_keys) == set(keys) else "LEFT JOIN"
    columns = ", ".join(f'COALESCE(num."{k}", den."{k}") AS "{k}"' if k in den_keys else f'num."{k}"' for k in keys)
    sql = (f"WITH num AS ({num_sql}), den AS ({den_sql}) "
           f"SELECT {columns}, COALESCE(num.total, 0) AS numerator, num.people AS numerator_people, "
           f"den.total AS denominator, den.people AS denominator_people, "
           f"greatest(num.symbol_rank, den.symbol_rank) AS symbol_rank, den.symbol_rank AS den_symbol_rank "
           f"FROM num {join} den ON {on}")
    frame = warehouse.query(sql, num_params + den_params)
    ranks = pd.to_numeric(frame.pop("symbol_rank"), errors="coerce").astype(float)
    frame["symbol"] = pd.Series([SYMBOL_ORDER[int(r) - 1] if r == r else None for r in ranks], index=frame.index, dtype=object)
    frame["den_symbol"] = pd.to_numeric(frame.pop("den_symbol_rank"), errors="coerce").notna()
    if "borough" in grouping:
        frame["borough"] = "borough"
    for column in ("numerator", "denominator", "numerator_people", "denominator_people"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    # SQL returns groups in no fixed order; sorting makes the choice of secondary cells the same every time.
    return frame.sort_values(list(grouping), na_position="last", kind="stable").reset_index(drop=True)


def _partition(by: tuple[str, ...]) -> list[str]:
    """The keys in by that split the whole between them (not the year or term, nor a key fixed by another)."""
    split = [k for k in by if k not in FIXED and k != "borough"]
    return [k for k in split if not any(k in IMPLIED.get(other, ()) for other in split if other != k)]


def parent_cuts(by: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The coarser published cuts that by's cells add up into: each splitting key replaced by its parent, or dropped."""
    cuts = []
    for key in _partition(by):
        for replacement in PARENTS.get(key, ()) + (None,):
            cut = tuple(dict.fromkeys(replacement if k == key else k for k in by if not (k == key and replacement is None)))
            cut = cut if _partition(cut) or cut else ("borough",)
            if cut not in cuts:
                cuts.append(cut)
    return cuts


def _joint_finer(by: tuple[str, ...]) -> tuple[str, ...] | None:
    """The finer cut whose protection also settles by's cells, if any.

    Wards are settled with their small areas. Broad areas of need are settled with the needs in them: a broad
    area protected on its own, before the needs, could show the one total that, with the needs' own totals,
    gives a hidden need away (a locality's cognition total less its MLD and SpLD leaves its SLD, which the
    borough's SLD total then splits), and the needs could not then hide it, since it was already settled.
    """
    for coarse, fine in (("ward", "area"), ("broad_area", "need")):
        if coarse in by and fine not in by:
            return tuple(fine if k == coarse else k for k in by)
    return None


def _protected(warehouse: Warehouse, measure_id: str, state: FilterState, by: tuple[str, ...], threshold: int,
               termly: bool, school_locality: bool, memo: dict) -> pd.DataFrame:
    """Counts per group with num_hidden and den_hidden: primary suppression, then secondary against every coarser cut.

    Coarser cuts are protected first (memo holds them for this request), and their hidden or shown
    cells are taken as given, so a locality hidden on one page cannot be rebuilt from its small areas on
    another. Wards cross localities rather than nest in them, so wards are settled together with their
    small areas instead: both then come from one protection.
    """
    if by in memo:
        return memo[by]
    args = (measure_id, state, threshold, termly, school_locality)
    finer = _joint_finer(by)
    if finer is not None:
        _protected(warehouse, *args[:1], state, finer, *args[2:], memo)
        return memo[by]
    cuts = parent_cuts(by)
    carried = tuple(dict.fromkeys(k for cut in cuts for k in cut if k not in by and k != "borough"))
    frame = _primary(_counts(warehouse, measure_id, state, by + carried + (("term",) if termly else ()), termly,
                             school_locality), threshold)
    if cuts:
        fixed = [k for k in frame if k in FIXED]
        parents = []
        for cut in cuts:
            if _joint_finer(cut) == by:
                cut_frame = _primary(_counts(warehouse, measure_id, state, cut + (("term",) if termly else ()), termly,
                                             school_locality), threshold)
                parents.append((cut, cut_frame, False))
            else:
                parents.append((cut, _protected(warehouse, measure_id, state, cut, threshold, termly, school_locality, memo), True))
        # Sessions are not children: where the numerator counts none, the children behind it are the denominator's.
        counted = "numerator_people" if RATE_SOURCES[measure_id][0].people else "denominator_people"
        _secondary(frame, frame[counted].fillna(0), "num_hidden", parents, fixed, memo)
        _secondary(frame, frame["denominator_people"].fillna(0), "den_hidden", parents, fixed, memo)
        for cut, cut_frame, frozen in parents:
            if not frozen:
                memo[cut] = cut_frame
    memo[by] = frame
    return frame


def _primary(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Mark counts resting on 1 to threshold children (num_hidden), and small denominators (den_hidden)."""
    def small(series: pd.Series) -> pd.Series:
        return series.between(1, threshold).fillna(False).astype(bool)

    # A total over rows a source gave as a symbol (c, x...) is unknown, so it is not shown either.
    # A symbol on the numerator's side leaves the denominator (pupils on roll, say) known and shown.
    symbol = frame["symbol"].notna()
    den_symbol = frame["den_symbol"] if "den_symbol" in frame else symbol
    small_den = small(frame["denominator_people"])
    small_any = small(frame["numerator_people"]) | small_den
    frame["num_hidden"] = small_any | symbol
    frame["den_hidden"] = small_den | den_symbol
    # Hidden only because the source gave a symbol: the warehouse has no number there to protect.
    frame["num_sourced"] = symbol & ~small_any
    frame["den_sourced"] = den_symbol & ~small_den
    return frame


def _secondary(frame: pd.DataFrame, people: pd.Series, flag: str, parents: list, fixed: list[str], memo: dict) -> None:
    """Widen frame[flag] (and the flag of each parent cut settled jointly) so no hidden cell can be worked out.

    parents holds (cut, its frame, frozen): frozen cuts were protected before and only constrain.
    """
    # Cells hidden only for a source's symbol hold no number of ours (the rest of the total sits in a row of
    # its own), so the audit takes them as known: that protects our own hidden cells the more, and spares
    # it from chasing values that are not there.
    sourced = flag.replace("hidden", "sourced")
    values, hidden = list(people), list(frame[flag] & ~frame[sourced])
    frozen_cells, lines, placed = [False] * len(frame), [], []
    for cut, parent, frozen in parents:
        keys = [k for k in cut if k != "borough"] + [k for k in fixed if k not in cut]
        if keys:
            link = frame[keys].merge(parent[keys].assign(_parent=np.arange(len(parent))), on=keys, how="left")["_parent"]
        else:
            link = pd.Series(0, index=frame.index)
        used = sorted(int(p) for p in link.dropna().unique())
        where = {p: len(values) + k for k, p in enumerate(used)}
        for p in used:
            children = np.flatnonzero(link.to_numpy() == p)
            values.append(float(people.iloc[children].sum()))
            hidden.append(bool(parent[flag].iloc[p] and not parent[sourced].iloc[p]))
            frozen_cells.append(frozen)
            lines.append(Line(children, where[p]))
        # The cut's own lines whose totals are shown (its cells add up to the borough, say), so the audit
        # sees what an attacker sees.
        for line in _published_lines(parent.iloc[used].reset_index(drop=True), cut, fixed, flag, memo):
            lines.append(Line(np.array([where[used[i]] for i in line])))
        placed.append((parent, used, [where[p] for p in used]))
    mask = protect(pd.Series(values), pd.Series(hidden), lines, pd.Series(frozen_cells)).to_numpy()
    frame[flag] = mask[:len(frame)] | frame[sourced].to_numpy()
    for parent, used, positions in placed:
        flags = parent[flag].to_numpy(copy=True)
        flags[used] = mask[positions] | parent[sourced].to_numpy()[used]
        parent[flag] = flags


def _published_lines(table: pd.DataFrame, cut: tuple[str, ...], fixed: list[str], flag: str, memo: dict) -> list[np.ndarray]:
    """Lines of a protected cut whose totals are shown: its cells sharing all keys but one add up to a cell of a coarser cut."""
    keys = _partition(cut)
    fixed = [k for k in fixed if k in table]
    lines = []
    for key in keys:
        others = [k for k in keys if k != key]
        total_cut = tuple(k for k in cut if k != key and k != "borough") or ("borough",)
        totals = memo.get(total_cut)
        group_keys = others + fixed
        grouped = table.assign(_pos=np.arange(len(table))).groupby(group_keys, dropna=False)["_pos"] if group_keys else [((), table.assign(_pos=np.arange(len(table)))["_pos"])]
        for values, group in grouped:
            # A line of one cell is kept too: that cell is its shown total, so hiding it would hide nothing.
            if len(group) == 0:
                continue
            if totals is not None:
                match = totals
                for column, value in zip(group_keys, values if isinstance(values, tuple) else (values,)):
                    match = match[match[column].isna()] if pd.isna(value) else match[match[column] == value]
                if len(match) and bool(match[flag].iloc[0]):
                    continue  # the total is hidden too, so it constrains nothing
            lines.append(group.to_numpy())
    return lines


def _publish(frame: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    """The rate per group as shown: hidden counts blanked and marked, working columns dropped."""
    frame = frame.copy()
    empty = frame["denominator"].isna() | (frame["denominator"] <= 0)
    # Suppression wins over 'no data', so a small count with no denominator is still hidden.
    # A source's own symbol is shown as it is (c stays c); our suppression shows c.
    source_symbol = frame["symbol"].where(frame["symbol"] != "c").fillna("")
    frame["status"] = np.select([source_symbol != "", frame["num_hidden"], empty], [source_symbol, SUPPRESSED, NO_DATA], SHOWN)
    frame["value"] = (frame["numerator"] / frame["denominator"] * measure.scale).where(frame["status"] == SHOWN)
    frame.loc[~frame["status"].isin([SHOWN, NO_DATA]), "numerator"] = np.nan
    frame.loc[frame["den_hidden"], "denominator"] = np.nan
    return frame.drop(columns=["numerator_people", "denominator_people", "num_hidden", "den_hidden", "symbol", "den_symbol",
                               "num_sourced", "den_sourced"], errors="ignore")


MAP_LEVELS = {"area": "Small area", "ward": "Ward", "locality": "Locality"}


def map_values(warehouse: Warehouse, measure_id: str, state: FilterState, threshold: int, level: str = "area") -> pd.DataFrame:
    """Every small area, ward or locality with its rate; places outside the chosen locality are marked, not dropped.

    Columns: code, name, context (the wider places it is in), locality_code, numerator, denominator, value, status.
    Where the data cannot be cut to this level, every place has no data and attrs["unavailable"] says why.
    """
    places = place_table(warehouse, level)
    try:
        values, unavailable = rates(warehouse, measure_id, state, level, threshold), None
    except NotApplicable as reason:  # every place is drawn as no data, and the reason goes with the frame
        values, unavailable = pd.DataFrame(columns=[level, "numerator", "denominator", "value", "status"]), f"{reason}."
    frame = places.merge(values.rename(columns={level: "code"}), on="code", how="left")
    frame["status"] = frame["status"].fillna(NO_DATA)
    frame.attrs["unavailable"] = unavailable
    if state.locality:
        frame.loc[frame["locality_code"] != state.locality, ["status", "value", "numerator", "denominator"]] = [OUTSIDE, np.nan, np.nan, np.nan]
    return frame


def borough_value(warehouse: Warehouse, measure_id: str, state: FilterState, threshold: int) -> pd.Series:
    """The rate for the whole selection (the borough, or the chosen locality)."""
    frame = rates(warehouse, measure_id, state, "borough", threshold)
    if frame.empty:
        return pd.Series({"numerator": np.nan, "denominator": np.nan, "value": np.nan, "status": NO_DATA})
    return frame.iloc[0]


def place_table(warehouse: Warehouse, level: str = "area") -> pd.DataFrame:
    """Places at one map level with their names and the locality they are in (a ward in two localities counts in its main one)."""
    sql = {
        "area": "SELECT a.area_code AS code, a.area_name AS name, a.ward_name || ', ' || l.locality_name AS context, a.locality_code "
                "FROM area a JOIN locality l USING (locality_code)",
        "ward": "SELECT a.ward_code AS code, any_value(a.ward_name) AS name, mode(l.locality_name) AS context, mode(a.locality_code) AS locality_code "
                "FROM area a JOIN locality l USING (locality_code) GROUP BY 1",
        "locality": "SELECT locality_code AS code, locality_name AS name, 'Locality' AS context, locality_code FROM locality",
    }[level]
    return warehouse.cached(("places", level), lambda: warehouse.query(sql + " ORDER BY 1"))


def map_geojson(warehouse: Warehouse, level: str = "area") -> dict | None:
    """Boundaries at one map level as a FeatureCollection (id = code); wards and localities are dissolved from small areas."""
    def build() -> dict | None:
        rows = warehouse.query("SELECT g.geojson, a.area_code, a.ward_code, a.locality_code FROM area_geometry g JOIN area a USING (area_code) ORDER BY a.area_code")
        if rows.empty:
            return None
        shapes = pd.Series(shapely.from_geojson(rows["geojson"].tolist()), index=rows[f"{'area' if level == 'area' else level}_code"].values)
        if level != "area":
            # Dissolve, then drop slivers left where generalised small-area edges do not quite meet.
            shapes = pd.Series({code: shapely.union_all(list(group), grid_size=1e-6) for code, group in shapes.groupby(level=0)})
        features = [{"type": "Feature", "id": code, "properties": {}, "geometry": shapely.geometry.mapping(shape)} for code, shape in shapes.items()]
        return {"type": "FeatureCollection", "features": features}

    return warehouse.cached(("geojson", level), build)


def filter_options(warehouse: Warehouse) -> FilterOptions:
    """Values each filter can take, read from the warehouse."""
    def build() -> FilterOptions:
        years = warehouse.query(
            "SELECT DISTINCT academic_year FROM period p WHERE term = ? ORDER BY 1", [FULL_YEAR]
        )["academic_year"].tolist()
        localities = warehouse.query("SELECT locality_code, locality_name FROM locality ORDER BY locality_name")
        clusters = warehouse.query("SELECT cluster_code, cluster_name, locality_code FROM cluster ORDER BY cluster_name")
        latest = dict(warehouse.query("SELECT dataset, latest_year FROM dataset_status").itertuples(index=False, name=None))
        needs = warehouse.query(
            "SELECT need_code, need_label FROM need WHERE need_code <> 'NONE' AND need_code IN "
            "(SELECT primary_need FROM fact_census UNION SELECT primary_need FROM fact_ehcp) ORDER BY need_label"
        )
        return FilterOptions(
            years=tuple((y, y) for y in years),
            localities=tuple(localities.itertuples(index=False, name=None)),
            clusters=tuple(clusters.itertuples(index=False, name=None)),
            needs=tuple((code, f"{label} ({code})") for code, label in needs.itertuples(index=False, name=None)),
            latest_years=tuple((m.id, latest[m.dataset]) for m in MEASURES.values() if m.dataset in latest),
        )

    return warehouse.cached("filter_options", build)


def measure_bins(warehouse: Warehouse, measure_id: str, threshold: int, level: str = "area", classes: int = 5) -> list[float]:
    """Class breaks for a measure at a map level, fixed across years and filters so colours mean the same everywhere.

    Taken from the quintiles of every place at that level in every year (of every school, where no place has a figure),
    rounded to two significant figures.
    """
    def build() -> list[float]:
        years = [y for y, _ in filter_options(warehouse).years]
        values = pd.concat(
            [rates_where_possible(warehouse, measure_id, FilterState(measure=measure_id, year=y), level, threshold)["value"] for y in years]
        ).dropna()
        if values.empty and level == "area" and "cluster" in MEASURES[measure_id].filters:
            # No place has a figure (public data give exclusions per school): the school points set the classes.
            values = pd.concat([rates_where_possible(warehouse, measure_id, FilterState(measure=measure_id, year=y), "school",
                                                     threshold)["value"] for y in years]).dropna()
        if values.empty:
            return []
        breaks = sorted({_two_figures(q) for q in values.quantile(np.linspace(0, 1, classes + 1)[1:-1])})
        return [b for b in breaks if b > 0] or [float(values.max())]

    return warehouse.cached(("bins", measure_id, threshold, level), build)


def _two_figures(value: float) -> float:
    if value <= 0:
        return 0.0
    digits = 1 - int(math.floor(math.log10(value)))
    return round(value, digits)


def load_sources(warehouse: Warehouse) -> list[tuple[str, str, int, str]]:
    """The files behind the data being served: name, checksum, rows read and form."""
    return list(warehouse.query("SELECT file, sha256, rows_read, form FROM load_source ORDER BY file").itertuples(index=False, name=None))


def census_residents(warehouse: Warehouse) -> bool:
    """True when residents come in Census 2021's bands (0-15, 16-24), so the EHC plan rate is per 1,000 aged 0-24."""
    return warehouse.cached("census_residents", lambda: bool(warehouse.query(
        f"SELECT count(*) AS n FROM fact_population WHERE age_band IN {CENSUS_AGE_BANDS}").iat[0, 0]))


def measure_in(warehouse: Warehouse, measure_id: str) -> Measure:
    """The measure as this warehouse can state it: EHC plans per 1,000 aged 0-24 where residents are Census 2021's bands."""
    measure = MEASURES[measure_id]
    if measure.dataset != "ehcp" or not census_residents(warehouse):
        return measure
    ages = lambda text: text.replace("aged 0-25", "aged 0-24")  # noqa: E731
    return replace(measure, unit=ages(measure.unit), denominator_label=ages(measure.denominator_label),
                   definition=ages(measure.definition) + " Residents are Census 2021's, which has no 0-25 band.")


def dataset_status(warehouse: Warehouse) -> list[tuple]:
    """Each dataset loaded: rows, first and latest academic year, and the date its data runs to."""
    return list(warehouse.query(
        "SELECT dataset, rows_loaded, first_year, latest_year, as_of FROM dataset_status ORDER BY dataset"
    ).itertuples(index=False, name=None))


def labels(warehouse: Warehouse, dimension: str) -> dict[str, str]:
    """Code to on-screen name for a dimension's members (localities, clusters, schools, needs...)."""
    sql = {
        "locality": "SELECT locality_code, locality_name FROM locality",
        "school_locality": "SELECT locality_code, locality_name FROM locality",
        "cluster": "SELECT cluster_code, cluster_name FROM cluster",
        "school": "SELECT urn, school_name FROM school",
        "need": "SELECT need_code, need_label FROM need",
        "ward": "SELECT DISTINCT ward_code, ward_name FROM area",
        "area": "SELECT area_code, area_name FROM area",
    }.get(dimension)
    if sql is None:
        return {"sen": SEN_PROVISION, "phase": PHASES}.get(dimension, {})
    return warehouse.cached(("labels", dimension), lambda: dict(warehouse.query(sql).itertuples(index=False, name=None)))


BENCHMARK_LEVELS = ("England", "Region", "Statistical neighbours")


def benchmark_values(warehouse: Warehouse, measure_id: str, level: str = "England", state: FilterState | None = None) -> pd.DataFrame:
    """Benchmark values of a measure by academic year (columns year, value, label, symbol); empty if none loaded.

    With a state, the figures are for the same phase, SEN provision and primary need as the state's filters (those
    the measure follows), so pupils with EHC plans are set beside England's pupils with EHC plans, never beside all
    pupils. symbol is the EES symbol given in place of the value (value blank), if any.
    """
    measure = MEASURES[measure_id]
    group = [getattr(state, name) if state is not None and name in measure.filters else None for name in ("phase", "sen", "need")]
    select = ("SELECT academic_year AS year, value, geography_name AS label, "
              "regexp_extract(symbols, '(^|;)value=([a-z]+)', 2) AS symbol FROM benchmark WHERE measure = ? AND geography_level = ?")
    if "phase" not in warehouse.columns("benchmark"):
        # Loaded before benchmarks had groups of pupils: every figure is for all pupils, so none for a group.
        return warehouse.query(select + (" AND false" if any(group) else "") + " ORDER BY 1", [measure_id, level])
    return warehouse.query(select + " AND phase IS NOT DISTINCT FROM ? AND sen_provision IS NOT DISTINCT FROM ? "
                           "AND primary_need IS NOT DISTINCT FROM ? ORDER BY 1", [measure_id, level] + group)


def term_order(warehouse: Warehouse) -> dict[str, int]:
    """Position of each term within a year, for ordering term-level series."""
    return dict(warehouse.query("SELECT DISTINCT term, term_order FROM period").itertuples(index=False, name=None))


def events(warehouse: Warehouse) -> pd.DataFrame:
    """Events to mark on trend charts (academic_year, term, label), oldest first."""
    return warehouse.query("SELECT academic_year, term, label, event_date FROM event ORDER BY event_date")
