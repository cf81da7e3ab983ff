"""Expected given deprivation: each place's count at the borough's rates for the deprivation of where its pupils live,
from published cells only (the registry's decile families), with its observed-to-expected ratio and verdict."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES
from dashboard.domain.standardise import (
    ADJUSTED_FOR,
    ADJUSTED_FOR_PHASE,
    ADJUSTED_FOR_SEN,
    NOT_ADJUSTED_FOR,
    NOT_ADJUSTED_FOR_SEN,
    expected_counts,
    ratio_verdicts,
)
from dashboard.domain.status import SHOWN
from dashboard.publish.registry import MEASURE_COUNTS, offered
from dashboard.query import published
from dashboard.query.published import NotApplicable, NotOffered
from dashboard.query.rates import SCHOOL_PLACES, rates
from dashboard.store.warehouse import Warehouse

OUTSIDE_STRATUM = "outside"  # pupils living outside the borough: a stratum of their own, as in the borough's total
LEVELS = ("area", "ward", "locality", "school", "cluster")


@dataclass(frozen=True)
class Design:
    """How a level's expected counts are made: the standard's strata, the family a place's pupils by stratum are
    read from, and the words for what is taken into account."""

    strata: tuple[str, ...]  # the borough's rates are taken in these cells (a school's within its phase)
    source: tuple[str, ...]  # each place's denominator by stratum: its small areas' or its schools' cells
    adjusted_for: str
    not_adjusted_for: str

    @property
    def placed_by(self) -> str:
        """What a place's pupils are counted by, for sentences: 'decile' or 'decile and SEN provision'."""
        return "decile and SEN provision" if "sen" in self.strata else "decile"


# A small area has one decile, so a ward's or a locality's pupils in a decile (and SEN provision) are the sum of its
# small areas' (a family of wards by decile would only repeat those sums, and its lines made the protection far
# slower: publish/registry.py); a cluster's are the sum of its schools'.
HOME_SOURCE, SCHOOL_SOURCE = ("area",), ("school", "decile")
WITH_SEN = Design(("sen", "decile"), ("area", "sen"), ADJUSTED_FOR_SEN, NOT_ADJUSTED_FOR_SEN)


def design(measure_id: str, level: str) -> Design:
    """The richest standardisation the publication supports for a measure at a level.

    Where pupils live, by deprivation and SEN provision together where both the borough's rates and each small
    area's pupils by SEN provision are published, else by deprivation alone; schools by phase and deprivation;
    clusters by deprivation.
    """
    numerator, denominator = MEASURE_COUNTS[measure_id]
    if level in SCHOOL_PLACES:
        strata = ("phase", "decile") if level == "school" else ("decile",)
        return Design(
            strata, SCHOOL_SOURCE, ADJUSTED_FOR_PHASE if level == "school" else ADJUSTED_FOR, NOT_ADJUSTED_FOR
        )
    if offered(numerator, WITH_SEN.strata) and offered(denominator, WITH_SEN.source):
        return WITH_SEN
    return Design(("decile",), HOME_SOURCE, ADJUSTED_FOR, NOT_ADJUSTED_FOR)


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
    if level not in LEVELS:
        return f"Expected given deprivation is not worked out by {level}"
    plan = design(measure_id, level)
    if not offered(numerator, plan.strata) or not offered(denominator, plan.source):
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
    plan = design(measure_id, level)
    strata = rates(warehouse, measure_id, base, plan.strata)
    totals = rates(warehouse, measure_id, base, "phase" if by_school else "borough")
    cells = by_stratum(warehouse, denominator, state.year, level, plan)

    def group(frame: pd.DataFrame) -> pd.Series:
        return frame["phase"] if by_school else pd.Series("", index=frame.index)

    def shown(frame: pd.DataFrame, column: str) -> pd.Series:
        return frame[column].where(frame["status"] == SHOWN)

    places = places[places[level].notna()]
    standard = pd.DataFrame(
        {
            "group": group(strata),
            "stratum": stratum_keys(strata, plan),
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


def stratum_keys(frame: pd.DataFrame, plan: Design) -> np.ndarray:
    """Each row's stratum as one key: 'ehcp|3', or the decile alone ('outside' for pupils living elsewhere)."""
    parts = [frame["decile"].fillna(OUTSIDE_STRATUM).astype(str)]
    if "sen" in plan.strata:
        parts.insert(0, frame["sen"].astype(str))
    return parts[0].str.cat(parts[1:], sep="|").to_numpy(object) if len(parts) > 1 else parts[0].to_numpy(object)


def by_stratum(warehouse: Warehouse, count: str, year: str, level: str, plan: Design) -> pd.DataFrame:
    """A count for each place of a level by the standard's strata, from published cells: place, stratum and value
    (NaN where hidden). A place's cells in one stratum may be several (its small areas, or its schools): they are
    added up where they are used."""
    cells = published.cells(warehouse, count, plan.source, year, False, {})
    gap = published.gap(warehouse, count, plan.source, year)
    if (gap and gap.startswith("not recorded")) or (cells.empty and not gap):
        # Public files count pupils by school or by LA, never by where they live.
        raise NotApplicable(
            f"Expected given deprivation needs to know where pupils live, which the data loaded for {year} do not say"
        )
    if gap or cells.empty:
        raise NotApplicable(f"The pupils by deprivation decile are not published for {year}")
    if level == "cluster":
        clusters = warehouse.query("SELECT urn AS school, cluster_code AS cluster FROM school")
        cells = cells.drop(columns="cluster", errors="ignore").merge(clusters, on="school", how="left")
    cells = cells[cells[level].notna()]
    return pd.DataFrame(
        {
            "place": cells[level].to_numpy(object),
            "stratum": stratum_keys(cells, plan),
            "value": cells["value"].where(cells["status"] == SHOWN).to_numpy(float),
        }
    )


def decile_source(level: str) -> tuple[str, ...]:
    """The family a level's pupils by decile of home are read from: its small areas' or its schools'."""
    return SCHOOL_SOURCE if level in SCHOOL_PLACES else HOME_SOURCE


def by_decile(warehouse: Warehouse, count: str, year: str, level: str) -> pd.DataFrame:
    """A count for each place of a level by decile of home alone (by_stratum): for views that need no other cut."""
    plan = Design(("decile",), decile_source(level), ADJUSTED_FOR, NOT_ADJUSTED_FOR)
    return by_stratum(warehouse, count, year, level, plan)
