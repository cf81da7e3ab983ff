"""Places at each map level and their boundaries, dissolved from small areas."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from dashboard.store.files import write_whole
from dashboard.store.warehouse import Warehouse


def place_table(warehouse: Warehouse, level: str = "area") -> pd.DataFrame:
    """Places at one map level, their names and locality (a ward in two localities counts in its main one)."""
    sql = {
        "area": "SELECT a.area_code AS code, a.area_name AS name, a.ward_name || ', ' || l.locality_name AS context, "
        "a.locality_code FROM area a JOIN locality l USING (locality_code)",
        "ward": "SELECT a.ward_code AS code, any_value(a.ward_name) AS name, mode(l.locality_name) AS context, "
        "mode(a.locality_code) AS locality_code FROM area a JOIN locality l USING (locality_code) GROUP BY 1",
        "locality": "SELECT locality_code AS code, locality_name AS name, 'Locality' AS context, locality_code "
        "FROM locality",
    }[level]
    # Plain object columns: every map request reads them, and Arrow-backed strings cost more per small look-up.
    return warehouse.cached(("places", level), lambda: warehouse.query(sql + " ORDER BY 1").astype(object))


def feature_ids(warehouse: Warehouse, level: str = "area") -> pd.Index:
    """The level's place codes in order: a place's position here is its id in the level's boundaries."""
    return warehouse.cached(("feature ids", level), lambda: pd.Index(place_table(warehouse, level)["code"]))


# How far each level's outlines may move when simplified, in degrees (1e-4 is about 7 m east-west and 11 m north-south
# in England): under a pixel of the map at which each level is read, and shared borders stay shared.
SIMPLIFY = {"area": 0.0001, "ward": 0.0002, "locality": 0.0003}
DECIMALS = 5  # about 1 m
# Larger places are read from further away: a level is read where its places span tens of pixels at least (England's
# districts, 0.4 degrees across, span 60 pixels of a national map), so moving outlines by a 500th of a typical place's
# size stays under a pixel. A borough's, county's or region's places are small enough that SIMPLIFY decides.
READ_AT = 500


def tolerance(level: str, shapes) -> float:
    """How far a level's outlines may move when simplified: SIMPLIFY, or a READ_AT-th of the median place's size
    (the diagonal of its bounding box) where that is more."""
    bounds = shapely.bounds(np.asarray(shapes))
    sizes = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    return max(SIMPLIFY[level], float(np.nanmedian(sizes)) / READ_AT if len(sizes) else 0.0)


def dissolved(shapes: pd.Series) -> pd.Series:
    """Small areas' outlines, indexed by the code of the place each lies in, dissolved into those places' outlines
    (slivers dropped where generalised small-area edges do not quite meet)."""
    return pd.Series({code: shapely.union_all(list(group), grid_size=1e-6) for code, group in shapes.groupby(level=0)})


def simplified_for(level: str, shapes: np.ndarray) -> np.ndarray:
    """A level's outlines simplified as a coverage (shared borders stay shared) for the distance the level is read
    from (tolerance), their points rounded to about a metre."""
    simplified = shapely.coverage_simplify(shapes, tolerance(level, shapes))
    return shapely.transform(simplified, lambda xy: xy.round(DECIMALS))


@dataclass(frozen=True)
class _Level:
    """A map level's boundaries as served: the FeatureCollection as JSON text, whole and for each locality's places
    alone, and each place's bounding box by feature id. Text, not Python objects: England's small areas are 42 MB
    of it and ten times that as dicts and lists in each web worker."""

    whole: str
    by_locality: dict[str, str]
    bounds: np.ndarray
    tolerance: float  # how far its outlines were let move when simplified (degrees)


def map_geojson_text(warehouse: Warehouse, level: str = "area", locality: str | None = None) -> str | None:
    """map_geojson as the JSON text the browser is sent (compact), or None where no boundaries are loaded."""
    built = _level(warehouse, level)
    if built is None:
        return None
    if locality is None:
        return built.whole
    return built.by_locality.get(locality, _EMPTY)


_EMPTY = json.dumps({"type": "FeatureCollection", "features": []}, separators=(",", ":"))


def map_geojson(warehouse: Warehouse, level: str = "area", locality: str | None = None) -> dict | None:
    """Boundaries at one map level as a FeatureCollection: each feature's id is the place's position in place_table
    (a map names places by these small numbers, not by their codes), its properties the code, name and context (for
    hover text); wards and localities dissolved from areas, each level simplified as a coverage. With a locality,
    only its places, with the same ids: a level too large to draw whole is sent one locality at a time."""
    text = map_geojson_text(warehouse, level, locality)
    if text is None:
        return None
    # Made from the text when a figure needs it inline (an export), kept while it is used.
    return warehouse.cached(("geojson", level, locality), lambda: json.loads(text), size=lambda _: 10 * len(text))


def map_geojson_file(
    warehouse: Warehouse, folder: Path, level: str = "area", locality: str | None = None
) -> str | dict | None:
    """map_geojson for a browser on this server (the export browser): the file:// address of a file in folder that
    holds it, written once (whole, or not at all) and named by the served file's identity, so a figure carries a
    short address rather than megabytes that every copy of the figure copies again. The boundaries themselves where
    folder cannot be written; None where none are loaded."""
    text = map_geojson_text(warehouse, level, locality)
    if text is None:
        return None
    name = hashlib.sha256(repr((warehouse.stamp, level, locality)).encode()).hexdigest()[:24]
    path = folder / f"{name}.geojson"
    # Looked for each time: a folder cleared while serving is filled again. Unwritable: the figure carries them itself.
    if not path.exists() and not write_whole(path, text.encode()):
        return map_geojson(warehouse, level, locality)
    return path.as_uri()


def _level(warehouse: Warehouse, level: str) -> _Level | None:
    def build() -> _Level | None:
        rows = warehouse.query(
            "SELECT g.geojson, a.area_code, a.ward_code, a.locality_code FROM area_geometry g JOIN area a USING "
            "(area_code) ORDER BY a.area_code"
        )
        if rows.empty:
            return None
        shapes = pd.Series(
            shapely.from_geojson(rows["geojson"].tolist()),
            index=rows[f"{'area' if level == 'area' else level}_code"].values,
        )
        if level != "area":
            shapes = dissolved(shapes)
        places = place_table(warehouse, level)
        position = pd.Index(places["code"]).get_indexer(shapes.index)
        shapes = shapes[position >= 0]  # a boundary with no place is not drawn
        moved = tolerance(level, shapes.to_numpy())
        simplified = simplified_for(level, shapes.to_numpy())
        ids = position[position >= 0]
        features = [
            {
                "type": "Feature",
                "id": int(index),
                "properties": {
                    "code": places.at[index, "code"],
                    "name": places.at[index, "name"],
                    "context": places.at[index, "context"],
                },
                "geometry": shapely.geometry.mapping(shape),
            }
            for index, shape in zip(ids, simplified)
        ]
        locality_of = places["locality_code"].to_numpy(object)
        by_locality: dict[str, list] = {}
        for feature in features:
            by_locality.setdefault(locality_of[feature["id"]], []).append(feature)
        bounds = np.full((len(places), 4), np.nan)
        bounds[ids] = shapely.bounds(simplified)
        return _Level(
            _collection_text(features),
            {code: _collection_text(mine) for code, mine in by_locality.items()},
            bounds,
            moved,
        )

    return warehouse.cached(("geometry", level), build)


def _collection_text(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def feature_bounds(warehouse: Warehouse, level: str = "area") -> np.ndarray | None:
    """Each place's bounding box (west, south, east, north) by feature id, NaN where it has no boundary; None where no
    boundaries are loaded."""
    built = _level(warehouse, level)
    return None if built is None else built.bounds


# How far the localities' outlines may move, at least: about 20 m, finer than a screen pixel at borough scale and a
# tenth of the points.
OUTLINE_MOVES = 0.0002


def locality_overlay(warehouse: Warehouse, only: str | None = None, over: str = "area") -> dict | None:
    """The localities' outlines as lines (lon and lat, a None between rings) and a point inside each for its name,
    dissolved from the same small-area boundaries the map draws, simplified no finer than the level drawn beneath
    (over) and never finer than OUTLINE_MOVES.

    With only (a locality's code), that locality's outline alone, with every name: a map drawn one locality at a
    time draws the others whole, their borders with them, and England's 151 outlines are 2 MB a drawing."""
    beneath = _level(warehouse, over)
    moves = max(OUTLINE_MOVES, beneath.tolerance if beneath is not None else 0.0)

    def build() -> tuple[dict, list] | None:
        collection = map_geojson(warehouse, "locality")
        if collection is None:
            return None
        outlines, names = {}, []
        for feature in collection["features"]:
            shape = shapely.geometry.shape(feature["geometry"])
            outline = shapely.simplify(shape.boundary, moves, preserve_topology=True)
            lon, lat = [], []
            for line in getattr(outline, "geoms", [outline]):
                xs, ys = line.xy
                lon += [round(x, 5) for x in xs] + [None]
                lat += [round(y, 5) for y in ys] + [None]
            outlines[feature["properties"]["code"]] = (lon, lat)
            point = shape.representative_point()  # inside the locality, even where its shape is hollow or bent
            names.append((feature["properties"]["name"], round(point.x, 5), round(point.y, 5)))
        return outlines, names

    def assemble() -> dict | None:
        built = warehouse.cached(("locality outlines", moves), build)
        if built is None:
            return None
        outlines, names = built
        if only is None:
            drawn = list(outlines.values())
        else:
            drawn = [outlines[only]] if only in outlines else []
        lon = [x for line, _ in drawn for x in line]
        lat = [y for _, line in drawn for y in line]
        return {"lon": lon, "lat": lat, "names": names}

    return warehouse.cached(("locality-overlay", only, moves), assemble)
