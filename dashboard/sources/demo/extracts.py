"""The demo borough written as the extracts an LA would supply, and loaded with the ordinary ingest."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.ingest.boundaries import WGS84, read_boundaries, to_feature_collection
from dashboard.ingest.build import load
from dashboard.sources.demo.calibration import DEMO_BENCHMARK, DEMO_EVENTS, LOCALITIES, DemoSettings
from dashboard.sources.demo.people import Borough, generate


def write_extracts(borough: Borough, out: Path) -> None:
    """Write the borough as the templates an LA would supply, plus its boundaries."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.csv"):
        stale.unlink()
    pd.DataFrame(list(LOCALITIES.items()), columns=["locality_code", "locality_name"]).to_csv(
        out / "localities.csv", index=False
    )
    borough.clusters.to_csv(out / "clusters.csv", index=False)
    borough.areas[
        ["area_code", "area_name", "ward_code", "ward_name", "locality_code", "imd_decile", "idaci_decile"]
    ].to_csv(out / "areas.csv", index=False)
    borough.schools[
        [
            "urn",
            "school_name",
            "phase",
            "school_type",
            "cluster_code",
            "area_code",
            "latitude",
            "longitude",
            "open_date",
            "close_date",
        ]
    ].to_csv(out / "schools.csv", index=False)
    borough.population.to_csv(out / "population.csv", index=False)
    borough.census.to_csv(out / "census_pupil.csv", index=False)
    borough.exclusions[
        [
            "pupil_id",
            "academic_year",
            "term",
            "urn",
            "home_area_code",
            "sen_provision",
            "primary_need",
            "exclusion_type",
            "start_date",
            "reason",
            "sessions_lost",
        ]
    ].to_csv(out / "exclusions_pupil.csv", index=False)
    borough.attendance[
        [
            "pupil_id",
            "academic_year",
            "term",
            "urn",
            "home_area_code",
            "sen_provision",
            "primary_need",
            "sessions_possible",
            "sessions_authorised",
            "sessions_unauthorised",
        ]
    ].to_csv(out / "attendance_pupil.csv", index=False)
    borough.ehcp.to_csv(out / "ehcp_pupil.csv", index=False)
    pd.DataFrame(DEMO_EVENTS, columns=["date", "label"]).to_csv(out / "events.csv", index=False)
    years = sorted(borough.census["academic_year"].unique())
    pd.DataFrame(
        [
            (
                "E92000001",
                "England (illustrative)",
                "England",
                measure,
                year,
                value,
                None,
                None,
                "Synthetic demo: illustrative values, not official figures",
            )
            for measure, values in DEMO_BENCHMARK.items()
            for year, value in zip(years, values)
        ],
        columns=[
            "geography_code",
            "geography_name",
            "geography_level",
            "measure",
            "academic_year",
            "value",
            "numerator",
            "denominator",
            "source",
        ],
    ).to_csv(out / "benchmarks.csv", index=False)
    frame = gpd.GeoDataFrame(
        {"code": borough.areas["area_code"], "name": borough.areas["area_name"]},
        geometry=borough.areas.geometry,
        crs=WGS84,
    )
    (out / "boundaries.geojson").write_text(json.dumps(to_feature_collection(frame)))


def build_demo(
    out: Path,
    db_path: Path,
    settings: DemoSettings = DemoSettings(),
    boundaries: Path | None = None,
    code_field: str | None = None,
) -> None:
    """Generate the borough, write its extracts to out and load them into db_path with the real ingest."""
    real = read_boundaries(boundaries, code_field) if boundaries else None
    borough = generate(settings, real)
    write_extracts(borough, out)
    load(
        out,
        db_path,
        boundaries=out / "boundaries.geojson",
        code_field="code",
        data_kind="synthetic",
        description="Synthetic demo borough shaped like Walsall"
        + (f" on the boundaries in {Path(boundaries).name}" if boundaries else ""),
    )
