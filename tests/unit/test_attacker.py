"""The second attacker (tests/attacker.py) on small published frames built by hand, each range worked out by hand.

Each test sets out what a reader sees and says in a comment how the range follows; where a rule is what makes
the break, the same frame without that rule is shown to give nothing, so the test fails if the rule is lost.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.domain.status import NOT_PUBLISHED, SHOWN, SUPPRESSED
from dashboard.publish.registry import KEY_COLUMNS
from tests.attacker import Finding, ReaderContradiction, attack, intervals, verdict, verdict_unpublished

THRESHOLD = 4
YEAR = "2023/24"
H = SUPPRESSED  # a hidden count: at least 1
NP = NOT_PUBLISHED  # a part of a total never shown: at least 0
INEQUALITIES = ["at_most", "year_at_least_each_term", "year_at_most_sum_of_terms"]
TWINS = ["same", "same_over_terms"]


def cell(count: str, family: str, shown, term: str | None = None, **keys) -> dict:
    """One published cell: shown is its value, or its status (H, NP, a source's symbol)."""
    row = {"count": count, "family": family, "academic_year": YEAR, "term": term, **dict.fromkeys(KEY_COLUMNS)}
    row.update(keys)
    if isinstance(shown, str):
        row.update(value=math.nan, status=shown)
    else:
        row.update(value=float(shown), status=SHOWN)
    return row


def frame(*cells: dict) -> pd.DataFrame:
    return pd.DataFrame(list(cells))


def by_sen(count: str, total, ehcp, sen_support, none, term: str | None = None) -> list[dict]:
    """A borough total and its three SEN provisions."""
    return [
        cell(count, "borough", total, term),
        cell(count, "sen", ehcp, term, sen="ehcp"),
        cell(count, "sen", sen_support, term, sen="sen_support"),
        cell(count, "sen", none, term, sen="none"),
    ]


def found(published: pd.DataFrame, **options) -> dict:
    """(count, family, term, keys) -> (low, high, kind) for every break."""
    return {
        (f.count, f.family, f.term, tuple(sorted(f.keys.items()))): (f.low, f.high, f.kind)
        for f in attack(published, THRESHOLD, **options)
    }


def ranges(published: pd.DataFrame, counts, **options) -> dict:
    """(count, family, term, keys) -> (low, high) for every suppressed cell, exactly."""
    table = intervals(published, YEAR, counts=counts, threshold=THRESHOLD, **options)
    return {
        (
            row["count"],
            row["family"],
            None if pd.isna(row["term"]) else row["term"],
            tuple(sorted((k, row[k]) for k in KEY_COLUMNS if row[k] is not None and not pd.isna(row[k]))),
        ): (row["low"], row["high"])
        for _, row in table.iterrows()
    }


def sen(value: str) -> tuple:
    return (("sen", value),)


def test_a_plain_sum_pins_a_lone_hidden_cell():
    # 20 = ehcp + 8 + 9, so ehcp = 3 exactly.
    published = frame(*by_sen("pupils", 20, H, 8, 9))
    assert attack(published, THRESHOLD) == [Finding("pupils", "sen", YEAR, None, {"sen": "ehcp"}, 3.0, 3.0, "pinned")]
    assert attack(published, THRESHOLD, counts=["plans"]) == []  # another group of counts: nothing to see
    assert attack(published, THRESHOLD, years=["2022/23"]) == []


def test_two_hidden_cells_summing_to_two_are_both_one():
    # [7, c, c | 9]: ehcp + sen_support = 2 and each is at least 1, so each is 1.
    published = frame(*by_sen("pupils", 9, H, H, 7))
    assert found(published) == {
        ("pupils", "sen", None, sen("ehcp")): (1.0, 1.0, "pinned"),
        ("pupils", "sen", None, sen("sen_support")): (1.0, 1.0, "pinned"),
    }


def test_a_finer_cell_sums_to_its_coarse_cell_through_the_columns_its_key_implies():
    # A school row carries its phase: ap 10 = S1 + S2 = S1 + 7, so S1 = 3 (S3, a primary school, is no part of it).
    published = frame(
        cell("pupils", "phase", 10, phase="ap"),
        cell("pupils", "phase", 20, phase="primary"),
        cell("pupils", "school", H, school="S1", cluster="C1", school_locality="L1", phase="ap"),
        cell("pupils", "school", 7, school="S2", cluster="C1", school_locality="L1", phase="ap"),
        cell("pupils", "school", 20, school="S3", cluster="C1", school_locality="L1", phase="primary"),
    )
    assert found(published) == {
        ("pupils", "school", None, (("cluster", "C1"), ("phase", "ap"), ("school", "S1"), ("school_locality", "L1"))): (
            3.0,
            3.0,
            "pinned",
        )
    }


def test_a_ward_across_two_localities_is_summed_into_neither():
    # W1 and W2 lie in North, W4 in South, W3 across both (5 in North, 20 in South: it carries no locality). North
    # 60 = 40 + W2 + 5, so W2 is 15; the line North = W1 + W2 would pin it at 20, wrongly. The reader writes none.
    published = frame(
        cell("pupils", "locality", 60, locality="N"),
        cell("pupils", "locality", 30, locality="S"),
        cell("pupils", "ward", 40, ward="W1", locality="N"),
        cell("pupils", "ward", H, ward="W2", locality="N"),
        cell("pupils", "ward", 25, ward="W3"),
        cell("pupils", "ward", 10, ward="W4", locality="S"),
    )
    assert found(published) == {}
    # With W3 wholly in South (South 35), North = W1 + W2 holds and pins W2 at 20.
    nested = published.copy()
    nested.loc[nested["ward"] == "W3", "locality"] = "S"
    nested.loc[(nested["family"] == "locality") & (nested["locality"] == "S"), "value"] = 35.0
    assert found(nested) == {("pupils", "ward", None, (("locality", "N"), ("ward", "W2"))): (20.0, 20.0, "pinned")}


def test_a_year_at_least_each_of_its_terms_pins_both_hidden_phases():
    # Year: 100 = primary 50 + ap + special, so ap + special = 50 (each 1..49 from the sums alone).
    # Every term shows ap 20 and special 30, and a year's enrolments are at least each term's: ap >= 20 and
    # special >= 30, which with ap + special = 50 leaves ap = 20 and special = 30. (The terms' borough is 90, not
    # the year's 100, so the year and its terms are not twins: the pin comes from the inequality alone.)
    year = [
        cell("enrolments", "borough", 100),
        cell("enrolments", "phase", 50, phase="primary"),
        cell("enrolments", "phase", H, phase="ap"),
        cell("enrolments", "phase", H, phase="special"),
    ]
    terms = [
        row
        for term in ("Autumn", "Spring", "Summer")
        for row in (
            cell("enrolments", "borough", 90, term),
            cell("enrolments", "phase", 40, term, phase="primary"),
            cell("enrolments", "phase", 20, term, phase="ap"),
            cell("enrolments", "phase", 30, term, phase="special"),
        )
    ]
    published = frame(*year, *terms)
    assert found(published) == {
        ("enrolments", "phase", None, (("phase", "ap"),)): (20.0, 20.0, "pinned"),
        ("enrolments", "phase", None, (("phase", "special"),)): (30.0, 30.0, "pinned"),
    }
    assert found(published, relations=["year_at_most_sum_of_terms"]) == {}
    assert ranges(published, ["enrolments"], relations=[])[("enrolments", "phase", None, (("phase", "ap"),))] == (
        1.0,
        49.0,
    )


def test_a_year_at_most_the_sum_of_its_terms_narrows_a_hidden_year():
    # Persistent absence: 30 = ehcp + sen_support + 20, so ehcp + sen_support = 10. The terms of ehcp show
    # 1, 0 and 1, and a pupil persistently absent in the year was so in some term: ehcp <= 2, so ehcp is 1..2
    # and sen_support 8..9, both narrower than 2.
    published = frame(
        *by_sen("persistent", 30, H, H, 20),
        cell("persistent", "sen", 1, "Autumn", sen="ehcp"),
        cell("persistent", "sen", 0, "Spring", sen="ehcp"),
        cell("persistent", "sen", 1, "Summer", sen="ehcp"),
    )
    assert found(published) == {
        ("persistent", "sen", None, sen("ehcp")): (1.0, 2.0, "narrowed"),
        ("persistent", "sen", None, sen("sen_support")): (8.0, 9.0, "narrowed"),
    }
    assert found(published, relations=[]) == {}


def test_a_year_at_most_the_sum_of_its_terms_needs_every_term():
    # Without Summer, the pupils persistently absent in the year alone could be anyone: ehcp stays 1..9.
    published = frame(
        *by_sen("persistent", 30, H, H, 20),
        cell("persistent", "sen", 1, "Autumn", sen="ehcp"),
        cell("persistent", "sen", 0, "Spring", sen="ehcp"),
    )
    assert found(published) == {}
    assert ranges(published, ["persistent"])[("persistent", "sen", None, sen("ehcp"))] == (1.0, 9.0)


def test_severe_at_most_persistent_at_most_enrolments_narrows_through_the_chain():
    # Enrolments with an EHC plan: 3 (shown). Persistent: 100 = ehcp + sen_support + 60, and persistent <=
    # enrolments, so persistent ehcp is 1..3 (and sen_support 37..39: safe). Severe: 40 = ehcp + sen_support + 20,
    # and severe <= persistent <= 3, so severe ehcp is 1..3 too (sen_support 17..19: safe). Both ehcp cells are
    # proved to be 1..4. Without the relations, each is 1..39 and 1..19.
    published = frame(
        *by_sen("enrolments", 500, 3, 97, 400),
        *by_sen("persistent", 100, H, H, 60),
        *by_sen("severe", 40, H, H, 20),
    )
    assert found(published) == {
        ("persistent", "sen", None, sen("ehcp")): (1.0, 3.0, "small"),
        ("severe", "sen", None, sen("ehcp")): (1.0, 3.0, "small"),
    }
    assert ranges(published, ["severe"])[("severe", "sen", None, sen("sen_support"))] == (17.0, 19.0)
    assert found(published, relations=[]) == {}


def test_sessions_possible_at_most_380_per_enrolment():
    # Enrolments: 30 = ehcp + sen_support + 20. Sessions possible are shown: 1,900 for each, and an enrolment
    # has at most 380 sessions possible, so each has at least 1900 / 380 = 5 enrolments: with ehcp + sen_support
    # = 10, each is exactly 5.
    published = frame(*by_sen("enrolments", 30, H, H, 20), *by_sen("sessions_possible", 11400, 1900, 1900, 7600))
    assert found(published) == {
        ("enrolments", "sen", None, sen("ehcp")): (5.0, 5.0, "pinned"),
        ("enrolments", "sen", None, sen("sen_support")): (5.0, 5.0, "pinned"),
    }
    assert found(published, relations=[]) == {}


def test_sessions_possible_hidden_are_bounded_by_the_enrolments_shown():
    # Sessions possible: 11,400 = ehcp + sen_support + 7,600, so ehcp + sen_support = 3,800; 2 enrolments with
    # an EHC plan have at most 760 sessions possible: ehcp is 1..760 and sen_support 3,040..3,799 (its 12
    # enrolments allow 4,560: no bound of their own).
    published = frame(*by_sen("enrolments", 34, 2, 12, 20), *by_sen("sessions_possible", 11400, H, H, 7600))
    assert ranges(published, ["sessions_possible"]) == {
        ("sessions_possible", "sen", None, sen("ehcp")): (1.0, 760.0),
        ("sessions_possible", "sen", None, sen("sen_support")): (3040.0, 3799.0),
    }
    assert found(published) == {}


def test_a_twin_shown_pins_its_hidden_twin():
    # Pupils on roll: 60 = ehcp + sen_support + 50 (each 1..9). Enrolments show the same 60 and 50 (the pairs
    # shown on both sides agree, so the reader takes the two counts as one figure this year) and show ehcp 4 and
    # sen_support 6: the hidden pupils' cells are 4 and 6.
    published = frame(*by_sen("pupils", 60, H, H, 50), *by_sen("enrolments", 60, 4, 6, 50))
    assert found(published) == {
        ("pupils", "sen", None, sen("ehcp")): (4.0, 4.0, "pinned"),
        ("pupils", "sen", None, sen("sen_support")): (6.0, 6.0, "pinned"),
    }
    assert found(published, relations=INEQUALITIES) == {}


def test_two_hidden_twins_are_one_unknown():
    # Pupils: 60 = ehcp + sen_support + 50. Enrolments, the same figures: 60 = ehcp + 9 + 50 with their ehcp
    # hidden too, so enrolments' ehcp = 1. The twins are one unknown: pupils' ehcp = 1 and sen_support = 9.
    published = frame(*by_sen("pupils", 60, H, H, 50), *by_sen("enrolments", 60, H, 9, 50))
    assert found(published)[("pupils", "sen", None, sen("sen_support"))] == (9.0, 9.0, "pinned")
    assert ("pupils", "sen", None, sen("sen_support")) not in found(published, relations=INEQUALITIES)


def test_twins_are_ignored_when_the_pairs_shown_do_not_all_coincide():
    # Enrolments show 51 without SEN where pupils show 50: the counts are not the same figure this year, so the
    # enrolments' 4 and 6 say nothing of the pupils' hidden cells (1..9 each).
    published = frame(*by_sen("pupils", 60, H, H, 50), *by_sen("enrolments", 61, 4, 6, 51))
    assert found(published) == {}
    assert ranges(published, ["pupils"])[("pupils", "sen", None, sen("ehcp"))] == (1.0, 9.0)


def test_twins_are_ignored_when_no_pair_is_shown_on_both_sides():
    # No cell is shown for both counts: nothing tells the reader the two are the same figure this year.
    published = frame(*by_sen("pupils", 60, H, H, H), *[row for row in by_sen("enrolments", 60, 4, 6, 50)[1:]])
    assert found(published) == {}


def test_a_year_and_its_terms_are_twins_where_every_pair_shown_agrees():
    # Enrolments: year 100 = ehcp + sen_support + 90; every term shows 100, 4, 6 and 90. The shown pairs of year
    # and term agree, so the year's ehcp is each term's 4 (and sen_support 6).
    terms = [row for term in ("Autumn", "Spring", "Summer") for row in by_sen("enrolments", 100, 4, 6, 90, term)]
    published = frame(*by_sen("enrolments", 100, H, H, 90), *terms)
    assert found(published, relations=["same_over_terms"]) == {
        ("enrolments", "sen", None, sen("ehcp")): (4.0, 4.0, "pinned"),
        ("enrolments", "sen", None, sen("sen_support")): (6.0, 6.0, "pinned"),
    }
    assert found(published, relations=[]) == {}


def test_a_source_symbol_is_an_unknown_of_at_least_zero():
    # 10 = ehcp + x + 6 with x (a source's symbol) at least 0: ehcp is 1..4, proved small. (Were x at least 1,
    # ehcp would be 1..3; were it left out of the line, ehcp would be pinned at 4.)
    published = frame(*by_sen("pupils", 10, H, "x", 6))
    assert found(published) == {("pupils", "sen", None, sen("ehcp")): (1.0, 4.0, "small")}


def test_a_part_never_published_is_an_unknown_of_at_least_zero():
    # Pupils by locality, with NULL the pupils living outside the borough (a real cell of the family: 2), and by
    # locality and SEN provision, where the outside-the-borough parts are not published (each at least 0):
    #   sen ehcp 30 = L1 ehcp + 26 + NULL ehcp, so L1 ehcp = 4 - NULL ehcp;
    #   locality NULL 2 = NULL ehcp + NULL none, so NULL ehcp is 0..2 and L1 ehcp is 2..4: proved small;
    #   L1 40 = L1 ehcp + L1 none, so L1 none is 36..38 (safe).
    # (Were the unpublished parts at least 1, L1 ehcp would be pinned at 3; without the NULL locality, 1..4.)
    published = frame(
        cell("pupils", "borough", 100),
        cell("pupils", "sen", 30, sen="ehcp"),
        cell("pupils", "sen", 70, sen="none"),
        cell("pupils", "locality", 40, locality="L1"),
        cell("pupils", "locality", 58, locality="L2"),
        cell("pupils", "locality", 2),
        cell("pupils", "locality|sen", H, locality="L1", sen="ehcp"),
        cell("pupils", "locality|sen", H, locality="L1", sen="none"),
        cell("pupils", "locality|sen", 26, locality="L2", sen="ehcp"),
        cell("pupils", "locality|sen", 32, locality="L2", sen="none"),
        cell("pupils", "locality|sen", NP, sen="ehcp"),
        cell("pupils", "locality|sen", NP, sen="none"),
    )
    assert found(published) == {
        ("pupils", "locality|sen", None, (("locality", "L1"), ("sen", "ehcp"))): (2.0, 4.0, "small"),
    }
    assert ranges(published, ["pupils"])[("pupils", "locality|sen", None, (("locality", "L1"), ("sen", "none")))] == (
        36.0,
        38.0,
    )


def test_terms_that_add_up_pin_a_hidden_term():
    # Suspensions add up over terms: 10 = Autumn + 3 + 5, so Autumn = 2.
    published = frame(
        cell("suspensions", "borough", 10),
        cell("suspensions", "borough", H, "Autumn"),
        cell("suspensions", "borough", 3, "Spring"),
        cell("suspensions", "borough", 5, "Summer"),
    )
    assert found(published) == {("suspensions", "borough", "Autumn", ()): (2.0, 2.0, "pinned")}


def test_a_year_lacking_a_term_keeps_a_rest_of_at_least_zero():
    # No Summer published: 10 = Autumn + 3 + rest, rest at least 0, so Autumn is 1..7.
    published = frame(
        cell("suspensions", "borough", 10),
        cell("suspensions", "borough", H, "Autumn"),
        cell("suspensions", "borough", 3, "Spring"),
    )
    assert found(published) == {}
    assert ranges(published, ["suspensions"]) == {("suspensions", "borough", "Autumn", ()): (1.0, 7.0)}


def test_nothing_is_narrowed_where_the_hidden_cells_have_room():
    # 100 = ehcp + sen_support + 80: each is 1..19.
    published = frame(*by_sen("pupils", 100, H, H, 80))
    assert found(published) == {}
    assert ranges(published, ["pupils"]) == {
        ("pupils", "sen", None, sen("ehcp")): (1.0, 19.0),
        ("pupils", "sen", None, sen("sen_support")): (1.0, 19.0),
    }


def test_an_unbounded_hidden_cell_is_safe():
    # Nothing above ehcp: it is at least 1 and can be anything.
    published = frame(cell("pupils", "sen", H, sen="ehcp"), cell("pupils", "sen", 3, sen="none"))
    assert found(published) == {}
    assert ranges(published, ["pupils"])[("pupils", "sen", None, sen("ehcp"))] == (1.0, math.inf)


def test_an_infeasible_program_is_an_error_not_a_pass():
    # 10 = ehcp + 12: ehcp would be -2, yet it is at least 1. The reader's assumptions are wrong: say so.
    published = frame(cell("pupils", "borough", 10), cell("pupils", "sen", H, sen="ehcp"), cell("pupils", "sen", 12))
    with pytest.raises(ReaderContradiction, match="infeasible"):
        attack(published, THRESHOLD)


def test_shown_cells_that_break_a_rule_are_an_error_unless_the_rule_may_be_given_up():
    # Suspensions' terms 3 + 3 + 3 do not make the year's 10: the figures contradict "terms add up".
    published = frame(
        cell("suspensions", "borough", 10),
        *[cell("suspensions", "borough", 3, term) for term in ("Autumn", "Spring", "Summer")],
        cell("suspensions", "sen", H, sen="ehcp"),
        cell("suspensions", "sen", 8, sen="none"),
    )
    with pytest.raises(ReaderContradiction, match=r"terms \[suspensions\]"):
        attack(published, THRESHOLD)
    dropped = []
    # Given up, the rest is still attacked: 10 = ehcp + 8, so ehcp = 2.
    assert found(published, dropped=dropped) == {("suspensions", "sen", None, sen("ehcp")): (2.0, 2.0, "pinned")}
    assert [(year, rules) for year, rules, _ in dropped] == [(YEAR, ["terms [suspensions]"])]


@pytest.mark.parametrize(
    "low, high, kind",
    [
        (1, math.inf, None),
        (1, 5, None),
        (3, 5, None),
        (3, 4, "narrowed"),
        (1, 4, "small"),
        (2, 2, "pinned"),
        (98, 98, "pinned"),
        (97, 98.5, "narrowed"),
        (1.0000001, 4.9999999, None),  # within the tolerance of 1 and 5
        (0.5, 5.5, None),  # 1..5 once rounded inwards
        (1.5, 3.5, "narrowed"),  # 2..3
    ],
)
def test_the_verdict_rounds_inwards_and_names_the_break(low, high, kind):
    assert verdict(low, high, THRESHOLD) == kind


@pytest.mark.parametrize(
    "low, high, kind",
    [
        (4, 4, "pinned"),  # the borough's 330 less its localities' 326
        (1, 1, "pinned"),
        (1, 4, "small"),  # proved to be 1 to 4: a small count, if not which
        (2, 3, "small"),
        (0, 0, None),  # a zero is published anyway
        (0, 4, None),  # it may be none at all
        (5, 5, None),  # above the threshold: as if shown
        (3, 5, None),
        (0.9999999, 4.0000001, "small"),  # within the tolerance of 1 and 4
    ],
)
def test_a_never_published_part_breaks_only_when_proved_a_small_count(low, high, kind):
    assert verdict_unpublished(low, high, THRESHOLD) == kind


def test_a_never_published_part_the_total_less_its_shown_parts_is_found():
    """Outside the borough by need is never published; the borough's 10 less its two localities' 4 and 3 is 3."""
    published = frame(
        cell("plans", "need", 10, need="SLCN"),
        cell("plans", "locality|need", 4, locality="E", need="SLCN"),
        cell("plans", "locality|need", 3, locality="W", need="SLCN"),
        cell("plans", "locality|need", NP, need="SLCN"),
    )
    assert found(published) == {("plans", "locality|need", None, (("need", "SLCN"),)): (3.0, 3.0, "pinned")}
