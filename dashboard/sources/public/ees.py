"""Explore Education Statistics files read with their metadata and symbols, and the LA and region they name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.domain.reference import EES_SYMBOLS

ENGLAND = ("E92000001", "England")


class PublicFileError(ValueError):
    """A public file that is not what its importer expects; the message names the file and what is missing."""


@dataclass(frozen=True)
class EesFile:
    """One EES data file read as text, with what its .meta.csv says about its columns."""

    path: Path
    frame: pd.DataFrame  # every cell as text, so symbols and leading zeros survive
    indicators: tuple[str, ...]  # numeric columns (the meta file's 'Indicator' rows), empty if there is no meta file
    labels: dict[str, str]  # column -> label from the meta file

    def require(self, columns: list[str]) -> None:
        """Raise PublicFileError naming the file and the columns it lacks."""
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise PublicFileError(
                f"{self.path.name}: missing column(s) {', '.join(missing)}; it has {', '.join(self.frame.columns[:20])}"
            )


# DfE renamed fixed-period exclusions 'suspensions' from 2020/21, and school rows' estab codes: current files are
# read under the older names the importers use, so one importer serves both.
CURRENT_NAMES = {
    "suspension": "fixed_excl",
    "susp_rate": "fixed_excl_rate",
    "one_plus_susp": "one_plus_fixed",
    "one_plus_susp_rate": "one_plus_fixed_rate",
    "school_laestab": "laestab",
}


def read_ees(path: Path) -> EesFile:
    """Read an EES CSV (and its .meta.csv, if any) as text, with current column names read as the older ones."""
    path = Path(path)
    if not path.exists():
        raise PublicFileError(f"{path}: no such file")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = frame.rename(columns={new: old for new, old in CURRENT_NAMES.items() if old not in frame.columns})
    meta_path = path.with_name(path.name[:-4] + ".meta.csv")
    if not meta_path.exists():  # several data files share one meta file named after the release
        candidates = sorted(path.parent.glob("*.meta.csv"))
        meta_path = next((m for m in candidates if path.stem.startswith(m.name[:-9])), meta_path)
    indicators: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    if meta_path.exists():
        meta = pd.read_csv(meta_path, dtype=str, keep_default_na=False)
        indicators = tuple(meta.loc[meta["col_type"] == "Indicator", "col_name"])
        labels = dict(zip(meta["col_name"], meta["label"]))
    return EesFile(path, frame, indicators, labels)


def ees_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(numbers, symbols): EES symbols (c, low, x, z, u) become blank numbers with the symbol kept beside them."""
    text = cells.astype(str).str.strip()
    symbols = text.str.lower().where(text.str.lower().isin(list(EES_SYMBOLS)))
    numbers = pd.to_numeric(text.where(symbols.isna()).str.replace(",", ""), errors="coerce")
    return numbers, symbols


def academic_year(time_period: str) -> str:
    """EES's '201617' as '2016/17'."""
    text = str(time_period).strip()
    if len(text) != 6 or not text.isdigit():
        raise PublicFileError(f"time_period '{time_period}' is not an academic year written like 201617")
    return f"{text[:4]}/{text[4:]}"


def la_region(ees: EesFile, la_code: str) -> tuple[str, str, str]:
    """(ONS code, name, region code) of an LA from its DfE code (335) or ONS code (E08000030), by the LA rows."""
    ees.require(["geographic_level", "old_la_code", "new_la_code", "la_name", "region_code"])
    rows = ees.frame[
        (ees.frame["geographic_level"] == "Local authority")
        & ((ees.frame["old_la_code"] == la_code) | (ees.frame["new_la_code"] == la_code))
    ]
    if rows.empty:
        raise PublicFileError(f"{ees.path.name}: no local authority with code {la_code}")
    row = rows.iloc[0]
    return row["new_la_code"], row["la_name"], row["region_code"]
