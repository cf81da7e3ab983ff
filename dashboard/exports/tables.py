"""A chart's table as CSV (exactly the page's table) or XLSX laid out as statistics offices publish spreadsheets."""

from __future__ import annotations

import io
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.exports.caption import SYNTHETIC_WARNING, Caption

# What a status column's symbol says about the blank figure beside it: a short name, then why. The page's own ways
# of showing no figure (a blank, a dash, "no data") all become x, so a workbook has one symbol for each meaning.
STATUS_MEANINGS = {
    "c": ("suppressed", "hidden so that no child can be identified; note 1 gives the rule"),
    "low": ("rounds to zero", "as the source gives it: a positive number that rounds to zero"),
    "u": ("low reliability", "as the source marks it of low reliability"),
    "x": ("not available", "as the page gives no figure there; the other notes say why where the page does"),
    "z": ("not applicable", "as the source marks it not applicable"),
}
NO_FIGURE = ("", "-", "\u2013", "\u2014", "no data")  # blank, hyphen, en dash, em dash, the page's words
STATUS_OF = {**{symbol: symbol for symbol in STATUS_MEANINGS}, **{shown: "x" for shown in NO_FIGURE}}
NO_CONTACT = "No contact is set for this dashboard: the local authority running it sets one in INCLUSION_CONTACT."
TEXT_FORMAT = "@"  # the number format of a status column: its symbols are text, never figures

# A figure as the page prints it: an optional minus (hyphen or the typographic one), digits grouped by commas in
# threes or not at all, and optional decimals. "1,00" does not match, so a column holding it stays text.
NUMBER = r"[-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
PLAIN = re.compile(rf"({NUMBER})")
PERCENT = re.compile(rf"({NUMBER})%")
COUNT_AND_SHARE = re.compile(rf"({NUMBER}) \(({NUMBER})%\)")
INTERVAL = re.compile(rf"({NUMBER}) to ({NUMBER})")


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as the page shows it, suppressed cells as c, in UTF-8 with a byte-order mark for spreadsheets."""
    return table.to_csv(index=False).encode("utf-8-sig")


def tidy_table(display: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The page's table of display text as a table of one kind per column, and each numeric column's number format.

    Each column is classified from all its cells. Cells that are a status symbol (c, x, z, low, u) or show no figure
    (blank, "-", an en or em dash, "no data") are set aside; if every other cell, and at least one, parses as the
    same kind, the column is split:

    - numbers ("1,006", "8.73"): the column of numbers, in the number format the page shows (#,##0 or 0.00);
    - percentages ("22.2%"): numbers in a column whose header ends "(%)", e.g. 22.2 formatted 0.0;
    - count and share ("272 (22.2%)", or a bare count where the page gives no share): "<col>: count" and
      "<col>: share (%)";
    - intervals ("8.20 to 9.29"): "<col>: lower" and "<col>: upper".

    Otherwise, or if any cell fails to parse, the column stays text as the page shows it: place names and verdicts
    such as "Worse than the borough" or "Worsening (p < 0.001)" are never guessed to be figures.

    Where a figure is hidden or missing its cell is blank (None) and a status column beside it holds the symbol,
    the page's ways of showing no figure becoming x. Status columns appear only for a figure that is blank in some
    row: "<col>: status" after a number, a percentage or an interval (whose ends are always shown or hidden
    together), and "<col>: count status" and "<col>: share status" after a count and share, since a share can be
    missing where its count is shown. Status columns have the text format "@"; text columns have no format.
    A blank header becomes "Column N", as Excel names a table's unnamed columns.
    """
    columns: dict[str, list] = {}
    formats: dict[str, str] = {}

    def add(name: str, values: list, number_format: str | None) -> None:
        while name in columns:  # a table's headers must differ: a derived name may meet one of the page's
            name += " (again)"
        columns[name] = values
        if number_format:
            formats[name] = number_format

    def add_status(name: str, statuses: list[str]) -> None:
        if any(statuses):
            add(name, [status or None for status in statuses], TEXT_FORMAT)

    for position in range(display.shape[1]):
        header = str(display.columns[position]).strip() or f"Column {position + 1}"
        cells = [_cell_text(value) for value in display.iloc[:, position]]
        figures = [cell for cell in cells if cell not in STATUS_OF]
        statuses = [STATUS_OF.get(cell, "") for cell in cells]
        kind = _kind(figures)
        if kind is PLAIN:
            add(header, [_figure(cell) for cell in cells], _number_format(figures))
            add_status(f"{header}: status", statuses)
        elif kind is PERCENT:
            shares = [_parts(PERCENT, cell) for cell in cells]
            name = header if header.endswith("(%)") else f"{header} (%)"
            add(name, [_figure(share[0]) if share else None for share in shares], _number_format(_ends(shares, 0)))
            add_status(f"{header}: status", statuses)
        elif kind is COUNT_AND_SHARE:
            pairs = [_parts(COUNT_AND_SHARE, cell) or _parts(PLAIN, cell) for cell in cells]
            counts = [pair[0] if pair else "" for pair in pairs]
            shares = [pair[1] if pair and len(pair) > 1 else "" for pair in pairs]
            add(f"{header}: count", [_figure(count) for count in counts], _number_format([c for c in counts if c]))
            add_status(f"{header}: count status", statuses)
            add(f"{header}: share (%)", [_figure(share) for share in shares], _number_format([s for s in shares if s]))
            # The page gives no share beside a bare count (a total's row, or a whole that is hidden): x, not available.
            add_status(
                f"{header}: share status", [status or ("" if share else "x") for status, share in zip(statuses, shares)]
            )
        elif kind is INTERVAL:
            ends = [_parts(INTERVAL, cell) for cell in cells]
            number_format = _number_format(_ends(ends, 0) + _ends(ends, 1))
            add(f"{header}: lower", [_figure(end[0]) if end else None for end in ends], number_format)
            add(f"{header}: upper", [_figure(end[1]) if end else None for end in ends], number_format)
            add_status(f"{header}: status", statuses)
        else:
            add(header, [cell or None for cell in cells], None)
    tidy = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in columns.items()})
    return tidy, formats


def _cell_text(value: object) -> str:
    """A display cell as trimmed text; a missing value is blank, as the page shows it."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def _kind(figures: list[str]) -> re.Pattern | None:
    """The one pattern every figure of a column matches, or None (text) if there is no figure or one fails."""
    if not figures:
        return None
    for pattern in (PLAIN, PERCENT, INTERVAL):
        if all(pattern.fullmatch(cell) for cell in figures):
            return pattern
    # A count's share is missing where its whole is hidden, so bare counts may stand among counts with shares.
    if all(COUNT_AND_SHARE.fullmatch(cell) or PLAIN.fullmatch(cell) for cell in figures):
        return COUNT_AND_SHARE
    return None


def _parts(pattern: re.Pattern, cell: str) -> tuple[str, ...] | None:
    """The numbers a cell holds in the pattern's groups, as text, or None where the cell is not a figure."""
    found = pattern.fullmatch(cell)
    return found.groups() if found else None


def _ends(parts: list[tuple[str, ...] | None], index: int) -> list[str]:
    """The index-th number of every cell that has one."""
    return [part[index] for part in parts if part]


def _figure(text: str | None) -> int | float | None:
    """'1,006' -> 1006, '8.73' -> 8.73, '−2.5' -> -2.5; None for no figure (a status symbol or a blank)."""
    if not text or not PLAIN.fullmatch(text):
        return None
    plain = text.replace(",", "").replace("\u2212", "-")
    return float(plain) if "." in plain else int(plain)


def _number_format(figures: list[str]) -> str:
    """The Excel number format that prints these figures as the page does: its decimals, and thousands separators
    where counts have them or a decimal figure was printed with them."""
    decimals = max((len(text.split(".")[1]) for text in figures if "." in text), default=0)
    if decimals == 0:
        return "#,##0"
    grouped = any("," in text for text in figures)
    return ("#,##0." if grouped else "0.") + "0" * decimals


def xlsx_bytes(table: pd.DataFrame, caption: Caption, contact: str = "") -> bytes:
    """A workbook as the GSS guidance on releasing statistics in spreadsheets lays one out: a Cover (title,
    contents, filters, source and licence, date and version, contact), numbered Notes, and the Data as one Excel
    table of numbers with status columns, never a merged cell."""
    tidy, formats = tidy_table(table)
    symbols = [
        symbol
        for symbol in STATUS_MEANINGS
        if any(symbol in tidy[name].tolist() for name, form in formats.items() if form == TEXT_FORMAT)
    ]
    book = Workbook()
    book.properties.title = caption.title
    book.properties.language = "en-GB"
    cover = book.active
    cover.title = "Cover"
    _write_cover(cover, caption, contact)
    _write_notes(book.create_sheet("Notes"), caption, symbols)
    _write_data(book.create_sheet("Data"), tidy, formats, caption.title, symbols)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_cover(sheet: Worksheet, caption: Caption, contact: str) -> None:
    """Everything in column A, a heading above each part, so a screen reader reads it top to bottom."""
    contents = [
        "Notes: numbered notes on the table, with the rule on small numbers and what each status symbol means.",
        "Data: the table, figures as numbers; where a figure is hidden or missing its cell is blank and a status "
        "column beside it gives the symbol.",
    ]
    sections = [("This workbook", contents)]
    if caption.synthetic:
        sections.append(("Warning", [SYNTHETIC_WARNING]))
    sections += [
        ("Filters", [_without_label(caption.filters, "Filters: ")]),
        ("Source and licence", [_without_label(caption.source, "Source: ")]),
        ("Data version and date", [caption.traced]),
        ("Contact", [contact or NO_CONTACT]),
    ]
    sheet.append([caption.title])
    sheet["A1"].font = Font(bold=True, size=14)
    for heading, lines in sections:
        sheet.append([heading])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
        for line in lines:
            sheet.append([line])
    if contact and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", contact):
        sheet.cell(row=sheet.max_row, column=1).hyperlink = f"mailto:{contact}"
    sheet.column_dimensions["A"].width = 120


def _write_notes(sheet: Worksheet, caption: Caption, symbols: list[str]) -> None:
    """A title, a line on what the sheet holds, then one Excel table of numbered notes."""
    notes = [caption.suppression]
    notes += [
        f"{symbol} in a status column ({STATUS_MEANINGS[symbol][0]}): the figure beside it is blank, "
        f"{STATUS_MEANINGS[symbol][1]}."
        for symbol in symbols
    ]
    notes += caption.notes
    sheet.append(["Notes"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["This worksheet contains one table of notes, numbered; note 1 is the rule on small numbers."])
    sheet.append(["Note number", "Note text"])
    for number, note in enumerate(notes, start=1):
        sheet.append([number, note])
    _as_table(sheet, "Notes_table", columns=2, rows=len(notes))
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 120
    for (cell,) in sheet.iter_rows(min_row=4, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _write_data(sheet: Worksheet, tidy: pd.DataFrame, formats: dict[str, str], title: str, symbols: list[str]) -> None:
    """The title in A1, a line on what the sheet holds in A2, and the table as an Excel table from A3."""
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    meanings = "; ".join(f"{symbol} = {STATUS_MEANINGS[symbol][0]}" for symbol in symbols)
    status_line = f" Status symbols: {meanings} (the Notes worksheet says more)." if symbols else ""
    sheet.append([f"This worksheet contains one table.{status_line} The Cover gives the filters, source and date."])
    sheet.append([str(name) for name in tidy.columns])
    for row in tidy.itertuples(index=False):
        sheet.append(list(row))
    for index, name in enumerate(tidy.columns, start=1):
        if name in formats:
            for (cell,) in sheet.iter_rows(min_row=4, min_col=index, max_col=index):
                cell.number_format = formats[name]
        longest = max([len(str(value)) for value in tidy[name] if value is not None] + [6])
        # The header wraps rather than widening a column of short figures; +4 leaves room for the filter button.
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(longest + 2, min(len(name), 24) + 4))
    for cell in sheet[3]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _as_table(sheet, table_name(title), columns=tidy.shape[1], rows=len(tidy))
    sheet.freeze_panes = "A4"


def _as_table(sheet: Worksheet, name: str, columns: int, rows: int) -> None:
    """Mark the header at row 3 and the rows below it as one Excel table, with a style and a filter button."""
    # A table needs a row under its header, so an empty one covers a blank row.
    ref = f"A3:{get_column_letter(columns)}{3 + max(rows, 1)}"
    table = Table(displayName=name, ref=ref, autoFilter=AutoFilter(ref=ref))
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    sheet.add_table(table)


def table_name(title: str) -> str:
    """An Excel table name from a title: letters, digits and underscores, starting with a letter and never readable
    as a cell reference ('Persistent absence by locality, 2024/25' -> 'Persistent_absence_by_locality_2024_25')."""
    name = re.sub(r"\W+", "_", title, flags=re.ASCII).strip("_")[:200]
    if not name or not name[0].isalpha() or re.fullmatch(r"[A-Za-z]{1,3}\d+|[RrCc]\d*|[Rr]\d*[Cc]\d*", name):
        name = f"Table_{name}"
    return name


def _without_label(text: str, label: str) -> str:
    """The text without the label its heading already gives: 'Filters: X' under the heading Filters is X."""
    return text[len(label) :] if text.startswith(label) else text
