"""Filter state (dashboard/domain/filters.py) on options built by hand, against expected values written out."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.domain.filters import FilterOptions, FilterState, default_state, parse_query, resolve, to_query

# Three years; the suspension rate stops a year before the latest and absence two years before; EHC plans (no entry)
# run to the latest year of any data.
OPTIONS = FilterOptions(
    years=(("2021/22", "2021/22"), ("2022/23", "2022/23"), ("2023/24", "2023/24")),
    localities=(("N", "North"), ("S", "South")),
    clusters=(("N1", "North One", "N"), ("N2", "North Two", "N"), ("S1", "South One", "S")),
    needs=(("ASD", "Autistic spectrum disorder"), ("SEMH", "Social, emotional and mental health")),
    latest_years=(("suspension_rate", "2022/23"), ("absence_rate", "2021/22")),
)
NO_YEARS = FilterOptions(years=(), localities=(), clusters=(), needs=())
# The opening view: the suspension rate in the latest year it has data.
DEFAULT = FilterState(year="2022/23")
# Every filter away from its default.
EVERYTHING = FilterState(
    measure="ehcp_rate",
    year="2023/24",
    locality="N",
    cluster="N1",
    need="SEMH",
    sen="ehcp",
    phase="primary",
    by="cluster",
    period="term",
    level="ward",
    schools="show",
    colour="verdict",
    compare="expected",
)
EVERYTHING_LINK = (
    "?measure=ehcp_rate&year=2023%2F24&locality=N&cluster=N1&need=SEMH&sen=ehcp&phase=primary"
    "&by=cluster&period=term&level=ward&schools=show&colour=verdict&compare=expected"
)
CLEARED = "Cluster 'South One' is not in North, so the cluster filter was cleared."


@pytest.mark.parametrize(
    ("options", "measure", "expected"),
    [
        (OPTIONS, "suspension_rate", "2022/23"),
        (OPTIONS, "absence_rate", "2021/22"),
        (OPTIONS, "ehcp_rate", "2023/24"),  # no entry of its own: the latest year of any data
        (OPTIONS, "happiness", "2023/24"),
        (
            FilterOptions(years=OPTIONS.years, localities=(), clusters=(), needs=(), latest_years=(("x", ""),)),
            "x",
            "2023/24",
        ),
        (NO_YEARS, "suspension_rate", None),
        # The year's value, not its label.
        (FilterOptions(years=(("2023/24", "2023 to 2024"),), localities=(), clusters=(), needs=()), "x", "2023/24"),
    ],
)
def test_latest_year(options, measure, expected):
    assert options.latest_year(measure) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "measure",
            ("suspension_rate", "permanent_rate", "ehcp_rate", "absence_rate", "persistent_absence", "severe_absence"),
        ),
        ("year", ("2021/22", "2022/23", "2023/24")),
        ("locality", ("N", "S")),
        ("cluster", ("N1", "N2", "S1")),
        ("need", ("ASD", "SEMH")),
        ("sen", ("ehcp", "sen_support", "none")),
        ("phase", ("primary", "secondary", "special", "ap")),
        ("by", ("locality", "cluster", "need", "sen", "phase")),
        ("period", ("year", "term")),
        ("level", ("area", "ward", "locality")),
        ("schools", ("hide", "show")),
        ("colour", ("value", "verdict")),
        ("compare", ("borough", "benchmark", "expected")),
    ],
)
def test_allowed_values_of_each_filter(key, expected):
    assert OPTIONS.allowed(key) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("year", (("2021/22", "2021/22"), ("2022/23", "2022/23"), ("2023/24", "2023/24"))),
        ("locality", (("N", "North"), ("S", "South"))),
        ("cluster", (("N1", "North One", "N"), ("N2", "North Two", "N"), ("S1", "South One", "S"))),
        ("level", (("area", "Small areas"), ("ward", "Wards"), ("locality", "Localities"))),
    ],
)
def test_pairs_keep_labels_and_cluster_localities(key, expected):
    assert OPTIONS.pairs(key) == expected


def test_pairs_of_an_unknown_filter_is_an_error():
    with pytest.raises(KeyError):
        OPTIONS.pairs("flavour")


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("locality", "N", "North"),
        ("locality", None, "All"),
        ("locality", "Q", "Q"),  # not in the data: shown as it is
        ("cluster", "S1", "South One"),
        ("need", "SEMH", "Social, emotional and mental health"),
        ("measure", "ehcp_rate", "EHC plan rate"),
        ("sen", "sen_support", "SEN support"),
        ("phase", "ap", "Alternative provision"),
        ("by", "cluster", "School cluster"),
        ("period", "term", "Terms"),
        ("level", "ward", "Wards"),
        ("schools", "show", "Show schools"),
        ("colour", "verdict", "Against the comparison"),
        ("compare", "expected", "Expected given deprivation"),
        ("year", "2021/22", "2021/22"),
    ],
)
def test_label(key, value, expected):
    assert OPTIONS.label(key, value) == expected


@pytest.mark.parametrize(
    ("locality", "expected"),
    [
        (None, (("N1", "North One"), ("N2", "North Two"), ("S1", "South One"))),
        ("N", (("N1", "North One"), ("N2", "North Two"))),
        ("S", (("S1", "South One"),)),
        ("Q", ()),
    ],
)
def test_clusters_in(locality, expected):
    assert OPTIONS.clusters_in(locality) == expected


def test_as_dict_holds_every_field_including_the_school():
    assert FilterState(locality="N", school="123456").as_dict() == {
        "measure": "suspension_rate",
        "year": None,
        "locality": "N",
        "cluster": None,
        "need": None,
        "sen": None,
        "phase": None,
        "by": "locality",
        "period": "year",
        "level": "area",
        "schools": "hide",
        "colour": "value",
        "compare": "borough",
        "school": "123456",
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (None, FilterState()),
        ({}, FilterState()),
        ({"locality": "N", "flavour": "mint", "": "x"}, FilterState(locality="N")),
        # None never overrides a default: a setting that always has a value keeps it.
        ({"measure": None, "by": None, "colour": None, "year": None, "need": "ASD"}, FilterState(need="ASD")),
        (
            {
                "measure": "ehcp_rate",
                "year": "2023/24",
                "locality": "N",
                "cluster": "N1",
                "need": "SEMH",
                "sen": "ehcp",
                "phase": "primary",
                "by": "cluster",
                "period": "term",
                "level": "ward",
                "schools": "show",
                "colour": "verdict",
                "compare": "expected",
            },
            EVERYTHING,
        ),
    ],
)
def test_from_dict(data, expected):
    assert FilterState.from_dict(data) == expected


@pytest.mark.parametrize("state", [FilterState(), DEFAULT, EVERYTHING, FilterState(measure="absence_rate", sen="none")])
def test_from_dict_undoes_as_dict(state):
    assert FilterState.from_dict(state.as_dict()) == state


@pytest.mark.parametrize(("options", "expected"), [(OPTIONS, DEFAULT), (NO_YEARS, FilterState())])
def test_default_state(options, expected):
    assert default_state(options) == expected


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "measure",
            "happiness",
            "There is no measure 'happiness' in the data, so this view shows the suspension rate instead.",
        ),
        (
            "year",
            "1999/00",
            "There is no academic year '1999/00' in the data, so this view shows the latest year instead.",
        ),
        ("locality", "Q", "There is no locality 'Q' in the data, so this view shows all localities instead."),
        (
            "cluster",
            "Z9",
            "There is no school cluster 'Z9' in the data, so this view shows all school clusters instead.",
        ),
        ("need", "XYZ", "There is no need type 'XYZ' in the data, so this view shows all need types instead."),
        ("sen", "some", "There is no SEN provision 'some' in the data, so this view shows all pupils instead."),
        ("phase", "nursery", "There is no phase 'nursery' in the data, so this view shows all phases instead."),
        ("by", "ward", "There is no breakdown 'ward' in the data, so this view shows localities instead."),
        ("period", "month", "There is no period 'month' in the data, so this view shows academic years instead."),
        ("level", "street", "There is no map level 'street' in the data, so this view shows small areas instead."),
        (
            "schools",
            "maybe",
            "There is no school points 'maybe' in the data, so this view shows no school points instead.",
        ),
        ("colour", "red", "There is no map colouring 'red' in the data, so this view shows colours by rate instead."),
    ],
)
def test_an_unknown_value_falls_back_with_its_message(key, value, message):
    assert resolve({key: value}, OPTIONS) == (DEFAULT, [message])


@pytest.mark.parametrize(
    ("requested", "expected", "messages"),
    [
        ({}, DEFAULT, []),
        ({"locality": "N"}, FilterState(year="2022/23", locality="N"), []),
        # 'all', '' and None each mean 'all', and a later filter still applies.
        ({"locality": "all", "need": "ASD"}, FilterState(year="2022/23", need="ASD"), []),
        ({"locality": "", "need": "ASD"}, FilterState(year="2022/23", need="ASD"), []),
        ({"locality": None, "need": "ASD"}, FilterState(year="2022/23", need="ASD"), []),
        ({"measure": "all", "by": "all", "colour": "all"}, DEFAULT, []),
        # No year, 'all' or an unknown one: the latest year the chosen measure has data.
        ({"measure": "absence_rate"}, FilterState(measure="absence_rate", year="2021/22"), []),
        ({"measure": "absence_rate", "year": "all"}, FilterState(measure="absence_rate", year="2021/22"), []),
        ({"measure": "ehcp_rate", "year": ""}, FilterState(measure="ehcp_rate", year="2023/24"), []),
        (
            {"measure": "absence_rate", "year": "2030/31"},
            FilterState(measure="absence_rate", year="2021/22"),
            ["There is no academic year '2030/31' in the data, so this view shows the latest year instead."],
        ),
        # A year in the data is kept, even one past the measure's latest or before it.
        ({"year": "2023/24"}, FilterState(year="2023/24"), []),
        ({"measure": "ehcp_rate", "year": "2021/22"}, FilterState(measure="ehcp_rate", year="2021/22"), []),
        # An unknown measure falls back to the suspension rate, and so to its latest year.
        (
            {"measure": "happiness", "locality": "S"},
            FilterState(year="2022/23", locality="S"),
            ["There is no measure 'happiness' in the data, so this view shows the suspension rate instead."],
        ),
        # A cluster in the chosen locality is kept; one outside it is cleared with a message.
        ({"locality": "N", "cluster": "N2"}, FilterState(year="2022/23", locality="N", cluster="N2"), []),
        ({"locality": "S", "cluster": "S1"}, FilterState(year="2022/23", locality="S", cluster="S1"), []),
        ({"locality": "N", "cluster": "S1"}, FilterState(year="2022/23", locality="N"), [CLEARED]),
        # A cluster without a locality, or with one not in the data, is kept.
        ({"cluster": "S1"}, FilterState(year="2022/23", cluster="S1"), []),
        (
            {"locality": "Q", "cluster": "S1"},
            FilterState(year="2022/23", cluster="S1"),
            ["There is no locality 'Q' in the data, so this view shows all localities instead."],
        ),
        # Messages come in the order of the filters, the cleared cluster last.
        (
            {"colour": "red", "cluster": "S1", "measure": "happiness", "locality": "N", "need": "SEMH"},
            FilterState(year="2022/23", locality="N", need="SEMH"),
            [
                "There is no measure 'happiness' in the data, so this view shows the suspension rate instead.",
                "There is no map colouring 'red' in the data, so this view shows colours by rate instead.",
                CLEARED,
            ],
        ),
        # Keys that are not filters are not looked at.
        ({"school": "123456", "flavour": "mint"}, DEFAULT, []),
    ],
)
def test_resolve(requested, expected, messages):
    assert resolve(requested, OPTIONS) == (expected, messages)


def test_resolve_without_years_leaves_the_year_empty():
    assert resolve({"year": "2022/23", "measure": "ehcp_rate"}, NO_YEARS) == (
        FilterState(measure="ehcp_rate"),
        ["There is no academic year '2022/23' in the data, so this view shows the latest year instead."],
    )


@pytest.mark.parametrize(
    ("search", "expected", "messages"),
    [
        (None, DEFAULT, []),
        ("", DEFAULT, []),
        ("?", DEFAULT, []),
        ("?locality=N", FilterState(year="2022/23", locality="N"), []),
        ("locality=N", FilterState(year="2022/23", locality="N"), []),  # the leading '?' is optional
        ("?measure=ehcp_rate", FilterState(measure="ehcp_rate", year="2023/24"), []),
        ("?year=2021%2F22&need=ASD", FilterState(year="2021/22", need="ASD"), []),
        ("?year=2021/22", FilterState(year="2021/22"), []),
        (EVERYTHING_LINK, EVERYTHING, []),
        ("?locality=all&phase=all&colour=all", DEFAULT, []),
        ("?locality=&phase=special", FilterState(year="2022/23", phase="special"), []),
        # Repeated parameters: the last wins; a blank one sets nothing, so does not override an earlier value.
        ("?locality=N&locality=S", FilterState(year="2022/23", locality="S"), []),
        ("?locality=N&locality=Q&locality=S", FilterState(year="2022/23", locality="S"), []),
        (
            "?locality=S&locality=Q",
            DEFAULT,
            ["There is no locality 'Q' in the data, so this view shows all localities instead."],
        ),
        ("?locality=N&locality=", FilterState(year="2022/23", locality="N"), []),
        ("?locality=N&cluster=S1", FilterState(year="2022/23", locality="N"), [CLEARED]),
        (
            "?year=1999%2F00&measure=absence_rate",
            FilterState(measure="absence_rate", year="2021/22"),
            ["There is no academic year '1999/00' in the data, so this view shows the latest year instead."],
        ),
        # Unknown parameters are listed once each, sorted, after the other messages; the school is one of them.
        (
            "?zebra=1&school=123456&flavour=mint&locality=Q&colourway=red&apple=2&zebra=3",
            DEFAULT,
            [
                "There is no locality 'Q' in the data, so this view shows all localities instead.",
                "The link has settings this dashboard does not know (apple, colourway, flavour, school, zebra); "
                "they were ignored.",
            ],
        ),
        (
            "?Xmas=on&need=ASD",
            FilterState(year="2022/23", need="ASD"),
            ["The link has settings this dashboard does not know (Xmas); they were ignored."],
        ),
        (
            "?need=ASD&flavour=mint",
            FilterState(year="2022/23", need="ASD"),
            ["The link has settings this dashboard does not know (flavour); they were ignored."],
        ),
    ],
)
def test_parse_query(search, expected, messages):
    assert parse_query(search, OPTIONS) == (expected, messages)


@pytest.mark.parametrize(
    ("state", "link"),
    [
        (FilterState(), ""),
        # Settings at their defaults are left out, and so is the school, which is never in a link.
        (FilterState(measure="suspension_rate", by="locality", period="year", level="area", schools="hide"), ""),
        (FilterState(colour="value", school="123456"), ""),
        (FilterState(year="2022/23", school="123456"), "?year=2022%2F23"),
        (DEFAULT, "?year=2022%2F23"),
        (FilterState(measure="absence_rate"), "?measure=absence_rate"),
        (FilterState(locality="N", cluster="N2"), "?locality=N&cluster=N2"),
        (
            FilterState(schools="show", colour="verdict", compare="benchmark", level="locality"),
            "?level=locality&schools=show&colour=verdict&compare=benchmark",
        ),
        (FilterState(by="need", period="term", sen="sen_support"), "?sen=sen_support&by=need&period=term"),
        (FilterState(need="Speech & language"), "?need=Speech+%26+language"),
        (EVERYTHING, EVERYTHING_LINK),
    ],
)
def test_to_query(state, link):
    assert to_query(state) == link


@pytest.mark.parametrize(
    "state",
    [
        DEFAULT,
        EVERYTHING,
        FilterState(measure="absence_rate", year="2021/22"),
        FilterState(year="2023/24", locality="S", cluster="S1", phase="ap"),
        FilterState(year="2021/22", cluster="N2", need="ASD", sen="none", by="phase"),
        FilterState(
            year="2022/23", period="term", level="locality", schools="show", colour="verdict", compare="benchmark"
        ),
    ],
)
def test_a_link_opens_the_state_it_was_written_from(state):
    assert parse_query(to_query(state), OPTIONS) == (state, [])


def test_the_school_is_left_out_of_the_link_and_so_out_of_the_state_it_opens():
    assert parse_query(to_query(FilterState(year="2023/24", locality="S", school="123456")), OPTIONS) == (
        FilterState(year="2023/24", locality="S"),
        [],
    )


# Clusters each locality may be combined with (None: any), written out from OPTIONS above.
CLUSTERS_OF = {None: [None, "N1", "N2", "S1"], "N": [None, "N1", "N2"], "S": [None, "S1"]}


@st.composite
def states(draw) -> FilterState:
    """A state every filter of which is in OPTIONS, with a cluster in its locality."""
    locality = draw(st.sampled_from([None, "N", "S"]))
    return FilterState(
        measure=draw(st.sampled_from(["suspension_rate", "permanent_rate", "ehcp_rate", "absence_rate"])),
        year=draw(st.sampled_from(["2021/22", "2022/23", "2023/24"])),
        locality=locality,
        cluster=draw(st.sampled_from(CLUSTERS_OF[locality])),
        need=draw(st.sampled_from([None, "ASD", "SEMH"])),
        sen=draw(st.sampled_from([None, "ehcp", "sen_support", "none"])),
        phase=draw(st.sampled_from([None, "primary", "secondary", "special", "ap"])),
        by=draw(st.sampled_from(["locality", "cluster", "need", "sen", "phase"])),
        period=draw(st.sampled_from(["year", "term"])),
        level=draw(st.sampled_from(["area", "ward", "locality"])),
        schools=draw(st.sampled_from(["hide", "show"])),
        colour=draw(st.sampled_from(["value", "verdict"])),
        compare=draw(st.sampled_from(["borough", "benchmark", "expected"])),
    )


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(states(), st.sampled_from([None, "123456"]))
def test_any_link_opens_its_state_and_never_holds_the_school(state, school):
    link = to_query(replace(state, school=school))
    assert "school=" not in link
    assert parse_query(link, OPTIONS) == (state, [])
    assert FilterState.from_dict(state.as_dict()) == state


@pytest.mark.parametrize(
    ("link", "colour", "compare"),
    [
        ("?colour=borough", "verdict", "borough"),
        ("?colour=benchmark", "verdict", "benchmark"),
        ("?colour=benchmark&compare=expected", "verdict", "expected"),
        ("?compare=expected", "value", "expected"),
    ],
)
def test_a_link_from_before_the_comparison_was_its_own_choice_opens_the_same_colouring(link, colour, compare):
    state, messages = parse_query(link, OPTIONS)
    assert (state.colour, state.compare, messages) == (colour, compare, [])
