"""England, regional and statistical-neighbour benchmarks from DfE files, as the benchmarks template."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from dashboard.ingest.templates import BENCHMARK_BREAKDOWNS, BENCHMARKS
from dashboard.sources.public.dfe import SCHOOL_TYPE_PHASES
from dashboard.sources.public.ees import (
    ENGLAND,
    EesFile,
    PublicFileError,
    academic_year,
    ees_numbers,
    la_region,
    read_ees,
)


def statistical_neighbours(path: Path, la_code: str) -> list[str]:
    """The LA's ten statistical neighbours as DfE codes, closest first, from DfE's workbook (sheet 'LA SN Groups')."""
    path = Path(path)
    sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=str).fillna("")
    header = next((i for i, first in enumerate(sheet[0]) if first.strip() == "LA num"), None)
    if header is None:
        raise PublicFileError(f"{path.name}: no header row starting 'LA num' in its first sheet")
    table = sheet.iloc[header + 1 :]
    table.columns = [str(c).strip() for c in sheet.iloc[header]]
    row = table[table["LA num"].str.strip() == str(la_code)]
    if row.empty:
        raise PublicFileError(f"{path.name}: no local authority numbered {la_code}")
    return [row.iloc[0][f"SN{i}"].strip() for i in range(1, 11) if row.iloc[0][f"SN{i}"].strip()]


def la_region_code(path: Path, la_code: str) -> str:
    """The LA's DfE code (335) whichever code was given, read from the EES file's LA rows."""
    ees = read_ees(path)
    ons, _, _ = la_region(ees, la_code)
    rows = ees.frame[(ees.frame["geographic_level"] == "Local authority") & (ees.frame["new_la_code"] == ons)]
    return rows["old_la_code"].iat[0]


# Exclusion measures in EES's older geographic-level files: (our measure, numerator column, rate column).
# 'Fixed period exclusions' are what DfE now calls suspensions.
EXCLUSION_MEASURES = (
    ("suspension_rate", "fixed_excl", "fixed_excl_rate"),
    ("permanent_rate", "perm_excl", "perm_excl_rate"),
)


def exclusion_benchmarks(path: Path, la_code: str, neighbours: list[str] | None = None) -> pd.DataFrame:
    """England's and the LA's region's suspension and permanent exclusion rates, in the benchmarks template's columns.

    The rate is worked out from the counts (the published rate is rounded); where a count is a symbol the
    symbol is kept as the value, so the dashboard shows it. With neighbours (DfE codes, see
    statistical_neighbours), a 'Statistical neighbours' row per year too: the mean of their rates, as LAIT gives it.
    """
    path = Path(path)
    ees = read_ees(path)
    ees.require(
        ["time_period", "geographic_level", "school_type", "region_code", "region_name", "headcount"]
        + [c for _, n, r in EXCLUSION_MEASURES for c in (n, r)]
    )
    _, _, region = la_region(ees, la_code)
    frame = ees.frame[ees.frame["school_type"] == "Total"]
    national = frame[frame["geographic_level"] == "National"].assign(code=ENGLAND[0], name=ENGLAND[1], level="England")
    regional = frame[(frame["geographic_level"] == "Regional") & (frame["region_code"] == region)]
    regional = regional.assign(code=regional["region_code"], name=regional["region_name"], level="Region")
    rows = []
    for part in (national, regional):
        headcount, head_symbol = ees_numbers(part["headcount"])
        for measure, count_column, _ in EXCLUSION_MEASURES:
            count, symbol = ees_numbers(part[count_column])
            symbol = symbol.fillna(head_symbol)
            value = (count / headcount * 100).round(6)
            for i, index in enumerate(part.index):
                rows.append(
                    {
                        "geography_code": part.at[index, "code"],
                        "geography_name": part.at[index, "name"],
                        "geography_level": part.at[index, "level"],
                        "measure": measure,
                        "academic_year": academic_year(part.at[index, "time_period"]),
                        "value": symbol.iat[i] if isinstance(symbol.iat[i], str) else value.iat[i],
                        "numerator": "" if isinstance(symbol.iat[i], str) else count.iat[i],
                        "denominator": "" if pd.isna(headcount.iat[i]) else headcount.iat[i],
                        "source": f"DfE, Permanent and fixed-period exclusions in England ({path.name})",
                    }
                )
    if neighbours:
        rows += _neighbour_rows(ees, [str(n) for n in neighbours], path.name)
    columns = [c.name for c in BENCHMARKS.columns]
    return (
        pd.DataFrame(rows, columns=columns)
        .sort_values(["geography_level", "measure", "academic_year"])
        .reset_index(drop=True)
    )


def _neighbour_rows(ees: EesFile, neighbours: list[str], file: str) -> list[dict]:
    """One 'Statistical neighbours' benchmark per measure and year: the mean of the neighbours' published rates."""
    frame = ees.frame[
        (ees.frame["geographic_level"] == "Local authority")
        & (ees.frame["school_type"] == "Total")
        & ees.frame["old_la_code"].isin(neighbours)
    ]
    headcount, _ = ees_numbers(frame["headcount"])
    rows = []
    for measure, count_column, _ in EXCLUSION_MEASURES:
        count, _ = ees_numbers(frame[count_column])
        rates = pd.DataFrame({"year": frame["time_period"], "rate": count / headcount * 100})
        for period, group in rates.groupby("year"):
            shown = group["rate"].dropna()
            rows.append(
                {
                    "geography_code": "SN",
                    "geography_name": f"Statistical neighbours (mean of {len(neighbours)})",
                    "geography_level": "Statistical neighbours",
                    "measure": measure,
                    "academic_year": academic_year(period),
                    "value": round(shown.mean(), 6) if len(shown) else "x",
                    "numerator": "",
                    "denominator": "",
                    "source": f"DfE statistical neighbours; mean of their rates in {file}",
                }
            )
    return rows


# LAIT indicators that are the dashboard's measures.
LAIT_MEASURES = {"TotAbs": "absence_rate", "TotPerAbNew": "persistent_absence", "TotFixedEx": "suspension_rate"}
LAIT_ENGLAND, LAIT_SOURCE = "England", "DfE, Local Authority Interactive Tool (LAIT)"


def _lait_year(label: str) -> str:
    """LAIT's '2015/16' as it is, and its '2016' (the summer the academic year ends) as '2015/16'."""
    label = str(label).strip()
    if re.fullmatch(r"\d{4}/\d{2}", label):
        return label
    if re.fullmatch(r"\d{4}", label):
        return f"{int(label) - 1}/{label[2:]}"
    raise PublicFileError(f"LAIT year '{label}' is neither 2016 nor 2015/16")


def lait_benchmarks(
    path: Path, region_name: str, region_code: str, neighbours: list[str] | None = None
) -> pd.DataFrame:
    """England, region and statistical neighbours' mean for absence, persistent absence and suspensions, from LAIT's
    long file (CSV or parquet), in the benchmarks template's columns. LAIT's '-' (not published) becomes x."""
    path = Path(path)
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str, keep_default_na=False)
    needed = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise PublicFileError(
            f"{path.name}: missing column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns))}"
        )
    frame = frame[frame["Short Desc"].isin(LAIT_MEASURES)].copy()
    frame["value"] = pd.to_numeric(frame["Values"], errors="coerce")
    frame["la_number"] = pd.to_numeric(frame["LA Number"], errors="coerce").astype("Int64").astype(str)
    rows = []
    for name, code, level in ((LAIT_ENGLAND, ENGLAND[0], "England"), (region_name, region_code, "Region")):
        part = frame[frame["LA and Regions"] == name]
        for r in part.itertuples():
            rows.append(
                (code, name, level, LAIT_MEASURES[r._1], _lait_year(r.Years), "x" if pd.isna(r.value) else r.value)
            )
    if neighbours:
        part = frame[frame["la_number"].isin([str(n) for n in neighbours])]
        for (indicator, year), group in part.groupby(["Short Desc", "Years"]):
            shown = group["value"].dropna()
            rows.append(
                (
                    "SN",
                    f"Statistical neighbours (mean of {len(neighbours)})",
                    "Statistical neighbours",
                    LAIT_MEASURES[indicator],
                    _lait_year(year),
                    round(shown.mean(), 6) if len(shown) else "x",
                )
            )
    out = pd.DataFrame(
        rows, columns=["geography_code", "geography_name", "geography_level", "measure", "academic_year", "value"]
    )
    out["numerator"], out["denominator"], out["source"] = "", "", f"{LAIT_SOURCE} ({path.name})"
    return out.reindex(columns=[c.name for c in BENCHMARKS.columns], fill_value="")


# EES exclusions-by-characteristic labels: (our column, our code). Behavioural, emotional and social difficulties
# (before 2014/15) is not Social, emotional and mental health, which replaced it, so it is left out.
CHARACTERISTICS = {
    ("Total", "Total"): ("", ""),
    ("SEN provision", "SEN Provision No SEN"): ("sen_provision", "none"),
    ("SEN provision", "SEN provision SEN with statement EHC"): ("sen_provision", "ehcp"),
    ("SEN provision", "SEN provision SEN without statement"): ("sen_provision", "sen_support"),
} | {
    ("SEN primary need", f"SEN primary need {label}"): ("primary_need", code)
    for label, code in {
        "Autistic spectrum disorder": "ASD",
        "Speech language and communications needs": "SLCN",
        "Moderate learning difficulty": "MLD",
        "Severe learning difficulty": "SLD",
        "Profound and multiple learning difficulty": "PMLD",
        "Specific learning difficulty": "SPLD",
        "Social emotional and mental health": "SEMH",
        "Hearing impairment": "HI",
        "Visual impairment": "VI",
        "Multisensory impairment": "MSI",
        "Physical disability": "PD",
        "Other difficulty disability": "OTH",
        "No specialist assessment": "NSA",
    }.items()
}


def characteristic_benchmarks(path: Path) -> pd.DataFrame:
    """England's suspension and permanent exclusion rates by phase, SEN provision and primary need, from EES's
    exclusions by characteristic, so a selection of pupils is set beside England's same pupils."""
    ees = read_ees(path)
    ees.require(
        [
            "time_period",
            "geographic_level",
            "school_type",
            "characteristic_group",
            "characteristic",
            "headcount",
            "fixed_excl",
            "perm_excl",
        ]
    )
    frame = ees.frame[ees.frame["geographic_level"] == "National"]
    frame = frame[[(g, c) in CHARACTERISTICS for g, c in zip(frame["characteristic_group"], frame["characteristic"])]]
    if frame.empty:
        raise PublicFileError(f"{Path(path).name}: no National rows by SEN provision or primary need")
    # DfE's older files write '.' for 'not applicable', which EES now writes z.
    headcount, head_symbol = ees_numbers(frame["headcount"].replace(".", "z"))
    rows = []
    for measure, column in (("suspension_rate", "fixed_excl"), ("permanent_rate", "perm_excl")):
        count, symbol = ees_numbers(frame[column].replace(".", "z"))
        symbol = symbol.fillna(head_symbol)
        for i, (_, row) in enumerate(frame.iterrows()):
            if row["school_type"] not in SCHOOL_TYPE_PHASES and row["school_type"] != "Total":
                continue
            breakdown, code = CHARACTERISTICS[(row["characteristic_group"], row["characteristic"])]
            known = not isinstance(symbol.iat[i], str) and headcount.iat[i] > 0
            rows.append(
                {
                    "geography_code": ENGLAND[0],
                    "geography_name": ENGLAND[1],
                    "geography_level": "England",
                    "measure": measure,
                    "academic_year": academic_year(row["time_period"]),
                    "value": round(count.iat[i] / headcount.iat[i] * 100, 6)
                    if known
                    else (symbol.iat[i] if isinstance(symbol.iat[i], str) else "z"),
                    "numerator": count.iat[i] if known else "",
                    "denominator": headcount.iat[i] if known else "",
                    "source": "DfE, Permanent and fixed-period exclusions in England, by characteristic "
                    f"({Path(path).name})",
                    "phase": SCHOOL_TYPE_PHASES.get(row["school_type"], ""),
                    "sen_provision": code if breakdown == "sen_provision" else "",
                    "primary_need": code if breakdown == "primary_need" else "",
                }
            )
    return pd.DataFrame(rows, columns=[c.name for c in BENCHMARKS.columns])


def combine_benchmarks(*frames: pd.DataFrame) -> pd.DataFrame:
    """Benchmarks from several files, the first file's row winning where two give the same geography, measure, year
    and group of pupils."""
    key = list(BENCHMARKS.key)
    # Blank breakdowns (all pupils) as text, so rows from different files meet on one key.
    frames = [
        f.assign(**{c: f[c].astype(object).fillna("") if c in f else "" for c in BENCHMARK_BREAKDOWNS}) for f in frames
    ]
    return (
        pd.concat(frames, ignore_index=True)
        .drop_duplicates(key, keep="first")
        .sort_values(["geography_level", "measure", "academic_year"])
        .reset_index(drop=True)
    )
