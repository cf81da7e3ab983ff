"""Rates as the app shows them, looked up from the published cells: numerator, denominator, value and status.

Nothing is protected here: every count was protected once at load. A rate is shown only where both its counts
are shown; a cut the registry does not declare is refused in words that say where it can be had instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from dashboard.domain.area import BOROUGH, Area
from dashboard.domain.comparison import with_interval
from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES, Measure
from dashboard.domain.reference import SYMBOL_ORDER
from dashboard.domain.status import NO_DATA, OUTSIDE, SHOWN, SUPPRESSED
from dashboard.publish.registry import (
    COUNTS,
    DIMENSIONS,
    FAMILIES,
    HOME_PLACES,
    KEY_COLUMNS,
    MEASURE_COUNTS,
    canonical,
    has_dimension,
    offered,
)
from dashboard.query import published
from dashboard.query.catalogue import filter_options
from dashboard.query.geometry import feature_ids, place_table
from dashboard.query.published import NotApplicable, NotOffered
from dashboard.store.warehouse import Warehouse, frame_bytes

FILTERED = ("locality", "cluster", "phase", "sen", "need")
RATE_COLUMNS = ["numerator", "denominator", "value", "status", "low", "high"]  # low, high: the 95% interval
# Where pupils live, and where they go to school, from the finest place to the whole borough.
SCHOOL_PLACES = ("school", "cluster", "school_locality")
PLURALS = {
    "area": "small areas",
    "ward": "wards",
    "locality": "localities",
    "school": "schools",
    "cluster": "school clusters",
    "school_locality": "localities of schools",
}


def _plan(warehouse: Warehouse, measure_id: str, state: FilterState, by: tuple, termly: bool, school_locality: bool):
    """What a look-up reads: (filters, cut, year, years published); NotApplicable, saying why, where it cannot."""
    measure = MEASURES[measure_id]
    numerator, denominator = MEASURE_COUNTS[measure_id]
    if termly and not COUNTS[numerator].termly:
        raise NotApplicable(f"{measure.label} is counted once a year, not by term")
    filters = _filters(state, measure, school_locality)
    group = [k for k in by if k not in ("borough", "year", "term")]
    cut = canonical(group + list(filters))
    if not offered(numerator, cut, termly):
        raise NotOffered(refusal(measure, numerator, group, list(filters), termly, filter_options(warehouse).area))
    den_cut = canonical(d for d in cut if has_dimension(denominator, d))
    year = None if "year" in by else state.year
    years = _years_published(warehouse, measure, (numerator, cut), (denominator, den_cut), year=year)
    return filters, cut, year, years


def answers(warehouse: Warehouse, measure_id: str, state: FilterState, by: str | tuple[str, ...]) -> bool:
    """True when rates() would answer for this state and cut (the registry offers it and the year is published),
    found without reading a row: what the map asks of every level before drawing one."""
    try:
        _plan(warehouse, measure_id, state, (by,) if isinstance(by, str) else tuple(by), False, False)
    except NotApplicable:
        return False
    return True


def rates(
    warehouse: Warehouse,
    measure_id: str,
    state: FilterState,
    by: str | tuple[str, ...],
    termly: bool = False,
    school_locality: bool = False,
) -> pd.DataFrame:
    """Numerator, denominator and rate per group, from the published cells.

    by names the dimensions to group on; with "year" in by, every year is returned. termly asks for term rows
    instead of full years; school_locality makes the locality filter mean the school's locality rather than the
    pupil's home. Columns: one per dimension in by, numerator, denominator, value, status.
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    measure = MEASURES[measure_id]
    filters, cut, year, years = _plan(warehouse, measure_id, state, by, termly, school_locality)
    if published.fits(warehouse):
        joined = _joined(warehouse, measure, cut, termly)
    else:  # England: only the rows this look-up asks for are read and joined
        joined = _joined(warehouse, measure, cut, termly, year, filters)
    keys = [k for k in by if k != "borough"] + (["term"] if termly else [])
    frame = joined.rows(year)
    keep = frame["year"].isin(years).to_numpy(copy=True) if year is None else np.ones(len(frame), dtype=bool)
    for column, value in filters.items():
        # A family with no cells at all has only its own columns: nothing in it matches a filter it cannot follow.
        keep &= frame[column].to_numpy(object) == value if column in frame else False
    found = [k for k in keys if k in frame]
    frame = joined.rows(year, tuple(found))  # the same rows with only the columns asked for
    if not keep.all():
        frame = frame[keep]
    if len(found) < len(keys):
        frame = frame.assign(**{k: None for k in keys if k not in found})[keys + RATE_COLUMNS]
    # The joined rows are kept in key order: most look-ups ask for that order and need no sorting.
    natural = [k for k in _key_order(cut, termly) if year is None or k != "year"]
    if keys != natural[: len(keys)]:
        frame = frame.sort_values(keys, na_position="last", kind="stable")
    return frame.reset_index(drop=True)


def _key_order(cut: tuple[str, ...], termly: bool) -> list[str]:
    return ["year", *cut] + (["term"] if termly else [])


def count_values(
    warehouse: Warehouse,
    count: str,
    state: FilterState,
    by: str | tuple[str, ...],
    school_locality: bool = False,
    ignore: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One count's published cells per group (columns: the by dimensions, value, status), for views that show a count
    rather than a rate (the SEN mix of a school's pupils, say). Filters the count cannot follow are left aside."""
    by = (by,) if isinstance(by, str) else tuple(by)
    filters = {
        k: v for k, v in _filters(state, None, school_locality).items() if has_dimension(count, k) and k not in ignore
    }
    group = [k for k in by if k not in ("borough", "year")]
    cut = canonical(group + list(filters))
    if not offered(count, cut):
        area = filter_options(warehouse).area
        raise NotOffered(f"The {COUNTS[count].words} are not published by {_words(cut, area)}")
    frame = published.cells(warehouse, count, cut, None if "year" in by else state.year, False, filters)
    frame["status"] = frame["status"].replace("c", SUPPRESSED)
    keys = [k for k in by if k != "borough"]
    return frame[keys + ["value", "status"]].reset_index(drop=True)


def _filters(state: FilterState, measure: Measure | None, school_locality: bool) -> dict[str, str]:
    """The state's filters as published key columns (a locality on school views means the school's locality)."""
    filters = {}
    for key in FILTERED:
        value = getattr(state, key)
        if value is None or (measure is not None and key not in measure.filters):
            continue
        filters["school_locality" if key == "locality" and school_locality else key] = value
    if state.school:
        filters["school"] = state.school
    return filters


def _years_published(warehouse: Warehouse, measure: Measure, *families: tuple[str, tuple], year: str | None) -> list:
    """The years both counts' families are published; a single year that is not raises the reason in words."""
    gaps = published.family_gaps(warehouse)
    all_years = sorted({y for (_, _, y) in gaps} | set(_loaded_years(warehouse)))
    asked = all_years if year is None else [year]
    kept = []
    for candidate in asked:
        reason = next(
            (
                (count, gaps[(count, "|".join(dims) or "borough", candidate)])
                for count, dims in families
                if (count, "|".join(dims) or "borough", candidate) in gaps
            ),
            None,
        )
        if reason is None:
            kept.append(candidate)
        elif year is not None:
            raise published.gap_error(reason[0], reason[1], year, measure.in_sentence)
    if year is None and not kept:
        count, dims = families[0]
        reason = next(gaps[k] for k in gaps if k[0] == count and k[1] == ("|".join(dims) or "borough"))
        raise published.gap_error(count, reason, None, measure.in_sentence)
    return kept


def _loaded_years(warehouse: Warehouse) -> list[str]:
    return warehouse.cached(
        "published years",
        lambda: list(warehouse.query("SELECT DISTINCT academic_year FROM published ORDER BY 1")["academic_year"]),
    )


@dataclass(frozen=True)
class _Joined:
    """A measure's joined rows for one cut: every year, each year, and those with only some columns, kept."""

    every: pd.DataFrame
    by_year: dict[str, pd.DataFrame]
    projections: dict = field(default_factory=dict)

    def rows(self, year: str | None, columns: tuple[str, ...] | None = None) -> pd.DataFrame:
        """The rows of one year (or all, if None); with columns, only those and the rate columns, in that order."""
        frame = self.every if year is None else self.by_year.get(year)
        if frame is None:  # a year with no rows: none, with the columns (made only then: a look-up is hot)
            frame = self.every.iloc[0:0]
        if columns is None:
            return frame
        key = (year, columns)
        if key not in self.projections:
            # Choosing columns by name is slow in pandas next to a look-up: each choice is made once per version.
            self.projections[key] = frame[list(columns) + RATE_COLUMNS]
        return self.projections[key]


def _joined(
    warehouse: Warehouse,
    measure: Measure,
    cut: tuple[str, ...],
    termly: bool,
    year: str | None = None,
    filters: dict[str, str] | None = None,
) -> _Joined:
    """A measure's rates for one published cut: its two counts' cells joined once per version, every year and group
    (or, given a year or filters, only those rows: where the publication does not fit in memory).

    A request then picks its year and filters from these rows; nothing is protected or computed beyond the rate.
    """
    filters = filters or {}

    def build() -> _Joined:
        numerator, denominator = MEASURE_COUNTS[measure.id]
        den_cut = canonical(d for d in cut if has_dimension(denominator, d))
        den_termly = termly and COUNTS[denominator].termly
        num = published.cells(warehouse, numerator, cut, year, termly, filters)
        # The denominator follows the filters its family has (a locality implied by its small areas, say): the rows
        # it drops are those no numerator row of the filtered pupils joins to.
        den_columns = published.family_columns(den_cut)
        den_filters = {k: v for k, v in filters.items() if k in den_columns}
        den = published.cells(warehouse, denominator, den_cut, year, den_termly, den_filters)
        frame = _statuses(_join(num, den, cut, den_cut, termly, den_termly), measure).reset_index(drop=True)
        frame = with_interval(frame, measure)
        frame = frame.sort_values(_key_order(cut, termly), na_position="last", kind="stable", ignore_index=True)
        # Only what a look-up returns, in plain columns: each request then slices a few small arrays.
        keys = [c for c in frame.columns if c in KEY_COLUMNS or c in ("year", "term")]
        frame = frame[keys + RATE_COLUMNS].astype({c: object for c in keys + ["status"]})
        by_year = {year: rows.reset_index(drop=True) for year, rows in frame.groupby("year", sort=False)}
        return _Joined(frame, by_year)

    # Held twice (every year together, and year by year), with column projections of a few of them beside.
    key = ("rates", measure.id, cut, termly, year, tuple(sorted(filters.items())))
    if published.fits(warehouse):
        return warehouse.cached(key, build)
    return warehouse.cached(key, build, size=lambda joined: 2 * frame_bytes(joined.every))


def warm(warehouse: Warehouse) -> int:
    """Join every measure's counts for every cut the registry offers, so no request waits for a first join, where the
    publication fits in the memory a worker's look-ups may hold (England's does not: each request joins only its
    own rows).

    Returns how many cuts were joined. Once per version: the joins are kept until a new version is served.
    """
    joined = 0
    if not published.fits(warehouse):
        return joined
    for measure in MEASURES.values():
        numerator = MEASURE_COUNTS[measure.id][0]
        for family in FAMILIES:
            for termly in (False, True):
                if offered(numerator, family.dims, termly):
                    _joined(warehouse, measure, family.dims, termly)
                    joined += 1
    return joined


def _join(num: pd.DataFrame, den: pd.DataFrame, cut: tuple, den_cut: tuple, termly: bool, den_termly: bool):
    """Numerator and denominator side by side, on the denominator's keys (it may lack some: shared by every group)."""
    num_keys = ["year", *cut] + (["term"] if termly else [])
    den_keys = ["year", *den_cut] + (["term"] if den_termly else [])
    num = num.rename(columns={"value": "numerator", "status": "num_status"})
    den = den.rename(columns={"value": "denominator", "status": "den_status"})
    if not termly:
        num = num.drop(columns="term")
    if not den_termly:
        den = den.drop(columns="term")
    if set(den_keys) != set(num_keys):
        return num.merge(den[den_keys + ["denominator", "den_status"]], on=den_keys, how="left")
    # Both sides are the same family: a group with pupils but none excluded counts as zero. Missing keys (outside
    # the borough, not given by school) join like any other value; the columns a key implies join with it.
    on = [c for c in num.columns if c in den.columns]
    frame = num.merge(den, on=on, how="outer")
    frame["num_status"] = frame["num_status"].fillna(SHOWN)
    frame["numerator"] = frame["numerator"].where(frame["num_status"].ne(SHOWN) | frame["numerator"].notna(), 0.0)
    return frame


def _statuses(frame: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    """A rate's status from its counts': a source's symbol, suppressed, no data, or shown (and only then a value)."""
    num_status, den_status = frame["num_status"].fillna(SHOWN), frame["den_status"]
    symbols = [s for s in SYMBOL_ORDER if s != "c"]
    rank = {s: i for i, s in enumerate(symbols)}

    def source(a, b):
        found = [s for s in (a, b) if s in rank]
        return max(found, key=rank.get) if found else ""

    symbol = np.array([source(a, b) for a, b in zip(num_status, den_status.fillna(""))], dtype=object)
    hidden_num = num_status.isin([SUPPRESSED, "c"]).to_numpy()
    hidden_den = den_status.isin([SUPPRESSED, "c"]).to_numpy()
    denominator = pd.to_numeric(frame["denominator"], errors="coerce")
    empty = (denominator.isna() & ~hidden_den) | (denominator <= 0)
    status = np.select([symbol != "", hidden_num | hidden_den, empty.to_numpy()], [symbol, SUPPRESSED, NO_DATA], SHOWN)
    frame = frame.assign(status=status)
    frame["numerator"] = pd.to_numeric(frame["numerator"], errors="coerce").astype(float)
    frame["denominator"] = denominator.astype(float)
    frame["value"] = (frame["numerator"] / frame["denominator"] * measure.scale).where(frame["status"] == SHOWN)
    frame.loc[~frame["status"].isin([SHOWN, NO_DATA]), "numerator"] = np.nan
    frame.loc[hidden_den, "denominator"] = np.nan
    return frame


def offers(measure_id: str, by: str | tuple[str, ...]) -> bool:
    """True when the measure's counts are published cut by these dimensions (by school, say)."""
    by = (by,) if isinstance(by, str) else tuple(by)
    return offered(MEASURE_COUNTS[measure_id][0], canonical(d for d in by if d not in ("borough", "year")))


def where_offered(measure_id: str, state: FilterState, area: Area = BOROUGH) -> str | None:
    """Where the measure is published for the chosen pupils, in words for the filter panel, or None if everywhere.

    'With a need type chosen, the suspension rate is published for the borough and by locality; not by ward,
    small area or school.'
    """
    measure = MEASURES[measure_id]
    numerator = MEASURE_COUNTS[measure_id][0]
    slices = [key for key in ("need", "sen", "phase") if getattr(state, key) and key in measure.filters]
    places = {"locality": "locality", "ward": "ward", "area": "small area", "school": "school"}
    if not has_dimension(numerator, "school"):
        places.pop("school")
    yes = [words for place, words in places.items() if offered(numerator, canonical([place, *slices]))]
    no = [words for place, words in places.items() if words not in yes]
    whole = offered(numerator, canonical(slices))
    name = f"the {measure.in_sentence}" if measure.in_sentence.endswith("rate") else measure.in_sentence
    chosen = (
        f"With {' and '.join(DIMENSIONS[k] for k in slices)} chosen, {name}" if slices else name[0].upper() + name[1:]
    )
    if not no and whole:
        return None
    if not whole:
        return f"{chosen} is not published: choose fewer of these filters."
    where = f"for {area.the}" + (f" and by {_listed(yes, 'and')}" if yes else " only")
    return f"{chosen} is published {where}; not by {_listed(no, 'or')}."


def _listed(words: list[str], joiner: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def refusal(measure: Measure, count: str, group: list[str], filters: list[str], termly: bool, area: Area) -> str:
    """Why a cut is not published, and where the same view can be had: 'To filter by need, choose localities.'"""
    place = next((g for g in group if g in HOME_PLACES + SCHOOL_PLACES), None)
    # A filter of the place's own kind only narrows the places (a locality of small areas, a cluster of schools);
    # one of the other kind (a cluster of where pupils live) is a cut of its own.
    own = ("locality",) if place in HOME_PLACES else ("school_locality", "cluster", "school")
    wanted = [f for f in filters if f not in own or not place]
    extra = [d for d in group if d != place]
    if termly and not offered(count, canonical(group), True):
        where = [
            PLURALS.get(f.dims[0], DIMENSIONS[f.dims[0]]) if f.dims else area.whole
            for f in FAMILIES
            if count in f.by_term and len(f.dims) < 2
        ]
        return f"{measure.label} is shown by term for {' or '.join(where)}, not by {_words(canonical(group), area)}"
    if place and (wanted or extra):
        levels = HOME_PLACES if place in HOME_PLACES else SCHOOL_PLACES
        fits = [PLURALS[level] for level in levels if offered(count, canonical([level, *wanted, *extra]), termly)]
        words = " and ".join(DIMENSIONS[d] for d in (wanted + extra))
        if fits:
            return f"To filter the {measure.in_sentence} by {words}, choose {' or '.join(fits)}"
        if offered(count, canonical([*wanted, *extra]), termly):
            return f"The {measure.in_sentence} by {words} is published for {area.whole}, not by {PLURALS[place]}"
        return f"The {measure.in_sentence} is not published by {words}"
    if place:
        # The level itself is not published: name the levels of the same kind that are.
        levels = HOME_PLACES if place in HOME_PLACES else SCHOOL_PLACES
        fits = [PLURALS[level] for level in levels if offered(count, canonical([level]), termly)]
        if fits:
            return f"The {measure.in_sentence} is not published by {DIMENSIONS[place]}: choose {' or '.join(fits)}"
    return f"The {measure.in_sentence} is not published by {_words(canonical(group + filters), area)}"


def _words(dims, area: Area) -> str:
    return " and ".join(DIMENSIONS[d] for d in dims) or area.whole


def rates_where_possible(
    warehouse: Warehouse, measure_id: str, state: FilterState, by: str | tuple[str, ...], **options
) -> pd.DataFrame:
    """rates(), or no rows where the data cannot be cut this way (a school grid beside LA-level absence, say)."""
    try:
        return rates(warehouse, measure_id, state, by, **options)
    except NotApplicable:
        keys = [by] if isinstance(by, str) else list(by)
        return pd.DataFrame(columns=[k for k in keys if k != "borough"] + RATE_COLUMNS)


def map_values(warehouse: Warehouse, measure_id: str, state: FilterState, level: str = "area") -> pd.DataFrame:
    """Every small area, ward or locality with its rate; places outside the chosen locality are marked, not dropped.

    Columns: code, name, context (the wider places it is in), locality_code, feature (its id in the level's
    boundaries), then the rate columns (numerator, denominator, value, status, low, high). Where the data cannot be
    cut to this level, every place has no data and attrs["unavailable"] says why.
    """
    places = place_table(warehouse, level)
    # Every place of the level is drawn, but only the chosen locality's have figures, the others marked outside it
    # below. Where the publication is held whole, every place's rate is a slice of it in place order (quickest);
    # where it is not (England), only the chosen locality's are looked up: an LA's few hundred, not 33,755.
    asked = state if state.locality and not published.fits(warehouse) else replace(state, locality=None)
    try:
        values, unavailable = rates(warehouse, measure_id, asked, level), None
    except NotApplicable as reason:  # every place is drawn as no data, and the reason goes with the frame
        values, unavailable = pd.DataFrame(columns=[level, *RATE_COLUMNS]), f"{reason}."
    codes, ids, count = values[level].to_numpy(object), feature_ids(warehouse, level), len(places)
    columns = {}
    if len(codes) >= count and (codes[:count] == ids.to_numpy(object)).all():
        # Rates come in key order, as the places do: where every place has a row, its row is its position (the
        # rows after them are of no place, such as pupils living outside the borough, and are not drawn).
        for column in RATE_COLUMNS:
            columns[column] = values[column].to_numpy(object if column == "status" else float)[:count].copy()
    else:
        position = ids.get_indexer(codes)
        found = position >= 0  # the part of a figure with no place (outside the borough) is not drawn
        for column in RATE_COLUMNS:
            filled = np.full(
                count, NO_DATA if column == "status" else np.nan, dtype=object if column == "status" else float
            )
            filled[position[found]] = values[column].to_numpy()[found]
            columns[column] = filled
    if state.locality:
        outside = places["locality_code"].to_numpy(object) != state.locality
        columns["status"][outside] = OUTSIDE
        for column in RATE_COLUMNS:
            if column != "status":
                columns[column][outside] = np.nan
    # The places' own columns go in as they are typed: only the rate columns are new arrays. feature is the place's
    # id in the level's boundaries (map_geojson), the number a map names it by.
    feature = np.arange(len(places))
    frame = pd.DataFrame(
        {**{c: places[c] for c in places}, "feature": feature, **columns}, index=places.index, copy=False
    )
    if unavailable:
        # Only then: pandas copies a frame's attrs into every column and frame taken from it, and a map takes dozens.
        frame.attrs["unavailable"] = unavailable
    return frame


def borough_value(warehouse: Warehouse, measure_id: str, state: FilterState) -> pd.Series:
    """The rate for the whole selection (the borough, or the chosen locality)."""
    frame = rates(warehouse, measure_id, state, "borough")
    if frame.empty:
        return pd.Series({"numerator": np.nan, "denominator": np.nan, "value": np.nan, "status": NO_DATA})
    return frame.iloc[0]
