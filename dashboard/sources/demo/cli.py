"""A synthetic borough shaped like Walsall, written as pupil-level extracts and loaded by the real ingest.

Usage: python -m dashboard.demo [--seed N] [--out DIR] [--db PATH] [--boundaries FILE --code-field FIELD]

Calibrated to the figures in shared/context/README.md: EHC plans and their need mix by locality in
2020/21, the locality ranking of suspension and permanent exclusion rates, Walsall's EHC plan caseload
growth, and plausible absence (higher with SEN and deprivation). Every count is made up."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.config import Config, absolute_path
from dashboard.ingest.build import IngestError
from dashboard.sources.demo.calibration import DemoSettings
from dashboard.sources.demo.extracts import build_demo


def main(argv: list[str] | None = None) -> int:
    """Command line: build the demo warehouse."""
    parser = argparse.ArgumentParser(prog="python -m dashboard.demo", description=__doc__.splitlines()[0])
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
