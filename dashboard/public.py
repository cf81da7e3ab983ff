"""Public files into the dashboard's templates: DfE Explore Education Statistics (EES) CSVs read with their
metadata and symbols, then written as template CSVs that the ordinary load validates and versions.

Usage: python -m dashboard.public build --la 335 --out DIR --gias FILE --lsoa-lookup FILE [dataset files...]
       python -m dashboard.public benchmarks --exclusions FILE --la 335 --out DIR
"""
from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.reference import EES_SYMBOLS
from dashboard.schema import BENCHMARKS

ENGLAND = ("E92000001", "England")


class PublicFileError(ValueError):
    """A public file that is not what its importer expects; the message names the file and what is missing."""


@dataclass(frozen=True)
class EesFile:
    """One EES data file read as text, with what its .meta.csv says about its columns."""

    path: Path
    frame: pd.DataFrame  # every cell as text, so symbols and leading zeros survive
    indicators: tuple[str, ...]  # numeric columns (the meta file's 'Indicator' rows), empty if there is no meta file
    labels: dict[str, str]  # column -> label from the meta file

    def require(self, columns: list[str]) -> None:
        """Raise PublicFileError naming the file and the columns it lacks."""
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise PublicFileError(f"{self.path.name}: missing column(s) {', '.join(missing)}; "
                                  f"it has {', '.join(self.frame.columns[:20])}")


# DfE renamed fixed-period exclusions 'suspensions' from 2020/21, and school rows' estab codes: current files are
# read under the older names the importers use, so one importer serves both.
CURRENT_NAMES = {"suspension": "fixed_excl", "susp_rate": "fixed_excl_rate", "one_plus_susp": "one_plus_fixed",
                 "one_plus_susp_rate": "one_plus_fixed_rate", "school_laestab": "laestab"}


def read_ees(path: Path) -> EesFile:
    """Read an EES CSV (and its .meta.csv beside it, if there is one) as text, current column names as the older ones."""
    path = Path(path)
    if not path.exists():
        raise PublicFileError(f"{path}: no such file")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.rename(columns={new: old for new, old in CURRENT_NAMES.items() if old not in frame.columns})
    meta_path = path.with_name(path.name[:-4] + ".meta.csv")
    if not meta_path.exists():  # several data files share one meta file named after the release
        candidates = sorted(path.parent.glob("*.meta.csv"))
        meta_path = next((m for m in candidates if path.stem.startswith(m.name[:-9])), meta_path)
    indicators: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    if meta_path.exists():
        meta = pd.read_csv(meta_path, dtype=str, keep_default_na=False)
        indicators = tuple(meta.loc[meta["col_type"] == "Indicator", "col_name"])
        labels = dict(zip(meta["col_name"], meta["label"]))
    return EesFile(path, frame, indicators, labels)


def ees_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(numbers, symbols): EES symbols (c, low, x, z, u) become blank numbers with the symbol kept beside them."""
    text = cells.astype(str).str.strip()
    symbols = text.str.lower().where(text.str.lower().isin(list(EES_SYMBOLS)))
    numbers = pd.to_numeric(text.where(symbols.isna()).str.replace(",", ""), errors="coerce")
    return numbers, symbols


def academic_year(time_period: str) -> str:
    """EES's '201617' as '2016/17'."""
    text = str(time_period).strip()
    if len(text) != 6 or not text.isdigit():
        raise PublicFileError(f"time_period '{time_period}' is not an academic year written like 201617")
    return f"{text[:4]}/{text[4:]}"


def la_region(ees: EesFile, la_code: str) -> tuple[str, str, str]:
    """(ONS code, name, region code) of an LA given its DfE code (335) or ONS code (E08000030), from the file's LA rows."""
    ees.require(["geographic_level", "old_la_code", "new_la_code", "la_name", "region_code"])
    rows = ees.frame[(ees.frame["geographic_level"] == "Local authority")
                     & ((ees.frame["old_la_code"] == la_code) | (ees.frame["new_la_code"] == la_code))]
    if rows.empty:
        raise PublicFileError(f"{ees.path.name}: no local authority with code {la_code}")
    row = rows.iloc[0]
    return row["new_la_code"], row["la_name"], row["region_code"]


def statistical_neighbours(path: Path, la_code: str) -> list[str]:
    """The LA's ten statistical neighbours as DfE codes, closest first, from DfE's workbook (sheet 'LA SN Groups')."""
    path = Path(path)
    sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=str).fillna("")
    header = next((i for i, first in enumerate(sheet[0]) if first.strip() == "LA num"), None)
    if header is None:
        raise PublicFileError(f"{path.name}: no header row starting 'LA num' in its first sheet")
    table = sheet.iloc[header + 1:]
    table.columns = [str(c).strip() for c in sheet.iloc[header]]
    row = table[table["LA num"].str.strip() == str(la_code)]
    if row.empty:
        raise PublicFileError(f"{path.name}: no local authority numbered {la_code}")
    return [row.iloc[0][f"SN{i}"].strip() for i in range(1, 11) if row.iloc[0][f"SN{i}"].strip()]


def la_region_code(path: Path, la_code: str) -> str:
    """The LA's DfE code (335) whichever code was given, read from the EES file's LA rows."""
    ees = read_ees(path)
    ons, _, _ = la_region(ees, la_code)
    rows = ees.frame[(ees.frame["geographic_level"] == "Local authority") & (ees.frame["new_la_code"] == ons)]
    return rows["old_la_code"].iat[0]


# Exclusion measures in EES's older geographic-level files: (our measure, numerator column, rate column).
# 'Fixed period exclusions' are what DfE now calls suspensions.
EXCLUSION_MEASURES = (("suspension_rate", "fixed_excl", "fixed_excl_rate"), ("permanent_rate", "perm_excl", "perm_excl_rate"))


def exclusion_benchmarks(path: Path, la_code: str, neighbours: list[str] | None = None) -> pd.DataFrame:
    """England's and the LA's region's suspension and permanent exclusion rates, in the benchmarks template's columns.

    The rate is worked out from the counts (the published rate is rounded); where a count is a symbol the
    symbol is kept as the value, so the dashboard shows it. With neighbours (DfE codes, see
    statistical_neighbours), a 'Statistical neighbours' row per year too: the mean of their rates, as LAIT gives it.
    """
    path = Path(path)
    ees = read_ees(path)
    ees.require(["time_period", "geographic_level", "school_type", "region_code", "region_name", "headcount"]
                + [c for _, n, r in EXCLUSION_MEASURES for c in (n, r)])
    _, _, region = la_region(ees, la_code)
    frame = ees.frame[ees.frame["school_type"] == "Total"]
    national = frame[frame["geographic_level"] == "National"].assign(code=ENGLAND[0], name=ENGLAND[1], level="England")
    regional = frame[(frame["geographic_level"] == "Regional") & (frame["region_code"] == region)]
    regional = regional.assign(code=regional["region_code"], name=regional["region_name"], level="Region")
    rows = []
    for part in (national, regional):
        headcount, head_symbol = ees_numbers(part["headcount"])
        for measure, count_column, _ in EXCLUSION_MEASURES:
            count, symbol = ees_numbers(part[count_column])
            symbol = symbol.fillna(head_symbol)
            value = (count / headcount * 100).round(6)
            for i, index in enumerate(part.index):
                rows.append({
                    "geography_code": part.at[index, "code"], "geography_name": part.at[index, "name"],
                    "geography_level": part.at[index, "level"], "measure": measure,
                    "academic_year": academic_year(part.at[index, "time_period"]),
                    "value": symbol.iat[i] if isinstance(symbol.iat[i], str) else value.iat[i],
                    "numerator": "" if isinstance(symbol.iat[i], str) else count.iat[i],
                    "denominator": "" if pd.isna(headcount.iat[i]) else headcount.iat[i],
                    "source": f"DfE, Permanent and fixed-period exclusions in England ({path.name})",
                })
    if neighbours:
        rows += _neighbour_rows(ees, [str(n) for n in neighbours], path.name)
    columns = [c.name for c in BENCHMARKS.columns]
    return pd.DataFrame(rows, columns=columns).sort_values(["geography_level", "measure", "academic_year"]).reset_index(drop=True)


# GIAS phases the dashboard's phases cover; other establishments are listed as left out, with the reason.
GIAS_PHASES = {"Primary": "primary", "Middle deemed primary": "primary", "Secondary": "secondary",
               "Middle deemed secondary": "secondary", "All-through": "secondary"}


def gias_phase(education_phase: str, establishment_type: str, type_group: str) -> tuple[str | None, str]:
    """(our phase, or None with the reason it is left out) for one GIAS establishment."""
    kind = establishment_type.lower()
    if "pupil referral" in kind or "alternative provision" in kind:
        return "ap", ""
    if "special" in kind or type_group == "Special schools":
        return "special", ""
    if type_group == "Independent schools":
        return None, "independent school (not in the LA's state-funded figures)"
    if education_phase in GIAS_PHASES:
        return GIAS_PHASES[education_phase], ""
    if education_phase == "Nursery":
        return None, "nursery school (before compulsory school age)"
    if education_phase == "16 plus":
        return None, "16 plus college"
    return None, f"phase '{education_phase}' of type '{establishment_type}' is not one the dashboard covers"


def gias_schools(path: Path, la_code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An LA's open schools from a GIAS extract: (schools in the template's columns, establishments left out and why).

    cluster_code is left blank: it comes from the LA's own school-to-cluster mapping.
    """
    path = Path(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    needed = ["urn", "la_code", "establishment_name", "establishment_type", "establishment_type_group", "education_phase",
              "lsoa_code", "latitude", "longitude"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise PublicFileError(f"{path.name}: missing column(s) {', '.join(missing)}")
    frame = frame[frame["la_code"] == str(la_code)]
    if frame.empty:
        raise PublicFileError(f"{path.name}: no establishments with la_code {la_code} (use the DfE code, e.g. 335)")
    phases = [gias_phase(p, t, g) for p, t, g in
              zip(frame["education_phase"], frame["establishment_type"], frame["establishment_type_group"])]
    frame = frame.assign(phase=[p for p, _ in phases], reason=[r for _, r in phases])
    kept = frame[frame["phase"].notna()]
    schools = pd.DataFrame({
        "urn": kept["urn"], "school_name": kept["establishment_name"], "phase": kept["phase"],
        "school_type": kept["establishment_type"], "cluster_code": "", "area_code": kept["lsoa_code"],
        "latitude": pd.to_numeric(kept["latitude"], errors="coerce"), "longitude": pd.to_numeric(kept["longitude"], errors="coerce"),
        "open_date": "", "close_date": "",
    }).reset_index(drop=True)
    left_out = frame.loc[frame["phase"].isna(), ["urn", "establishment_name", "reason"]].rename(
        columns={"establishment_name": "school_name"}).reset_index(drop=True)
    return schools, left_out


def gias_laestabs(path: Path, la_code: str) -> dict[str, str]:
    """LAESTAB (LA code and establishment number, 3352104) to URN for the LA's open establishments in a GIAS extract."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if "establishment_number" not in frame.columns:
        raise PublicFileError(f"{Path(path).name}: missing column establishment_number, needed to match LAESTABs")
    frame = frame[(frame["la_code"] == str(la_code)) & (frame["establishment_number"] != "")]
    return dict(zip(frame["la_code"] + frame["establishment_number"].str.zfill(4), frame["urn"]))


def _neighbour_rows(ees: EesFile, neighbours: list[str], file: str) -> list[dict]:
    """One 'Statistical neighbours' benchmark per measure and year: the mean of the neighbours' rates that are published."""
    frame = ees.frame[(ees.frame["geographic_level"] == "Local authority") & (ees.frame["school_type"] == "Total")
                      & ees.frame["old_la_code"].isin(neighbours)]
    headcount, _ = ees_numbers(frame["headcount"])
    rows = []
    for measure, count_column, _ in EXCLUSION_MEASURES:
        count, _ = ees_numbers(frame[count_column])
        rates = pd.DataFrame({"year": frame["time_period"], "rate": count / headcount * 100})
        for period, group in rates.groupby("year"):
            shown = group["rate"].dropna()
            rows.append({
                "geography_code": "SN", "geography_name": f"Statistical neighbours (mean of {len(neighbours)})",
                "geography_level": "Statistical neighbours", "measure": measure, "academic_year": academic_year(period),
                "value": round(shown.mean(), 6) if len(shown) else "x", "numerator": "", "denominator": "",
                "source": f"DfE statistical neighbours; mean of their rates in {file}",
            })
    return rows


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
    from dashboard import public_facts as facts
    from dashboard import public_places as places

    out, said = Path(args.out), []
    ees_files = [f for f in (args.school_exclusions, args.exclusions, args.exclusion_reasons, args.ehcp_caseload, args.ehcp_history,
                                args.absence) if f]
    if not ees_files:
        raise PublicFileError("give at least one EES file (--school-exclusions, --exclusions, --ehcp-caseload, --ehcp-history or --absence)")
    first = read_ees(ees_files[0])
    ons, la_name, region = la_region(first, str(args.la))
    region_name = first.frame.loc[first.frame["region_code"] == region, "region_name"].iat[0]

    def write(frame: pd.DataFrame, name: str, what: str) -> None:
        write_template(frame, out / name)
        said.append(f"{name}: {len(frame):,} rows, {what}")

    areas = places.lsoa_areas(args.lsoa_lookup, ons)
    if args.imd and args.lsoa11_lookup:
        areas["imd_decile"] = places.imd_deciles_2021(args.imd, args.lsoa11_lookup, list(areas["area_code"])).astype("Int64").to_numpy()
    write(areas, "areas.csv", f"{la_name}'s small areas in {areas['ward_code'].nunique()} wards")
    schools, left_out = gias_schools(args.gias, args.la)
    outside = ~schools["area_code"].isin(areas["area_code"])
    schools.loc[outside, "area_code"] = ""  # stands outside the LA: kept, with its point, but in no small area of it
    write(schools, "schools.csv", f"open schools in the dashboard's phases ({len(left_out)} left out, listed in left_out.csv; "
                                  f"{int(outside.sum())} stand outside the LA's small areas)")
    write_template(left_out, out / "left_out.csv")
    if args.mapping:
        (out / "mapping.csv").write_bytes(Path(args.mapping).read_bytes())
        said.append("mapping.csv: copied")
    years: set[str] = set()
    if args.school_exclusions:
        census, exclusions, unmatched = facts.school_exclusions(args.school_exclusions, args.la, gias_laestabs(args.gias, args.la))
        write(census, "census.csv", "pupils on roll per school (the exclusions file's headcount)")
        write(exclusions, "exclusions.csv", f"suspensions and permanent exclusions per school; {unmatched['laestab'].nunique()} "
                                            "LAESTABs with no open school count in the borough's rest (unmatched_schools.csv)")
        write_template(unmatched, out / "unmatched_schools.csv")
    if args.exclusion_reasons:
        reasons = facts.exclusion_reasons(args.exclusion_reasons, args.la)
        write(reasons, "exclusion_reasons.csv", f"exclusions by main reason and phase, {reasons['academic_year'].min()} to "
                                                f"{reasons['academic_year'].max()}, with the rest of each LA total")
    if args.ehcp_caseload or args.ehcp_history:
        newer = facts.ehcp_caseload(args.ehcp_caseload, args.ehcp_needs, args.la) if args.ehcp_caseload else None
        older = facts.sen2_age_stock(args.ehcp_history, args.la) if args.ehcp_history else None
        ehcp = facts.ehcp_series(newer, older)
        years |= set(ehcp["academic_year"])
        history = (f"; {older['academic_year'].min()} to {older['academic_year'].max()} from the older SEN2 file count "
                   "statements and EHC plans together" if older is not None else "")
        write(ehcp, "ehcp.csv", f"EHC plans in each January caseload{history}")
    if args.absence:
        write(facts.la_absence(args.absence, args.la), "attendance.csv", "the LA's absence by term")
    if args.population:
        population = places.census_population(args.population, list(areas["area_code"]), sorted(years) or ["2020/21"])
        write(population, "population.csv", "Census 2021 residents aged 0-24, for each EHC plan year")
    benchmarks = []
    neighbours = statistical_neighbours(args.neighbours, str(args.la)) if args.neighbours else None
    if args.exclusions:
        benchmarks.append(exclusion_benchmarks(args.exclusions, args.la, neighbours))
    if args.exclusion_characteristics:
        benchmarks.append(facts.characteristic_benchmarks(args.exclusion_characteristics))
    if args.lait:
        benchmarks.append(facts.lait_benchmarks(args.lait, region_name, region, neighbours))
    if benchmarks:
        write(facts.combine_benchmarks(*benchmarks), BENCHMARKS.filename,
              "England, region and statistical neighbours" + ("; England by phase, SEN provision and need" if args.exclusion_characteristics else ""))
    return said


def main(argv: list[str] | None = None) -> int:
    """Command line: turn public files into template CSVs for `python -m dashboard.ingest load`."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.public", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    bench = commands.add_parser("benchmarks", help="England and regional benchmarks from EES files, as benchmarks.csv",
                                description="Write benchmarks.csv (England and the LA's region) from an EES exclusions file "
                                            "by geographic level, keeping EES symbols.")
    bench.add_argument("--exclusions", type=Path, required=True, help="EES exclusions by geographic level CSV (national, regional and LA rows)")
    bench.add_argument("--la", required=True, help="the LA's DfE code (e.g. 335) or ONS code (e.g. E08000030)")
    bench.add_argument("--neighbours", type=Path, help="DfE statistical neighbours workbook (.xlsx), for a neighbours' average")
    bench.add_argument("--out", type=Path, required=True, help="folder of extracts to write benchmarks.csv into")
    build = commands.add_parser(
        "build", help="every template an LA needs, from public files",
        description="Write the dashboard's templates for one LA from public DfE and ONS files: small areas and wards, "
                    "schools, exclusions by school, EHC plans, absence, residents and benchmarks. Load the folder "
                    "with python -m dashboard.ingest load. Each dataset's files are optional.")
    build.add_argument("--la", required=True, help="the LA's DfE code (e.g. 335)")
    build.add_argument("--out", type=Path, required=True, help="folder to write the templates into")
    build.add_argument("--gias", type=Path, required=True, help="GIAS open establishments CSV (urn, la_code, lsoa_code...)")
    build.add_argument("--lsoa-lookup", type=Path, required=True, help="LSOA 2021 to ward lookup CSV (LSOA21CD, WD25CD, LAD25CD...)")
    build.add_argument("--mapping", type=Path, help="your mapping.csv placing wards, areas and schools in localities and clusters")
    build.add_argument("--imd", type=Path, help="IoD 2019 File 1 CSV (IMD decile by 2011 LSOA)")
    build.add_argument("--lsoa11-lookup", type=Path, help="LSOA 2011 to 2021 lookup CSV, to carry IMD onto 2021 areas")
    build.add_argument("--population", type=Path, help="Census 2021 residents by LSOA 2021 and age CSV")
    build.add_argument("--school-exclusions", type=Path, help="EES exclusions file with School and LA rows")
    build.add_argument("--exclusions", type=Path, help="EES exclusions by geographic level (national, regional, every LA), for benchmarks")
    build.add_argument("--exclusion-characteristics", type=Path,
                       help="EES exclusions by characteristic CSV, for England by phase, SEN provision and primary need")
    build.add_argument("--exclusion-reasons", type=Path, help="EES exclusions by reason CSV (LA rows by phase)")
    build.add_argument("--neighbours", type=Path, help="DfE statistical neighbours workbook (.xlsx)")
    build.add_argument("--lait", type=Path, help="LAIT long file (CSV or parquet), for absence and suspension benchmarks")
    build.add_argument("--ehcp-caseload", type=Path, help="EHC plans release: caseload CSV")
    build.add_argument("--ehcp-needs", type=Path, help="EHC plans release: primary need of all plans CSV")
    build.add_argument("--ehcp-history", type=Path, help="DfE's older SEN2 age-stock CSV (statements and EHC plans, January 2010-2019), "
                                                         "for the years before the EHC plans release")
    build.add_argument("--absence", type=Path, help="EES absence by term CSV (LA rows)")
    args = parser.parse_args(argv)
    if args.command == "build":
        try:
            for line in build_templates(args):
                print(line)
        except PublicFileError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    try:
        neighbours = statistical_neighbours(args.neighbours, la_region_code(args.exclusions, args.la)) if args.neighbours else None
        frame = exclusion_benchmarks(args.exclusions, args.la, neighbours)
    except PublicFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    path = write_template(frame, args.out / BENCHMARKS.filename)
    print(f"Wrote {len(frame):,} benchmark rows to {path}.")
    return 0


if __name__ == "__main__":
    # Run the imported module's main, so errors raised in public_places and public_facts (which import
    # PublicFileError from dashboard.public) are the same class this module catches, not __main__'s.
    from dashboard.public import main as imported_main

    sys.exit(imported_main())
