"""Responses as a table for statistics programs: named, labelled variables and typed values.

Pure logic (no Flask), shared by the SPSS, Stata and R exports. One row per
response. A question with one answer from a list becomes one numeric variable
with value labels (codes from :mod:`consent_kit.results.codes`); a question
with several answers becomes one 0/1 variable per choice; numbers stay
numbers, dates are dates, words stay words. A missing answer is a
:class:`Missing` saying why: not asked (the survey skipped it, or the version
answered didn't have it), left blank, or "Prefer not to say". Each writer
turns that into its own kind of missing value.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from consent_kit.participation.flow import visible_pages, visible_questions
from consent_kit.results.codes import (
    LEFT_BLANK,
    MANY_OF,
    NOT_ASKED,
    ONE_OF,
    PREFERRED_NOT,
    VERSION_SURVEYS,
    code_for,
    codes_of,
)
from consent_kit.results.export import group_columns
from consent_kit.results.summary import group_of
from consent_kit.survey.model import PREFER_NOT_TO_SAY, Question, Survey

#: The longest variable name every format takes: Stata allows 32 characters, but a variable
#: with value labels names its label set after itself, and Stata (through readstat) takes
#: only 31 there (SPSS allows 64, R more). Hypothesis found a 28-letter date question whose
#: "<id>_why" variable was refused.
MAX_NAME = 31
#: Words SPSS, Stata or R keep for themselves: never a variable name.
RESERVED = {
    "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",  # SPSS
    "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long",
    "_n", "_pi", "_pred", "_rc", "_skip", "strl", "using",  # Stata
    "else", "repeat", "while", "function", "for", "next", "break", "true", "false", "null",
    "inf", "nan", "na",  # R
}

NUMERIC, TEXT, DATE, DATETIME = "numeric", "text", "date", "datetime"


@dataclass(frozen=True)
class Missing:
    """A missing answer and why: one of the codes in :data:`consent_kit.results.codes.MISSING_KINDS`."""

    code: int


@dataclass
class Variable:
    """One column of the table: its safe ``name``, ``label`` (the wording) and ``kind``."""

    name: str
    label: str
    kind: str
    #: Code -> label for coded answers (0/1 variables: ticked or not).
    value_labels: dict[int, str] = field(default_factory=dict)
    #: Whether missing answers carry a :class:`Missing` reason (answers do; "about" columns don't).
    answer: bool = True
    #: The question and, for a 0/1 variable, the choice value it stands for.
    question: str = ""
    choice: str | None = None
    #: For "about" columns: the column's own name before it was made safe.
    key: str = ""


def safe_names(wanted: Iterable[str]) -> list[str]:
    """Variable names valid in SPSS, Stata and R: a letter first, then letters, digits and ``_``.

    At most 31 characters (see :data:`MAX_NAME`), never a reserved word, and unique even when case
    is ignored (SPSS ignores it): a clash gets ``_2``, ``_3``... at the end.
    """
    names, taken = [], set()
    for word in wanted:
        base = re.sub(r"[^A-Za-z0-9_]", "_", str(word)).strip("_") or "v"
        if not base[0].isalpha():
            base = "v" + base
        if base.lower() in RESERVED:
            base += "_"
        name, number = base[:MAX_NAME], 1
        while name.lower() in taken:
            number += 1
            suffix = f"_{number}"
            name = base[:MAX_NAME - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def derived_name(question_id: str, suffix: str) -> str:
    """A question's own variable name plus ``suffix`` (``_2``, ``_why``), within :data:`MAX_NAME`.

    The question's id is cut, never the suffix: a long id's choices stay ``<id>_1``, ``<id>_2``
    instead of all being cut to the same 31 letters (Hypothesis found a 30-letter id whose
    ``_1`` was lost).
    """
    return question_id[:MAX_NAME - len(suffix)] + suffix


def build_variables(survey: Survey, groups: list) -> list[Variable]:
    """Every variable of the table, in order: about the answers, groups, then the questions."""
    about = [Variable("response_id", "A random code for one person's answers", TEXT, answer=False),
             Variable("submitted_at", "When the answers were sent (UTC)", DATETIME, answer=False),
             Variable("version", "Version of the survey answered: 1 for the first, then 2, 3...",
                      NUMERIC, answer=False),
             Variable("survey_version", "The code of that version", TEXT, answer=False),
             Variable("source", "Where people came from: empty for the plain link, paper, or a QR code",
                      TEXT, answer=False),
             Variable("language", "The language the survey was answered in", TEXT, answer=False)]
    about += [Variable(name, str(breakdown.label), TEXT, answer=False) for name, breakdown in groups]
    for variable in about:
        variable.key = variable.name
    codes = codes_of(survey)
    for question in survey.questions:
        if question.type != "info":
            about += _question_variables(question, codes.get(question.id, {}))
    for variable, name in zip(about, safe_names(v.name for v in about), strict=True):
        variable.name = name
    return about


def _question_variables(question: Question, codes: dict) -> list[Variable]:
    words = str(question.label)
    if question.type in MANY_OF:
        return [Variable(derived_name(question.id, f"_{code}"), f"{words}: {label}", NUMERIC,
                         {1: "Ticked", 0: "Not ticked"}, question=question.id, choice=value)
                for value, (code, label) in sorted(codes.items(), key=lambda item: item[1][0])]
    if question.type in ONE_OF or codes:
        labels = {code: label for code, label in codes.values()}
        return [Variable(question.id, words, NUMERIC, labels, question=question.id)]
    if question.type == "number":
        return [Variable(question.id, words, NUMERIC, question=question.id)]
    if question.type == "date":
        return [Variable(question.id, words, DATE, question=question.id),
                Variable(derived_name(question.id, "_why"), f"Why {question.id} has no date", NUMERIC,
                         {0: "Answered"}, question=question.id, choice="")]
    return [Variable(question.id, words, TEXT, question=question.id)]


def build_rows(survey: Survey, variables: list[Variable], responses: Iterable,
               groups: list) -> Iterable[list]:
    """Each response as a list of values, one per variable (a :class:`Missing` where none)."""
    codes = codes_of(survey)
    questions = {q.id: q for q in survey.questions}
    versions = survey.extra.get(VERSION_SURVEYS, {})
    numbers = survey.extra.get("version_numbers", {})  # results.versions.VERSION_NUMBERS
    for response in responses:
        answered = versions.get(response.survey_version, survey)
        shown = _shown(answered, response.answers)
        about = {"response_id": response.id, "submitted_at": _when(response.submitted_at),
                 "version": numbers.get(response.survey_version),
                 "survey_version": response.survey_version, "source": response.source,
                 "language": response.meta.get("language", "")}
        about.update({name: group_of(breakdown, response) for name, breakdown in groups})
        row = []
        for variable in variables:
            if not variable.answer:
                row.append(about.get(variable.key))
                continue
            question = questions[variable.question]
            row.append(_value(question, variable, response.answers, shown,
                              codes.get(question.id, {})))
        yield row


def _shown(answered: Survey, answers: dict) -> set[str]:
    return {q.id for page in visible_pages(answered, answers)
            for q in visible_questions(page, answers)}


def _value(question: Question, variable: Variable, answers: dict, shown: set[str], codes: dict):
    answer = answers.get(question.id)
    why = _why_missing(question.id, answer, shown)
    if variable.choice == "":  # a date's "why" companion
        return Missing(why) if why is not None else 0
    if why is not None:
        return Missing(why)
    if variable.choice is not None:
        ticked = answer if isinstance(answer, list) else [answer]
        return 1 if variable.choice in [str(a) for a in ticked] else 0
    if variable.kind == NUMERIC and variable.value_labels:
        return code_for(codes, answer)
    if variable.kind == NUMERIC:
        try:
            return float(answer)
        except (TypeError, ValueError):
            return None
    if variable.kind == DATE:
        return _date(answer)
    return "; ".join(str(a) for a in answer) if isinstance(answer, list) else str(answer)


def _why_missing(question_id: str, answer, shown: set[str]) -> int | None:
    if answer == PREFER_NOT_TO_SAY or answer == [PREFER_NOT_TO_SAY]:
        return PREFERRED_NOT
    if answer not in (None, "", []):
        return None
    return LEFT_BLANK if question_id in shown else NOT_ASKED


def _date(text) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        return None


def _when(text: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def table(survey: Survey, responses: Iterable, breakdowns: Iterable = ()
          ) -> tuple[list[Variable], list[list]]:
    """The variables and every response's row (statistics files are written whole)."""
    groups = group_columns(survey, breakdowns)
    variables = build_variables(survey, groups)
    return variables, list(build_rows(survey, variables, responses, groups))
