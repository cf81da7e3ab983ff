"""The funnel worked by hand: a school's count O against its expected count E, the limits, the verdict in words."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from dashboard.domain.funnel import BOROUGH_PHASE, funnel, verdict_text
from dashboard.domain.measures import MEASURES
from dashboard.views.schools import compared_panel

# A school of 100 pupils in a phase whose borough rate is 5 suspensions per 100 pupils expects E = 100 x 5 / 100 = 5.
# Poisson with mean 5, summed by hand (e^-5 = 0.0067379, terms 5^k / k!):
#   P(X = 0) = 0.0067        -> 0 is below the 95% limits (lower tail 2.5%) but not the 99.8% ones (0.1%)
#   P(X >= 12) = 1 - 0.99455 = 0.0055 -> 12 is beyond the 95% limits (upper tail 2.5%), within the 99.8% ones
#   P(X >= 14) = 1 - 0.99930 = 0.0007 -> 14 is beyond the 99.8% limits too
# The limits, interpolated between whole counts as Spiegelhalter (2005) does: the upper 95% limit is
# 10 - (0.98630 - 0.975) / (0.98630 - 0.96817) = 9.377 events, so O / E = 1.875; the upper 99.8% limit is
# 13 - (0.99930 - 0.999) / (0.99930 - 0.99798) = 12.77 events, so 2.554; the lower 95% limit is
# 1 - (0.04043 - 0.025) / (0.04043 - 0.00674) = 0.542 events, so 0.108.
EXPECTED = 5.0


def test_the_hand_worked_tails_agree_with_scipy():
    """An independent check of the sums above, not of the code under test."""
    assert stats.poisson.sf(11, EXPECTED) == pytest.approx(0.00545, abs=5e-5)
    assert stats.poisson.sf(13, EXPECTED) == pytest.approx(0.00070, abs=5e-5)
    assert stats.poisson.pmf(0, EXPECTED) == pytest.approx(0.00674, abs=5e-5)


@pytest.mark.parametrize(
    "observed, ratio, direction, word, verdict",
    [
        (12, 2.4, "higher", "worse", "Higher than expected (beyond the 95% limits)"),
        (14, 2.8, "higher", "worse", "Higher than expected (beyond the 99.8% limits)"),
        (5, 1.0, "similar", "similar", "Similar to expected (within the limits)"),
        (9, 1.8, "similar", "similar", "Similar to expected (within the limits)"),  # 9 < 9.377: inside
        (0, 0.0, "lower", "better", "Lower than expected (beyond the 95% limits)"),
    ],
)
def test_a_school_expecting_5_events_is_judged_by_exact_poisson_limits(observed, ratio, direction, word, verdict):
    point = funnel([observed], [EXPECTED], higher_is_worse=True).points.iloc[0]
    assert point["ratio"] == pytest.approx(ratio)
    assert point["high95"] == pytest.approx(1.875, abs=0.002)
    assert point["high998"] == pytest.approx(2.554, abs=0.003)
    assert point["low95"] == pytest.approx(0.108, abs=0.002)
    assert point["low998"] == 0.0  # P(X = 0) = 0.0067 is above 0.001: no count is low enough
    assert (point["direction"], point["word"]) == (direction, word)
    assert verdict_text(point["direction"], point["reach"]) == verdict


def test_where_higher_is_neither_good_nor_bad_the_word_is_the_direction():
    points = funnel([14, 0], [EXPECTED, EXPECTED], higher_is_worse=None).points
    assert points["word"].tolist() == ["higher", "lower"]


def test_expected_counts_from_any_model_are_judged_alike():
    """E need not be pupils x a phase rate: E = 5 from a model of deprivation gives the same limits and verdict."""
    by_phase = funnel(pd.Series([12], index=["A"]), pd.Series([100 * 0.05], index=["A"]), True).points
    by_model = funnel(pd.Series([12], index=["A"]), pd.Series([4.2 + 0.8], index=["A"]), True).points
    pd.testing.assert_frame_equal(by_phase, by_model)
    assert by_phase.index.tolist() == ["A"]  # rows keep the caller's index, so names join back


def test_limits_widen_only_where_schools_differ_more_than_chance():
    # 20 schools exactly as expected and one far out: the winsorised spread is nil, so the limits stay exact.
    alike = funnel([10] * 20 + [14], [10.0] * 20 + [EXPECTED], True)
    assert alike.spread.tau2 == 0 and alike.points["reach"].iat[-1] == "beyond the 99.8% limits"
    # Sixteen schools expecting 12 each, spread far wider than chance. By chance alone 4 lie beyond the 99.8% limits
    # (Poisson mean 12: P(X <= 2) = 0.0005, P(X >= 25) = 0.0007, P(X >= 28) = 0.00006, P(X >= 30) = 0.00001, each
    # under 0.001); once the limits take in the spread between schools, none does.
    counts = [2, 30, 4, 25, 6, 22, 8, 18, 3, 28, 5, 20, 7, 16, 9, 14]
    spread = funnel(counts, [12.0] * len(counts), True)
    assert spread.spread.tau2 > 0 and spread.beyond_998_by_chance_alone == 4
    assert (spread.points["reach"] == "within the limits").all()
    assert (
        funnel(counts, [12.0] * len(counts), True, widen=False)
        .points["reach"]
        .tolist()
        .count("beyond the 99.8% limits")
        == 4
    )


def schools_in_east() -> pd.DataFrame:
    """24 primary schools: four worked by hand above and twenty of 200 pupils with exactly the 10 expected."""
    hand = pd.DataFrame(
        {
            "name": ["Ash Primary", "Birch Primary", "Cedar Primary", "Damson Primary"],
            "numerator": [12, 14, 5, 0],
            "denominator": [100, 100, 100, 100],
        }
    )
    rest = pd.DataFrame(
        {"name": [f"School {i:02d}" for i in range(20)], "numerator": [10] * 20, "denominator": [200] * 20}
    )
    frame = pd.concat([hand, rest], ignore_index=True)
    return frame.assign(
        phase="primary",
        value=frame["numerator"] / frame["denominator"] * 100,
        expected=[EXPECTED] * 4 + [10.0] * 20,  # 100 and 200 pupils at 5 per 100
    )


def test_the_panel_names_every_flagged_school_in_its_table_summary_and_headline():
    measure = MEASURES["suspension_rate"]
    panel = compared_panel("Title", schools_in_east(), measure, BOROUGH_PHASE, "East", {"primary": "Primary"}, [])
    table = panel.table
    assert table.columns.tolist() == [
        "School",
        "Phase",
        "Suspensions",
        "Pupils on roll",
        "Suspension rate (per 100 pupils)",
        "Suspensions expected",
        "Times expected",
        "Compared with expected",
    ]
    # Flagged schools lead the table, the furthest out first: beyond the 99.8% limits, then beyond the 95% ones.
    higher_998 = "Higher than expected (beyond the 99.8% limits)"
    higher_95 = "Higher than expected (beyond the 95% limits)"
    assert table.head(3).values.tolist() == [
        ["Birch Primary", "Primary", "14", "100", "14.00", "5.0", "2.80", higher_998],
        ["Ash Primary", "Primary", "12", "100", "12.00", "5.0", "2.40", higher_95],
        ["Damson Primary", "Primary", "0", "100", "0.00", "5.0", "0.00", "Lower than expected (beyond the 95% limits)"],
    ]  # fmt: skip
    assert table.iloc[3:]["Compared with expected"].eq("Similar to expected (within the limits)").all()
    assert table.loc[table["School"] == "Cedar Primary"].values.tolist() == [
        ["Cedar Primary", "Primary", "5", "100", "5.00", "5.0", "1.00", "Similar to expected (within the limits)"]
    ]
    assert panel.summary == (
        "3 of 24 schools in East lie beyond the 95% limits around the borough rate for their phase (2 higher, 1 lower "
        "than expected). Beyond the 99.8% limits, which chance alone would rarely explain: Birch Primary (higher). "
        "Beyond the 95% limits only: Ash Primary (higher) and Damson Primary (lower)."
    )
    # With the place, the headline would run to 14 words: it keeps to 12 without it.
    assert panel.headline == "3 of 24 schools lie beyond the 95% limits for their phase"
    assert panel.notes[0].startswith("How to read this: each dot is a school")
    assert "what chance alone would give a school of that size" in panel.notes[0]
    assert "a question to ask, not a judgement" in panel.notes[0]


def test_a_panel_with_nobody_outside_says_so():
    frame = schools_in_east().iloc[4:]
    panel = compared_panel("Title", frame, MEASURES["suspension_rate"], BOROUGH_PHASE, "the borough", {}, [])
    assert panel.summary == "None of 20 schools lie beyond the 95% limits around the borough rate for their phase."
    assert panel.headline == "None of 20 schools lie beyond the 95% limits for their phase"
