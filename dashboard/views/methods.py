"""Data & methods: the standardisation explained with a worked example from the data being served."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.domain.filters import FilterState
from dashboard.domain.standardise import ADJUSTED_FOR, NOT_ADJUSTED_FOR
from dashboard.domain.status import SHOWN
from dashboard.query.queries import NotApplicable, Queries

MEASURE = "suspension_rate"


@dataclass
class WorkedExample:
    """One locality's expected suspensions decile by decile: the table and the sentences that read it."""

    sentences: list[str]
    table: pd.DataFrame


def standardisation_example(queries: Queries, state: FilterState) -> WorkedExample | None:
    """The chosen locality (or the first with figures) worked through: its pupils in each decile of home times the
    borough's suspension rate in that decile, summed; None where the data cannot support the comparison."""
    year = state.year
    everywhere = FilterState(measure=MEASURE, year=year)
    try:
        found = queries.expected(MEASURE, everywhere, "locality")
        rates = queries.rates(MEASURE, everywhere, "decile")
        # A locality's pupils in a decile: its small areas' in that decile, added up.
        pupils = queries.by_decile("pupils", year, "locality")
    except NotApplicable:
        return None
    found = found[found["expected"].notna() & (found["covered"] == 1)]
    if found.empty:
        return None
    names = queries.labels("locality")
    chosen = state.locality if state.locality in set(found["locality"]) else found["locality"].iat[0]
    row = found[found["locality"] == chosen].iloc[0]
    mine = pupils[pupils["place"] == chosen].groupby("stratum", as_index=False)["value"].sum(min_count=1)
    mine = mine.rename(columns={"stratum": "decile"}).dropna(subset=["value"])
    rates = rates[rates["status"] == SHOWN]
    frame = mine.merge(rates[["decile", "numerator", "denominator"]], on="decile")
    frame = frame.assign(rate=frame["numerator"] / frame["denominator"] * 100)
    frame = frame.assign(expected=frame["value"] * frame["numerator"] / frame["denominator"])
    frame = frame.sort_values("decile", key=lambda d: d.astype(int))
    table = pd.DataFrame(
        {
            "IDACI decile of home (1 = most deprived)": frame["decile"],
            f"{names[chosen]}'s pupils on roll": [f"{v:,.0f}" for v in frame["value"]],
            "Borough suspension rate in the decile (per 100)": [f"{v:.2f}" for v in frame["rate"]],
            "Suspensions expected": [f"{v:,.1f}" for v in frame["expected"]],
        }
    )
    total = frame["expected"].sum()
    table.loc[len(table)] = ["All deciles", f"{frame['value'].sum():,.0f}", "", f"{total:,.1f}"]
    name = names[chosen]
    verdict = {"higher": "more than", "lower": "fewer than"}.get(row["verdict"], "about as many as")
    sentences = [
        f"A worked example from the data shown: {name} in {year}. Its {frame['value'].sum():,.0f} pupils on roll are "
        "counted by the IDACI decile of the small area they live in. Each decile's pupils are multiplied by the "
        "borough's suspension rate for pupils living in that decile, and the results added up: "
        f"{total:,.1f} suspensions expected.",
        f"{name} had {row['numerator']:,.0f} suspensions, {row['ratio']:.2f} times the {total:,.1f} expected "
        f"(95% interval {row['low']:.2f} to {row['high']:.2f}): {verdict} its deprivation predicts.",
    ]
    return WorkedExample(sentences, table)


def standardisation_words() -> list[str]:
    """The method in plain English, for Data & methods and the board pack's glossary."""
    return [
        "Compared with expected given deprivation: a place's figure is set against the count it would have if its "
        "pupils had the borough's rates for the deprivation of where they live. Places with more deprived homes are "
        "expected to have more suspensions and absence; comparing them with the borough average would blame them "
        "for that. This is indirect standardisation, as public health compares death rates between areas.",
        f"It takes account of {ADJUSTED_FOR}, and nothing else: not {NOT_ADJUSTED_FOR}. Schools are set against the "
        "borough's rates for their phase in each decile. A place is higher or lower than expected when the 95% "
        "interval of observed / expected (exact Poisson limits on the observed count) lies wholly above or below 1.",
        "Only published figures go in: pupils by decile are protected like every other count, and where some of a "
        "place's pupils in a decile are hidden, those pupils are given the borough's rate for the rest of its "
        "pupils. The map, tables and funnel say when fewer than half a place's pupils could be placed by decile.",
    ]
