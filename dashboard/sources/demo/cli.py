"""A synthetic borough shaped like Walsall, written as pupil-level extracts and loaded by the real ingest.

Usage: python -m dashboard.demo [--scale borough|county|region] [--seed N] [--out DIR] [--db PATH]
                                [--boundaries FILE --code-field FIELD]

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
from dashboard.sources.demo.extracts import build_demo

SHARED_DATA = ROOT.parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    """Command line: build the demo warehouse."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.demo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        choices=list(SCALES),
        default="borough",
        help="borough (170 small areas, 45,000 pupils), county (1,000 areas, 600 schools, 250,000 pupils) or region "
        "(the West Midlands' 1,719 areas from ../shared/data, 450,000 pupils)",
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
    args = parser.parse_args(argv)
    try:
        config = Config()  # every setting read before minutes of work: a mistyped one is said at once
    except SettingError as exc:
        print(f"The demo was not built: {exc}", file=sys.stderr)
        return 1
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
    took = {"borough": "about a minute", "county": "about three minutes", "region": "about eight minutes"}[args.scale]
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
