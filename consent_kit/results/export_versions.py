"""Questions that earlier versions of a survey asked, so an export never drops their answers.

Pure logic (no Flask). A researcher may remove a question after people have
answered it. The catalog keeps every version's definition (the
``survey_versions`` table); an export adds a column for each question an
earlier version asked that the current one doesn't, and the data dictionary
says which version it comes from.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

import yaml

from consent_kit.results.dictionary import QUESTION_VERSIONS
from consent_kit.results.versions import VERSION_NUMBERS, version_numbers
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.survey.model import Page, Survey, SurveyError

log = logging.getLogger(__name__)

#: The page that holds the earlier versions' questions in an export's survey.
EARLIER_PAGE = "earlier-versions"


def with_earlier_questions(survey: Survey, stored: Iterable[dict], question_types) -> Survey:
    """``survey`` plus a page of the questions only earlier versions asked.

    ``stored`` are rows of the ``survey_versions`` table (``version``,
    ``survey_id``, ``definition``). A version that no longer loads (say, its
    question type's plugin was removed) is skipped and logged: the export still
    has every answer to the questions that do load.
    """
    known = {q.id for q in survey.questions}
    earlier, versions = [], {}
    for row in stored:
        if row.get("survey_id") != survey.id or row.get("version") == survey.version:
            continue
        for question in _questions_of(row, survey.id, question_types):
            if question.id not in known:
                known.add(question.id)
                earlier.append(question)
                versions[question.id] = row["version"]
    if not earlier:
        return survey
    page = Page(EARLIER_PAGE, "Asked in earlier versions", tuple(earlier))
    return replace(survey, pages=survey.pages + (page,),
                   extra={**survey.extra, QUESTION_VERSIONS: versions})


def _questions_of(row: dict, survey_id: str, question_types) -> tuple:
    text = yaml.safe_dump(row.get("definition") or {}, allow_unicode=True)
    try:
        old = load_survey_text(text, path=f"version {row.get('version')}",
                               question_types=question_types, survey_id=survey_id)
    except SurveyError as error:
        log.warning("Version %s of %r no longer loads, so its questions are not in exports: %s",
                    row.get("version"), survey_id, error)
        return ()
    return old.questions


def export_survey(kit, survey: Survey, exporter, out, *, include_samples: bool = False) -> int:
    """Write every kept response of ``survey`` to ``out`` in ``exporter``'s format; return the rows.

    Made-up sample answers (``consent-kit sample-answers``) are left out
    unless ``include_samples``: a default export holds real answers only.

    The one way both the studio and ``consent-kit export`` take answers away,
    so the two files always match: answers to questions a later version
    removed keep their own columns, and every plugin's breakdowns (such as
    where people came from) are added as columns.
    """
    from consent_kit.plugin_calls import response_breakdowns
    from consent_kit.results.export import Counted, write_export

    stored = kit.store.documents("survey_versions").find()
    survey = with_earlier_questions(survey, stored, kit.question_types)
    # "Version 3" beside each response's code, so answers tie to the version people approved.
    survey = replace(survey, extra={**survey.extra,
                                    VERSION_NUMBERS: version_numbers(stored, survey.id)})
    from consent_kit.results.samples import is_sample

    responses = kit.store.iter_responses(survey.id)
    if not include_samples:
        responses = (r for r in responses if not is_sample(r))
    rows = Counted(responses)
    write_export(exporter, survey, rows, out, response_breakdowns(kit.pm, survey))
    return rows.count
