"""Schools page: every school and cluster with every pupil measure, and one school beside its cluster and the borough."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard.figures import bar_chart, trend_lines
from dashboard.filters import FilterState
from dashboard.measures import MEASURES
from dashboard.panels import NO_DATA_MESSAGE, Panel, rate_text
from dashboard.queries import SHOWN, SUPPRESSED, labels, rates_where_possible
from dashboard.warehouse import Warehouse

SCHOOL_MEASURES = ("suspension_rate", "permanent_rate", "absence_rate", "persistent_absence", "severe_absence")
SHARES = {"ehcp": "% with an EHC plan", "sen_support": "% on SEN support"}


def _school_rows(warehouse: Warehouse, state: FilterState, threshold: int, level: str) -> pd.DataFrame:
    """One row per school (or cluster): pupils, shares with SEN, and each measure's value and status."""
    # School views place a school by where it is, so locality means the school's locality here.
    frame = None
    for measure_id in SCHOOL_MEASURES:
        values = rates_where_possible(warehouse, measure_id, replace(state, measure=measure_id), level, threshold, school_locality=True)
        values = values[[level, "value", "status"]].rename(columns={"value": measure_id, "status": f"{measure_id}_status"})
        frame = values if frame is None else frame.merge(values, on=level, how="outer")
    roll = rates_where_possible(warehouse, "suspension_rate", replace(state, sen=None), level, threshold, school_locality=True)
    frame = frame.merge(roll[[level, "denominator"]].rename(columns={"denominator": "pupils"}), on=level, how="left")
    for sen, label in SHARES.items():
        # Share of pupils with this SEN provision: census pupils with it (the rate's denominator, protected in
        # the query layer like every count) over all census pupils.
        counted = rates_where_possible(warehouse, "suspension_rate", replace(state, sen=sen), level, threshold, school_locality=True)
        frame = frame.merge(counted[[level, "denominator", "status"]].rename(columns={"denominator": "n", "status": "n_status"}),
                            on=level, how="left")
        hidden = frame["n"].isna() & frame["n_status"].notna() & frame["n_status"].ne("no data")
        known = not counted.empty  # empty where the data do not record SEN provision: no data, not 0%
        pupils = pd.to_numeric(frame["pupils"], errors="coerce").where(lambda p: p > 0)
        frame[label] = (pd.to_numeric(frame["n"], errors="coerce").fillna(0) / pupils * 100).where(~hidden & known)
        frame[f"{label}_status"] = [SUPPRESSED if h else (SHOWN if pd.notna(p) and known else "no data")
                                    for h, p in zip(hidden, pupils)]
        frame = frame.drop(columns=["n", "n_status"])
    return frame[frame[level].notna()]


def school_table(warehouse: Warehouse, state: FilterState, threshold: int) -> pd.DataFrame:
    """Schools with name, phase, cluster, locality and every measure (NaN where suppressed; status columns say why)."""
    # DuckDB folds the case of names, so the display names are given in pandas.
    schools = warehouse.query(
        "SELECT s.urn AS school, s.school_name, s.phase, c.cluster_name, l.locality_name "
        "FROM school s JOIN cluster c USING (cluster_code) JOIN locality l ON l.locality_code = c.locality_code")
    frame = schools.merge(_school_rows(warehouse, state, threshold, "school"), on="school", how="inner")
    frame["phase"] = frame["phase"].map(labels(warehouse, "phase"))
    frame = frame.rename(columns={"school": "URN", "school_name": "School", "phase": "Phase", "cluster_name": "Cluster", "locality_name": "Locality"})
    return frame.sort_values("School")


def cluster_table(warehouse: Warehouse, state: FilterState, threshold: int) -> pd.DataFrame:
    """Clusters with their locality and every measure."""
    clusters = warehouse.query(
        "SELECT c.cluster_code AS cluster, c.cluster_name, l.locality_name FROM cluster c JOIN locality l USING (locality_code)")
    frame = clusters.merge(_school_rows(warehouse, state, threshold, "cluster"), on="cluster", how="inner")
    return frame.rename(columns={"cluster_name": "Cluster", "locality_name": "Locality"}).sort_values("Cluster")


def display_table(frame: pd.DataFrame, id_columns: list[str]) -> pd.DataFrame:
    """The grid as text for download: suppressed values become c, so exports inherit disclosure control."""
    out = frame[id_columns].copy()
    out["Pupils on roll"] = [f"{p:,.0f}" if pd.notna(p) and p > 0 else "" for p in frame["pupils"]]
    for label in SHARES.values():
        out[label] = [("c" if s == SUPPRESSED else (f"{v:.1f}" if s == SHOWN else "")) for v, s in zip(frame[label], frame[f"{label}_status"])]
    for measure_id in SCHOOL_MEASURES:
        measure = MEASURES[measure_id]
        out[f"{measure.label} ({measure.unit})"] = [rate_text(v, s, measure) for v, s in zip(frame[measure_id], frame[f"{measure_id}_status"])]
    return out


def school_detail(warehouse: Warehouse, state: FilterState, urn: str, threshold: int) -> list[Panel]:
    """One school: its trend beside its cluster and the borough, its SEN mix, and this year's comparison."""
    info = warehouse.query(
        "SELECT s.school_name, s.cluster_code, c.cluster_name FROM school s JOIN cluster c USING (cluster_code) WHERE s.urn = ?", [urn])
    if info.empty:
        return [Panel("School not found", f"There is no school with URN {urn} in the data.", pd.DataFrame())]
    name, cluster, cluster_name = info.iloc[0]
    measure = MEASURES[state.measure if state.measure in SCHOOL_MEASURES else "suspension_rate"]
    # The school's own trend ignores the place filters: a school is compared with its own cluster.
    own = replace(state, measure=measure.id, locality=None, cluster=None, phase=None)
    series = []
    for label, scope, group in ((name, own, "school"), (cluster_name, replace(own, cluster=cluster), "cluster"), ("Borough", own, "borough")):
        values = rates_where_possible(warehouse, measure.id, scope, ("year", group), threshold, school_locality=True)
        if group == "school":
            values = values[values["school"] == urn]
        elif group == "cluster":
            values = values[values["cluster"] == cluster]
        series.append(values.assign(label=label, period=values["year"]).sort_values("year"))
    lines = pd.concat(series, ignore_index=True)
    trend_title = f"{measure.label} at {name}, its cluster and the borough"
    table = lines.assign(display=[rate_text(v, s, measure) for v, s in zip(lines["value"], lines["status"])]).pivot(
        index="label", columns="period", values="display").reindex([name, cluster_name, "Borough"]).reset_index(names="")
    table.columns.name = None
    school_line = series[0][series[0]["status"] == SHOWN]
    summary = NO_DATA_MESSAGE
    if not school_line.empty:
        year = school_line["year"].iat[-1]
        at = [frame[frame["year"] == year] for frame in series[1:]]
        cluster_text, borough_text = (rate_text(f["value"].iat[0], f["status"].iat[0], measure, True) if not f.empty else "no data" for f in at)
        summary = f"In {year}, {name}: {measure.format(school_line['value'].iat[-1])}; its cluster {cluster_text}; the borough {borough_text}."
    notes = ["Gaps in a line are years with too few children to show (c)."] if (lines["status"] != SHOWN).any() else []
    figure = trend_lines(pd.concat(series[:2], ignore_index=True), [name, cluster_name], measure, trend_title, borough=series[2])
    trend = Panel(trend_title, summary, table, figure, notes)
    # Pupils by need at this school (the census side of the suspension rate), protected in the query layer
    # against the school's totals shown beside them.
    by_need = rates_where_possible(warehouse, "suspension_rate", replace(state, school=urn, need=None, sen=None), "need", threshold, school_locality=True)
    mix = by_need[(by_need["need"] != "NONE") & by_need["need"].notna()].copy()
    mix["label"] = mix["need"].map(labels(warehouse, "need"))
    mix["pupils"] = mix["denominator"]
    mix["status"] = np.where(mix["pupils"].isna(), SUPPRESSED, SHOWN)
    mix = mix[(mix["pupils"] != 0)].sort_values("pupils", ascending=False, na_position="last")
    mix["value"] = mix["pupils"]
    count = MEASURES["suspension_rate"]  # any measure with whole-number display serves for the labels
    mix_title = f"Pupils with SEN at {name} by primary need, {state.year}"
    mix_table = pd.DataFrame({"Primary need": mix["label"], "Pupils": ["c" if s == SUPPRESSED else f"{p:,.0f}" for p, s in zip(mix["pupils"], mix["status"])]})
    mix_summary = NO_DATA_MESSAGE if mix.empty else f"The most common primary need among pupils with SEN at {name} is {mix['label'].iat[0].lower()}."
    mix_panel = Panel(mix_title, mix_summary, mix_table, bar_chart(mix, replace(count, unit="pupils", decimals=0), mix_title) if not mix.empty else None)
    return [trend, mix_panel]
