"""Save and come back later: a short code (and link) that resumes on any device."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from consent_kit.i18n.localize import localize
from consent_kit.participation import flow
from consent_kit.participation.codes import clean_code, code_key, show_code
from consent_kit.participation.drafts import current_draft, resume_draft, save_for_later
from consent_kit.web.helpers import kit, load_survey, public_url

bp = Blueprint("resume", __name__)
bp.url_value_preprocessor(load_survey)


@bp.route("/s/<survey_id>/save", methods=["GET", "POST"])
def save(survey_id):
    """Keep the answers so far under a new code, and show the code and a link."""
    survey = g.survey
    draft = current_draft(survey)
    if draft is None:
        return render_template("participant/session_ended.html", survey=survey), 410
    if request.method == "GET":
        return render_template("participant/save.html", survey=survey)
    code = save_for_later(draft)
    link = public_url(".resume_link", code=code)  # on base_url, never the Host header
    return render_template("participant/saved.html", survey=survey, code=show_code(code), link=link)


@bp.route("/resume", methods=["GET", "POST"])
def resume():
    """Type a code to carry on where you left off."""
    error = ""
    if request.method == "POST":
        code = clean_code(request.form.get("code", ""))
        if code is None:
            error = _("Type your save code. It has 10 letters and numbers, like K7QM3-XR2PA.")
        else:
            target = _resume(code)
            if target:
                return redirect(target)
            error = _("We can't find that save code. Check it and try again. Save codes stop "
                      "working after a while.")
    return render_template("participant/resume.html", error=error), 200 if not error else 400


@bp.get("/resume/<code>")
def resume_link(code):
    """The link from the "saved" page: show a button, because a GET must not change anything.

    The code names the survey, so the page shows that survey's "Leave this
    page" and support link (only reading the draft, never changing it).
    """
    return render_template("participant/resume.html", code=show_code(code), error="",
                           survey=_survey_of_code(code))


def _survey_of_code(code: str):
    cleaned = clean_code(code)
    draft = kit().store.load_draft(code_key(cleaned, purpose="resume")) if cleaned else None
    survey = kit().catalog.get(draft["survey_id"]) if draft else None
    if survey is None or not survey.is_open:
        return None
    return localize(survey, str(get_locale() or ""))


def _resume(code: str) -> str | None:
    draft = resume_draft(code)
    if draft is None:
        return None
    survey = kit().catalog.get(draft["survey_id"])
    if survey is None or not survey.is_open:
        return None
    page_id = flow.first_unanswered(survey, draft["answers"], set(draft["seen"]))
    if page_id == flow.CHECK_ANSWERS:
        return url_for("participant.check", survey_id=survey.id)
    return url_for("participant.page", survey_id=survey.id, page_id=page_id)
