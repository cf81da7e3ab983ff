"""Figures as words (dashboard/domain/formatting.py), table by table, with every expected string written by hand."""

from __future__ import annotations

import math

import pytest

from dashboard.domain.formatting import (
    as_shown,
    change_text,
    count_text,
    date_words,
    interval_text,
    rate_text,
    relative_text,
    sentence_case,
    symbols_note,
    verdict_text,
)
from dashboard.domain.measures import MEASURES
from dashboard.domain.status import NO_DATA, SHOWN, SUPPRESSED

RATE = MEASURES["suspension_rate"]  # 2 decimals, per 100 pupils
PERCENT = MEASURES["persistent_absence"]  # 1 decimal, %
PER_THOUSAND = MEASURES["ehcp_rate"]  # 1 decimal, per 1,000 aged 0-25
NAN = math.nan


@pytest.mark.parametrize(
    "text, expected",
    [
        ("EHC plans", "EHC plans"),
        ("suspension rate", "Suspension rate"),
        ("", ""),
        ("a", "A"),
        ("SEN support", "SEN support"),
    ],
)
def test_sentence_case_capitalises_the_first_letter_only(text, expected):
    assert sentence_case(text) == expected


@pytest.mark.parametrize(
    "value, status, measure, with_unit, expected",
    [
        (9.0234, SHOWN, RATE, False, "9.02"),
        (9.0234, SHOWN, RATE, True, "9.02 per 100 pupils"),
        (19.64, SHOWN, PERCENT, True, "19.6%"),
        (1234.5, SHOWN, PER_THOUSAND, False, "1,234.5"),
        (NAN, SUPPRESSED, RATE, False, "c"),
        (NAN, "x", RATE, False, "x"),
        (NAN, "low", RATE, True, "low"),
        (NAN, NO_DATA, RATE, False, "no data"),
    ],
)
def test_a_rate_as_a_table_shows_it(value, status, measure, with_unit, expected):
    assert rate_text(value, status, measure, with_unit) == expected


@pytest.mark.parametrize(
    "value, status, expected",
    [
        (45737.0, SHOWN, "45,737"),
        (0.0, SHOWN, "0"),
        (2.5, SHOWN, "2"),  # Python rounds half to even: counts are whole anyway
        (NAN, SUPPRESSED, "c"),
        (NAN, "z", "z"),
        (NAN, NO_DATA, ""),
    ],
)
def test_a_count_as_a_table_shows_it(value, status, expected):
    assert count_text(value, status) == expected


@pytest.mark.parametrize(
    "value, decimals, expected",
    [(9.0249, 2, 9.02), (9.025001, 2, 9.03), (19.64, 1, 19.6), (0.1184, 3, 0.118), (8.6949, 2, 8.69)],
)
def test_as_shown_is_the_printed_figure(value, decimals, expected):
    assert as_shown(value, decimals) == expected


@pytest.mark.parametrize(
    "current, previous, measure, expected",
    [
        # 9.0249 and 8.6949 print 9.02 and 8.69: the change said is 0.33, the difference of what is printed.
        (9.0249, 8.6949, RATE, "up 0.33 on 2023/24"),
        # The unrounded 9.0249 - 8.6851 = 0.3398 would print 0.34 beside 9.02 and 8.69.
        (9.0249, 8.6851, RATE, "up 0.33 on 2023/24"),
        (34.504, 31.016, RATE, "up 3.48 on 2023/24"),
        (8.69, 9.02, RATE, "down 0.33 on 2023/24"),
        (19.64, 20.71, PERCENT, "down 1.1 percentage points on 2023/24"),
        (20.74, 19.66, PERCENT, "up 1.0 percentage points on 2023/24"),  # 20.7 - 19.7
        (6.94, 6.86, PERCENT, "no change on 2023/24"),  # both print 6.9, though 6.94 - 6.86 = 0.08
        (0.1184, 0.1176, MEASURES["permanent_rate"], "no change on 2023/24"),  # 0.118 both
    ],
)
def test_a_change_is_the_difference_of_the_printed_figures(current, previous, measure, expected):
    assert change_text(current, previous, measure, "2023/24") == expected


@pytest.mark.parametrize(
    "value, reference, measure, name, expected",
    [
        # Percentages: the gap in points, never a relative percentage (19.6% against 18.5% is not '6% above').
        (19.6, 18.5, PERCENT, "England", "1.1 percentage points above England"),
        (0.9, 2.2, PERCENT, "England", "1.3 percentage points below England"),
        (6.94, 6.86, PERCENT, "England", "level with England"),  # both print 6.9
        # Rates: as a ratio of the printed figures. 15.47 / 9.02 = 1.715...
        (15.47, 9.02, RATE, "the borough", "1.72 times the borough's"),
        (9.02, 11.30, RATE, "England (illustrative)", "0.80 times that of England (illustrative)"),
        (33.0, 29.0, PER_THOUSAND, "the borough", "1.14 times the borough's"),  # 1.1379
        (9.02, 9.02, RATE, "the borough", "level with the borough"),
        # 9.04 / 9.02 = 1.0022 prints 1.00: said as 'just above' rather than a ratio that reads as equal.
        (9.04, 9.02, RATE, "the borough", "just above the borough's"),
        (9.00, 9.02, RATE, "the borough", "just below the borough's"),
        (0.5, 0.0, RATE, "England", "above England (0)"),
        (NAN, 9.02, RATE, "the borough", "not comparable with the borough"),
        (9.02, NAN, RATE, "England", "not comparable with England"),
    ],
)
def test_a_figure_against_a_reference_in_words_that_cannot_be_misread(value, reference, measure, name, expected):
    assert relative_text(value, reference, measure, name) == expected


@pytest.mark.parametrize(
    "verdict, name, expected",
    [
        ("worse", "the borough", "Worse than the borough"),
        ("better", "England", "Better than England"),
        ("higher", "England", "Higher than England"),
        ("similar", "the borough", "Similar to the borough"),
        ("not compared", "the borough", ""),
        ("", "the borough", ""),
        (None, "the borough", ""),
    ],
)
def test_a_verdict_in_words(verdict, name, expected):
    assert verdict_text(verdict, name) == expected


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ([SHOWN, SUPPRESSED], None),
        ([], None),
        (["x", SHOWN], "Symbols from the source: x = not available."),
        (["z", "x", "z"], "Symbols from the source: x = not available; z = not applicable."),
    ],
)
def test_the_symbols_note_names_only_the_symbols_present(statuses, expected):
    assert symbols_note(statuses) == expected


@pytest.mark.parametrize(
    "low, high, measure, expected",
    [
        (4.1234, 6.0, PER_THOUSAND, "4.1 to 6.0"),
        (8.7412, 9.3021, RATE, "8.74 to 9.30"),
        # 6.8712 and 6.8893 both print 6.9: one more decimal, 6.87 to 6.89, so the ends differ.
        (6.8712, 6.8893, PERCENT, "6.87 to 6.89"),
        # Two more: 6.8801 and 6.8849 are 6.88 both; 6.880 to 6.885.
        (6.8801, 6.8849, PERCENT, "6.880 to 6.885"),
        # Never more than three more decimals: equal to four places, printed as they are.
        (6.88001, 6.88002, PERCENT, "6.8800 to 6.8800"),
        (1234.56, 1299.4, PER_THOUSAND, "1,234.6 to 1,299.4"),
        (NAN, 6.0, PERCENT, ""),
        (4.1, NAN, PERCENT, ""),
        (NAN, NAN, PERCENT, ""),
    ],
)
def test_an_interval_is_printed_so_its_ends_differ_and_blank_if_either_is_missing(low, high, measure, expected):
    assert interval_text(low, high, measure) == expected


@pytest.mark.parametrize(
    "timestamp, expected",
    [
        ("2026-12-02 05:35:50", "2 December 2026"),
        ("2026-01-31", "31 January 2026"),
        ("2025-09-01T00:00:00", "1 September 2025"),
    ],
)
def test_a_load_date_in_words(timestamp, expected):
    assert date_words(timestamp) == expected
