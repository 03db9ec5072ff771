"""Numeric codes for answers, the same in every version of a survey, and codes for missing answers.

Pure logic (no Flask). Statistics programs (SPSS, Stata, R) want numbers with
labels, not words. A choice gets its code the first time it appears in the
survey's history (the ``survey_versions`` table, oldest first): 1, 2, 3... in
the order of the choices, so a choice added in version 2 gets the next free
code and every earlier code stays as it was. Nothing is stored: the codes are
worked out again from the history each time, and always come out the same.

Scales use their own points as codes (1 to 5); yes/no is 1 for yes, 0 for no.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import replace

import yaml

from consent_kit.results.dictionary import answer_choices
from consent_kit.survey.model import PREFER_NOT_TO_SAY, Choice, Question, Survey, SurveyError

log = logging.getLogger(__name__)

#: ``Survey.extra`` key: question id -> {stored value: (code, label)}.
CHOICE_CODES = "choice_codes"
#: ``Survey.extra`` key: version code -> that version's :class:`Survey` (for who saw what).
VERSION_SURVEYS = "version_surveys"

#: Why an answer is missing, with its code in SPSS and R and its Stata missing value.
NOT_ASKED, LEFT_BLANK, PREFERRED_NOT = -97, -98, -99
MISSING_KINDS = (
    (NOT_ASKED, "a", "Not asked: the survey skipped it for this person, or their version didn't have it"),
    (LEFT_BLANK, "b", "Left blank"),
    (PREFERRED_NOT, "c", "Prefer not to say"),
)
MISSING_LABELS = {code: label for code, _, label in MISSING_KINDS}
STATA_MISSING = {code: letter for code, letter, _ in MISSING_KINDS}

#: Question types answered with one of a list (a coded variable) or several (0/1 variables).
ONE_OF = ("single_choice", "yes_no", "scale")
MANY_OF = ("multiple_choice",)
FIXED_CODES = {"yes_no": {"yes": 1, "no": 0}}


def load_history(rows: Iterable[dict], survey: Survey, question_types) -> list[Survey]:
    """Every stored version of ``survey`` that still loads, oldest first, then ``survey`` itself.

    ``rows`` are ``survey_versions`` documents; they are put in the order they
    were stored (their document id) so the codes never depend on how a store
    happens to list them.
    """
    from consent_kit.survey.load.survey_file import load_survey_text

    found, seen = [], set()
    ordered = sorted(rows, key=lambda row: getattr(row, "doc_id", 0))
    for row in ordered:
        version = row.get("version")
        if row.get("survey_id") != survey.id or version in seen or version == survey.version:
            continue
        seen.add(version)
        text = yaml.safe_dump(row.get("definition") or {}, allow_unicode=True)
        try:
            found.append(load_survey_text(text, path=f"version {version}",
                                          question_types=question_types, survey_id=survey.id))
        except SurveyError as error:  # a removed plugin's question type: skip, as exports do
            log.warning("Version %s of %r no longer loads; its choices get codes when seen: %s",
                        version, survey.id, error)
    return found + [survey]


def choice_codes(history: Iterable[Survey]) -> dict[str, dict[str, tuple[int, str]]]:
    """Question id -> {stored value: (code, label)}, codes given in order of first appearance.

    The label is the newest wording of the choice (the last version in ``history``
    that has it). "Prefer not to say" is not here: it is a missing-value code.
    """
    codes: dict[str, dict[str, tuple[int, str]]] = {}
    for survey in history:
        for question in survey.questions:
            if question.type not in ONE_OF + MANY_OF and not question.choices:
                continue
            known = codes.setdefault(question.id, {})
            for choice in answer_choices(question):
                if choice.value == PREFER_NOT_TO_SAY:
                    continue
                value = str(choice.value)
                code = known[value][0] if value in known else _new_code(question, choice, known)
                known[value] = (code, str(choice.label))
    return codes


def _new_code(question: Question, choice: Choice, known: dict) -> int:
    fixed = FIXED_CODES.get(question.type, {})
    if choice.value in fixed:
        return fixed[choice.value]
    if question.type == "scale":
        try:
            return int(choice.value)
        except ValueError:
            pass
    taken = {code for code, _ in known.values()} | set(fixed.values())
    return max((c for c in taken if c > 0), default=0) + 1


def code_for(codes: dict[str, tuple[int, str]], value) -> int | None:
    """The code of one stored answer, or None when it isn't one of the known choices."""
    found = codes.get(str(value))
    return found[0] if found else None


def with_codes(survey: Survey, history: list[Survey] | None = None) -> Survey:
    """``survey`` with its choice codes (and the versions' surveys) in ``extra``.

    Without a history, the codes come from ``survey`` alone: the same as a
    survey that has had only one version.
    """
    from consent_kit.results.export_versions import EARLIER_PAGE

    history = history or [survey]
    versions = {old.version: old for old in history}
    # People who answered this version never saw the questions only earlier versions asked.
    versions[survey.version] = replace(
        survey, pages=tuple(p for p in survey.pages if p.id != EARLIER_PAGE) or survey.pages)
    return replace(survey, extra={**survey.extra, CHOICE_CODES: choice_codes(history),
                                  VERSION_SURVEYS: versions})


def codes_of(survey: Survey) -> dict[str, dict[str, tuple[int, str]]]:
    """The choice codes kept by :func:`with_codes`, or worked out from ``survey`` alone."""
    return survey.extra.get(CHOICE_CODES) or choice_codes([survey])


def missing_codes_words() -> str:
    """The missing-value codes in words, for the data dictionary."""
    return "; ".join(f"{code} = {label}" for code, _, label in MISSING_KINDS)


def coded_rows(survey: Survey, question: Question, common: dict) -> Iterator[dict]:
    """A question's data-dictionary rows with its numeric ``code`` and ``missing_codes`` filled in.

    One row per allowed answer (``code`` is its number in SPSS, Stata and R),
    or one row for a question answered in people's own words.
    """
    known = codes_of(survey).get(question.id, {})
    common = {**common, "missing_codes": missing_codes_words()}
    choices = answer_choices(question)
    if not choices:
        yield common
    for choice in choices:
        if choice.value == PREFER_NOT_TO_SAY:
            code = PREFERRED_NOT
        else:
            code = code_for(known, choice.value)
        yield {**common, "value": choice.value, "value_label": choice.label,
               "code": "" if code is None else code}
