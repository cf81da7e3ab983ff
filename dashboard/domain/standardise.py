"""Indirect standardisation: the count a place would have at the borough's rates for its pupils' deprivation.

A place's expected count is the sum, over deprivation deciles, of its pupils in the decile times the borough's rate
in that decile. Only published figures go in. Where a place's pupils in some deciles are hidden (or the borough's
rate in a decile is), those pupils are still counted: the place's total less its shown deciles is given the
borough's rate over the rest of its pupils (the borough's total less the deciles used, which is published too).
The observed-to-expected ratio then gets exact Poisson limits on the observed count, as a funnel plot's do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.stats import poisson_exact

# A place's rate judged against what its deprivation predicts, at the 95% level (and the 99.8% beside it).
HIGHER, SIMILAR, LOWER = "higher", "similar", "lower"
# What the standardisation takes account of, and what it does not, in the words every view uses.
ADJUSTED_FOR = "the deprivation of where their pupils live (the IDACI decile of each home's small area)"
NOT_ADJUSTED_FOR = "SEN, ethnicity, prior attainment or anything else about the pupils"
# Where pupils live, the publication also gives pupils by SEN provision, small area by small area.
ADJUSTED_FOR_SEN = (
    "the deprivation of where their pupils live (the IDACI decile of each home's small area) and their SEN provision "
    "(none, SEN support or an EHC plan), taken together"
)
NOT_ADJUSTED_FOR_SEN = "ethnicity, prior attainment or anything else about the pupils"
ADJUSTED_FOR_PHASE = f"their phase and {ADJUSTED_FOR}"
EXPECTED_NAME = "expected given deprivation"


def as_verdict(direction: str, higher_is_worse: bool | None) -> str:
    """A higher / lower than expected as better or worse where the measure knows which way is good."""
    if higher_is_worse is None or direction not in (HIGHER, LOWER):
        return direction
    return "worse" if (direction == HIGHER) == higher_is_worse else "better"


def expected_counts(places: pd.DataFrame, cells: pd.DataFrame, strata: pd.DataFrame, totals: pd.DataFrame):
    """Each place's expected count from published figures only.

    places: place, group, denominator (the place's whole denominator; NaN if hidden).
    cells: place, stratum, value (the place's denominator in the stratum; NaN where hidden). A place may have several
    cells in one stratum (its parts): those shown are added up.
    strata: group, stratum, numerator, denominator (the standard's counts in the stratum; NaN where hidden).
    totals: group, numerator, denominator (the standard's whole counts).
    group is what the standard is taken within (a school's phase), or one value for every place.
    Returns places with expected (NaN where the place's denominator or the standard's total is hidden) and covered
    (the share of the place's denominator whose stratum was shown with its rate).
    """
    strata = strata.assign(rate=strata["numerator"] / strata["denominator"])
    usable = strata[strata["rate"].notna() & (strata["denominator"] > 0)]
    # A place's shown cells in one stratum are added first (a ward's small areas of one decile, a cluster's schools).
    shown = cells[cells["value"].notna()].groupby(["place", "stratum"], as_index=False, sort=False)["value"].sum()
    joined = shown.merge(places[["place", "group"]], on="place").merge(usable, on=["group", "stratum"])
    joined = joined.assign(contribution=joined["value"] * joined["rate"])
    used = joined.groupby("place", sort=False).agg(
        shown_expected=("contribution", "sum"),
        shown_pupils=("value", "sum"),
        standard_numerator=("numerator", "sum"),
        standard_denominator=("denominator", "sum"),
    )
    frame = places.merge(used, left_on="place", right_index=True, how="left").merge(
        totals.rename(columns={"numerator": "total_numerator", "denominator": "total_denominator"}),
        on="group",
        how="left",
    )
    for column in used.columns:
        frame[column] = frame[column].fillna(0.0)
    rest_denominator = frame["total_denominator"] - frame["standard_denominator"]
    # The rest of the place's pupils at the borough's rate for the rest of its pupils; the whole rate if none is left.
    with np.errstate(divide="ignore", invalid="ignore"):
        rest_rate = np.where(
            rest_denominator > 0,
            (frame["total_numerator"] - frame["standard_numerator"]) / rest_denominator,
            frame["total_numerator"] / frame["total_denominator"],
        )
    rest = (frame["denominator"] - frame["shown_pupils"]).clip(lower=0)
    expected = frame["shown_expected"] + rest * rest_rate
    with np.errstate(divide="ignore", invalid="ignore"):
        covered = np.where(frame["denominator"] > 0, frame["shown_pupils"] / frame["denominator"], np.nan)
    return places.assign(expected=expected.to_numpy(float), covered=covered)


def ratio_verdicts(observed, expected) -> pd.DataFrame:
    """Observed / expected with exact Poisson limits at 95% and 99.8%, and whether each lies wholly above or below 1.

    Columns: ratio, low, high (95%), low998, high998, verdict and verdict998 (higher, similar or lower; blank where
    there is no expected count).
    """
    observed, expected = np.asarray(observed, float), np.asarray(expected, float)
    columns = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["ratio"] = np.where(expected > 0, observed / expected, np.nan)
        for level, low_name, high_name, verdict in (
            (0.95, "low", "high", "verdict"),
            (0.998, "low998", "high998", "verdict998"),
        ):
            low, high = poisson_exact(np.nan_to_num(observed), level)
            low = np.where(expected > 0, low / expected, np.nan)
            high = np.where(expected > 0, high / expected, np.nan)
            low, high = np.where(np.isnan(observed), np.nan, low), np.where(np.isnan(observed), np.nan, high)
            columns[low_name], columns[high_name] = low, high
            columns[verdict] = np.where(
                np.isnan(low), "", np.where(low > 1, HIGHER, np.where(high < 1, LOWER, SIMILAR))
            )
    return pd.DataFrame(columns)
