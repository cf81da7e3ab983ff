"""DfE's public figures as the dashboard's dataset templates: school-level exclusions, the EHC plan caseload,
LA absence by term, and LAIT benchmarks for absence and suspensions.

Public files give no home area, and LA files no school: those breakdowns are left out of the templates,
so the dashboard shows these figures for the borough and by school, and says where it cannot go further."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.domain.reference import FULL_YEAR, age_band
from dashboard.sources.public.ees import PublicFileError, academic_year, ees_numbers, la_region, read_ees

EXCLUSION_COLUMNS = {  # our exclusion type: (exclusions, pupils excluded) in EES's older geographic-level files
    "suspension": ("fixed_excl", "one_plus_fixed"),
    "permanent": ("perm_excl", None),  # DfE does not publish pupils permanently excluded
}


def _la_rows(ees, la_code: str, level: str) -> pd.DataFrame:
    ons, _, _ = la_region(ees, la_code)
    frame = ees.frame
    return frame[(frame["geographic_level"] == level) & (frame["new_la_code"] == ons)]


def _count_cells(cells: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Whole-number counts and their symbols. Fractions (a pupil shared between schools) are rounded."""
    numbers, symbols = ees_numbers(cells)
    return numbers.round().to_numpy(), symbols


def school_exclusions(
    path: Path, la_code: str, laestab_to_urn: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(census, exclusions, unmatched) templates from an EES exclusions file with School and Local authority rows.

    Each school row is matched to a URN by its LAESTAB. What the school rows leave out of the LA's total
    (schools given as a symbol, or no longer open) goes in a row with a blank URN, so the borough's figures
    are DfE's own. unmatched lists the LAESTABs with no open school, counted in that row.
    """
    ees = read_ees(path)
    ees.require(
        ["time_period", "geographic_level", "school_type", "laestab", "headcount"]
        + [c for pair in EXCLUSION_COLUMNS.values() for c in pair if c]
    )
    schools = _la_rows(ees, la_code, "School")
    totals = _la_rows(ees, la_code, "Local authority")
    totals = totals[totals["school_type"] == "Total"]
    if schools.empty or totals.empty:
        raise PublicFileError(f"{Path(path).name}: needs School and Local authority rows for LA {la_code}")
    # Current files give each school's URN; it counts where it is an open school, and LAESTAB matches the rest
    # (older files have LAESTAB only).
    open_urns = set(laestab_to_urn.values())
    by_laestab = schools["laestab"].map(laestab_to_urn)
    urn = (
        schools["school_urn"].where(schools["school_urn"].isin(open_urns), by_laestab)
        if "school_urn" in schools
        else by_laestab
    )
    schools = schools.assign(urn=urn, academic_year=schools["time_period"].map(academic_year))
    totals = totals.assign(academic_year=totals["time_period"].map(academic_year)).set_index("academic_year")
    matched = schools[schools["urn"].notna()]
    unmatched = schools.loc[schools["urn"].isna(), ["academic_year", "laestab", "school_type"]].reset_index(drop=True)

    census = [_with_rest(matched, totals, {"pupils": "headcount"})]
    exclusions = []
    for kind, (count, pupils) in EXCLUSION_COLUMNS.items():
        columns = {"exclusions": count} | ({"pupils_excluded": pupils} if pupils else {})
        frame = _with_rest(matched, totals, columns).assign(exclusion_type=kind)
        if not pupils:
            frame["pupils_excluded"] = "x"
        frame["sessions_lost"] = "x"  # not in these files
        exclusions.append(frame)
    census_frame = pd.concat(census, ignore_index=True)[["academic_year", "urn", "pupils"]]
    exclusions_frame = pd.concat(exclusions, ignore_index=True)[
        ["academic_year", "urn", "exclusion_type", "exclusions", "pupils_excluded", "sessions_lost"]
    ]
    return census_frame, exclusions_frame, unmatched


def _with_rest(schools: pd.DataFrame, totals: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """School rows plus, per year, a blank-URN row holding the LA total less the schools' published counts."""
    frame = pd.DataFrame({"academic_year": schools["academic_year"].to_numpy(), "urn": schools["urn"].to_numpy()})
    rest = pd.DataFrame({"academic_year": totals.index.to_numpy(), "urn": ""})
    for ours, theirs in columns.items():
        counts, symbols = _count_cells(schools[theirs])
        frame[ours] = pd.Series(counts, dtype=object).where(symbols.isna().to_numpy(), symbols.to_numpy())
        published = pd.Series(np.nan_to_num(counts), index=schools.index).groupby(schools["academic_year"]).sum()
        la_counts, la_symbols = _count_cells(totals[theirs])
        remainder = la_counts - published.reindex(totals.index).fillna(0).to_numpy()
        rest[ours] = pd.Series(np.maximum(remainder, 0), dtype=object).where(
            la_symbols.isna().to_numpy(), la_symbols.to_numpy()
        )
    return pd.concat([frame, rest], ignore_index=True)


NEED_COLUMNS = {
    "number_asd": "ASD",
    "number_hi": "HI",
    "number_mld": "MLD",
    "number_msi": "MSI",
    "number_oth": "OTH",
    "number_pd": "PD",
    "number_pmld": "PMLD",
    "number_semh": "SEMH",
    "number_slcn": "SLCN",
    "number_sld": "SLD",
    "number_spld": "SPLD",
    "number_vi": "VI",
    "number_need_unknown": "UNK",
}


def _single_age(label: str) -> int | None:
    """'age 7' as 7 and 'under 3' as 0 (in the 0-4 band either way); None for anything else."""
    label = label.strip().lower()
    if label.startswith("under"):
        return 0
    match = re.fullmatch(r"age (\d+)", label)
    return int(match.group(1)) if match else None


def ehcp_caseload(caseload_path: Path, needs_path: Path | None, la_code: str) -> pd.DataFrame:
    """The ehcp template from DfE's EHC plan release: plans per January caseload, by age band and primary need
    where the files give them, and a row with the rest so each year adds up to DfE's total ('All EHC plans')."""
    caseload = read_ees(caseload_path)
    caseload.require(["time_period", "breakdown_topic", "breakdown", "ehcplans"])
    rows = _la_rows(caseload, la_code, "Local authority")
    totals = rows[rows["breakdown_topic"] == "All EHC plans"].set_index("time_period")["ehcplans"]
    if totals.empty:
        raise PublicFileError(f"{Path(caseload_path).name}: no 'All EHC plans' rows for LA {la_code}")
    by_age = rows[rows["breakdown_topic"] == "Child or young persons age"]
    need_rows = pd.DataFrame()
    if needs_path is not None:
        needs = read_ees(needs_path)
        needs.require(["time_period", "breakdown_topic", "breakdown"] + list(NEED_COLUMNS))
        need_rows = _la_rows(needs, la_code, "Local authority")
        need_rows = need_rows[need_rows["breakdown_topic"] == "Child or young persons age"]
    out = []
    for period, total in totals.items():
        year = academic_year(period)
        parts = []
        if period in set(need_rows.get("time_period", [])):
            for _, row in need_rows[need_rows["time_period"] == period].iterrows():
                age = _single_age(row["breakdown"])
                for column, need in NEED_COLUMNS.items():
                    parts.append((age, need, row[column]))
        else:
            parts = [
                (_single_age(r["breakdown"]), "", r["ehcplans"])
                for _, r in by_age[by_age["time_period"] == period].iterrows()
            ]
        frame = pd.DataFrame(parts, columns=["age", "primary_need", "plans"])
        frame = frame[frame["age"].notna()] if len(frame) else frame
        counts, symbols = (
            ees_numbers(frame["plans"]) if len(frame) else (pd.Series(dtype=float), pd.Series(dtype=object))
        )
        frame = frame.assign(age_band=[age_band(int(a)) for a in frame["age"]], plans=counts, symbol=symbols)
        grouped = (
            frame.groupby(["age_band", "primary_need"], sort=True)
            .agg(plans=("plans", "sum"), symbol=("symbol", "first"))
            .reset_index()
        )
        grouped["plans"] = grouped["plans"].astype(object).where(grouped["symbol"].isna(), grouped["symbol"])
        out += [(year, r.age_band, r.primary_need, r.plans) for r in grouped.itertuples()]
        total_count, total_symbol = ees_numbers(pd.Series([total]))
        rest = total_count.iat[0] - float(counts.fillna(0).sum())
        if isinstance(total_symbol.iat[0], str):
            out.append((year, "", "", total_symbol.iat[0]))
        elif rest > 0 or not parts:
            out.append((year, "", "", rest))
    return pd.DataFrame(out, columns=["academic_year", "age_band", "primary_need", "plans"])


REASON_COLUMNS = {  # EES exclusions-by-reason column stem: our reason code
    "physical_pupils": "physical_pupil",
    "physical_adult": "physical_adult",
    "verbal_pupil": "verbal_pupil",
    "verbal_adult": "verbal_adult",
    "bullying": "bullying",
    "racist_abuse": "racist",
    "sexual_misconduct": "sexual_misconduct",
    "drug_alcohol": "drug_alcohol",
    "damage": "damage",
    "theft": "theft",
    "persistent_disruptive": "persistent_disruptive",
    "other": "other",
}
REASON_TYPES = {"fixed": "suspension", "perm": "permanent"}
SCHOOL_TYPE_PHASES = {"State-funded primary": "primary", "State-funded secondary": "secondary", "Special": "special"}


def exclusion_reasons(path: Path, la_code: str) -> pd.DataFrame:
    """The exclusion_reasons template from EES's exclusions by reason: the LA's phases, and a blank-phase row with
    the rest of its total (what the phase rows give as x), so the borough's figures are DfE's own."""
    ees = read_ees(path)
    columns = {
        f"{prefix}_{stem}": (kind, reason)
        for prefix, kind in REASON_TYPES.items()
        for stem, reason in REASON_COLUMNS.items()
    }
    ees.require(["time_period", "school_type"] + list(columns))
    rows = _la_rows(ees, la_code, "Local authority")
    if rows.empty:
        raise PublicFileError(f"{Path(path).name}: no Local authority rows for LA {la_code}")
    out = []
    for period, year_rows in rows.groupby("time_period", sort=True):
        year = academic_year(period)
        totals = year_rows[year_rows["school_type"] == "Total"]
        phases = year_rows[year_rows["school_type"].isin(list(SCHOOL_TYPE_PHASES))]
        for column, (kind, reason) in columns.items():
            counts, symbols = _count_cells(phases[column])
            for phase, count, symbol in zip(phases["school_type"].map(SCHOOL_TYPE_PHASES), counts, symbols):
                out.append((year, phase, kind, reason, symbol if isinstance(symbol, str) else count))
            if totals.empty:
                continue
            total, total_symbol = _count_cells(totals[column])
            if isinstance(total_symbol.iat[0], str):
                out.append((year, "", kind, reason, total_symbol.iat[0]))
            elif total[0] - np.nansum(counts) > 0 or symbols.notna().any():
                out.append((year, "", kind, reason, max(total[0] - np.nansum(counts), 0)))
    return pd.DataFrame(out, columns=["academic_year", "phase", "exclusion_type", "reason", "exclusions"]).assign(
        urn=""
    )[["academic_year", "urn", "phase", "exclusion_type", "reason", "exclusions"]]


# The older SEN2 age-stock file's bands; "0 to 5" and "6 to 10" straddle the dashboard's 0-4 and 5-10, so they count
# in the year's total with no age band.
OLD_SEN2_AGES = {"0 to 5": "", "6 to 10": "", "11 to 15": "11-15", "16 to 19": "16-19", "20 to 25": "20-25"}


def sen2_age_stock(path: Path, la_code: str) -> pd.DataFrame:
    """The ehcp template from DfE's older SEN2 age-stock file (January 2010 to 2019): statements and EHC plans
    together, as DfE's own series counts them across the change from statements to plans."""
    stock = read_ees(path)
    stock.require(["time_period", "time_identifier", "age", "Total_ST", "Total_EHC"])
    rows = _la_rows(stock, la_code, "Local authority")
    rows = rows[rows["age"] != "Total"]
    unknown = sorted(set(rows["age"]) - set(OLD_SEN2_AGES))
    if unknown:
        raise PublicFileError(
            f"{Path(path).name}: age band(s) {', '.join(unknown)} are not SEN2's (expected {', '.join(OLD_SEN2_AGES)})"
        )
    if rows.empty:
        raise PublicFileError(f"{Path(path).name}: no Local authority rows for LA {la_code}")
    # NULL is DfE's 'none of this kind': no EHC plans before 2014, no statements after 2018.
    statements, st_symbols = ees_numbers(rows["Total_ST"].replace("NULL", "0"))
    plans, ehc_symbols = ees_numbers(rows["Total_EHC"].replace("NULL", "0"))
    frame = pd.DataFrame(
        {
            # A January caseload belongs to the academic year it falls in: January 2019 is 2018/19.
            "academic_year": [f"{int(t) - 1}/{str(int(t))[2:]}" for t in rows["time_period"]],
            "age_band": rows["age"].map(OLD_SEN2_AGES).to_numpy(),
            "plans": (statements + plans).to_numpy(),
            "symbol": st_symbols.fillna(ehc_symbols).to_numpy(),
        }
    )
    grouped = (
        frame.groupby(["academic_year", "age_band"], sort=True)
        .agg(plans=("plans", "sum"), symbol=("symbol", "first"))
        .reset_index()
    )
    grouped["plans"] = grouped["plans"].astype(object).where(grouped["symbol"].isna(), grouped["symbol"])
    return grouped.assign(primary_need="")[["academic_year", "age_band", "primary_need", "plans"]]


def ehcp_series(newer: pd.DataFrame | None, older: pd.DataFrame | None) -> pd.DataFrame:
    """One EHC plan series: the newer release's years, and the older file's for the years before them."""
    frames = [f for f in (newer, older) if f is not None]
    if len(frames) == 2:
        frames[1] = older[~older["academic_year"].isin(set(newer["academic_year"]))]
    return pd.concat(frames, ignore_index=True).sort_values("academic_year", kind="stable", ignore_index=True)


ABSENCE_TERMS = {"Autumn term": "Autumn", "Spring term": "Spring", "Summer term": "Summer", "Total": FULL_YEAR}


def la_absence(path: Path, la_code: str) -> pd.DataFrame:
    """The attendance template from DfE's absence by term file: the LA's sessions per term and year, all school types
    added. Enrolments and persistent and severe absentees are not in that file, so they are given as x."""
    ees = read_ees(path)
    ees.require(["time_period", "term", "school_type", "sess_possible", "sess_authorised", "sess_unauthorised"])
    rows = _la_rows(ees, la_code, "Local authority")
    rows = rows[rows["term"].isin(ABSENCE_TERMS)]
    if rows.empty:
        raise PublicFileError(f"{Path(path).name}: no Local authority rows by term for LA {la_code}")
    frame = pd.DataFrame(
        {"academic_year": rows["time_period"].map(academic_year), "term": rows["term"].map(ABSENCE_TERMS)}
    )
    columns = {
        "sessions_possible": "sess_possible",
        "sessions_authorised": "sess_authorised",
        "sessions_unauthorised": "sess_unauthorised",
    }
    for ours, theirs in columns.items():
        frame[ours] = ees_numbers(rows[theirs])[0]
    frame = frame.groupby(["academic_year", "term"], sort=True).sum(min_count=1).reset_index()
    for column in ("enrolments", "persistent_absentees", "severe_absentees"):
        frame[column] = "x"
    return frame
