"""A synthetic borough shaped like Walsall, written as pupil-level extracts and loaded by the real ingest.

Usage: python -m dashboard.demo [--scale borough|county|region|england] [--seed N] [--out DIR] [--db PATH]
                                [--boundaries FILE --code-field FIELD] [--workers N]

Calibrated to the figures in shared/context/README.md: EHC plans and their need mix by locality in
2020/21, the locality ranking of suspension and permanent exclusion rates, Walsall's EHC plan caseload
growth, and plausible absence (higher with SEN and deprivation). Every count is made up."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.config import ROOT, Config, SettingError, absolute_path
from dashboard.ingest.boundaries import BoundaryError
from dashboard.ingest.build import IngestError
from dashboard.sources.demo.calibration import REGION_BOUNDARIES, SCALES, DemoSettings
from dashboard.sources.demo.england import write_england
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
        "from ../shared/data, 9 million pupils: extracts only, not loaded)",
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
    """Write England's extracts, LA by LA, and say what they hold; a warehouse of England is not built yet."""
    if not (SHARED_DATA / "boundaries" / "lsoa2021_england_5dp.geojson.gz").exists():
        print(f"--scale england needs England's boundaries in {SHARED_DATA / 'boundaries'}", file=sys.stderr)
        return 1
    out = args.out if args.out != absolute_path("data/demo") else absolute_path("data/demo-england")
    print(f"Writing England's synthetic extracts, LA by LA, into {out} (takes about 15 minutes)...", flush=True)
    made = write_england(out, SHARED_DATA, seed=args.seed, workers=args.workers)
    took = f"{made.seconds:.0f} seconds" if made.seconds < 120 else f"{made.seconds / 60:.0f} minutes"
    print(
        f"Wrote {made.las} LA{'s' if made.las != 1 else ''}, {made.areas:,} small areas and {made.schools:,} schools "
        f"into {out} in {took}: {made.pupil_terms:,} pupil-term attendance rows counted into "
        f"{made.rows['attendance']:,} rows of attendance.csv. They are not loaded: protecting England's publication "
        "needs a level for the LA above the locality, which the app does not have yet (docs/performance.md)."
    )
    return 0
