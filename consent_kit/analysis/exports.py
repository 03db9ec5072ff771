"""Coded answers out: CSV and Excel rows, and the REFI-QDA project (no Flask).

One row per answer and coder (plus a row for what the team agreed), with the
themes by name. Like the other exports, no contact details and nothing of
people who took their answers back (their codes went with their answers).
"""

from __future__ import annotations

import csv
import io

from consent_kit.analysis.coding import Coding
from consent_kit.analysis.qdpx import TEAM, CodedAnswer, qdpx

COLUMNS = ("question_id", "response_id", "answer", "coded_by", "themes", "memo")


def code_rows(survey, themes: list, answers: dict, coding: Coding):
    """Rows of (question, response, answer, who, themes by name, memo), question by question."""
    order = {t.id: i for i, t in enumerate(themes)}

    def named(ids) -> str:
        return "; ".join(names[t] for t in sorted(ids, key=lambda t: order.get(t, 0)) if t in names)

    names = {t.id: t.name for t in themes}
    for question_id, found in answers.items():
        codes = coding.all(survey.id, question_id)
        settled = coding.settled_for(survey.id, question_id)
        for answer in found:
            for doc in sorted((d for d in codes if d["response_id"] == answer.response_id),
                              key=lambda d: d["coder"]):
                yield (question_id, answer.response_id, answer.text, doc["coder"],
                       named(doc["themes"]), doc.get("memo", ""))
            if answer.response_id in settled:
                doc = settled[answer.response_id]
                yield (question_id, answer.response_id, answer.text, TEAM, named(doc["themes"]),
                       "agreed by " + ", ".join(doc["agreed_by"]))


def _safe(cell) -> str:
    text = str(cell)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def codes_csv(survey, themes: list, answers: dict, coding: Coding) -> str:
    """The coded answers as CSV (text that looks like a formula is kept as text)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in code_rows(survey, themes, answers, coding):
        writer.writerow([_safe(cell) for cell in row])
    return out.getvalue()


def codes_xlsx(survey, themes: list, answers: dict, coding: Coding) -> bytes:
    """The coded answers as an Excel workbook (cells stored as text, never as formulas)."""
    from openpyxl import Workbook  # here, not at start-up: only this download needs it

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Themes")
    sheet.append(list(COLUMNS))
    for row in code_rows(survey, themes, answers, coding):
        sheet.append([_safe(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def survey_qdpx(survey, themes: list, answers: dict, coding: Coding, created: str) -> bytes:
    """The survey's coded answers as a REFI-QDA project."""
    coded = []
    for question_id, found in answers.items():
        by_answer: dict[str, dict] = {}
        for doc in coding.all(survey.id, question_id):
            by_answer.setdefault(doc["response_id"], {})[doc["coder"]] = set(doc["themes"])
        for response_id, doc in coding.settled_for(survey.id, question_id).items():
            by_answer.setdefault(response_id, {})[TEAM] = set(doc["themes"])
        # One source per answer, not per person: a person's answers to two questions
        # would otherwise share a GUID and a file name in the .qdpx.
        coded += [CodedAnswer(f"{a.response_id}/{question_id}", a.text,
                              by_answer.get(a.response_id, {})) for a in found]
    return qdpx(survey.title, themes, coded, created)
