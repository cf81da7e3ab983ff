"""Expected given deprivation: each place's count at the borough's rates for the deprivation of where its pupils live,
from published cells only (the registry's decile families), with its observed-to-expected ratio and verdict."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES
from dashboard.domain.standardise import expected_counts, ratio_verdicts
from dashboard.domain.status import SHOWN
from dashboard.publish.registry import MEASURE_COUNTS, canonical, offered
from dashboard.query import published
from dashboard.query.published import NotApplicable, NotOffered
from dashboard.query.rates import SCHOOL_PLACES, rates
from dashboard.store.warehouse import Warehouse

OUTSIDE_STRATUM = "outside"  # pupils living outside the borough: a stratum of their own, as in the borough's total
LEVELS = ("area", "ward", "locality", "school", "cluster")
# Where each level's pupils by decile of home are read. A small area has one decile, so a ward's or a locality's
# pupils in a decile are the sum of its small areas' (a family of their own would only repeat those sums, and its
# lines made the protection far slower: publish/registry.py); a cluster's are the sum of its schools'.
DECILE_SOURCE = {
    "area": ("area",),
    "ward": ("area",),
    "locality": ("area",),
    "school": ("school", "decile"),
    "cluster": ("school", "decile"),
}


def offers_expected(measure_id: str, state: FilterState, level: str) -> str | None:
    """None when expected counts can be worked out for these filters and level; else why not, naming a control."""
    measure = MEASURES[measure_id]
    numerator, denominator = MEASURE_COUNTS[measure_id]
    grouped = [
        key
        for key in ("sen", "need", "phase")
        if getattr(state, key) and key in measure.filters and not (key == "phase" and level == "school")
    ]
    if grouped:
        words = {"sen": "SEN provision", "need": "need type", "phase": "phase"}
        chosen = " and ".join(words[k] for k in grouped)
        return (
            f"Expected given deprivation is worked out for all pupils, not for one {chosen}: clear the {chosen} "
            "filter to compare with it"
        )
    strata = ("phase", "decile") if level == "school" else ("decile",)
    if (
        level not in LEVELS
        or not offered(numerator, canonical(strata))
        or not offered(denominator, DECILE_SOURCE[level])
    ):
        return (
            f"The {measure.in_sentence} is not published by deprivation decile, so it cannot be compared with "
            "what deprivation predicts"
        )
    return None


def expected(warehouse: Warehouse, measure_id: str, state: FilterState, level: str) -> pd.DataFrame:
    """Every place of a level with its observed count, expected count given deprivation, ratio and verdicts.

    Columns: the level's key, numerator (observed), denominator, value, status, expected, covered, ratio, low, high,
    low998, high998, verdict, verdict998. Raises NotOffered, saying why, where the publication cannot support it.
    """
    why = offers_expected(measure_id, state, level)
    if why:
        raise NotOffered(why)
    denominator = MEASURE_COUNTS[measure_id][1]
    school_side = level in SCHOOL_PLACES
    base = replace(state, locality=None, cluster=None, school=None)
    by_school = level == "school"
    key = ("school", "phase") if by_school else level
    places = rates(warehouse, measure_id, base, key, school_locality=school_side)
    strata = rates(warehouse, measure_id, base, ("phase", "decile") if by_school else ("decile",))
    totals = rates(warehouse, measure_id, base, "phase" if by_school else "borough")
    cells = by_decile(warehouse, denominator, state.year, level)

    def group(frame: pd.DataFrame) -> pd.Series:
        return frame["phase"] if by_school else pd.Series("", index=frame.index)

    def shown(frame: pd.DataFrame, column: str) -> pd.Series:
        return frame[column].where(frame["status"] == SHOWN)

    places = places[places[level].notna()]
    standard = pd.DataFrame(
        {
            "group": group(strata),
            "stratum": strata["decile"].fillna(OUTSIDE_STRATUM),
            "numerator": shown(strata, "numerator"),
            "denominator": shown(strata, "denominator"),
        }
    )
    whole = pd.DataFrame(
        {
            "group": group(totals),
            "numerator": shown(totals, "numerator"),
            "denominator": shown(totals, "denominator"),
        }
    )
    found = expected_counts(
        pd.DataFrame(
            {"place": places[level], "group": group(places), "denominator": shown(places, "denominator")}
        ).reset_index(drop=True),
        cells,
        standard,
        whole,
    )
    frame = places.reset_index(drop=True).assign(expected=found["expected"], covered=found["covered"])
    frame.loc[frame["status"] != SHOWN, ["expected", "covered"]] = np.nan
    verdicts = ratio_verdicts(frame["numerator"].where(frame["status"] == SHOWN), frame["expected"])
    frame = frame.drop(columns=[c for c in ("low", "high") if c in frame])
    return pd.concat([frame, verdicts], axis=1)


def by_decile(warehouse: Warehouse, count: str, year: str, level: str) -> pd.DataFrame:
    """A count for each place of a level by decile of home, from published cells: place, stratum (the decile, or
    'outside' for pupils living outside the borough) and value (NaN where hidden). A place's cells in one decile
    may be several (its small areas, or its schools): they are added up where they are used."""
    family = DECILE_SOURCE[level]
    cells = published.cells(warehouse, count, family, year, False, {})
    if published.gap(warehouse, count, family, year) or cells.empty:
        raise NotApplicable(f"The pupils by deprivation decile are not published for {year}")
    if level == "cluster":
        clusters = warehouse.query("SELECT urn AS school, cluster_code AS cluster FROM school")
        cells = cells.drop(columns="cluster", errors="ignore").merge(clusters, on="school", how="left")
    cells = cells[cells[level].notna()]
    return pd.DataFrame(
        {
            "place": cells[level].to_numpy(object),
            "stratum": cells["decile"].fillna(OUTSIDE_STRATUM).to_numpy(object),
            "value": cells["value"].where(cells["status"] == SHOWN).to_numpy(float),
        }
    )
