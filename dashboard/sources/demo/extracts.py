"""The demo borough written as the extracts an LA would supply, and loaded with the ordinary ingest."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd

from dashboard.domain.reference import academic_year_label, academic_year_start
from dashboard.ingest.boundaries import WGS84, read_boundaries, to_feature_collection
from dashboard.ingest.build import load
from dashboard.ingest.templates import AREAS, ATTENDANCE, EXCLUSIONS, SCHOOLS, TARGETS
from dashboard.sources.demo.calibration import DEMO_BENCHMARK, DEMO_EVENTS, DEMO_TARGETS, DemoSettings
from dashboard.sources.demo.people import Borough, generate


def write_rows(frame: pd.DataFrame, path: Path) -> None:
    """A frame of codes and whole numbers as CSV, the same bytes as pandas writes them, four times as fast: a region's
    pupil-level attendance (8.6 million rows) took pandas 15 seconds."""
    duckdb.from_df(frame).write_csv(str(path), header=True)


def write_extracts(borough: Borough, out: Path, settings: DemoSettings | None = None) -> None:
    """Write the borough as the templates an LA would supply, plus its boundaries."""
    settings = settings or DemoSettings()
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.csv"):
        stale.unlink()
    pd.DataFrame(
        [(loc.code, loc.name) for loc in settings.localities], columns=["locality_code", "locality_name"]
    ).to_csv(out / "localities.csv", index=False)
    borough.clusters.to_csv(out / "clusters.csv", index=False)
    # Written in the templates' own columns, so the demo is loaded exactly as an LA's extract would be.
    for frame, template, pupil_level in (
        (borough.areas, AREAS, False),
        (borough.schools, SCHOOLS, False),
        (borough.exclusions, EXCLUSIONS, True),
        (borough.attendance, ATTENDANCE, True),
    ):
        columns, _ = template.form(pupil_level)
        name = template.pupil_filename if pupil_level else template.filename
        write_rows(frame[[c.name for c in columns]], out / name)
    borough.population.to_csv(out / "population.csv", index=False)
    write_rows(borough.census, out / "census_pupil.csv")
    write_rows(borough.ehcp, out / "ehcp_pupil.csv")
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
    latest = academic_year_start(years[-1])
    pd.DataFrame(
        [
            (measure, academic_year_label(latest + after), level, place, target, direction)
            for measure, after, level, place, target, direction in DEMO_TARGETS
        ],
        columns=[c.name for c in TARGETS.columns],
    ).to_csv(out / TARGETS.filename, index=False)
    frame = gpd.GeoDataFrame(
        {"code": borough.areas["area_code"], "name": borough.areas["area_name"]},
        geometry=borough.areas.geometry,
        crs=WGS84,
    )
    (out / "boundaries.geojson").write_text(json.dumps(to_feature_collection(frame)))


def build_demo(
    out: Path,
    db_path: Path,
    settings: DemoSettings | None = None,
    boundaries: Path | None = None,
    code_field: str | None = None,
    name: str = "borough",
) -> None:
    """Generate the borough (or county, or region: name), write its extracts to out and load them into db_path with
    the real ingest."""
    real = read_boundaries(boundaries, code_field) if boundaries else None
    settings = settings or DemoSettings()
    borough = generate(settings, real)
    write_extracts(borough, out, settings)
    load(
        out,
        db_path,
        boundaries=out / "boundaries.geojson",
        code_field="code",
        data_kind="synthetic",
        area_kind=name,
        description=f"Synthetic demo {name} shaped like Walsall"
        + (f" on the boundaries in {Path(boundaries).name}" if boundaries else ""),
    )
