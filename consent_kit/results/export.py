"""Exports of responses as CSV and JSON, streamed and safe to open in a spreadsheet.

Exports never hold every response in memory: each format takes an iterator
of responses and writes them one at a time. They hold only the columns
below (answers and where people came from), never contact or payment details.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import re
from collections.abc import Iterable, Iterator

from consent_kit.plugin_calls import Breakdown
from consent_kit.results.dictionary import DICTIONARY_COLUMNS, dictionary_rows
from consent_kit.results.summary import group_of
from consent_kit.results.versions import VERSION_NUMBERS
from consent_kit.survey.model import Survey

#: Cells starting with these can run as formulas in a spreadsheet (OWASP ASVS 1.2.10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")

_FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each is one character

BASE_COLUMNS = ("response_id", "submitted_at", "version", "survey_version", "source", "language")


#: Rows of CSV text handed on at once.
CSV_BATCH_ROWS = 200

#: Text a spreadsheet reads as a plain number ("-5", "+3.5", "1e-3"): nothing to run.
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def neutralise(cell: str) -> str:
    """Put a ``'`` before text that a spreadsheet would run as a formula, never before a number.

    ``-5`` stays ``-5`` (issue 23 item 14): a minus sign starts a number as
    well as a formula, and a number runs nothing.
    """
    if not cell.startswith(FORMULA_STARTS) or NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


def answer_columns(survey: Survey) -> list[str]:
    """One column per question that takes an answer, in survey order."""
    return [q.id for q in survey.questions if q.type != "info"]


def flat_value(value) -> str:
    """An answer as one cell: lists joined with "; ", nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def group_columns(survey: Survey, breakdowns: Iterable[Breakdown] = ()) -> list[tuple[str, Breakdown]]:
    """A column per plugin breakdown: its id, or ``<id>_group`` when that name is taken.

    A QR plugin's "source" breakdown becomes ``source_group`` ("Library poster")
    beside the stored ``source`` code.
    """
    taken = set(BASE_COLUMNS) | set(answer_columns(survey))
    found = []
    for breakdown in breakdowns:
        name = breakdown.id if breakdown.id not in taken else f"{breakdown.id}_group"
        taken.add(name)
        found.append((name, breakdown))
    return found


def export_columns(survey: Survey, groups: list[tuple[str, Breakdown]] = ()) -> list[str]:
    """Every column of an export, in order: about the answers, the groups, then the answers."""
    return list(BASE_COLUMNS) + [name for name, _ in groups] + answer_columns(survey)


class RowMaker:
    """Makes export rows as lists in :func:`export_columns` order, fast (the columns are worked out once).

    What a million-answer export spends most of its time in, so it avoids a dict per row.
    """

    def __init__(self, survey: Survey, groups: list[tuple[str, Breakdown]] = ()):
        self.columns = export_columns(survey, groups)
        self.answer_ids = answer_columns(survey)
        self.numbers = survey.extra.get(VERSION_NUMBERS, {})
        self.breakdowns = [breakdown for _, breakdown in groups]

    def __call__(self, response) -> list:
        """One response's cells (no contact details, ever)."""
        return [response.id, response.submitted_at, self.numbers.get(response.survey_version, ""),
                response.survey_version, response.source, response.meta.get("language", ""),
                *[group_of(b, response) for b in self.breakdowns],
                *map(response.answers.get, self.answer_ids)]


def csv_cell(value) -> str:
    """:func:`neutralise` of :func:`flat_value`, with a quick way through for plain text and whole numbers."""
    kind = type(value)
    if kind is str:
        return neutralise(value) if value[:1] in _FORMULA_FIRST else value
    if kind is int:
        return str(value)  # a whole number is never a formula ("-5" stays -5)
    return neutralise(flat_value(value))


def response_row(survey: Survey, response, groups: list[tuple[str, Breakdown]] = ()) -> dict:
    """One response as a flat dict of column -> value (no contact details, ever)."""
    row = {
        "response_id": response.id,
        "submitted_at": response.submitted_at,
        "version": survey.extra.get(VERSION_NUMBERS, {}).get(response.survey_version, ""),
        "survey_version": response.survey_version,
        "source": response.source,
        "language": response.meta.get("language", ""),
    }
    for name, breakdown in groups:
        row[name] = group_of(breakdown, response)
    for column in answer_columns(survey):
        row[column] = response.answers.get(column)
    return row


def csv_chunks(survey: Survey, responses: Iterable, breakdowns: Iterable[Breakdown] = ()
               ) -> Iterator[str]:
    """CSV text, a few hundred rows at a time, with formula-looking cells neutralised."""
    row_of = RowMaker(survey, group_columns(survey, breakdowns))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(row_of.columns)
    first = _FORMULA_FIRST
    for number, response in enumerate(responses, start=1):
        # Without a call: plain text that can't start a formula (most cells), and whole numbers
        # and empty answers, which the csv module writes itself (str(n), and "" for None).
        writer.writerow([value if (kind := type(value)) is str and value[:1] not in first
                         or kind is int or value is None else csv_cell(value)
                         for value in row_of(response)])
        if number % CSV_BATCH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(survey: Survey, responses: Iterable, breakdowns: Iterable[Breakdown] = ()
                ) -> Iterator[str]:
    """A JSON document ``{"survey": …, "questions": [...], "responses": [...]}``, streamed.

    ``questions`` is the data dictionary, so the file explains itself.
    """
    groups = group_columns(survey, breakdowns)
    head = {"survey": survey.id, "title": survey.title, "version": survey.version,
            "questions": list(dictionary_rows(survey, groups))}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "responses": ['
    for number, response in enumerate(responses):
        prefix = "," if number else ""
        yield prefix + "\n" + json.dumps(response_row(survey, response, groups), ensure_ascii=False)
    yield "\n]}\n"


def dictionary_csv_chunks(survey: Survey, breakdowns: Iterable[Breakdown] = ()) -> Iterator[str]:
    """The data dictionary as CSV text, a row at a time (neutralised like the answers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(DICTIONARY_COLUMNS)
    for row in dictionary_rows(survey, group_columns(survey, breakdowns)):
        writer.writerow([neutralise(str(row[c])) for c in DICTIONARY_COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


class Counted:
    """Counts the responses an exporter takes while it streams them (for the audit log)."""

    def __init__(self, responses: Iterable):
        self.responses, self.count = responses, 0

    def __iter__(self) -> Iterator:
        for response in self.responses:
            self.count += 1
            yield response


def write_export(exporter, survey: Survey, responses: Iterable, out,
                 breakdowns: Iterable[Breakdown] = ()) -> None:
    """Call ``exporter.write``, passing ``breakdowns`` only to exporters that take them.

    Like a hook implementation, an exporter may take fewer arguments than the
    core offers: one written for ``write(survey, responses, out)`` keeps working.
    """
    try:
        takes = "breakdowns" in inspect.signature(exporter.write).parameters
    except (TypeError, ValueError):
        takes = False
    if takes:
        exporter.write(survey, responses, out, breakdowns=list(breakdowns))
    else:
        exporter.write(survey, responses, out)
