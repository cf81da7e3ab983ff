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
YEARS_SHOWN = 5  # the table's columns: the chosen year and the four before it
# Share of the year's exclusions, so bars of years with different totals read alike.
SHARE = Measure("reason_share", "Share", "exclusions", "% of the year's exclusions", 100, "exclusions", "exclusions",
                "Exclusions with this main reason as a share of all exclusions of the type in the year.", None, frozenset(), 1)


def exclusion_type_for(measure_id: str) -> str:
    """Permanent exclusions when the permanent exclusion rate is chosen; suspensions otherwise."""
    return "permanent" if measure_id == "permanent_rate" else "suspension"


def reason_counts(warehouse: Warehouse, state: FilterState, threshold: int) -> pd.DataFrame:
    """Exclusions per year and main reason up to state.year (columns year, reason, count, status), protected.

    Raises NotApplicable when no reasons are loaded, and NotRecorded when a filter needs what they do not say.
    """
    kind = exclusion_type_for(state.measure)
    if not warehouse.columns("exclusion_reason") or not warehouse.query("SELECT count(*) AS n FROM exclusion_reason")["n"].iat[0]:
        raise NotApplicable("No reasons for exclusion are loaded: add exclusion_reasons.csv, or a reason column to the "
                            "pupil-level exclusions")
    rows = warehouse.query(
        "SELECT r.academic_year AS year, r.reason, r.exclusions, r.urn, coalesce(s.phase, r.phase) AS phase, "
        "c.locality_code, s.cluster_code, regexp_extract(r.symbols, 'exclusions=([a-z]+)', 1) AS symbol "
        "FROM exclusion_reason r LEFT JOIN school s USING (urn) LEFT JOIN cluster c USING (cluster_code) "
        "WHERE r.exclusion_type = ? AND r.academic_year <= ?", [kind, state.year])
    rows["symbol"] = rows["symbol"].replace("", None)
    words = f"reasons for {EXCLUSION_TYPES[kind].lower()}s"
    for column, value, missing in (("cluster_code", state.cluster, "which school"), ("locality_code", state.locality, "which school"),
                                   ("phase", state.phase, "which phase")):
        if value is None:
            continue
        if rows[column].isna().all():
            raise NotRecorded("reasons for exclusion", missing, None, words)
        # Rows without it are the rest of a published total (what DfE gave as x, say): they count in no cut.
        rows = rows[rows[column] == value]
    if rows.empty:
        return pd.DataFrame(columns=["year", "reason", "count", "status"])
    # A row for no school and no phase is the rest of a published total: the total's own symbol is the cell's.
    rows["rest"] = rows["urn"].isna() & rows["phase"].isna()
    cells = []
    for (year, reason), group in rows.groupby(["year", "reason"], sort=True):
        judged = group[group["rest"]] if group["rest"].any() else group
        symbol = judged["symbol"].dropna()
        cells.append((year, reason, group["exclusions"].sum(min_count=1), symbol.iat[0] if len(symbol) else None))
    frame = pd.DataFrame(cells, columns=["year", "reason", "count", "symbol"])
    # Each year's reasons add up to its exclusions, shown as the 'all reasons' cell: protect every year as a line.
    totals = frame.groupby("year", sort=True)["count"].sum().reset_index().assign(reason=ALL_REASONS, symbol=None)
    frame = pd.concat([frame, totals], ignore_index=True)
    hidden = frame["count"].between(1, threshold) & frame["symbol"].isna()
    years, reasons = frame["year"].to_numpy(), frame["reason"].to_numpy()
    lines = [Line(np.flatnonzero((years == year) & (reasons != ALL_REASONS)), int(np.flatnonzero((years == year) & (reasons == ALL_REASONS))[0]))
             for year in totals["year"]]
    hidden = protect(frame["count"].fillna(0), hidden, lines)
    frame["status"] = np.where(frame["symbol"].notna(), frame["symbol"], np.where(hidden, SUPPRESSED, SHOWN))
    return frame.drop(columns="symbol")


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
    if state.locality or state.cluster:
        notes.append("Locality and cluster here mean where the school is.")
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

