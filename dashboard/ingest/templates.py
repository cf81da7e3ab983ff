"""The CSV templates an LA supplies: one per dimension and dataset, with types, codes and keys."""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

from dashboard.config import absolute_path
from dashboard.domain.area import AREA_KINDS
from dashboard.domain.measures import MEASURES
from dashboard.domain.reference import (
    AGE_BANDS,
    CENSUS_AGE_BANDS,
    EXCLUSION_REASONS,
    EXCLUSION_TYPES,
    FULL_YEAR,
    NEED_CODES,
    PHASES,
    SEN_PROVISION,
    SETTING_TYPES,
    TERMS,
)
from dashboard.domain.targets import DIRECTION_SYNONYMS, DIRECTIONS, TARGET_LEVELS


@dataclass(frozen=True)
class Column:
    """One column of a template: its type, whether it may be blank, and what values it allows."""

    name: str
    kind: str  # text | code | int | float | date | year
    description: str
    example: str
    required: bool = True
    allowed: tuple[str, ...] | None = None
    references: str | None = None  # "<template>.<column>" that must already hold the value
    minimum: float | None = None
    maximum: float | None = None
    symbols: bool = False  # an aggregated file may give an EES symbol (c, low, x, z, u) instead of the number
    synonyms: tuple[tuple[str, str], ...] = ()  # (other spelling, allowed code), matched in any letter case


@dataclass(frozen=True)
class Template:
    """A CSV template: the file an LA writes, its grain and key, and an optional pupil-level form."""

    name: str
    title: str
    grain: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    pupil_columns: tuple[Column, ...] = ()
    pupil_key: tuple[str, ...] = ()
    dimension: bool = False

    @property
    def filename(self) -> str:
        """The file name the ingest looks for."""
        return f"{self.name}.csv"

    @property
    def pupil_filename(self) -> str:
        """The file name of the pupil-level form."""
        return f"{self.name}_pupil.csv"

    def form(self, pupil_level: bool) -> tuple[tuple[Column, ...], tuple[str, ...]]:
        """Columns and key of the aggregated or pupil-level form."""
        return (self.pupil_columns, self.pupil_key) if pupil_level else (self.columns, self.key)


MEASURE_IDS = tuple(MEASURES)


def _year(name: str = "academic_year", example: str = "2023/24") -> Column:
    return Column(name, "year", "Academic year, September to August, written 2023/24.", example)


def _urn(required: bool = True, description: str = "Unique reference number of the school (GIAS URN).") -> Column:
    return Column("urn", "code", description, "900001", required=required, references="schools.urn")


HOME_AREA = Column(
    "home_area_code",
    "code",
    "Code of the small area (LSOA) where the pupil lives; blank or OOB if outside the borough.",
    "X01000001",
    required=False,
    references="areas.area_code",
)
SEN = Column(
    "sen_provision", "code", "SEN provision: ehcp, sen_support or none.", "sen_support", allowed=tuple(SEN_PROVISION)
)
NEED = Column(
    "primary_need",
    "code",
    "DfE primary type of need (ASD, SLCN, MLD, SLD, PMLD, SPLD, SEMH, HI, VI, MSI, PD, OTH, NSA); NONE for no SEN.",
    "SEMH",
    allowed=NEED_CODES,
)
TERM_OR_YEAR = Column(
    "term",
    "code",
    "Autumn, Spring, Summer, or 'Full year' for the whole academic year.",
    FULL_YEAR,
    allowed=TERMS + (FULL_YEAR,),
)
TERM_ONLY = Column("term", "code", "Autumn, Spring or Summer.", "Autumn", allowed=TERMS)
PUPIL_ID = Column(
    "pupil_id",
    "text",
    "Pseudonymised pupil identifier, stable across files and years. Used only to count pupils; never stored.",
    "P000123",
)


def _count(name: str, description: str, example: str = "12") -> Column:
    return Column(name, "int", description, example, minimum=0, symbols=True)


LOCALITIES = Template(
    "localities",
    "Localities",
    "one row per locality the council defines",
    (
        Column("locality_code", "code", "Short code for the locality.", "N"),
        Column("locality_name", "text", "Name shown on screen.", "North"),
    ),
    key=("locality_code",),
    dimension=True,
)
CLUSTERS = Template(
    "clusters",
    "School clusters",
    "one row per cluster; each cluster belongs to one locality",
    (
        Column("cluster_code", "code", "Short code for the cluster.", "N1"),
        Column("cluster_name", "text", "Name shown on screen.", "Brookhill cluster"),
        Column("locality_code", "code", "Locality the cluster belongs to.", "N", references="localities.locality_code"),
    ),
    key=("cluster_code",),
    dimension=True,
)
AREAS = Template(
    "areas",
    "Small areas",
    "one row per small area (LSOA)",
    (
        Column("area_code", "code", "ONS LSOA code (or your own small-area code).", "X01000001"),
        Column("area_name", "text", "Name shown on screen.", "Brookhill 001A"),
        Column("ward_code", "code", "Ward the area falls in (best fit).", "X05000001"),
        Column("ward_name", "text", "Ward name.", "Brookhill"),
        Column(
            "locality_code",
            "code",
            "Locality of the area; blank to take it from mapping.csv.",
            "N",
            required=False,
            references="localities.locality_code",
        ),
        Column(
            "imd_decile", "int", "IMD 2019 decile, 1 = most deprived 10%.", "2", required=False, minimum=1, maximum=10
        ),
        Column(
            "idaci_decile",
            "int",
            "IDACI 2019 decile, 1 = most deprived 10%.",
            "1",
            required=False,
            minimum=1,
            maximum=10,
        ),
    ),
    key=("area_code",),
    dimension=True,
)
SCHOOLS = Template(
    "schools",
    "Schools",
    "one row per school",
    (
        Column("urn", "code", "Unique reference number (GIAS URN).", "900001"),
        Column("school_name", "text", "School name.", "Brookhill Primary School"),
        Column(
            "phase",
            "code",
            "primary, secondary, special or ap (alternative provision).",
            "primary",
            allowed=tuple(PHASES),
        ),
        Column("school_type", "text", "Type of establishment, as GIAS gives it.", "Academy converter"),
        Column(
            "cluster_code",
            "code",
            "Cluster the school belongs to; blank to take it from mapping.csv.",
            "N1",
            required=False,
            references="clusters.cluster_code",
        ),
        Column(
            "area_code",
            "code",
            "Small area the school stands in.",
            "X01000001",
            required=False,
            references="areas.area_code",
        ),
        Column("latitude", "float", "Latitude (WGS84).", "52.6101", required=False, minimum=-90, maximum=90),
        Column("longitude", "float", "Longitude (WGS84).", "-1.9801", required=False, minimum=-180, maximum=180),
        Column("open_date", "date", "Date opened, YYYY-MM-DD.", "2012-09-01", required=False),
        Column("close_date", "date", "Date closed, YYYY-MM-DD; blank if open.", "", required=False),
    ),
    key=("urn",),
    dimension=True,
)
MAPPING = Template(
    "mapping",
    "Locality and cluster mapping",
    "one row per ward, small area or school the council places in a locality or cluster; a small area's row "
    "overrides its ward's, and a school without a row joins its locality's cluster for its phase",
    (
        Column("level", "code", "ward, area or school.", "ward", allowed=("ward", "area", "school")),
        Column("code", "code", "Ward code, small-area (LSOA) code or school URN.", "E05001326"),
        Column(
            "locality_code",
            "code",
            "Locality it belongs to; for a school, blank to use its cluster's.",
            "N",
            required=False,
        ),
        Column("locality_name", "text", "Locality name, if localities.csv does not give it.", "North", required=False),
        Column("cluster_code", "code", "For a school: its cluster.", "N1", required=False),
        Column(
            "cluster_name",
            "text",
            "For a school: the cluster's name, if clusters.csv does not give it.",
            "Brookhill cluster",
            required=False,
        ),
    ),
    key=("level", "code"),
)
POPULATION = Template(
    "population",
    "Resident population aged 0-25",
    "one row per academic year, small area and age band",
    (
        _year(),
        Column("area_code", "code", "Small area code.", "X01000001", references="areas.area_code"),
        Column(
            "age_band",
            "code",
            "Age band: 0-4, 5-10, 11-15, 16-19 or 20-25; or Census 2021's 0-15 and 16-24.",
            "5-10",
            allowed=AGE_BANDS + CENSUS_AGE_BANDS,
        ),
        _count("population", "Residents in the band (mid-year estimate).", "142"),
    ),
    key=("academic_year", "area_code", "age_band"),
)
_PUPIL_CELL = (_urn(), HOME_AREA, SEN, NEED)
# In aggregated files a blank URN holds the part of a total not given school by school (a source's
# school figures that do not add up to its LA total, or schools no longer open), and a blank SEN
# provision or need means not known: both still count in the borough's figures.
_AGGREGATED_CELL = (
    _urn(required=False, description="School (GIAS URN); blank for the part of a total not given school by school."),
    HOME_AREA,
    replace(SEN, required=False, description=SEN.description + " Blank if not known."),
    replace(NEED, required=False, description=NEED.description + " Blank if not known."),
)
CENSUS = Template(
    "census",
    "Pupils on roll (January school census)",
    "one row per academic year, school, home area, SEN provision and primary need",
    (_year(),) + _AGGREGATED_CELL + (_count("pupils", "Pupils on roll in the January census.", "23"),),
    key=("academic_year", "urn", "home_area_code", "sen_provision", "primary_need"),
    pupil_columns=(PUPIL_ID, _year()) + _PUPIL_CELL,
    pupil_key=("pupil_id", "academic_year", "urn"),
)
REASON = Column(
    "reason",
    "code",
    "DfE's main reason for the exclusion: " + ", ".join(EXCLUSION_REASONS) + ".",
    "persistent_disruptive",
    allowed=tuple(EXCLUSION_REASONS),
)
# Columns a pupil-level file may leave out altogether (older extracts without them still load).
OPTIONAL_PUPIL_COLUMNS = ("reason",)
EXCLUSIONS = Template(
    "exclusions",
    "Suspensions and permanent exclusions",
    "one row per academic year, term, school, home area, SEN provision, primary need and exclusion type",
    (_year(), TERM_OR_YEAR)
    + _AGGREGATED_CELL
    + (
        Column("exclusion_type", "code", "suspension or permanent.", "suspension", allowed=tuple(EXCLUSION_TYPES)),
        _count("exclusions", "Number of exclusions.", "3"),
        _count("pupils_excluded", "Number of pupils with one or more exclusions of this type.", "2"),
        _count("sessions_lost", "Half-day sessions lost to these exclusions.", "8"),
    ),
    key=("academic_year", "term", "urn", "home_area_code", "sen_provision", "primary_need", "exclusion_type"),
    pupil_columns=(PUPIL_ID, _year(), TERM_ONLY)
    + _PUPIL_CELL
    + (
        Column("exclusion_type", "code", "suspension or permanent.", "suspension", allowed=tuple(EXCLUSION_TYPES)),
        Column("start_date", "date", "First day of the exclusion, YYYY-MM-DD.", "2023-10-12"),
        replace(REASON, required=False, description=REASON.description + " Optional column; blank if not known."),
        _count("sessions_lost", "Half-day sessions lost.", "4"),
    ),
    pupil_key=("pupil_id", "urn", "exclusion_type", "start_date"),
)
ATTENDANCE = Template(
    "attendance",
    "Attendance and absence",
    "one row per academic year, term, school, home area, SEN provision and primary need",
    (_year(), TERM_OR_YEAR)
    + _AGGREGATED_CELL
    + (
        _count("enrolments", "Pupil enrolments in the period.", "25"),
        _count("sessions_possible", "Possible half-day sessions.", "8250"),
        _count("sessions_authorised", "Sessions missed with authorisation.", "390"),
        _count("sessions_unauthorised", "Sessions missed without authorisation.", "180"),
        _count("persistent_absentees", "Enrolments missing 10% or more of possible sessions.", "5"),
        _count("severe_absentees", "Enrolments missing 50% or more of possible sessions.", "0"),
    ),
    key=("academic_year", "term", "urn", "home_area_code", "sen_provision", "primary_need"),
    pupil_columns=(PUPIL_ID, _year(), TERM_ONLY)
    + _PUPIL_CELL
    + (
        _count("sessions_possible", "Possible half-day sessions.", "140"),
        _count("sessions_authorised", "Sessions missed with authorisation.", "6"),
        _count("sessions_unauthorised", "Sessions missed without authorisation.", "2"),
    ),
    pupil_key=("pupil_id", "academic_year", "term", "urn"),
)
_SETTING = Column(
    "setting_type",
    "code",
    "Where the plan is placed: early_years, mainstream, special, ap, further_education or other.",
    "mainstream",
    allowed=tuple(SETTING_TYPES),
)
EHCP = Template(
    "ehcp",
    "Education, health and care plans (January caseload)",
    "one row per academic year, home area, age band, primary need, setting type and school",
    (
        _year(),
        HOME_AREA,
        Column(
            "age_band",
            "code",
            "Age band: 0-4, 5-10, 11-15, 16-19 or 20-25; blank if not known.",
            "5-10",
            required=False,
            allowed=AGE_BANDS,
        ),
        replace(NEED, required=False, description=NEED.description + " Blank if not known."),
        replace(_SETTING, required=False, description=_SETTING.description + " Blank if not known."),
        _urn(required=False, description="School named in the plan, if any (GIAS URN)."),
        _count("plans", "EHC plans maintained in the January caseload.", "4"),
    ),
    key=("academic_year", "home_area_code", "age_band", "primary_need", "setting_type", "urn"),
    pupil_columns=(
        PUPIL_ID,
        _year(),
        HOME_AREA,
        Column("age", "int", "Age in whole years on 31 August before the caseload date.", "9", minimum=0, maximum=25),
        NEED,
        _SETTING,
        _urn(required=False, description="School named in the plan, if any (GIAS URN)."),
    ),
    pupil_key=("pupil_id", "academic_year"),
)
EVENTS = Template(
    "events",
    "Events to mark on trend charts",
    "one row per event, such as the start of a programme",
    (
        Column("date", "date", "Date of the event, YYYY-MM-DD.", "2021-09-01"),
        Column("label", "text", "Short label shown on the chart.", "Restorative practice programme starts"),
    ),
    key=("date", "label"),
)
BENCHMARKS = Template(
    "benchmarks",
    "Benchmarks (England, region, statistical neighbours)",
    "one row per geography, measure and academic year",
    (
        Column("geography_code", "code", "ONS code of the comparator, e.g. E92000001 for England.", "E92000001"),
        Column("geography_name", "text", "Name shown on charts.", "England"),
        Column(
            "geography_level",
            "code",
            "England, Region or Statistical neighbours.",
            "England",
            allowed=("England", "Region", "Statistical neighbours"),
        ),
        Column("measure", "code", "Measure id, as on the Data & methods page.", "suspension_rate", allowed=MEASURE_IDS),
        _year(),
        Column("value", "float", "The comparator's rate, in the measure's unit.", "9.33", minimum=0, symbols=True),
        Column(
            "numerator",
            "float",
            "Numerator behind the rate, if published.",
            "",
            required=False,
            minimum=0,
            symbols=True,
        ),
        Column(
            "denominator",
            "float",
            "Denominator behind the rate, if published.",
            "",
            required=False,
            minimum=0,
            symbols=True,
        ),
        Column(
            "source", "text", "Where the figure comes from.", "DfE, Suspensions and permanent exclusions in England"
        ),
        Column(
            "phase",
            "code",
            "Phase the figure is for (primary, secondary, special or ap); blank for all phases.",
            "",
            required=False,
            allowed=tuple(PHASES),
        ),
        replace(
            SEN,
            required=False,
            description="SEN provision the figure is for (ehcp, sen_support or none); blank for all pupils.",
            example="",
        ),
        replace(NEED, required=False, description="Primary need the figure is for; blank for all pupils.", example=""),
    ),
    key=("geography_code", "measure", "academic_year", "phase", "sen_provision", "primary_need"),
)
# A benchmarks file may leave out these columns: its figures are then for all pupils.
BENCHMARK_BREAKDOWNS = ("phase", "sen_provision", "primary_need")
REASONS = Template(
    "exclusion_reasons",
    "Reasons for exclusion",
    "one row per academic year, school or phase, exclusion type and reason (each exclusion counted once, under its "
    "main reason)",
    (
        _year(),
        _urn(required=False, description="School (GIAS URN); blank where the row is for a phase or the whole LA."),
        Column(
            "phase",
            "code",
            "primary, secondary, special or ap, where the row is for a phase rather than a school; blank otherwise.",
            "",
            required=False,
            allowed=tuple(PHASES),
        ),
        Column("exclusion_type", "code", "suspension or permanent.", "suspension", allowed=tuple(EXCLUSION_TYPES)),
        REASON,
        _count("exclusions", "Exclusions with this main reason.", "3"),
    ),
    key=("academic_year", "urn", "phase", "exclusion_type", "reason"),
)
TARGETS = Template(
    "targets",
    "Board targets",
    "one row per measure, academic year and place the board sets a target for",
    (
        Column("measure", "code", "Measure id, as on the Data & methods page.", "suspension_rate", allowed=MEASURE_IDS),
        Column(
            "year",
            "year",
            "Academic year by which the target is to be met, written 2025/26.",
            "2025/26",
        ),
        Column(
            "level",
            "code",
            "The place the target is for: borough (the whole area, also written as the load's --area word, such as "
            "county), locality or cluster.",
            "borough",
            allowed=TARGET_LEVELS,
            # A county's officer writes 'county' for the whole county: the same level as a borough's 'borough'.
            synonyms=tuple((kind, "borough") for kind in AREA_KINDS if kind != "borough"),
        ),
        Column(
            "place",
            "code",
            "Code of the locality (localities.csv) or cluster (clusters.csv); blank for the borough.",
            "",
            required=False,
        ),
        Column(
            "target",
            "float",
            "The target in the measure's own unit as shown: 8.0 for 8.0 suspensions per 100 pupils, 18.5 for 18.5%.",
            "8.0",
            minimum=0,
        ),
        Column(
            "direction",
            "code",
            "at most (lower is the aim) or at least (higher is the aim); lower, higher, <= and >= are read as these.",
            "at most",
            allowed=DIRECTIONS,
            synonyms=DIRECTION_SYNONYMS,
        ),
    ),
    key=("measure", "year", "level", "place"),
)
DIMENSIONS: tuple[Template, ...] = (LOCALITIES, CLUSTERS, AREAS, SCHOOLS)
# localities.csv and clusters.csv may be left out when mapping.csv names the localities and clusters.
MAPPED_DIMENSIONS: tuple[Template, ...] = (LOCALITIES, CLUSTERS)
FACTS: tuple[Template, ...] = (POPULATION, CENSUS, EXCLUSIONS, ATTENDANCE, EHCP)
EXTRAS: tuple[Template, ...] = (EVENTS, BENCHMARKS, REASONS, TARGETS)  # optional, loaded as they are
TEMPLATES: tuple[Template, ...] = (MAPPING,) + DIMENSIONS + FACTS + EXTRAS


def template_rows(template: Template, pupil_level: bool = False) -> list[list[str]]:
    """Header and example row of a template, as written to data/templates."""
    columns, _ = template.form(pupil_level)
    return [[c.name for c in columns], [c.example for c in columns]]


def write_templates(folder) -> list[str]:
    """Write every template (and pupil-level form) as header plus example row; returns the file names."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for template in TEMPLATES:
        forms = [(template.filename, False)] + ([(template.pupil_filename, True)] if template.pupil_columns else [])
        for filename, pupil_level in forms:
            with open(folder / filename, "w", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows(template_rows(template, pupil_level))
            written.append(filename)
    return written


def templates_markdown() -> str:
    """The template reference (data/templates/README.md), generated so it cannot drift from the code."""
    lines = [
        "# Extract templates",
        "",
        "Generated from `dashboard/ingest/templates.py` by `python -m dashboard.ingest.templates`; do not edit by "
        "hand.",
        "",
        "Put one file per template in a folder and load it with `python -m dashboard.ingest load --source FOLDER`.",
        "Files are UTF-8 CSV with a header row. Dimension files (localities, clusters, areas, schools) are required,",
        "except that `mapping.csv` may stand in for localities and clusters: it places wards, small areas and schools",
        "in localities and clusters, and whatever it leaves out is put in a `Not mapped` locality and listed in the",
        "load report. Each dataset file is optional. A dataset may come **aggregated** (`NAME.csv`, counts per row) or",
        "**pupil-level** (`NAME_pupil.csv`, or `NAME.csv` with a `pupil_id` column): pupil-level rows are",
        "counted at load and the pupil ID is never stored. A blank `home_area_code`, or `OOB`, means the pupil",
        "lives outside the borough. Codes such as `ehcp` or `Full year` are matched in any letter case.",
        "In aggregated files a count may be an EES symbol instead of a number (`c` confidential, `low` rounds to",
        "zero, `x` not available, `z` not applicable, `u` low reliability): it is kept and shown where the number "
        "would be.",
        "An aggregated file may also leave out a breakdown it does not have (`term`, `urn`, `home_area_code`,",
        "`sen_provision`, `primary_need`, `age_band`, `setting_type`), as public files do: the figures still count "
        "in the",
        "borough's totals, and a view that needs the missing breakdown says so instead of showing a wrong figure.",
        "",
    ]
    for template in TEMPLATES:
        lines += [
            f"## {template.filename}: {template.title}",
            "",
            f"Grain: {template.grain}. Key: {', '.join(template.key)}.",
            "",
        ]
        forms = [("Columns" if template.dimension else "Aggregated", template.columns)] + (
            [(f"Pupil-level ({template.pupil_filename}, key: {', '.join(template.pupil_key)})", template.pupil_columns)]
            if template.pupil_columns
            else []
        )
        for heading, columns in forms:
            lines += [
                f"**{heading}**",
                "",
                "| column | type | required | meaning | example |",
                "| --- | --- | --- | --- | --- |",
            ]
            for c in columns:
                kind = c.kind + (f", refers to {c.references}" if c.references else "")
                lines.append(
                    f"| `{c.name}` | {kind} | {'yes' if c.required else 'no'} | {c.description} | `{c.example}` |"
                )
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    folder = absolute_path("data/templates")
    print("\n".join(write_templates(folder)))
    (folder / "README.md").write_text(templates_markdown())
