"""A chart's table as CSV (exactly the page's table) or XLSX (the table, and a second sheet of notes)."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dashboard.exports.caption import Caption


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as the page shows it, suppressed cells as c, in UTF-8 with a byte-order mark for spreadsheets."""
    return table.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(table: pd.DataFrame, caption: Caption) -> bytes:
    """A workbook: 'Data' holds the table under its title; 'Notes' the filters, source, date and notes."""
    book = Workbook()
    data = book.active
    data.title = "Data"
    data.append([caption.title])
    data["A1"].font = Font(bold=True, size=13)
    data.append([str(c) for c in table.columns])
    for cell in data[2]:
        cell.font = Font(bold=True)
    for row in table.itertuples(index=False):
        data.append(["" if pd.isna(v) else v for v in row])
    for index, column in enumerate(table.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in table.iloc[:, index - 1]])
        data.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
    data.freeze_panes = "A3"
    notes = book.create_sheet("Notes")
    for label, text in caption.rows:
        notes.append([label, text])
        notes.cell(row=notes.max_row, column=1).font = Font(bold=True)
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
