"""The measures the dashboard shows: definition, numerator, denominator, unit and good direction."""

from __future__ import annotations

from dataclasses import dataclass

# Filters a measure can honour. Population has no school, phase or SEN provision, so EHCP rates
# per resident cannot be cut by them.
PUPIL_FILTERS = frozenset({"locality", "cluster", "need", "sen", "phase"})
RESIDENT_FILTERS = frozenset({"locality", "need"})


@dataclass(frozen=True)
class Measure:
    """One rate the dashboard can map or chart."""

    id: str
    label: str
    dataset: str  # exclusions | ehcp | attendance
    unit: str
    scale: float  # value = numerator / denominator * scale
    numerator_label: str
    denominator_label: str
    definition: str
    higher_is_worse: bool | None  # None where higher is neither good nor bad (need identified)
    filters: frozenset[str]
    decimals: int = 1
    # How uncertainty is worked out: "rate" counts events (exact Poisson), "proportion" counts people (Wilson).
    kind: str = "proportion"

    @property
    def in_sentence(self) -> str:
        """The label inside a sentence: 'suspension rate', but 'EHC plan rate' keeps its capitals."""
        return self.label if self.label[:2].isupper() else self.label[0].lower() + self.label[1:]

    def format(self, value: float | None, with_unit: bool = True) -> str:
        """The value as shown on screen, with its unit unless a column header already gives it."""
        if value is None or value != value:  # NaN
            return "no data"
        number = f"{value:,.{self.decimals}f}"
        if not with_unit:
            return number
        return number + ("%" if self.unit == "%" else " " + self.unit)


MEASURES: dict[str, Measure] = {
    m.id: m
    for m in (
        Measure(
            "suspension_rate",
            "Suspension rate",
            "exclusions",
            "per 100 pupils",
            100,
            "suspensions",
            "pupils on roll",
            "Suspensions in the academic year per 100 pupils on roll in the January census (the DfE definition).",
            True,
            PUPIL_FILTERS,
            2,
            "rate",
        ),
        Measure(
            "permanent_rate",
            "Permanent exclusion rate",
            "exclusions",
            "per 100 pupils",
            100,
            "permanent exclusions",
            "pupils on roll",
            "Permanent exclusions in the academic year per 100 pupils on roll in the January census.",
            True,
            PUPIL_FILTERS,
            3,
            "rate",
        ),
        Measure(
            "ehcp_rate",
            "EHC plan rate",
            "ehcp",
            "per 1,000 aged 0-25",
            1000,
            "EHC plans",
            "residents aged 0-25",
            "EHC plans maintained in the January caseload for residents of the area, per 1,000 residents aged 0-25.",
            None,
            RESIDENT_FILTERS,
            1,
        ),
        Measure(
            "absence_rate",
            "Overall absence",
            "attendance",
            "%",
            100,
            "sessions missed",
            "sessions possible",
            "Half-day sessions missed (authorised and unauthorised) as a percentage of sessions possible.",
            True,
            PUPIL_FILTERS,
            1,
        ),
        Measure(
            "persistent_absence",
            "Persistent absence",
            "attendance",
            "%",
            100,
            "persistently absent pupils",
            "pupil enrolments",
            "Pupil enrolments missing 10% or more of their possible sessions, as a percentage of enrolments.",
            True,
            PUPIL_FILTERS,
            1,
        ),
        Measure(
            "severe_absence",
            "Severe absence",
            "attendance",
            "%",
            100,
            "severely absent pupils",
            "pupil enrolments",
            "Pupil enrolments missing 50% or more of their possible sessions, as a percentage of enrolments.",
            True,
            PUPIL_FILTERS,
            1,
        ),
    )
}
DEFAULT_MEASURE = "suspension_rate"


def exclusion_type_for(measure_id: str) -> str:
    """Permanent exclusions when the permanent exclusion rate is chosen; suspensions otherwise."""
    return "permanent" if measure_id == "permanent_rate" else "suspension"
