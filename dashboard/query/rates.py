"""Rates as the app shows them: numerator, denominator, value and status per group, small numbers hidden."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES, Measure
from dashboard.domain.status import NO_DATA, OUTSIDE, SHOWN, SUPPRESSED
from dashboard.query.counts import RATE_SOURCES, TERMLY_TABLES, NotApplicable
from dashboard.query.geometry import place_table
from dashboard.query.protection import protected_cut, shared_memo
from dashboard.store.warehouse import Warehouse


def rates(
    warehouse: Warehouse,
    measure_id: str,
    state: FilterState,
    by: str | tuple[str, ...],
    threshold: int,
    termly: bool = False,
    school_locality: bool = False,
) -> pd.DataFrame:
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
    memo = shared_memo(warehouse, measure_id, state, threshold, termly, school_locality)
    frame = protected_cut(warehouse, measure_id, state, by, threshold, termly, school_locality, memo)
    keys = [k for k in by + (("term",) if termly else ()) if k in frame]
    return _publish(frame, measure)[keys + ["numerator", "denominator", "value", "status"]]


def rates_where_possible(
    warehouse: Warehouse, measure_id: str, state: FilterState, by: str | tuple[str, ...], threshold: int, **options
) -> pd.DataFrame:
    """rates(), or no rows where the loaded data cannot be cut this way (a school grid beside LA-level absence, say)."""
    try:
        return rates(warehouse, measure_id, state, by, threshold, **options)
    except NotApplicable:
        keys = [by] if isinstance(by, str) else list(by)
        return pd.DataFrame(columns=keys + ["numerator", "denominator", "value", "status"])


def _publish(frame: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    """The rate per group as shown: hidden counts blanked and marked, working columns dropped."""
    frame = frame.copy()
    empty = frame["denominator"].isna() | (frame["denominator"] <= 0)
    # Suppression wins over 'no data', so a small count with no denominator is still hidden.
    # A source's own symbol is shown as it is (c stays c); our suppression shows c.
    source_symbol = frame["symbol"].where(frame["symbol"] != "c").fillna("")
    frame["status"] = np.select(
        [source_symbol != "", frame["num_hidden"], empty], [source_symbol, SUPPRESSED, NO_DATA], SHOWN
    )
    frame["value"] = (frame["numerator"] / frame["denominator"] * measure.scale).where(frame["status"] == SHOWN)
    frame.loc[~frame["status"].isin([SHOWN, NO_DATA]), "numerator"] = np.nan
    frame.loc[frame["den_hidden"], "denominator"] = np.nan
    return frame.drop(
        columns=[
            "numerator_people",
            "denominator_people",
            "num_hidden",
            "den_hidden",
            "symbol",
            "den_symbol",
            "num_sourced",
            "den_sourced",
        ],
        errors="ignore",
    )


def map_values(
    warehouse: Warehouse, measure_id: str, state: FilterState, threshold: int, level: str = "area"
) -> pd.DataFrame:
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
        frame.loc[frame["locality_code"] != state.locality, ["status", "value", "numerator", "denominator"]] = [
            OUTSIDE,
            np.nan,
            np.nan,
            np.nan,
        ]
    return frame


def borough_value(warehouse: Warehouse, measure_id: str, state: FilterState, threshold: int) -> pd.Series:
    """The rate for the whole selection (the borough, or the chosen locality)."""
    frame = rates(warehouse, measure_id, state, "borough", threshold)
    if frame.empty:
        return pd.Series({"numerator": np.nan, "denominator": np.nan, "value": np.nan, "status": NO_DATA})
    return frame.iloc[0]
