"""Data & methods: the standardisation explained with a worked example from the data being served."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.domain.area import Area
from dashboard.domain.filters import FilterState
from dashboard.domain.reference import SEN_PROVISION
from dashboard.domain.standardise import ADJUSTED_FOR, ADJUSTED_FOR_SEN, NOT_ADJUSTED_FOR_SEN
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
    whole area's suspension rate in that decile, summed; None where the data cannot support the comparison."""
    year = state.year
    everywhere = FilterState(measure=MEASURE, year=year)
    plan = queries.expected_design(MEASURE, "locality")
    try:
        found = queries.expected(MEASURE, everywhere, "locality")
        rates = queries.rates(MEASURE, everywhere, plan.strata)
        # A locality's pupils in a stratum: its small areas' in that stratum, added up.
        pupils = queries.by_stratum("pupils", year, "locality", plan)
    except NotApplicable:
        return None
    found = found[found["expected"].notna() & (found["covered"] == 1)]
    if found.empty:
        return None
    names, area = queries.labels("locality"), queries.area
    chosen = state.locality if state.locality in set(found["locality"]) else found["locality"].iat[0]
    row = found[found["locality"] == chosen].iloc[0]
    mine = pupils[pupils["place"] == chosen].groupby("stratum", as_index=False)["value"].sum(min_count=1)
    mine = mine.dropna(subset=["value"])
    rates = rates[rates["status"] == SHOWN]
    rates = rates.assign(stratum=queries.stratum_keys(rates, plan))
    frame = mine.merge(rates[[*plan.strata, "stratum", "numerator", "denominator"]], on="stratum")
    frame = frame.assign(rate=frame["numerator"] / frame["denominator"] * 100)
    frame = frame.assign(expected=frame["value"] * frame["numerator"] / frame["denominator"])
    order = {key: k for k, key in enumerate(SEN_PROVISION)}
    frame = frame.sort_values(
        [c for c in ("sen", "decile") if c in frame],
        key=lambda c: c.map(order) if c.name == "sen" else c.astype(int),
    )
    by_sen = "sen" in plan.strata
    table = pd.DataFrame(
        {
            **({"SEN provision": frame["sen"].map(SEN_PROVISION)} if by_sen else {}),
            "IDACI decile of home (1 = most deprived)": frame["decile"],
            f"{names[chosen]}'s pupils on roll": [f"{v:,.0f}" for v in frame["value"]],
            f"{area.title} suspension rate in the {'group' if by_sen else 'decile'} (per 100)": [
                f"{v:.2f}" for v in frame["rate"]
            ],
            "Suspensions expected": [f"{v:,.1f}" for v in frame["expected"]],
        }
    )
    total = frame["expected"].sum()
    table.loc[len(table)] = [
        *(["All pupils", ""] if by_sen else ["All deciles"]),
        f"{frame['value'].sum():,.0f}",
        "",
        f"{total:,.1f}",
    ]
    name = names[chosen]
    verdict = {"higher": "more than", "lower": "fewer than"}.get(row["verdict"], "about as many as")
    counted = "their SEN provision and the IDACI decile" if by_sen else "the IDACI decile"
    group = "group's pupils are" if by_sen else "decile's pupils are"
    whose = "pupils with that SEN provision living in that decile" if by_sen else "pupils living in that decile"
    given = "its pupils' deprivation and SEN provision predict" if by_sen else "its deprivation predicts"
    sentences = [
        f"A worked example from the data shown: {name} in {year}. Its {frame['value'].sum():,.0f} pupils on roll are "
        f"counted by {counted} of the small area they live in. Each {group} multiplied by {area.its} suspension "
        f"rate for {whose}, and the results added up: {total:,.1f} suspensions expected.",
        f"{name} had {row['numerator']:,.0f} suspensions, {row['ratio']:.2f} times the {total:,.1f} expected "
        f"(95% interval {row['low']:.2f} to {row['high']:.2f}): {verdict} {given}.",
    ]
    return WorkedExample(sentences, table)


def standardisation_words(area: Area) -> list[str]:
    """The method in plain English, for Data & methods and the board pack's glossary."""
    return [
        "Compared with expected given deprivation: a place's figure is set against the count it would have if its "
        f"pupils had {area.its} rates for the deprivation of where they live. Places with more deprived homes are "
        f"expected to have more suspensions and absence; comparing them with {area.the} average would blame them "
        "for that. This is indirect standardisation, as public health compares death rates between areas.",
        f"For small areas, wards and localities it takes account of {ADJUSTED_FOR_SEN}, wherever the publication "
        "gives each small area's pupils by SEN provision, and nothing else: not "
        f"{NOT_ADJUSTED_FOR_SEN}. Schools are set against {area.its} rates for their phase in each decile, and "
        f"clusters against its rates in each decile: they take account of {ADJUSTED_FOR} only, because a school's "
        "pupils by SEN provision and decile together would be too few to publish. A place is higher or lower than "
        "expected when the 95% interval of observed / expected (exact Poisson limits on the observed count) lies "
        "wholly above or below 1.",
        "Only published figures go in: pupils by decile are protected like every other count, and where some of a "
        f"place's pupils in a decile are hidden, those pupils are given {area.its} rate for the rest of its "
        "pupils. The map, tables and funnel say when fewer than half a place's pupils could be placed by decile.",
    ]
