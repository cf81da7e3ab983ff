"""Fixed reference lists: DfE primary need codes, SEN provision, phases, terms and age bands."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    """A DfE primary type of need and the SEND Code of Practice broad area it belongs to."""

    code: str
    label: str
    broad_area: str


COMMUNICATION = "Communication and interaction"
COGNITION = "Cognition and learning"
SEMH_AREA = "Social, emotional and mental health"
SENSORY = "Sensory and/or physical"
OTHER_AREA = "Other"
NO_SEN_AREA = "No special educational needs"
# DfE school census / SEN2 codes. NSA is "SEN support but no specialist assessment of type of need".
NEEDS: tuple[Need, ...] = (
    Need("ASD", "Autistic spectrum disorder", COMMUNICATION),
    Need("SLCN", "Speech, language and communication needs", COMMUNICATION),
    Need("MLD", "Moderate learning difficulty", COGNITION),
    Need("SLD", "Severe learning difficulty", COGNITION),
    Need("PMLD", "Profound and multiple learning difficulty", COGNITION),
    Need("SPLD", "Specific learning difficulty", COGNITION),
    Need("SEMH", "Social, emotional and mental health", SEMH_AREA),
    Need("HI", "Hearing impairment", SENSORY),
    Need("VI", "Visual impairment", SENSORY),
    Need("MSI", "Multi-sensory impairment", SENSORY),
    Need("PD", "Physical disability", SENSORY),
    Need("OTH", "Other difficulty or disability", OTHER_AREA),
    Need("NSA", "SEN support but no specialist assessment of type of need", OTHER_AREA),
    Need("UNK", "Primary need not recorded", OTHER_AREA),
    # Pupils without SEN carry this code so every fact row joins to the need dimension.
    Need("NONE", "No special educational needs", NO_SEN_AREA),
)
NEED_CODES = tuple(n.code for n in NEEDS)
SEN_PROVISION = {"ehcp": "EHC plan", "sen_support": "SEN support", "none": "No SEN"}
PHASES = {
    "primary": "Primary",
    "secondary": "Secondary",
    "special": "Special",
    "ap": "Alternative provision",
}
TERMS = ("Autumn", "Spring", "Summer")
FULL_YEAR = "Full year"
# Symbols Explore Education Statistics prints instead of a number, and what each means. A source file may
# carry them in any count; the dashboard keeps the symbol and shows it wherever the number would be.
EES_SYMBOLS = {
    "c": "confidential: suppressed at source to protect individuals",
    "low": "a positive number that rounds to zero",
    "x": "not available",
    "z": "not applicable",
    "u": "low reliability",
}
# From least to most restrictive: a total over rows with several symbols takes the most restrictive.
SYMBOL_ORDER = ("u", "z", "x", "low", "c")
# Benchmark geographies, in the order cards and charts list them.
BENCHMARK_LEVELS = ("England", "Region", "Statistical neighbours")
EXCLUSION_TYPES = {"suspension": "Suspension", "permanent": "Permanent exclusion"}
# DfE's reasons for exclusion (the main reason of each), across the 2020/21 revision of the list: older data use
# the first twelve; 'other' was withdrawn in 2020/21, when the last five were added.
EXCLUSION_REASONS = {
    "physical_pupil": "Physical assault against a pupil",
    "physical_adult": "Physical assault against an adult",
    "verbal_pupil": "Verbal abuse or threatening behaviour against a pupil",
    "verbal_adult": "Verbal abuse or threatening behaviour against an adult",
    "bullying": "Bullying",
    "racist": "Racist abuse",
    "sexual_misconduct": "Sexual misconduct",
    "drug_alcohol": "Drug and alcohol related",
    "damage": "Damage",
    "theft": "Theft",
    "persistent_disruptive": "Persistent disruptive behaviour",
    "other": "Other",
    "weapon": "Use or threat of use of an offensive weapon or prohibited item",
    "sexual_orientation": "Abuse against sexual orientation and gender identity",
    "disability": "Abuse relating to disability",
    "online": "Inappropriate use of social media or online technology",
    "public_health": "Wilful and repeated transgression of public health measures",
}
# SEN2 reports plans in these age bands; the population fact uses the same bands so rates line up.
AGE_BANDS = ("0-4", "5-10", "11-15", "16-19", "20-25")
# Census 2021 counts residents in coarser bands: together they cover ages 0-24, one year short of 0-25.
CENSUS_AGE_BANDS = ("0-15", "16-24")
SETTING_TYPES = {
    "early_years": "Early years",
    "mainstream": "Mainstream school",
    "special": "Special school",
    "ap": "Alternative provision",
    "further_education": "Further education",
    "other": "Other arrangements or not in education",
}
# Pupils who live outside the borough have no home area; extracts write this or leave it blank.
OUT_OF_BOROUGH = "OOB"
# Where a mapping leaves an area or school without a locality or cluster, it goes here and the load report lists it.
UNMAPPED = "UNMAPPED"
UNMAPPED_NAME = "Not mapped"


def age_band(age: int) -> str:
    """Return the SEN2 age band for an age in whole years (0-25)."""
    if age < 0 or age > 25:
        raise ValueError(f"age {age} is outside 0-25")
    for band in AGE_BANDS:
        low, high = (int(part) for part in band.split("-"))
        if low <= age <= high:
            return band
    raise AssertionError("unreachable")  # pragma: no cover


def academic_year_label(start_year: int) -> str:
    """Return '2023/24' for an academic year starting in September 2023."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def academic_year_start(label: str) -> int:
    """Return 2023 for '2023/24'; raise ValueError for anything else."""
    head, _, tail = label.partition("/")
    if not (head.isdigit() and len(head) == 4 and tail.isdigit() and len(tail) == 2):
        raise ValueError(f"academic year '{label}' is not in the form 2023/24")
    start = int(head)
    if (start + 1) % 100 != int(tail):
        raise ValueError(f"academic year '{label}' does not span consecutive years")
    return start
