"""Load extract files into a new warehouse version: parse, validate with pandera, aggregate, swap in.

Usage: python -m dashboard.ingest load --source DIR [--boundaries FILE --code-field FIELD] [--area KIND] [--db PATH]
                                         [--dry-run]
       python -m dashboard.ingest publish [--threshold N] [--db PATH]
       python -m dashboard.ingest versions | rollback [--db PATH]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.config import Config, SettingError
from dashboard.domain.area import AREA_KINDS, BOROUGH
from dashboard.ingest.build import IngestError, load, republish
from dashboard.ingest.dry_run import dry_run
from dashboard.store.versions import current_version, list_versions, rollback


def main(argv: list[str] | None = None) -> int:
    """Command line: load, dry-run, list versions or roll back. Each subcommand has --help."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("--") and argv[0] not in ("--help", "-h"):
        argv = ["load"] + argv  # 'python -m dashboard.ingest --source DIR' still means load
    parser = argparse.ArgumentParser(prog="python -m dashboard.ingest", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{load,publish,versions,rollback}")
    loading = commands.add_parser(
        "load",
        help="validate a folder of template CSVs and serve it as a new version",
        description="Validate a folder of template CSVs (see data/templates) and, if every file is good, "
        "serve it as a new warehouse version. A refused load changes nothing.",
    )
    loading.add_argument(
        "--source", type=Path, required=True, help="folder holding the template CSV files (see data/templates)"
    )
    loading.add_argument(
        "--boundaries", type=Path, help="small-area boundaries: GeoJSON, TopoJSON, GeoPackage or shapefile"
    )
    loading.add_argument(
        "--code-field", default="area_code", help="field of the boundary file holding the area code (default area_code)"
    )
    loading.add_argument("--name-field", help="field holding the area name (default: guessed, e.g. LSOA21NM)")
    loading.add_argument(
        "--data-kind",
        choices=("real", "synthetic"),
        default="real",
        help="say 'synthetic' for made-up data, shown on every page",
    )
    loading.add_argument(
        "--area",
        choices=AREA_KINDS,
        default=BOROUGH.kind,
        help="what sentences call the whole area the data covers, as in 'across the county' (default borough)",
    )
    loading.add_argument(
        "--dry-run",
        action="store_true",
        help="check the files and say what would change (rows added, changed, removed per table), changing nothing",
    )
    publishing = commands.add_parser(
        "publish",
        help="protect the version being served again, at a threshold, and serve that as a new version",
        description="Protect every figure of the version being served once more (for a warehouse loaded by an "
        "earlier release, or at another threshold) and serve the result as a new version.",
    )
    listing = commands.add_parser(
        "versions",
        help="list the kept warehouse versions, marking the one being served",
        description="List every kept warehouse version, oldest first; * marks the one being served.",
    )
    rolling = commands.add_parser(
        "rollback",
        help="serve the version loaded before the one being served",
        description="Serve the version loaded before the one being served. Run it again to go further back.",
    )
    for sub in (loading, publishing, listing, rolling):
        sub.add_argument(
            "--db", type=Path, default=None, help="warehouse file (default: $INCLUSION_DB or data/warehouse.duckdb)"
        )
    for sub in (loading, publishing):
        sub.add_argument(
            "--threshold",
            type=int,
            default=None,
            help="hide counts of 1 to this many children, and whatever would let one be worked out "
            "(default: $SUPPRESSION_THRESHOLD or 4)",
        )
    args = parser.parse_args(argv)
    try:
        config = Config()  # every setting read before any work: a mistyped one is said at once, in a sentence
    except SettingError as exc:
        print(f"error: nothing was done: {exc}", file=sys.stderr)
        return 1
    db_path = args.db or config.warehouse_path
    threshold = getattr(args, "threshold", None) or config.suppression_threshold
    if threshold < 1:
        parser.error("--threshold must be 1 or more")
    if args.command == "publish":
        if not db_path.exists():
            print(f"error: there is no warehouse at {db_path} to publish", file=sys.stderr)
            return 1
        stored = republish(db_path, threshold)
        print(f"Protected {db_path} at threshold {threshold}: now serving version {stored.stem}.")
        return 0
    if args.command == "versions":
        current = current_version(db_path)
        kept = list_versions(db_path)
        if not kept:
            print(f"No versions kept for {db_path} yet.")
        for version in kept:
            print(f"{'*' if version == current else ' '} {version.stem}")
        return 0
    if args.command == "rollback":
        try:
            previous = rollback(db_path)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"Now serving version {previous.stem} at {db_path}.")
        return 0
    if not args.source.is_dir():
        print(f"error: {args.source} is not a folder", file=sys.stderr)
        return 2
    options = dict(
        boundaries=args.boundaries,
        code_field=args.code_field,
        name_field=args.name_field,
        data_kind=args.data_kind,
        area_kind=args.area,
    )
    if args.dry_run:
        report, changes = dry_run(args.source, db_path, **options)
        for issue in report.issues:
            print(("  error: " if issue.fatal else "  warning: ") + str(issue))
        if report.errors:
            print(f"Dry run: this load would be refused ({len(report.errors)} problem(s)). Nothing was changed.")
            return 1
        print(f"Dry run: loading {args.source} would change {db_path} as follows (nothing was changed):")
        print(f"  {'table':<18} {'added':>9} {'changed':>9} {'removed':>9}")
        for table, added, changed, removed in changes:
            print(f"  {table:<18} {added:>9,} {changed:>9,} {removed:>9,}")
        return 0
    try:
        report = load(args.source, db_path, threshold=threshold, **options)
    except IngestError as exc:
        print(
            f"Load refused: {len(exc.report.errors)} problem(s) found. The warehouse at {db_path} was not changed.",
            file=sys.stderr,
        )
        for issue in exc.report.issues:
            print(("  error: " if issue.fatal else "  warning: ") + str(issue), file=sys.stderr)
        print(f"Data-quality report: {exc.report.path}", file=sys.stderr)
        return 1
    for issue in report.warnings:
        print(f"  warning: {issue}")
    print(f"Loaded {args.source} into {db_path}, every figure protected at threshold {threshold}.")
    print(f"Data-quality report: {report.path}")
    return 0
