"""Filter state: parsed from a link's query string, checked against the data, written back to a link."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from urllib.parse import parse_qs, urlencode

from dashboard.domain.area import BOROUGH, Area
from dashboard.domain.measures import DEFAULT_MEASURE, MEASURES
from dashboard.domain.reference import PHASES, SEN_PROVISION

# URL parameter for each filter; short so shared links stay readable.
FILTER_KEYS = (
    "measure",
    "year",
    "locality",
    "cluster",
    "need",
    "sen",
    "phase",
    "by",
    "period",
    "level",
    "schools",
    "colour",
    "compare",
)
# Settings that always have a value (no 'all'); links leave them out when they are at their default.
DEFAULTS = {
    "measure": DEFAULT_MEASURE,
    "by": "locality",
    "period": "year",
    "level": "area",
    "schools": "hide",
    "colour": "value",
    "compare": "borough",
}


@dataclass(frozen=True)
class MapLevel:
    """A level the map can be drawn at, named as one place and as many."""

    one: str  # "Small area": a table's column, a title's "by small area"
    many: str  # "Small areas": the filter's choice, a sentence's "12 of 170 small areas"


MAP_LEVELS = {
    "area": MapLevel("Small area", "Small areas"),
    "ward": MapLevel("Ward", "Wards"),
    "locality": MapLevel("Locality", "Localities"),
}
SCHOOL_POINTS = {"hide": "Hide schools", "show": "Show schools"}
# Colour places by their rate, or by whether their 95% interval lies above, across or below what they are set against.
COLOURINGS = {"value": "Rate", "verdict": "Against the comparison"}
# What places, schools and the selection are compared with: the borough, the benchmark (England unless the LA loads
# another), or the count expected at the borough's rates for the deprivation of where their pupils live.
COMPARISONS = {"borough": "The borough", "benchmark": "England or benchmark", "expected": "Expected given deprivation"}


def comparison_choices(area: Area) -> tuple[tuple[str, str], ...]:
    """The comparisons as the control offers them, the first named for the whole area ('The county')."""
    return tuple((key, area.the.capitalize() if key == "borough" else label) for key, label in COMPARISONS.items())


# Links from before the choice was its own: a colouring named what it was against.
OLD_COLOURINGS = {"borough": "borough", "benchmark": "benchmark"}
BREAKDOWNS = {
    "locality": "Locality",
    "cluster": "School cluster",
    "need": "Primary need",
    "sen": "SEN provision",
    "phase": "Phase",
}
PERIODS = {"year": "Academic years", "term": "Terms"}
# Labels as a sentence would use them ("SEN provision" keeps its capitals) and their plurals.
FILTER_LABELS = {
    "measure": "measure",
    "year": "academic year",
    "locality": "locality",
    "cluster": "school cluster",
    "need": "need type",
    "sen": "SEN provision",
    "phase": "phase",
    "by": "breakdown",
    "period": "period",
    "level": "map level",
    "schools": "school points",
    "colour": "map colouring",
    "compare": "comparison",
}
# A control's label where it is not the filter's name in sentence case.
CONTROL_LABELS = {"compare": "Compared with"}
FILTER_PLURALS = {
    "locality": "localities",
    "cluster": "school clusters",
    "need": "need types",
    "sen": "pupils",
    "phase": "phases",
}


@dataclass(frozen=True)
class FilterOptions:
    """The values each filter may take, as (value, label) pairs, from the warehouse."""

    years: tuple[tuple[str, str], ...]
    localities: tuple[tuple[str, str], ...]
    clusters: tuple[tuple[str, str, str], ...]  # value, label, locality code
    needs: tuple[tuple[str, str], ...]
    sen: tuple[tuple[str, str], ...] = tuple(SEN_PROVISION.items())
    phases: tuple[tuple[str, str], ...] = tuple(PHASES.items())
    measures: tuple[tuple[str, str], ...] = tuple((m.id, m.label) for m in MEASURES.values())
    breakdowns: tuple[tuple[str, str], ...] = tuple(BREAKDOWNS.items())
    periods: tuple[tuple[str, str], ...] = tuple(PERIODS.items())
    levels: tuple[tuple[str, str], ...] = tuple((k, v.many) for k, v in MAP_LEVELS.items())
    school_points: tuple[tuple[str, str], ...] = tuple(SCHOOL_POINTS.items())
    colourings: tuple[tuple[str, str], ...] = tuple(COLOURINGS.items())
    comparisons: tuple[tuple[str, str], ...] = tuple(COMPARISONS.items())
    area: Area = BOROUGH  # what sentences call the whole area the load covers
    # The latest year each measure has data for (public files for one dataset may stop years before another's).
    latest_years: tuple[tuple[str, str], ...] = ()

    def latest_year(self, measure: str) -> str | None:
        """The latest year with data for a measure, else the latest year of any data."""
        return dict(self.latest_years).get(measure) or (self.years[-1][0] if self.years else None)

    def pairs(self, key: str) -> tuple[tuple, ...]:
        """(value, label, ...) for every value a filter may take."""
        return {
            "measure": self.measures,
            "year": self.years,
            "locality": self.localities,
            "cluster": self.clusters,
            "need": self.needs,
            "sen": self.sen,
            "phase": self.phases,
            "by": self.breakdowns,
            "period": self.periods,
            "level": self.levels,
            "schools": self.school_points,
            "colour": self.colourings,
            "compare": self.comparisons,
        }[key]

    def allowed(self, key: str) -> tuple[str, ...]:
        """Every value a filter may take."""
        return tuple(p[0] for p in self.pairs(key))

    def label(self, key: str, value: str | None) -> str:
        """The on-screen label of a filter value."""
        if value is None:
            return "All"
        return next((p[1] for p in self.pairs(key) if p[0] == value), value)

    def clusters_in(self, locality: str | None) -> tuple[tuple[str, str], ...]:
        """Clusters to offer once a locality is chosen (all of them if none is)."""
        return tuple((c[0], c[1]) for c in self.clusters if locality is None or c[2] == locality)


@dataclass(frozen=True)
class FilterState:
    """One view's filters; None means 'all'."""

    measure: str = DEFAULT_MEASURE
    year: str | None = None
    locality: str | None = None
    cluster: str | None = None
    need: str | None = None
    sen: str | None = None
    phase: str | None = None
    by: str = "locality"
    period: str = "year"
    level: str = "area"
    schools: str = "hide"
    colour: str = "value"
    compare: str = "borough"
    school: str | None = None  # one school's URN, for its own page; never in a link

    def as_dict(self) -> dict:
        """Plain dict for a dcc.Store."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> FilterState:
        """Back from a dcc.Store; unknown keys are ignored."""
        data = data or {}
        return cls(**{k: data.get(k) for k in FILTER_KEYS if data.get(k) is not None})


def default_state(options: FilterOptions) -> FilterState:
    """Suspension rate for the latest year it has data, everything else 'all'."""
    return FilterState(year=options.latest_year(DEFAULT_MEASURE))


ECHOED = 40  # characters of an unknown value a message repeats back


def echoed(value: object) -> str:
    """A value from a request as a message may repeat it: printable characters only, at most ECHOED of them.

    A request's value reaches sentences on the page, in files and in the export browser's captions; a control
    character (a NUL byte) there once killed the export browser, and a megabyte of text would fill the page.
    """
    text = "".join(char if char.isprintable() else "?" for char in str(value))
    return text if len(text) <= ECHOED else text[: ECHOED - 1] + "…"


class InvalidFilters(ValueError):
    """Filters from the browser that no control offers: a crafted or stale request, refused with a sentence."""


def checked(data: object, options: FilterOptions) -> FilterState:
    """The filters a page's store holds, each checked against the values its control offers; raises InvalidFilters
    (whose sentence names the first wrong one) rather than letting an unknown value reach a query or a caption."""
    if not isinstance(data, dict):
        raise InvalidFilters("The filters sent were not understood; reload the page.")
    for key in FILTER_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or value not in options.allowed(key):
            raise InvalidFilters(
                f"There is no {FILTER_LABELS[key]} '{echoed(value)}' in the data; reload the page to choose again."
            )
    return FilterState.from_dict(data)


def resolve(requested: dict[str, str | None], options: FilterOptions) -> tuple[FilterState, list[str]]:
    """Check requested filter values against the data; unknown ones fall back to 'all' with a message."""
    state = default_state(options)
    messages: list[str] = []
    requested = dict(requested)
    if requested.get("colour") in OLD_COLOURINGS:
        requested["compare"] = requested.get("compare") or OLD_COLOURINGS[requested["colour"]]
        requested["colour"] = "verdict"
    for key in FILTER_KEYS:
        value = requested.get(key)
        if value in (None, "", "all"):
            continue
        if value not in options.allowed(key):
            fallback = {
                "year": "the latest year",
                "measure": "the suspension rate",
                "by": "localities",
                "period": "academic years",
                "level": "small areas",
                "schools": "no school points",
                "colour": "colours by rate",
                "compare": options.area.the,
            }.get(key, f"all {FILTER_PLURALS.get(key)}")
            messages.append(
                f"There is no {FILTER_LABELS[key]} '{echoed(value)}' in the data, "
                f"so this view shows {fallback} instead."
            )
            continue
        state = replace(state, **{key: value})
    if requested.get("year") not in options.allowed("year"):
        # Opening on a year the chosen measure has no data for would greet the reader with 'no data'.
        state = replace(state, year=options.latest_year(state.measure))
    if state.cluster and state.locality:
        cluster_locality = next(c[2] for c in options.clusters if c[0] == state.cluster)
        if cluster_locality != state.locality:
            messages.append(
                f"Cluster '{options.label('cluster', state.cluster)}' is not in "
                f"{options.label('locality', state.locality)}, "
                "so the cluster filter was cleared."
            )
            state = replace(state, cluster=None)
    return state, messages


def parse_query(search: str | None, options: FilterOptions) -> tuple[FilterState, list[str]]:
    """Filters from a query string such as '?measure=ehcp_rate&locality=N'."""
    params = parse_qs((search or "").lstrip("?"), keep_blank_values=False)
    requested = {key: values[-1] for key, values in params.items() if key in FILTER_KEYS}
    unknown = sorted(set(params) - set(FILTER_KEYS))
    state, messages = resolve(requested, options)
    if unknown:
        messages.append(
            f"The link has settings this dashboard does not know ({', '.join(map(echoed, unknown[:5]))}"
            f"{', …' if len(unknown) > 5 else ''}); they were ignored."
        )
    return state, messages


def normalised(state: FilterState) -> FilterState:
    """The state with an old link's colouring ('borough', 'benchmark') read as a colouring against that comparison."""
    if state.colour in OLD_COLOURINGS:
        return replace(state, colour="verdict", compare=OLD_COLOURINGS[state.colour])
    return state


def to_query(state: FilterState) -> str:
    """Query string for a state, leaving out filters set to 'all' so links stay short; the school is never in one."""
    params = {k: v for k, v in state.as_dict().items() if k in FILTER_KEYS and v is not None and v != DEFAULTS.get(k)}
    return "?" + urlencode(params) if params else ""
