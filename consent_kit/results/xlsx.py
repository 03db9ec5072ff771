"""Exports as an Excel workbook (openpyxl, write-only), streamed one response at a time.

openpyxl's write-only mode writes each row to a temporary file as it comes,
so memory stays flat however many responses there are. The workbook has two
sheets: "Answers" and "About the questions" (the data dictionary).
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from consent_kit.plugin_calls import Breakdown
from consent_kit.results.dictionary import DICTIONARY_COLUMNS, dictionary_rows
from consent_kit.results.export import export_columns, group_columns, response_row
from consent_kit.survey.model import Survey

ANSWERS_SHEET = "Answers"
DICTIONARY_SHEET = "About the questions"


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


def _cell(sheet, value, *, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=cell_value(value))
    if isinstance(cell.value, str):
        # Always text, never a formula: "=SUM(...)" typed by someone stays words (ASVS 1.2.10).
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_xlsx(survey: Survey, responses: Iterable, out, breakdowns: Iterable[Breakdown] = ()
               ) -> None:
    """Write the responses and the data dictionary as an .xlsx workbook to binary file ``out``."""
    book = Workbook(write_only=True)
    answers = book.create_sheet(ANSWERS_SHEET)
    groups = group_columns(survey, breakdowns)
    columns = export_columns(survey, groups)
    answers.freeze_panes = "B2"
    answers.append([_cell(answers, c, bold=True) for c in columns])
    for response in responses:
        row = response_row(survey, response, groups)
        answers.append([_cell(answers, row[c]) for c in columns])
    about = book.create_sheet(DICTIONARY_SHEET)
    about.append([_cell(about, c, bold=True) for c in DICTIONARY_COLUMNS])
    for row in dictionary_rows(survey, groups):
        about.append([_cell(about, row[c]) for c in DICTIONARY_COLUMNS])
    book.save(out)
