"""Exclusions by main reason, year and phase, protected as one grid."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.disclosure import Line, protect
from dashboard.domain.filters import FilterState
from dashboard.domain.measures import exclusion_type_for
from dashboard.domain.reference import EXCLUSION_TYPES
from dashboard.domain.status import SHOWN, SUPPRESSED
from dashboard.query.counts import NotApplicable, NotRecorded
from dashboard.store.warehouse import Warehouse

ALL_REASONS = "all"  # the reason code of each year's total over its reasons
ALL_PHASES = "*"  # the phase code of the borough's cells


def reason_counts(warehouse: Warehouse, state: FilterState, threshold: int) -> pd.DataFrame:
    """Exclusions per year and main reason up to state.year (columns year, reason, count, status), protected.

    The rows are the borough's, or one phase's when a phase is chosen, with each year's 'all reasons' total.
    Both come from one protection of the whole phase-by-reason grid, so what one view hides cannot be had by
    taking the other phases from the borough. Raises NotApplicable when no reasons are loaded or a locality or
    cluster is chosen, and NotRecorded when a phase is chosen and the reasons do not say which.
    """
    kind = exclusion_type_for(state.measure)
    if (
        not warehouse.columns("exclusion_reason")
        or not warehouse.query("SELECT count(*) AS n FROM exclusion_reason")["n"].iat[0]
    ):
        raise NotApplicable(
            "No reasons for exclusion are loaded: add exclusion_reasons.csv, or a reason column to the "
            "pupil-level exclusions"
        )
    if state.locality or state.cluster:
        # Each locality's reasons beside the borough's would give the last one away by subtraction, cell by cell.
        raise NotApplicable(
            "Reasons are shown for the whole borough or a phase, not a locality or cluster: beside the "
            "borough's, a locality's reasons would let small numbers be worked out"
        )
    rows = warehouse.query(
        "SELECT r.academic_year AS year, r.reason, r.exclusions, coalesce(s.phase, r.phase, '') AS phase, "
        "regexp_extract(r.symbols, 'exclusions=([a-z]+)', 1) AS symbol "
        "FROM exclusion_reason r LEFT JOIN school s USING (urn) WHERE r.exclusion_type = ? AND r.academic_year <= ?",
        [kind, state.year],
    )
    rows["symbol"] = rows["symbol"].replace("", None)
    if state.phase and (rows["phase"] == "").all():
        raise NotRecorded("reasons for exclusion", "which phase", None, f"reasons for {EXCLUSION_TYPES[kind].lower()}s")
    # The grid: a cell per year, phase and reason (phase '' is the rest of a published total, what DfE gave as x),
    # the borough's cell per reason, each phase's total and the borough's total.
    fine = (
        rows.groupby(["year", "phase", "reason"], sort=True)
        .agg(count=("exclusions", lambda c: c.sum(min_count=1)), symbol=("symbol", "first"))
        .reset_index()
    )
    borough = []
    for (year, reason), group in fine.groupby(["year", "reason"], sort=True):
        # A group with a rest row adds up to the published total: only the total's own symbol stands for it.
        judged = group[group["phase"] == ""] if (group["phase"] == "").any() else group
        borough.append(
            (
                year,
                ALL_PHASES,
                reason,
                group["count"].sum(min_count=1),
                judged["symbol"].dropna().iat[0] if judged["symbol"].notna().any() else None,
            )
        )
    cells = pd.concat(
        [
            fine.assign(role="cell"),
            pd.DataFrame(borough, columns=["year", "phase", "reason", "count", "symbol"]).assign(role="cell"),
        ],
        ignore_index=True,
    )
    totals = (
        cells.groupby(["year", "phase"], sort=True)["count"]
        .sum()
        .reset_index()
        .assign(reason=ALL_REASONS, symbol=None, role="total")
    )
    grid = pd.concat([cells, totals], ignore_index=True)
    position = {key: i for i, key in enumerate(zip(grid["year"], grid["phase"], grid["reason"]))}
    lines = []
    for year, in_year in grid.groupby("year"):
        phases = [ph for ph in in_year["phase"].unique() if ph != ALL_PHASES]
        for phase, part in in_year.groupby("phase"):  # each phase's reasons (and the borough's) add up to its total
            lines.append(
                Line(part.index[part["reason"] != ALL_REASONS].to_numpy(), position[(year, phase, ALL_REASONS)])
            )
        for reason, part in in_year[in_year["phase"] != ALL_PHASES].groupby(
            "reason"
        ):  # the phases add up to the borough
            lines.append(Line(part.index.to_numpy(), position[(year, ALL_PHASES, reason)]))
        lines.append(
            Line(
                np.array([position[(year, ph, ALL_REASONS)] for ph in phases]),
                position[(year, ALL_PHASES, ALL_REASONS)],
            )
        )
    # Cells the source gave as a symbol, and the rest of a total, hold nothing of ours to hide: they count as known.
    ours = grid["symbol"].isna() & (grid["phase"] != "")
    hidden = protect(grid["count"].fillna(0), grid["count"].between(1, threshold) & ours, lines)
    grid["status"] = np.where(grid["symbol"].notna(), grid["symbol"], np.where(hidden, SUPPRESSED, SHOWN))
    shown = grid[grid["phase"] == (state.phase or ALL_PHASES)]
    return shown[["year", "reason", "count", "status"]].reset_index(drop=True)
