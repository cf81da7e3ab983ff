"""Early identification: where fewer pupils are identified with SEN than their deprivation predicts, and where
persistent absence rose over two years while suspensions did not; from published cells only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.domain.filters import FilterState
from dashboard.domain.measures import MEASURES
from dashboard.domain.standardise import expected_counts, ratio_verdicts
from dashboard.domain.stats import difference_p, newcombe_difference
from dashboard.domain.status import SHOWN, SUPPRESSED
from dashboard.query import published
from dashboard.query.expected import OUTSIDE_STRATUM, by_decile, decile_source
from dashboard.query.published import NotApplicable
from dashboard.query.rates import count_values, rates
from dashboard.store.warehouse import Warehouse

EARLY_LEVELS = ("locality", "ward", "cluster", "school")
# How the number identified was read: SEN support plus plans, or (where one of those is hidden) all less no SEN.
FROM_SUM, FROM_DIFFERENCE = "sum", "difference"
SIGNIFICANT = 0.05
YEARS_BACK = 2  # a rise over two years, so one odd year does not make or hide it


def _shown(frame: pd.DataFrame) -> pd.Series:
    return frame["value"].where(frame["status"] == SHOWN)


def _identified(by_sen: pd.DataFrame, pupils: pd.DataFrame, key: str) -> pd.DataFrame:
    """Pupils and pupils identified with SEN per key from published cells (NaN where they cannot be had)."""
    wide = by_sen.assign(shown=_shown(by_sen)).pivot(index=key, columns="sen", values="shown")
    wide = wide.reindex(columns=["ehcp", "sen_support", "none"])
    whole = pupils.assign(pupils=_shown(pupils)).set_index(key)["pupils"]
    frame = wide.join(whole, how="outer")
    summed = frame["ehcp"] + frame["sen_support"]
    # Every pupil has one of the three provisions, so all less no SEN is the same count when a part is hidden.
    difference = frame["pupils"] - frame["none"]
    frame["identified"] = summed.where(summed.notna(), difference)
    frame["observed_from"] = np.where(summed.notna(), FROM_SUM, np.where(difference.notna(), FROM_DIFFERENCE, ""))
    return frame[["pupils", "identified", "observed_from"]].rename_axis(key).reset_index()


def _check_published(warehouse: Warehouse, families: list[tuple[str, ...]], year: str, words: str) -> None:
    for family in families:
        reason = published.gap(warehouse, "pupils", family, year)
        if reason:
            raise published.gap_error("pupils", reason, year, words)


PLACE_LOCALITY = {
    "locality": "SELECT locality_code AS locality, locality_code AS in_locality FROM locality",
    "ward": "SELECT DISTINCT ward_code AS ward, locality_code AS in_locality FROM area",
    "cluster": "SELECT cluster_code AS cluster, locality_code AS in_locality FROM cluster",
    "school": "SELECT urn AS school, c.locality_code AS in_locality FROM school JOIN cluster c USING (cluster_code)",
}


def _narrowed(warehouse: Warehouse, frame: pd.DataFrame, state: FilterState, level: str) -> pd.DataFrame:
    """The places a locality filter chooses: a ward by the locality it lies in, a cluster or school by its school's."""
    if not state.locality:
        return frame
    where = warehouse.query(PLACE_LOCALITY[level])
    frame = frame.merge(where, on=level, how="left")
    return frame[frame["in_locality"] == state.locality].drop(columns="in_locality").reset_index(drop=True)


def identification(warehouse: Warehouse, state: FilterState, level: str) -> pd.DataFrame:
    """Each place's pupils identified with SEN (support or plan) against what its pupils' deprivation predicts.

    Observed: pupils with SEN support plus those with plans, or all pupils less those with no SEN where one is hidden.
    Expected: the borough's share identified in each IDACI decile of home times the place's pupils in that decile
    (hidden cells pooled by expected_counts). Every filter but the locality is set aside: the figures
    are for all pupils. Columns: the level's key, pupils, identified, observed_from, status, share, expected,
    expected_share, covered, ratio, low, high, low998, high998, verdict, verdict998.
    """
    year = state.year
    _check_published(
        warehouse,
        [("sen", "decile"), ("decile",), ("sen",), (), (level,), (level, "sen"), decile_source(level)],
        year,
        "pupils identified with SEN",
    )
    every = FilterState(year=year)

    def count(by) -> pd.DataFrame:
        return count_values(warehouse, "pupils", every, by)

    one = {"all": "all"}
    strata = _identified(
        count(("sen", "decile")).fillna({"decile": OUTSIDE_STRATUM}),
        count("decile").fillna({"decile": OUTSIDE_STRATUM}),
        "decile",
    )
    totals = _identified(count("sen").assign(**one), count("borough").assign(**one), "all")
    places = _identified(count((level, "sen")).dropna(subset=[level]), count(level).dropna(subset=[level]), level)
    cells = by_decile(warehouse, "pupils", year, level)
    found = expected_counts(
        pd.DataFrame({"place": places[level], "group": "", "denominator": places["pupils"]}),
        cells,
        pd.DataFrame(
            {
                "group": "",
                "stratum": strata["decile"],
                "numerator": strata["identified"],
                "denominator": strata["pupils"],
            }
        ),
        pd.DataFrame({"group": [""], "numerator": totals["identified"], "denominator": totals["pupils"]}),
    )
    shown = places["pupils"].notna() & places["identified"].notna()
    frame = places.assign(
        status=np.where(shown, SHOWN, SUPPRESSED),
        share=places["identified"] / places["pupils"] * 100,
        expected=found["expected"].where(shown),
        covered=found["covered"].where(shown),
    )
    frame["expected_share"] = frame["expected"] / frame["pupils"] * 100
    verdicts = ratio_verdicts(frame["identified"].where(shown), frame["expected"])
    return _narrowed(warehouse, pd.concat([frame, verdicts], axis=1), state, level)


def years_before(year: str, back: int = YEARS_BACK) -> str:
    """The academic year some years before another: '2024/25' -> '2022/23'."""
    start = int(year[:4]) - back
    return f"{start}/{(start + 1) % 100:02d}"


def absence_change(warehouse: Warehouse, state: FilterState, level: str) -> pd.DataFrame:
    """Persistent absence and the suspension rate per place in the year two before state.year and in state.year.

    Every filter but the locality is set aside. Columns: the level's key; for each measure (pa_,
    susp_) the before_ and now_ numerator, denominator, value and status; change (percentage points, or suspensions
    per 100 pupils), p (difference_p), and for persistent absence the change's 95% interval (pa_change_low,
    pa_change_high); pa_rose and susp_rose (a significant rise), and flagged (persistent absence rose, suspensions
    shown both years and not significantly up); before_year.
    """
    before_year = years_before(state.year)
    frames = []
    for prefix, measure_id, kind in (("pa_", "persistent_absence", "proportion"), ("susp_", "suspension_rate", "rate")):
        pair = []
        for when, year in (("before_", before_year), ("now_", state.year)):
            found = rates(warehouse, measure_id, FilterState(measure=measure_id, year=year), level)
            if found.empty:
                raise NotApplicable(
                    f"{MEASURES[measure_id].label} is not loaded for {year}, {YEARS_BACK} years before {state.year}, "
                    "so no change over two years can be shown"
                )
            found = found[found[level].notna()][[level, "numerator", "denominator", "value", "status"]]
            pair.append(found.set_index(level).add_prefix(prefix + when))
        joined = pair[0].join(pair[1], how="outer")
        shown = (joined[f"{prefix}before_status"] == SHOWN) & (joined[f"{prefix}now_status"] == SHOWN)
        args = [joined[f"{prefix}{w}_{c}"] for w in ("now", "before") for c in ("numerator", "denominator")]
        joined[f"{prefix}change"] = (joined[f"{prefix}now_value"] - joined[f"{prefix}before_value"]).where(shown)
        joined[f"{prefix}p"] = [difference_p(*values, kind) if ok else np.nan for ok, *values in zip(shown, *args)]
        joined[f"{prefix}rose"] = shown & (joined[f"{prefix}p"] < SIGNIFICANT) & (joined[f"{prefix}change"] > 0)
        if kind == "proportion":
            low, high = newcombe_difference(*[a.to_numpy(float) for a in args])
            joined[f"{prefix}change_low"] = np.where(shown, low * 100, np.nan)
            joined[f"{prefix}change_high"] = np.where(shown, high * 100, np.nan)
        frames.append(joined)
    frame = frames[0].join(frames[1], how="outer")
    susp_shown = (frame["susp_before_status"] == SHOWN) & (frame["susp_now_status"] == SHOWN)
    # Suspensions that cannot be seen in both years cannot be said not to have risen: such a place is not flagged.
    frame["flagged"] = frame["pa_rose"].fillna(False).astype(bool) & susp_shown & ~frame["susp_rose"].fillna(False)
    frame = frame.rename_axis(level).reset_index().assign(before_year=before_year)
    return _narrowed(warehouse, frame, state, level)
