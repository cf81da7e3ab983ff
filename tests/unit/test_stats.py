"""Intervals and funnel limits against published reference values, at 95% and 99.8%."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.domain.stats import (
    compare,
    difference_p,
    funnel_limits,
    newcombe_difference,
    overdispersion,
    poisson_byar,
    poisson_exact,
    rate_interval,
    trend,
    widened_limits,
    wilson,
)


def test_wilson_matches_newcombes_worked_examples():
    # Newcombe RG (1998), Two-sided confidence intervals for the single proportion, Stat Med 17:857-872, Table II,
    # method 3.
    low, high = wilson([81, 15, 0, 1], [263, 148, 20, 29], 0.95)
    assert np.round(low, 4).tolist() == [0.2553, 0.0624, 0.0, 0.0061]
    assert np.round(high, 4).tolist() == [0.3662, 0.1605, 0.1611, 0.1718]


def test_exact_poisson_and_byar_match_published_limits():
    # Garwood's exact limits as tabulated (e.g. 10 events: 4.795 to 18.390) and Byar's approximation (4.787 to 18.391).
    low, high = poisson_exact([0, 1, 5, 10], 0.95)
    assert np.round(low, 3).tolist() == [0.0, 0.025, 1.623, 4.795]
    assert np.round(high, 3).tolist() == [3.689, 5.572, 11.668, 18.390]
    low, high = poisson_byar([10], 0.95)
    assert round(float(low[0]), 3) == 4.787 and round(float(high[0]), 3) == 18.391


@pytest.mark.parametrize("count", [10, 50, 389, 2000])
def test_byar_approaches_exact_at_both_levels(count):
    for level in (0.95, 0.998):
        exact, byar = poisson_exact([count], level), poisson_byar([count], level)
        tolerance = 0.02 if count == 10 else 0.002  # Byar is an approximation for small counts
        assert byar[0][0] == pytest.approx(exact[0][0], rel=tolerance)
        assert byar[1][0] == pytest.approx(exact[1][0], rel=tolerance)


def test_wider_level_gives_wider_intervals():
    x, n = np.array([0, 3, 40, 900]), np.array([10, 50, 400, 1000])
    low95, high95 = wilson(x, n, 0.95)
    low998, high998 = wilson(x, n, 0.998)
    assert (low998 <= low95).all() and (high998 >= high95).all() and ((high998 - low998) > (high95 - low95)).all()


# Fingertips' funnel limits for a proportion with baseline 80.642448% (PHEindicatormethods test data,
# testdata_funnel_prop_outputs.csv): population, 95% lower, 95% upper, 99.8% lower, 99.8% upper (per cent).
PHE_PROPORTION_FUNNEL = [
    (3, 35.933491, 100, 10.150815, 100),
    (50, 69.691035, 91.593861, 63.375595, 97.909301),
    (102, 72.974925, 88.309971, 68.553233, 92.731663),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


def test_proportion_funnel_limits_match_fingertips():
    n = np.array([row[0] for row in PHE_PROPORTION_FUNNEL])
    for level, columns in ((0.95, (1, 2)), (0.998, (3, 4))):
        low, high = funnel_limits(0.80642448, n, "proportion", level)
        assert np.allclose(low * 100, [row[columns[0]] for row in PHE_PROPORTION_FUNNEL], atol=1e-4)
        assert np.allclose(high * 100, [row[columns[1]] for row in PHE_PROPORTION_FUNNEL], atol=1e-4)


def test_poisson_funnel_limits_hold_the_stated_share_of_chance_variation():
    rng = np.random.default_rng(1)
    expected = np.array([5.0, 50.0, 500.0])
    for level in (0.95, 0.998):
        low, high = funnel_limits(1.0, expected, "rate", level)
        draws = rng.poisson(expected, size=(200_000, 3)) / expected
        outside = ((draws < low) | (draws > high)).mean(axis=0)
        assert (outside <= (1 - level) * 1.3 + 1e-4).all()


def test_overdispersion_finds_the_spread_between_schools_and_none_where_there_is_only_chance():
    from dashboard.domain.stats import overdispersion

    rng = np.random.default_rng(7)
    expected = rng.uniform(5, 200, 400)
    # Schools whose true ratios spread with variance 0.09 around 1 (gamma, mean 1), then Poisson counts.
    truth = rng.gamma(1 / 0.09, 0.09, 400)
    found = overdispersion(rng.poisson(expected * truth), expected)
    assert found.p_value < 0.001 and found.phi > 2
    # Winsorising (corrected for what it trims from a normal spread) keeps the estimate near the truth, a little under.
    assert 0.09 * 0.7 < found.tau2 < 0.09 * 1.2
    chance_only = np.array([overdispersion(rng.poisson(expected[:80]), expected[:80]).tau2 for _ in range(300)])
    # With chance alone the limits are almost always left as they are (the test at 5% runs a little liberal after
    # winsorising: about 9% here), and when they are widened it is by a sliver, not the spread above.
    assert (chance_only == 0).mean() >= 0.85 and chance_only.max() < 0.01


def test_widened_limits_hold_their_share_of_schools_that_differ_by_more_than_chance():
    from dashboard.domain.stats import overdispersion, widened_limits

    rng = np.random.default_rng(11)
    expected = rng.uniform(10, 300, 3000)
    ratios = rng.poisson(expected * rng.gamma(1 / 0.06, 0.06, 3000)) / expected
    spread = overdispersion(ratios * expected, expected)
    for level, most in ((0.95, 0.07), (0.998, 0.008)):
        low, high = funnel_limits(1.0, expected, "rate", level)
        beyond_chance = ((ratios < low) | (ratios > high)).mean()
        low, high = widened_limits(low, high, level, spread.tau2)
        beyond = ((ratios < low) | (ratios > high)).mean()
        # Limits for chance alone flag a large share of ordinary schools; the widened ones about the stated share.
        assert beyond_chance > 3 * (1 - level) and beyond <= most
    assert widened_limits(np.array([0.5]), np.array([1.6]), 0.95, 0.0) == (np.array([0.5]), np.array([1.6]))


def test_comparison_knows_which_way_is_good():
    assert compare([5, 1, 2], [6, 2, 4], 3, higher_is_worse=True).tolist() == ["worse", "better", "similar"]
    assert compare([5, 1], [6, 2], 3, higher_is_worse=False).tolist() == ["better", "worse"]
    assert compare([5], [6], 3, higher_is_worse=None).tolist() == ["higher"]


def test_trend_test_separates_a_real_rise_from_noise():
    assert trend([10, 14, 19, 25, 31], [1000] * 5, "rate", True)[0] == "worsening"
    assert trend([31, 25, 19, 14, 10], [1000] * 5, "rate", True)[0] == "improving"
    assert trend([100, 60, 40], [1000] * 3, "proportion", True)[0] == "improving"
    assert trend([10, 11, 9, 10, 11], [1000] * 5, "rate", True)[0] == "no significant change"


def test_difference_between_two_rates_matches_textbook_tests():
    from scipy.stats import binom, chi2_contingency

    from dashboard.domain.stats import difference_p

    # Two proportions: the z-test is the chi-square test on the 2x2 table without continuity correction.
    table = [[45, 455], [70, 430]]
    assert difference_p(45, 500, 70, 500, "proportion") == pytest.approx(chi2_contingency(table, correction=False)[1])
    # Two Poisson counts: given 30 events in all, the first period's share is binomial with its share of the exposure.
    x1, n1, x2, n2 = 10, 1000, 20, 1000
    tail = sum(
        binom.pmf(k, 30, 0.5) for k in range(0, 31) if binom.pmf(k, 30, 0.5) <= binom.pmf(x1, 30, 0.5) * (1 + 1e-7)
    )
    assert difference_p(x1, n1, x2, n2, "rate") == pytest.approx(tail)
    assert difference_p(5, 100, 5, 100, "rate") == pytest.approx(1.0)


# Hand-worked values below use the normal quantiles of any table: z(0.975) = 1.959964 (z^2 = 3.841459, the chi-square
# 1 df 95% point) and z(0.999) = 3.090232 (z^2 = 9.549536, the chi-square 1 df 99.8% point).
Z95, Z998 = 1.959964, 3.090232


@pytest.mark.parametrize("n", [1, 16, 29, 100, 1024, 1500])
@pytest.mark.parametrize("level, z", [(0.95, Z95), (0.998, Z998)])
def test_wilson_at_no_events_and_at_every_trial_an_event(n, level, z):
    """At x = 0 the Wilson interval is 0 to z^2 / (n + z^2); at x = n it is n / (n + z^2) to exactly 1."""
    # Working: at x = 0, centre = z^2 / (2(n + z^2)) and half-width = z * sqrt(z^2) / (2(n + z^2)), the same, so the
    # limits are 0 and z^2 / (n + z^2). At x = n, p = 1 and the half-width is again z^2 / (2(n + z^2)) while the
    # centre is (2n + z^2) / (2(n + z^2)), so the limits are n / (n + z^2) and 1. A proportion's limit is never above
    # 1: unrounded, n = 16 at 95% gives 1 + 2e-16 (and n = 29 gives 1 - 1e-16).
    low, high = wilson([0, n], [n, n], level)
    assert low[0] == 0.0 and high[0] == pytest.approx(z**2 / (n + z**2), rel=1e-6)
    assert low[1] == pytest.approx(n / (n + z**2), rel=1e-6)
    assert high[1] == pytest.approx(1.0, abs=1e-12) and high[1] <= 1.0


def test_wilson_and_exact_poisson_default_to_95_per_cent():
    """Called without a level, the intervals are the 95% ones of the published tables."""
    low, high = wilson([81], [263])  # Newcombe (1998), Table II, method 3
    assert round(float(low[0]), 4) == 0.2553 and round(float(high[0]), 4) == 0.3662
    low, high = poisson_exact([10])  # Garwood: 4.795 to 18.390
    assert round(float(low[0]), 3) == 4.795 and round(float(high[0]), 3) == 18.390
    low, high = poisson_byar([10])  # Byar: 4.787 to 18.391 (worked in the test below)
    assert round(float(low[0]), 3) == 4.787 and round(float(high[0]), 3) == 18.391


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("events, trials", [(None, 10), (3, None), (float("nan"), 10), (3, 0), (0, 0)])
def test_wilson_has_no_interval_without_a_count_or_without_trials(events, trials):
    """A missing count (None, as JSON's null, or NaN) or no trials gives a missing interval, without a warning."""
    low, high = wilson([events], [trials])
    assert np.isnan(low[0]) and np.isnan(high[0])


# Garwood's exact limits: lower = chi2(alpha / 2, 2x) / 2, upper = chi2(1 - alpha / 2, 2x + 2) / 2. At 99.8% and x = 10
# the chi-square table gives 5.921 on 20 df (lower 0.1% point) and 48.268 on 22 df (upper 0.1% point). At x = 0 the
# chi-square on 2 df is exponential, so the upper limit is -ln(alpha / 2): 3.689 at 95%, -ln(0.001) = 6.908 at 99.8%.
@pytest.mark.parametrize(
    "events, level, low, high",
    [(0, 0.95, 0.0, 3.689), (0, 0.998, 0.0, 6.908), (10, 0.998, 2.961, 24.134), (1, 0.998, 0.001, 9.233)],
)
def test_exact_poisson_limits_at_998_and_at_zero(events, level, low, high):
    """Exact Poisson limits at 99.8% and at no events match the chi-square tables."""
    # x = 1 at 99.8%: lower -ln(1 - 0.001) = 0.001, as P(X >= 1) = 1 - exp(-mu); upper chi2(0.999, 4) / 2 = 18.467 / 2.
    found_low, found_high = poisson_exact([events], level)
    assert round(float(found_low[0]), 3) == low and round(float(found_high[0]), 3) == high


# Byar: lower = x (1 - 1/(9x) - z/(3 sqrt x))^3, upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3, 0 below at x = 0.
#   x = 0, 95%:   upper = (1 - 0.111111 + 0.653321)^3 = 1.542210^3 = 3.668012
#   x = 1, 95%:   lower = (1 - 0.111111 - 0.653321)^3 = 0.235568^3 = 0.013072;
#                 upper = 2 (1 - 0.055556 + 1.959964 / 4.242641)^3 = 2 * 1.406413^3 = 5.563756
#   x = 10, 99.8%: lower = 10 (1 - 0.011111 - 3.090232 / 9.486833)^3 = 10 * 0.663148^3 = 2.916318;
#                 upper = 11 (1 - 0.010101 + 3.090232 / 9.949874)^3 = 11 * 1.300480^3 = 24.193725
@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    "events, level, low, high",
    [(0, 0.95, 0.0, 3.668012), (1, 0.95, 0.013072, 5.563756), (10, 0.998, 2.916318, 24.193725)],
)
def test_byar_limits_worked_by_hand(events, level, low, high):
    """Byar's approximation at 0, 1 and 10 events, worked by hand; no warning for the lower limit at 0 events."""
    found_low, found_high = poisson_byar([events], level)
    assert found_low[0] == pytest.approx(low, abs=1e-6) and found_high[0] == pytest.approx(high, rel=1e-6)
    assert found_low.dtype == float


@pytest.mark.parametrize("interval", [poisson_exact, poisson_byar])
def test_poisson_limits_of_a_missing_count_have_no_upper_limit(interval):
    """A missing count (None, as JSON's null) has no upper limit, so it is never compared."""
    low, high = interval([None, 10])
    assert np.isnan(high[0]) and not np.isnan(high[1])
    assert compare(low, high, 10, higher_is_worse=True).tolist() == ["not compared", "similar"]


def test_rate_interval_scales_wilson_for_proportions():
    """A proportion's interval is Wilson's, per cent when the scale is 100 (Newcombe's worked examples)."""
    low, high = rate_interval([81, 15, 0, 1], [263, 148, 20, 29], 100, "proportion")
    assert np.round(low, 2).tolist() == [25.53, 6.24, 0.0, 0.61]
    assert np.round(high, 2).tolist() == [36.62, 16.05, 16.11, 17.18]
    low, high = rate_interval([0, 20], [20, 20], 1, "proportion", 0.998)
    # At 99.8%, x = 0 and x = n of 20: z^2 / (20 + z^2) = 9.549536 / 29.549536 = 0.323170 and 20 / 29.549536 = 0.676830.
    assert np.round(low, 6).tolist() == [0.0, 0.67683] and np.round(high, 6).tolist() == [0.32317, 1.0]


def test_rate_interval_divides_exact_poisson_limits_by_the_denominator():
    """An event rate's interval is Garwood's limits for the count, per denominator, times the scale."""
    # 0 events in 500 pupils, per 1,000: 0 to 3.689 / 500 * 1000 = 7.378; 10 in 2,000: 4.795 / 2 to 18.390 / 2.
    low, high = rate_interval([0, 10], [500, 2000], 1000, "rate")
    assert np.round(low, 3).tolist() == [0.0, 2.398] and np.round(high, 3).tolist() == [7.378, 9.195]
    # At 99.8%, 10 events in 1,000 pupils per 100: 2.961 / 10 to 24.134 / 10 (chi-square table, as above).
    low, high = rate_interval([10], [1000], 100, "rate", 0.998)
    assert round(float(low[0]), 4) == 0.2961 and round(float(high[0]), 4) == 2.4134


@pytest.mark.parametrize("kind", ["proportion", "rate"])
@pytest.mark.parametrize("missing", [None, float("nan")])
def test_rate_interval_without_a_denominator_is_missing(kind, missing):
    """A missing denominator (None, as JSON's null, or NaN) gives a missing interval; its neighbours keep theirs."""
    low, high = rate_interval([10, 10], [missing, 2000], 1000, kind)
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert not np.isnan(low[1]) and not np.isnan(high[1])


# Spiegelhalter (2005), appendix: r_p is the smallest r with P(X <= r) >= p for X ~ Poisson(expected), and the limit is
# r_p - (P(X <= r_p) - p) / (P(X <= r_p) - P(X <= r_p - 1)), here divided by the denominator to give a rate.
# Reference 5% (as a fraction 0.05); cumulative Poisson tables:
#   n = 200, expected 10:  P(<=3) = 0.010336, P(<=4) = 0.029253: 2.5% limit 4 - 0.004253 / 0.018917 = 3.775188
#                          P(<=16) = 0.972958, P(<=17) = 0.985722: 97.5% limit 17 - 0.010722 / 0.012764 = 16.159951
#                          P(<=1) = 0.000499, P(<=2) = 0.002769: 0.1% limit 2 - 0.001769 / 0.002270 = 1.220529
#                          P(<=20) = 0.998412, P(<=21) = 0.999300: 99.9% limit 21 - 0.000300 / 0.000888 = 20.662001
#   n = 20, expected 1:    P(<=0) = 0.367879: lower limits 0 - (0.367879 - p) / 0.367879 < 0, so 0
#                          P(<=2) = 0.919699, P(<=3) = 0.981012: 97.5% limit 3 - 0.006012 / 0.061313 = 2.901949
#                          P(<=4) = 0.996340, P(<=5) = 0.999406: 99.9% limit 5 - 0.000406 / 0.003066 = 4.867626
@pytest.mark.parametrize(
    "level, low, high",
    [
        (0.95, [0.0, 3.775188 / 200], [2.901949 / 20, 16.159951 / 200]),
        (0.998, [0.0, 1.220529 / 200], [4.867626 / 20, 20.662001 / 200]),
    ],
)
def test_poisson_funnel_limits_match_spiegelhalters_interpolation(level, low, high):
    """Both limits for event rates at a reference other than 1, worked from cumulative Poisson tables."""
    found_low, found_high = funnel_limits(0.05, [20, 200], "rate", level)
    assert found_low.tolist() == pytest.approx(low, abs=1e-7)
    assert found_high.tolist() == pytest.approx(high, abs=1e-7)


def test_funnel_limits_default_to_95_per_cent():
    """Called without a level, funnel limits are the 95% ones, for proportions and for event rates."""
    low, high = funnel_limits(0.05, [200], "rate")
    assert float(low[0]) == pytest.approx(3.775188 / 200, abs=1e-7)
    assert float(high[0]) == pytest.approx(16.159951 / 200, abs=1e-7)
    low, high = funnel_limits(0.80642448, [50], "proportion")  # Fingertips, as above: 69.691035% to 91.593861%
    assert float(low[0]) * 100 == pytest.approx(69.691035, abs=1e-4)
    assert float(high[0]) * 100 == pytest.approx(91.593861, abs=1e-4)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(
    "reference, n, kind, low, high",
    [
        # 0.1 -/+ 1.959964 * sqrt(0.1 * 0.9 / 3) = 0.1 -/+ 0.339476: the lower limit is clipped to 0.
        (0.1, 3, "proportion", 0.0, 0.439476),
        # 0.9 -/+ 0.339476: the upper limit is clipped to 1.
        (0.9, 3, "proportion", 0.560524, 1.0),
        # A reference of 0: no spread at all.
        (0.0, 100, "proportion", 0.0, 0.0),
        # No pupils: the whole range from 0 to 1, without a warning for the division by 0.
        (0.2, 0, "proportion", 0.0, 1.0),
        # A reference rate of 0: expected 0, so r_p = 0 and both interpolated limits are below 0, clipped to 0.
        (0.0, 100, "rate", 0.0, 0.0),
    ],
)
def test_funnel_limits_are_clipped_at_the_ends_of_the_range(reference, n, kind, low, high):
    """Limits are clipped to 0 (and a proportion's to 1) where the formula runs past them."""
    found_low, found_high = funnel_limits(reference, [n], kind)
    assert float(found_low[0]) == pytest.approx(low, abs=1e-6) and float(found_high[0]) == pytest.approx(high, abs=1e-6)


@pytest.mark.parametrize("kind", ["proportion", "rate"])
@pytest.mark.parametrize("missing", [None, float("nan")])
def test_funnel_limits_at_a_missing_denominator_are_missing(kind, missing):
    """A missing denominator (None or NaN) has missing limits at both ends; its neighbours keep theirs."""
    low, high = funnel_limits(0.05, [missing, 200], kind)
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert not np.isnan(low[1]) and not np.isnan(high[1])


# Overdispersion worked by hand for schools of expected count 100, so z = (O / E - 1) * sqrt(E) = (O - 100) / 10.
# numpy's percentiles interpolate linearly between order statistics: the 10th of 10 values sits 0.9 of the way from the
# 1st to the 2nd, the 90th 0.1 of the way from the 9th to the 10th; of 3 values, 0.2 from the 1st to the 2nd and 0.8
# from the 2nd to the 3rd. Winsorising at 10% keeps of a normal's variance
# (1 - 0.2) - 2 c phi(c) + 0.2 c^2 with c = 1.281552 and phi(c) = 0.175498: 0.8 - 0.449821 + 0.328475 = 0.678655.
KEPT_VARIANCE = 0.678655


@pytest.mark.parametrize(
    "observed, expected, phi, p_value",
    [
        # z = -3, -1, -1, 0, 0, 0, 0, 1, 1, 3; limits -3 + 0.9 * 2 = -1.2 and 1 + 0.1 * 2 = 1.2; mean square
        # (2 * 1.44 + 4) / 10 = 0.688; phi = 0.688 / 0.678655; p: chi-square on 9 df above 10 phi = 10.1377.
        ([70, 90, 90, 100, 100, 100, 100, 110, 110, 130], [100] * 10, 0.688 / KEPT_VARIANCE, 0.339453),
        # z = -6, -4, -2, -2, 0, 0, 2, 2, 4, 6; limits -4.2 and 4.2; mean square (2 * 17.64 + 2 * 16 + 4 * 4) / 10
        # = 8.328; p: chi-square on 9 df above 122.71, 3.716e-22.
        ([40, 60, 80, 80, 100, 100, 120, 120, 140, 160], [100] * 10, 8.328 / KEPT_VARIANCE, 3.716e-22),
        # Three schools, the fewest tested: z = -1, 0, 2; limits -0.8 and 1.6; mean square (0.64 + 2.56) / 3; on 2 df
        # the chi-square's tail is exp(-x / 2): exp(-3 phi / 2).
        ([90, 100, 120], [100] * 3, 3.2 / 3 / KEPT_VARIANCE, np.exp(-1.5 * 3.2 / 3 / KEPT_VARIANCE)),
        # Expected counts under 1 count too: E = 0.25, so z = 2 O - 0.5 = -0.5, -0.5, 1.5; limits -0.5 and 1.1.
        ([0, 0, 1], [0.25] * 3, (0.25 + 0.25 + 1.21) / 3 / KEPT_VARIANCE, np.exp(-1.5 * 1.71 / 3 / KEPT_VARIANCE)),
    ],
)
def test_overdispersion_worked_by_hand(observed, expected, phi, p_value):
    """phi, its chi-square p-value and the count of schools, for winsorised z-scores worked by hand."""
    found = overdispersion(observed, expected)
    assert found.phi == pytest.approx(phi, rel=1e-5)
    assert found.p_value == pytest.approx(p_value, rel=1e-3)
    assert found.schools == len(observed)


def test_overdispersion_adds_dersimonian_lairds_tau2_only_when_the_test_says_so():
    """tau2 = (n phi - (n - 1)) / (sum w - sum w^2 / sum w), with weights E, and 0 unless p < alpha."""
    # Ten schools of E = 100: sum w = 1000, sum w^2 / sum w = 100000 / 1000 = 100, so the divisor is 900.
    spread = overdispersion([40, 60, 80, 80, 100, 100, 120, 120, 140, 160], [100] * 10)
    assert spread.tau2 == pytest.approx((10 * 8.328 / KEPT_VARIANCE - 9) / 900, rel=1e-5)  # 0.126348
    chance = [70, 90, 90, 100, 100, 100, 100, 110, 110, 130]
    # p = 0.339: not overdispersed at 5%, so tau2 is 0; at a 50% test it is (10 * 1.013771 - 9) / 900 = 0.001264.
    assert overdispersion(chance, [100] * 10).tau2 == 0.0
    assert overdispersion(chance, [100] * 10, alpha=0.5).tau2 == pytest.approx(
        (10 * 0.688 / KEPT_VARIANCE - 9) / 900, rel=1e-4
    )


@pytest.mark.parametrize(
    "observed, expected, schools",
    [
        ([90, 100], [100, 100], 2),
        ([90], [100], 1),
        ([], [], 0),
        ([90, 100, 5], [100, 100, 0], 2),
        ([90, 100, 1], [100, 100, None], 2),
    ],
)
def test_overdispersion_needs_three_schools_with_an_expected_count(observed, expected, schools):
    """Under three schools with expected counts above 0, phi and p are missing and tau2 is 0."""
    found = overdispersion(observed, expected)
    assert np.isnan(found.phi) and np.isnan(found.p_value)
    assert found.tau2 == 0.0 and found.schools == schools


@pytest.mark.parametrize("dropped_expected", [0, float("nan"), None])
def test_overdispersion_leaves_out_schools_without_an_expected_count(dropped_expected):
    """A school whose expected count is 0 or missing is left out: the three others give the hand-worked phi."""
    found = overdispersion([90, 100, 120, 7], [100, 100, 100, dropped_expected])
    assert found.schools == 3 and found.phi == pytest.approx(3.2 / 3 / KEPT_VARIANCE, rel=1e-5)


# Widened limits: extra = z^2 tau2; low' = 1 - sqrt((1 - low)^2 + extra), high' = 1 + sqrt((high - 1)^2 + extra).
#   0.5 to 1.6, tau2 0.01, 95%:   extra = 0.038415; 1 - sqrt(0.288415) = 0.462958; 1 + sqrt(0.398415) = 1.631201
#   0.5 to 1.6, tau2 0.01, 99.8%: extra = 0.095495; 1 - sqrt(0.345495) = 0.412211; 1 + sqrt(0.455495) = 1.674904
#   0.1 to 3.0, tau2 1, 95%:      extra = 3.841459; 1 - sqrt(4.651459) < 0, so 0; 1 + sqrt(7.841459) = 3.800261
@pytest.mark.parametrize(
    "low, high, level, tau2, widened_low, widened_high",
    [
        (0.5, 1.6, 0.95, 0.01, 0.462958, 1.631201),
        (0.5, 1.6, 0.998, 0.01, 0.412211, 1.674904),
        (0.1, 3.0, 0.95, 1.0, 0.0, 3.800261),
        (0.5, 1.6, 0.95, 0.0, 0.5, 1.6),
    ],
)
def test_widened_limits_worked_by_hand(low, high, level, tau2, widened_low, widened_high):
    """Each side's distance from 1 and z * tau are added in quadrature; the lower limit stops at 0."""
    found_low, found_high = widened_limits([low], [high], level, tau2)
    assert float(found_low[0]) == pytest.approx(widened_low, abs=1e-6)
    assert float(found_high[0]) == pytest.approx(widened_high, abs=1e-6)


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_widened_limits_of_missing_limits_stay_missing(missing):
    """A missing limit (None or NaN) is missing once widened; the others are widened as usual."""
    low, high = widened_limits([missing, 0.5], [missing, 1.6], 0.95, 0.01)
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert float(low[1]) == pytest.approx(0.462958, abs=1e-6) and float(high[1]) == pytest.approx(1.631201, abs=1e-6)


NAN = float("nan")


@pytest.mark.parametrize(
    "low, high, when_worse, when_better, when_neither",
    [
        (5, 6, "worse", "better", "higher"),  # wholly above the reference of 3
        (1, 2, "better", "worse", "lower"),  # wholly below
        (2, 4, "similar", "similar", "similar"),  # across it
        (3, 4, "similar", "similar", "similar"),  # lower limit on it: not wholly above
        (2, 3, "similar", "similar", "similar"),  # upper limit on it: not wholly below
        (NAN, 4, "not compared", "not compared", "not compared"),
        (5, NAN, "not compared", "not compared", "not compared"),
        (NAN, NAN, "not compared", "not compared", "not compared"),
        (None, None, "not compared", "not compared", "not compared"),  # JSON's null
        (5, None, "not compared", "not compared", "not compared"),
        (None, 2, "not compared", "not compared", "not compared"),
    ],
)
def test_comparison_in_both_directions_at_the_boundaries_and_without_an_interval(
    low, high, when_worse, when_better, when_neither
):
    """Better, similar or worse against a reference of 3 for each direction, 'not compared' without both limits."""
    for higher_is_worse, verdict in ((True, when_worse), (False, when_better), (None, when_neither)):
        assert compare([low, 2], [high, 4], 3, higher_is_worse).tolist() == [verdict, "similar"]


@pytest.mark.parametrize(
    "x1, n1, x2, n2, kind, p_value",
    [
        # Pooled 1/2: z = (1 - 0) / sqrt(0.25 * (1 + 1)) = sqrt(2); p = 2 (1 - Phi(1.414214)) = 0.157299.
        (1, 1, 0, 1, "proportion", 0.157299),
        # Pooled 0.115: z = (0.09 - 0.14) / sqrt(0.115 * 0.885 * 2 / 500) = -2.478104; p = 2 Phi(-2.478104) = 0.013208.
        (45, 500, 70, 500, "proportion", 0.013208),
        # No events, or every trial an event: nothing to test, p = 1.
        (0, 10, 0, 20, "proportion", 1.0),
        (10, 10, 20, 20, "proportion", 1.0),
        # Given 4 events, the first period's share is binomial(4, 100 / 400 = 0.25). P(0) = 81/256; the outcomes
        # no more likely than that are 0, 2 (54/256), 3 (12/256) and 4 (1/256): p = 148/256 = 0.578125.
        (0, 100, 4, 300, "rate", 0.578125),
        # One event in all, at an even split: binomial(1, 0.5), both outcomes equally likely, p = 1.
        (1, 1000, 0, 1000, "rate", 1.0),
        (0, 100, 0, 200, "rate", 1.0),
    ],
)
def test_difference_p_worked_by_hand(x1, n1, x2, n2, kind, p_value):
    """Two-sided p-values for a difference between two rates, worked by hand, and 1 where there is nothing to test."""
    assert difference_p(x1, n1, x2, n2, kind) == pytest.approx(p_value, abs=1e-6)


@pytest.mark.parametrize("n1, n2", [(0, 100), (100, 0), (-1, 100)])
@pytest.mark.parametrize("kind", ["proportion", "rate"])
def test_difference_p_is_missing_without_a_denominator(n1, n2, kind):
    """No p-value (NaN) when either period has no denominator."""
    assert np.isnan(difference_p(3, n1, 2, n2, kind))


# The chi-square test for trend in proportions, R's documented example for prop.trend.test:
# smokers <- c(83, 90, 129, 70); patients <- c(86, 93, 136, 82) gives X-squared = 8.2249, df = 1, p-value = 0.004132.
SMOKERS, PATIENTS = [83, 90, 129, 70], [86, 93, 136, 82]


@pytest.mark.parametrize("higher_is_worse, verdict", [(True, "improving"), (False, "worsening"), (None, "falling")])
def test_trend_in_proportions_matches_rs_prop_trend_test(higher_is_worse, verdict):
    """A falling proportion (96.5% to 85.4%) with R's p-value, named for each direction."""
    found, p_value = trend(SMOKERS, PATIENTS, "proportion", higher_is_worse)
    assert found == verdict and p_value == pytest.approx(0.004132, abs=1e-6)


# The score test for a trend in Poisson rates, by hand: x = 10, 20, 30 in 1,000 each at t = 0, 1, 2. The mean time
# weighted by the denominators is 1; U = sum x (t - 1) = -10 + 30 = 20; its variance (X / N) sum n (t - 1)^2
# = (60 / 3000) * 2000 = 40; chi-square = 400 / 40 = 10 on 1 df, p = 2 (1 - Phi(sqrt 10)) = 2 (1 - Phi(3.162278))
# = 0.0015654. Positions shifted or rescaled give the same test; at 0, 1, 3 the mean time is 4/3,
# U = (-40 - 20 + 150) / 3 = 30, the variance (60 / 3000) * 1000 * 42 / 9 = 93.333, chi-square 9.642857,
# p = 2 (1 - Phi(3.105295)) = 0.0019009.
@pytest.mark.parametrize(
    "positions, p_value",
    [(None, 0.0015654), ([0, 1, 2], 0.0015654), ([2019, 2020, 2021], 0.0015654), ([0, 0.01, 0.02], 0.0015654)]
    + [([0, 1, 3], 0.0019009)],
)
@pytest.mark.parametrize(
    "higher_is_worse, rising, falling",
    [(True, "worsening", "improving"), (False, "improving", "worsening"), (None, "rising", "falling")],
)
def test_trend_in_event_rates_worked_by_hand(positions, p_value, higher_is_worse, rising, falling):
    """A rise from 10 to 30 per 1,000 and the fall back, by the score test, at any spacing or unit of time."""
    found = trend([10, 20, 30], [1000] * 3, "rate", higher_is_worse, positions=positions)
    assert found[0] == rising and found[1] == pytest.approx(p_value, rel=1e-4)
    # The same events with time run backwards (at 0, 2, 3 for 0, 1, 3): a fall, with the same p-value.
    mirrored = None if positions is None else [positions[-1] - p for p in reversed(positions)]
    found = trend([30, 20, 10], [1000] * 3, "rate", higher_is_worse, positions=mirrored)
    assert found[0] == falling and found[1] == pytest.approx(p_value, rel=1e-4)


@pytest.mark.parametrize(
    "numerators, denominators, kind, level, verdict, p_value",
    [
        # Proportions 0, 1, 1 of one each: mean time 1, U = 1, variance (2/3)(1/3) * 2 = 4/9, chi-square 2.25,
        # p = 2 (1 - Phi(1.5)) = 0.133614.
        ([0, 1, 1], [1, 1, 1], "proportion", 0.95, "no significant change", 0.133614),
        # One event in all: U = 1, variance (1 / 3000) * 2000 = 2/3, chi-square 1.5,
        # p = 2 (1 - Phi(1.224745)) = 0.220671.
        ([0, 0, 1], [1000] * 3, "rate", 0.95, "no significant change", 0.220671),
        # p = 0.0015654 (above): significant at 99.8%, not at 99.9%.
        ([10, 20, 30], [1000] * 3, "rate", 0.998, "worsening", 0.0015654),
        ([10, 20, 30], [1000] * 3, "rate", 0.999, "no significant change", 0.0015654),
        # As many events as pupils is no limit for event rates: U = 20, variance (60 / 60) * 20 * 2 = 40, as above.
        ([10, 20, 30], [20] * 3, "rate", 0.95, "worsening", 0.0015654),
        # A flat series: U = 0 exactly, chi-square 0, p = 1; a p-value equal to 1 - level is not significant.
        ([10, 10, 10], [1000] * 3, "rate", 0.95, "no significant change", 1.0),
        ([10, 10, 10], [1000] * 3, "rate", 0.0, "no significant change", 1.0),
    ],
)
def test_trend_p_values_and_levels_worked_by_hand(numerators, denominators, kind, level, verdict, p_value):
    """Small trends worked by hand: the p-value, and the verdict against the level."""
    found, found_p = trend(numerators, denominators, kind, True, level)
    assert found == verdict and found_p == pytest.approx(p_value, rel=1e-4)


@pytest.mark.parametrize(
    "numerators, denominators, kind",
    [
        ([10, 20], [1000, 1000], "rate"),  # two periods
        ([0, 0, 0, 0], [1000] * 4, "rate"),  # no events
        ([0, 0, 0], [10, 20, 30], "proportion"),
        ([5, 10, 20], [0, 1000, 1000], "rate"),  # a period with no denominator does not count
        ([5, 10, 20], [-1, 1000, 1000], "rate"),
        ([None, 10, 20], [None, 1000, 1000], "rate"),  # nor does a missing one
        ([10, 10, 10], [10, 10, 10], "proportion"),  # 100% throughout: nothing varies
        ([10, 20, 30], [10, 20, 30], "proportion"),
    ],
)
def test_trend_needs_three_periods_and_events_that_can_vary(numerators, denominators, kind):
    """'not enough data' and no p-value for under three periods with a denominator, or nothing that can vary."""
    verdict, p_value = trend(numerators, denominators, kind, True)
    assert verdict == "not enough data" and np.isnan(p_value)


@pytest.mark.parametrize("missing", [0, None, float("nan")])
def test_trend_leaves_out_periods_without_a_denominator(missing):
    """A period with no denominator is left out; the three others give the hand-worked p-value at times 1, 2, 3."""
    found = trend([4, 10, 20, 30], [missing, 1000, 1000, 1000], "rate", True, positions=[0, 1, 2, 3])
    assert found[0] == "worsening" and found[1] == pytest.approx(0.0015654, rel=1e-4)


def test_newcombe_difference_matches_his_worked_examples():
    # Newcombe RG (1998), Interval estimation for the difference between independent proportions, Stat Med
    # 17:873-890, Table II, method 10: 56/70 - 48/80 gives 0.0524 to 0.3339; 9/10 - 3/10 gives 0.1705 to 0.8090.
    low, high = newcombe_difference([56, 9], [70, 10], [48, 3], [80, 10])
    assert np.round(low, 4).tolist() == [0.0524, 0.1705]
    assert np.round(high, 4).tolist() == [0.3339, 0.8090]
