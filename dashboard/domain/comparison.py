"""Intervals and verdicts added to a table of rates: better, similar or worse than a reference."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.measures import Measure
from dashboard.domain.stats import compare, rate_interval
from dashboard.domain.status import SHOWN


def with_interval(frame: pd.DataFrame, measure: Measure, level: float = 0.95) -> pd.DataFrame:
    """Add low and high columns: the rate's confidence interval (blank where the rate is not shown).

    Rates looked up at the 95% level already carry theirs, worked out once per version: those are kept.
    """
    if level == 0.95 and "low" in frame and "high" in frame:
        return frame
    low, high = rate_interval(frame["numerator"], frame["denominator"], measure.scale, measure.kind, level)
    shown = (frame["status"] == SHOWN).to_numpy()
    return frame.assign(low=np.where(shown, low, np.nan), high=np.where(shown, high, np.nan))


def compare_with(frame: pd.DataFrame, measure: Measure, reference: float, level: float = 0.95) -> pd.DataFrame:
    """Add low, high and verdict: whether each shown rate's interval is wholly better or worse than reference."""
    frame = with_interval(frame, measure, level)
    # On the columns' arrays: a map compares a thousand places in every request, and pandas' own comparisons of a
    # column with a value cost several times more.
    shown = frame["status"].to_numpy(object) == SHOWN
    if reference is None or reference != reference:
        verdict = "not compared"
    else:
        low, high = frame["low"].to_numpy(float), frame["high"].to_numpy(float)
        verdict = compare(low, high, reference, measure.higher_is_worse)
    return frame.assign(verdict=np.where(shown, verdict, ""))
