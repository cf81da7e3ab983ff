"""Uncertainty for fair comparison: Wilson and exact Poisson intervals, funnel limits, better/similar/worse, trends.

Distributions come from scipy; the formulas are the public health standard ones (Wilson 1927; Garwood's
exact Poisson limits and Byar's approximation; Spiegelhalter 2005 and Fingertips for funnel limits)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


def _z(level: float) -> float:
    return float(stats.norm.ppf(1 - (1 - level) / 2))


def wilson(events, trials, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion events / trials (as fractions, 0 to 1)."""
    x, n = np.asarray(events, dtype=float), np.asarray(trials, dtype=float)
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        centre = (2 * x + z**2) / (2 * (n + z**2))
        half = z * np.sqrt(z**2 + 4 * x * (1 - p)) / (2 * (n + z**2))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def poisson_exact(events, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) limits for a Poisson count, from the chi-square distribution."""
    x = np.asarray(events, dtype=float)
    alpha = 1 - level
    lower = np.where(x > 0, stats.chi2.ppf(alpha / 2, 2 * x) / 2, 0.0)
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * (x + 1)) / 2
    return lower, upper


def poisson_byar(events, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact Poisson limits, accurate for counts above about 10."""
    x = np.asarray(events, dtype=float)
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(x > 0, x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3, 0.0)
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    return lower, upper


def rate_interval(
    numerator, denominator, scale: float, kind: str, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Interval for numerator / denominator * scale: Wilson for proportions, exact Poisson for counts of events."""
    if kind == "proportion":
        low, high = wilson(numerator, denominator, level)
        return low * scale, high * scale
    low, high = poisson_exact(numerator, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        return low / np.asarray(denominator, float) * scale, high / np.asarray(denominator, float) * scale


@dataclass(frozen=True)
class Overdispersion:
    """How much more schools differ than chance allows: phi (1 = chance alone), tau2 and the test's p-value."""

    phi: float
    tau2: float  # between-school variance of observed / expected, added to chance's (0 when not overdispersed)
    p_value: float
    schools: int


def overdispersion(observed, expected, winsor: float = 0.1, alpha: float = 0.05) -> Overdispersion:
    """Spiegelhalter's (2005) additive random-effects estimate for ratios observed / expected of Poisson counts.

    z-scores are winsorised at the 10th and 90th percentiles, so the outliers being looked for do not set the
    spread they are judged against. Their mean square is divided by what winsorising leaves of a standard normal's
    variance (0.68 at 10%), so phi estimates the spread itself rather than about two thirds of it (uncorrected,
    tau2 comes out near half the truth and the 99.8% limits name ten times too many ordinary schools). phi is
    tested against chi-square on n - 1 degrees of freedom; only when the schools are overdispersed is tau2
    (DerSimonian-Laird) above 0.
    """
    observed, expected = np.asarray(observed, float), np.asarray(expected, float)
    keep = expected > 0
    observed, expected = observed[keep], expected[keep]
    n = len(expected)
    if n < 3:
        return Overdispersion(float("nan"), 0.0, float("nan"), n)
    z = (observed / expected - 1) * np.sqrt(expected)  # the standard error of O/E under Poisson is 1 / sqrt(E)
    low, high = np.percentile(z, [100 * winsor, 100 * (1 - winsor)])
    cut = stats.norm.ppf(1 - winsor)
    kept_variance = (1 - 2 * winsor) - 2 * cut * stats.norm.pdf(cut) + 2 * winsor * cut**2  # E[clip(Z, -cut, cut)^2]
    phi = float(np.mean(np.clip(z, low, high) ** 2)) / kept_variance
    p_value = float(stats.chi2.sf(n * phi, n - 1))
    weights = expected  # 1 / variance of O/E
    tau2 = max(0.0, (n * phi - (n - 1)) / (weights.sum() - (weights**2).sum() / weights.sum()))
    return Overdispersion(phi, tau2 if p_value < alpha else 0.0, p_value, n)


def widened_limits(low, high, level: float, tau2: float) -> tuple[np.ndarray, np.ndarray]:
    """Limits around 1 widened by a between-school variance: each side's half-width and z * tau added in quadrature,
    so the exact Poisson limits' asymmetry is kept and they widen least where chance is already wide."""
    extra = (_z(level) ** 2) * tau2
    low, high = np.asarray(low, float), np.asarray(high, float)
    return np.clip(1 - np.sqrt((1 - low) ** 2 + extra), 0, None), 1 + np.sqrt((high - 1) ** 2 + extra)


def funnel_limits(reference: float, denominators, kind: str, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Control limits around a reference rate (as a fraction) at each denominator.

    Proportions use the normal approximation clipped to 0-1, as Fingertips' funnel plots do. Counts of
    events (a pupil can be suspended more than once) use the exact Poisson quantile of the expected
    count, interpolated so the limits run smoothly with the denominator (Spiegelhalter 2005).
    """
    n = np.asarray(denominators, dtype=float)
    if kind == "proportion":
        with np.errstate(divide="ignore", invalid="ignore"):
            half = _z(level) * np.sqrt(reference * (1 - reference) / n)
        return np.clip(reference - half, 0, 1), np.clip(reference + half, 0, 1)
    dist = stats.poisson(n * reference)
    limits = []
    for tail in ((1 - level) / 2, 1 - (1 - level) / 2):
        r = dist.ppf(tail)
        below, at = dist.cdf(r - 1), dist.cdf(r)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(at > below, (at - tail) / (at - below), 0.0)
            limits.append(np.clip((r - step) / n, 0, None))
    return limits[0], limits[1]


def compare(low, high, reference, higher_is_worse: bool | None) -> np.ndarray:
    """'better', 'similar' or 'worse' ('higher', 'lower' where neither is good) by the interval and the reference."""
    low, high = np.asarray(low, float), np.asarray(high, float)
    above, below = low > reference, high < reference
    if higher_is_worse is None:
        labels = ("higher", "lower")
    else:
        labels = ("worse", "better") if higher_is_worse else ("better", "worse")
    result = np.where(above, labels[0], np.where(below, labels[1], "similar"))
    return np.where(np.isnan(low) | np.isnan(high), "not compared", result)


def difference_p(x1: float, n1: float, x2: float, n2: float, kind: str) -> float:
    """Two-sided p-value for a difference between two rates x1/n1 and x2/n2 (this year against last, say).

    Proportions use the pooled two-proportion z-test; event counts the exact conditional test (given the
    total count, the share falling in the first period is binomial with its share of the denominator).
    """
    if min(n1, n2) <= 0:
        return float("nan")
    if kind == "proportion":
        pooled = (x1 + x2) / (n1 + n2)
        if pooled in (0, 1):
            return 1.0
        z = (x1 / n1 - x2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        return float(2 * stats.norm.sf(abs(z)))
    total = int(round(x1 + x2))
    if total == 0:
        return 1.0
    return float(stats.binomtest(int(round(x1)), total, n1 / (n1 + n2)).pvalue)


def newcombe_difference(x1, n1, x2, n2, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Interval for the difference x1/n1 - x2/n2 of two independent proportions (as fractions), from their Wilson
    limits: Newcombe's hybrid score method (1998, method 10), which stays inside -1 to 1 and suits small counts."""
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    low1, high1 = wilson(x1, n1, level)
    low2, high2 = wilson(x2, n2, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
    difference = p1 - p2
    low = difference - np.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    high = difference + np.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    return low, high


def trend(
    numerators, denominators, kind: str, higher_is_worse: bool | None, level: float = 0.95, positions=None
) -> tuple[str, float]:
    """Test for a linear trend over equally spaced periods: (verdict in words, p-value).

    positions gives each period's place in time (0, 1, 3... where a period is missing); by default 0, 1, 2...

    Proportions use the chi-square test for trend (Cochran-Armitage); event counts the score test for a
    trend in Poisson rates. Verdicts: 'improving', 'no significant change', 'worsening' (or rising / falling).
    """
    x, n = np.asarray(numerators, float), np.asarray(denominators, float)
    t = np.arange(len(x), dtype=float) if positions is None else np.asarray(positions, dtype=float)
    keep = n > 0
    x, n, t = x[keep], n[keep], t[keep]
    # Proportions with no events or with every trial an event (100% throughout) leave the test's variance at 0.
    if len(x) < 3 or x.sum() == 0 or (kind == "proportion" and x.sum() == n.sum()):
        return "not enough data", float("nan")
    total_events, total = x.sum(), n.sum()
    mean_t = (n * t).sum() / total
    if kind == "proportion":
        p = total_events / total
        statistic = (x * (t - mean_t)).sum() ** 2 / (p * (1 - p) * (n * (t - mean_t) ** 2).sum())
    else:
        statistic = (x * (t - mean_t)).sum() ** 2 / (total_events * (n * (t - mean_t) ** 2).sum() / total)
    p_value = float(stats.chi2.sf(statistic, 1))
    if p_value >= 1 - level:
        return "no significant change", p_value
    rising = (x * (t - mean_t)).sum() > 0
    if higher_is_worse is None:
        return ("rising" if rising else "falling"), p_value
    return ("worsening" if rising == higher_is_worse else "improving"), p_value
