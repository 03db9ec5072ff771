"""Small helpers the blueprints share."""

from __future__ import annotations

from flask import abort, current_app, g
from flask_babel import get_locale

from consent_kit.i18n.localize import localize


def kit():
    """The consent-kit state of the current app (plugins, store, surveys)."""
    return current_app.extensions["consent_kit"]


def load_survey(endpoint, values) -> None:
    """URL preprocessor: put the open survey named in the URL on ``g.survey``, or stop plainly.

    An unknown survey is "Page not found"; a closed or broken one is "This
    survey isn't available right now".
    """
    survey_id = (values or {}).get("survey_id")
    if survey_id is None:
        return
    survey = kit().catalog.get(survey_id)
    if survey is None or not survey.is_open:
        g.survey = None
        abort(404 if survey is None and not kit().catalog.is_broken(survey_id) else 410)
    g.survey = survey
    # In the participant's language: the locale is chosen with the survey's own in view.
    g.survey = localize(survey, str(get_locale() or ""))
