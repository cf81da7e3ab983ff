"""The workbook download (dashboard/exports/tables.py): the page's display text split into one kind a column, and the
sheets laid out as statistics offices publish them, with every expected value written by hand."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest
from openpyxl import load_workbook

from dashboard.config import Config
from dashboard.exports.caption import Caption
from dashboard.exports.tables import table_name, tidy_table, xlsx_bytes

# A page's table as the page prints it: counts with separators, a hidden count, a rate with a dash for no figure,
# intervals, count and share in one cell, and verdicts in words.
DISPLAY = pd.DataFrame(
    {
        "Locality": ["East", "North", "Borough"],
        "Suspensions": ["1,006", "c", "4,124"],
        "Rate (per 100 pupils)": ["8.73", "\u2013", "9.02"],
        "95% interval": ["8.20 to 9.29", "", "8.74 to 9.30"],
        "Plans": ["272 (22.2%)", "c", "1,224 (100%)"],
        "Compared with the borough": ["Worse than the borough", "", ""],
    }
)

CAPTION = Caption(
    title="Suspension rate by locality, 2024/25",
    filters="Filters: Suspension rate, 2024/25, the whole borough",
    source="Source: Synthetic demo borough, Inclusion Dashboard. Contains public sector information.",
    as_of="Data to 31 August 2025; loaded on 2 December 2026.",
    suppression="Figures resting on 1 to 4 children are shown as c and not drawn.",
    synthetic=True,
    notes=["North is highest.", "There is no locality 'ZZ'."],
    version="v7",
)


def test_each_display_column_becomes_columns_of_one_kind_with_status_beside_hidden_figures():
    tidy, formats = tidy_table(DISPLAY)
    assert list(tidy.columns) == [
        "Locality",
        "Suspensions",
        "Suspensions: status",
        "Rate (per 100 pupils)",
        "Rate (per 100 pupils): status",
        "95% interval: lower",
        "95% interval: upper",
        "95% interval: status",
        "Plans: count",
        "Plans: count status",
        "Plans: share (%)",
        "Plans: share status",
        "Compared with the borough",
    ]
    assert tidy.to_dict("list") == {
        "Locality": ["East", "North", "Borough"],
        "Suspensions": [1006, None, 4124],
        "Suspensions: status": [None, "c", None],
        "Rate (per 100 pupils)": [8.73, None, 9.02],
        "Rate (per 100 pupils): status": [None, "x", None],  # the en dash: no figure
        "95% interval: lower": [8.2, None, 8.74],
        "95% interval: upper": [9.29, None, 9.3],
        "95% interval: status": [None, "x", None],  # the blank: no figure
        "Plans: count": [272, None, 1224],
        "Plans: count status": [None, "c", None],
        "Plans: share (%)": [22.2, None, 100],
        "Plans: share status": [None, "c", None],
        "Compared with the borough": ["Worse than the borough", None, None],
    }
    assert formats == {
        "Suspensions": "#,##0",
        "Suspensions: status": "@",
        "Rate (per 100 pupils)": "0.00",
        "Rate (per 100 pupils): status": "@",
        "95% interval: lower": "0.00",
        "95% interval: upper": "0.00",
        "95% interval: status": "@",
        "Plans: count": "#,##0",
        "Plans: count status": "@",
        "Plans: share (%)": "0.0",
        "Plans: share status": "@",
    }
    assert type(tidy["Suspensions"][0]) is int and type(tidy["Rate (per 100 pupils)"][0]) is float


def test_a_percentage_goes_in_a_column_whose_header_says_per_cent():
    tidy, formats = tidy_table(pd.DataFrame({"Share": ["22.2%", "-", "5.0%"], "Absence (%)": ["15.8", "c", "9.1"]}))
    assert tidy.to_dict("list") == {
        "Share (%)": [22.2, None, 5.0],
        "Share: status": [None, "x", None],
        "Absence (%)": [15.8, None, 9.1],  # its header already says (%)
        "Absence (%): status": [None, "c", None],
    }
    assert formats["Share (%)"] == "0.0" and formats["Absence (%)"] == "0.0"


def test_a_bare_count_among_counts_with_shares_has_its_share_marked_not_available():
    tidy, _ = tidy_table(pd.DataFrame({"South": ["65", "272 (22.2%)", "c"]}))
    assert tidy.to_dict("list") == {
        "South: count": [65, 272, None],
        "South: count status": [None, None, "c"],
        "South: share (%)": [None, 22.2, None],
        "South: share status": ["x", None, "c"],
    }


@pytest.mark.parametrize(
    "cells",
    [
        ["Worsening (p < 0.001)", "No significant change (p = 0.557)", "Not enough data"],
        ["1,006", "about 7", "c"],  # one cell that is not a figure keeps the whole column text
        ["1,00", "5"],  # not a thousands separator
        ["8.20 to 9.29", "8.73"],  # two kinds in one column
        ["c", "c", "-"],  # no figure at all: nothing says it is numeric
    ],
)
def test_a_column_that_is_not_all_figures_of_one_kind_stays_text_as_the_page_shows_it(cells):
    tidy, formats = tidy_table(pd.DataFrame({"Column": cells}))
    assert tidy.to_dict("list") == {"Column": [cell or None for cell in cells]}
    assert formats == {}


def test_a_column_with_nothing_hidden_has_no_status_column():
    tidy, formats = tidy_table(pd.DataFrame({"Pupils": ["10", "2,000"]}))
    assert tidy.to_dict("list") == {"Pupils": [10, 2000]}
    assert formats == {"Pupils": "#,##0"}


@pytest.mark.parametrize(
    ("cells", "values", "number_format"),
    [
        (["1,234.5", "7.25"], [1234.5, 7.25], "#,##0.00"),  # the most decimals shown, separators as printed
        (["-0.4", "\u22122.5", "3"], [-0.4, -2.5, 3], "0.0"),  # a hyphen or a minus sign
        (["6.9 to 7.05", "1.2 to 3.4"], None, "0.00"),  # an interval printed with a decimal more to differ
    ],
)
def test_the_number_format_shows_the_decimals_the_page_shows(cells, values, number_format):
    tidy, formats = tidy_table(pd.DataFrame({"Figure": cells}))
    if values is None:
        assert tidy.to_dict("list") == {"Figure: lower": [6.9, 1.2], "Figure: upper": [7.05, 3.4]}
        assert formats == {"Figure: lower": number_format, "Figure: upper": number_format}
    else:
        assert tidy.to_dict("list") == {"Figure": values}
        assert formats == {"Figure": number_format}


def test_a_missing_value_is_no_figure_and_a_blank_header_is_named_as_excel_names_it():
    display = pd.DataFrame({"": ["Elmgate", "Borough"], "2019/20": [math.nan, "4.85"], "2020/21": [None, "no data"]})
    tidy, _ = tidy_table(display)
    assert tidy.to_dict("list") == {
        "Column 1": ["Elmgate", "Borough"],
        "2019/20": [None, 4.85],
        "2019/20: status": ["x", None],
        "2020/21": [None, "no data"],  # no figure anywhere: nothing says it is numeric, so it stays as the page has it
    }


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Persistent absence by locality, 2024/25", "Persistent_absence_by_locality_2024_25"),
        ("2024/25 rates", "Table_2024_25_rates"),  # a name starts with a letter
        ("AB12", "Table_AB12"),  # never a cell reference
        ("R1C1", "Table_R1C1"),
        ("Ré: c", "R_c"),
    ],
)
def test_a_table_name_is_valid_in_excel(title, name):
    assert table_name(title) == name


def cover_text(book) -> list[str]:
    return [row[0] for row in book["Cover"].iter_rows(values_only=True) if row[0] is not None]


def test_the_workbook_has_a_cover_numbered_notes_and_one_data_table_of_numbers_without_merged_cells():
    book = load_workbook(io.BytesIO(xlsx_bytes(DISPLAY, CAPTION, "inclusion.data@example.gov.uk")))
    assert book.sheetnames == ["Cover", "Notes", "Data"]
    assert all(not sheet.merged_cells.ranges for sheet in book)

    cover = cover_text(book)
    assert cover[0] == "Suspension rate by locality, 2024/25"
    for heading, text in [
        ("Warning", "Synthetic demo data: made up for demonstration, no real child is described."),
        ("Filters", "Suspension rate, 2024/25, the whole borough"),  # the heading says Filters: the text does not
        ("Source and licence", "Synthetic demo borough, Inclusion Dashboard. Contains public sector information."),
        ("Data version and date", "Data to 31 August 2025; loaded on 2 December 2026. Version v7."),
        ("Contact", "inclusion.data@example.gov.uk"),
    ]:
        assert cover[cover.index(heading) + 1] == text
    contact = next(c for c in book["Cover"]["A"] if c.value == "inclusion.data@example.gov.uk")
    assert contact.hyperlink.target == "mailto:inclusion.data@example.gov.uk"

    notes = list(book["Notes"].iter_rows(min_row=3, values_only=True))
    assert notes[0] == ("Note number", "Note text")
    assert [number for number, _ in notes[1:]] == [1, 2, 3, 4, 5]
    assert notes[1][1] == "Figures resting on 1 to 4 children are shown as c and not drawn."
    assert notes[2][1].startswith("c in a status column (suppressed): the figure beside it is blank")
    assert notes[3][1].startswith("x in a status column (not available): the figure beside it is blank")
    assert [text for _, text in notes[4:]] == ["North is highest.", "There is no locality 'ZZ'."]
    assert [table.ref for table in book["Notes"].tables.values()] == ["A3:B8"]
    every_cell = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert sum("Suspension rate, 2024/25, the whole borough" in text for text in every_cell) == 1
    assert not any(text.startswith(("Filters:", "Source:")) for text in every_cell)

    data = book["Data"]
    assert data["A1"].value == "Suspension rate by locality, 2024/25"
    assert data["A2"].value == (
        "This worksheet contains one table. Status symbols: c = suppressed; x = not available (the Notes worksheet "
        "says more). The Cover gives the filters, source and date."
    )
    assert [c.value for c in data[3]][:4] == ["Locality", "Suspensions", "Suspensions: status", "Rate (per 100 pupils)"]
    assert [c.value for c in data[4]][:4] == ["East", 1006, None, 8.73]
    assert (data["B4"].data_type, data["B4"].number_format) == ("n", "#,##0")
    assert (data["D6"].value, data["D6"].number_format) == (9.02, "0.00")
    assert (data["C5"].value, data["C5"].number_format) == ("c", "@")
    (table,) = data.tables.values()
    assert table.ref == "A3:M6" and table.autoFilter.ref == "A3:M6"  # 13 columns, header and 3 rows
    assert table.displayName == "Suspension_rate_by_locality_2024_25"
    assert table.tableStyleInfo.name == "TableStyleMedium2"
    assert data.freeze_panes == "A4"


def test_without_a_contact_the_cover_says_none_is_set_and_invents_no_address():
    book = load_workbook(io.BytesIO(xlsx_bytes(DISPLAY, CAPTION)))
    cover = cover_text(book)
    assert cover[cover.index("Contact") + 1] == (
        "No contact is set for this dashboard: the local authority running it sets one in INCLUSION_CONTACT."
    )
    assert not any("@" in text for text in cover)


def test_a_table_with_nothing_hidden_has_no_status_line_or_symbol_notes():
    display = pd.DataFrame({"Locality": ["East"], "Pupils": ["11,517"]})
    book = load_workbook(io.BytesIO(xlsx_bytes(display, CAPTION, "Inclusion team")))
    assert book["Data"]["A2"].value == (
        "This worksheet contains one table. The Cover gives the filters, source and date."
    )
    notes = [text for _, text in book["Notes"].iter_rows(min_row=4, values_only=True)]
    assert notes == [CAPTION.suppression, *CAPTION.notes]
    assert book["Cover"]["A"][-1].hyperlink is None  # a team's name is not an address


def test_the_contact_is_read_from_inclusion_contact(monkeypatch):
    monkeypatch.setenv("INCLUSION_CONTACT", "inclusion.data@example.gov.uk")
    assert Config().contact == "inclusion.data@example.gov.uk"
    monkeypatch.delenv("INCLUSION_CONTACT")
    assert Config().contact == ""
