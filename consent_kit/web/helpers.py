"""Small helpers the blueprints share."""

from __future__ import annotations

from flask import abort, current_app, g, has_request_context, request, url_for
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


def public_url(endpoint: str, **values) -> str:
    """A link for people to keep or print: on ``base_url``, never on the request's Host header.

    With ``base_url`` set, the full address people use. Without it, only the
    path (``/change-your-mind``): a browser completes it from the address it
    is on, and nobody can slip another site's name into it by sending a
    forged Host header (issue 23 item 16).
    """
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    path = url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if base and root and base.endswith(root) and path.startswith(root):
        path = path[len(root):]  # served under a prefix that base_url already ends with
    return base + path
