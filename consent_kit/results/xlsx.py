"""Exports as an Excel workbook (XlsxWriter, ``constant_memory``), streamed one response at a time.

XlsxWriter's constant-memory mode writes each row to a temporary file as soon
as the next row starts, so memory stays flat however many responses there
are, and it is several times faster than openpyxl's write-only mode (see
``benchmarks/``). The workbook has the "Answers" sheet and "About the
questions" (the data dictionary).

A sheet holds at most 1,048,576 rows (Excel's limit). Past it, the answers go
on in "Answers 2", "Answers 3", … with the column names again at the top of
each, so nothing is cut off and each sheet opens on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from consent_kit.plugin_calls import Breakdown
from consent_kit.results.dictionary import DICTIONARY_COLUMNS, dictionary_rows
from consent_kit.results.export import export_columns, group_columns, response_row
from consent_kit.survey.model import Survey

ANSWERS_SHEET = "Answers"
DICTIONARY_SHEET = "About the questions"
#: Rows in one sheet, the column names included (Excel's own limit).
MAX_ROWS = 1_048_576
#: Control characters a workbook can't hold (the same as openpyxl's ILLEGAL_CHARACTERS_RE).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def cell_value(value):
    """An answer as one spreadsheet cell: numbers stay numbers, lists are joined with "; "."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    # Characters a workbook can't hold (control characters) would stop the whole export.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def sheet_name(number: int) -> str:
    """The name of the ``number``-th answers sheet (1: "Answers", 2: "Answers 2", …)."""
    return ANSWERS_SHEET if number == 1 else f"{ANSWERS_SHEET} {number}"


class _Sheets:
    """Writes rows into "Answers", starting a new sheet when one is full."""

    def __init__(self, book, columns: list[str], bold, max_rows: int):
        self.book, self.columns, self.bold, self.max_rows = book, columns, bold, max_rows
        self.number, self.sheet, self.row = 0, None, 0
        self._next_sheet()

    def _next_sheet(self) -> None:
        self.number += 1
        self.sheet = self.book.add_worksheet(sheet_name(self.number))
        self.sheet.freeze_panes(1, 1)
        write_row(self.sheet, 0, self.columns, self.bold)
        self.row = 1

    def append(self, values: list) -> None:
        """Write one row of values, on a new sheet when this one is full."""
        if self.row >= self.max_rows:
            self._next_sheet()
        write_row(self.sheet, self.row, values)
        self.row += 1


def write_row(sheet, row: int, values: Iterable, cell_format=None) -> None:
    """Write one row: numbers as numbers, everything else as text (never a formula)."""
    for col, value in enumerate(values):
        value = cell_value(value)
        if value is None:
            continue
        if isinstance(value, int | float):
            sheet.write_number(row, col, value, cell_format)
        else:
            # Always text: "=SUM(...)" typed by someone stays words (ASVS 1.2.10).
            sheet.write_string(row, col, value, cell_format)


def write_xlsx(survey: Survey, responses: Iterable, out, breakdowns: Iterable[Breakdown] = (),
               *, max_rows: int = MAX_ROWS) -> None:
    """Write the responses and the data dictionary as an .xlsx workbook to binary file ``out``.

    ``max_rows`` (rows per answers sheet, the column names included) is
    Excel's limit; tests pass a small one to see the next sheet start.
    """
    import xlsxwriter  # here, not at start-up: only an Excel export needs it

    book = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_numbers": False,
                                     "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    groups = group_columns(survey, breakdowns)
    columns = export_columns(survey, groups)
    answers = _Sheets(book, columns, bold, max_rows)
    for response in responses:
        row = response_row(survey, response, groups)
        answers.append([row[c] for c in columns])
    about = book.add_worksheet(DICTIONARY_SHEET)
    write_row(about, 0, DICTIONARY_COLUMNS, bold)
    for number, row in enumerate(dictionary_rows(survey, groups), start=1):
        write_row(about, number, [row[c] for c in DICTIONARY_COLUMNS])
    book.close()
