"""Reasons for exclusion: what the borough's suspensions or permanent exclusions were given for, year by year."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.disclosure import Line, protect
from dashboard.figures import bar_chart
from dashboard.filters import FilterState
from dashboard.measures import MEASURES, Measure
from dashboard.panels import NO_DATA_MESSAGE, Panel, symbols_note
from dashboard.queries import SHOWN, SUPPRESSED, NotApplicable, NotRecorded, labels
from dashboard.reference import EXCLUSION_REASONS, EXCLUSION_TYPES, PHASES
from dashboard.warehouse import Warehouse

ALL_REASONS = "all"  # the reason code of each year's total over its reasons
ALL_PHASES = "*"  # the phase code of the borough's cells
YEARS_SHOWN = 5  # the table's columns: the chosen year and the four before it
# Share of the year's exclusions, so bars of years with different totals read alike.
SHARE = Measure("reason_share", "Share", "exclusions", "% of the year's exclusions", 100, "exclusions", "exclusions",
                "Exclusions with this main reason as a share of all exclusions of the type in the year.", None, frozenset(), 1)


def exclusion_type_for(measure_id: str) -> str:
    """Permanent exclusions when the permanent exclusion rate is chosen; suspensions otherwise."""
    return "permanent" if measure_id == "permanent_rate" else "suspension"


def reason_counts(warehouse: Warehouse, state: FilterState, threshold: int) -> pd.DataFrame:
    """Exclusions per year and main reason up to state.year (columns year, reason, count, status), protected.

    The rows are the borough's, or one phase's when a phase is chosen, with each year's 'all reasons' total.
    Both come from one protection of the whole phase-by-reason grid, so what one view hides cannot be had by
    taking the other phases from the borough. Raises NotApplicable when no reasons are loaded or a locality or
    cluster is chosen, and NotRecorded when a phase is chosen and the reasons do not say which.
    """
    kind = exclusion_type_for(state.measure)
    if not warehouse.columns("exclusion_reason") or not warehouse.query("SELECT count(*) AS n FROM exclusion_reason")["n"].iat[0]:
        raise NotApplicable("No reasons for exclusion are loaded: add exclusion_reasons.csv, or a reason column to the "
                            "pupil-level exclusions")
    if state.locality or state.cluster:
        # Each locality's reasons beside the borough's would give the last one away by subtraction, cell by cell.
        raise NotApplicable("Reasons are shown for the whole borough or a phase, not a locality or cluster: beside the "
                            "borough's, a locality's reasons would let small numbers be worked out")
    rows = warehouse.query(
        "SELECT r.academic_year AS year, r.reason, r.exclusions, coalesce(s.phase, r.phase, '') AS phase, "
        "regexp_extract(r.symbols, 'exclusions=([a-z]+)', 1) AS symbol "
        "FROM exclusion_reason r LEFT JOIN school s USING (urn) WHERE r.exclusion_type = ? AND r.academic_year <= ?",
        [kind, state.year])
    rows["symbol"] = rows["symbol"].replace("", None)
    if state.phase and (rows["phase"] == "").all():
        raise NotRecorded("reasons for exclusion", "which phase", None, f"reasons for {EXCLUSION_TYPES[kind].lower()}s")
    # The grid: a cell per year, phase and reason (phase '' is the rest of a published total, what DfE gave as x),
    # the borough's cell per reason, each phase's total and the borough's total.
    fine = rows.groupby(["year", "phase", "reason"], sort=True).agg(
        count=("exclusions", lambda c: c.sum(min_count=1)), symbol=("symbol", "first")).reset_index()
    borough = []
    for (year, reason), group in fine.groupby(["year", "reason"], sort=True):
        # A group with a rest row adds up to the published total: only the total's own symbol stands for it.
        judged = group[group["phase"] == ""] if (group["phase"] == "").any() else group
        borough.append((year, ALL_PHASES, reason, group["count"].sum(min_count=1), judged["symbol"].dropna().iat[0] if judged["symbol"].notna().any() else None))
    cells = pd.concat([fine.assign(role="cell"), pd.DataFrame(borough, columns=["year", "phase", "reason", "count", "symbol"]).assign(role="cell")],
                      ignore_index=True)
    totals = cells.groupby(["year", "phase"], sort=True)["count"].sum().reset_index().assign(reason=ALL_REASONS, symbol=None, role="total")
    grid = pd.concat([cells, totals], ignore_index=True)
    position = {key: i for i, key in enumerate(zip(grid["year"], grid["phase"], grid["reason"]))}
    lines = []
    for year, in_year in grid.groupby("year"):
        phases = [ph for ph in in_year["phase"].unique() if ph != ALL_PHASES]
        for phase, part in in_year.groupby("phase"):  # each phase's reasons (and the borough's) add up to its total
            lines.append(Line(part.index[part["reason"] != ALL_REASONS].to_numpy(), position[(year, phase, ALL_REASONS)]))
        for reason, part in in_year[in_year["phase"] != ALL_PHASES].groupby("reason"):  # the phases add up to the borough
            lines.append(Line(part.index.to_numpy(), position[(year, ALL_PHASES, reason)]))
        lines.append(Line(np.array([position[(year, ph, ALL_REASONS)] for ph in phases]), position[(year, ALL_PHASES, ALL_REASONS)]))
    # Cells the source gave as a symbol, and the rest of a total, hold nothing of ours to hide: they count as known.
    ours = grid["symbol"].isna() & (grid["phase"] != "")
    hidden = protect(grid["count"].fillna(0), grid["count"].between(1, threshold) & ours, lines)
    grid["status"] = np.where(grid["symbol"].notna(), grid["symbol"], np.where(hidden, SUPPRESSED, SHOWN))
    shown = grid[grid["phase"] == (state.phase or ALL_PHASES)]
    return shown[["year", "reason", "count", "status"]].reset_index(drop=True)


def reasons_panel(warehouse: Warehouse, state: FilterState, threshold: int) -> Panel | None:
    """Main reasons for suspensions (or permanent exclusions) in the chosen year, and over the years before it.

    None when the chosen measure is not an exclusion rate: reasons belong beside exclusions only.
    """
    if MEASURES[state.measure].dataset != "exclusions":
        return None
    kind = exclusion_type_for(state.measure)
    title = f"Reasons for {EXCLUSION_TYPES[kind].lower()}s, {state.year}"
    notes = []
    ignored = [name for name, value in (("SEN provision", state.sen), ("need type", state.need)) if value]
    if ignored:
        notes.append(f"Reasons are not recorded by {' or '.join(ignored)}, so {'that filter does' if len(ignored) == 1 else 'those filters do'} not apply here.")
    try:
        counts = reason_counts(warehouse, state, threshold)
    except NotApplicable as reason:
        return Panel(title, NO_DATA_MESSAGE, pd.DataFrame(), notes=notes + [f"{reason}."])
    this_year = counts[counts["year"] == state.year]
    if this_year.empty:
        return Panel(title, NO_DATA_MESSAGE, pd.DataFrame(), notes=notes + [
            f"No reasons are loaded for {state.year}." + (f" They are loaded for {', '.join(sorted(counts['year'].unique()))}." if len(counts) else "")])
    years = sorted(counts["year"].unique())[-YEARS_SHOWN:]
    counts = counts[counts["year"].isin(years)].copy()
    every = counts[counts["reason"] == ALL_REASONS].set_index("year")
    counts = counts[counts["reason"] != ALL_REASONS]
    totals = every["count"]
    # A share would give a hidden total away (total = count / share): shares only beside a shown total.
    counts["share"] = (counts["count"] / counts["year"].map(totals) * 100).where(counts["year"].map(every["status"]) == SHOWN)
    counts["label"] = counts["reason"].map(EXCLUSION_REASONS).fillna(counts["reason"])
    this_year = counts[counts["year"] == state.year]
    # Largest first among the shown; hidden cells after them in name order, so the order gives no hidden count away.
    this_year = this_year.assign(_shown=this_year["count"].where(this_year["status"] == SHOWN)).sort_values(
        ["_shown", "label"], ascending=[False, True], na_position="last").drop(columns="_shown")
    # Bars: only our own shown cells carry a number; c and the source's symbols are printed as they are.
    bars = this_year.assign(value=this_year["share"].where(this_year["status"] == SHOWN))
    bars = bars[bars["count"].fillna(1) > 0]  # a reason given for none this year is in the table, not drawn as an empty bar
    place = _place_words(warehouse, state)
    figure = bar_chart(bars[["label", "value", "status"]], SHARE, f"Main reasons for {EXCLUSION_TYPES[kind].lower()}s, {state.year}: {place}")
    table = counts.assign(text=[_cell_text(c, s, share) for c, s, share in zip(counts["count"], counts["status"], counts["share"])])
    table = table.pivot(index="label", columns="year", values="text").reindex(this_year["label"]).reset_index(names="Main reason")
    table = table.fillna("0")
    total_row = {"Main reason": "All reasons"} | {year: f"{totals[year]:,.0f}" if every.at[year, "status"] == SHOWN else "c" for year in years}
    table = pd.concat([table, pd.DataFrame([total_row])], ignore_index=True)
    top = this_year[this_year["status"] == SHOWN].head(1)
    summary = NO_DATA_MESSAGE
    if len(top) and every.at[state.year, "status"] == SHOWN:
        row = top.iloc[0]
        given = " whose reason the source gives" if (~this_year["status"].isin([SHOWN, SUPPRESSED])).any() else ""
        summary = (f"{row['label']} was the most common main reason for {EXCLUSION_TYPES[kind].lower()}s in {state.year} "
                   f"({place}): {row['count']:,.0f} of the {totals[state.year]:,.0f}{given} ({row['share']:.1f}%).")
    notes.append("Each exclusion is counted once, under its main reason. Cells show the number and its share of the year's "
                 "exclusions of this type; the table shows up to five years to the one chosen.")
    if (counts["status"] == SUPPRESSED).any():
        notes.append("c: too few exclusions to show, or hidden so that a small number cannot be worked out from the total.")
    if any(s not in (SHOWN, SUPPRESSED) for s in counts["status"]):
        notes.append(symbols_note(counts["status"]) + " All reasons counts the exclusions whose reason the source gives.")
    return Panel(title, summary, table, figure, notes)


def _cell_text(count: float, status: str, share: float) -> str:
    if status == SHOWN:
        return f"{count:,.0f}" + (f" ({share:.1f}%)" if share == share else "")
    return "c" if status == SUPPRESSED else status


def _place_words(warehouse: Warehouse, state: FilterState) -> str:
    """'the whole borough', or the chosen locality, cluster and phase in words."""
    parts = []
    if state.cluster:
        parts.append(labels(warehouse, "cluster").get(state.cluster, state.cluster))
    elif state.locality:
        parts.append(labels(warehouse, "locality").get(state.locality, state.locality))
    if state.phase:
        parts.append(f"{PHASES.get(state.phase, state.phase).lower()} schools")
    return ", ".join(parts) if parts else "the whole borough"

