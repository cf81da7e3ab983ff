"""What the warehouse holds: filter options, labels, datasets, files, benchmarks, terms and events."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dashboard.domain.area import Area
from dashboard.domain.filters import FilterOptions, FilterState, comparison_choices
from dashboard.domain.measures import MEASURES, Measure
from dashboard.domain.reference import CENSUS_AGE_BANDS, FULL_YEAR, PHASES, SEN_PROVISION
from dashboard.store.warehouse import Warehouse


def filter_options(warehouse: Warehouse) -> FilterOptions:
    """Values each filter can take, read from the warehouse."""

    def build() -> FilterOptions:
        years = warehouse.query("SELECT DISTINCT academic_year FROM period p WHERE term = ? ORDER BY 1", [FULL_YEAR])[
            "academic_year"
        ].tolist()
        localities = warehouse.query("SELECT locality_code, locality_name FROM locality ORDER BY locality_name")
        clusters = warehouse.query(
            "SELECT cluster_code, cluster_name, locality_code FROM cluster ORDER BY cluster_name"
        )
        latest = dict(
            warehouse.query("SELECT dataset, latest_year FROM dataset_status").itertuples(index=False, name=None)
        )
        needs = warehouse.query(
            "SELECT need_code, need_label FROM need WHERE need_code <> 'NONE' AND need_code IN "
            "(SELECT need FROM published WHERE family = 'need') ORDER BY need_label"
        )
        area = Area(warehouse.info().area_kind)
        return FilterOptions(
            years=tuple((y, y) for y in years),
            localities=tuple(localities.itertuples(index=False, name=None)),
            clusters=tuple(clusters.itertuples(index=False, name=None)),
            needs=tuple((code, f"{label} ({code})") for code, label in needs.itertuples(index=False, name=None)),
            latest_years=tuple((m.id, latest[m.dataset]) for m in MEASURES.values() if m.dataset in latest),
            comparisons=comparison_choices(area),
            area=area,
        )

    return warehouse.cached("filter_options", build)


def load_sources(warehouse: Warehouse) -> list[tuple[str, str, int, str]]:
    """The files behind the data being served: name, checksum, rows read and form."""
    return list(
        warehouse.query("SELECT file, sha256, rows_read, form FROM load_source ORDER BY file").itertuples(
            index=False, name=None
        )
    )


def census_residents(warehouse: Warehouse) -> bool:
    """True when residents come in Census 2021's bands (0-15, 16-24), so the EHC plan rate is per 1,000 aged 0-24."""
    return warehouse.cached(
        "census_residents",
        lambda: bool(
            warehouse.query(f"SELECT count(*) AS n FROM fact_population WHERE age_band IN {CENSUS_AGE_BANDS}").iat[0, 0]
        ),
    )


def measure_in(warehouse: Warehouse, measure_id: str) -> Measure:
    """The measure as this warehouse can state it: EHC plans per 1,000 aged 0-24 on Census 2021's residents."""
    measure = MEASURES[measure_id]
    if measure.dataset != "ehcp" or not census_residents(warehouse):
        return measure
    ages = lambda text: text.replace("aged 0-25", "aged 0-24")  # noqa: E731
    return replace(
        measure,
        unit=ages(measure.unit),
        denominator_label=ages(measure.denominator_label),
        definition=ages(measure.definition) + " Residents are Census 2021's, which has no 0-25 band.",
    )


def dataset_status(warehouse: Warehouse) -> list[tuple]:
    """Each dataset loaded: rows, first and latest academic year, and the date its data runs to."""
    return warehouse.cached(
        "dataset status",
        lambda: list(
            warehouse.query(
                "SELECT dataset, rows_loaded, first_year, latest_year, as_of FROM dataset_status ORDER BY dataset"
            ).itertuples(index=False, name=None)
        ),
    )


def labels(warehouse: Warehouse, dimension: str) -> dict[str, str]:
    """Code to on-screen name for a dimension's members (localities, clusters, schools, needs...)."""
    sql = {
        "locality": "SELECT locality_code, locality_name FROM locality",
        "school_locality": "SELECT locality_code, locality_name FROM locality",
        "cluster": "SELECT cluster_code, cluster_name FROM cluster",
        "school": "SELECT urn, school_name FROM school",
        "need": "SELECT need_code, need_label FROM need",
        "ward": "SELECT DISTINCT ward_code, ward_name FROM area",
        "area": "SELECT area_code, area_name FROM area",
    }.get(dimension)
    if sql is None:
        return {"sen": SEN_PROVISION, "phase": PHASES}.get(dimension, {})
    return warehouse.cached(
        ("labels", dimension), lambda: dict(warehouse.query(sql).itertuples(index=False, name=None))
    )


def benchmark_values(
    warehouse: Warehouse, measure_id: str, level: str = "England", state: FilterState | None = None
) -> pd.DataFrame:
    """Benchmark values of a measure by academic year (columns year, value, label, symbol); empty if none loaded.

    With a state, the figures are for the same phase, SEN provision and primary need as the state's filters (those
    the measure follows), so pupils with EHC plans are set beside England's pupils with EHC plans, never beside all
    pupils. symbol is the EES symbol given in place of the value (value blank), if any.
    """
    measure = MEASURES[measure_id]
    group = [
        getattr(state, name) if state is not None and name in measure.filters else None
        for name in ("phase", "sen", "need")
    ]
    select = (
        "SELECT academic_year AS year, value, geography_name AS label, "
        "regexp_extract(symbols, '(^|;)value=([a-z]+)', 2) AS symbol FROM benchmark WHERE measure = ? AND "
        "geography_level = ?"
    )

    def build() -> pd.DataFrame:
        if "phase" not in warehouse.columns("benchmark"):
            # Loaded before benchmarks had groups of pupils: every figure is for all pupils, so none for a group.
            return warehouse.query(select + (" AND false" if any(group) else "") + " ORDER BY 1", [measure_id, level])
        return warehouse.query(
            select + " AND phase IS NOT DISTINCT FROM ? AND sen_provision IS NOT DISTINCT FROM ? "
            "AND primary_need IS NOT DISTINCT FROM ? ORDER BY 1",
            [measure_id, level] + group,
        )

    return warehouse.cached(("benchmark", measure_id, level, *group), build).copy()


def term_order(warehouse: Warehouse) -> dict[str, int]:
    """Position of each term within a year, for ordering term-level series."""
    return warehouse.cached(
        "term order",
        lambda: dict(
            warehouse.query("SELECT DISTINCT term, term_order FROM period").itertuples(index=False, name=None)
        ),
    )


def events(warehouse: Warehouse) -> pd.DataFrame:
    """Events to mark on trend charts (academic_year, term, label), oldest first."""
    return warehouse.cached(
        "events",
        lambda: warehouse.query("SELECT academic_year, term, label, event_date FROM event ORDER BY event_date"),
    ).copy()
