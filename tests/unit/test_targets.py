"""Board targets' status (dashboard/domain/targets.py): every branch and boundary, with intervals chosen by hand."""

from __future__ import annotations

import math

import pytest

from dashboard.domain.status import NO_DATA, SHOWN, SUPPRESSED
from dashboard.domain.targets import Target, due_target, judged_year, target_status

NAN = math.nan


@pytest.mark.parametrize(
    "direction, low, high, expected",
    [
        # at most 8.0: the good side is 8.0 and below.
        ("at most", 6.9, 7.6, "met"),  # wholly below
        ("at most", 7.2, 8.0, "met"),  # touches the target from the good side
        ("at most", 8.0, 8.0, "met"),  # a point on the target is on the good side
        ("at most", 8.1, 9.3, "not met"),  # wholly above
        ("at most", 7.9, 8.4, "too close to call"),  # includes the target, though the point may be under it
        ("at most", 8.0, 8.6, "too close to call"),  # touches from the bad side: the interval includes the target
        # at least 90.0: the good side is 90.0 and above.
        ("at least", 90.5, 93.0, "met"),
        ("at least", 90.0, 91.0, "met"),  # touches from the good side
        ("at least", 85.0, 89.9, "not met"),
        ("at least", 88.0, 90.0, "too close to call"),  # touches from the bad side
        ("at least", 89.0, 91.0, "too close to call"),
    ],
)
def test_a_target_in_a_year_with_data_is_judged_on_that_years_interval(direction, low, high, expected):
    target = 90.0 if direction == "at least" else 8.0
    assert target_status(target, direction, "2025/26", "2025/26", low, high) == expected


@pytest.mark.parametrize(
    "direction, low, high, expected",
    [
        ("at most", 6.9, 7.6, "on track"),
        ("at most", 7.2, 8.0, "on track"),
        ("at most", 8.74, 9.3, "off track"),
        ("at most", 7.9, 8.4, "too early to say"),
        ("at most", 8.0, 8.6, "too early to say"),
        ("at least", 90.0, 92.0, "on track"),
        ("at least", 80.0, 89.99, "off track"),
        ("at least", 88.0, 90.0, "too early to say"),
    ],
)
def test_a_target_for_a_later_year_is_judged_on_the_latest_years_interval(direction, low, high, expected):
    target = 90.0 if direction == "at least" else 8.0
    assert target_status(target, direction, "2025/26", "2024/25", low, high) == expected


def test_a_hidden_figure_is_never_judged_and_a_missing_one_says_so():
    assert target_status(8.0, "at most", "2025/26", "2024/25", NAN, NAN, SUPPRESSED) == "not shown (too few children)"
    assert target_status(8.0, "at most", "2025/26", "2025/26", NAN, NAN, "low") == "not shown (too few children)"
    assert target_status(8.0, "at most", "2025/26", "2025/26", NAN, NAN, NO_DATA) == "no figure"
    assert target_status(8.0, "at most", "2025/26", "2025/26", NAN, NAN, "x") == "no figure"
    assert target_status(8.0, "at most", "2025/26", "2025/26", NAN, NAN, SHOWN) == "no figure"


def test_a_target_is_not_judged_on_a_year_after_its_own_nor_with_an_unknown_direction():
    with pytest.raises(ValueError, match="2022/23 is judged on that year or an earlier one, not 2024/25"):
        target_status(8.0, "at most", "2022/23", "2024/25", 6.0, 7.0)
    with pytest.raises(ValueError, match="direction must be one of at most, at least"):
        target_status(8.0, "below", "2025/26", "2025/26", 6.0, 7.0)


@pytest.mark.parametrize(
    "target_year, latest, expected",
    [("2025/26", "2024/25", "2024/25"), ("2022/23", "2024/25", "2022/23"), ("2024/25", "2024/25", "2024/25")],
)
def test_a_target_is_judged_on_its_own_year_once_the_data_reach_it(target_year, latest, expected):
    assert judged_year(target_year, latest) == expected


def test_the_due_target_is_the_earliest_not_yet_past_else_the_latest_past():
    def target(year: str) -> Target:
        return Target("suspension_rate", year, "borough", None, 8.0, "at most")

    past, now, soon, later = target("2022/23"), target("2024/25"), target("2025/26"), target("2027/28")
    assert due_target([later, past, soon], "2024/25") == soon
    assert due_target([later, now, past], "2024/25") == now
    assert due_target([past, target("2020/21")], "2024/25") == past
    assert due_target([], "2024/25") is None
