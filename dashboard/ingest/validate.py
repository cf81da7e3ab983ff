"""Checks on typed rows: pandera schemas from the templates, failures in words, parts no larger than their whole."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from dashboard.domain.measures import MEASURES
from dashboard.ingest.report import MAX_ISSUES_PER_FILE, LoadIssue
from dashboard.ingest.templates import ATTENDANCE, EXCLUSIONS, Column, Template


def pandera_schema(
    columns: tuple[Column, ...], key: tuple[str, ...], known: dict[str, set[str]], symbolic: bool = False
) -> pa.DataFrameSchema:
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


def describe_failures(cases: pd.DataFrame, frame: pd.DataFrame, key: tuple[str, ...], file: str) -> list[LoadIssue]:
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
                # A blank key part (the borough's place) is NaN, which str.join refuses: it joins as ''.
                joined_keys = frame[list(key)].astype(object).fillna("").astype(str).agg("|".join, axis=1)
                first_row = pd.Series(joined_keys.index, index=joined_keys.values)
                first_row = first_row[~first_row.index.duplicated()]
            first = int(first_row[joined_keys[index]]) + 2
            # A blank part of the key (the borough's place, a benchmark for all phases) is printed blank, not 'nan'.
            described = ", ".join(f"{k}={'' if pd.isna(frame.at[index, k]) else frame.at[index, k]}" for k in key)
            issues.append(
                LoadIssue(file, f"repeats the key of row {first} ({described}); each key may appear once", row, None)
            )
        elif check == "column_in_dataframe":
            issues.append(LoadIssue(file, f"missing column '{value}'"))
        else:
            issues.append(LoadIssue(file, check, row, None if pd.isna(case.column) else case.column, value))
    return issues


def consistency_issues(frame: pd.DataFrame, template: Template, pupil_level: bool, file: str) -> list[LoadIssue]:
    """Checks across columns of one row: parts cannot exceed their whole."""
    rules: list[tuple[str, pd.Series, str]] = []
    if template is ATTENDANCE:
        missed = frame["sessions_authorised"] + frame["sessions_unauthorised"]
        rules.append(
            ("sessions_possible", missed > frame["sessions_possible"], "sessions missed exceed sessions possible")
        )
        if not pupil_level:
            rules.append(
                (
                    "persistent_absentees",
                    frame["persistent_absentees"] > frame["enrolments"],
                    "more persistent absentees than enrolments",
                )
            )
            rules.append(
                (
                    "severe_absentees",
                    frame["severe_absentees"] > frame["persistent_absentees"],
                    "more severe than persistent absentees",
                )
            )
    if template is EXCLUSIONS and not pupil_level:
        # A blank-URN row holds the rest of a total, gathered from several schools' hidden figures: its
        # parts need not be in proportion, so it is not held to this rule.
        rules.append(
            (
                "pupils_excluded",
                (frame["pupils_excluded"] > frame["exclusions"]) & frame["urn"].notna(),
                "more pupils excluded than exclusions",
            )
        )
    issues = []
    for column, failing, message in rules:
        for index in frame.index[failing.fillna(False).astype(bool)][:MAX_ISSUES_PER_FILE]:
            issues.append(LoadIssue(file, message, int(index) + 2, column, str(frame.at[index, column])))
    return issues


# Where a target's place code must be found, by its level (the borough has none).
TARGET_PLACES = {"locality": "localities.locality_code", "cluster": "clusters.cluster_code"}


def target_issues(frame: pd.DataFrame, known: dict[str, set[str]], file: str) -> list[LoadIssue]:
    """Checks a target's place against its level: blank for the borough, a known code for a locality or cluster."""
    issues = []
    for index, row in frame.iterrows():
        line, place, level = int(index) + 2, row["place"], row["level"]
        if level == "borough":
            if not pd.isna(place):
                issues.append(LoadIssue(file, "must be blank for the borough", line, "place", str(place)))
            continue
        if level not in TARGET_PLACES:  # an unknown level is reported by its own column's check
            continue
        if pd.isna(place):
            issues.append(LoadIssue(file, f"is blank but a {level} code is required", line, "place"))
        elif place not in known.get(TARGET_PLACES[level], set()):
            listed = TARGET_PLACES[level].split(".")[0]
            issues.append(LoadIssue(file, f"is not in {listed}.csv", line, "place", str(place)))
        measure = MEASURES.get(row["measure"])
        if measure is not None and level not in measure.filters:
            # EHC plans are counted per resident, by where they live: they have no figure for a cluster of schools.
            issues.append(
                LoadIssue(file, f"{measure.label} has no figure by {level} to set a target for", line, "level", level)
            )
        if len(issues) >= MAX_ISSUES_PER_FILE:
            break
    return issues
