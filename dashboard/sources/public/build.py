"""Every template an LA needs, written from the public files given."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pandas as pd

from dashboard.ingest.templates import BENCHMARKS
from dashboard.sources.public import benchmarks, dfe, ons
from dashboard.sources.public.benchmarks import exclusion_benchmarks, statistical_neighbours
from dashboard.sources.public.ees import PublicFileError, la_region, read_ees
from dashboard.sources.public.gias import gias_laestabs, gias_schools


def write_template(frame: pd.DataFrame, path: Path) -> Path:
    """Write a template CSV (numbers without needless decimals), creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def text(value) -> str:
        if isinstance(value, float):
            return "" if pd.isna(value) else (f"{value:.0f}" if value.is_integer() else f"{value:.6g}")
        return str(value)

    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(frame.columns)
        writer.writerows([[text(v) for v in row] for row in frame.itertuples(index=False)])
    return path


def build_templates(args: argparse.Namespace) -> list[str]:
    """Write every template the given public files allow into args.out; returns what was written, line by line."""
    out, said = Path(args.out), []
    ees_files = [
        f
        for f in (
            args.school_exclusions,
            args.exclusions,
            args.exclusion_reasons,
            args.ehcp_caseload,
            args.ehcp_history,
            args.absence,
        )
        if f
    ]
    if not ees_files:
        raise PublicFileError(
            "give at least one EES file (--school-exclusions, --exclusions, --ehcp-caseload, --ehcp-history or "
            "--absence)"
        )
    first = read_ees(ees_files[0])
    ons_code, la_name, region = la_region(first, str(args.la))
    region_name = first.frame.loc[first.frame["region_code"] == region, "region_name"].iat[0]

    def write(frame: pd.DataFrame, name: str, what: str) -> None:
        write_template(frame, out / name)
        said.append(f"{name}: {len(frame):,} rows, {what}")

    areas = ons.lsoa_areas(args.lsoa_lookup, ons_code)
    if args.imd and args.lsoa11_lookup:
        areas["imd_decile"] = (
            ons.imd_deciles_2021(args.imd, args.lsoa11_lookup, list(areas["area_code"])).astype("Int64").to_numpy()
        )
    write(areas, "areas.csv", f"{la_name}'s small areas in {areas['ward_code'].nunique()} wards")
    schools, left_out = gias_schools(args.gias, args.la)
    outside = ~schools["area_code"].isin(areas["area_code"])
    schools.loc[outside, "area_code"] = ""  # stands outside the LA: kept, with its point, but in no small area of it
    write(
        schools,
        "schools.csv",
        f"open schools in the dashboard's phases ({len(left_out)} left out, listed in left_out.csv; "
        f"{int(outside.sum())} stand outside the LA's small areas)",
    )
    write_template(left_out, out / "left_out.csv")
    if args.mapping:
        (out / "mapping.csv").write_bytes(Path(args.mapping).read_bytes())
        said.append("mapping.csv: copied")
    years: set[str] = set()
    if args.school_exclusions:
        census, exclusions, unmatched = dfe.school_exclusions(
            args.school_exclusions, args.la, gias_laestabs(args.gias, args.la)
        )
        write(census, "census.csv", "pupils on roll per school (the exclusions file's headcount)")
        write(
            exclusions,
            "exclusions.csv",
            f"suspensions and permanent exclusions per school; {unmatched['laestab'].nunique()} "
            "LAESTABs with no open school count in the borough's rest (unmatched_schools.csv)",
        )
        write_template(unmatched, out / "unmatched_schools.csv")
    if args.exclusion_reasons:
        reasons = dfe.exclusion_reasons(args.exclusion_reasons, args.la)
        write(
            reasons,
            "exclusion_reasons.csv",
            f"exclusions by main reason and phase, {reasons['academic_year'].min()} to "
            f"{reasons['academic_year'].max()}, with the rest of each LA total",
        )
    if args.ehcp_caseload or args.ehcp_history:
        newer = dfe.ehcp_caseload(args.ehcp_caseload, args.ehcp_needs, args.la) if args.ehcp_caseload else None
        older = dfe.sen2_age_stock(args.ehcp_history, args.la) if args.ehcp_history else None
        ehcp = dfe.ehcp_series(newer, older)
        years |= set(ehcp["academic_year"])
        history = (
            f"; {older['academic_year'].min()} to {older['academic_year'].max()} from the older SEN2 file count "
            "statements and EHC plans together"
            if older is not None
            else ""
        )
        write(ehcp, "ehcp.csv", f"EHC plans in each January caseload{history}")
    if args.absence:
        write(dfe.la_absence(args.absence, args.la), "attendance.csv", "the LA's absence by term")
    if args.population:
        population = ons.census_population(args.population, list(areas["area_code"]), sorted(years) or ["2020/21"])
        write(population, "population.csv", "Census 2021 residents aged 0-24, for each EHC plan year")
    comparisons = []
    neighbours = statistical_neighbours(args.neighbours, str(args.la)) if args.neighbours else None
    if args.exclusions:
        comparisons.append(exclusion_benchmarks(args.exclusions, args.la, neighbours))
    if args.exclusion_characteristics:
        comparisons.append(benchmarks.characteristic_benchmarks(args.exclusion_characteristics))
    if args.lait:
        comparisons.append(benchmarks.lait_benchmarks(args.lait, region_name, region, neighbours))
    if comparisons:
        write(
            benchmarks.combine_benchmarks(*comparisons),
            BENCHMARKS.filename,
            "England, region and statistical neighbours"
            + ("; England by phase, SEN provision and need" if args.exclusion_characteristics else ""),
        )
    return said
