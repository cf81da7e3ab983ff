"""Read one template file: text cells typed, EES symbols kept, every problem reported with its place."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from dashboard.domain.reference import EES_SYMBOLS, FULL_YEAR, OUT_OF_BOROUGH, academic_year_start
from dashboard.ingest.report import MAX_ISSUES_PER_FILE, LoadIssue, LoadReport
from dashboard.ingest.templates import (
    BENCHMARK_BREAKDOWNS,
    BENCHMARKS,
    OPTIONAL_PUPIL_COLUMNS,
    TARGETS,
    Column,
    Template,
)
from dashboard.ingest.validate import consistency_issues, describe_failures, pandera_schema, target_issues

# What leaving a breakdown out of an aggregated file means, as the load report says it.
BREAKDOWN_LEFT_OUT = {
    "term": "every row is taken as a full academic year",
    "urn": "figures are for the whole area; views by school, cluster or phase will say they are not available",
    "home_area_code": "where pupils live is not known; views by home area, ward or locality will say so",
    "sen_provision": "SEN provision is not known; views by SEN provision will say so",
    "primary_need": "primary need is not known; views by need will say so",
    "age_band": "age is not known",
    "setting_type": "the setting of each plan is not known",
}


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


def _parse_column(
    values: pd.Series, column: Column, file: str, issues: list[LoadIssue], symbols: dict[str, pd.Series] | None = None
) -> pd.Series:
    """Turn text cells into typed values; a cell that does not parse is reported and left blank.

    Where symbols is given and the column allows them, an EES symbol (c, low, x, z, u) is kept in
    symbols[column] and the number left blank, so the dashboard can show the symbol where the number would be.
    """
    # Cells repeat millions of times (codes, years, session counts): each distinct text is parsed once and each row
    # takes its text's result, so a region's pupil-level reading no longer parses cell by cell, and a text column
    # holds one string per distinct value (a string a cell, England's 32 million attendance rows took over 24 GB).
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    text = pd.Series(np.asarray(distinct, dtype=object)).astype(str).str.strip()

    def rows_of(mask: pd.Series) -> np.ndarray:
        """Positions of the rows whose text the mask picks, in the file's order."""
        return np.flatnonzero(mask.to_numpy(dtype=bool)[codes])

    def for_each_row(result: pd.Series) -> pd.Series:
        return pd.Series(result.array.take(codes), index=values.index, dtype=result.dtype)

    blank = text.eq("")
    if symbols is not None and column.symbols:
        lower = text.str.lower()
        symbol = lower.where(lower.isin(list(EES_SYMBOLS)))
        if symbol.notna().any():
            symbols[column.name] = for_each_row(symbol)
            text = text.mask(symbol.notna(), "")
        if column.required:
            for position in rows_of(blank)[:MAX_ISSUES_PER_FILE]:
                issues.append(
                    LoadIssue(
                        file,
                        f"is blank: expected a number or an EES symbol ({', '.join(EES_SYMBOLS)})",
                        row=int(values.index[position]) + 2,
                        column=column.name,
                        value="",
                    )
                )
        blank = text.eq("")
    if column.name == "home_area_code":
        blank |= text.str.upper().eq(OUT_OF_BOROUGH)
    if column.kind in ("text", "code"):
        parsed = text.mask(blank).astype(object)
        if column.allowed:
            # Accept any letter case for fixed codes ('ehcp', 'EHCP'), store the canonical spelling.
            canonical = {a.lower(): a for a in column.allowed} | {s.lower(): a for s, a in column.synonyms}
            spelling = {v: canonical.get(v.lower(), v) for v in parsed.dropna().unique()}
            parsed = parsed.map(spelling)
        return for_each_row(parsed)
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
        ok = text.map(_is_academic_year).astype(bool)
        parsed = text.where(ok).astype(object)
        message = "expected an academic year written like 2023/24"
    else:  # pragma: no cover - the templates only use the kinds above
        raise ValueError(column.kind)
    for position in rows_of(~blank & ~ok.fillna(False).astype(bool))[:MAX_ISSUES_PER_FILE]:
        issues.append(
            LoadIssue(
                file, message, row=int(values.index[position]) + 2, column=column.name, value=text[codes[position]]
            )
        )
    return for_each_row(parsed)


def symbols_column(symbols: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """One text per row naming the counts given as symbols, e.g. 'exclusions=c;pupils_excluded=c' (None where none)."""
    parts = pd.DataFrame(
        {name: (name + "=" + series).where(series.notna()) for name, series in symbols.items()}, index=index
    )
    joined = parts.apply(lambda row: ";".join(row.dropna()), axis=1)
    return joined.where(joined != "", None).astype(object)


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


def parse_template_file(
    path: Path, template: Template, known: dict[str, set[str]], report: LoadReport
) -> ParsedFile | None:
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
            LoadIssue(
                path.name,
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
                f"(the {form} {template.name} template has: {', '.join(expected)})",
            )
        )
        return None
    extra = [c for c in raw.columns if c not in expected]
    if extra:
        report.issues.append(LoadIssue(path.name, f"ignored unknown column(s) {', '.join(extra)}", fatal=False))
    # Aggregated files may carry EES symbols in place of counts; pupil-level rows are always whole numbers.
    symbols: dict[str, pd.Series] | None = None if pupil_level else {}
    typed = pd.DataFrame(
        {c.name: _parse_column(raw[c.name], c, path.name, issues, symbols) for c in columns}, index=raw.index
    )
    if symbols:
        typed["symbols"] = symbols_column(symbols, typed.index)
    unparsed = {(i.row, i.column) for i in issues}
    schema = pandera_schema(columns, key, known, symbolic=symbols is not None)
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for issue in describe_failures(exc.failure_cases, typed, key, path.name):
            # A cell already reported as unparseable is blank now; do not report it twice.
            if (issue.row, issue.column) not in unparsed:
                issues.append(issue)
    issues.extend(consistency_issues(typed, template, pupil_level, path.name))
    if template is TARGETS:
        issues.extend(i for i in target_issues(typed, known, path.name) if (i.row, i.column) not in unparsed)
    if len(issues) > MAX_ISSUES_PER_FILE:
        more = len(issues) - MAX_ISSUES_PER_FILE
        issues = issues[:MAX_ISSUES_PER_FILE] + [LoadIssue(path.name, f"and {more} more problems in this file")]
    report.issues.extend(issues)
    if issues:
        return None
    return ParsedFile(typed, pupil_level, path, sha256_of(path))
