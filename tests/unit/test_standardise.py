"""Indirect standardisation on small tables worked by hand, and the observed-to-expected verdicts."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.domain.standardise import expected_counts, ratio_verdicts

NAN = math.nan
# The standard: decile 1 at 30 of 300 (0.1), decile 2 at 10 of 500 (0.02), pupils from outside 2 of 100 (0.02).
STRATA = pd.DataFrame(
    {"group": "", "stratum": ["1", "2", "outside"], "numerator": [30.0, 10.0, 2.0], "denominator": [300.0, 500, 100]}
)
TOTALS = pd.DataFrame({"group": [""], "numerator": [42.0], "denominator": [900.0]})


def _expected(places, cells, strata=STRATA):
    frame = expected_counts(
        pd.DataFrame(places, columns=["place", "group", "denominator"]),
        pd.DataFrame(cells, columns=["place", "stratum", "value"]),
        strata,
        TOTALS,
    )
    return dict(zip(frame["place"], frame["expected"])), dict(zip(frame["place"], frame["covered"]))


def test_a_place_with_every_decile_shown_expects_the_sum_of_its_pupils_times_the_standards_rates():
    # 100 pupils in decile 1 at 0.1 and 50 in decile 2 at 0.02: 10 + 1 = 11.
    expected, covered = _expected([("A", "", 150.0)], [("A", "1", 100.0), ("A", "2", 50.0)])
    assert expected["A"] == pytest.approx(11.0)
    assert covered["A"] == 1.0


def test_hidden_pupils_get_the_standards_rate_over_the_rest_of_its_pupils():
    # B: 20 of its 60 pupils shown in decile 1 (20 x 0.1 = 2); the other 40 are hidden. The borough less decile 1 is
    # 12 of 600 (0.02), so they expect 0.8: 2.8 in all, a third of the pupils placed by decile.
    expected, covered = _expected([("B", "", 60.0)], [("B", "1", 20.0), ("B", "2", NAN)])
    assert expected["B"] == pytest.approx(2.8)
    assert covered["B"] == pytest.approx(1 / 3)


def test_a_hidden_standard_rate_is_pooled_with_the_rest_and_a_hidden_total_gives_no_expected_count():
    strata = STRATA.assign(numerator=[NAN, 10.0, 2.0])
    # Decile 1's rate is hidden, so none of D's deciles can be used: its 10 pupils take the whole rate, 42 / 900.
    expected, _ = _expected([("D", "", 10.0), ("C", "", NAN)], [("D", "1", 10.0)], strata)
    assert expected["D"] == pytest.approx(10 * 42 / 900)
    assert math.isnan(expected["C"])


def test_a_standard_taken_within_a_group_uses_that_groups_rates():
    strata = pd.DataFrame(
        {"group": ["P", "S"], "stratum": ["1", "1"], "numerator": [5.0, 40.0], "denominator": [500.0, 400.0]}
    )
    totals = pd.DataFrame({"group": ["P", "S"], "numerator": [5.0, 40.0], "denominator": [500.0, 400.0]})
    frame = expected_counts(
        pd.DataFrame({"place": ["p", "s"], "group": ["P", "S"], "denominator": [100.0, 100.0]}),
        pd.DataFrame({"place": ["p", "s"], "stratum": ["1", "1"], "value": [100.0, 100.0]}),
        strata,
        totals,
    )
    assert list(frame["expected"]) == pytest.approx([1.0, 10.0])  # 100 x 0.01 and 100 x 0.1


def test_verdicts_follow_exact_poisson_limits_from_a_published_table():
    # Exact (Garwood) 95% limits for 12 events are 6.20 and 20.96: against 5 expected, 1.24 to 4.19, wholly above 1.
    # For 5 events, 1.62 to 11.67: against 5 expected, 0.32 to 2.33, so similar. For 0 events the upper limit is
    # 3.69: against 10 expected, at most 0.37, wholly below 1.
    frame = ratio_verdicts([12, 5, 0, NAN], [5, 5, 10, 4])
    assert frame["ratio"].iloc[:3].tolist() == pytest.approx([2.4, 1.0, 0.0])
    assert frame["low"].iat[0] == pytest.approx(6.2006 / 5, abs=1e-3)
    assert frame["high"].iat[0] == pytest.approx(20.9617 / 5, abs=1e-3)
    assert frame["high"].iat[2] == pytest.approx(3.6889 / 10, abs=1e-3)
    assert frame["verdict"].tolist() == ["higher", "similar", "lower", ""]
    # At 99.8% the limits for 12 are 4.04 to 27.03 (0.81 to 5.41 against 5): no longer wholly above 1.
    assert frame["verdict998"].iat[0] == "similar"
