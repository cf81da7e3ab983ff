"""What a load found, located by file, row and column, and the Markdown data-quality report written for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.domain.reference import EES_SYMBOLS
from dashboard.store.versions import versions_folder

MAX_ISSUES_PER_FILE = 50  # past this, a file's problems are counted, not listed


@dataclass
class LoadIssue:
    """One problem found in an input file, located by file, row and column."""

    file: str
    message: str
    row: int | None = None  # 1-based line number in the file; the header is line 1
    column: str | None = None
    value: str | None = None
    fatal: bool = True

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        found = f" (found '{self.value}')" if self.value not in (None, "") else ""
        return f"{', '.join(where)}: {self.message}{found}"


@dataclass
class LoadReport:
    """What a load found: fatal errors stop it, warnings are listed for the officer."""

    issues: list[LoadIssue] = field(default_factory=list)
    path: Path | None = None  # the data-quality report written for this load

    @property
    def errors(self) -> list[LoadIssue]:
        """Problems that stop the load."""
        return [i for i in self.issues if i.fatal]

    @property
    def warnings(self) -> list[LoadIssue]:
        """Problems worth knowing that do not stop the load."""
        return [i for i in self.issues if not i.fatal]


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


def write_quality_report(
    db_path: Path,
    source: Path,
    report: LoadReport,
    tables: dict[str, pd.DataFrame],
    version: str | None = None,
    before: pd.DataFrame | None = None,
) -> Path:
    """A Markdown data-quality report: files read, rows loaded, what was refused and why, warnings and symbols.

    before is the publication_family of the version served until now, if any: its hidden shares are set beside
    the new ones."""
    folder = versions_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now().replace(microsecond=0)
    name = f"{version}.report.md" if version else f"refused-{now:%Y%m%d-%H%M%S}.report.md"
    lines = [
        f"# Data-quality report: {'version ' + version if version else 'load refused'}",
        "",
        f"- Source: `{source}`",
        f"- Run: {now:%Y-%m-%d %H:%M:%S}",
        "- Outcome: "
        + (
            "loaded and now served"
            if version
            else f"refused with {len(report.errors)} problem(s); the warehouse being served was not changed"
        ),
        "",
    ]
    if "load_source" in tables:
        lines += ["## Files loaded", "", "| File | Form | Rows read | SHA-256 |", "|---|---|---:|---|"]
        lines += [
            f"| {r.file} | {r.form} | {r.rows_read:,} | `{r.sha256}` |" for r in tables["load_source"].itertuples()
        ]
        lines += ["", "## Rows per table", "", "| Table | Rows |", "|---|---:|"]
        lines += [
            f"| {name} | {len(frame):,} |"
            for name, frame in tables.items()
            if name not in ("load_source", "load_version")
        ]
        lines.append("")
    for title, issues in (
        ("Refused: what must be fixed", report.errors),
        ("Warnings: loaded, but worth checking", report.warnings),
    ):
        if issues:
            lines += [f"## {title}", ""] + [f"- {issue}" for issue in issues] + [""]
    symbols = symbol_counts(tables)
    lines += ["## Values given as symbols (kept, shown as the symbol)", ""]
    if symbols:
        lines += ["| Table | Column | Symbol | Cells |", "|---|---|---|---:|"]
        lines += [f"| {t} | {c} | {s} ({EES_SYMBOLS.get(s, '?')}) | {n:,} |" for t, c, s, n in symbols]
    else:
        lines.append("None.")
    lines += [""] + publication_section(tables, before)
    path = folder / name
    path.write_text("\n".join(lines))
    return path


def publication_section(tables: dict[str, pd.DataFrame], before: pd.DataFrame | None = None) -> list[str]:
    """What the load publishes: cells hidden per count (primary and secondary, counts and shares, beside the version
    served before), the relations the protection knew, and what was not published."""
    families, meta = tables.get("publication_family"), tables.get("publication")
    if families is None or meta is None or meta.empty:
        return []
    threshold = int(meta["threshold"].iat[0])
    lines = [
        "## Publication: what the app may show",
        "",
        f"Every family of every count was protected together, year by year, at threshold {threshold}, with the "
        f"counts related to it: counts of 1 to {threshold} are hidden (primary), and further cells (secondary) so "
        f"that none can be worked out or narrowed from what is shown. Protection took "
        f"{float(meta['seconds'].iat[0]):.0f} s ({str(meta['method'].iat[0]).split('; ', 2)[-1]}).",
        "",
    ]
    shares_before = _hidden_shares(before) if before is not None and not before.empty else {}
    totals = families[families["published"]].groupby("count")[["cells", "primary_hidden", "secondary_hidden"]].sum()
    header = "| Count | Cells | Primary hidden | Secondary hidden | Hidden share |"
    rule = "|---|---:|---:|---:|---:|"
    if shares_before:
        header, rule = header + " Before (the version served until now) |", rule + "---:|"
    lines += [header, rule]
    for count, row in totals.iterrows():
        share = (row["primary_hidden"] + row["secondary_hidden"]) / max(row["cells"], 1)
        line = f"| {count} | {row['cells']:,} | {row['primary_hidden']:,} | {row['secondary_hidden']:,} | {share:.1%} |"
        if shares_before:
            line += f" {shares_before[count]:.1%} |" if count in shares_before else " none |"
        lines.append(line)
    lines += relation_section(tables.get("publication_relation"))
    dropped = families[~families["published"]]
    lines += ["", "### Families not published", ""]
    if dropped.empty:
        lines.append("None: every family declared for the loaded counts is published.")
    else:
        lines += ["| Count | Family | Year | Why |", "|---|---|---|---|"]
        lines += [f"| {r.count} | {r.family} | {r.academic_year} | {r.reason} |" for r in dropped.itertuples()]
    return lines + [""]


def _hidden_shares(families: pd.DataFrame) -> dict[str, float]:
    totals = families[families["published"]].groupby("count")[["cells", "primary_hidden", "secondary_hidden"]].sum()
    return {
        count: (row["primary_hidden"] + row["secondary_hidden"]) / max(row["cells"], 1)
        for count, row in totals.iterrows()
    }


def relation_section(relations: pd.DataFrame | None) -> list[str]:
    """The relations between counts a reader is assumed to know, how often each applied, and any the data break."""
    if relations is None or relations.empty:
        return []
    lines = [
        "",
        "### What a reader is assumed to know beyond sums",
        "",
        "Protected against, in every year (docs/disclosure.md, 'What a reader can justify'):",
        "",
        "| Relation | Counts | Cells it ties, all years | Taken as one figure | Broken by the data (left out) |",
        "|---|---|---:|---:|---:|",
    ]
    totals = relations.groupby(["relation", "counts"], sort=False)[["instances", "tied", "broken"]].sum()
    for (relation, counts), row in totals.iterrows():
        lines.append(f"| {relation} | {counts} | {row['instances']:,} | {row['tied']:,} | {row['broken']:,} |")
    broken = relations[relations["broken"] > 0]
    if not broken.empty:
        lines += ["", "Warning: the data contradict a relation a reader would assume; check these figures at source:"]
        lines += [f"- {r.relation} ({r.counts}), {r.academic_year}: {r.broken:,} cells" for r in broken.itertuples()]
    return lines
