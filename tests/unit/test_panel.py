"""A panel lists at most ten findings and counts the rest, which its table marks."""

from __future__ import annotations

import pandas as pd

from dashboard.views.panel import Panel


def test_ten_findings_are_listed_and_the_rest_counted_in_one_line():
    many = Panel("T", "S", pd.DataFrame(), findings=[f"Place {n}: lower than expected." for n in range(1, 1_013)])
    listed = many.listed_findings
    assert listed[:10] == [f"Place {n}: lower than expected." for n in range(1, 11)]
    assert listed[10:] == ["And 1,002 more, each marked in the table."]
    few = Panel("T", "S", pd.DataFrame(), findings=["A.", "B."])
    assert few.listed_findings == ["A.", "B."]
    assert Panel("T", "S", pd.DataFrame(), findings=[f"{n}." for n in range(10)]).listed_findings[-1] == "9."
