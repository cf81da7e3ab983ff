"""One object for reading: every look-up the pages, exports and callbacks make, for one warehouse version.

Views and callbacks hold a Queries and ask it; they never import the modules behind it. Every count comes from the
version's published cells, protected once at load at the threshold the version records: nothing is protected here.
"""

from __future__ import annotations

import pandas as pd

from dashboard.config import MAP_PLACES
from dashboard.domain.area import Area
from dashboard.domain.filters import FilterOptions, FilterState
from dashboard.domain.measures import MEASURES, Measure
from dashboard.domain.targets import Target
from dashboard.query import catalogue, classes, early, expected, geometry, published, rates, reasons, schools, targets
from dashboard.query.published import NotApplicable, NotOffered, NotPublished, NotRecorded
from dashboard.query.reasons import ALL_REASONS
from dashboard.store.versions import exports_folder, previous_version
from dashboard.store.warehouse import Warehouse, WarehouseInfo, WarehouseMissing

__all__ = ["ALL_REASONS", "NotApplicable", "NotOffered", "NotPublished", "NotRecorded", "Queries", "WarehouseMissing"]


class Queries:
    """Everything the app reads from one warehouse version, as it was published."""

    def __init__(self, warehouse: Warehouse, map_places: int = MAP_PLACES):
        self.warehouse = warehouse
        self.map_places = map_places  # the most places a map draws at once (Config.map_places)

    def warm(self) -> None:
        """Build what every request looks up (where the publication fits in a worker's look-ups, its cells and every
        measure's rates for every cut offered; always the colour classes, places, boundaries and outlines), so the
        first request of each kind is as quick as the rest."""
        rates.warm(self.warehouse)
        published.warm(self.warehouse)  # the families no rate reads (school mixes, deprivation for expected counts)
        for level in ("area", "ward", "locality"):
            geometry.map_geojson_text(self.warehouse, level)
            if level != "locality":  # the localities' outlines drawn over it (England's take a second to simplify)
                geometry.locality_overlay(self.warehouse, None, level)
            for measure_id in MEASURES:
                classes.measure_bins(self.warehouse, measure_id, level)
        self.filter_options()

    @property
    def area(self) -> Area:
        """What sentences call the whole area the served version covers ('the county')."""
        return self.filter_options().area

    @property
    def threshold(self) -> int:
        """The suppression threshold the served version was protected at (raises NotPublished for an older one)."""
        return int(published.publication(self.warehouse)["threshold"])

    # Rates, protected.
    def rates(
        self,
        measure_id: str,
        state: FilterState,
        by: str | tuple[str, ...],
        termly: bool = False,
        school_locality: bool = False,
    ) -> pd.DataFrame:
        """Numerator, denominator, rate and status per group of by; see dashboard.query.rates.rates."""
        return rates.rates(self.warehouse, measure_id, state, by, termly, school_locality)

    def rates_where_possible(self, measure_id: str, state: FilterState, by: str | tuple[str, ...], **options):
        """rates(), or no rows where the loaded data cannot be cut this way."""
        return rates.rates_where_possible(self.warehouse, measure_id, state, by, **options)

    def map_values(self, measure_id: str, state: FilterState, level: str = "area") -> pd.DataFrame:
        """Every place at a map level with its rate; places outside the chosen locality are marked."""
        return rates.map_values(self.warehouse, measure_id, state, level)

    def borough_value(self, measure_id: str, state: FilterState) -> pd.Series:
        """The rate for the whole selection (the borough, or the chosen locality)."""
        return rates.borough_value(self.warehouse, measure_id, state)

    def reason_counts(self, state: FilterState) -> pd.DataFrame:
        """Exclusions per year and main reason up to state.year, protected as one grid."""
        return reasons.reason_counts(self.warehouse, state)

    def answers(self, measure_id: str, state: FilterState, by: str | tuple[str, ...]) -> bool:
        """True when rates() would answer for this state and cut, found without reading a row."""
        return rates.answers(self.warehouse, measure_id, state, by)

    def offers(self, measure_id: str, by: str | tuple[str, ...]) -> bool:
        """True when the measure is published cut this way (by school, say), whatever the filters."""
        return rates.offers(measure_id, by)

    def where_offered(self, state: FilterState) -> str | None:
        """Where the chosen measure is published for the chosen pupils, in words (None where it is everywhere)."""
        return rates.where_offered(state.measure, state, self.area)

    def count_values(self, count: str, state: FilterState, by: str | tuple[str, ...], **options) -> pd.DataFrame:
        """One count's published cells per group (value, status): for views that show a count, not a rate."""
        return rates.count_values(self.warehouse, count, state, by, **options)

    # Places and geometry.
    def place_table(self, level: str = "area") -> pd.DataFrame:
        """Places at one map level with their names and the locality they are in."""
        return geometry.place_table(self.warehouse, level)

    def feature_ids(self, level: str = "area") -> pd.Index:
        """The level's place codes in order: a place's position here is its id in its boundaries (map_geojson)."""
        return geometry.feature_ids(self.warehouse, level)

    def feature_bounds(self, level: str = "area"):
        """Each place's bounding box (west, south, east, north) by feature id; None without boundaries."""
        return geometry.feature_bounds(self.warehouse, level)

    def map_geojson(self, level: str = "area", locality: str | None = None) -> dict | None:
        """Boundaries at one map level as a FeatureCollection (only one locality's places, when given), or None where
        none are loaded."""
        return geometry.map_geojson(self.warehouse, level, locality)

    def map_geojson_file(self, level: str = "area", locality: str | None = None) -> str | dict | None:
        """map_geojson for the export browser on this server: the file:// address of a file holding it, kept with the
        version's exports (the boundaries themselves where that folder cannot be written), or None where none are
        loaded."""
        folder = exports_folder(self.warehouse.path, self.info().version) / "boundaries"
        return geometry.map_geojson_file(self.warehouse, folder, level, locality)

    def map_geojson_text(self, level: str = "area", locality: str | None = None) -> str | None:
        """map_geojson as the compact JSON text a browser is sent, or None where no boundaries are loaded."""
        return geometry.map_geojson_text(self.warehouse, level, locality)

    def drawn_by_locality(self, level: str) -> bool:
        """True where a level has more places than a map draws at once, so it is drawn one locality at a time."""
        return level != "locality" and len(self.place_table(level)) > self.map_places

    def locality_overlay(self, only: str | None = None, over: str = "area") -> dict | None:
        """The localities' outlines (only one's, if given) and every name point, to draw over small areas or wards
        (over), no finer than they are drawn; None without boundaries."""
        return geometry.locality_overlay(self.warehouse, only, over)

    def measure_bins(self, measure_id: str, level: str = "area") -> list[float]:
        """Colour class breaks for a measure at a map level, the same in every year and filter."""
        return classes.measure_bins(self.warehouse, measure_id, level)

    def school_places(self) -> pd.DataFrame:
        """Every school with its name, phase, cluster and locality names."""
        return schools.school_places(self.warehouse)

    def cluster_places(self) -> pd.DataFrame:
        """Every cluster with its name and its locality's name."""
        return schools.cluster_places(self.warehouse)

    def school_info(self, urn: str) -> pd.DataFrame:
        """One school's name, cluster code and cluster name (no rows if there is no such school)."""
        return schools.school_info(self.warehouse, urn)

    def school_points(self) -> pd.DataFrame:
        """Every school's point and locality, for the map."""
        return schools.school_points(self.warehouse)

    # The catalogue: what the data holds.
    def filter_options(self) -> FilterOptions:
        """Values each filter can take."""
        return catalogue.filter_options(self.warehouse)

    def labels(self, dimension: str) -> dict[str, str]:
        """Code to on-screen name for a dimension's members."""
        return catalogue.labels(self.warehouse, dimension)

    def measure_in(self, measure_id: str) -> Measure:
        """The measure as this warehouse can state it (EHC plans per 1,000 aged 0-24 on Census residents)."""
        return catalogue.measure_in(self.warehouse, measure_id)

    def census_residents(self) -> bool:
        """True when residents come in Census 2021's bands."""
        return catalogue.census_residents(self.warehouse)

    def benchmark_values(self, measure_id: str, level: str = "England", state: FilterState | None = None):
        """Benchmark values of a measure by academic year, for the same pupils as state's filters."""
        return catalogue.benchmark_values(self.warehouse, measure_id, level, state)

    def targets(self, measure_id: str, level: str | None = None, place: str | None = None) -> list[Target]:
        """The board's targets for a measure (targets.csv), oldest first; with level (and place), that place's only."""
        return targets.targets(self.warehouse, measure_id, level, place)

    def dataset_status(self) -> list[tuple]:
        """Each dataset loaded: rows, first and latest academic year, and the date its data runs to."""
        return catalogue.dataset_status(self.warehouse)

    def load_sources(self) -> list[tuple[str, str, int, str]]:
        """The files behind the data being served: name, checksum, rows read and form."""
        return catalogue.load_sources(self.warehouse)

    def term_order(self) -> dict[str, int]:
        """Position of each term within a year."""
        return catalogue.term_order(self.warehouse)

    def events(self) -> pd.DataFrame:
        """Events to mark on trend charts, oldest first."""
        return catalogue.events(self.warehouse)

    def info(self) -> WarehouseInfo:
        """Version, kind (synthetic or real) and dates of the data being served."""
        return self.warehouse.info()

    def previous(self) -> Queries | None:
        """The same look-ups over the version loaded before this one (None if this is the first kept)."""
        self.warehouse.stamp  # noqa: B018 - the file being served now decides which version came before it
        before = previous_version(self.warehouse.path)
        return (
            Queries(Warehouse(before, self.warehouse.lookup_bytes / 2**20), self.map_places)
            if before is not None
            else None
        )

    def expected(self, measure_id: str, state: FilterState, level: str) -> pd.DataFrame:
        """Every place of a level with its expected count given deprivation, ratio and verdict (query.expected)."""
        return expected.expected(self.warehouse, measure_id, state, level)

    def expected_design(self, measure_id: str, level: str) -> expected.Design:
        """What a level's expected counts take into account (query.expected.design)."""
        return expected.design(measure_id, level)

    def by_stratum(self, count: str, year: str, level: str, plan: expected.Design) -> pd.DataFrame:
        """A count for each place of a level by the standard's strata, from published cells (query.expected)."""
        return expected.by_stratum(self.warehouse, count, year, level, plan)

    @staticmethod
    def stratum_keys(frame: pd.DataFrame, plan: expected.Design):
        """Each row's stratum as one key, as by_stratum writes it (query.expected.stratum_keys)."""
        return expected.stratum_keys(frame, plan)

    def by_decile(self, count: str, year: str, level: str) -> pd.DataFrame:
        """A count for each place of a level by decile of home, from published cells (query.expected.by_decile)."""
        return expected.by_decile(self.warehouse, count, year, level)

    def offers_expected(self, measure_id: str, state: FilterState, level: str) -> str | None:
        """None when a level can be compared with what deprivation predicts for these filters; else why not."""
        return expected.offers_expected(measure_id, state, level)

    def identification(self, state: FilterState, level: str) -> pd.DataFrame:
        """Each place's pupils identified with SEN against what its deprivation predicts (query.early)."""
        return early.identification(self.warehouse, state, level)

    def absence_change(self, state: FilterState, level: str) -> pd.DataFrame:
        """Persistent absence and suspensions per place two years before state.year and in it (query.early)."""
        return early.absence_change(self.warehouse, state, level)
