"""Places at each map level and their boundaries, dissolved from small areas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
import shapely.geometry

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


def map_geojson(warehouse: Warehouse, level: str = "area", locality: str | None = None) -> dict | None:
    """Boundaries at one map level as a FeatureCollection: each feature's id is the place's position in place_table
    (a map names places by these small numbers, not by their codes), its properties the code, name and context (for
    hover text); wards and localities dissolved from areas, each level simplified as a coverage. With a locality,
    only its places, with the same ids: a level too large to draw whole is sent one locality at a time."""
    if locality is not None:
        return _locality_geojson(warehouse, level, locality)

    def build() -> dict | None:
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
        simplified = simplified_for(level, shapes.to_numpy())
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
            for index, shape in zip(position[position >= 0], simplified)
        ]
        return {"type": "FeatureCollection", "features": features}

    return warehouse.cached(("geojson", level), build)


def _locality_geojson(warehouse: Warehouse, level: str, locality: str) -> dict | None:
    def build() -> dict | None:
        whole = map_geojson(warehouse, level)
        if whole is None:
            return None
        mine = set(np.flatnonzero(place_table(warehouse, level)["locality_code"].to_numpy(object) == locality).tolist())
        return {"type": "FeatureCollection", "features": [f for f in whole["features"] if f["id"] in mine]}

    return warehouse.cached(("geojson", level, locality), build)


def feature_bounds(warehouse: Warehouse, level: str = "area") -> np.ndarray | None:
    """Each place's bounding box (west, south, east, north) by feature id, NaN where it has no boundary; None where no
    boundaries are loaded."""

    def build() -> np.ndarray | None:
        collection = map_geojson(warehouse, level)
        if collection is None:
            return None
        bounds = np.full((len(place_table(warehouse, level)), 4), np.nan)
        ids = [feature["id"] for feature in collection["features"]]
        shapes = [shapely.geometry.shape(feature["geometry"]) for feature in collection["features"]]
        bounds[ids] = shapely.bounds(shapes)
        return bounds

    return warehouse.cached(("feature bounds", level), build)


def locality_overlay(warehouse: Warehouse) -> dict | None:
    """The localities' outlines as lines (lon and lat, a None between rings) and a point inside each for its name,
    dissolved from the same small-area boundaries the map draws and simplified to what a map of a borough shows."""

    def build() -> dict | None:
        collection = map_geojson(warehouse, "locality")
        if collection is None:
            return None
        lon, lat, names = [], [], []
        for feature in collection["features"]:
            shape = shapely.geometry.shape(feature["geometry"])
            # About 20 m: finer than a screen pixel at borough scale, and a tenth of the points.
            outline = shapely.simplify(shape.boundary, 0.0002, preserve_topology=True)
            for line in getattr(outline, "geoms", [outline]):
                xs, ys = line.xy
                lon += [round(x, 5) for x in xs] + [None]
                lat += [round(y, 5) for y in ys] + [None]
            point = shape.representative_point()  # inside the locality, even where its shape is hollow or bent
            names.append((feature["properties"]["name"], round(point.x, 5), round(point.y, 5)))
        return {"lon": lon, "lat": lat, "names": names}

    return warehouse.cached(("locality-overlay",), build)
