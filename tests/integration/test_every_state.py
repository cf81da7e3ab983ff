"""Every view under random filter states (issue 19): never blank when the publication offers it at some level, every
figure its summary quotes printed in its own table, the place named from the filters, the map's legend listing only
states present, and each place keeping its colour. The checks read only what a reader sees: the words and tables."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.domain.filters import MAP_LEVELS, FilterState, resolve
from dashboard.domain.status import NO_DATA_MESSAGE
from dashboard.views.board import CHARTS
from dashboard.views.map import map_panel, offered_levels

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PAGE_CHARTS = [name for name in CHARTS if not name.startswith("school")]  # a school's charts need a school chosen
# Words that carry digits but are not figures from a table: units, the age range, the years, the fixed limits, and
# counts of the table's own rows ('3 of 20 wards').
NOT_FIGURES = re.compile(
    r"per 1?,?0+\b|aged 0-25|\d{4}/\d{2}|\b(?:95|99\.8)%|(?:\d+|None) of \d+ (?:small areas|wards|localities|schools)"
    r"|\d+(?:st|nd|rd|th) highest of \d+|the lowest of \d+"
)
# A figure worked out from two printed ones: checked against them, not looked up in the table.
NUMBER = r"\d[\d,]*(?:\.\d+)?"
RELATIVE = re.compile(
    rf"(?<=, )(?P<value>{NUMBER})(?: per [\d,]+[^,:]*|%)?[,:] (?P<by>{NUMBER}) "
    rf"(?P<kind>times|percentage points?) [^(]*\((?P<reference>{NUMBER})"
)
FIGURE = re.compile(r"(?<![\w/.-])\d[\d,]*(?:\.\d+)?(?![\w/])")
# Sentences whose subject is the whole borough.
BOROUGH_SUBJECT = re.compile(r"for the whole borough|Across the borough|In the borough|Trend in the borough")
COLOURS: dict[tuple[str, str], str] = {}  # (breakdown, member) -> colour, across every state tried


@st.composite
def filter_states(draw, options) -> FilterState:
    """A filter state as a reader could set it: any measure and year, sometimes a place, a slice of pupils, a
    breakdown, a map level and colouring."""

    def maybe(choices, chance=0.5):
        return draw(st.one_of(st.none(), st.sampled_from([key for key, _ in choices]))) if choices else None

    raw = {
        "measure": draw(st.sampled_from([key for key, _ in options.measures])),
        "year": draw(st.sampled_from([key for key, _ in options.years])),
        "locality": maybe(options.localities),
        "need": maybe(options.needs),
        "sen": maybe(options.sen),
        "phase": maybe(options.phases),
        "by": maybe(options.breakdowns),
        "level": maybe(options.levels),
        "colour": maybe(options.colourings),
    }
    clusters = list(options.clusters_in(raw["locality"]))
    raw["cluster"] = maybe(clusters) if draw(st.booleans()) else None
    state, _ = resolve({k: v for k, v in raw.items() if v}, options)
    return state


def _table_text(panel) -> str:
    return " ".join([panel.table.to_csv(index=False), *map(str, panel.table.columns)])


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def check_figures_are_in_the_table(name: str, panel) -> None:
    """Every figure in the summary is printed in the table, or is worked out from two printed beside it."""
    sentence = panel.summary
    for found in RELATIVE.finditer(sentence):
        value, by, reference = (_number(found[k]) for k in ("value", "by", "reference"))
        places = len(found["by"].split(".")[1]) if "." in found["by"] else 0
        expected = value / reference if found["kind"] == "times" else abs(value - reference)
        assert abs(expected - by) <= 0.5 * 10**-places + 1e-9, (name, sentence)
    text = _table_text(panel)
    rest = NOT_FIGURES.sub("", RELATIVE.sub("", sentence))
    missing = [figure for figure in FIGURE.findall(rest) if figure not in text]
    assert not missing, (name, missing, sentence)
    if name == "funnel":
        # "N of M schools" is a count of the table's rows and of its flagged rows, so it is checked against them.
        counted = re.search(r"(?P<n>\d+|None) of (?P<m>\d+) schools", sentence)
        flagged = (panel.table["Compared with expected"] != "Similar to expected (within the limits)").sum()
        assert counted and int(counted["m"]) == len(panel.table), (name, sentence)
        assert (0 if counted["n"] == "None" else int(counted["n"])) == flagged, (name, sentence)


def check_the_place_is_named_from_the_filters(name: str, panel, state: FilterState, measure) -> None:
    """The borough is a sentence's subject only when no place filter applies to that view."""
    place_chosen = state.locality or (state.cluster and "cluster" in measure.filters)
    # The need mix and the locality table show every locality whatever is chosen; a trend broken down by locality
    # or cluster shows every member, the chosen one named, against the place above it.
    whole_by_design = name in ("need-mix", "broad-mix", "localities") or (
        name == "trend" and state.by in ("locality", "cluster") and not (state.by == "cluster" and state.locality)
    )
    if place_chosen and not whole_by_design:
        assert not BOROUGH_SUBJECT.search(panel.summary), (name, state, panel.summary)
        assert not BOROUGH_SUBJECT.search(panel.title), (name, state, panel.title)


def check_the_legend_lists_only_states_present(panel) -> None:
    """Each state in the map's legend (c, no data, outside) colours at least one place."""
    figure = panel.figure
    colorbar = figure.layout.coloraxis.colorbar
    used = {z for trace in figure.data if trace.type == "choropleth" for z in (trace.z or ())}
    for index, label in enumerate(colorbar.ticktext or ()):
        if label.startswith(("Suppressed", "No data", "Outside selection")):
            assert index in used, (label, sorted(used))


def check_colours_stay(panel, state: FilterState) -> None:
    """A member of a breakdown has one colour and dash in every state tried."""
    for trace in panel.figure.data:
        if trace.mode == "lines+markers":
            look = f"{trace.line.color} {trace.line.dash}"
            assert COLOURS.setdefault((state.by, trace.name), look) == look, (state.by, trace.name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_view_under_random_filters_is_true_to_its_table(queries, data):
    options = queries.filter_options()
    state = data.draw(filter_states(options))
    measure = queries.measure_in(state.measure)
    for name in PAGE_CHARTS:
        panel = CHARTS[name](queries, state)
        if panel is None:
            continue  # a chart the filters do not call for (the reasons, for a measure other than exclusions)
        if panel.empty:
            # Nothing to show only with the reason said (the pack then leaves the view out with that line).
            assert panel.notes, (name, state)
            continue
        assert panel.summary and panel.summary != NO_DATA_MESSAGE
        check_figures_are_in_the_table(name, panel)
        check_the_place_is_named_from_the_filters(name, panel, state, measure)
        if name == "map" and panel.figure is not None and panel.figure.layout.coloraxis.colorbar:
            check_the_legend_lists_only_states_present(panel)
        if name == "trend":
            check_colours_stay(panel, state)
    # The map is drawn at a level the publication offers, whenever one is.
    offered = offered_levels(queries, state)
    if offered:
        assert map_panel(queries, state).title.split(" by ")[1].split(",")[0] in [
            MAP_LEVELS[level].one.lower() for level in offered
        ]
