"""The demo borough's children year by year: home, school, plan, exclusions and absence."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.domain.reference import academic_year_label, age_band
from dashboard.sources.demo.calibration import (
    ABSENCE_YEAR_BASE,
    CALIBRATION_YEAR,
    CASELOAD,
    DEMO_REASONS,
    NEED_ORDER,
    NEEDS_2021,
    NEEDS_2025,
    PERMANENT_PER_1000,
    PLAN_AGE_SHARE,
    PLANS_2021,
    PLANS_2021_OOB,
    POPULATION_0_25,
    SEN_SUPPORT_MIX,
    SUSPENSION_YEAR_FACTOR,
    SUSPENSIONS_PER_1000,
    TERM_SESSIONS,
    TERM_SUSPENSION_FACTOR,
    DemoSettings,
)
from dashboard.sources.demo.geography import build_geography, build_schools


def build_people(rng: np.random.Generator, settings: DemoSettings, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per child or young person: home area, birth year, and the traits that drive their records."""
    last_year = settings.first_year + settings.years - 1
    births = np.arange(settings.first_year - 25, last_year + 1)
    weight = rng.lognormal(0, 0.15, len(areas))
    area_totals = np.zeros(len(areas), dtype=int)
    for locality in settings.localities:
        here = np.flatnonzero(areas["locality_code"].to_numpy() == locality.code)
        total = POPULATION_0_25[locality.profile]
        area_totals[here] = _largest_remainder(round(total * settings.scale), weight[here])
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
    outside = _with_traits(
        pd.DataFrame({"area_index": -1, "birth_year": rng.choice(births, round(2_400 * settings.scale))}), rng
    )
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


def plan_targets(year: int, settings: DemoSettings | None = None) -> dict[str, int]:
    """Plans per locality (and OOB) in a year: 2020/21 as published, other years Walsall's growth, each locality as
    its Walsall profile's, times the settings' scale."""
    settings = settings or DemoSettings()
    walsall = {**PLANS_2021, "OOB": PLANS_2021_OOB}
    base = {loc.code: PLANS_2021[loc.profile] for loc in settings.localities} | {"OOB": PLANS_2021_OOB}
    if year == CALIBRATION_YEAR and settings.scale == 1.0 and base == walsall:
        return base
    total = CASELOAD[year] if year != CALIBRATION_YEAR else sum(walsall.values())
    size = settings.scale * sum(base.values()) / sum(walsall.values())  # 1 for Walsall itself
    parts = _largest_remainder(round(total * size), np.array(list(base.values()), dtype=float))
    return dict(zip(base, parts.tolist()))


# Each whole age 0-25 to its SEN2 band, and '' after them: a county's people are banded by the million each year,
# and banding them an age at a time cost about 8 s of its two-minute load.
BAND_OF_AGE = np.array([age_band(a) for a in range(26)] + [""], dtype=object)


def age_bands(age: np.ndarray) -> np.ndarray:
    """Each age's SEN2 band ('0-4', ...), '' for an age outside 0-25."""
    age = np.asarray(age)
    return BAND_OF_AGE[np.where((age >= 0) & (age <= 25), age, 26).astype(int)]


def assign_plans(
    people: pd.DataFrame, year: int, deprivation_weight: np.ndarray, settings: DemoSettings | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Which people hold a plan this year, and their primary need: exact counts per locality and age band."""
    age = year - people["birth_year"].to_numpy()
    has_plan = np.zeros(len(people), dtype=bool)
    need = np.full(len(people), "", dtype=object)
    band = age_bands(age)
    # A weighted race: the smallest latent / weight win, so deprived areas hold more plans and the
    # same people keep their plans from year to year.
    score = people["sen_latent"].to_numpy() / deprivation_weight
    locality = people["locality_code"].to_numpy()
    settings = settings or DemoSettings()
    for code, total in plan_targets(year, settings).items():
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
        mix = need_mix(settings.profile(code), year)
        counts = _largest_remainder(len(holders), np.array([mix[k] for k in NEED_ORDER]))
        ordered = holders[np.argsort(people["need_latent"].to_numpy()[holders])]
        need[ordered] = np.repeat(NEED_ORDER, counts)
    return has_plan, need


def sen_support_need(latent: np.ndarray) -> np.ndarray:
    """Primary need of a pupil on SEN support, from fixed bands of the need latent."""
    codes = list(SEN_SUPPORT_MIX)
    cut = np.cumsum(list(SEN_SUPPORT_MIX.values()))
    return np.array(codes)[np.minimum(np.searchsorted(cut / cut[-1], latent, side="right"), len(codes) - 1)]


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
    """The k nearest targets of each point, nearest first. People share their area's point, so each distinct point is
    ranked once: a county's half a million people against its schools would not fit in memory as one matrix."""
    # Distinct points found by hashing each as one complex number (exactly its two coordinates), not by sorting rows:
    # np.unique(axis=0) took a region's generation 3 s over its four phases, and England's a tenth of its time.
    back, distinct = pd.factorize(points[:, 0] + 1j * points[:, 1])
    unique = np.column_stack([distinct.real, distinct.imag])
    nearest = np.empty((len(unique), k), dtype=int)
    for start in range(0, len(unique), 20_000):
        distance = ((unique[start : start + 20_000, None, :] - targets[None]) ** 2).sum(-1)
        nearest[start : start + 20_000] = np.argsort(distance, axis=1)[:, :k]
    return nearest[back]


@dataclass
class Pupils:
    """Who is at which school in one academic year, with their SEN provision and need."""

    pupil: np.ndarray  # per person: at school this year
    school: np.ndarray  # per person: position of their school in the schools table
    sen: np.ndarray  # per person
    idx: np.ndarray  # positions of the pupils among people
    census: pd.DataFrame  # one row per pupil, as census_pupil.csv
    phase: np.ndarray  # per pupil: their school's phase


# Share of plan holders with each need who go to a special school (others 8%).
SPECIAL_NEED_SHARE = {"SLD": 0.85, "PMLD": 0.95, "ASD": 0.45, "SEMH": 0.35, "MLD": 0.3, "PD": 0.3, "MSI": 0.5}


def generate(settings: DemoSettings | None = None, boundaries: gpd.GeoDataFrame | None = None) -> Borough:
    """Build the synthetic borough deterministically from settings.seed."""
    settings = settings or DemoSettings()
    rng = np.random.default_rng(settings.seed)
    areas = build_geography(rng, settings, boundaries)
    schools, clusters = build_schools(rng, settings, areas)
    people = build_people(rng, settings, areas)
    nearest = nearest_schools(rng, people, areas, schools)
    deprivation = 1 + 0.09 * (5.5 - people["imd_decile"].to_numpy())  # decile 1: 1.4, decile 10: 0.6

    rows: dict[str, list[pd.DataFrame]] = {
        name: [] for name in ("population", "census", "exclusions", "attendance", "ehcp")
    }
    permanently_excluded = np.zeros(len(people), dtype=bool)
    permanent_progress: dict[str, tuple[float, int]] = {}
    for year in range(settings.first_year, settings.first_year + settings.years):
        label = academic_year_label(year)
        age = year - people["birth_year"].to_numpy()
        rows["population"].append(residents(people, label, age))
        has_plan, plan_need = assign_plans(people, year, deprivation, settings)
        pupils = schooling(
            people, schools, nearest, settings, year, age, has_plan, plan_need, deprivation, permanently_excluded
        )
        rows["census"].append(pupils.census)
        rows["ehcp"].append(plan_holders(people, schools, pupils, label, age, has_plan, plan_need))
        events, new_perm = exclusions(rng, people, pupils, deprivation, year, age, permanent_progress, settings)
        rows["exclusions"] += events
        permanently_excluded |= new_perm
        rows["attendance"] += attendance(rng, people, pupils, year)

    return Borough(
        areas=areas.drop(columns=["x", "y"]),
        schools=schools.drop(columns=["x", "y", "locality_code"]),
        clusters=clusters,
        **{name: pd.concat(frames, ignore_index=True) for name, frames in rows.items()},
    )


def nearest_schools(
    rng: np.random.Generator, people: pd.DataFrame, areas: gpd.GeoDataFrame, schools: pd.DataFrame
) -> dict[str, np.ndarray]:
    """Each person's school of each phase: most go to the nearest, some to the second or third nearest."""
    n = len(people)
    area_xy = areas[["x", "y"]].to_numpy()
    # People living outside the borough get a random point in it, near which they go to school.
    home_xy = np.where(
        people["area_index"].to_numpy()[:, None] >= 0,
        area_xy[people["area_index"].clip(lower=0)],
        rng.uniform(-1, 1, (n, 2)),
    )
    by_phase = {p: schools.index[schools["phase"] == p].to_numpy() for p in ("primary", "secondary", "special", "ap")}
    school_xy = schools[["x", "y"]].to_numpy(float)
    choice = people["school_choice"].to_numpy()
    pick = np.where(choice < 0.62, 0, np.where(choice < 0.87, 1, 2))
    return {
        "primary": by_phase["primary"][_nearest(home_xy, school_xy[by_phase["primary"]], 3)[np.arange(n), pick]],
        "secondary": by_phase["secondary"][_nearest(home_xy, school_xy[by_phase["secondary"]], 3)[np.arange(n), pick]],
        "special": by_phase["special"][_nearest(home_xy, school_xy[by_phase["special"]], 2)[np.arange(n), pick % 2]],
        "ap": by_phase["ap"][_nearest(home_xy, school_xy[by_phase["ap"]], 1)[:, 0]],
    }


def residents(people: pd.DataFrame, label: str, age: np.ndarray) -> pd.DataFrame:
    """Residents aged 0-25 by small area and age band, as population.csv."""
    resident = people["area_index"].to_numpy() >= 0
    in_range = (age >= 0) & (age <= 25)
    bands = pd.Series(age_bands(age))
    counted = resident & in_range
    return (
        pd.DataFrame(
            {
                "academic_year": label,
                "area_code": people.loc[counted, "home_area_code"].to_numpy(),
                "age_band": bands[counted].to_numpy(),
            }
        )
        .value_counts()
        .rename("population")
        .reset_index()
    )


def schooling(
    people: pd.DataFrame,
    schools: pd.DataFrame,
    nearest: dict[str, np.ndarray],
    settings: DemoSettings,
    year: int,
    age: np.ndarray,
    has_plan: np.ndarray,
    plan_need: np.ndarray,
    deprivation: np.ndarray,
    permanently_excluded: np.ndarray,
) -> Pupils:
    """Who is at school, and where: Reception to Year 11, some stay on for the sixth form."""
    resident = people["area_index"].to_numpy() >= 0
    school_age = (age >= 4) & (age <= 15)
    sixth = ((age == 16) | (age == 17)) & (people["sixth_form"].to_numpy() < np.where(has_plan, 0.55, 0.42))
    pupil = (school_age | sixth) & (resident | (age <= 15))
    school = np.where(age <= 10, nearest["primary"], nearest["secondary"])
    to_special = has_plan & (
        people["special_choice"].to_numpy() < pd.Series(plan_need).map(SPECIAL_NEED_SHARE).fillna(0.08).to_numpy()
    )
    school = np.where(to_special, nearest["special"], school)
    behaviour = people["behaviour"].to_numpy()
    in_ap = pupil & (age >= 11) & ~to_special & (permanently_excluded | (behaviour > np.quantile(behaviour, 0.9975)))
    school = np.where(in_ap, nearest["ap"], school)

    support = (
        pupil
        & ~has_plan
        & (people["support_latent"].to_numpy() < (0.115 + 0.004 * (year - settings.first_year)) * deprivation)
    )
    sen = np.where(has_plan, "ehcp", np.where(support, "sen_support", "none"))
    need = np.where(has_plan, plan_need, np.where(support, sen_support_need(people["need_latent"].to_numpy()), "NONE"))
    idx = np.flatnonzero(pupil)
    census = pd.DataFrame(
        {
            "pupil_id": people["pupil_id"].to_numpy()[idx],
            "academic_year": academic_year_label(year),
            "urn": schools["urn"].to_numpy()[school[idx]],
            "home_area_code": people["home_area_code"].to_numpy()[idx],
            "sen_provision": sen[idx],
            "primary_need": need[idx],
        }
    )
    return Pupils(pupil, school, sen, idx, census, schools["phase"].to_numpy()[school[idx]])


def plan_holders(
    people: pd.DataFrame,
    schools: pd.DataFrame,
    pupils: Pupils,
    label: str,
    age: np.ndarray,
    has_plan: np.ndarray,
    plan_need: np.ndarray,
) -> pd.DataFrame:
    """EHC plans: everyone with a plan, in school or not, with their setting, as ehcp_pupil.csv."""
    holders = np.flatnonzero(has_plan)
    holder_age = age[holders]
    in_school = pupils.pupil[holders]
    school_phase = schools["phase"].to_numpy()[pupils.school[holders]]
    setting = np.where(
        in_school,
        np.select([school_phase == "special", school_phase == "ap"], ["special", "ap"], "mainstream"),
        np.select(
            [holder_age <= 3, holder_age <= 15, people["sixth_form"].to_numpy()[holders] < 0.75],
            ["early_years", "other", "further_education"],
            "other",
        ),
    )
    return pd.DataFrame(
        {
            "pupil_id": people["pupil_id"].to_numpy()[holders],
            "academic_year": label,
            "home_area_code": people["home_area_code"].to_numpy()[holders],
            "age": holder_age,
            "primary_need": plan_need[holders],
            "setting_type": setting,
            "urn": np.where(in_school, schools["urn"].to_numpy()[pupils.school[holders]], None),
        }
    )


def exclusions(
    rng: np.random.Generator,
    people: pd.DataFrame,
    pupils: Pupils,
    deprivation: np.ndarray,
    year: int,
    age: np.ndarray,
    permanent_progress: dict[str, tuple[float, int]],
    settings: DemoSettings | None = None,
) -> tuple[list[pd.DataFrame], np.ndarray]:
    """Suspensions and permanent exclusions: exact totals per locality, shared out by each pupil's risk.

    Returns the exclusion rows and who was permanently excluded this year.
    """
    label, idx, phase, census = academic_year_label(year), pupils.idx, pupils.phase, pupils.census
    phase_risk = pd.Series(phase).map({"primary": 0.18, "secondary": 1.0, "special": 0.6, "ap": 3.0}).to_numpy()
    sen_risk = pd.Series(pupils.sen[idx]).map({"ehcp": 2.4, "sen_support": 3.0, "none": 0.8}).to_numpy()
    risk = phase_risk * sen_risk * deprivation[idx] * people["behaviour"].to_numpy()[idx]
    settings = settings or DemoSettings()
    locality = people["locality_code"].to_numpy()[idx]
    pupil_locality = np.where(locality == "OOB", settings.centre, locality)  # outside pupils count with the centre
    rows = []
    new_perm = np.zeros(len(people), dtype=bool)
    for code, profile in ((loc.code, loc.profile) for loc in settings.localities):
        here = np.flatnonzero(pupil_locality == code)
        rate = SUSPENSIONS_PER_1000[profile]
        suspensions = int(round(rate / 1000 * 1.15 * SUSPENSION_YEAR_FACTOR[year] * len(here)))
        term_weight = np.array([TERM_SESSIONS[t] * TERM_SUSPENSION_FACTOR.get((year, t), 1.0) for t in TERM_SESSIONS])
        per_term = _largest_remainder(suspensions, term_weight)
        for term, count in zip(TERM_SESSIONS, per_term):
            counts = rng.multinomial(count, risk[here] / risk[here].sum())
            who = np.repeat(here, counts)
            rows.append(_exclusion_events(rng, who, idx, people, census, year, label, term, "suspension"))
        # Permanent exclusions: the cumulative count tracks the rate, so six-year totals are exact.
        target = PERMANENT_PER_1000[profile] / 1000 / 3.5 * SUSPENSION_YEAR_FACTOR[year] * len(here)
        eligible = here[(phase[here] != "special") & (phase[here] != "ap") & (age[idx[here]] >= 7)]
        race = rng.exponential(size=len(eligible)) / risk[eligible]
        chosen = eligible[np.argsort(race)[: _permanent_quota(permanent_progress, code, target)]]
        new_perm[idx[chosen]] = True
        if len(chosen):
            terms = rng.choice(list(TERM_SESSIONS), len(chosen), p=[0.4, 0.35, 0.25])
            for term in TERM_SESSIONS:
                rows.append(
                    _exclusion_events(rng, chosen[terms == term], idx, people, census, year, label, term, "permanent")
                )
    return rows, new_perm


def attendance(rng: np.random.Generator, people: pd.DataFrame, pupils: Pupils, year: int) -> list[pd.DataFrame]:
    """Each pupil's sessions by term, their absence rate from year, phase, SEN, deprivation and their own habit."""
    idx = pupils.idx
    base = (
        ABSENCE_YEAR_BASE[year]
        * pd.Series(pupils.phase).map({"primary": 0.8, "secondary": 1.2, "special": 1.45, "ap": 3.2}).to_numpy()
    )
    base *= pd.Series(pupils.sen[idx]).map({"ehcp": 1.35, "sen_support": 1.4, "none": 0.92}).to_numpy()
    base *= (1 + 0.06 * (5.5 - people["imd_decile"].to_numpy()[idx])) * people["absence"].to_numpy()[idx] / 0.96
    rows = []
    for term, sessions in TERM_SESSIONS.items():
        possible = np.where(
            rng.uniform(size=len(idx)) < 0.04, (sessions * rng.uniform(0.3, 1, len(idx))).astype(int), sessions
        )
        rate = np.clip(base * rng.lognormal(-0.045, 0.3, len(idx)) * (1.15 if term == "Spring" else 1.0), 0, 0.98)
        missed = rng.binomial(possible, rate)
        unauthorised = rng.binomial(
            missed, np.clip(0.25 + 0.03 * (5.5 - people["imd_decile"].to_numpy()[idx]) + 0.4 * (rate > 0.1), 0, 0.9)
        )
        rows.append(
            pupils.census.assign(
                term=term,
                sessions_possible=possible,
                sessions_authorised=missed - unauthorised,
                sessions_unauthorised=unauthorised,
            )
        )
    return rows


def _permanent_quota(progress: dict[str, tuple[float, int]], code: str, target: float) -> int:
    """Permanent exclusions this year so that the running total stays within half of one of the target."""
    expected, given = progress.get(code, (0.0, 0))
    expected += target
    quota = max(0, int(round(expected)) - given)
    progress[code] = (expected, given + quota)
    return quota


def _exclusion_events(rng, who, idx, people, census, year, label, term, kind) -> pd.DataFrame:
    """One row per exclusion for the pupils in who (positions within this year's census)."""
    start = {"Autumn": (year, 9, 5), "Spring": (year + 1, 1, 6), "Summer": (year + 1, 4, 20)}[term]
    day = pd.Timestamp(*start) + pd.to_timedelta(rng.integers(0, 70, len(who)), unit="D")
    day = day + pd.to_timedelta(np.where(day.day_of_week >= 5, 7 - day.day_of_week, 0), unit="D")  # weekdays only
    sessions = (
        np.minimum(rng.geometric(0.45, len(who)) * 2 - rng.integers(0, 2, len(who)), 30)
        if kind == "suspension"
        else np.full(len(who), 10)
    )
    # Reasons come from a generator of their own, so adding them left every other demo figure as it was.
    mix = DEMO_REASONS[(kind, year >= 2020)]
    reasons = np.random.default_rng([year, list(TERM_SESSIONS).index(term), kind == "permanent"]).choice(
        list(mix), len(who), p=np.array(list(mix.values())) / sum(mix.values())
    )
    rows = census.iloc[who].assign(
        term=term, exclusion_type=kind, start_date=day.strftime("%Y-%m-%d"), reason=reasons, sessions_lost=sessions
    )
    # Two suspensions of one pupil on the same day would be one exclusion: keep the first.
    return rows.drop_duplicates(["pupil_id", "urn", "exclusion_type", "start_date"])
