"""Plain language: help researchers write for the people they ask. It advises, never blocks.

Reading age of every text against the survey's aim, "words matter" (a
glossary of words about people in care, which each project can change), and
short forms not explained at first use. Shown by ``consent-kit check``, beside
texts in the builder (through ``check_text``) and on the "Check my words" page.
"""

from __future__ import annotations

import re

from consent_kit import Problem, StudioTask, SurveySetting, hookimpl, text_places

from . import advice
from .lookup import file_glossary, glossary_for

SETTING_KEYS = ("reading_age", "words")


def check_setting(reader) -> None:
    """``plain_language:`` in a survey file: ``reading_age`` (e.g. 11 or "9 to 12") and ``words``."""
    value = reader.value
    if not isinstance(value, dict):
        reader.problem("'plain_language' should be a group of settings, like\n"
                       "plain_language:\n  reading_age: 11\n  words: our-words.yaml")
        return
    for key in value:
        if key not in SETTING_KEYS:
            reader.problem(f"'plain_language' has no setting called {key!r}. It can have "
                           "'reading_age' (like 11, or \"9 to 12\") and 'words' (a words file).",
                           reader.line_of(reader.data[reader.key]))
    if "reading_age" in value and not any(5 <= int(n) <= 25 for n in
                                          re.findall(r"\d+", str(value["reading_age"]))):
        reader.problem("'reading_age' should be an age between 5 and 25, like 11 or \"9 to 12\".")


@hookimpl
def register_survey_settings(register):
    """``plain_language:``: the reading age a survey aims at and its own words file."""
    register(SurveySetting("plain_language", "The reading age to aim at and a words file.",
                           check=check_setting))


@hookimpl
def check_text(text, context):
    """Glossary words and reading age of one text."""
    survey = context.survey
    found = advice.check_text(text, context, glossary_for(survey), advice.reading_age_aim(survey))
    return [finding.problem() for finding in found]


@hookimpl
def survey_advice(survey):
    """What needs the whole survey: short forms at first use, languages we can't score, the words file."""
    texts = list(text_places(survey))
    problems = [finding.problem() for finding in advice.acronym_findings(texts)]
    for language in advice.unscored_languages(texts):
        problems.append(Problem(survey.source, 0, "", advice.cant_score_message(language), "warning"))
    mistake = file_glossary(survey)[1]
    if mistake:
        problems.append(Problem(survey.source, 0, "plain_language", mistake, "warning"))
    return problems


@hookimpl
def register_blueprints(app):
    """The "Check my words" page per survey and each project's words page."""
    from .views import bp

    return [bp]


@hookimpl
def survey_tasks(survey_id):
    """"Check my words" on each survey's page in the studio."""
    from flask import url_for
    from flask_babel import gettext as _

    return [StudioTask(_("Check my words"), url_for("plain_language.report", survey_id=survey_id),
                       order=40)]


@hookimpl
def project_actions(project):
    """The project's own words, on its page in the studio."""
    from flask import url_for
    from flask_babel import gettext as _

    return [StudioTask(_("Our words: what “Check my words” looks out for"),
                       url_for("plain_language.words", project_id=project.id), order=40)]
