"""The demo borough's places: small areas, wards and localities (made up or on real boundaries), and its schools."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon

from dashboard.ingest.boundaries import WGS84
from dashboard.sources.demo.calibration import DemoSettings

PLACE_START = [
    "Ash",
    "Brook",
    "Cal",
    "Dun",
    "Elm",
    "Fern",
    "Gold",
    "Hazel",
    "Ivy",
    "Kings",
    "Lark",
    "Marsh",
    "Nor",
    "Oak",
    "Pel",
    "Rush",
    "Stan",
    "Thorn",
    "Wood",
    "Wil",
    "Yew",
    "Alder",
    "Beech",
    "Cran",
]
PLACE_END = ["field", "hill", "wood", "ley", "ton", "bury", "well", "mere", "cote", "ford", "gate", "holme"]
SCHOOL_TYPES = {
    "primary": ["Academy converter", "Community school", "Voluntary aided school", "Academy sponsor led"],
    "secondary": ["Academy converter", "Academy sponsor led", "Free schools"],
    "special": ["Community special school", "Academy special converter"],
    "ap": ["Pupil referral unit", "Academy alternative provision converter"],
}


def _km_to_lonlat(xy: np.ndarray, settings: DemoSettings) -> np.ndarray:
    lat = settings.centre_lat + xy[:, 1] / 111.0
    lon = settings.centre_lon + xy[:, 0] / (111.0 * np.cos(np.radians(settings.centre_lat)))
    return np.column_stack([lon, lat])


def _lonlat_to_km(lonlat: np.ndarray, settings: DemoSettings) -> np.ndarray:
    x = (lonlat[:, 0] - settings.centre_lon) * 111.0 * np.cos(np.radians(settings.centre_lat))
    y = (lonlat[:, 1] - settings.centre_lat) * 111.0
    return np.column_stack([x, y])


def borough_outline(rng: np.random.Generator, extent_km: float = 6.0) -> Polygon:
    """An irregular closed outline of about twice extent_km across: 11 km by 12 km at 6, like a metropolitan borough."""
    theta = np.linspace(0, 2 * np.pi, 240, endpoint=False)
    radius = np.full_like(theta, extent_km)
    for harmonic in range(2, 7):
        wobble = rng.uniform(0.15, 0.6) / harmonic * 2 * (extent_km / 6.0)
        radius += wobble * np.cos(harmonic * theta + rng.uniform(0, 2 * np.pi))
    return Polygon(np.column_stack([radius * np.cos(theta) * 0.95, radius * np.sin(theta) * 1.05])).buffer(0)


def synthetic_areas(rng: np.random.Generator, count: int, extent_km: float = 6.0) -> gpd.GeoSeries:
    """Voronoi cells of points spread denser towards the centre, clipped to the outline (km)."""
    outline = borough_outline(rng, extent_km)
    minx, miny, maxx, maxy = outline.bounds
    spread = 30 * (extent_km / 6.0) ** 2
    points: list[tuple[float, float]] = []
    while len(points) < count:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        # Denser in the centre, as small areas of equal population are in towns.
        if outline.contains(Point(x, y)) and rng.uniform() < 0.35 + 0.65 * np.exp(-(x * x + y * y) / spread):
            points.append((x, y))
    seeds = np.array(points)
    for _ in range(3):  # Lloyd relaxation evens out the cells without making a grid
        cells = _voronoi(seeds, outline)
        seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    return gpd.GeoSeries(_voronoi(seeds, outline))


def _voronoi(seeds: np.ndarray, outline: Polygon) -> list[Polygon]:
    # ordered: the cells come in the seeds' order, so no search per seed (a county has a thousand).
    regions = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.buffer(5), ordered=True)
    return list(shapely.intersection(np.asarray(regions.geoms), outline))


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 30) -> np.ndarray:
    centres = points[rng.choice(len(points), k, replace=False)]
    for _ in range(iterations):
        labels = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        centres = np.array([points[labels == j].mean(0) if (labels == j).any() else centres[j] for j in range(k)])
    return np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)


def _balanced_assign(points: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """Give each point an anchor, nearest first, with equal numbers per anchor."""
    capacity = np.full(len(anchors), int(np.ceil(len(points) / len(anchors))))
    distance = ((points[:, None, :] - anchors[None]) ** 2).sum(-1)
    labels = np.full(len(points), -1)
    for flat in np.argsort(distance, axis=None):
        i, j = divmod(int(flat), len(anchors))
        if labels[i] < 0 and capacity[j] > 0:
            labels[i] = j
            capacity[j] -= 1
    return labels


def _names(rng: np.random.Generator, count: int) -> list[str]:
    pool = [a + b for a in PLACE_START for b in PLACE_END]
    if count > len(pool):  # a county has more schools than the borough's pool of names
        pool += [f"{before} {name}" for before in ("Upper", "Lower", "Great", "Little", "Old", "New") for name in pool]
    return [pool[i] for i in rng.choice(len(pool), count, replace=False)]


def build_geography(rng: np.random.Generator, settings: DemoSettings, boundaries: gpd.GeoDataFrame | None):
    """Areas with wards, localities and deprivation; polygons are synthetic unless boundaries are given."""
    if boundaries is None:
        cells = synthetic_areas(rng, settings.areas, settings.extent_km)
        lonlat_cells = gpd.GeoSeries(
            [shapely.transform(c, lambda xy: _km_to_lonlat(xy, settings)) for c in cells], crs=WGS84
        )
        codes = [f"X01{i + 1:06d}" for i in range(len(cells))]
        centroids = np.array([[c.centroid.x, c.centroid.y] for c in cells])
        areas = gpd.GeoDataFrame({"area_code": codes}, geometry=lonlat_cells, crs=WGS84)
        area_names = None
    else:
        areas = gpd.GeoDataFrame(
            {"area_code": boundaries["code"].values}, geometry=boundaries.geometry.values, crs=WGS84
        )
        area_names = list(boundaries["name"])
        lonlat = np.array([[p.x, p.y] for p in areas.geometry.representative_point()])
        settings = DemoSettings(
            **{**settings.__dict__, "centre_lat": lonlat[:, 1].mean(), "centre_lon": lonlat[:, 0].mean()}
        )
        centroids = _lonlat_to_km(lonlat, settings)
    centroids = centroids - centroids.mean(0)
    extent = np.abs(centroids).max()
    ward_of_area = _kmeans(centroids, settings.wards, rng)
    ward_centres = np.array([centroids[ward_of_area == w].mean(0) for w in range(settings.wards)])
    anchors = np.array([locality.anchor for locality in settings.localities]) * extent
    codes = np.array([locality.code for locality in settings.localities])
    locality_of_ward = codes[_balanced_assign(ward_centres, anchors)]
    ward_names = _names(rng, settings.wards)
    areas["ward_code"] = [f"X05{w + 1:06d}" for w in ward_of_area]
    areas["ward_name"] = [ward_names[w] for w in ward_of_area]
    areas["locality_code"] = locality_of_ward[ward_of_area]
    if area_names is None:
        counters: dict[str, int] = {}
        area_names = []
        for w in ward_of_area:
            counters[w] = counters.get(w, 0) + 1
            area_names.append(f"{ward_names[w]} {counters[w]:03d}")
    areas["area_name"] = area_names
    areas["x"], areas["y"] = centroids[:, 0] / extent, centroids[:, 1] / extent

    # Deprivation: high in the north and the town centre, low in the east, as in Walsall.
    x, y = areas["x"].to_numpy(), areas["y"].to_numpy()
    score = 1.2 * np.exp(-((x) ** 2 + (y - 0.55) ** 2) / 0.18) + 1.0 * np.exp(-(x**2 + (y + 0.1) ** 2) / 0.08)
    score += -0.9 * np.clip(x, 0, None) + 0.35 * rng.normal(size=len(x))
    shares = np.array([0.29, 0.15, 0.11, 0.09, 0.08, 0.07, 0.06, 0.06, 0.05, 0.04])
    cut = np.cumsum(shares) * len(x)
    rank = np.argsort(np.argsort(-score))  # 0 = most deprived
    areas["imd_decile"] = np.searchsorted(cut, rank, side="right") + 1
    areas["idaci_decile"] = np.clip(areas["imd_decile"] + rng.integers(-1, 2, len(x)), 1, 10)
    return areas


def build_schools(
    rng: np.random.Generator, settings: DemoSettings, areas: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Schools placed in areas, grouped into clusters of neighbours within each locality."""
    xy = areas[["x", "y"]].to_numpy()
    rows = []
    counts = {
        "primary": settings.primary_schools,
        "secondary": settings.secondary_schools,
        "special": settings.special_schools,
        "ap": settings.ap_schools,
    }
    used: set[int] = set()
    for phase, count in counts.items():
        if phase == "primary":
            chosen = rng.choice(len(areas), count, replace=False)
        else:  # spread the larger schools out: one per k-means group of areas
            groups = _kmeans(xy, count, rng)
            chosen = np.array([rng.choice(np.flatnonzero(groups == g)) for g in range(count)])
        used.update(chosen.tolist())
        for index in chosen:
            rows.append((phase, int(index)))
    point = areas.geometry.representative_point()
    names = _names(rng, len(rows))
    records = []
    for number, (phase, index) in enumerate(rows):
        suffix = {
            "primary": rng.choice(
                ["Primary School", "Primary Academy", "Junior and Infant School", "C of E Primary School"]
            ),
            "secondary": rng.choice(["Academy", "High School", "School", "Community College"]),
            "special": rng.choice(["School", "Academy"]),
            "ap": "Learning Centre",
        }[phase]
        jitter = rng.normal(scale=0.0015, size=2)
        records.append(
            {
                "urn": str(900001 + number),
                "school_name": f"{names[number]} {suffix}",
                "phase": phase,
                "school_type": str(rng.choice(SCHOOL_TYPES[phase])),
                "area_code": areas["area_code"].iat[index],
                "locality_code": areas["locality_code"].iat[index],
                "latitude": round(point.iat[index].y + jitter[0] * 0.6, 5),
                "longitude": round(point.iat[index].x + jitter[1], 5),
                "x": xy[index, 0],
                "y": xy[index, 1],
                "open_date": f"{rng.integers(1960, 2016)}-09-01",
                "close_date": "",
            }
        )
    schools = pd.DataFrame(records)
    clusters = []
    schools["cluster_code"] = ""
    cluster_names = _names(rng, len(settings.localities) * settings.clusters_per_locality)
    for number, code in enumerate(locality.code for locality in settings.localities):
        here = schools["locality_code"] == code
        mainstream = here & schools["phase"].isin(["primary", "secondary"])
        points = schools.loc[mainstream, ["x", "y"]].to_numpy()
        labels = _kmeans(points, settings.clusters_per_locality, rng)
        # Schools in one small area share its point, so k-means can leave a cluster empty: only clusters with
        # schools are made, numbered in order.
        labels = np.unique(labels, return_inverse=True)[1]
        centres = np.array([points[labels == k].mean(0) for k in range(labels.max() + 1)])
        for k in range(len(centres)):
            cluster_code = f"{code}{k + 1}"
            clusters.append(
                {
                    "cluster_code": cluster_code,
                    "cluster_name": f"{cluster_names[number * settings.clusters_per_locality + k]} cluster",
                    "locality_code": code,
                }
            )
        schools.loc[mainstream, "cluster_code"] = [f"{code}{k + 1}" for k in labels]
        others = here & ~schools["phase"].isin(["primary", "secondary"])
        for index in schools.index[others]:  # special and AP schools join the nearest cluster
            nearest = np.argmin(((centres - schools.loc[index, ["x", "y"]].to_numpy(float)) ** 2).sum(1))
            schools.at[index, "cluster_code"] = f"{code}{nearest + 1}"
    return schools, pd.DataFrame(clusters)
