"""A synthetic borough shaped like Walsall, written as pupil-level extracts and loaded by the real ingest.

Usage: python -m dashboard.demo [--scale borough|county|region|england] [--seed N] [--out DIR] [--db PATH]
                                [--boundaries FILE --code-field FIELD] [--workers N] [--only LA,LA,...]

Calibrated to the figures in shared/context/README.md: EHC plans and their need mix by locality in
2020/21, the locality ranking of suspension and permanent exclusion rates, Walsall's EHC plan caseload
growth, and plausible absence (higher with SEN and deprivation). Every count is made up."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.config import ROOT, Config, SettingError, absolute_path
from dashboard.ingest.boundaries import BoundaryError
from dashboard.ingest.build import IngestError, load
from dashboard.sources.demo.calibration import REGION_BOUNDARIES, SCALES, DemoSettings
from dashboard.sources.demo.england import ENGLAND_BOUNDARIES, england_codes, write_england
from dashboard.sources.demo.extracts import build_demo

SHARED_DATA = ROOT.parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    """Command line: build the demo warehouse."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.demo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        choices=[*SCALES, "england"],
        default="borough",
        help="borough (170 small areas, 45,000 pupils), county (1,000 areas, 600 schools, 250,000 pupils), region "
        "(the West Midlands' 1,719 areas from ../shared/data, 450,000 pupils) or england (33,755 areas in 151 LAs "
        "from ../shared/data, 9 million pupils: extracts only, unless --only names the LAs to load, or all)",
    )
    parser.add_argument(
        "--seed", type=int, default=DemoSettings.seed, help="random seed; the same seed gives the same borough"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=absolute_path("data/demo"),
        help="folder for the generated extracts (default data/demo)",
    )
    parser.add_argument(
        "--db", type=Path, default=None, help="warehouse file (default: $INCLUSION_DB or data/warehouse.duckdb)"
    )
    parser.add_argument("--boundaries", type=Path, help="put the synthetic data onto these real boundaries instead")
    parser.add_argument("--code-field", help="field of --boundaries holding the area code, e.g. LSOA21CD")
    parser.add_argument("--if-missing", action="store_true", help="do nothing if the warehouse already exists")
    parser.add_argument("--workers", type=int, default=2, help="england: LAs made at once, one process each")
    parser.add_argument(
        "--only",
        help="england: these LAs alone (codes, comma-separated, e.g. E06000017,E06000001), or all of them, loaded as a "
        "country: each LA protected alone, then their national figures jointly (all: about an hour and a half on two "
        "cores)",
    )
    args = parser.parse_args(argv)
    try:
        config = Config()  # every setting read before minutes of work: a mistyped one is said at once
    except SettingError as exc:
        print(f"The demo was not built: {exc}", file=sys.stderr)
        return 1
    if args.scale == "england":
        return _england(args)
    db_path = args.db or config.warehouse_path
    if args.if_missing and db_path.exists():
        print(f"Warehouse {db_path} exists; keeping it.")
        return 0
    if args.scale == "region" and not args.boundaries:
        args.boundaries, args.code_field = SHARED_DATA / REGION_BOUNDARIES[0], REGION_BOUNDARIES[1]
        if not args.boundaries.exists():
            parser.error(f"--scale region needs the West Midlands boundaries in {args.boundaries}, or --boundaries")
    if args.boundaries and not args.code_field:
        parser.error("--boundaries needs --code-field (for example LSOA21CD)")
    settings = DemoSettings(**{**DemoSettings().__dict__, **SCALES[args.scale], "seed": args.seed})
    took = {"borough": "under a minute", "county": "about two minutes", "region": "about four minutes"}[args.scale]
    print(f"Building the synthetic demo {args.scale} into {db_path} (takes {took})...", flush=True)
    try:
        build_demo(args.out, db_path, settings, args.boundaries, args.code_field, name=args.scale)
    except BoundaryError as exc:  # a boundary file given on the command line that cannot be read: say which and why
        print(f"The demo was not built: {exc}", file=sys.stderr)
        return 1
    except IngestError as exc:  # the generator's own output failing validation is a bug worth reporting plainly
        print(f"The demo extracts did not validate:\n{exc}", file=sys.stderr)
        return 1
    print(f"Built the synthetic demo {args.scale} in {db_path} (extracts in {args.out}).")
    return 0


def _england(args: argparse.Namespace) -> int:
    """Write England's extracts, LA by LA, and say what they hold; with --only, load those LAs as a country."""
    if not (SHARED_DATA / ENGLAND_BOUNDARIES[0]).exists():
        print(f"--scale england needs England's boundaries in {SHARED_DATA / 'boundaries'}", file=sys.stderr)
        return 1
    out = args.out if args.out != absolute_path("data/demo") else absolute_path("data/demo-england")
    every = (args.only or "").strip().lower() == "all"
    only = {code.strip() for code in args.only.split(",") if code.strip()} if args.only and not every else None
    unknown = sorted(only - england_codes(SHARED_DATA)) if only else []
    if unknown:  # said before minutes of work, not left out of a country without a word
        print(f"No LA of England has the code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}.", file=sys.stderr)
        return 1
    print(f"Writing England's synthetic extracts, LA by LA, into {out}...", flush=True)
    options = {"only": only} if only else {}
    made = write_england(out, SHARED_DATA, seed=args.seed, workers=args.workers, **options)
    if only and made.las == 0:
        codes = ", ".join(sorted(only))
        print(f"No LA of England has the code{'s' if len(only) > 1 else ''} {codes}.", file=sys.stderr)
        return 1
    took = f"{made.seconds:.0f} seconds" if made.seconds < 120 else f"{made.seconds / 60:.0f} minutes"
    wrote = (
        f"Wrote {made.las} LA{'s' if made.las != 1 else ''}, {made.areas:,} small areas and {made.schools:,} schools "
        f"into {out} in {took}: {made.pupil_terms:,} pupil-term attendance rows counted into "
        f"{made.rows['attendance']:,} rows of attendance.csv."
    )
    if not only and not every:
        print(
            f"{wrote} They are not loaded: all of England's LAs take about an hour and a half to protect on two cores "
            "(docs/performance.md); load them with --only all, or a sample of LAs with --only CODE,CODE."
        )
        return 0
    db_path = args.db or Config().warehouse_path
    print(f"{wrote} Loading them into {db_path}: each LA protected alone, then England's figures jointly...")
    try:
        load(
            out,
            db_path,
            boundaries=SHARED_DATA / ENGLAND_BOUNDARIES[0],
            code_field=ENGLAND_BOUNDARIES[1],
            data_kind="synthetic",
            area_kind="country",
            description=f"Synthetic England: {made.las} LA{'s' if made.las != 1 else ''}"
            + (f" ({', '.join(sorted(only))})" if only else ""),
        )
    except IngestError as exc:
        print(f"The extracts did not validate:\n{exc}", file=sys.stderr)
        return 1
    print(f"Built a synthetic England of {made.las} LA{'s' if made.las != 1 else ''} in {db_path}.")
    return 0
