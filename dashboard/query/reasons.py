"""Exclusions by main reason, year and phase, looked up from the published cells (protected with the exclusions)."""

from __future__ import annotations

import pandas as pd

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import exclusion_type_for
from dashboard.domain.reference import EXCLUSION_TYPES
from dashboard.domain.status import SUPPRESSED
from dashboard.publish.registry import offered
from dashboard.query import published
from dashboard.query.catalogue import filter_options
from dashboard.query.published import NotApplicable, NotOffered
from dashboard.store.warehouse import Warehouse

ALL_REASONS = "all"  # the reason code of each year's total over its reasons


def reason_counts(warehouse: Warehouse, state: FilterState) -> pd.DataFrame:
    """Exclusions per year and main reason up to state.year (columns year, reason, count, status).

    The rows are the borough's, or one phase's when a phase is chosen, with each year's 'all reasons' total (the
    exclusions' own total, protected with them). Raises NotApplicable when no reasons are loaded or a locality or
    cluster is chosen, and NotRecorded when a phase is chosen and the reasons do not say which.
    """
    kind = exclusion_type_for(state.measure)
    count = f"reasons_{kind}"
    words = f"reasons for {EXCLUSION_TYPES[kind].lower()}s"
    if not _loaded(warehouse, count):
        raise NotApplicable(
            "No reasons for exclusion are loaded: add exclusion_reasons.csv, or a reason column to the "
            "pupil-level exclusions"
        )
    area = filter_options(warehouse).area
    if state.locality or state.cluster:
        # Each locality's reasons beside the borough's would give the last one away by subtraction, cell by cell.
        raise NotApplicable(
            f"Reasons are shown for {area.whole} or a phase, not a locality or cluster: beside "
            f"{area.its}, a locality's reasons would let small numbers be worked out"
        )
    if state.phase and not offered(count, ("phase", "reason")):
        raise NotOffered(f"The {words} are shown for {area.whole}, not by phase: most would be too few to show")
    filters = {"phase": state.phase} if state.phase else {}
    cells, totals = (("phase", "reason"), ("phase",)) if state.phase else (("reason",), ())
    gap = published.gap(warehouse, count, cells, state.year)
    if gap:
        raise published.gap_error(count, gap, state.year, words)
    reasons = published.cells(warehouse, count, cells, None, False, filters)
    every = published.cells(warehouse, count, totals, None, False, filters).assign(reason=ALL_REASONS)
    frame = pd.concat([reasons, every], ignore_index=True)
    frame = frame[frame["year"] <= state.year].rename(columns={"value": "count"})
    frame["status"] = frame["status"].replace("c", SUPPRESSED)
    return frame[["year", "reason", "count", "status"]].sort_values(["year", "reason"]).reset_index(drop=True)


def _loaded(warehouse: Warehouse, count: str) -> bool:
    return warehouse.cached(
        ("reasons loaded", count),
        lambda: bool(warehouse.query("SELECT count(*) AS n FROM published WHERE count = ?", [count])["n"].iat[0]),
    )
