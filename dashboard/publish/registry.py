"""The registry: every count the app shows, every family (table) of it the app may show, and what each offers.

Plain data, read by the load (to protect every family jointly) and by the query layer (to refuse, in words, any
cut that is not declared here). docs/disclosure.md gives the figures behind each choice: a family whose cells
would mostly be hidden is left out in favour of a coarser one.
"""

from __future__ import annotations

from dataclasses import dataclass

# Dimensions in the order a family's key is written, with their names for sentences.
DIMENSIONS = {
    "area": "small area",
    "ward": "ward",
    "locality": "locality",
    "school": "school",
    "cluster": "school cluster",
    "school_locality": "locality of the school",
    "phase": "phase",
    "sen": "SEN provision",
    "need": "primary need",
    "broad_area": "broad area of need",
    "reason": "main reason",
    "decile": "deprivation decile of home",
    "term": "term",
}
# The columns a published cell is keyed by: every dimension but the term (kept apart, beside the year).
KEY_COLUMNS = tuple(d for d in DIMENSIONS if d != "term")
# One step up each hierarchy: a cell of the finer dimension lies in exactly one cell of each coarser one. A ward lies
# in one locality where the LA's localities are made of whole wards: the load checks, ward by ward (a reader can see
# it from the small areas), and ties a ward to its locality only where it does.
# Where pupils live, finest first: a cell with none of them is of pupils living outside the borough.
HOME_PLACES = ("area", "ward", "locality")
# Read from where pupils live, like the places: a cell with none of them is of pupils living outside the borough.
# The decile is the IDACI decile of the home's small area (1: England's most deprived tenth), public for every area,
# so a small area fixes its decile as it fixes its ward.
HOME_KEYS = (*HOME_PLACES, "decile")

PARENTS = {
    "area": ("ward", "locality", "decile"),
    "ward": ("locality",),
    "school": ("cluster", "phase"),
    "cluster": ("school_locality",),
    "need": ("broad_area",),
}


def implied_by(dimension: str) -> set[str]:
    """Every dimension a value of this one fixes (a school fixes its cluster, phase and the cluster's locality)."""
    found: set[str] = set()
    for parent in PARENTS.get(dimension, ()):
        found |= {parent} | implied_by(parent)
    return found


def canonical(dims) -> tuple[str, ...]:
    """A cut's key: its dimensions in the registry's order, less any implied by another (school implies phase)."""
    dims = set(dims) - {"borough", "year"}
    implied = set().union(*(implied_by(d) for d in dims)) if dims else set()
    return tuple(d for d in DIMENSIONS if d in dims and d not in implied)


def cut_name(dims: tuple[str, ...]) -> str:
    """How a cut is stored: 'locality|sen', or 'borough' for the whole."""
    return "|".join(dims) or "borough"


@dataclass(frozen=True)
class Count:
    """A count the app shows (children, events or sessions), where it is read from, and how it may be cut."""

    id: str
    words: str  # as a sentence names it
    table: str
    column: str
    condition: str = "TRUE"
    dimensions: frozenset[str] = frozenset({"area", "school", "sen", "need"})
    termly: bool = False  # has term rows as well as full years
    terms_add_up: bool = False  # a year's count is the sum of its terms' (events and sessions, not pupils)
    pattern_of: str | None = None  # sessions are not children: hidden wherever this count is hidden

    @property
    def children(self) -> bool:
        """True for counts of children or of events about them, which the threshold protects."""
        return self.pattern_of is None


PUPIL_DIMENSIONS = frozenset({"area", "school", "sen", "need"})
COUNTS: dict[str, Count] = {
    c.id: c
    for c in (
        Count("pupils", "pupils on roll", "fact_census", "pupils"),
        Count(
            "suspensions",
            "suspensions",
            "fact_exclusion",
            "exclusions",
            "f.exclusion_type = 'suspension'",
            termly=True,
            terms_add_up=True,
        ),
        Count(
            "permanent",
            "permanent exclusions",
            "fact_exclusion",
            "exclusions",
            "f.exclusion_type = 'permanent'",
            termly=True,
            terms_add_up=True,
        ),
        Count("enrolments", "pupil enrolments", "fact_attendance", "enrolments", termly=True),
        Count(
            "sessions_possible",
            "sessions possible",
            "fact_attendance",
            "sessions_possible",
            termly=True,
            terms_add_up=True,
            pattern_of="enrolments",
        ),
        Count(
            "sessions_missed",
            "sessions missed",
            "fact_attendance",
            "sessions_missed",
            termly=True,
            terms_add_up=True,
            pattern_of="enrolments",
        ),
        Count("persistent", "persistently absent pupils", "fact_attendance", "persistent_absentees", termly=True),
        Count("severe", "severely absent pupils", "fact_attendance", "severe_absentees", termly=True),
        Count("plans", "EHC plans", "fact_ehcp", "plans", dimensions=frozenset({"area", "need"})),
        Count("residents", "residents", "fact_population", "population", dimensions=frozenset({"area"})),
        Count(
            "reasons_suspension",
            "suspensions by main reason",
            "exclusion_reason",
            "exclusions",
            "f.exclusion_type = 'suspension'",
            dimensions=frozenset({"phase", "reason"}),
        ),
        Count(
            "reasons_permanent",
            "permanent exclusions by main reason",
            "exclusion_reason",
            "exclusions",
            "f.exclusion_type = 'permanent'",
            dimensions=frozenset({"phase", "reason"}),
        ),
    )
}
# The reasons grid's totals by phase and for the borough are the exclusions' own: they are shown or hidden together.
REASON_TOTALS = {"reasons_suspension": "suspensions", "reasons_permanent": "permanent"}

# A school year has 190 days of two sessions each: no enrolment has more sessions possible in a year, or in a term.
SESSIONS_PER_YEAR = 380


@dataclass(frozen=True)
class Relation:
    """What a reader can justify from the definitions about counts beside the sums (docs/disclosure.md lists them).

    Kinds, each holding cell by cell (same family, same keys, same period unless the kind says otherwise):
    - at_most: counts (smaller, larger): smaller <= factor x larger, in the year and in each term.
    - year_at_least_each_term: counts (count,): a year's cell is at least each of its terms' cells.
    - year_at_most_sum_of_terms: counts (count,): a year's cell is at most the sum of its terms' (all terms given).
    - same: counts (a, b): the same figure under two names wherever the two coincide at load (the same children,
      or a total given twice); one number to a reader, so shown or hidden together.
    - same_over_terms: counts (count,): a year's cell and each term's are one figure wherever they coincide at load.
    """

    kind: str
    counts: tuple[str, ...]
    why: str
    factor: float = 1.0


RELATIONS: tuple[Relation, ...] = (
    Relation("at_most", ("severe", "persistent"), "a pupil missing half their sessions misses a tenth of them"),
    Relation("at_most", ("persistent", "enrolments"), "a persistently absent pupil is an enrolled pupil"),
    Relation("at_most", ("sessions_missed", "sessions_possible"), "a session missed was a session possible"),
    Relation(
        "at_most",
        ("sessions_possible", "enrolments"),
        f"an enrolment has at most a school year's {SESSIONS_PER_YEAR} sessions possible",
        factor=SESSIONS_PER_YEAR,
    ),
    Relation("year_at_least_each_term", ("enrolments",), "a pupil enrolled in a term is enrolled in its year"),
    Relation(
        "year_at_most_sum_of_terms", ("enrolments",), "a pupil enrolled in a year is enrolled in one of its terms"
    ),
    Relation(
        "year_at_most_sum_of_terms",
        ("persistent",),
        "a pupil missing a tenth of the year's sessions missed a tenth of some term's",
    ),
    Relation(
        "year_at_most_sum_of_terms",
        ("severe",),
        "a pupil missing half the year's sessions missed half of some term's",
    ),
    Relation("same", ("pupils", "enrolments"), "pupils on roll and enrolments may count the same children"),
    Relation("same_over_terms", ("enrolments",), "a year's enrolments and a term's may be the same children"),
    *(
        Relation("same", (reasons, total), "every exclusion has one main reason: the reasons add up to its figure")
        for reasons, total in REASON_TOTALS.items()
    ),
)


def related_counts() -> list[frozenset[str]]:
    """The counts tied by relations (or by following another's hiding), in groups protected as one system per year;
    a count tied to none is a group of its own."""
    groups = [frozenset({count}) for count in COUNTS]
    ties = [set(relation.counts) for relation in RELATIONS]
    ties += [{count.id, count.pattern_of} for count in COUNTS.values() if count.pattern_of]
    for tie in ties:
        tied = {count for group in groups if group & tie for count in group}
        groups = [group for group in groups if not group & tie] + [frozenset(tied)]
    return sorted(groups, key=lambda group: sorted(group))


@dataclass(frozen=True)
class Family:
    """A table the app may show: a cut of some counts for every academic year, and of some by term too."""

    dims: tuple[str, ...]
    counts: frozenset[str]
    by_term: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        """The cut as stored, e.g. 'locality|sen'."""
        return cut_name(self.dims)


PUPILS = frozenset({"pupils", "suspensions", "enrolments", "sessions_possible", "sessions_missed", "persistent"})
SEVERE = frozenset({"severe"})
PERMANENT = frozenset({"permanent"})
PLANS = frozenset({"plans"})
RESIDENTS = frozenset({"residents"})
REASONS = frozenset(REASON_TOTALS)
# What a measure divides by, cut by deprivation decile: with the borough's rates by decile, the count a place would
# have if its pupils had the borough's rates for where they live (dashboard/query/expected.py).
DENOMINATORS = frozenset({"pupils", "enrolments", "sessions_possible"})

FAMILIES: tuple[Family, ...] = (
    # The whole borough, and one characteristic of the pupils at a time (phase and SEN provision together).
    Family((), PUPILS | SEVERE | PERMANENT | PLANS | RESIDENTS | REASONS, by_term=PUPILS | SEVERE | PERMANENT),
    Family(("sen",), PUPILS | SEVERE | PERMANENT, by_term=PUPILS | SEVERE),
    Family(("phase",), PUPILS | SEVERE | PERMANENT | REASONS, by_term=PUPILS | SEVERE),
    Family(("phase", "sen"), PUPILS | SEVERE),
    Family(("need",), PUPILS | PLANS),
    Family(("broad_area",), PUPILS | SEVERE | PLANS),
    Family(("reason",), REASONS),
    Family(("phase", "reason"), frozenset({"reasons_suspension"})),  # permanent exclusions: 93% would be hidden
    # Where pupils live: localities with one characteristic, wards with SEN provision or phase, small areas alone.
    Family(("locality",), PUPILS | SEVERE | PERMANENT | PLANS | RESIDENTS, by_term=PUPILS | SEVERE),
    Family(("locality", "sen"), PUPILS | SEVERE),
    Family(("locality", "phase"), PUPILS),  # severe absence: 47% would be hidden
    Family(("locality", "need"), PUPILS | PLANS),
    Family(("locality", "broad_area"), PUPILS | PLANS),
    Family(("ward",), PUPILS | SEVERE | PLANS | RESIDENTS),
    Family(("ward", "sen"), PUPILS),
    Family(("ward", "phase"), PUPILS),
    Family(("area",), PUPILS | PLANS | RESIDENTS),
    # Where pupils go to school: schools alone (their SEN mix for pupils on roll), clusters, localities of schools.
    Family(("school",), PUPILS),
    Family(("school", "sen"), frozenset({"pupils"})),
    Family(("school", "broad_area"), frozenset({"pupils"})),
    Family(("cluster",), PUPILS | SEVERE),
    Family(("cluster", "sen"), PUPILS),
    Family(("school_locality",), PUPILS | SEVERE | PERMANENT),
    Family(("school_locality", "sen"), PUPILS | SEVERE),
    # Deprivation: the borough's rates by decile of home (for every pupil, each phase, each SEN provision), and each
    # school's pupils by decile: enough to say what each place's count would be at the borough's rates for its pupils'
    # deprivation. Places where pupils live need no family of their own: a small area has one decile, so a ward's or
    # a locality's pupils in a decile are the sum of its small areas' (the area family). A family of them was tried:
    # its lines tie every ward to every decile, and the protection's search took over 17 minutes instead of 50 seconds
    # on the second-seed demo (docs/disclosure.md). A cluster's pupils by decile are likewise its schools'.
    Family(("decile",), PUPILS | SEVERE | PLANS | RESIDENTS),  # permanent exclusions: 65% would be hidden
    Family(("phase", "decile"), PUPILS),
    # SEN provision taken in with deprivation where pupils live: the borough's rates by provision and decile, and
    # each small area's pupils by provision (a small area fixes its decile, so those are its pupils by both).
    Family(("sen", "decile"), PUPILS),  # severe absentees: mostly hidden in 2019/20, so deprivation alone
    Family(("area", "sen"), DENOMINATORS),
    Family(("school", "decile"), DENOMINATORS),
)
FAMILIES_BY_NAME = {family.name: family for family in FAMILIES}


def families_of(count: str) -> list[Family]:
    """Every family declared for a count."""
    return [family for family in FAMILIES if count in family.counts]


def offered(count: str, dims, termly: bool = False) -> bool:
    """True when the registry declares this cut (and by term, if asked) for the count."""
    family = FAMILIES_BY_NAME.get(cut_name(canonical(dims)))
    return family is not None and count in (family.by_term if termly else family.counts)


# The counts behind each measure's rate: (numerator, denominator).
MEASURE_COUNTS = {
    "suspension_rate": ("suspensions", "pupils"),
    "permanent_rate": ("permanent", "pupils"),
    "ehcp_rate": ("plans", "residents"),
    "absence_rate": ("sessions_missed", "sessions_possible"),
    "persistent_absence": ("persistent", "enrolments"),
    "severe_absence": ("severe", "enrolments"),
}
# Which of a count's own dimensions each dimension is read from (a ward from the small area, a phase from the school).
READ_FROM = {
    "area": "area",
    "ward": "area",
    "locality": "area",
    "decile": "area",
    "school": "school",
    "cluster": "school",
    "school_locality": "school",
    "phase": "school",
    "sen": "sen",
    "need": "need",
    "broad_area": "need",
    "reason": "reason",
    "term": "term",
}


def has_dimension(count: str, dimension: str) -> bool:
    """True when a count can be cut by the dimension at all (residents have no SEN provision, say)."""
    found = COUNTS[count]
    if dimension == "term":
        return found.termly
    return READ_FROM[dimension] in found.dimensions or dimension in found.dimensions
