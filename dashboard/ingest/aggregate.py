"""Fact tables from validated files: pupil-level rows counted (the pupil ID goes no further), periods and events."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.domain.reference import FULL_YEAR, TERMS, academic_year_label, academic_year_start, age_band
from dashboard.ingest.parse import ParsedFile
from dashboard.ingest.templates import ATTENDANCE, Template


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
        grouped = (
            _group(rows, keys)
            .agg(
                exclusions=("pupil_id", "size"),
                pupils_excluded=("pupil_id", "nunique"),
                sessions_lost=("sessions_lost", "sum"),
            )
            .reset_index()
        )
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
        # An enrolment with no possible sessions has no rate (NA in the typed counts): never an absentee.
        enrolment = enrolment.assign(
            persistent_absentees=(rate >= 0.1).fillna(False).astype(int),
            severe_absentees=(rate >= 0.5).fillna(False).astype(int),
        )
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


AGGREGATORS = {
    "census": aggregate_census,
    "exclusions": aggregate_exclusions,
    "attendance": aggregate_attendance,
    "ehcp": aggregate_ehcp,
}


def fact_table(parsed: ParsedFile, template: Template) -> pd.DataFrame:
    """A dataset's fact table: pupil-level rows counted; aggregated attendance given its sessions missed."""
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
    return pd.DataFrame(
        {
            "event_date": dates.dt.date,
            "label": frame["label"],
            "academic_year": [academic_year_label(int(y)) for y in start],
            "term": term,
        }
    )
