"""Places at each map level and their boundaries, dissolved from small areas."""

from __future__ import annotations

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


def map_geojson(warehouse: Warehouse, level: str = "area") -> dict | None:
    """Boundaries at one map level as a FeatureCollection (id = code, properties name and context, for hover text);
    wards and localities dissolved from areas."""

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
            # Dissolve, then drop slivers left where generalised small-area edges do not quite meet.
            shapes = pd.Series(
                {code: shapely.union_all(list(group), grid_size=1e-6) for code, group in shapes.groupby(level=0)}
            )
        places = place_table(warehouse, level).set_index("code")
        features = [
            {
                "type": "Feature",
                "id": code,
                "properties": {
                    "name": places.at[code, "name"] if code in places.index else code,
                    "context": places.at[code, "context"] if code in places.index else "",
                },
                "geometry": shapely.geometry.mapping(shape),
            }
            for code, shape in shapes.items()
        ]
        return {"type": "FeatureCollection", "features": features}

    return warehouse.cached(("geojson", level), build)


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
