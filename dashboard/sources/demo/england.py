"""England as its LAs' aggregated extracts: each LA made apart like the demo borough, counted as it goes, written out.

England has 33,755 small areas (LSOA 2021) in 153 upper-tier LAs, the LAs that DfE's figures are published for.
Each LA is generated pupil by pupil on its own small areas, as the borough is (the same calibration, with as many
children per area), then counted into the aggregated templates an LA or DfE would supply and appended to the files,
so no more than one LA per process is ever held as pupils. In the files an LA is a locality and its districts are
its wards; its own Walsall-shaped localities and school clusters keep it varied inside. LAs run in separate
processes, and the files come out in LA order whatever the number of processes.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.ingest.aggregate import (
    aggregate_attendance,
    aggregate_census,
    aggregate_ehcp,
    aggregate_exclusions,
    aggregate_reasons,
)
from dashboard.ingest.templates import (
    AREAS,
    ATTENDANCE,
    CENSUS,
    CLUSTERS,
    EHCP,
    EXCLUSIONS,
    LOCALITIES,
    POPULATION,
    REASONS,
    SCHOOLS,
)
from dashboard.sources.demo.calibration import BOROUGH_LOCALITIES, DEMO_EVENTS, POPULATION_0_25, DemoSettings
from dashboard.sources.demo.people import generate

ENGLAND_BOUNDARIES = ("boundaries/lsoa2021_england_5dp.geojson.gz", "LSOA21CD")
LA_NAMES = "boundaries/ctyua2023may_uk_buc/CTYUA_MAY_2023_UK_BUC.shp"  # upper-tier LAs: CTYUA23CD, CTYUA23NM
DISTRICT_NAMES = "boundaries/lad2023may_buc_england.geojson"  # districts: LAD23CD, LAD23NM
# Two LAs are too small to make alone (the Isles of Scilly has one small area, the City of London six): each is made
# with its neighbour, as DfE's own tables often pair them, and named with it.
PAIRED = {"E06000053": "E06000052", "E09000001": "E09000012"}
# Below this many small areas an LA is made as one locality: four would leave some without a school to cluster.
ONE_LOCALITY_BELOW = 100
BOROUGH_AREAS = 170  # the demo borough's small areas, whose children per area every LA keeps
# The files written, each in its template's aggregated columns.
TEMPLATES = {
    "areas": AREAS,
    "schools": SCHOOLS,
    "clusters": CLUSTERS,
    "population": POPULATION,
    "census": CENSUS,
    "attendance": ATTENDANCE,
    "exclusions": EXCLUSIONS,
    "exclusion_reasons": REASONS,
    "ehcp": EHCP,
}


@dataclass(frozen=True)
class LA:
    """One LA to make: its code and name, and its small areas (codes, names, districts)."""

    code: str
    name: str
    areas: gpd.GeoDataFrame  # area_code, area_name, ward_code, ward_name, geometry


@dataclass
class EnglandReport:
    """What was written: LAs, small areas, schools, rows before and after counting, and how long it took."""

    las: int = 0
    areas: int = 0
    schools: int = 0
    pupil_terms: int = 0  # attendance rows, one per pupil, school and term, before they were counted into cells
    rows: dict[str, int] = field(default_factory=dict)  # rows written per file
    seconds: float = 0.0


def england_codes(shared_data: Path) -> set[str]:
    """The codes of England's upper-tier LAs (without reading their boundaries)."""
    names = gpd.read_file(shared_data / LA_NAMES, ignore_geometry=True)
    return {code for code in names["CTYUA23CD"] if str(code).startswith("E")}


def england_las(shared_data: Path, only: set[str] | None = None) -> list[LA]:
    """England's upper-tier LAs with their small areas and districts from the boundary files in shared_data (only
    these LA codes, if given; a paired LA comes with its neighbour)."""
    path, code_field = ENGLAND_BOUNDARIES
    frame = gpd.read_file(f"/vsigzip/{shared_data / path}")
    la_names = gpd.read_file(shared_data / LA_NAMES, ignore_geometry=True)
    la_names = dict(zip(la_names["CTYUA23CD"], la_names["CTYUA23NM"]))
    districts = gpd.read_file(shared_data / DISTRICT_NAMES, ignore_geometry=True)
    districts = dict(zip(districts["LAD23CD"], districts["LAD23NM"]))
    frame["la"] = frame["UTLACD"].replace(PAIRED)
    if only is not None:
        frame = frame[frame["la"].isin({PAIRED.get(code, code) for code in only})]
    paired_names = {kept: la_names[small] for small, kept in PAIRED.items()}
    las = []
    for code, areas in frame.groupby("la", sort=True):
        name = la_names[code] + (f" and {paired_names[code]}" if code in paired_names else "")
        areas = gpd.GeoDataFrame(
            {
                "code": areas[code_field].to_numpy(),
                "name": areas["LSOA21NM"].to_numpy(),
                "ward_code": areas["LADCD_ACTIVE"].to_numpy(),
                "ward_name": areas["LADCD_ACTIVE"].map(districts).to_numpy(),
            },
            geometry=areas.geometry.to_numpy(),
            crs=frame.crs,
        )
        las.append(LA(code, name, areas.sort_values("code", ignore_index=True)))
    return las


def la_settings(la: LA, seed: int, years: int = 6) -> DemoSettings:
    """The demo borough's settings for one LA: its schools and wards in proportion to its small areas, as many
    children per area as the borough, and a seed of its own."""
    size = len(la.areas) / BOROUGH_AREAS
    localities = BOROUGH_LOCALITIES if len(la.areas) >= ONE_LOCALITY_BELOW else BOROUGH_LOCALITIES[2:3]
    children = sum(POPULATION_0_25.values()) / BOROUGH_AREAS * len(la.areas)
    return DemoSettings(
        seed=seed + int(la.code[1:]),  # an LA is the same whichever others are made with it
        years=years,
        areas=len(la.areas),
        wards=max(len(localities), round(20 * size)),
        primary_schools=max(4, round(94 * size)),
        secondary_schools=max(1, round(20 * size)),
        special_schools=max(1, round(9 * size)),
        ap_schools=max(1, round(4 * size)),
        # The borough's 16 clusters growing with the square root of the size: an LA of 900 areas has about 37.
        clusters_per_locality=max(1, round(16 * size**0.5 / len(localities))),
        scale=children / sum(POPULATION_0_25[locality.profile] for locality in localities),
        localities=localities,
    )


def make_la(la: LA, seed: int, years: int = 6) -> tuple[dict[str, pd.DataFrame], int]:
    """One LA's files (in the templates' aggregated columns) and its attendance rows before counting."""
    made = generate(la_settings(la, seed, years), la.areas[["code", "name", "geometry"]])
    # Numbered from the LA's code (its kind and number, then the school's): the same whichever LAs are made with it.
    urns = {urn: f"{la.code[1:3]}{la.code[-3:]}{i:03d}" for i, urn in enumerate(made.schools["urn"])}
    clusters = {code: f"{la.code}-{code}" for code in made.clusters["cluster_code"]}
    districts = la.areas.set_index("code")
    areas = made.areas.assign(
        locality_code=la.code,
        ward_code=made.areas["area_code"].map(districts["ward_code"]),
        ward_name=made.areas["area_code"].map(districts["ward_name"]),
    )
    files = {
        "areas": areas,
        "schools": made.schools.assign(
            urn=made.schools["urn"].map(urns), cluster_code=made.schools["cluster_code"].map(clusters)
        ),
        "clusters": made.clusters.assign(
            cluster_code=made.clusters["cluster_code"].map(clusters), locality_code=la.code
        ),
        "population": made.population,
        "census": aggregate_census(made.census),
        "attendance": aggregate_attendance(made.attendance),
        "exclusions": aggregate_exclusions(made.exclusions),
        "exclusion_reasons": aggregate_reasons(made.exclusions),
        "ehcp": aggregate_ehcp(made.ehcp),
    }
    for name in ("census", "attendance", "exclusions", "exclusion_reasons", "ehcp"):
        files[name] = files[name].assign(urn=files[name]["urn"].map(urns))
    columns = {name: [c.name for c in template.columns] for name, template in TEMPLATES.items()}
    return {name: frame[columns[name]] for name, frame in files.items()}, len(made.attendance)


def _make(job: tuple[LA, int, int]) -> tuple[dict[str, pd.DataFrame], int]:
    return make_la(*job)


def write_england(out: Path, shared_data: Path, seed: int = DemoSettings.seed, workers: int = 2, **options):
    """Write England's aggregated extracts into out, LA by LA (options: only, a set of LA codes; years)."""
    started = time.perf_counter()
    las = england_las(shared_data, options.get("only"))
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.csv"):
        stale.unlink()
    pd.DataFrame({"locality_code": [la.code for la in las], "locality_name": [la.name for la in las]}).to_csv(
        out / LOCALITIES.filename, index=False
    )
    pd.DataFrame(DEMO_EVENTS, columns=["date", "label"]).to_csv(out / "events.csv", index=False)
    report = EnglandReport(las=len(las), rows={name: 0 for name in TEMPLATES})
    jobs = [(la, seed, options.get("years", 6)) for la in las]
    # Spawned, not forked: a parent that already runs threads (a web server, a test worker after browser and Dask
    # tests) can hand a forked child a lock held mid-operation, which crashed a child's garbage collection in CI.
    with ProcessPoolExecutor(max(1, workers), mp_context=multiprocessing.get_context("spawn")) as pool:
        for files, pupil_terms in pool.map(_make, jobs):
            for name, frame in files.items():
                path = out / TEMPLATES[name].filename
                frame.to_csv(path, mode="a", header=not path.exists(), index=False)
                report.rows[name] += len(frame)
            report.pupil_terms += pupil_terms
    report.areas, report.schools = report.rows["areas"], report.rows["schools"]
    report.seconds = time.perf_counter() - started
    return report
