"""Funnel plot maths: each school's observed and expected counts, their ratio, the limits around 1 and a verdict."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.domain.area import BOROUGH, Area
from dashboard.domain.formatting import sentence_case
from dashboard.domain.stats import Overdispersion, funnel_limits, overdispersion, widened_limits

LEVELS = (0.95, 0.998)  # the inner and outer limits, as Fingertips and ScotPHO draw them
WITHIN, BEYOND_95, BEYOND_998 = "within the limits", "beyond the 95% limits", "beyond the 99.8% limits"


@dataclass(frozen=True)
class Comparison:
    """What each school's expected count assumes, in words: the funnel's axes, table and sentences are built from it.

    Another comparison (the count expected given where a school's pupils live, say) is another instance with
    its own expected counts; nothing in the figure or the maths changes.
    """

    its: str  # of one school, in a sentence: "the borough rate for its phase"
    their: str  # of several schools: "the borough rate for their phase"
    short: str  # at the end of a headline of at most 12 words: "for their phase"

    @property
    def y_title(self) -> str:
        """The ratio axis in words: 1 is a school whose rate is the one it is compared with."""
        return f"Times {self.its} (1 = the same rate, 2 = twice it)"

    def x_title(self, events: str) -> str:
        """The size axis in words: the count expected, which grows with the school's pupils."""
        # Not 'larger schools to the right': across phases a small special school can expect more than a large
        # primary, so only growth with size is true of every school.
        return f"{sentence_case(events)} expected at {self.its} (grows with the school's size)"

    def how_to_read(self, widened: bool) -> str:
        """The line that teaches a reader the chart, shown beside it and carried into every export.

        widened: the limits also take in the usual spread between schools, so the line says so."""
        spread = " and the usual spread between schools" if widened else " alone"
        return (
            "How to read this: each dot is a school. Higher up means a higher rate than expected; further right "
            f"means more expected, as in a larger school. Dots inside the dotted lines (95%) are within what chance"
            f"{spread} would give a school of that size; dots beyond the dashed lines (99.8%) are very unlikely to "
            "be chance. The funnel narrows for larger schools because their rates are steadier. A dot outside is a "
            "question to ask, not a judgement."
        )


def phase_rate(area: Area) -> Comparison:
    """Each school against the whole area's rate for schools of its phase: the default comparison."""
    return Comparison(f"{area.the} rate for its phase", f"{area.the} rate for their phase", "for their phase")


BOROUGH_PHASE = phase_rate(BOROUGH)


@dataclass(frozen=True)
class Funnel:
    """Schools on a funnel: one row a school (observed, expected, ratio, limits, verdict) and the spread between."""

    points: pd.DataFrame
    spread: Overdispersion
    beyond_998_by_chance_alone: int  # how many the unwidened 99.8% limits would flag, for the note that says so


def limits(expected, level: float, tau2: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Limits on observed / expected at each expected count: exact Poisson around 1, widened by tau2 when above 0."""
    low, high = funnel_limits(1.0, expected, "rate", level)
    return widened_limits(low, high, level, tau2)


def funnel(observed, expected, higher_is_worse: bool | None, widen: bool = True) -> Funnel:
    """Each school's count O against its expected count E: the ratio O / E, its limits and the verdict in words.

    The limits are the exact Poisson quantiles of a count with mean E, divided by E (interpolated so the lines run
    smoothly, Spiegelhalter 2005). Where widen is true and schools differ more than chance allows (at least 3
    schools), the limits also take in that spread (Spiegelhalter's random-effects method), so a school is flagged
    only when it stands out among schools. direction is 'higher', 'lower' or 'similar'; word says whether that is
    better or worse where the measure knows which way is good; reach says which limits it lies beyond. The rows keep
    the index of observed when it is a Series, so a caller can join names back.
    """
    index = observed.index if isinstance(observed, pd.Series) else None
    o, e = np.asarray(observed, float), np.asarray(expected, float)
    spread = overdispersion(o, e) if widen else overdispersion([], [])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = o / e
    points = pd.DataFrame({"observed": o, "expected": e, "ratio": ratio}, index=index)
    outside = {}
    chance_alone = 0
    for level in LEVELS:
        suffix = f"{level * 100:g}".replace(".", "")
        low, high = limits(e, level, spread.tau2)
        points[f"low{suffix}"], points[f"high{suffix}"] = low, high
        outside[level] = (ratio < low) | (ratio > high)
        if level == 0.998:
            unwidened_low, unwidened_high = limits(e, level)
            chance_alone = int(((ratio < unwidened_low) | (ratio > unwidened_high)).sum())
    # The 99.8% limits lie outside the 95% ones, so a school beyond them is beyond both.
    points["reach"] = np.where(outside[0.998], BEYOND_998, np.where(outside[0.95], BEYOND_95, WITHIN))
    points["direction"] = np.where(points["reach"] == WITHIN, "similar", np.where(ratio > 1, "higher", "lower"))
    if higher_is_worse is None:
        points["word"] = points["direction"]
    else:
        good = "lower" if higher_is_worse else "higher"
        points["word"] = np.where(
            points["direction"] == "similar", "similar", np.where(points["direction"] == good, "better", "worse")
        )
    return Funnel(points, spread, chance_alone)


def verdict_text(direction: str, reach: str) -> str:
    """A school's place on the funnel in words, e.g. 'Higher than expected (beyond the 99.8% limits)'."""
    if direction == "similar":
        return "Similar to expected (within the limits)"
    return f"{sentence_case(direction)} than expected ({reach})"
