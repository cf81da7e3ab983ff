"""Needs page: primary need mix of EHC plans by locality, and each pupil measure by need and SEN provision."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard.domain.comparison import with_interval
from dashboard.domain.filters import FilterState
from dashboard.domain.formatting import as_shown, count_text, interval_text, rate_text, sentence_case
from dashboard.domain.measures import MEASURES
from dashboard.domain.reference import SEN_PROVISION
from dashboard.domain.status import NO_DATA_MESSAGE, SHOWN, SUPPRESSED
from dashboard.figures.charts import bar_chart, share_bars
from dashboard.query.queries import NotApplicable, NotRecorded, Queries
from dashboard.views.panel import Panel, no_data_panel
from dashboard.views.sentences import headline

PUPIL_MEASURES = ("suspension_rate", "permanent_rate", "absence_rate", "persistent_absence")


def need_mix(queries: Queries, state: FilterState, broad: bool = False) -> Panel:
    """EHC plans by primary need (or broad area) for each locality: counts and shares, as in the strategy."""
    state = replace(state, measure="ehcp_rate", need=None, locality=None)
    category = "broad_area" if broad else "need"
    title = f"Primary need of EHC plans by locality, {state.year}" + (" (broad areas of need)" if broad else "")
    notes = []
    try:
        cells = queries.rates("ehcp_rate", state, ("locality", category))
        # Shares are of each locality's own total (a count, not a sum of cells that may be suppressed).
        totals = queries.rates("ehcp_rate", state, "locality")
    except NotRecorded as reason:  # an LA-level caseload: the borough's mix is still worth showing
        cells = totals = pd.DataFrame(columns=["locality", category, "numerator", "denominator", "value", "status"])
        notes.append(f"Only the whole borough is shown, because {reason.gap}.")
    try:
        borough = queries.rates("ehcp_rate", state, category).assign(locality="borough")
    except NotApplicable as reason:
        return no_data_panel(title, [f"{reason}."])
    if borough.empty:
        return no_data_panel(title)
    names = {**queries.labels("locality"), "borough": "Borough"}
    frame = pd.concat([cells, borough], ignore_index=True)
    frame = frame.merge(
        totals[["locality", "numerator"]].rename(columns={"numerator": "total"}), on="locality", how="left"
    )
    # The borough's share is of all its plans, not of those its shown needs add up to.
    whole = queries.borough_value("ehcp_rate", state)
    frame.loc[frame["locality"] == "borough", "total"] = whole["numerator"] if whole["status"] == SHOWN else np.nan
    frame["group"] = frame["locality"].map(names).fillna("Outside the borough")
    frame["category"] = frame[category]
    frame["share"] = (frame["numerator"] / frame["total"] * 100).where(frame["status"] != SUPPRESSED)
    order = borough.sort_values("numerator", ascending=False)[category].tolist()
    frame["cell"] = [
        "c" if status == SUPPRESSED else f"{plans:,.0f}" + (f" ({share:.1f}%)" if share == share else "")
        for plans, share, status in zip(frame["numerator"], frame["share"], frame["status"])
    ]
    table = frame.pivot(index="category", columns="group", values="cell").reindex(order)
    localities = sorted(g for g in table.columns if g not in ("Borough", "Outside the borough"))
    table = table[localities + [g for g in ("Outside the borough", "Borough") if g in table.columns]].fillna("0 (0.0%)")
    # Each column's whole, so a reader can add the columns up: the localities' plans and those of young people
    # living outside the borough (not broken down by need) make the borough's.
    wholes = {
        names.get(k, "Outside the borough"): v if status != SUPPRESSED else np.nan
        for k, v, status in zip(totals["locality"], totals["numerator"], totals["status"])
    }
    wholes["Borough"] = whole["numerator"] if whole["status"] == SHOWN else np.nan
    all_row = {
        g: (f"{wholes[g]:,.0f} (100%)" if wholes.get(g, np.nan) == wholes.get(g, np.nan) else "c")
        for g in table.columns
    }
    table.loc["All " + ("broad areas" if broad else "needs")] = all_row
    table = table.reset_index(names="Broad area of need" if broad else "Primary need")
    table.columns.name = None
    if "Outside the borough" in table.columns:
        notes.append(
            "Outside the borough: young people with plans who live elsewhere. With the localities they make the "
            "Borough column."
        )
    unshared = [g for g in localities if wholes.get(g, np.nan) != wholes.get(g, np.nan)]
    if unshared:
        are = "is" if len(unshared) == 1 else "are"
        notes.append(
            f"{' and '.join(unshared)}: the number of plans in all {are} hidden (c), so no share can be given and "
            "the bar is empty, marked c; the counts by need are in the table."
        )
    shown = frame[frame["group"].isin(localities) & frame["share"].notna()]
    top = shown.loc[shown.groupby("group")["share"].idxmax()]
    largest = frame[frame["locality"] == "borough"].sort_values("numerator", ascending=False).iloc[0]
    kind = "broad area of need" if broad else "primary need"
    summary = (
        "; ".join(
            [f"{largest['category']} is the most common {kind} across the borough ({largest['share']:.1f}% of plans)"]
            + [f"in {r.group} it is {r.category} ({r.share:.1f}%)" for r in top.itertuples()]
        )
        + "."
    )
    message = headline(
        f"{largest['category']} is the most common {kind} across the borough",
        f"{largest['category']} is the most common {kind}",
    )
    # Hidden cells draw as zero width: a gap in a bar must not shift the stacking of the others.
    chart = frame[frame["group"] != "Outside the borough"][["group", "category", "share"]].fillna({"share": 0.0})
    chart = (
        chart.assign(category=pd.Categorical(chart["category"], order))
        .sort_values(["category", "group"])
        .astype({"category": str})
    )
    if (frame["status"] == SUPPRESSED).any():
        notes.append("Cells resting on too few plans show c and are left out of the chart.")
    return Panel(title, summary, table, share_bars(chart, title), notes, headline=message)


def by_group(queries: Queries, state: FilterState, group: str) -> Panel:
    """The chosen pupil measure by SEN provision or primary need, with each group's ratio to pupils with no SEN."""
    requested = MEASURES[state.measure]
    measure_id = state.measure if state.measure in PUPIL_MEASURES else "suspension_rate"
    measure = MEASURES[measure_id]
    state = replace(state, measure=measure_id, **{group: None})
    try:
        frame = queries.rates(measure_id, state, group)
    except NotApplicable as reason:
        return no_data_panel(
            f"{measure.label} by {group.replace('sen', 'SEN provision').replace('need', 'primary need')}, {state.year}",
            [f"{reason}."],
        )
    names = queries.labels(group)
    frame = frame[frame[group].notna()].assign(label=lambda f: f[group].map(names).fillna(f[group]))
    baseline_key = "none" if group == "sen" else "NONE"
    baseline = frame.loc[frame[group] == baseline_key]
    base_value = baseline["value"].iat[0] if not baseline.empty and baseline["status"].iat[0] == SHOWN else float("nan")
    # The ratio of the rates as printed, so a reader who divides the two figures gets the same answer.
    printed = frame["value"].map(lambda v: as_shown(v, measure.decimals) if v == v else np.nan)
    frame["ratio"] = printed / (as_shown(base_value, measure.decimals) if base_value == base_value else np.nan)
    frame = with_interval(frame, measure)
    if group == "need":
        frame = frame.sort_values("value", ascending=False, na_position="last")
    else:
        frame = frame.set_index(group).reindex([k for k in SEN_PROVISION if k in set(frame[group])]).reset_index()
    title = f"{measure.label} by {'SEN provision' if group == 'sen' else 'primary need'}, {state.year}"
    if not (frame["status"] == SHOWN).any():
        hidden = (frame["status"] == SUPPRESSED).any()
        group_words = "SEN provision" if group == "sen" else "primary need"
        return no_data_panel(
            title,
            [
                "Every group rests on too few children to show (c)."
                if hidden
                else f"No {measure.numerator_label} are recorded by {group_words}."
            ],
        )
    table = pd.DataFrame(
        {
            "SEN provision" if group == "sen" else "Primary need": frame["label"],
            f"{measure.label} ({measure.unit})": [
                rate_text(v, s, measure) for v, s in zip(frame["value"], frame["status"])
            ],
            "95% confidence interval": [interval_text(lo, hi, measure) for lo, hi in zip(frame["low"], frame["high"])],
            "Times the rate for pupils with no SEN": [
                f"{r:.1f}" if s == SHOWN and r == r else ("c" if s == SUPPRESSED else "")
                for r, s in zip(frame["ratio"], frame["status"])
            ],
            sentence_case(measure.numerator_label): [
                count_text(v, s) for v, s in zip(frame["numerator"], frame["status"])
            ],
            sentence_case(measure.denominator_label): [
                count_text(v, s) for v, s in zip(frame["denominator"], frame["status"])
            ],
        }
    )
    notes = (
        []
        if measure_id == requested.id
        else [
            f"{requested.label} is not counted for pupils in school by SEN provision, so this shows the suspension "
            "rate."
        ]
    )
    shown = frame[(frame["status"] == SHOWN) & (frame[group] != baseline_key)]
    summary = NO_DATA_MESSAGE
    if shown.empty or base_value != base_value:
        notes.append(
            "Pupils with no SEN, the group the others are compared with, rest on too few children to show (c)."
            if base_value != base_value
            else "Only pupils with no SEN can be shown: every other group rests on too few children (c)."
        )
    if not shown.empty and base_value == base_value:
        top = shown.loc[shown["value"].idxmax()]
        summary = (
            f"Pupils with {top['label'] if group == 'sen' else 'a primary need of ' + top['label']} have the highest "
            f"{measure.in_sentence}, "
            f"{measure.format(top['value'])}: {top['ratio']:.1f} times the rate for pupils with no SEN "
            f"({measure.format(base_value)})."
        )
    return Panel(
        title, summary, table, bar_chart(frame, measure, title, reference=base_value, reference_label="No SEN"), notes
    )
