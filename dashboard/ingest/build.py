"""Build a warehouse version from a folder of extracts: every file validated, then served in one step, or refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.config import Config
from dashboard.domain.area import BOROUGH, Area
from dashboard.domain.reference import FULL_YEAR, NEEDS, UNMAPPED
from dashboard.ingest.aggregate import aggregate_reasons, event_table, fact_table, period_table
from dashboard.ingest.boundaries import area_geometry
from dashboard.ingest.parse import ParsedFile, parse_template_file, sha256_of
from dashboard.ingest.places import place_in_localities
from dashboard.ingest.report import LoadIssue, LoadReport, write_quality_report
from dashboard.ingest.templates import (
    BENCHMARKS,
    DIMENSIONS,
    EVENTS,
    FACTS,
    MAPPED_DIMENSIONS,
    MAPPING,
    REASONS,
    TARGETS,
    Template,
)
from dashboard.publish.national import publish_by_la
from dashboard.publish.protect import publish
from dashboard.store.schema import TABLE_ORDER
from dashboard.store.versions import versions_folder, write_warehouse

LOAD_VERSION_COLUMNS = ["version", "loaded_at", "data_kind", "description", "area_kind"]
DATASET_TABLES = {
    "population": "fact_population",
    "census": "fact_census",
    "exclusions": "fact_exclusion",
    "attendance": "fact_attendance",
    "ehcp": "fact_ehcp",
}


class IngestError(Exception):
    """A load that was refused; the report says which file, row and column and why."""

    def __init__(self, report: LoadReport):
        super().__init__("\n".join(str(i) for i in report.errors))
        self.report = report


def _locate(source: Path, template: Template, report: LoadReport) -> Path | None:
    candidates = [source / template.filename]
    if template.pupil_columns:
        candidates.append(source / template.pupil_filename)
    present = [p for p in candidates if p.exists()]
    if len(present) > 1:
        report.issues.append(
            LoadIssue(
                present[1].name,
                f"both {present[0].name} and {present[1].name} exist; supply one form of {template.name}",
            )
        )
        return None
    return present[0] if present else None


def _report_unknown_breakdowns(parsed: dict[str, ParsedFile], report: LoadReport) -> None:
    """Warn about blank breakdown cells in a column a file does give: those rows count in totals only."""
    for name, result in parsed.items():
        if result.pupil_level or name not in DATASET_TABLES:
            continue
        frame = result.frame
        for column in ("urn", "sen_provision", "primary_need"):
            if column not in frame or frame[column].isna().all():
                continue
            blank = int(frame[column].isna().sum())
            if blank:
                words = {"urn": "school", "sen_provision": "SEN provision", "primary_need": "primary need"}[column]
                report.issues.append(
                    LoadIssue(
                        result.path.name,
                        f"{blank} row(s) have a blank {column}: they count in the whole area's "
                        f"figures but not in views by {words}",
                        fatal=False,
                    )
                )


def build_tables(
    source: Path,
    boundaries: Path | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    data_kind: str = "real",
    description: str = "",
    area_kind: str = "borough",
) -> tuple[dict[str, pd.DataFrame], LoadReport]:
    """Validate every extract in source and return the warehouse tables, or a report of what is wrong."""
    report = LoadReport()
    known: dict[str, set[str]] = {}
    parsed = parse_extracts(source, known, report)
    if parsed is None or report.errors:
        return {}, report
    tables = place_tables(parsed, report) | fact_tables(parsed)
    extras = extra_tables(source, parsed, known, tables, report)
    if extras is None:
        return {}, report
    if boundaries is not None:
        geometry = area_geometry(
            boundaries, code_field or "area_code", name_field, set(tables["area"]["area_code"]), report
        )
        if geometry is None:
            return {}, report
        tables["area_geometry"] = geometry
    tables |= version_tables(
        source, list(parsed.values()) + extras, boundaries, tables, data_kind, description, Area(area_kind)
    )
    return tables, report


def parse_extracts(source: Path, known: dict[str, set[str]], report: LoadReport) -> dict[str, ParsedFile] | None:
    """Parse mapping.csv, the dimension files and the dataset files; known gathers the codes each dimension holds."""
    parsed: dict[str, ParsedFile] = {}
    mapping = None
    if (source / MAPPING.filename).exists():
        mapping = parse_template_file(source / MAPPING.filename, MAPPING, known, report)
        if mapping is None:
            return None
        parsed["mapping"] = mapping
        known["localities.locality_code"] = set(mapping.frame["locality_code"].dropna()) | {UNMAPPED}
        known["clusters.cluster_code"] = set(mapping.frame["cluster_code"].dropna())
    for template in DIMENSIONS + FACTS:
        path = _locate(source, template, report)
        if path is None:
            if mapping is not None and template in MAPPED_DIMENSIONS:
                continue
            if template.dimension:
                report.issues.append(
                    LoadIssue(template.filename, f"is missing from {source}; the {template.title.lower()} are required")
                )
            else:
                report.issues.append(
                    LoadIssue(
                        template.filename,
                        f"not supplied: the {template.title.lower()} views will be empty",
                        fatal=False,
                    )
                )
            continue
        broken = sorted(
            {
                c.references.split(".")[0]
                for c in template.columns + template.pupil_columns
                if c.references and c.references not in known
            }
        )
        if broken:
            # Checking codes against a dimension that failed would bury the real problem under echoes of it.
            report.issues.append(
                LoadIssue(
                    path.name,
                    f"not checked: it refers to {', '.join(b + '.csv' for b in broken)}, which must load cleanly first",
                )
            )
            continue
        result = parse_template_file(path, template, known, report)
        if result is None:
            continue
        parsed[template.name] = result
        if template.dimension:  # facts refer to dimensions, never to other facts
            for column in result.frame.columns:
                codes = set(result.frame[column].dropna().astype(str))
                name = f"{template.name}.{column}"
                known[name] = known.get(name, set()) | codes if template in MAPPED_DIMENSIONS else codes
    return parsed


def place_tables(parsed: dict[str, ParsedFile], report: LoadReport) -> dict[str, pd.DataFrame]:
    """The dimension tables: localities, clusters, small areas and schools placed in them, and the needs."""
    mapping = parsed.get("mapping")
    localities, clusters, areas, schools = place_in_localities(
        parsed.get("localities"),
        parsed.get("clusters"),
        parsed["areas"].frame,
        parsed["schools"].frame,
        mapping.frame if mapping is not None else None,
        report,
    )
    _report_unknown_breakdowns(parsed, report)
    return {
        "locality": localities,
        "cluster": clusters,
        "area": areas,
        "school": schools,
        "need": pd.DataFrame(
            [(n.code, n.label, n.broad_area) for n in NEEDS], columns=["need_code", "need_label", "broad_area"]
        ),
    }


def fact_tables(parsed: dict[str, ParsedFile]) -> dict[str, pd.DataFrame]:
    """The fact tables (pupil-level rows counted), the periods they cover, and each dataset's span."""
    tables: dict[str, pd.DataFrame] = {}
    years: set[str] = set()
    status_rows = []
    for template in FACTS:
        if template.name not in parsed:
            continue
        frame = fact_table(parsed[template.name], template)
        tables[DATASET_TABLES[template.name]] = frame
        data_years = sorted(frame["academic_year"].dropna().unique())
        years.update(data_years)
        status_rows.append((template.name, len(frame), data_years[0], data_years[-1]))
    periods = period_table(years)
    tables["period"] = periods
    ends = periods[periods["term"] == FULL_YEAR].set_index("academic_year")["end_date"]
    tables["dataset_status"] = pd.DataFrame(
        [(name, rows, first, latest, ends[latest]) for name, rows, first, latest in status_rows],
        columns=["dataset", "rows_loaded", "first_year", "latest_year", "as_of"],
    )
    return tables


def extra_tables(
    source: Path,
    parsed: dict[str, ParsedFile],
    known: dict[str, set[str]],
    tables: dict[str, pd.DataFrame],
    report: LoadReport,
) -> list[ParsedFile] | None:
    """Add events, benchmarks, reasons for exclusion and board targets to tables; returns the files read, or None if one
    failed."""
    read: list[ParsedFile] = []
    extras = (
        (EVENTS, "event", event_table),
        (BENCHMARKS, "benchmark", lambda frame: frame),
        (REASONS, "exclusion_reason", lambda frame: frame),
        (TARGETS, "board_target", lambda frame: frame.rename(columns={"year": "academic_year"})),
    )
    for template, table, shape in extras:
        path = source / template.filename
        if not path.exists():
            continue
        result = parse_template_file(path, template, known, report)
        if result is None:
            return None
        tables[table] = shape(result.frame)
        read.append(result)
    excluded = parsed.get("exclusions")
    if excluded is not None and excluded.pupil_level and excluded.frame["reason"].notna().any():
        if "exclusion_reason" in tables:
            report.issues.append(
                LoadIssue(
                    REASONS.filename,
                    "is used for reasons; the reasons in the pupil-level exclusions are not",
                    fatal=False,
                )
            )
        else:
            tables["exclusion_reason"] = aggregate_reasons(excluded.frame)
    return read


def version_tables(
    source: Path,
    files: list[ParsedFile],
    boundaries: Path | None,
    tables: dict[str, pd.DataFrame],
    data_kind: str,
    description: str,
    area: Area,
) -> dict[str, pd.DataFrame]:
    """The version's own record: the files it was built from with their checksums, its name and kind, and what its
    sentences call the whole area."""
    sources = [(p.path.name, p.sha256, len(p.frame), "pupil-level" if p.pupil_level else "aggregated") for p in files]
    if boundaries is not None:
        sources.append((Path(boundaries).name, sha256_of(Path(boundaries)), len(tables["area_geometry"]), "boundaries"))
    content = hashlib.sha256("".join(s[1] for s in sources).encode()).hexdigest()[:8]
    now = dt.datetime.now().replace(microsecond=0)
    return {
        "load_source": pd.DataFrame(sources, columns=["file", "sha256", "rows_read", "form"]),
        "load_version": pd.DataFrame(
            [
                (
                    f"{now:%Y%m%d-%H%M%S}-{content}",
                    now,
                    data_kind,
                    description or f"Loaded from {source.name}",
                    area.kind,
                )
            ],
            columns=LOAD_VERSION_COLUMNS,
        ),
    }


def load(source: Path, db_path: Path, threshold: int | None = None, **options) -> LoadReport:
    """Validate source and, only if it is all good, protect its publication and serve it as a new version at db_path.

    threshold is the suppression threshold the version is published at (SUPPRESSION_THRESHOLD by default). Every
    load, kept or refused, writes a data-quality report into the versions folder; report.path names it.
    """
    tables, report = build_tables(Path(source), **options)
    db_path = Path(db_path)
    if report.errors:
        report.path = write_quality_report(db_path, Path(source), report, {})
        raise IngestError(report)
    tables |= publication_tables(tables, Config().suppression_threshold if threshold is None else threshold)
    before = served_families(db_path)
    stored = write_warehouse(db_path, tables)
    report.path = write_quality_report(db_path, Path(source), report, tables, stored.stem, before)
    return report


def served_families(db_path: Path) -> pd.DataFrame | None:
    """What the version served at db_path hid per family (publication_family), if it was published at all."""
    if not Path(db_path).exists():
        return None
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        present = set(con.execute("SELECT table_name FROM information_schema.tables").df()["table_name"])
        return con.execute("SELECT * FROM publication_family").df() if "publication_family" in present else None
    finally:
        con.close()


def publication_tables(tables: dict[str, pd.DataFrame], threshold: int) -> dict[str, pd.DataFrame]:
    """The version's publication: every cell the app may show, protected once, jointly, at threshold (a country's
    LA by LA, then its national figures jointly)."""
    version = tables.get("load_version")
    country = version is not None and "area_kind" in version and (version["area_kind"] == "country").any()
    publication = publish_by_la(tables, threshold) if country else publish(tables, threshold)
    return {
        "published": publication.published,
        "publication": publication.publication,
        "publication_family": publication.families,
        "publication_relation": publication.relations,
    }


def served_tables(db_path: Path) -> dict[str, pd.DataFrame]:
    """The tables of the version served at db_path, by name, without its publication."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        present = set(con.execute("SELECT table_name FROM information_schema.tables").df()["table_name"])
        tables = {name: con.execute(f"SELECT * FROM {name}").df() for name in TABLE_ORDER if name in present}
    finally:
        con.close()
    for name in ("published", "publication", "publication_family", "publication_relation"):
        tables.pop(name, None)
    return tables


def republish(db_path: Path, threshold: int) -> Path:
    """Protect the version served at db_path again, at threshold, and serve the result as a new version."""
    tables = served_tables(db_path)
    tables |= publication_tables(tables, threshold)
    now = dt.datetime.now().replace(microsecond=0)
    old = tables["load_version"].iloc[0]
    # The same sources' content, and the threshold: a version protected again within the second it was loaded in
    # must not take its name (the version named is the version read, and every look-up is kept by its name).
    content = str(old["version"]).split("-")[2] if str(old["version"]).count("-") >= 2 else "republished"
    name = f"{now:%Y%m%d-%H%M%S}-{content}-t{threshold}"
    kept = {path.stem for path in versions_folder(Path(db_path)).glob("*.duckdb")}
    name = next(f"{name}-{n}" for n in itertools.count(2) if f"{name}-{n}" not in kept) if name in kept else name
    tables["load_version"] = pd.DataFrame(
        [
            (
                name,
                now,
                old["data_kind"],
                f"{old['description']}; protected again at threshold {threshold}",
                old.get("area_kind", BOROUGH.kind),
            )
        ],
        columns=LOAD_VERSION_COLUMNS,
    )
    before = served_families(Path(db_path))
    stored = write_warehouse(Path(db_path), tables)
    write_quality_report(Path(db_path), Path(db_path), LoadReport(), tables, stored.stem, before)
    return stored
