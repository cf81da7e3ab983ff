"""SQL over the warehouse returning tidy DataFrames; small numbers are suppressed here, before any view."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.filters import FilterOptions, FilterState
from dashboard.measures import MEASURES, Measure
from dashboard.reference import FULL_YEAR
from dashboard.warehouse import Warehouse

SHOWN, SUPPRESSED, NO_DATA, OUTSIDE = "shown", "suppressed", "no data", "outside selection"


@dataclass(frozen=True)
class Side:
    """One side of a rate: the fact table, what is summed, and which rows count."""

    table: str
    total: str
    condition: str = "TRUE"
    people: str | None = None  # count of children behind the total, for disclosure control


# Numerator and denominator of each measure. Exclusion rates use the January census as DfE does.
RATE_SOURCES: dict[str, tuple[Side, Side]] = {
    "suspension_rate": (
        Side("fact_exclusion", "SUM(f.exclusions)", f"f.exclusion_type = 'suspension' AND f.term = '{FULL_YEAR}'", "SUM(f.exclusions)"),
        Side("fact_census", "SUM(f.pupils)", people="SUM(f.pupils)"),
    ),
    "permanent_rate": (
        Side("fact_exclusion", "SUM(f.exclusions)", f"f.exclusion_type = 'permanent' AND f.term = '{FULL_YEAR}'", "SUM(f.exclusions)"),
        Side("fact_census", "SUM(f.pupils)", people="SUM(f.pupils)"),
    ),
    "ehcp_rate": (
        Side("fact_ehcp", "SUM(f.plans)", people="SUM(f.plans)"),
        Side("fact_population", "SUM(f.population)", people="SUM(f.population)"),
    ),
    # Sessions are not children: the enrolments behind them decide whether a cell is disclosive.
    "absence_rate": (
        Side("fact_attendance", "SUM(f.sessions_missed)", f"f.term = '{FULL_YEAR}'"),
        Side("fact_attendance", "SUM(f.sessions_possible)", f"f.term = '{FULL_YEAR}'", "SUM(f.enrolments)"),
    ),
    "persistent_absence": (
        Side("fact_attendance", "SUM(f.persistent_absentees)", f"f.term = '{FULL_YEAR}'", "SUM(f.persistent_absentees)"),
        Side("fact_attendance", "SUM(f.enrolments)", f"f.term = '{FULL_YEAR}'", "SUM(f.enrolments)"),
    ),
    "severe_absence": (
        Side("fact_attendance", "SUM(f.severe_absentees)", f"f.term = '{FULL_YEAR}'", "SUM(f.severe_absentees)"),
        Side("fact_attendance", "SUM(f.enrolments)", f"f.term = '{FULL_YEAR}'", "SUM(f.enrolments)"),
    ),
}
PUPIL_TABLES = {"fact_census", "fact_exclusion", "fact_attendance"}
# Which column each filter constrains, and in which tables it exists.
FILTER_COLUMNS = {
    "locality": ("a.locality_code", None),
    "cluster": ("s.cluster_code", PUPIL_TABLES),
    "phase": ("s.phase", PUPIL_TABLES),
    "sen": ("f.sen_provision", PUPIL_TABLES),
    "need": ("f.primary_need", PUPIL_TABLES | {"fact_ehcp"}),
}
GROUPINGS = {"area": "a.area_code", "borough": "'borough'"}


def _side_sql(side: Side, state: FilterState, measure: Measure, group: str) -> tuple[str, list]:
    area_column = "f.area_code" if side.table == "fact_population" else "f.home_area_code"
    joins = f"LEFT JOIN area a ON a.area_code = {area_column}"
    if side.table in PUPIL_TABLES:
        joins += " LEFT JOIN school s ON s.urn = f.urn"
    where, params = ["f.academic_year = ?", side.condition], [state.year]
    for key, (column, tables) in FILTER_COLUMNS.items():
        value = getattr(state, key)
        if value is None or key not in measure.filters or (tables is not None and side.table not in tables):
            continue
        where.append(f"{column} = ?")
        params.append(value)
    people = side.people or "NULL"
    sql = (f"SELECT {GROUPINGS[group]} AS key, {side.total} AS total, {people} AS people "
           f"FROM {side.table} f {joins} WHERE {' AND '.join(where)} GROUP BY 1")
    return sql, params


def rates(warehouse: Warehouse, measure_id: str, state: FilterState, group: str, threshold: int) -> pd.DataFrame:
    """Numerator, denominator and rate per group, with small numbers suppressed.

    Columns: key, numerator, denominator, value, status (shown / suppressed / no data).
    """
    measure = MEASURES[measure_id]
    numerator, denominator = RATE_SOURCES[measure_id]
    num_sql, num_params = _side_sql(numerator, state, measure, group)
    den_sql, den_params = _side_sql(denominator, state, measure, group)
    sql = (f"WITH num AS ({num_sql}), den AS ({den_sql}) "
           "SELECT COALESCE(den.key, num.key) AS key, COALESCE(num.total, 0) AS numerator, num.people AS numerator_people, "
           "den.total AS denominator, den.people AS denominator_people "
           "FROM num FULL OUTER JOIN den ON num.key IS NOT DISTINCT FROM den.key")
    frame = warehouse.query(sql, num_params + den_params)
    return suppress(frame, measure, threshold)


def suppress(frame: pd.DataFrame, measure: Measure, threshold: int) -> pd.DataFrame:
    """Blank any rate resting on 1 to threshold children (zero stays zero), and mark why."""
    frame = frame.copy()
    for column in ("numerator", "denominator", "numerator_people", "denominator_people"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)

    def small(series: pd.Series) -> pd.Series:
        return series.between(1, threshold).fillna(False).astype(bool)

    hidden = small(frame["numerator_people"]) | small(frame["denominator_people"])
    empty = frame["denominator"].isna() | (frame["denominator"] <= 0)
    frame["status"] = np.select([empty, hidden], [NO_DATA, SUPPRESSED], SHOWN)
    frame["value"] = (frame["numerator"] / frame["denominator"] * measure.scale).where(frame["status"] == SHOWN)
    frame.loc[frame["status"] != SHOWN, "numerator"] = np.nan
    frame.loc[small(frame["denominator_people"]), "denominator"] = np.nan
    return frame.drop(columns=["numerator_people", "denominator_people"])


def area_values(warehouse: Warehouse, measure_id: str, state: FilterState, threshold: int) -> pd.DataFrame:
    """Every small area with its rate; areas outside the chosen locality are marked, not dropped."""
    areas = area_table(warehouse)
    values = rates(warehouse, measure_id, state, "area", threshold).rename(columns={"key": "area_code"})
    frame = areas.merge(values, on="area_code", how="left")
    frame["status"] = frame["status"].fillna(NO_DATA)
    if state.locality:
        frame.loc[frame["locality_code"] != state.locality, ["status", "value", "numerator", "denominator"]] = [OUTSIDE, np.nan, np.nan, np.nan]
    return frame


def borough_value(warehouse: Warehouse, measure_id: str, state: FilterState, threshold: int) -> pd.Series:
    """The rate for the whole selection (the borough, or the chosen locality)."""
    frame = rates(warehouse, measure_id, state, "borough", threshold)
    if frame.empty:
        return pd.Series({"numerator": np.nan, "denominator": np.nan, "value": np.nan, "status": NO_DATA})
    return frame.iloc[0]


def area_table(warehouse: Warehouse) -> pd.DataFrame:
    """Small areas with their ward and locality names."""
    return warehouse.cached("areas", lambda: warehouse.query(
        "SELECT a.area_code, a.area_name, a.ward_name, a.locality_code, l.locality_name "
        "FROM area a JOIN locality l USING (locality_code) ORDER BY a.area_code"
    ))


def area_geojson(warehouse: Warehouse) -> dict | None:
    """All small-area boundaries as one FeatureCollection (id = area code), or None if none were loaded."""
    def build() -> dict | None:
        rows = warehouse.query("SELECT g.area_code, a.area_name, g.geojson FROM area_geometry g JOIN area a USING (area_code) ORDER BY 1")
        if rows.empty:
            return None
        features = [
            {"type": "Feature", "id": code, "properties": {"name": name}, "geometry": json.loads(geometry)}
            for code, name, geometry in rows.itertuples(index=False)
        ]
        return {"type": "FeatureCollection", "features": features}

    return warehouse.cached("area_geojson", build)


def filter_options(warehouse: Warehouse) -> FilterOptions:
    """Values each filter can take, read from the warehouse."""
    def build() -> FilterOptions:
        years = warehouse.query(
            "SELECT DISTINCT academic_year FROM period p WHERE term = ? ORDER BY 1", [FULL_YEAR]
        )["academic_year"].tolist()
        localities = warehouse.query("SELECT locality_code, locality_name FROM locality ORDER BY locality_name")
        clusters = warehouse.query("SELECT cluster_code, cluster_name, locality_code FROM cluster ORDER BY cluster_name")
        needs = warehouse.query(
            "SELECT need_code, need_label FROM need WHERE need_code <> 'NONE' AND need_code IN "
            "(SELECT primary_need FROM fact_census UNION SELECT primary_need FROM fact_ehcp) ORDER BY need_label"
        )
        return FilterOptions(
            years=tuple((y, y) for y in years),
            localities=tuple(localities.itertuples(index=False, name=None)),
            clusters=tuple(clusters.itertuples(index=False, name=None)),
            needs=tuple((code, f"{label} ({code})") for code, label in needs.itertuples(index=False, name=None)),
        )

    return warehouse.cached("filter_options", build)


def measure_bins(warehouse: Warehouse, measure_id: str, threshold: int, classes: int = 5) -> list[float]:
    """Class breaks for a measure, fixed across years and filters so colours mean the same everywhere.

    Taken from the quintiles of every area in every year, rounded to two significant figures.
    """
    def build() -> list[float]:
        years = [y for y, _ in filter_options(warehouse).years]
        values = pd.concat(
            [rates(warehouse, measure_id, FilterState(measure=measure_id, year=y), "area", threshold)["value"] for y in years]
        ).dropna()
        if values.empty:
            return []
        breaks = sorted({_two_figures(q) for q in values.quantile(np.linspace(0, 1, classes + 1)[1:-1])})
        return [b for b in breaks if b > 0] or [float(values.max())]

    return warehouse.cached(("bins", measure_id, threshold), build)


def _two_figures(value: float) -> float:
    if value <= 0:
        return 0.0
    digits = 1 - int(math.floor(math.log10(value)))
    return round(value, digits)


def load_sources(warehouse: Warehouse) -> list[tuple[str, str, int, str]]:
    """The files behind the data being served: name, checksum, rows read and form."""
    return list(warehouse.query("SELECT file, sha256, rows_read, form FROM load_source ORDER BY file").itertuples(index=False, name=None))


def dataset_status(warehouse: Warehouse) -> list[tuple]:
    """Each dataset loaded: rows, first and latest academic year, and the date its data runs to."""
    return list(warehouse.query(
        "SELECT dataset, rows_loaded, first_year, latest_year, as_of FROM dataset_status ORDER BY dataset"
    ).itertuples(index=False, name=None))
