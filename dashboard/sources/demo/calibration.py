"""What the demo borough is calibrated to: Walsall's published figures, and the generator's settings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Locality:
    """A locality of the demo: its code and name, the Walsall locality whose published figures it follows (profile),
    and where it lies (anchor: east and north as shares of the half-width, from the centre)."""

    code: str
    name: str
    profile: str
    anchor: tuple[float, float]


# Walsall's four localities: the borough the demo is calibrated to.
BOROUGH_LOCALITIES = (
    Locality("N", "North", "N", (0, 0.6)),
    Locality("E", "East", "E", (0.6, 0)),
    Locality("SC", "South & Central", "SC", (0, -0.25)),  # the centre, drawn south
    Locality("W", "West", "W", (-0.6, 0)),
)
# A county's eight: each follows one of Walsall's, so the county has deprived and affluent districts of its own.
COUNTY_LOCALITIES = (
    Locality("N", "North", "N", (0, 0.7)),
    Locality("NE", "North East", "E", (0.5, 0.5)),
    Locality("E", "East", "E", (0.7, 0)),
    Locality("SE", "South East", "W", (0.5, -0.5)),
    Locality("S", "South", "SC", (0, -0.7)),
    Locality("SW", "South West", "N", (-0.5, -0.5)),
    Locality("W", "West", "W", (-0.7, 0)),
    Locality("C", "Central", "SC", (0, 0)),
)
LOCALITIES = {locality.code: locality.name for locality in BOROUGH_LOCALITIES}
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
CASELOAD = {
    2019: 2_106,
    2020: sum(PLANS_2021.values()) + PLANS_2021_OOB,
    2021: 2_856,
    2022: 3_416,
    2023: 4_508,
    2024: 4_743,
}
# Walsall's need mix in January 2025 (DfE SEN2), which the mix drifts towards.
NEEDS_2025 = {
    "ASD": 877,
    "HI": 59,
    "MLD": 566,
    "MSI": 11,
    "OTH": 128,
    "PD": 199,
    "PMLD": 48,
    "SEMH": 1098,
    "SLCN": 1186,
    "SLD": 245,
    "SPLD": 237,
    "VI": 80,
}
NEED_ORDER = ("ASD", "SLCN", "MLD", "SLD", "SEMH", "SPLD", "PD", "OTH", "VI", "HI", "PMLD", "MSI")
# Share of plans by age band (Walsall, January 2025).
PLAN_AGE_SHARE = {"0-4": 0.062, "5-10": 0.328, "11-15": 0.334, "16-19": 0.188, "20-25": 0.088}
# Permanent and fixed-term exclusions per 1,000, 2017-2021 (the ranking must survive).
PERMANENT_PER_1000 = {"N": 4.3, "W": 3.4, "SC": 2.3, "E": 2.2}
SUSPENSIONS_PER_1000 = {"N": 97.6, "E": 54.8, "SC": 43.5, "W": 33.4}
# Need mix of SEN support (England, roughly), used as fixed bands of a pupil's need latent.
SEN_SUPPORT_MIX = {
    "SLCN": 0.24,
    "SEMH": 0.20,
    "MLD": 0.18,
    "SPLD": 0.13,
    "ASD": 0.08,
    "NSA": 0.05,
    "OTH": 0.04,
    "PD": 0.03,
    "HI": 0.02,
    "VI": 0.01,
    "SLD": 0.01,
    "MSI": 0.005,
    "PMLD": 0.005,
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
# The demo board's targets, as (measure, years after the latest year of data, level, place, target, direction): the
# year after the data and one two years before their end, so the Overview, the locality table and Trends show a
# target still to come and one whose year has passed. Chosen against the seed-1 borough's figures so several statuses
# appear: suspensions off track for the borough (2024/25: 8.74 to 9.30 against 8.50) and North, on track for West;
# persistent absence on track (19.2 to 19.9 against 20.0); the 2022/23 suspension target too close to call (7.49 to
# 8.00 against 7.50) and its persistent absence target met (21.6 to 22.4 against 22.5).
DEMO_TARGETS = (
    ("suspension_rate", 1, "borough", "", 8.5, "at most"),
    ("suspension_rate", -2, "borough", "", 7.5, "at most"),
    ("persistent_absence", 1, "borough", "", 20.0, "at most"),
    ("persistent_absence", -2, "borough", "", 22.5, "at most"),
    ("suspension_rate", 1, "locality", "N", 14.0, "at most"),
    ("suspension_rate", 1, "locality", "W", 6.0, "at most"),
)
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
    scale: float = 1.0  # each locality's children and plans as a share of its Walsall profile's
    centre_lat: float = 52.59
    centre_lon: float = -1.97
    localities: tuple[Locality, ...] = field(default=BOROUGH_LOCALITIES)
    extent_km: float = 6.0  # the made-up outline's mean radius

    def profile(self, code: str) -> str:
        """The Walsall locality whose figures a locality follows ('all' for pupils from outside)."""
        return next((loc.profile for loc in self.localities if loc.code == code), "all")

    @property
    def centre(self) -> str:
        """The locality that pupils from outside count with: the first following Walsall's South & Central."""
        return next((loc.code for loc in self.localities if loc.profile == "SC"), self.localities[0].code)


# Sizes the generator can make (python -m dashboard.demo --scale ...). A county like Kent, Essex or Hampshire: about
# 1,000 small areas, 600 schools in 64 clusters, 8 localities and 250,000 pupils a year. A region on the West
# Midlands' 1,719 small areas (--boundaries), with as many children per area as the borough.
SCALES: dict[str, dict] = {
    "borough": {},
    "county": {
        "areas": 1000,
        "wards": 120,
        "primary_schools": 480,
        "secondary_schools": 75,
        "special_schools": 30,
        "ap_schools": 15,
        "clusters_per_locality": 8,
        "scale": 2.9,
        "localities": COUNTY_LOCALITIES,
        "extent_km": 25.0,
    },
    "region": {
        "wards": 200,
        "primary_schools": 820,
        "secondary_schools": 130,
        "special_schools": 50,
        "ap_schools": 24,
        "clusters_per_locality": 12,
        "scale": 5.3,
        "localities": COUNTY_LOCALITIES,
    },
}
REGION_BOUNDARIES = ("boundaries/lsoa2021_wm7.geojson", "LSOA21CD")


# Main reasons, near England's mix: before 2020/21 DfE's older list (with 'other'), then the revised one.
DEMO_REASONS = {
    ("suspension", False): {
        "persistent_disruptive": 0.33,
        "physical_pupil": 0.17,
        "verbal_adult": 0.14,
        "other": 0.16,
        "verbal_pupil": 0.05,
        "physical_adult": 0.05,
        "drug_alcohol": 0.02,
        "damage": 0.02,
        "bullying": 0.015,
        "racist": 0.015,
        "sexual_misconduct": 0.01,
        "theft": 0.01,
    },
    ("suspension", True): {
        "persistent_disruptive": 0.48,
        "physical_pupil": 0.16,
        "verbal_adult": 0.13,
        "verbal_pupil": 0.06,
        "physical_adult": 0.04,
        "drug_alcohol": 0.025,
        "damage": 0.02,
        "weapon": 0.015,
        "online": 0.015,
        "bullying": 0.01,
        "racist": 0.01,
        "sexual_misconduct": 0.01,
        "theft": 0.005,
        "sexual_orientation": 0.005,
    },
    ("permanent", False): {
        "persistent_disruptive": 0.35,
        "physical_pupil": 0.16,
        "physical_adult": 0.11,
        "drug_alcohol": 0.1,
        "verbal_adult": 0.09,
        "other": 0.12,
        "sexual_misconduct": 0.03,
        "damage": 0.02,
        "bullying": 0.01,
        "theft": 0.01,
    },
    ("permanent", True): {
        "persistent_disruptive": 0.36,
        "physical_pupil": 0.17,
        "physical_adult": 0.12,
        "drug_alcohol": 0.1,
        "weapon": 0.09,
        "verbal_adult": 0.08,
        "sexual_misconduct": 0.04,
        "damage": 0.02,
        "bullying": 0.01,
        "theft": 0.01,
    },
}
