"""Schools from Get Information about Schools: an LA's open schools in the dashboard's phases, the rest listed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.sources.public.ees import PublicFileError

# GIAS phases the dashboard's phases cover; other establishments are listed as left out, with the reason.
GIAS_PHASES = {
    "Primary": "primary",
    "Middle deemed primary": "primary",
    "Secondary": "secondary",
    "Middle deemed secondary": "secondary",
    "All-through": "secondary",
}


def gias_phase(education_phase: str, establishment_type: str, type_group: str) -> tuple[str | None, str]:
    """(our phase, or None with the reason it is left out) for one GIAS establishment."""
    kind = establishment_type.lower()
    if "pupil referral" in kind or "alternative provision" in kind:
        return "ap", ""
    if "special" in kind or type_group == "Special schools":
        return "special", ""
    if type_group == "Independent schools":
        return None, "independent school (not in the LA's state-funded figures)"
    if education_phase in GIAS_PHASES:
        return GIAS_PHASES[education_phase], ""
    if education_phase == "Nursery":
        return None, "nursery school (before compulsory school age)"
    if education_phase == "16 plus":
        return None, "16 plus college"
    return None, f"phase '{education_phase}' of type '{establishment_type}' is not one the dashboard covers"


def gias_schools(path: Path, la_code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An LA's open schools from a GIAS extract: (schools in the template's columns, establishments left out and why).

    cluster_code is left blank: it comes from the LA's own school-to-cluster mapping.
    """
    path = Path(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    needed = [
        "urn",
        "la_code",
        "establishment_name",
        "establishment_type",
        "establishment_type_group",
        "education_phase",
        "lsoa_code",
        "latitude",
        "longitude",
    ]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise PublicFileError(f"{path.name}: missing column(s) {', '.join(missing)}")
    frame = frame[frame["la_code"] == str(la_code)]
    if frame.empty:
        raise PublicFileError(f"{path.name}: no establishments with la_code {la_code} (use the DfE code, e.g. 335)")
    phases = [
        gias_phase(p, t, g)
        for p, t, g in zip(frame["education_phase"], frame["establishment_type"], frame["establishment_type_group"])
    ]
    frame = frame.assign(phase=[p for p, _ in phases], reason=[r for _, r in phases])
    kept = frame[frame["phase"].notna()]
    schools = pd.DataFrame(
        {
            "urn": kept["urn"],
            "school_name": kept["establishment_name"],
            "phase": kept["phase"],
            "school_type": kept["establishment_type"],
            "cluster_code": "",
            "area_code": kept["lsoa_code"],
            "latitude": pd.to_numeric(kept["latitude"], errors="coerce"),
            "longitude": pd.to_numeric(kept["longitude"], errors="coerce"),
            "open_date": "",
            "close_date": "",
        }
    ).reset_index(drop=True)
    left_out = (
        frame.loc[frame["phase"].isna(), ["urn", "establishment_name", "reason"]]
        .rename(columns={"establishment_name": "school_name"})
        .reset_index(drop=True)
    )
    return schools, left_out


def gias_laestabs(path: Path, la_code: str) -> dict[str, str]:
    """LAESTAB (LA code and establishment number, 3352104) to URN for the LA's open establishments in a GIAS extract."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if "establishment_number" not in frame.columns:
        raise PublicFileError(f"{Path(path).name}: missing column establishment_number, needed to match LAESTABs")
    frame = frame[(frame["la_code"] == str(la_code)) & (frame["establishment_number"] != "")]
    return dict(zip(frame["la_code"] + frame["establishment_number"].str.zfill(4), frame["urn"]))
