"""Boundary files in, WGS84 polygons out: GeoJSON, TopoJSON, GeoPackage or shapefile, any CRS."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import mapping

from dashboard.ingest.report import LoadIssue, LoadReport

WGS84 = "EPSG:4326"
BRITISH_NATIONAL_GRID = "EPSG:27700"


class BoundaryError(ValueError):
    """A boundary file that cannot be used, with the reason in words."""


def _guess_crs(frame: gpd.GeoDataFrame) -> str:
    # TopoJSON carries no CRS; its coordinates tell degrees from British National Grid metres.
    minx, miny, maxx, maxy = frame.total_bounds
    if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        return WGS84
    if 0 <= minx <= maxx <= 700_000 and 0 <= miny <= maxy <= 1_300_000:
        return BRITISH_NATIONAL_GRID
    raise BoundaryError(
        "has no coordinate reference system and its coordinates are neither degrees nor British National Grid"
    )


def read_boundaries(path: str | Path, code_field: str, name_field: str | None = None) -> gpd.GeoDataFrame:
    """Read polygons keyed by code_field and return columns code, name, geometry in WGS84, repaired."""
    path = Path(path)
    source = f"/vsigzip/{path}" if path.suffix == ".gz" else str(path)
    try:
        frame = gpd.read_file(source)
    except Exception as exc:  # pyogrio raises several types; the message is what the officer needs
        raise BoundaryError(f"{path}: cannot be read as a boundary file ({exc})") from exc
    if frame.empty:
        raise BoundaryError(f"{path}: holds no features")
    if code_field not in frame.columns:
        fields = ", ".join(c for c in frame.columns if c != "geometry")
        raise BoundaryError(f"{path}: has no field '{code_field}' (fields: {fields})")
    if frame.crs is None:
        try:
            frame = frame.set_crs(_guess_crs(frame))
        except BoundaryError as exc:
            raise BoundaryError(f"{path}: {exc}") from exc
    frame = frame.to_crs(WGS84)
    name_field = name_field or _name_field(frame, code_field)
    codes = frame[code_field].astype(str).str.strip()
    duplicated = codes[codes.duplicated()].unique()
    if len(duplicated):
        raise BoundaryError(f"{path}: field '{code_field}' repeats codes {', '.join(duplicated[:5])}")
    geometry = frame.geometry.values.copy()
    invalid = ~shapely.is_valid(geometry)
    # The "structure" method rebuilds polygons and drops parts that collapse to lines, so an area stays an area.
    geometry[invalid] = shapely.make_valid(geometry[invalid], method="structure", keep_collapsed=False)
    geometry = [_polygonal(g) for g in geometry]
    names = frame[name_field].astype(str) if name_field else codes
    return gpd.GeoDataFrame({"code": codes.values, "name": names.values}, geometry=geometry, crs=WGS84)


def _polygonal(geom):
    """Only the polygons of a geometry: a repaired boundary can carry stray points or lines."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    return shapely.union_all(
        [part for part in getattr(geom, "geoms", []) if part.geom_type in ("Polygon", "MultiPolygon")]
    )


def _name_field(frame: pd.DataFrame, code_field: str) -> str | None:
    # ONS files pair LSOA21CD with LSOA21NM, WD25CD with WD25NM.
    if code_field.endswith("CD") and code_field[:-2] + "NM" in frame.columns:
        return code_field[:-2] + "NM"
    return None


def to_feature_collection(frame: gpd.GeoDataFrame, precision: int = 5) -> dict:
    """GeoJSON FeatureCollection with id = code, coordinates rounded (5 dp is about 1 m)."""
    rounded = shapely.set_precision(frame.geometry.values, 10**-precision)
    features = [
        {"type": "Feature", "id": code, "properties": {"code": code, "name": name}, "geometry": mapping(geom)}
        for code, name, geom in zip(frame["code"], frame["name"], rounded)
    ]
    return {"type": "FeatureCollection", "features": features}


def geometry_json(geom) -> str:
    """One geometry as compact GeoJSON text, for storage in the warehouse."""
    return json.dumps(mapping(geom), separators=(",", ":"))


def area_geometry(
    path: Path, code_field: str, name_field: str | None, area_codes: set[str], report: LoadReport
) -> pd.DataFrame | None:
    """The area_geometry table from a boundary file, keeping known areas and reporting strays; None if unreadable."""
    try:
        frame: gpd.GeoDataFrame = read_boundaries(path, code_field, name_field)
    except BoundaryError as exc:
        report.issues.append(LoadIssue(Path(path).name, str(exc).split(": ", 1)[-1]))
        return None
    unknown = sorted(set(frame["code"]) - area_codes)
    if unknown:
        report.issues.append(
            LoadIssue(
                Path(path).name,
                f"{len(unknown)} boundary codes are not in areas.csv and were left out: {', '.join(unknown[:10])}",
                fatal=False,
            )
        )
    unmapped = sorted(area_codes - set(frame["code"]))
    if unmapped:
        report.issues.append(
            LoadIssue(
                Path(path).name,
                f"{len(unmapped)} areas in areas.csv have no boundary and will not be drawn: "
                f"{', '.join(unmapped[:10])}",
                fatal=False,
            )
        )
    frame = frame[frame["code"].isin(area_codes)]
    return pd.DataFrame({"area_code": frame["code"].values, "geojson": [geometry_json(g) for g in frame.geometry]})
