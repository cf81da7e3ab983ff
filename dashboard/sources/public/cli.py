"""Public files into the dashboard's templates: DfE Explore Education Statistics (EES) CSVs read with their
metadata and symbols, then written as template CSVs that the ordinary load validates and versions.

Usage: python -m dashboard.public build --la 335 --out DIR --gias FILE --lsoa-lookup FILE [dataset files...]
       python -m dashboard.public benchmarks --exclusions FILE --la 335 --out DIR"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.ingest.templates import BENCHMARKS
from dashboard.sources.public.benchmarks import exclusion_benchmarks, la_region_code, statistical_neighbours
from dashboard.sources.public.build import build_templates, write_template
from dashboard.sources.public.ees import PublicFileError


def main(argv: list[str] | None = None) -> int:
    """Command line: turn public files into template CSVs for `python -m dashboard.ingest load`."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.public", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    bench = commands.add_parser(
        "benchmarks",
        help="England and regional benchmarks from EES files, as benchmarks.csv",
        description="Write benchmarks.csv (England and the LA's region) from an EES exclusions file "
        "by geographic level, keeping EES symbols.",
    )
    bench.add_argument(
        "--exclusions",
        type=Path,
        required=True,
        help="EES exclusions by geographic level CSV (national, regional and LA rows)",
    )
    bench.add_argument("--la", required=True, help="the LA's DfE code (e.g. 335) or ONS code (e.g. E08000030)")
    bench.add_argument(
        "--neighbours", type=Path, help="DfE statistical neighbours workbook (.xlsx), for a neighbours' average"
    )
    bench.add_argument("--out", type=Path, required=True, help="folder of extracts to write benchmarks.csv into")
    build = commands.add_parser(
        "build",
        help="every template an LA needs, from public files",
        description="Write the dashboard's templates for one LA from public DfE and ONS files: small areas and wards, "
        "schools, exclusions by school, EHC plans, absence, residents and benchmarks. Load the folder "
        "with python -m dashboard.ingest load. Each dataset's files are optional.",
    )
    build.add_argument("--la", required=True, help="the LA's DfE code (e.g. 335)")
    build.add_argument("--out", type=Path, required=True, help="folder to write the templates into")
    build.add_argument(
        "--gias", type=Path, required=True, help="GIAS open establishments CSV (urn, la_code, lsoa_code...)"
    )
    build.add_argument(
        "--lsoa-lookup", type=Path, required=True, help="LSOA 2021 to ward lookup CSV (LSOA21CD, WD25CD, LAD25CD...)"
    )
    build.add_argument(
        "--mapping", type=Path, help="your mapping.csv placing wards, areas and schools in localities and clusters"
    )
    build.add_argument("--imd", type=Path, help="IoD 2019 File 1 CSV (IMD decile by 2011 LSOA)")
    build.add_argument("--lsoa11-lookup", type=Path, help="LSOA 2011 to 2021 lookup CSV, to carry IMD onto 2021 areas")
    build.add_argument("--population", type=Path, help="Census 2021 residents by LSOA 2021 and age CSV")
    build.add_argument("--school-exclusions", type=Path, help="EES exclusions file with School and LA rows")
    build.add_argument(
        "--exclusions",
        type=Path,
        help="EES exclusions by geographic level (national, regional, every LA), for benchmarks",
    )
    build.add_argument(
        "--exclusion-characteristics",
        type=Path,
        help="EES exclusions by characteristic CSV, for England by phase, SEN provision and primary need",
    )
    build.add_argument("--exclusion-reasons", type=Path, help="EES exclusions by reason CSV (LA rows by phase)")
    build.add_argument("--neighbours", type=Path, help="DfE statistical neighbours workbook (.xlsx)")
    build.add_argument(
        "--lait", type=Path, help="LAIT long file (CSV or parquet), for absence and suspension benchmarks"
    )
    build.add_argument("--ehcp-caseload", type=Path, help="EHC plans release: caseload CSV")
    build.add_argument("--ehcp-needs", type=Path, help="EHC plans release: primary need of all plans CSV")
    build.add_argument(
        "--ehcp-history",
        type=Path,
        help="DfE's older SEN2 age-stock CSV (statements and EHC plans, January 2010-2019), "
        "for the years before the EHC plans release",
    )
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
        neighbours = (
            statistical_neighbours(args.neighbours, la_region_code(args.exclusions, args.la))
            if args.neighbours
            else None
        )
        frame = exclusion_benchmarks(args.exclusions, args.la, neighbours)
    except PublicFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    path = write_template(frame, args.out / BENCHMARKS.filename)
    print(f"Wrote {len(frame):,} benchmark rows to {path}.")
    return 0
