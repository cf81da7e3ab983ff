"""ONS and MHCLG files as the dashboard's places: small areas with their wards from an LSOA-to-ward lookup,
IoD 2019 deciles carried from 2011 onto 2021 areas, and Census 2021 residents by area and age."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from dashboard.sources.public.ees import PublicFileError

# Census 2021's bands that the dashboard uses (0-24, as near as the census gets to SEN2's 0-25).
CENSUS_BANDS = {"Aged 15 years and under": "0-15", "Aged 16 to 24 years": "16-24"}


def _read(path: Path) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise PublicFileError(f"{path}: no such file")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _column(frame: pd.DataFrame, pattern: str, path: Path, what: str) -> str:
    """The first column whose name matches pattern (ONS names carry the year: WD25CD, LAD23CD...)."""
    found = [c for c in frame.columns if re.fullmatch(pattern, c, flags=re.IGNORECASE)]
    if not found:
        raise PublicFileError(
            f"{Path(path).name}: no column for {what} (looked for {pattern}); it has {', '.join(frame.columns)}"
        )
    return found[0]


def lsoa_areas(lookup_path: Path, la_ons_code: str) -> pd.DataFrame:
    """The LA's 2021 small areas with their best-fit wards, as areas.csv (locality blank: mapping.csv gives it)."""
    frame = _read(lookup_path)
    lsoa, name = (
        _column(frame, r"LSOA21CD", lookup_path, "LSOA 2021 code"),
        _column(frame, r"LSOA21NM", lookup_path, "LSOA 2021 name"),
    )
    ward, ward_name = (
        _column(frame, r"WD\d\dCD", lookup_path, "ward code"),
        _column(frame, r"WD\d\dNM", lookup_path, "ward name"),
    )
    la = _column(frame, r"LAD\d\dCD|LADCD_ACTIVE", lookup_path, "LA code")
    frame = frame[frame[la] == la_ons_code]
    if frame.empty:
        raise PublicFileError(
            f"{Path(lookup_path).name}: no small areas in LA {la_ons_code} (give its ONS code, e.g. E08000030)"
        )
    return (
        pd.DataFrame(
            {
                "area_code": frame[lsoa],
                "area_name": frame[name],
                "ward_code": frame[ward],
                "ward_name": frame[ward_name],
                "locality_code": "",
                "imd_decile": "",
                "idaci_decile": "",
            }
        )
        .sort_values("area_code")
        .reset_index(drop=True)
    )


def imd_deciles_2021(iod_path: Path, lsoa11_to_21_path: Path, area_codes: list[str]) -> pd.Series:
    """IMD 2019 decile (keyed on 2011 LSOAs) for 2021 LSOAs: a split area keeps its parent's decile, and an area
    made from several takes the decile of the 2011 area that makes up most of it."""
    iod = _read(iod_path)
    code = _column(iod, r"LSOA code \(2011\)|LSOA11CD", iod_path, "LSOA 2011 code")
    decile = next((c for c in iod.columns if "Index of Multiple Deprivation (IMD) Decile" in c), None)
    if decile is None:
        raise PublicFileError(f"{Path(iod_path).name}: no 'Index of Multiple Deprivation (IMD) Decile' column")
    deciles = iod.set_index(code)[decile].astype(int)
    lookup = _read(lsoa11_to_21_path)
    for column in ("LSOA11CD", "LSOA21CD", "share_of_lsoa21"):
        _column(lookup, column, lsoa11_to_21_path, column)
    lookup = lookup[lookup["LSOA21CD"].isin(area_codes)].assign(
        share=lambda f: pd.to_numeric(f["share_of_lsoa21"], errors="coerce")
    )
    lookup = lookup.sort_values(["LSOA21CD", "share"], ascending=[True, False]).drop_duplicates("LSOA21CD")
    return lookup.set_index("LSOA21CD")["LSOA11CD"].map(deciles).reindex(area_codes)


def census_population(path: Path, area_codes: list[str], years: list[str]) -> pd.DataFrame:
    """The population template from Census 2021 residents by LSOA and age: ages 0-15 and 16-24 in each area,
    the one census count repeated for each academic year given (there is no yearly estimate in the file)."""
    frame = _read(path)
    for column in ("lsoa21_code", "age_group", "usual_residents"):
        _column(frame, column, path, column)
    frame = frame[frame["lsoa21_code"].isin(area_codes) & frame["age_group"].isin(CENSUS_BANDS)]
    if frame.empty:
        raise PublicFileError(f"{Path(path).name}: no residents aged 0-24 in these small areas")
    one = pd.DataFrame(
        {
            "area_code": frame["lsoa21_code"],
            "age_band": frame["age_group"].map(CENSUS_BANDS),
            "population": frame["usual_residents"],
        }
    )
    return pd.concat([one.assign(academic_year=y) for y in years], ignore_index=True)[
        ["academic_year", "area_code", "age_band", "population"]
    ]
