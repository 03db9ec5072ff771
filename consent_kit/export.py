"""Exports of responses as CSV and JSON, streamed and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from .survey import Survey

#: Cells starting with these can run as formulas in a spreadsheet (OWASP ASVS 1.2.10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")

BASE_COLUMNS = ("response_id", "submitted_at", "survey_version", "source", "language")


def neutralise(cell: str) -> str:
    """Put a ``'`` before text that a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


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


def response_row(survey: Survey, response) -> dict:
    """One response as a flat dict of column -> value (no contact details, ever)."""
    row = {
        "response_id": response.id,
        "submitted_at": response.submitted_at,
        "survey_version": response.survey_version,
        "source": response.source,
        "language": response.meta.get("language", ""),
    }
    for column in answer_columns(survey):
        row[column] = response.answers.get(column)
    return row


def csv_chunks(survey: Survey, responses: Iterable) -> Iterator[str]:
    """CSV text, a row at a time, with formula-looking cells neutralised."""
    columns = list(BASE_COLUMNS) + answer_columns(survey)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for response in responses:
        row = response_row(survey, response)
        writer.writerow([neutralise(flat_value(row[c])) for c in columns])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_chunks(survey: Survey, responses: Iterable) -> Iterator[str]:
    """A JSON document ``{"survey": …, "responses": [...]}``, one response at a time."""
    head = {"survey": survey.id, "title": survey.title}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "responses": ['
    for number, response in enumerate(responses):
        prefix = "," if number else ""
        yield prefix + "\n" + json.dumps(response_row(survey, response), ensure_ascii=False)
    yield "\n]}\n"
