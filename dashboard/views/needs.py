"""Needs page: primary need mix of EHC plans by locality, and each pupil measure by need and SEN provision."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard.domain.area import Area
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
    category, area = "broad_area" if broad else "need", queries.area
    title = f"Primary need of EHC plans by locality, {state.year}" + (" (broad areas of need)" if broad else "")
    notes = []
    try:
        cells = queries.rates("ehcp_rate", state, ("locality", category))
        # Shares are of each locality's own total (a count, not a sum of cells that may be suppressed).
        totals = queries.rates("ehcp_rate", state, "locality")
    except NotRecorded as reason:  # an LA-level caseload: the borough's mix is still worth showing
        cells = totals = pd.DataFrame(columns=["locality", category, "numerator", "denominator", "value", "status"])
        notes.append(f"Only {area.whole} is shown, because {reason.gap}.")
    try:
        borough = queries.rates("ehcp_rate", state, category).assign(locality="borough")
    except NotApplicable as reason:
        return no_data_panel(title, [f"{reason}."])
    if borough.empty:
        return no_data_panel(title)
    names = {**queries.labels("locality"), "borough": area.title}
    frame = pd.concat([cells, borough], ignore_index=True)
    frame = frame.merge(
        totals[["locality", "numerator"]].rename(columns={"numerator": "total"}), on="locality", how="left"
    )
    # The borough's share is of all its plans, not of those its shown needs add up to.
    whole = queries.borough_value("ehcp_rate", state)
    frame.loc[frame["locality"] == "borough", "total"] = whole["numerator"] if whole["status"] == SHOWN else np.nan
    frame["group"] = frame["locality"].map(names).fillna(area.outside)
    frame["category"] = frame[category]
    frame["share"] = (frame["numerator"] / frame["total"] * 100).where(frame["status"] != SUPPRESSED)
    order = borough.sort_values("numerator", ascending=False)[category].tolist()
    frame["cell"] = [
        "c" if status == SUPPRESSED else f"{plans:,.0f}" + (f" ({share:.1f}%)" if share == share else "")
        for plans, share, status in zip(frame["numerator"], frame["share"], frame["status"])
    ]
    table = frame.pivot(index="category", columns="group", values="cell").reindex(order)
    localities = sorted(g for g in table.columns if g not in (area.title, area.outside))
    table = table[localities + [g for g in (area.outside, area.title) if g in table.columns]].fillna("0 (0.0%)")
    # Each column's whole, so a reader can add the columns up: the localities' plans and those of young people
    # living outside the borough (not broken down by need) make the borough's.
    wholes = {
        names.get(k, area.outside): v if status != SUPPRESSED else np.nan
        for k, v, status in zip(totals["locality"], totals["numerator"], totals["status"])
    }
    wholes[area.title] = whole["numerator"] if whole["status"] == SHOWN else np.nan
    all_row = {
        g: (f"{wholes[g]:,.0f} (100%)" if wholes.get(g, np.nan) == wholes.get(g, np.nan) else "c")
        for g in table.columns
    }
    table.loc["All " + ("broad areas" if broad else "needs")] = all_row
    table = table.reset_index(names="Broad area of need" if broad else "Primary need")
    table.columns.name = None
    if area.outside in table.columns:
        notes.append(
            f"{area.outside}: young people with plans who live elsewhere. With the localities they make the "
            f"{area.title} column."
        )
    unshared = [g for g in localities if wholes.get(g, np.nan) != wholes.get(g, np.nan)]
    if unshared:
        are = "is" if len(unshared) == 1 else "are"
        notes.append(
            f"{' and '.join(unshared)}: the number of plans in all {are} hidden (c), so no share can be given and "
            "the bar is empty, marked c; the counts by need are in the table."
        )
    kind = "broad area of need" if broad else "primary need"
    tops = {group: surely_most(frame[frame["group"] == group], wholes.get(group, np.nan)) for group in localities}
    unsure = [group for group, top in tops.items() if top is None and group not in unshared]
    if unsure:
        notes.append(
            f"{' and '.join(unsure)}: the plans hidden (c) could outnumber the largest {kind} shown, so the most "
            "common is not named."
        )
    largest = surely_most(frame[frame["locality"] == "borough"], wholes[area.title])
    claim = f"the most common {kind}"
    if largest is None:  # the whole area's hidden plans could outnumber its largest need shown
        largest = frame[frame["locality"] == "borough"].sort_values("numerator", ascending=False).iloc[0]
        claim = f"the largest {kind} shown"
    first = f"{largest['category']} is {claim} across {area.the} ({largest['share']:.1f}% of plans)"
    summary = (
        "; ".join(
            [first]
            + [f"in {group} it is {r['category']} ({r['share']:.1f}%)" for group, r in tops.items() if r is not None]
        )
        + "."
    )
    message = headline(f"{largest['category']} is {claim} across {area.the}", f"{largest['category']} is {claim}")
    # Hidden cells draw as zero width: a gap in a bar must not shift the stacking of the others.
    chart = frame[frame["group"] != area.outside][["group", "category", "share"]].fillna({"share": 0.0})
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


# Early identification: the kinds of place each part lists, in order, with their names in sentences.
EARLY_KINDS = {
    "locality": ("Locality", "locality", "localities"),
    "ward": ("Ward", "ward", "wards"),
    "cluster": ("Cluster", "cluster", "clusters"),
    "school": ("School", "school", "schools"),
}
LOWER_WORDS = "Lower than deprivation predicts"
SCHOOLS_LEFT_OUT = "Schools are listed for officers only."


def surely_most(cells: pd.DataFrame, whole: float) -> pd.Series | None:
    """The place's need with the most plans, only when it is surely the most common: more plans than any hidden cell
    (c) could hold. The hidden cells share the whole less the needs shown, and each holds at least one plan (a 0 is
    shown), so one of them holds at most that less one for each of the others. None when a hidden cell could hold
    more."""
    shown, hidden = cells[cells["status"] == SHOWN], int((cells["status"] == SUPPRESSED).sum())
    if shown.empty or whole != whole:
        return None
    top = shown.loc[shown["numerator"].idxmax()]
    most_hidden = whole - shown["numerator"].sum() - max(hidden - 1, 0)
    return top if top["numerator"] > most_hidden else None


def identification_notes(area: Area) -> tuple[str, ...]:
    """How places are judged on early identification, in words for this area."""
    return (
        f"Expected given deprivation: {area.its} share of pupils identified with SEN (SEN support or an EHC plan) "
        f"in each IDACI decile of home (1 is England's most deprived tenth; pupils living outside {area.the} are a "
        "group of their own), applied to each place's pupils by decile. It takes account of the deprivation of where "
        "pupils live and nothing else: not SEN need itself, ethnicity, prior attainment or a school's phase.",
        "A place identifying fewer pupils than its deprivation predicts raises a question (are some pupils' needs not "
        "yet identified?), not a verdict: its pupils may simply have fewer needs.",
        "A place is flagged where the whole 95% interval of its ratio (exact Poisson limits on the number identified) "
        "lies below 1, and said to be beyond the 99.8% limits too where that interval does as well.",
        f"Clusters and schools are set beside all {area.its} pupils, of every phase (identification is not "
        "published by phase and decile together), and are placed by where the school is; localities and wards by "
        "where pupils live.",
    )


ABSENCE_NOTES = (
    "Persistent absence: pupil enrolments missing 10% or more of their possible sessions. A rise is significant "
    "where the test of the two years' proportions gives p below 0.05 (the interval is Newcombe's for the change); "
    "suspensions are significantly up where the test of the two years' suspension rates gives p below 0.05.",
    "Absence rising while suspensions do not can be an early sign of needs not yet met, worth asking about before it "
    "shows as exclusion; it is a question, not a verdict.",
    "Clusters and schools are placed by where the school is; localities and wards by where pupils live.",
)


def _early_notes(queries: Queries, state: FilterState) -> list[str]:
    """What the filters do to these tables: the locality narrows the places; pupil filters do not apply."""
    notes = []
    if state.locality:
        name = queries.labels("locality").get(state.locality, state.locality)
        notes.append(
            f"Only places in {name} are listed: the locality itself, its wards, and the clusters and schools in it; "
            f"each is compared with {queries.area.whole}."
        )
    ignored = [
        words
        for key, words in (("cluster", "cluster"), ("sen", "SEN provision"), ("need", "need"), ("phase", "phase"))
        if getattr(state, key)
    ]
    if ignored:
        are = "does" if len(ignored) == 1 else "do"
        notes.append(
            f"The {' and '.join(ignored)} filter{'s' if len(ignored) > 1 else ''} {are} not apply here: these "
            "figures are for all pupils."
        )
    return notes


def _early_rows(queries: Queries, state: FilterState, ask, schools: bool = True) -> tuple[pd.DataFrame, list[str]]:
    """Every kind of place's rows from ask(state, level), with the place's name and kind (schools only if asked);
    a note for each level that cannot be had."""
    frames, reasons = [], {}
    for level, (kind, _, plural) in EARLY_KINDS.items():
        if level == "school" and not schools:
            continue
        try:
            frame = ask(state, level)
        except NotApplicable as reason:
            reasons[plural] = str(reason)
            continue
        names = queries.labels(level)
        # Cluster names say 'cluster' and schools' say what they are; a locality's or ward's name alone does not.
        suffix = {"locality": " locality", "ward": " ward"}.get(level, "")
        named = [f"{names.get(code, code)}{suffix}" for code in frame[level]]
        frames.append(frame.rename(columns={level: "code"}).assign(level=level, kind=kind, name=named))
    if not frames and len(set(reasons.values())) == 1:
        notes = [f"{next(iter(reasons.values()))}."]  # one reason for every kind of place: said once
    else:
        notes = [f"{sentence_case(plural)} are not listed: {why}." for plural, why in reasons.items()]
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()), notes


def _kinds_words(levels, joiner: str, counted: bool = True) -> str:
    """'localities, wards, clusters and schools' (or 'locality, ward, cluster or school') for the kinds present."""
    words = [EARLY_KINDS[level][2 if counted else 1] for level in EARLY_KINDS if level in set(levels)]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def _ordered(frame: pd.DataFrame, flag: pd.Series, by: str) -> pd.DataFrame:
    """Rows by kind of place, the flagged first, then by the figure that matters most, hidden rows last."""
    order = {level: i for i, level in enumerate(EARLY_KINDS)}
    return (
        frame.assign(_kind=frame["level"].map(order), _flag=~flag)
        .sort_values(["_kind", "_flag", by], na_position="last", kind="stable")
        .drop(columns=["_kind", "_flag"])
        .reset_index(drop=True)
    )


def _two(value: float) -> str:
    return "" if value != value else f"{value:.2f}"


def _ends(low: float, high: float, decimals: int, pivot: float, sign: str = "") -> str:
    """'0.84 to 0.99': with more decimals (up to two more) where an end would print as the pivot (1 for a ratio, 0 for
    a change) without being it, so an interval judged wholly below 1 never reads 'to 1.00'."""
    if low != low or high != high:
        return ""
    for places in range(decimals, decimals + 3):
        ends = [f"{v:{sign}.{places}f}" for v in (low, high)]
        if all(float(text) != pivot or v == pivot for text, v in zip(ends, (low, high))):
            break
    return f"{ends[0]} to {ends[1]}"


def early_identification(queries: Queries, state: FilterState, schools: bool = True) -> Panel:
    """Localities, wards, clusters and schools (unless schools is False) identifying significantly fewer pupils with
    SEN than their deprivation predicts, with a sentence for each."""
    title = f"SEN identification against what deprivation predicts, {state.year}"
    place = f" in {queries.labels('locality').get(state.locality, state.locality)}" if state.locality else ""
    frame, gaps = _early_rows(queries, state, queries.identification, schools)
    notes = [*_early_notes(queries, state), *gaps, *([] if schools else [SCHOOLS_LEFT_OUT])]
    if frame.empty or not (frame["verdict"] != "").any():
        return no_data_panel(title, [*notes, "No place's identification of SEN can be set beside its deprivation."])
    flagged = frame["verdict"] == "lower"
    frame = _ordered(frame, flagged, "ratio")
    flagged = frame["verdict"] == "lower"
    shown = frame["status"] == SHOWN
    judged = frame["verdict"] != ""
    judgement = {"lower": LOWER_WORDS, "similar": "Similar", "higher": "Higher than deprivation predicts"}
    table = pd.DataFrame(
        {
            "Place": frame["name"],
            "Type": frame["kind"],
            "Pupils on roll": [count_text(v, s) for v, s in zip(frame["pupils"], frame["status"])],
            "Identified with SEN": [count_text(v, s) for v, s in zip(frame["identified"], frame["status"])],
            "Identified (%)": [f"{v:.1f}" if ok else "c" for v, ok in zip(frame["share"], shown)],
            "Expected given deprivation (%)": [
                f"{v:.1f}" if ok else "" for v, ok in zip(frame["expected_share"], judged)
            ],
            "Times expected": frame["ratio"].map(_two),
            "95% interval": [
                _ends(lo, hi, 2, 1) if ok else "" for lo, hi, ok in zip(frame["low"], frame["high"], judged)
            ],
            "99.8% interval": [
                _ends(lo, hi, 2, 1) if ok else "" for lo, hi, ok in zip(frame["low998"], frame["high998"], judged)
            ],
            "Judgement": [
                judgement.get(v, "") + (" (beyond 99.8% too)" if v == v998 == "lower" else "")
                for v, v998 in zip(frame["verdict"], frame["verdict998"])
            ],
        }
    )
    findings = [
        f"{r.name}: {r.share:.1f}% of pupils identified with SEN against {r.expected_share:.1f}% expected given "
        f"deprivation ({r.ratio:.2f} times expected, 95% interval {_ends(r.low, r.high, 2, 1)}"
        + ("; beyond the 99.8% limits too" if r.verdict998 == "lower" else "")
        + ")."
        for r in frame[flagged].itertuples()
    ]
    levels = frame["level"].unique()
    if findings:
        summary = (
            f"{len(findings)} of {int(judged.sum())} {_kinds_words(levels, 'and')}{place} identify significantly "
            f"fewer pupils with SEN than their deprivation predicts in {state.year}."
        )
    else:
        summary = (
            f"No {_kinds_words(levels, 'or', counted=False)}{place} identifies significantly fewer pupils than its "
            f"deprivation predicts in {state.year}."
        )
    notes += list(identification_notes(queries.area))
    difference = int((frame["observed_from"] == "difference").sum())
    if difference:
        notes.append(
            f"For {difference} of these places the pupils with SEN support or those with plans are hidden (c) on "
            "their own: the number identified is all pupils less those with no SEN."
        )
    partial = int((judged & (frame["covered"] < 1)).sum())
    if partial:
        notes.append(
            f"For {partial} places some pupils' deciles are hidden: those pupils are expected at {queries.area.its} "
            "share for the rest of its pupils."
        )
    hidden = int((~shown).sum())
    if hidden:
        notes.append(f"{hidden:,} places rest on too few children to show (c) and are not judged.")
    message = headline(
        f"{len(findings)} places identify fewer pupils with SEN than deprivation predicts"
        if findings
        else "SEN identification is in line with deprivation",
        "Identification against deprivation",
    )
    return Panel(title, summary, table, None, notes, headline=message, findings=findings)


def early_absence(queries: Queries, state: FilterState, schools: bool = True) -> Panel:
    """Places where persistent absence rose significantly over two years while suspensions did not (schools among
    them unless schools is False), with a sentence for each."""
    frame, gaps = _early_rows(queries, state, queries.absence_change, schools)
    before = frame["before_year"].iat[0] if "before_year" in frame else ""
    notes = [*_early_notes(queries, state), *gaps, *([] if schools else [SCHOOLS_LEFT_OUT])]
    title = (
        f"Persistent absence rising before suspensions, {before} to {state.year}"
        if before
        else (f"Persistent absence rising before suspensions, {state.year}")
    )
    if frame.empty:
        return no_data_panel(title, notes)
    place = f" in {queries.labels('locality').get(state.locality, state.locality)}" if state.locality else ""
    pa, susp = MEASURES["persistent_absence"], MEASURES["suspension_rate"]
    flagged = frame["flagged"]
    frame = _ordered(frame, flagged, "pa_p")
    flagged = frame["flagged"]
    compared = frame["pa_change"].notna()
    # Changes as the difference of the printed figures, so a reader who subtracts them gets the same answer.
    for prefix, measure in (("pa_", pa), ("susp_", susp)):
        frame[f"{prefix}change"] = [
            as_shown(now, measure.decimals) - as_shown(then, measure.decimals) if change == change else np.nan
            for now, then, change in zip(
                frame[f"{prefix}now_value"], frame[f"{prefix}before_value"], frame[f"{prefix}change"]
            )
        ]
    if not compared.any():
        return no_data_panel(title, [*notes, "No place's persistent absence is shown in both years."])

    def yes_no(rose, change) -> list[str]:
        return ["" if c != c else ("Yes" if r else "No") for r, c in zip(rose, change)]

    table = pd.DataFrame(
        {
            "Place": frame["name"],
            "Type": frame["kind"],
            f"Persistent absence {before} (%)": [
                rate_text(v, s, pa) for v, s in zip(frame["pa_before_value"], frame["pa_before_status"])
            ],
            f"Persistent absence {state.year} (%)": [
                rate_text(v, s, pa) for v, s in zip(frame["pa_now_value"], frame["pa_now_status"])
            ],
            "Change (percentage points)": [f"{v:+.1f}" if v == v else "" for v in frame["pa_change"]],
            "95% interval of change": [
                _ends(lo, hi, 1, 0, "+") for lo, hi in zip(frame["pa_change_low"], frame["pa_change_high"])
            ],
            "Persistent absence significantly up": yes_no(frame["pa_rose"], frame["pa_change"]),
            f"Suspensions per 100 pupils {before}": [
                rate_text(v, s, susp) for v, s in zip(frame["susp_before_value"], frame["susp_before_status"])
            ],
            f"Suspensions per 100 pupils {state.year}": [
                rate_text(v, s, susp) for v, s in zip(frame["susp_now_value"], frame["susp_now_status"])
            ],
            "Suspensions change": [f"{v:+.2f}" if v == v else "" for v in frame["susp_change"]],
            "Suspensions significantly up": yes_no(frame["susp_rose"], frame["susp_change"]),
            "Flagged": ["Absence rising, suspensions not" if f else "" for f in flagged],
        }
    )
    findings = [
        f"{r.name}: persistent absence rose from {r.pa_before_value:.1f}% in {before} to {r.pa_now_value:.1f}% in "
        f"{state.year} ({r.pa_change:+.1f} percentage points, 95% interval "
        f"{_ends(r.pa_change_low, r.pa_change_high, 1, 0, '+')}), while suspensions went from "
        f"{r.susp_before_value:.2f} to {r.susp_now_value:.2f} per 100 pupils, not a significant rise."
        for r in frame[flagged].itertuples()
    ]
    levels = frame["level"].unique()
    if findings:
        summary = (
            f"{len(findings)} of {int(compared.sum())} {_kinds_words(levels, 'and')}{place} saw persistent absence "
            f"rise significantly from {before} to {state.year} while their suspensions did not."
        )
    else:
        summary = (
            f"No {_kinds_words(levels, 'or', counted=False)}{place} saw persistent absence rise significantly from "
            f"{before} to {state.year} while its suspensions did not."
        )
    notes += list(ABSENCE_NOTES)
    both = int((frame["pa_rose"] & frame["susp_rose"]).sum())
    if both:
        notes.append(f"In {both} places persistent absence and suspensions both rose significantly: not flagged here.")
    unseen = int((frame["pa_rose"] & ~frame["flagged"] & frame["susp_change"].isna()).sum())
    if unseen:
        notes.append(
            f"In {unseen} places persistent absence rose but suspensions are hidden (c) in a year, so it cannot be "
            "said they did not rise: not flagged."
        )
    hidden = int((~compared).sum())
    if hidden:
        notes.append(f"{hidden} places' persistent absence is hidden (c) in a year, so no change is given.")
    message = headline(
        f"{len(findings)} places' absence rising before suspensions"
        if findings
        else "No absence rise ahead of suspensions",
        "Absence rising before suspensions",
    )
    return Panel(title, summary, table, None, notes, headline=message, findings=findings)
