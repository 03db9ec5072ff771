"""Plain language: help researchers write for the people they ask. It advises, never blocks.

Reading age of every text against the survey's aim, "words matter" (a
glossary of words about people in care, which each project can change), and
short forms not explained at first use. Shown by ``consent-kit check``, beside
texts in the builder (through ``check_text``) and on the "Check my words" page.
"""

from __future__ import annotations

from consent_kit import Problem, hookimpl, text_places

from . import advice
from .lookup import file_glossary, glossary_for


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
def extra_template_vars(template, request):
    """Links to these pages from the studio's survey and project pages."""
    if template not in ("studio.survey", "studio.project"):
        return {}
    from .views import links

    return links(template, request.view_args or {})
