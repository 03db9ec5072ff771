"""The data dictionary: what each column of an export means, and the answers a question allows.

Pure logic (no Flask), shared by the exporters and the results pages. One row
per column, or per allowed answer of a question with a list of answers, so
that a spreadsheet or a statistics program can turn stored values (``a-lot``)
back into the words people saw ("Yes, a lot"). An earlier answer in a
question's words is written "[answer to club]", as in every export.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from consent_kit.survey.model import PREFER_NOT_TO_SAY, Choice, Question, Survey
from consent_kit.survey.piping import stand_in

#: The columns of a data dictionary, in order.
DICTIONARY_COLUMNS = (
    "column", "question", "type", "value", "value_label", "code", "missing_codes", "required",
    "shown_only_if",
    "version", "survey_version",
)

#: What the columns every export starts with hold (question text for the dictionary).
BASE_COLUMN_WORDS = {
    "response_id": "A random code for one person's answers (not their name).",
    "submitted_at": "When the answers were sent (UTC, year-month-day and time).",
    "version": "Which version of the survey was answered: 1 for the first one published, then 2, 3...",
    "survey_version": "The code of that version (it changes when the wording does).",
    "source": "Where people came from: empty for the plain link, 'paper', or a QR code's name.",
    "language": "The language the survey was answered in (a code such as 'en').",
}

#: ``Survey.extra`` key: question id -> the version whose wording describes it (default: the survey's).
QUESTION_VERSIONS = "question_versions"

#: The stored value and label of "Prefer not to say".
PREFER_NOT_TO_SAY_CHOICE = Choice(PREFER_NOT_TO_SAY, "Prefer not to say")


def scale_points(question: Question) -> list[int]:
    """The numbers on a scale question, lowest first (1 to 5 unless the survey says)."""
    return list(range(question.options.get("min", 1), question.options.get("max", 5) + 1))


def answer_choices(question: Question, *, prefer_not_to_say: Choice = PREFER_NOT_TO_SAY_CHOICE
                   ) -> tuple[Choice, ...]:
    """The answers a question offers as a list: its choices, yes/no, or a scale's points.

    Empty for questions answered in people's own words (text, numbers, dates).
    """
    if question.choices:
        found = tuple(question.choices)
    elif question.type == "yes_no":
        found = (Choice("yes", "Yes"), Choice("no", "No"))
    elif question.type == "scale":
        ends = {question.options.get("min", 1): question.options.get("min_label", ""),
                question.options.get("max", 5): question.options.get("max_label", "")}
        found = tuple(Choice(str(n), f"{n} ({ends[n]})" if ends.get(n) else str(n))
                      for n in scale_points(question))
    else:
        return ()
    return found + ((prefer_not_to_say,) if question.prefer_not_to_say else ())


def _condition_words(question: Question, page=None) -> str:
    """The question's own condition and its page's: a question on a skipped page is skipped."""
    found = []
    for condition, prefix in ((getattr(page, "show_if", None), "page: "),
                              (question.show_if, "")):
        if condition is not None:
            found.append(f"{prefix}{condition.question} {condition.operator} {condition.value}")
    return "; ".join(found)


def dictionary_rows(survey: Survey, groups: Iterable[tuple[str, Any]] = ()) -> Iterator[dict]:
    """One dict per column (and per allowed answer), keyed by :data:`DICTIONARY_COLUMNS`.

    ``groups`` are ``(column, breakdown)`` pairs for the plugins' group columns.
    """
    numbers = survey.extra.get("version_numbers", {})  # results.versions.VERSION_NUMBERS
    blank = {**dict.fromkeys(DICTIONARY_COLUMNS, ""), "survey_version": survey.version,
             "version": numbers.get(survey.version, "")}
    for column, words in BASE_COLUMN_WORDS.items():
        yield {**blank, "column": column, "question": words, "type": "about the answers",
               "required": "yes"}
    for column, breakdown in groups:
        yield {**blank, "column": column, "question": breakdown.label, "type": "group",
               "required": "no"}
    versions = survey.extra.get(QUESTION_VERSIONS, {})
    for page, question in ((p, q) for p in survey.pages for q in p.questions):
        if question.type == "info":
            continue
        code = versions.get(question.id, survey.version)
        common = {**blank, "column": question.id, "question": stand_in(question.label),
                  "type": question.type, "required": "yes" if question.required else "no",
                  "shown_only_if": _condition_words(question, page),
                  "version": numbers.get(code, ""), "survey_version": code}
        from consent_kit.results.codes import coded_rows  # numeric codes for SPSS, Stata, R

        yield from coded_rows(survey, question, common)
