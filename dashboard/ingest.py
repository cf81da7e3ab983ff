"""Load extract files into a new warehouse version: parse, validate with pandera, aggregate, swap in.

Usage: python -m dashboard.ingest load --source DIR [--boundaries FILE --code-field FIELD] [--db PATH] [--dry-run]
       python -m dashboard.ingest versions | rollback [--db PATH]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pandera.pandas as pa

from dashboard.config import Config
from dashboard.geo import BoundaryError, geometry_json, read_boundaries
from dashboard.reference import (
    EES_SYMBOLS,
    FULL_YEAR,
    NEEDS,
    OUT_OF_BOROUGH,
    PHASES,
    TERMS,
    UNMAPPED,
    UNMAPPED_NAME,
    academic_year_label,
    academic_year_start,
    age_band,
)
from dashboard.schema import (
    MAPPED_DIMENSIONS,
    MAPPING,
    OPTIONAL_PUPIL_COLUMNS,
    REASONS,
    ATTENDANCE,
    BENCHMARKS,
    BENCHMARK_BREAKDOWNS,
    DIMENSIONS,
    EVENTS,
    EXCLUSIONS,
    FACTS,
    Column,
    LoadIssue,
    LoadReport,
    Template,
)
from dashboard.warehouse import current_version, list_versions, rollback, versions_folder, write_warehouse

MAX_ISSUES_PER_FILE = 50
# What leaving a breakdown out of an aggregated file means, as the load report says it.
BREAKDOWN_LEFT_OUT = {
    "term": "every row is taken as a full academic year",
    "urn": "figures are for the borough as a whole; views by school, cluster or phase will say they are not available",
    "home_area_code": "where pupils live is not known; views by home area, ward or locality will say so",
    "sen_provision": "SEN provision is not known; views by SEN provision will say so",
    "primary_need": "primary need is not known; views by need will say so",
    "age_band": "age is not known",
    "setting_type": "the setting of each plan is not known",
}
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


@dataclass
class ParsedFile:
    """A validated file: typed rows, which form it came in, and its checksum."""

    frame: pd.DataFrame
    pupil_level: bool
    path: Path
    sha256: str


def sha256_of(path: Path) -> str:
    """Checksum of a file, recorded with each version so a load can be traced to its inputs."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_text_csv(path: Path, issues: list[LoadIssue]) -> pd.DataFrame | None:
    """Read a CSV with every cell as text; report an empty file or a missing header."""
    if path.stat().st_size == 0 or not path.read_bytes()[:4096].strip():
        issues.append(LoadIssue(path.name, "the file is empty: it needs a header row and at least one data row"))
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        issues.append(LoadIssue(path.name, f"cannot be read as CSV ({exc})"))
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        issues.append(LoadIssue(path.name, "has a header but no data rows"))
        return None
    return frame


def _is_academic_year(label: str) -> bool:
    try:
        academic_year_start(label)
    except ValueError:
        return False
    return True


def _parse_column(values: pd.Series, column: Column, file: str, issues: list[LoadIssue],
                  symbols: dict[str, pd.Series] | None = None) -> pd.Series:
    """Turn text cells into typed values; a cell that does not parse is reported and left blank.

    Where symbols is given and the column allows them, an EES symbol (c, low, x, z, u) is kept in
    symbols[column] and the number left blank, so the dashboard can show the symbol where the number would be.
    """
    text = values.astype(str).str.strip()
    blank = text.eq("")
    if symbols is not None and column.symbols:
        symbol = text.str.lower().where(text.str.lower().isin(list(EES_SYMBOLS)))
        if symbol.notna().any():
            symbols[column.name] = symbol
            text = text.mask(symbol.notna(), "")
        if column.required:
            for index in text.index[blank][:MAX_ISSUES_PER_FILE]:
                issues.append(LoadIssue(file, f"is blank: expected a number or an EES symbol ({', '.join(EES_SYMBOLS)})",
                                        row=int(index) + 2, column=column.name, value=""))
        blank = text.eq("")
    if column.name == "home_area_code":
        blank |= text.str.upper().eq(OUT_OF_BOROUGH)
    if column.kind in ("text", "code"):
        parsed = text.mask(blank).astype(object)
        if column.allowed:
            # Accept any letter case for fixed codes ('ehcp', 'EHCP'), store the canonical spelling.
            canonical = {a.lower(): a for a in column.allowed}
            spelling = {v: canonical.get(v.lower(), v) for v in parsed.dropna().unique()}
            parsed = parsed.map(spelling)
        return parsed
    if column.kind == "int":
        ok = text.str.fullmatch(r"-?\d+")
        parsed = pd.to_numeric(text.where(ok), errors="coerce").astype("Int64")
        message = "expected a whole number"
    elif column.kind == "float":
        parsed = pd.to_numeric(text.mask(blank), errors="coerce")
        ok = parsed.notna()
        message = "expected a number"
    elif column.kind == "date":
        parsed = pd.to_datetime(text.mask(blank), format="%Y-%m-%d", errors="coerce")
        ok = parsed.notna()
        message = "expected a date written YYYY-MM-DD"
    elif column.kind == "year":
        ok = text.isin([label for label in text.unique() if _is_academic_year(label)])
        parsed = text.where(ok).astype(object)
        message = "expected an academic year written like 2023/24"
    else:  # pragma: no cover - the templates only use the kinds above
        raise ValueError(column.kind)
    for index in text.index[~blank & ~ok.fillna(False).astype(bool)][:MAX_ISSUES_PER_FILE]:
        issues.append(LoadIssue(file, message, row=int(index) + 2, column=column.name, value=text[index]))
    return parsed


def symbols_column(symbols: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """One text per row naming the counts given as symbols, e.g. 'exclusions=c;pupils_excluded=c' (None where none)."""
    parts = pd.DataFrame({name: (name + "=" + series).where(series.notna()) for name, series in symbols.items()}, index=index)
    joined = parts.apply(lambda row: ";".join(row.dropna()), axis=1)
    return joined.where(joined != "", None).astype(object)


def _pandera_schema(columns: tuple[Column, ...], key: tuple[str, ...], known: dict[str, set[str]],
                    symbolic: bool = False) -> pa.DataFrameSchema:
    """Build the pandera schema for one form of a template, with references checked against loaded codes.

    symbolic: counts may be blank because an EES symbol stands in their place (blanks are checked when parsing).
    """
    spec = {}
    for column in columns:
        checks = []
        if column.allowed:
            checks.append(pa.Check.isin(list(column.allowed), error=f"is not one of {', '.join(column.allowed)}"))
        if column.references:
            target = column.references.split(".")[0]
            checks.append(pa.Check.isin(sorted(known.get(column.references, set())), error=f"is not in {target}.csv"))
        if column.minimum is not None:
            checks.append(pa.Check.ge(column.minimum, error=f"must be {column.minimum:g} or more"))
        if column.maximum is not None:
            checks.append(pa.Check.le(column.maximum, error=f"must be {column.maximum:g} or less"))
        spec[column.name] = pa.Column(nullable=not column.required or (symbolic and column.symbols), checks=checks)
    return pa.DataFrameSchema(spec, unique=list(key), report_duplicates="exclude_first")


def _describe_failures(cases: pd.DataFrame, frame: pd.DataFrame, key: tuple[str, ...], file: str) -> list[LoadIssue]:
    """Turn pandera's failure cases into located messages an officer can act on."""
    issues = []
    joined_keys = None
    for case in cases.itertuples(index=False):
        index = None if pd.isna(case.index) else int(case.index)
        row = None if index is None else index + 2
        check = str(case.check)
        value = None if pd.isna(case.failure_case) else str(case.failure_case)
        if check == "not_nullable":
            issues.append(LoadIssue(file, "is blank but a value is required", row, case.column))
        elif check in ("multiple_fields_uniqueness", "field_uniqueness"):
            if index is None or any(issue.row == row and "repeats" in issue.message for issue in issues):
                continue
            if joined_keys is None:
                joined_keys = frame[list(key)].astype(str).agg("|".join, axis=1)
                first_row = pd.Series(joined_keys.index, index=joined_keys.values)
                first_row = first_row[~first_row.index.duplicated()]
            first = int(first_row[joined_keys[index]]) + 2
            described = ", ".join(f"{k}={frame.at[index, k]}" for k in key)
            issues.append(LoadIssue(file, f"repeats the key of row {first} ({described}); each key may appear once", row, None))
        elif check == "column_in_dataframe":
            issues.append(LoadIssue(file, f"missing column '{value}'"))
        else:
            issues.append(LoadIssue(file, check, row, None if pd.isna(case.column) else case.column, value))
    return issues


def _may_leave_out(template: Template, pupil_level: bool) -> dict[str, str | None]:
    """Columns a file of this template may lack, each with what the load report says of it (None: nothing to say)."""
    if pupil_level:
        # An extract from before the column was added: nothing known, nothing lost.
        return {name: "it is left blank" for name in OPTIONAL_PUPIL_COLUMNS}
    if template is BENCHMARKS:
        return {name: None for name in BENCHMARK_BREAKDOWNS}  # a file from before these columns: all pupils
    if template.dimension:
        return {}
    # A public file without this breakdown: its figures count in totals, never in cuts by it.
    return dict(BREAKDOWN_LEFT_OUT)


def parse_template_file(path: Path, template: Template, known: dict[str, set[str]], report: LoadReport) -> ParsedFile | None:
    """Read, type and validate one template file; every problem goes into the report with its location."""
    issues: list[LoadIssue] = []
    raw = read_text_csv(path, issues)
    if raw is None:
        report.issues.extend(issues)
        return None
    pupil_level = "pupil_id" in raw.columns and bool(template.pupil_columns)
    columns, key = template.form(pupil_level)
    expected = [c.name for c in columns]
    missing = [name for name in expected if name not in raw.columns]
    for name, note in _may_leave_out(template, pupil_level).items():
        if name in missing:
            raw[name] = FULL_YEAR if name == "term" else ""
            if note:
                report.issues.append(LoadIssue(path.name, f"has no column '{name}': {note}", fatal=False))
    missing = [name for name in missing if name not in raw.columns]
    if missing:
        form = "pupil-level" if pupil_level else "aggregated"
        report.issues.append(
            LoadIssue(path.name, f"missing column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
                      f"(the {form} {template.name} template has: {', '.join(expected)})")
        )
        return None
    extra = [c for c in raw.columns if c not in expected]
    if extra:
        report.issues.append(LoadIssue(path.name, f"ignored unknown column(s) {', '.join(extra)}", fatal=False))
    # Aggregated files may carry EES symbols in place of counts; pupil-level rows are always whole numbers.
    symbols: dict[str, pd.Series] | None = None if pupil_level else {}
    typed = pd.DataFrame({c.name: _parse_column(raw[c.name], c, path.name, issues, symbols) for c in columns}, index=raw.index)
    if symbols:
        typed["symbols"] = symbols_column(symbols, typed.index)
    unparsed = {(i.row, i.column) for i in issues}
    schema = _pandera_schema(columns, key, known, symbolic=symbols is not None)
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for issue in _describe_failures(exc.failure_cases, typed, key, path.name):
            # A cell already reported as unparseable is blank now; do not report it twice.
            if (issue.row, issue.column) not in unparsed:
                issues.append(issue)
    issues.extend(_consistency_issues(typed, template, pupil_level, path.name))
    if len(issues) > MAX_ISSUES_PER_FILE:
        more = len(issues) - MAX_ISSUES_PER_FILE
        issues = issues[:MAX_ISSUES_PER_FILE] + [LoadIssue(path.name, f"and {more} more problems in this file")]
    report.issues.extend(issues)
    if issues:
        return None
    return ParsedFile(typed, pupil_level, path, sha256_of(path))


def _consistency_issues(frame: pd.DataFrame, template: Template, pupil_level: bool, file: str) -> list[LoadIssue]:
    """Checks across columns of one row: parts cannot exceed their whole."""
    rules: list[tuple[str, pd.Series, str]] = []
    if template is ATTENDANCE:
        missed = frame["sessions_authorised"] + frame["sessions_unauthorised"]
        rules.append(("sessions_possible", missed > frame["sessions_possible"], "sessions missed exceed sessions possible"))
        if not pupil_level:
            rules.append(("persistent_absentees", frame["persistent_absentees"] > frame["enrolments"], "more persistent absentees than enrolments"))
            rules.append(("severe_absentees", frame["severe_absentees"] > frame["persistent_absentees"], "more severe than persistent absentees"))
    if template is EXCLUSIONS and not pupil_level:
        # A blank-URN row holds the rest of a total, gathered from several schools' hidden figures: its
        # parts need not be in proportion, so it is not held to this rule.
        rules.append(("pupils_excluded", (frame["pupils_excluded"] > frame["exclusions"]) & frame["urn"].notna(),
                      "more pupils excluded than exclusions"))
    issues = []
    for column, failing, message in rules:
        for index in frame.index[failing.fillna(False).astype(bool)][:MAX_ISSUES_PER_FILE]:
            issues.append(LoadIssue(file, message, int(index) + 2, column, str(frame.at[index, column])))
    return issues


# ---------------------------------------------------------------------------------------------
# Pupil-level rows become counts here; the pupil ID goes no further.

def _group(frame: pd.DataFrame, keys: list[str]):
    return frame.groupby(keys, dropna=False, sort=True)


def aggregate_census(rows: pd.DataFrame) -> pd.DataFrame:
    """Pupils on roll per cell from one row per pupil and school."""
    keys = ["academic_year", "urn", "home_area_code", "sen_provision", "primary_need"]
    return _group(rows, keys)["pupil_id"].nunique().rename("pupils").reset_index()


def aggregate_exclusions(rows: pd.DataFrame) -> pd.DataFrame:
    """Exclusions, pupils excluded and sessions lost per cell, per term and for the full year."""
    cell = ["urn", "home_area_code", "sen_provision", "primary_need", "exclusion_type"]
    frames = []
    for keys, term in ((["academic_year", "term"] + cell, None), (["academic_year"] + cell, FULL_YEAR)):
        grouped = _group(rows, keys).agg(
            exclusions=("pupil_id", "size"), pupils_excluded=("pupil_id", "nunique"), sessions_lost=("sessions_lost", "sum")
        ).reset_index()
        if term:
            grouped["term"] = term
        frames.append(grouped)
    return pd.concat(frames, ignore_index=True)


def aggregate_reasons(rows: pd.DataFrame) -> pd.DataFrame:
    """Exclusions per academic year, school, type and main reason, from pupil-level exclusions that give one."""
    rows = rows[rows["reason"].notna()]
    keys = ["academic_year", "urn", "exclusion_type", "reason"]
    return _group(rows, keys)["pupil_id"].size().rename("exclusions").reset_index().assign(phase=None)


def aggregate_attendance(rows: pd.DataFrame) -> pd.DataFrame:
    """Enrolments, sessions and persistent / severe absentees per cell, per term and for the full year.

    Persistent (10%+) and severe (50%+) absence is decided per enrolment over the period reported,
    as DfE does, so full-year figures come from each pupil's full-year sessions, not from the terms.
    """
    cell = ["urn", "home_area_code", "sen_provision", "primary_need"]
    rows = rows.assign(sessions_missed=rows["sessions_authorised"] + rows["sessions_unauthorised"])
    sessions = ["sessions_possible", "sessions_authorised", "sessions_unauthorised", "sessions_missed"]
    per_term = rows.assign(term=rows["term"])
    per_year = _group(rows, ["pupil_id", "academic_year"] + cell)[sessions].sum().reset_index().assign(term=FULL_YEAR)
    frames = []
    for enrolment in (per_term, per_year):
        rate = enrolment["sessions_missed"] / enrolment["sessions_possible"].where(enrolment["sessions_possible"] > 0)
        enrolment = enrolment.assign(persistent_absentees=(rate >= 0.1).astype(int), severe_absentees=(rate >= 0.5).astype(int))
        frames.append(
            _group(enrolment, ["academic_year", "term"] + cell)
            .agg(
                enrolments=("pupil_id", "nunique"),
                **{s: (s, "sum") for s in sessions},
                persistent_absentees=("persistent_absentees", "sum"),
                severe_absentees=("severe_absentees", "sum"),
            )
            .reset_index()
        )
    return pd.concat(frames, ignore_index=True)


def aggregate_ehcp(rows: pd.DataFrame) -> pd.DataFrame:
    """Plans per cell from one row per plan holder."""
    rows = rows.assign(age_band=rows["age"].astype(int).map(age_band))
    keys = ["academic_year", "home_area_code", "age_band", "primary_need", "setting_type", "urn"]
    return _group(rows, keys)["pupil_id"].nunique().rename("plans").reset_index()


AGGREGATORS = {"census": aggregate_census, "exclusions": aggregate_exclusions, "attendance": aggregate_attendance, "ehcp": aggregate_ehcp}


def _fact_table(parsed: ParsedFile, template: Template) -> pd.DataFrame:
    frame = parsed.frame
    if parsed.pupil_level:
        frame = AGGREGATORS[template.name](frame)
    elif template is ATTENDANCE:
        frame = frame.assign(sessions_missed=frame["sessions_authorised"] + frame["sessions_unauthorised"])
        if "symbols" in frame:
            # Sessions missed are the two kinds added: a symbol on either stands for the sum too.
            missed = frame["symbols"].str.extract(r"sessions_(?:un)?authorised=([a-z]+)")[0]
            frame["symbols"] = frame["symbols"].where(missed.isna(), frame["symbols"] + ";sessions_missed=" + missed)
    return frame.drop(columns=["pupil_id"], errors="ignore")


# ---------------------------------------------------------------------------------------------

def period_table(years: set[str]) -> pd.DataFrame:
    """Terms and full years for every academic year present; term dates are the usual English ones."""
    rows = []
    for label in sorted(years):
        start = academic_year_start(label)
        spans = {
            "Autumn": (dt.date(start, 9, 1), dt.date(start, 12, 31)),
            "Spring": (dt.date(start + 1, 1, 1), dt.date(start + 1, 3, 31)),
            "Summer": (dt.date(start + 1, 4, 1), dt.date(start + 1, 8, 31)),
            FULL_YEAR: (dt.date(start, 9, 1), dt.date(start + 1, 8, 31)),
        }
        for order, term in enumerate(TERMS + (FULL_YEAR,), start=1):
            code = label if term == FULL_YEAR else f"{label} {term}"
            rows.append((label, term, code, order, *spans[term]))
    return pd.DataFrame(rows, columns=["academic_year", "term", "period_code", "term_order", "start_date", "end_date"])


def event_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Events with the academic year and term they fall in, so charts by year or term can place them."""
    dates = pd.to_datetime(frame["date"])
    start = dates.dt.year - (dates.dt.month < 9)
    term = np.select([dates.dt.month >= 9, dates.dt.month <= 3], ["Autumn", "Spring"], "Summer")
    return pd.DataFrame({
        "event_date": dates.dt.date,
        "label": frame["label"],
        "academic_year": [academic_year_label(int(y)) for y in start],
        "term": term,
    })


def _locate(source: Path, template: Template, report: LoadReport) -> Path | None:
    candidates = [source / template.filename]
    if template.pupil_columns:
        candidates.append(source / template.pupil_filename)
    present = [p for p in candidates if p.exists()]
    if len(present) > 1:
        report.issues.append(LoadIssue(present[1].name, f"both {present[0].name} and {present[1].name} exist; supply one form of {template.name}"))
        return None
    return present[0] if present else None


def place_in_localities(localities: ParsedFile | None, clusters: ParsedFile | None, areas: pd.DataFrame,
                        schools: pd.DataFrame, mapping: pd.DataFrame | None,
                        report: LoadReport) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Give every area a locality and every school a cluster, from the files or mapping.csv; list what is left over.

    A small area's own mapping row wins over its ward's. A school with no cluster joins its locality's
    cluster for its phase ("North primary schools"), its locality being its own mapping row's, else that
    of the area it stands in. Whatever still has no place goes to the "Not mapped" locality, and the
    report names each one.
    """
    mapping = mapping if mapping is not None else pd.DataFrame(columns=[c.name for c in MAPPING.columns])
    rows = {level: part.set_index("code") for level, part in mapping.groupby("level")}
    empty = pd.DataFrame(columns=["locality_code", "locality_name", "cluster_code", "cluster_name"])
    area_rows, ward_rows, school_rows = (rows.get(level, empty) for level in ("area", "ward", "school"))
    names = {} if localities is None else dict(localities.frame[["locality_code", "locality_name"]].itertuples(index=False))
    for code, name in mapping[["locality_code", "locality_name"]].dropna(subset=["locality_code"]).itertuples(index=False):
        names.setdefault(code, name if isinstance(name, str) else code)

    def look_up(keys: pd.Series, values: pd.Series) -> pd.Series:
        return keys.map(values).astype(object)  # an empty mapping gives float NaN, which text must not be filled from

    areas = areas.assign(locality_code=areas["locality_code"].astype(object).fillna(look_up(areas["area_code"], area_rows["locality_code"]))
                         .fillna(look_up(areas["ward_code"], ward_rows["locality_code"])))
    unplaced = areas[areas["locality_code"].isna()]
    if len(unplaced):
        report.issues.append(LoadIssue("areas.csv", f"{len(unplaced)} small area(s) have no locality in areas.csv or mapping.csv "
                                       f"and are shown as '{UNMAPPED_NAME}': {', '.join(_listed(unplaced, 'area_code', 'ward_name'))}", fatal=False))
        areas["locality_code"] = areas["locality_code"].fillna(UNMAPPED)

    # Each school's locality: its own mapping row's, else its area's.
    locality = (look_up(schools["urn"], school_rows["locality_code"])
                .fillna(look_up(schools["area_code"], areas.set_index("area_code")["locality_code"])).fillna(UNMAPPED))
    cluster_rows = [] if clusters is None else list(clusters.frame[["cluster_code", "cluster_name", "locality_code"]].itertuples(index=False, name=None))
    known = {code for code, _, _ in cluster_rows}
    for urn, row in school_rows.dropna(subset=["cluster_code"]).iterrows():
        if row.cluster_code not in known:  # a cluster named only in the mapping, in its first school's locality
            known.add(row.cluster_code)
            cluster_rows.append((row.cluster_code, row.cluster_name if isinstance(row.cluster_name, str) else row.cluster_code,
                                 locality[schools["urn"] == urn].iat[0] if (schools["urn"] == urn).any() else UNMAPPED))
    schools = schools.assign(cluster_code=schools["cluster_code"].astype(object).fillna(look_up(schools["urn"], school_rows["cluster_code"])))
    unclustered = schools["cluster_code"].isna()
    if unclustered.any():
        defaults = locality + "-" + schools["phase"]
        schools.loc[unclustered, "cluster_code"] = defaults[unclustered]
        for code, place, phase in sorted(set(zip(defaults[unclustered], locality[unclustered], schools.loc[unclustered, "phase"]))):
            cluster_rows.append((code, f"{names.get(place, UNMAPPED_NAME)} {PHASES[phase].lower()} schools", place))
        report.issues.append(LoadIssue("schools.csv", f"{int(unclustered.sum())} school(s) have no cluster in schools.csv or "
                                       "mapping.csv and join their locality's cluster for their phase", fatal=False))
        homeless = schools[unclustered & locality.eq(UNMAPPED)]
        if len(homeless):
            report.issues.append(LoadIssue("schools.csv", f"{len(homeless)} school(s) stand outside every mapped area and are shown "
                                           f"as '{UNMAPPED_NAME}': {', '.join(_listed(homeless, 'urn', 'school_name'))}", fatal=False))
    clusters_frame = pd.DataFrame(cluster_rows, columns=["cluster_code", "cluster_name", "locality_code"]).drop_duplicates("cluster_code")
    used = set(areas["locality_code"]) | set(clusters_frame["locality_code"])
    if UNMAPPED in used:
        names[UNMAPPED] = UNMAPPED_NAME
    unnamed = sorted(used - set(names))
    if unnamed:
        report.issues.append(LoadIssue("mapping.csv", f"locality code(s) {', '.join(unnamed)} have no name in localities.csv or mapping.csv"))
    localities_frame = pd.DataFrame(sorted((code, name) for code, name in names.items() if code in used or localities is not None),
                                    columns=["locality_code", "locality_name"])
    return localities_frame, clusters_frame, areas, schools


def _listed(frame: pd.DataFrame, code: str, name: str, most: int = 20) -> list[str]:
    """'code (name)' for the first few rows, and how many more."""
    shown = [f"{c} ({n})" for c, n in zip(frame[code], frame[name])][:most]
    return shown + ([f"and {len(frame) - most} more"] if len(frame) > most else [])


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
                report.issues.append(LoadIssue(result.path.name, f"{blank} row(s) have a blank {column}: they count in the borough's "
                                               f"figures but not in views by {words}", fatal=False))


def build_tables(
    source: Path,
    boundaries: Path | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    data_kind: str = "real",
    description: str = "",
) -> tuple[dict[str, pd.DataFrame], LoadReport]:
    """Validate every extract in source and return the warehouse tables, or a report of what is wrong."""
    report = LoadReport()
    known: dict[str, set[str]] = {}
    parsed: dict[str, ParsedFile] = {}
    mapping = None
    if (source / MAPPING.filename).exists():
        mapping = parse_template_file(source / MAPPING.filename, MAPPING, known, report)
        if mapping is None:
            return {}, report
        parsed["mapping"] = mapping
        known["localities.locality_code"] = set(mapping.frame["locality_code"].dropna()) | {UNMAPPED}
        known["clusters.cluster_code"] = set(mapping.frame["cluster_code"].dropna())
    for template in DIMENSIONS + FACTS:
        path = _locate(source, template, report)
        if path is None:
            if mapping is not None and template in MAPPED_DIMENSIONS:
                continue
            if template.dimension:
                report.issues.append(LoadIssue(template.filename, f"is missing from {source}; the {template.title.lower()} are required"))
            else:
                report.issues.append(LoadIssue(template.filename, f"not supplied: the {template.title.lower()} views will be empty", fatal=False))
            continue
        broken = sorted({c.references.split(".")[0] for c in template.columns + template.pupil_columns
                         if c.references and c.references not in known})
        if broken:
            # Checking codes against a dimension that failed would bury the real problem under echoes of it.
            report.issues.append(LoadIssue(path.name, f"not checked: it refers to {', '.join(b + '.csv' for b in broken)}, which must load cleanly first"))
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
    if report.errors:
        return {}, report
    localities, clusters, areas, schools = place_in_localities(
        parsed.get("localities"), parsed.get("clusters"), parsed["areas"].frame, parsed["schools"].frame,
        mapping.frame if mapping is not None else None, report)
    _report_unknown_breakdowns(parsed, report)

    tables: dict[str, pd.DataFrame] = {
        "locality": localities,
        "cluster": clusters,
        "area": areas,
        "school": schools,
        "need": pd.DataFrame([(n.code, n.label, n.broad_area) for n in NEEDS], columns=["need_code", "need_label", "broad_area"]),
    }
    years: set[str] = set()
    status_rows = []
    sources_extra: list[ParsedFile] = []
    for template in FACTS:
        if template.name not in parsed:
            continue
        frame = _fact_table(parsed[template.name], template)
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

    extras = ((EVENTS, "event", event_table), (BENCHMARKS, "benchmark", lambda frame: frame), (REASONS, "exclusion_reason", lambda frame: frame))
    for template, table, shape in extras:
        path = source / template.filename
        if not path.exists():
            continue
        result = parse_template_file(path, template, known, report)
        if result is None:
            return {}, report
        tables[table] = shape(result.frame)
        sources_extra.append(result)
    excluded = parsed.get("exclusions")
    if excluded is not None and excluded.pupil_level and excluded.frame["reason"].notna().any():
        if "exclusion_reason" in tables:
            report.issues.append(LoadIssue(REASONS.filename, "is used for reasons; the reasons in the pupil-level exclusions are not", fatal=False))
        else:
            tables["exclusion_reason"] = aggregate_reasons(excluded.frame)

    if boundaries is not None:
        geometry = _area_geometry(boundaries, code_field or "area_code", name_field, set(tables["area"]["area_code"]), report)
        if geometry is None:
            return {}, report
        tables["area_geometry"] = geometry

    sources = [(p.path.name, p.sha256, len(p.frame), "pupil-level" if p.pupil_level else "aggregated")
               for p in list(parsed.values()) + sources_extra]
    if boundaries is not None:
        sources.append((Path(boundaries).name, sha256_of(Path(boundaries)), len(tables["area_geometry"]), "boundaries"))
    tables["load_source"] = pd.DataFrame(sources, columns=["file", "sha256", "rows_read", "form"])
    content = hashlib.sha256("".join(s[1] for s in sources).encode()).hexdigest()[:8]
    now = dt.datetime.now().replace(microsecond=0)
    tables["load_version"] = pd.DataFrame(
        [(f"{now:%Y%m%d-%H%M%S}-{content}", now, data_kind, description or f"Loaded from {source.name}")],
        columns=["version", "loaded_at", "data_kind", "description"],
    )
    return tables, report


def _area_geometry(path: Path, code_field: str, name_field: str | None, area_codes: set[str], report: LoadReport) -> pd.DataFrame | None:
    try:
        frame: gpd.GeoDataFrame = read_boundaries(path, code_field, name_field)
    except BoundaryError as exc:
        report.issues.append(LoadIssue(Path(path).name, str(exc).split(": ", 1)[-1]))
        return None
    unknown = sorted(set(frame["code"]) - area_codes)
    if unknown:
        report.issues.append(LoadIssue(Path(path).name, f"{len(unknown)} boundary codes are not in areas.csv and were left out: {', '.join(unknown[:10])}", fatal=False))
    unmapped = sorted(area_codes - set(frame["code"]))
    if unmapped:
        report.issues.append(LoadIssue(Path(path).name, f"{len(unmapped)} areas in areas.csv have no boundary and will not be drawn: {', '.join(unmapped[:10])}", fatal=False))
    frame = frame[frame["code"].isin(area_codes)]
    return pd.DataFrame({"area_code": frame["code"].values, "geojson": [geometry_json(g) for g in frame.geometry]})


def load(source: Path, db_path: Path, **options) -> LoadReport:
    """Validate source and, only if it is all good, serve it as a new warehouse version at db_path.

    Every load, kept or refused, writes a data-quality report into the versions folder; report.path names it.
    """
    tables, report = build_tables(Path(source), **options)
    db_path = Path(db_path)
    if report.errors:
        report.path = write_quality_report(db_path, Path(source), report, {})
        raise IngestError(report)
    stored = write_warehouse(db_path, tables)
    report.path = write_quality_report(db_path, Path(source), report, tables, stored.stem)
    return report


def symbol_counts(tables: dict[str, pd.DataFrame]) -> list[tuple[str, str, str, int]]:
    """(table, column, symbol, cells) for every EES symbol kept in place of a number."""
    counted = []
    for name, frame in tables.items():
        if "symbols" not in frame or frame["symbols"].isna().all():
            continue
        cells = frame["symbols"].dropna().str.split(";").explode().str.split("=", expand=True)
        for (column, symbol), n in cells.value_counts().sort_index().items():
            counted.append((name, column, symbol, int(n)))
    return counted


def write_quality_report(db_path: Path, source: Path, report: LoadReport, tables: dict[str, pd.DataFrame],
                         version: str | None = None) -> Path:
    """A Markdown data-quality report: files read, rows loaded, what was refused and why, warnings and symbols."""
    folder = versions_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now().replace(microsecond=0)
    name = f"{version}.report.md" if version else f"refused-{now:%Y%m%d-%H%M%S}.report.md"
    lines = [f"# Data-quality report: {'version ' + version if version else 'load refused'}", "",
             f"- Source: `{source}`", f"- Run: {now:%Y-%m-%d %H:%M:%S}",
             f"- Outcome: {'loaded and now served' if version else f'refused with {len(report.errors)} problem(s); the warehouse being served was not changed'}", ""]
    if "load_source" in tables:
        lines += ["## Files loaded", "", "| File | Form | Rows read | SHA-256 |", "|---|---|---:|---|"]
        lines += [f"| {r.file} | {r.form} | {r.rows_read:,} | `{r.sha256}` |" for r in tables["load_source"].itertuples()]
        lines += ["", "## Rows per table", "", "| Table | Rows |", "|---|---:|"]
        lines += [f"| {name} | {len(frame):,} |" for name, frame in tables.items() if name not in ("load_source", "load_version")]
        lines.append("")
    for title, issues in (("Refused: what must be fixed", report.errors), ("Warnings: loaded, but worth checking", report.warnings)):
        if issues:
            lines += [f"## {title}", ""] + [f"- {issue}" for issue in issues] + [""]
    symbols = symbol_counts(tables)
    lines += ["## Values given as symbols (kept, shown as the symbol)", ""]
    if symbols:
        lines += ["| Table | Column | Symbol | Cells |", "|---|---|---|---:|"]
        lines += [f"| {t} | {c} | {s} ({EES_SYMBOLS.get(s, '?')}) | {n:,} |" for t, c, s, n in symbols]
    else:
        lines.append("None.")
    lines += ["", "Small numbers (1 to the threshold) are suppressed when shown, not at load: the warehouse keeps the counts.", ""]
    path = folder / name
    path.write_text("\n".join(lines))
    return path


def dry_run(source: Path, db_path: Path, **options) -> tuple[LoadReport, list[tuple[str, int, int, int]]]:
    """What a load would change, without changing anything: (report, [(table, added, changed, removed)])."""
    tables, report = build_tables(Path(source), **options)
    if report.errors:
        return report, []
    current: dict[str, pd.DataFrame] = {}
    if Path(db_path).exists():
        con = duckdb.connect(str(db_path), read_only=True)
        try:
            for name in tables:
                try:
                    current[name] = con.execute(f"SELECT * FROM {name}").df()
                except duckdb.Error:
                    pass  # a table the served version does not have: all its rows are new
        finally:
            con.close()
    changes = []
    for name, new in tables.items():
        if name in ("load_version", "load_source"):
            continue
        changes.append((name, *table_changes(current.get(name), new)))
    return report, changes


def table_changes(old: pd.DataFrame | None, new: pd.DataFrame) -> tuple[int, int, int]:
    """Rows (added, changed, removed) from old to new, matching rows on their text columns (codes, years, names)."""
    if old is None or old.empty:
        return len(new), 0, 0
    columns = [c for c in new.columns if c in old.columns]
    keys = [c for c in columns if new[c].dtype == object or str(new[c].dtype).startswith(("str", "string"))] or columns
    values = [c for c in columns if c not in keys]

    def normalised(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[columns].copy()
        for c in keys:
            frame[c] = frame[c].astype(str)
        for c in values:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float).round(9) if frame[c].dtype != object else frame[c].astype(str)
        return frame

    before, after = normalised(old), normalised(new)
    joined = before.merge(after, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
    added = int((joined["_merge"] == "right_only").sum())
    removed = int((joined["_merge"] == "left_only").sum())
    both = joined[joined["_merge"] == "both"]
    changed = 0
    if values and not both.empty:
        differs = pd.Series(False, index=both.index)
        for c in values:
            a, b = both[f"{c}_old"], both[f"{c}_new"]
            differs |= ~((a == b) | (a.isna() & b.isna()))
        changed = int(differs.sum())
    return added, changed, removed


def main(argv: list[str] | None = None) -> int:
    """Command line: load, dry-run, list versions or roll back. Each subcommand has --help."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("--") and argv[0] not in ("--help", "-h"):
        argv = ["load"] + argv  # 'python -m dashboard.ingest --source DIR' still means load
    parser = argparse.ArgumentParser(prog="python -m dashboard.ingest", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{load,versions,rollback}")
    loading = commands.add_parser("load", help="validate a folder of template CSVs and serve it as a new version",
                                  description="Validate a folder of template CSVs (see data/templates) and, if every file is good, "
                                              "serve it as a new warehouse version. A refused load changes nothing.")
    loading.add_argument("--source", type=Path, required=True, help="folder holding the template CSV files (see data/templates)")
    loading.add_argument("--boundaries", type=Path, help="small-area boundaries: GeoJSON, TopoJSON, GeoPackage or shapefile")
    loading.add_argument("--code-field", default="area_code", help="field of the boundary file holding the area code (default area_code)")
    loading.add_argument("--name-field", help="field holding the area name (default: guessed, e.g. LSOA21NM)")
    loading.add_argument("--data-kind", choices=("real", "synthetic"), default="real", help="say 'synthetic' for made-up data, shown on every page")
    loading.add_argument("--dry-run", action="store_true", help="check the files and say what would change (rows added, changed, removed per table), changing nothing")
    listing = commands.add_parser("versions", help="list the kept warehouse versions, marking the one being served",
                                  description="List every kept warehouse version, oldest first; * marks the one being served.")
    rolling = commands.add_parser("rollback", help="serve the version loaded before the one being served",
                                  description="Serve the version loaded before the one being served. Run it again to go further back.")
    for sub in (loading, listing, rolling):
        sub.add_argument("--db", type=Path, default=None, help="warehouse file (default: $INCLUSION_DB or data/warehouse.duckdb)")
    args = parser.parse_args(argv)
    db_path = args.db or Config().warehouse_path
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
    options = dict(boundaries=args.boundaries, code_field=args.code_field, name_field=args.name_field, data_kind=args.data_kind)
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
        report = load(args.source, db_path, **options)
    except IngestError as exc:
        print(f"Load refused: {len(exc.report.errors)} problem(s) found. The warehouse at {db_path} was not changed.", file=sys.stderr)
        for issue in exc.report.issues:
            print(("  error: " if issue.fatal else "  warning: ") + str(issue), file=sys.stderr)
        print(f"Data-quality report: {exc.report.path}", file=sys.stderr)
        return 1
    for issue in report.warnings:
        print(f"  warning: {issue}")
    print(f"Loaded {args.source} into {db_path}.")
    print(f"Data-quality report: {report.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
