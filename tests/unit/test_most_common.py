"""A need is called the most common only when no hidden cell could hold more plans (the demo's South & Central,
2020/21, where 149 hidden plans could have made SEMH larger than ASD's 126)."""

from __future__ import annotations

import pandas as pd

from dashboard.domain.status import SHOWN, SUPPRESSED
from dashboard.views.needs import surely_most

# South & Central's plans by primary need in the demo's 2020/21, as its table prints them (c for hidden).
SOUTH_AND_CENTRAL = pd.DataFrame(
    {
        "category": ["ASD", "SLCN", "MLD", "SEMH", "SLD", "SPLD", "PD", "OTH", "VI", "HI", "PMLD", "MSI"],
        "numerator": [126, 100, 63, None, None, 41, 35, None, 14, None, None, None],
    }
).assign(status=lambda f: [SHOWN if n == n else SUPPRESSED for n in f["numerator"]])


def test_hidden_plans_that_could_outnumber_the_largest_need_shown_keep_it_from_being_called_most_common():
    # 528 plans: 379 shown, so the six hidden cells hold 149, one of them up to 149 - 5 = 144 > 126.
    assert surely_most(SOUTH_AND_CENTRAL, 528) is None


def test_the_largest_need_shown_is_the_most_common_when_no_hidden_cell_could_reach_it():
    # 505 plans: the six hidden cells hold 126, one of them at most 126 - 5 = 121 < 126.
    assert surely_most(SOUTH_AND_CENTRAL, 505)["category"] == "ASD"
    # 510: one hidden cell could hold 126 too, a tie, so ASD is not surely the most common.
    assert surely_most(SOUTH_AND_CENTRAL, 510) is None
    # A whole that is itself hidden says nothing.
    assert surely_most(SOUTH_AND_CENTRAL, float("nan")) is None
