"""A synthetic borough shaped like Walsall, written as pupil-level extracts and loaded by the real ingest.

Usage: python -m dashboard.demo [--seed N] [--out DIR] [--db PATH] [--boundaries FILE --code-field FIELD]

Calibrated to the figures in shared/context/README.md: EHC plans and their need mix by locality in
2020/21, the locality ranking of suspension and permanent exclusion rates, Walsall's EHC plan caseload
growth, and plausible absence (higher with SEN and deprivation). Every count is made up.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon

from dashboard.config import Config, absolute_path
from dashboard.geo import WGS84, read_boundaries, to_feature_collection
from dashboard.ingest import IngestError, load
from dashboard.reference import age_band, academic_year_label

# ---------------------------------------------------------------------------------------------
# Calibration targets (shared/context/README.md and DfE "Education, health and care plans").

LOCALITIES = {"N": "North", "E": "East", "SC": "South & Central", "W": "West"}
POPULATION_0_25 = {"N": 22_234, "E": 23_606, "SC": 22_121, "W": 23_887}  # 2021
CALIBRATION_YEAR = 2020  # 2020/21: plans on 18 March 2021
PLANS_2021 = {"N": 734, "E": 687, "SC": 528, "W": 677}
PLANS_2021_OOB = 36
# Published need counts per locality in 2020/21 for the five largest needs.
NEEDS_2021 = {
    "N": {"ASD": 184, "SLCN": 117, "MLD": 106, "SLD": 62, "SEMH": 120},
    "E": {"ASD": 228, "SLCN": 89, "MLD": 83, "SLD": 64, "SEMH": 73},
    "SC": {"ASD": 126, "SLCN": 100, "MLD": 63, "SLD": 61, "SEMH": 45},
    "W": {"ASD": 200, "SLCN": 108, "MLD": 93, "SLD": 72, "SEMH": 71},
}
# Walsall's January caseload (DfE SEN2), 2019/20 to 2024/25; 2020/21 uses the March 2021 figure above.
CASELOAD = {2019: 2_106, 2020: sum(PLANS_2021.values()) + PLANS_2021_OOB, 2021: 2_856, 2022: 3_416, 2023: 4_508, 2024: 4_743}
# Walsall's need mix in January 2025 (DfE SEN2), which the mix drifts towards.
NEEDS_2025 = {
    "ASD": 877, "HI": 59, "MLD": 566, "MSI": 11, "OTH": 128, "PD": 199, "PMLD": 48,
    "SEMH": 1098, "SLCN": 1186, "SLD": 245, "SPLD": 237, "VI": 80,
}
NEED_ORDER = ("ASD", "SLCN", "MLD", "SLD", "SEMH", "SPLD", "PD", "OTH", "VI", "HI", "PMLD", "MSI")
# Share of plans by age band (Walsall, January 2025).
PLAN_AGE_SHARE = {"0-4": 0.062, "5-10": 0.328, "11-15": 0.334, "16-19": 0.188, "20-25": 0.088}
# Permanent and fixed-term exclusions per 1,000, 2017-2021 (the ranking must survive).
PERMANENT_PER_1000 = {"N": 4.3, "W": 3.4, "SC": 2.3, "E": 2.2}
SUSPENSIONS_PER_1000 = {"N": 97.6, "E": 54.8, "SC": 43.5, "W": 33.4}
# Need mix of SEN support (England, roughly), used as fixed bands of a pupil's need latent.
SEN_SUPPORT_MIX = {
    "SLCN": 0.24, "SEMH": 0.20, "MLD": 0.18, "SPLD": 0.13, "ASD": 0.08, "NSA": 0.05, "OTH": 0.04,
    "PD": 0.03, "HI": 0.02, "VI": 0.01, "SLD": 0.01, "MSI": 0.005, "PMLD": 0.005,
}
# Year-on-year shape: COVID years low for exclusions and absence, then the post-2021 rise.
SUSPENSION_YEAR_FACTOR = {2019: 0.75, 2020: 0.8, 2021: 1.0, 2022: 1.2, 2023: 1.35, 2024: 1.4}
ABSENCE_YEAR_BASE = {2019: 0.045, 2020: 0.041, 2021: 0.064, 2022: 0.063, 2023: 0.059, 2024: 0.057}
TERM_SESSIONS = {"Autumn": 140, "Spring": 116, "Summer": 124}
TERM_SUSPENSION_FACTOR = {
    (2019, "Summer"): 0.1,  # schools closed to most pupils
    (2020, "Spring"): 0.4,
}

DEMO_EVENTS = [
    ("2021-09-01", "Restorative practice programme starts"),
    ("2023-01-09", "Attendance support team expanded"),
]

# A comparator for the demo's charts: round values near England's published series, labelled as illustrative
# because the demo must not present made-up numbers as official ones. A real load uses benchmarks.csv.
DEMO_BENCHMARK = {
    "suspension_rate": (5.4, 4.3, 6.9, 9.3, 10.9, 11.3),
    "permanent_rate": (0.06, 0.05, 0.08, 0.11, 0.13, 0.13),
    "ehcp_rate": (22.4, 24.7, 27.1, 29.6, 33.0, 36.5),
    "absence_rate": (4.7, 4.6, 7.6, 7.5, 7.1, 6.9),
    "persistent_absence": (13.1, 12.1, 22.5, 22.3, 20.0, 18.5),
    "severe_absence": (1.0, 1.1, 1.7, 2.0, 2.1, 2.2),
}

PLACE_START = ["Ash", "Brook", "Cal", "Dun", "Elm", "Fern", "Gold", "Hazel", "Ivy", "Kings", "Lark", "Marsh",
               "Nor", "Oak", "Pel", "Rush", "Stan", "Thorn", "Wood", "Wil", "Yew", "Alder", "Beech", "Cran"]
PLACE_END = ["field", "hill", "wood", "ley", "ton", "bury", "well", "mere", "cote", "ford", "gate", "holme"]
SCHOOL_TYPES = {
    "primary": ["Academy converter", "Community school", "Voluntary aided school", "Academy sponsor led"],
    "secondary": ["Academy converter", "Academy sponsor led", "Free schools"],
    "special": ["Community special school", "Academy special converter"],
    "ap": ["Pupil referral unit", "Academy alternative provision converter"],
}


@dataclass(frozen=True)
class DemoSettings:
    """Size and shape of the synthetic borough."""

    seed: int = 335
    first_year: int = 2019
    years: int = 6
    areas: int = 170
    wards: int = 20
    primary_schools: int = 94
    secondary_schools: int = 20
    special_schools: int = 9
    ap_schools: int = 4
    clusters_per_locality: int = 4
    centre_lat: float = 52.59
    centre_lon: float = -1.97


# ---------------------------------------------------------------------------------------------
# Geometry: synthetic polygons that tile a borough outline, worked in kilometres.

def _km_to_lonlat(xy: np.ndarray, settings: DemoSettings) -> np.ndarray:
    lat = settings.centre_lat + xy[:, 1] / 111.0
    lon = settings.centre_lon + xy[:, 0] / (111.0 * np.cos(np.radians(settings.centre_lat)))
    return np.column_stack([lon, lat])


def _lonlat_to_km(lonlat: np.ndarray, settings: DemoSettings) -> np.ndarray:
    x = (lonlat[:, 0] - settings.centre_lon) * 111.0 * np.cos(np.radians(settings.centre_lat))
    y = (lonlat[:, 1] - settings.centre_lat) * 111.0
    return np.column_stack([x, y])


def borough_outline(rng: np.random.Generator) -> Polygon:
    """An irregular closed outline about 11 km by 12 km, like a metropolitan borough."""
    theta = np.linspace(0, 2 * np.pi, 240, endpoint=False)
    radius = np.full_like(theta, 6.0)
    for harmonic in range(2, 7):
        radius += rng.uniform(0.15, 0.6) / harmonic * 2 * np.cos(harmonic * theta + rng.uniform(0, 2 * np.pi))
    return Polygon(np.column_stack([radius * np.cos(theta) * 0.95, radius * np.sin(theta) * 1.05])).buffer(0)


def synthetic_areas(rng: np.random.Generator, count: int) -> gpd.GeoSeries:
    """Voronoi cells of points spread denser towards the centre, clipped to the outline (km)."""
    outline = borough_outline(rng)
    minx, miny, maxx, maxy = outline.bounds
    points: list[tuple[float, float]] = []
    while len(points) < count:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        # Denser in the centre, as small areas of equal population are in towns.
        if outline.contains(Point(x, y)) and rng.uniform() < 0.35 + 0.65 * np.exp(-(x * x + y * y) / 30):
            points.append((x, y))
    seeds = np.array(points)
    for _ in range(3):  # Lloyd relaxation evens out the cells without making a grid
        cells = _voronoi(seeds, outline)
        seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    return gpd.GeoSeries(_voronoi(seeds, outline))


def _voronoi(seeds: np.ndarray, outline: Polygon) -> list[Polygon]:
    regions = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.buffer(5))
    by_seed = []
    for x, y in seeds:
        point = Point(x, y)
        cell = next(r for r in regions.geoms if r.contains(point))
        by_seed.append(cell.intersection(outline))
    return by_seed


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
    return [pool[i] for i in rng.choice(len(pool), count, replace=False)]


def build_geography(rng: np.random.Generator, settings: DemoSettings, boundaries: gpd.GeoDataFrame | None):
    """Areas with wards, localities and deprivation; polygons are synthetic unless boundaries are given."""
    if boundaries is None:
        cells = synthetic_areas(rng, settings.areas)
        lonlat_cells = gpd.GeoSeries(
            [shapely.transform(c, lambda xy: _km_to_lonlat(xy, settings)) for c in cells], crs=WGS84
        )
        codes = [f"X01{i + 1:06d}" for i in range(len(cells))]
        centroids = np.array([[c.centroid.x, c.centroid.y] for c in cells])
        areas = gpd.GeoDataFrame({"area_code": codes}, geometry=lonlat_cells, crs=WGS84)
        area_names = None
    else:
        areas = gpd.GeoDataFrame({"area_code": boundaries["code"].values}, geometry=boundaries.geometry.values, crs=WGS84)
        area_names = list(boundaries["name"])
        lonlat = np.array([[p.x, p.y] for p in areas.geometry.representative_point()])
        settings = DemoSettings(**{**settings.__dict__, "centre_lat": lonlat[:, 1].mean(), "centre_lon": lonlat[:, 0].mean()})
        centroids = _lonlat_to_km(lonlat, settings)
    centroids = centroids - centroids.mean(0)
    extent = np.abs(centroids).max()
    ward_of_area = _kmeans(centroids, settings.wards, rng)
    ward_centres = np.array([centroids[ward_of_area == w].mean(0) for w in range(settings.wards)])
    # Locality anchors: North, East, South & Central (centre, drawn south), West.
    anchors = np.array([[0, 0.6], [0.6, 0], [0, -0.25], [-0.6, 0]]) * extent
    locality_of_ward = np.array(list(LOCALITIES))[_balanced_assign(ward_centres, anchors)]
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
    score = 1.2 * np.exp(-((x) ** 2 + (y - 0.55) ** 2) / 0.18) + 1.0 * np.exp(-(x ** 2 + (y + 0.1) ** 2) / 0.08)
    score += -0.9 * np.clip(x, 0, None) + 0.35 * rng.normal(size=len(x))
    shares = np.array([0.29, 0.15, 0.11, 0.09, 0.08, 0.07, 0.06, 0.06, 0.05, 0.04])
    cut = np.cumsum(shares) * len(x)
    rank = np.argsort(np.argsort(-score))  # 0 = most deprived
    areas["imd_decile"] = np.searchsorted(cut, rank, side="right") + 1
    areas["idaci_decile"] = np.clip(areas["imd_decile"] + rng.integers(-1, 2, len(x)), 1, 10)
    return areas


# ---------------------------------------------------------------------------------------------
# Schools and clusters.

def build_schools(rng: np.random.Generator, settings: DemoSettings, areas: gpd.GeoDataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Schools placed in areas, grouped into clusters of neighbours within each locality."""
    xy = areas[["x", "y"]].to_numpy()
    rows = []
    counts = {"primary": settings.primary_schools, "secondary": settings.secondary_schools,
              "special": settings.special_schools, "ap": settings.ap_schools}
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
        suffix = {"primary": rng.choice(["Primary School", "Primary Academy", "Junior and Infant School", "C of E Primary School"]),
                  "secondary": rng.choice(["Academy", "High School", "School", "Community College"]),
                  "special": rng.choice(["School", "Academy"]),
                  "ap": "Learning Centre"}[phase]
        jitter = rng.normal(scale=0.0015, size=2)
        records.append({
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
        })
    schools = pd.DataFrame(records)
    clusters = []
    schools["cluster_code"] = ""
    cluster_names = _names(rng, len(LOCALITIES) * settings.clusters_per_locality)
    for number, (code, name) in enumerate(LOCALITIES.items()):
        here = schools["locality_code"] == code
        mainstream = here & schools["phase"].isin(["primary", "secondary"])
        labels = _kmeans(schools.loc[mainstream, ["x", "y"]].to_numpy(), settings.clusters_per_locality, rng)
        centres = np.array([schools.loc[mainstream, ["x", "y"]].to_numpy()[labels == k].mean(0) for k in range(settings.clusters_per_locality)])
        for k in range(settings.clusters_per_locality):
            cluster_code = f"{code}{k + 1}"
            clusters.append({"cluster_code": cluster_code, "cluster_name": f"{cluster_names[number * settings.clusters_per_locality + k]} cluster", "locality_code": code})
        schools.loc[mainstream, "cluster_code"] = [f"{code}{k + 1}" for k in labels]
        others = here & ~schools["phase"].isin(["primary", "secondary"])
        for index in schools.index[others]:  # special and AP schools join the nearest cluster
            nearest = np.argmin(((centres - schools.loc[index, ["x", "y"]].to_numpy(float)) ** 2).sum(1))
            schools.at[index, "cluster_code"] = f"{code}{nearest + 1}"
    return schools, pd.DataFrame(clusters)


# ---------------------------------------------------------------------------------------------
# People: everyone aged 0-25 who lives in the borough at some point, with fixed latent traits.

def build_people(rng: np.random.Generator, settings: DemoSettings, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per child or young person: home area, birth year, and the traits that drive their records."""
    last_year = settings.first_year + settings.years - 1
    births = np.arange(settings.first_year - 25, last_year + 1)
    weight = rng.lognormal(0, 0.15, len(areas))
    area_totals = np.zeros(len(areas), dtype=int)
    for code, total in POPULATION_0_25.items():
        here = np.flatnonzero(areas["locality_code"].to_numpy() == code)
        area_totals[here] = _largest_remainder(total, weight[here])
    frames = []
    calibration_births = (births >= CALIBRATION_YEAR - 25) & (births <= CALIBRATION_YEAR)
    cohort_shape = 1 + 0.04 * np.sin(births / 3.0)  # gentle wobble in cohort sizes
    for index, total in enumerate(area_totals):
        sizes = np.zeros(len(births), dtype=int)
        sizes[calibration_births] = _largest_remainder(int(total), cohort_shape[calibration_births])
        mean = total / calibration_births.sum()
        sizes[~calibration_births] = rng.poisson(mean * cohort_shape[~calibration_births])
        frames.append(pd.DataFrame({"area_index": index, "birth_year": np.repeat(births, sizes)}))
    people = pd.concat(frames, ignore_index=True)
    people = _with_traits(people, rng)
    people["home_area_code"] = areas["area_code"].to_numpy()[people["area_index"]]
    people["locality_code"] = areas["locality_code"].to_numpy()[people["area_index"]]
    people["imd_decile"] = areas["imd_decile"].to_numpy()[people["area_index"]]
    # Pupils who live outside the borough but come to its schools, and plans for residents elsewhere.
    outside = _with_traits(pd.DataFrame({"area_index": -1, "birth_year": rng.choice(births, 2_400)}), rng)
    outside["home_area_code"] = None
    outside["locality_code"] = "OOB"
    outside["imd_decile"] = 5
    people = pd.concat([people, outside], ignore_index=True)
    people["pupil_id"] = [f"P{i:07d}" for i in rng.permutation(len(people))]
    return people


def _with_traits(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(people)
    return people.assign(
        sen_latent=rng.exponential(size=n),  # smaller is more likely to have a plan
        support_latent=rng.uniform(size=n),
        need_latent=rng.uniform(size=n),
        behaviour=rng.gamma(0.35, 1 / 0.35, size=n),  # heavy tail: a few pupils, many suspensions
        absence=rng.lognormal(-0.5, 1.0, size=n),
        school_choice=rng.uniform(size=n),
        sixth_form=rng.uniform(size=n),
        special_choice=rng.uniform(size=n),
    )


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split a whole number in proportion to weights so the parts add up exactly."""
    weights = np.asarray(weights, dtype=float)
    raw = total * weights / weights.sum()
    parts = np.floor(raw).astype(int)
    parts[np.argsort(-(raw - parts))[: total - parts.sum()]] += 1
    return parts


# ---------------------------------------------------------------------------------------------
# Plans and needs, year by year.

def _mix_2021(locality: str) -> dict[str, float]:
    """Published 2020/21 shares for a locality (or the borough), the rest split like Walsall's 2025 mix."""
    later = {k: v / sum(NEEDS_2025.values()) for k, v in NEEDS_2025.items()}
    plans = PLANS_2021.get(locality, sum(PLANS_2021.values()))
    known = NEEDS_2021.get(locality) or {k: sum(NEEDS_2021[loc][k] for loc in NEEDS_2021) for k in NEEDS_2021["N"]}
    others = {k: v for k, v in later.items() if k not in known}
    mix = {k: v / plans for k, v in known.items()}
    mix.update({k: (plans - sum(known.values())) / plans * v / sum(others.values()) for k, v in others.items()})
    return mix


def need_mix(locality: str, year: int) -> dict[str, float]:
    """Target share of plans by need: the published 2020/21 mix, the borough drifting to Walsall's 2025 mix.

    Each locality keeps its own difference from the borough, so localities stay distinct as the mix moves.
    """
    later = {k: v / sum(NEEDS_2025.values()) for k, v in NEEDS_2025.items()}
    start, borough = _mix_2021(locality), _mix_2021("all")
    t = float(np.clip((year - CALIBRATION_YEAR) / (2024 - CALIBRATION_YEAR), 0, 1))
    mixed = {k: max(0.0, start[k] + t * (later[k] - borough[k])) for k in NEED_ORDER}
    total = sum(mixed.values())
    return {k: v / total for k, v in mixed.items()}


def plan_targets(year: int) -> dict[str, int]:
    """Plans per locality (and OOB) in a year: 2020/21 as published, other years Walsall's growth."""
    base = {**PLANS_2021, "OOB": PLANS_2021_OOB}
    if year == CALIBRATION_YEAR:
        return base
    parts = _largest_remainder(CASELOAD[year], np.array(list(base.values()), dtype=float))
    return dict(zip(base, parts.tolist()))


def assign_plans(people: pd.DataFrame, year: int, deprivation_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which people hold a plan this year, and their primary need: exact counts per locality and age band."""
    age = year - people["birth_year"].to_numpy()
    has_plan = np.zeros(len(people), dtype=bool)
    need = np.full(len(people), "", dtype=object)
    band = np.array([age_band(int(a)) if 0 <= a <= 25 else "" for a in age])
    # A weighted race: the smallest latent / weight win, so deprived areas hold more plans and the
    # same people keep their plans from year to year.
    score = people["sen_latent"].to_numpy() / deprivation_weight
    locality = people["locality_code"].to_numpy()
    for code, total in plan_targets(year).items():
        in_locality = locality == code
        per_band = _largest_remainder(total, np.array(list(PLAN_AGE_SHARE.values())))
        if code == "OOB":  # out-of-borough plans are school-age children placed by the LA
            per_band = np.array([0, total // 2, total - total // 2, 0, 0])
        holders = []
        for (label, _), k in zip(PLAN_AGE_SHARE.items(), per_band):
            candidates = np.flatnonzero(in_locality & (band == label))
            holders.append(candidates[np.argsort(score[candidates])[:k]])
        holders = np.concatenate(holders)
        has_plan[holders] = True
        # Needs in fixed blocks of the need latent, so a pupil's need rarely changes between years.
        mix = need_mix(code if code != "OOB" else "all", year)
        counts = _largest_remainder(len(holders), np.array([mix[k] for k in NEED_ORDER]))
        ordered = holders[np.argsort(people["need_latent"].to_numpy()[holders])]
        need[ordered] = np.repeat(NEED_ORDER, counts)
    return has_plan, need


def sen_support_need(latent: np.ndarray) -> np.ndarray:
    """Primary need of a pupil on SEN support, from fixed bands of the need latent."""
    codes = list(SEN_SUPPORT_MIX)
    cut = np.cumsum(list(SEN_SUPPORT_MIX.values()))
    return np.array(codes)[np.minimum(np.searchsorted(cut / cut[-1], latent, side="right"), len(codes) - 1)]


# ---------------------------------------------------------------------------------------------

@dataclass
class Borough:
    """Everything the generator makes before it is written out as extracts."""

    areas: gpd.GeoDataFrame
    schools: pd.DataFrame
    clusters: pd.DataFrame
    population: pd.DataFrame
    census: pd.DataFrame
    exclusions: pd.DataFrame
    attendance: pd.DataFrame
    ehcp: pd.DataFrame


def _nearest(points: np.ndarray, targets: np.ndarray, k: int) -> np.ndarray:
    distance = ((points[:, None, :] - targets[None]) ** 2).sum(-1)
    return np.argsort(distance, axis=1)[:, :k]


def generate(settings: DemoSettings = DemoSettings(), boundaries: gpd.GeoDataFrame | None = None) -> Borough:
    """Build the synthetic borough deterministically from settings.seed."""
    rng = np.random.default_rng(settings.seed)
    areas = build_geography(rng, settings, boundaries)
    schools, clusters = build_schools(rng, settings, areas)
    people = build_people(rng, settings, areas)
    n = len(people)
    area_xy = areas[["x", "y"]].to_numpy()
    home_xy = np.where(people["area_index"].to_numpy()[:, None] >= 0, area_xy[people["area_index"].clip(lower=0)], rng.uniform(-1, 1, (n, 2)))
    deprivation = 1 + 0.09 * (5.5 - people["imd_decile"].to_numpy())  # decile 1: 1.4, decile 10: 0.6

    by_phase = {p: schools.index[schools["phase"] == p].to_numpy() for p in ("primary", "secondary", "special", "ap")}
    school_xy = schools[["x", "y"]].to_numpy(float)
    choice = people["school_choice"].to_numpy()
    pick = np.where(choice < 0.62, 0, np.where(choice < 0.87, 1, 2))
    nearest_primary = by_phase["primary"][_nearest(home_xy, school_xy[by_phase["primary"]], 3)[np.arange(n), pick]]
    nearest_secondary = by_phase["secondary"][_nearest(home_xy, school_xy[by_phase["secondary"]], 3)[np.arange(n), pick]]
    nearest_special = by_phase["special"][_nearest(home_xy, school_xy[by_phase["special"]], 2)[np.arange(n), pick % 2]]
    nearest_ap = by_phase["ap"][_nearest(home_xy, school_xy[by_phase["ap"]], 1)[:, 0]]
    special_need_share = {"SLD": 0.85, "PMLD": 0.95, "ASD": 0.45, "SEMH": 0.35, "MLD": 0.3, "PD": 0.3, "MSI": 0.5}

    population_rows, census_rows, exclusion_rows, attendance_rows, ehcp_rows = [], [], [], [], []
    permanently_excluded = np.zeros(n, dtype=bool)
    permanent_progress: dict[str, tuple[float, int]] = {}
    urns = schools["urn"].to_numpy()
    phase_of = schools["phase"].to_numpy()
    locality_names = list(LOCALITIES)
    for year in range(settings.first_year, settings.first_year + settings.years):
        label = academic_year_label(year)
        age = year - people["birth_year"].to_numpy()
        resident = people["area_index"].to_numpy() >= 0
        in_range = (age >= 0) & (age <= 25)
        bands = pd.Series([age_band(int(a)) if 0 <= a <= 25 else "" for a in age])
        counted = resident & in_range
        population_rows.append(
            pd.DataFrame({"academic_year": label, "area_code": people.loc[counted, "home_area_code"].to_numpy(), "age_band": bands[counted].to_numpy()})
            .value_counts().rename("population").reset_index()
        )
        has_plan, plan_need = assign_plans(people, year, deprivation)

        # Who is at school, and where: Reception to Year 11, some stay on for the sixth form.
        school_age = (age >= 4) & (age <= 15)
        sixth = ((age == 16) | (age == 17)) & (people["sixth_form"].to_numpy() < np.where(has_plan, 0.55, 0.42))
        pupil = (school_age | sixth) & (resident | (age <= 15))
        school = np.where(age <= 10, nearest_primary, nearest_secondary)
        to_special = has_plan & (people["special_choice"].to_numpy() < pd.Series(plan_need).map(special_need_share).fillna(0.08).to_numpy())
        school = np.where(to_special, nearest_special, school)
        behaviour = people["behaviour"].to_numpy()
        in_ap = pupil & (age >= 11) & ~to_special & (permanently_excluded | (behaviour > np.quantile(behaviour, 0.9975)))
        school = np.where(in_ap, nearest_ap, school)

        support = pupil & ~has_plan & (people["support_latent"].to_numpy() < (0.115 + 0.004 * (year - settings.first_year)) * deprivation)
        sen = np.where(has_plan, "ehcp", np.where(support, "sen_support", "none"))
        need = np.where(has_plan, plan_need, np.where(support, sen_support_need(people["need_latent"].to_numpy()), "NONE"))
        idx = np.flatnonzero(pupil)
        census = pd.DataFrame({
            "pupil_id": people["pupil_id"].to_numpy()[idx],
            "academic_year": label,
            "urn": urns[school[idx]],
            "home_area_code": people["home_area_code"].to_numpy()[idx],
            "sen_provision": sen[idx],
            "primary_need": need[idx],
        })
        census_rows.append(census)
        phase = phase_of[school[idx]]

        # EHC plans: everyone with a plan, in school or not.
        holders = np.flatnonzero(has_plan)
        holder_age = age[holders]
        in_school = pupil[holders]
        school_phase = phase_of[school[holders]]
        setting = np.where(
            in_school,
            np.select([school_phase == "special", school_phase == "ap"], ["special", "ap"], "mainstream"),
            np.select([holder_age <= 3, holder_age <= 15, people["sixth_form"].to_numpy()[holders] < 0.75],
                      ["early_years", "other", "further_education"], "other"),
        )
        ehcp_rows.append(pd.DataFrame({
            "pupil_id": people["pupil_id"].to_numpy()[holders],
            "academic_year": label,
            "home_area_code": people["home_area_code"].to_numpy()[holders],
            "age": holder_age,
            "primary_need": plan_need[holders],
            "setting_type": setting,
            "urn": np.where(in_school, urns[school[holders]], None),
        }))

        # Suspensions and permanent exclusions: exact totals per locality, shared out by each pupil's risk.
        phase_risk = pd.Series(phase).map({"primary": 0.18, "secondary": 1.0, "special": 0.6, "ap": 3.0}).to_numpy()
        sen_risk = pd.Series(sen[idx]).map({"ehcp": 2.4, "sen_support": 3.0, "none": 0.8}).to_numpy()
        risk = phase_risk * sen_risk * deprivation[idx] * behaviour[idx]
        locality = people["locality_code"].to_numpy()[idx]
        pupil_locality = np.where(locality == "OOB", "SC", locality)  # outside pupils count with the centre
        new_perm = np.zeros(n, dtype=bool)
        for code in locality_names:
            here = np.flatnonzero(pupil_locality == code)
            suspensions = int(round(SUSPENSIONS_PER_1000[code] / 1000 * 1.15 * SUSPENSION_YEAR_FACTOR[year] * len(here)))
            term_weight = np.array([TERM_SESSIONS[t] * TERM_SUSPENSION_FACTOR.get((year, t), 1.0) for t in TERM_SESSIONS])
            per_term = _largest_remainder(suspensions, term_weight)
            for term, count in zip(TERM_SESSIONS, per_term):
                counts = rng.multinomial(count, risk[here] / risk[here].sum())
                who = np.repeat(here, counts)
                exclusion_rows.append(_exclusion_events(rng, who, idx, people, census, year, label, term, "suspension"))
            # Permanent exclusions: the cumulative count tracks the rate, so six-year totals are exact.
            target = PERMANENT_PER_1000[code] / 1000 / 3.5 * SUSPENSION_YEAR_FACTOR[year] * len(here)
            eligible = here[(phase[here] != "special") & (phase[here] != "ap") & (age[idx[here]] >= 7)]
            race = rng.exponential(size=len(eligible)) / risk[eligible]
            chosen = eligible[np.argsort(race)[: _permanent_quota(permanent_progress, code, target)]]
            new_perm[idx[chosen]] = True
            if len(chosen):
                terms = rng.choice(list(TERM_SESSIONS), len(chosen), p=[0.4, 0.35, 0.25])
                for term in TERM_SESSIONS:
                    exclusion_rows.append(_exclusion_events(rng, chosen[terms == term], idx, people, census, year, label, term, "permanent"))
        permanently_excluded |= new_perm

        # Attendance: each pupil's absence rate from year, phase, SEN, deprivation and their own habit.
        base = ABSENCE_YEAR_BASE[year] * pd.Series(phase).map({"primary": 0.8, "secondary": 1.2, "special": 1.45, "ap": 3.2}).to_numpy()
        base *= pd.Series(sen[idx]).map({"ehcp": 1.35, "sen_support": 1.4, "none": 0.92}).to_numpy()
        base *= (1 + 0.06 * (5.5 - people["imd_decile"].to_numpy()[idx])) * people["absence"].to_numpy()[idx] / 0.96
        for term, sessions in TERM_SESSIONS.items():
            possible = np.where(rng.uniform(size=len(idx)) < 0.04, (sessions * rng.uniform(0.3, 1, len(idx))).astype(int), sessions)
            rate = np.clip(base * rng.lognormal(-0.045, 0.3, len(idx)) * (1.15 if term == "Spring" else 1.0), 0, 0.98)
            missed = rng.binomial(possible, rate)
            unauthorised = rng.binomial(missed, np.clip(0.25 + 0.03 * (5.5 - people["imd_decile"].to_numpy()[idx]) + 0.4 * (rate > 0.1), 0, 0.9))
            attendance_rows.append(census.assign(term=term, sessions_possible=possible, sessions_authorised=missed - unauthorised, sessions_unauthorised=unauthorised))

    areas_out = areas.drop(columns=["x", "y"])
    exclusions = pd.concat(exclusion_rows, ignore_index=True)
    return Borough(
        areas=areas_out,
        schools=schools.drop(columns=["x", "y", "locality_code"]),
        clusters=clusters,
        population=pd.concat(population_rows, ignore_index=True),
        census=pd.concat(census_rows, ignore_index=True),
        exclusions=exclusions,
        attendance=pd.concat(attendance_rows, ignore_index=True),
        ehcp=pd.concat(ehcp_rows, ignore_index=True),
    )


def _permanent_quota(progress: dict[str, tuple[float, int]], code: str, target: float) -> int:
    """Permanent exclusions this year so that the running total stays within half of one of the target."""
    expected, given = progress.get(code, (0.0, 0))
    expected += target
    quota = max(0, int(round(expected)) - given)
    progress[code] = (expected, given + quota)
    return quota


# Main reasons, near England's mix: before 2020/21 DfE's older list (with 'other'), then the revised one.
DEMO_REASONS = {
    ("suspension", False): {"persistent_disruptive": 0.33, "physical_pupil": 0.17, "verbal_adult": 0.14, "other": 0.16,
                            "verbal_pupil": 0.05, "physical_adult": 0.05, "drug_alcohol": 0.02, "damage": 0.02, "bullying": 0.015,
                            "racist": 0.015, "sexual_misconduct": 0.01, "theft": 0.01},
    ("suspension", True): {"persistent_disruptive": 0.48, "physical_pupil": 0.16, "verbal_adult": 0.13, "verbal_pupil": 0.06,
                           "physical_adult": 0.04, "drug_alcohol": 0.025, "damage": 0.02, "weapon": 0.015, "online": 0.015,
                           "bullying": 0.01, "racist": 0.01, "sexual_misconduct": 0.01, "theft": 0.005, "sexual_orientation": 0.005},
    ("permanent", False): {"persistent_disruptive": 0.35, "physical_pupil": 0.16, "physical_adult": 0.11, "drug_alcohol": 0.1,
                           "verbal_adult": 0.09, "other": 0.12, "sexual_misconduct": 0.03, "damage": 0.02, "bullying": 0.01, "theft": 0.01},
    ("permanent", True): {"persistent_disruptive": 0.36, "physical_pupil": 0.17, "physical_adult": 0.12, "drug_alcohol": 0.1,
                          "weapon": 0.09, "verbal_adult": 0.08, "sexual_misconduct": 0.04, "damage": 0.02, "bullying": 0.01, "theft": 0.01},
}


def _exclusion_events(rng, who, idx, people, census, year, label, term, kind) -> pd.DataFrame:
    """One row per exclusion for the pupils in who (positions within this year's census)."""
    start = {"Autumn": (year, 9, 5), "Spring": (year + 1, 1, 6), "Summer": (year + 1, 4, 20)}[term]
    day = pd.Timestamp(*start) + pd.to_timedelta(rng.integers(0, 70, len(who)), unit="D")
    day = day + pd.to_timedelta(np.where(day.day_of_week >= 5, 7 - day.day_of_week, 0), unit="D")  # weekdays only
    sessions = np.minimum(rng.geometric(0.45, len(who)) * 2 - rng.integers(0, 2, len(who)), 30) if kind == "suspension" else np.full(len(who), 10)
    # Reasons come from a generator of their own, so adding them left every other demo figure as it was.
    mix = DEMO_REASONS[(kind, year >= 2020)]
    reasons = np.random.default_rng([year, list(TERM_SESSIONS).index(term), kind == "permanent"]).choice(
        list(mix), len(who), p=np.array(list(mix.values())) / sum(mix.values()))
    rows = census.iloc[who].assign(term=term, exclusion_type=kind, start_date=day.strftime("%Y-%m-%d"), reason=reasons, sessions_lost=sessions)
    # Two suspensions of one pupil on the same day would be one exclusion: keep the first.
    return rows.drop_duplicates(["pupil_id", "urn", "exclusion_type", "start_date"])


# ---------------------------------------------------------------------------------------------

def write_extracts(borough: Borough, out: Path) -> None:
    """Write the borough as the templates an LA would supply, plus its boundaries."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.csv"):
        stale.unlink()
    pd.DataFrame(list(LOCALITIES.items()), columns=["locality_code", "locality_name"]).to_csv(out / "localities.csv", index=False)
    borough.clusters.to_csv(out / "clusters.csv", index=False)
    borough.areas[["area_code", "area_name", "ward_code", "ward_name", "locality_code", "imd_decile", "idaci_decile"]].to_csv(out / "areas.csv", index=False)
    borough.schools[["urn", "school_name", "phase", "school_type", "cluster_code", "area_code", "latitude", "longitude", "open_date", "close_date"]].to_csv(out / "schools.csv", index=False)
    borough.population.to_csv(out / "population.csv", index=False)
    borough.census.to_csv(out / "census_pupil.csv", index=False)
    borough.exclusions[["pupil_id", "academic_year", "term", "urn", "home_area_code", "sen_provision", "primary_need", "exclusion_type", "start_date", "reason", "sessions_lost"]].to_csv(out / "exclusions_pupil.csv", index=False)
    borough.attendance[["pupil_id", "academic_year", "term", "urn", "home_area_code", "sen_provision", "primary_need", "sessions_possible", "sessions_authorised", "sessions_unauthorised"]].to_csv(out / "attendance_pupil.csv", index=False)
    borough.ehcp.to_csv(out / "ehcp_pupil.csv", index=False)
    pd.DataFrame(DEMO_EVENTS, columns=["date", "label"]).to_csv(out / "events.csv", index=False)
    years = sorted(borough.census["academic_year"].unique())
    pd.DataFrame(
        [("E92000001", "England (illustrative)", "England", measure, year, value, None, None, "Synthetic demo: illustrative values, not official figures")
         for measure, values in DEMO_BENCHMARK.items() for year, value in zip(years, values)],
        columns=["geography_code", "geography_name", "geography_level", "measure", "academic_year", "value", "numerator", "denominator", "source"],
    ).to_csv(out / "benchmarks.csv", index=False)
    frame = gpd.GeoDataFrame({"code": borough.areas["area_code"], "name": borough.areas["area_name"]}, geometry=borough.areas.geometry, crs=WGS84)
    (out / "boundaries.geojson").write_text(json.dumps(to_feature_collection(frame)))


def build_demo(out: Path, db_path: Path, settings: DemoSettings = DemoSettings(), boundaries: Path | None = None, code_field: str | None = None) -> None:
    """Generate the borough, write its extracts to out and load them into db_path with the real ingest."""
    real = read_boundaries(boundaries, code_field) if boundaries else None
    borough = generate(settings, real)
    write_extracts(borough, out)
    load(out, db_path, boundaries=out / "boundaries.geojson", code_field="code", data_kind="synthetic",
         description="Synthetic demo borough shaped like Walsall" + (f" on the boundaries in {Path(boundaries).name}" if boundaries else ""))


def main(argv: list[str] | None = None) -> int:
    """Command line: build the demo warehouse."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DemoSettings.seed, help="random seed; the same seed gives the same borough")
    parser.add_argument("--out", type=Path, default=absolute_path("data/demo"), help="folder for the generated extracts (default data/demo)")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: $INCLUSION_DB or data/warehouse.duckdb)")
    parser.add_argument("--boundaries", type=Path, help="put the synthetic data onto these real boundaries instead")
    parser.add_argument("--code-field", help="field of --boundaries holding the area code, e.g. LSOA21CD")
    parser.add_argument("--if-missing", action="store_true", help="do nothing if the warehouse already exists")
    args = parser.parse_args(argv)
    db_path = args.db or Config().warehouse_path
    if args.if_missing and db_path.exists():
        print(f"Warehouse {db_path} exists; keeping it.")
        return 0
    if args.boundaries and not args.code_field:
        parser.error("--boundaries needs --code-field (for example LSOA21CD)")
    print(f"Building the synthetic demo borough into {db_path} (takes about a minute)...", flush=True)
    try:
        build_demo(args.out, db_path, DemoSettings(seed=args.seed), args.boundaries, args.code_field)
    except IngestError as exc:  # the generator's own output failing validation is a bug worth reporting plainly
        print(f"The demo extracts did not validate:\n{exc}", file=sys.stderr)
        return 1
    print(f"Built the synthetic demo borough in {db_path} (extracts in {args.out}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
