"""Exports as an Excel workbook, streamed one response at a time (see :mod:`.xlsx_stream`).

Rows go into the file as they come, so memory stays flat however many
responses there are. The workbook has the "Answers" sheet and "About the
questions" (the data dictionary).

A sheet holds at most 1,048,576 rows (Excel's limit). Past it, the answers go
on in "Answers 2", "Answers 3", … with the column names again at the top of
each, so nothing is cut off and each sheet opens on its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from consent_kit.plugin_calls import Breakdown
from consent_kit.results.dictionary import DICTIONARY_COLUMNS, dictionary_rows
from consent_kit.results.export import RowMaker, group_columns
from consent_kit.results.xlsx_stream import XlsxStream
from consent_kit.survey.model import Survey

ANSWERS_SHEET = "Answers"
DICTIONARY_SHEET = "About the questions"
#: Rows in one sheet, the column names included (Excel's own limit).
MAX_ROWS = 1_048_576


def cell_value(value):
    """An answer as one spreadsheet cell: numbers stay numbers, lists are joined with "; "."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    # Control characters a workbook can't hold are taken out as rows are written (xlsx_stream).
    return str(value)


def sheet_name(number: int) -> str:
    """The name of the ``number``-th answers sheet (1: "Answers", 2: "Answers 2", …)."""
    return ANSWERS_SHEET if number == 1 else f"{ANSWERS_SHEET} {number}"


class _Sheets:
    """Writes rows into "Answers", starting a new sheet when one is full."""

    def __init__(self, book: XlsxStream, columns: list[str], max_rows: int):
        self.book, self.columns, self.max_rows = book, columns, max_rows
        self.number, self.sheet = 0, None
        self._next_sheet()

    def _next_sheet(self) -> None:
        self.number += 1
        self.sheet = self.book.add_sheet(sheet_name(self.number), freeze=True)
        self.sheet.append(self.columns, bold=True)

    def append(self, values: list) -> None:
        """Write one row of values, on a new sheet when this one is full."""
        if self.sheet.rows >= self.max_rows:
            self._next_sheet()
        self.sheet.append([cell_value(value) for value in values])


def write_xlsx(survey: Survey, responses: Iterable, out, breakdowns: Iterable[Breakdown] = (),
               *, max_rows: int = MAX_ROWS) -> None:
    """Write the responses and the data dictionary as an .xlsx workbook to binary file ``out``.

    ``max_rows`` (rows per answers sheet, the column names included) is
    Excel's limit; tests pass a small one to see the next sheet start.
    """
    book = XlsxStream(out)
    groups = group_columns(survey, breakdowns)
    row_of = RowMaker(survey, groups)
    answers = _Sheets(book, row_of.columns, max_rows)
    for response in responses:
        answers.append(row_of(response))
    about = book.add_sheet(DICTIONARY_SHEET)
    about.append(DICTIONARY_COLUMNS, bold=True)
    for row in dictionary_rows(survey, groups):
        about.append([cell_value(row[c]) for c in DICTIONARY_COLUMNS])
    book.close()
