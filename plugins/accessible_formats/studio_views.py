"""Researchers' pages of accessible_formats: other formats of a survey, recordings, paper answers."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from consent_kit import (
    answers_from_form,
    build_page_form,
    current_kit,
    error_list,
    login_required,
    stand_in,
)

from . import entry, speech
from .paper import as_on_paper, paper_questions
from .recordings import RecordingError, Recordings
from .texts import find_item

log = logging.getLogger(__name__)

bp = Blueprint("accessible_formats_studio", __name__, template_folder="templates",
               url_prefix="/studio/surveys/<survey_id>/formats")


def _kit():
    return current_kit()


def _survey(survey_id: str):
    survey = _kit().catalog.get(survey_id)
    if survey is None:
        abort(404)
    return survey


def _audit(action: str, subject: str, details: dict) -> None:
    user = current_kit().current_user()
    actor = f"user:{user.username}" if user else "anonymous"
    _kit().store.audit(actor=actor, action=action, subject=subject, details=details)


def _items(survey):
    """(kind, id, words, has a recording) for every question and information section."""
    recordings = Recordings(current_app)
    found = [("section", s.id, s.heading) for s in (survey.consent.sections if survey.consent else ())]
    found += [("question", q.id, stand_in(q.label)) for q in survey.questions]  # no raw ${name}
    return [(kind, item_id, words, recordings.find(survey.id, kind, item_id) is not None)
            for kind, item_id, words in found]


@bp.get("")
@login_required("viewer", "survey")
def formats(survey_id):
    """Print versions, read-aloud recordings and paper answers for one survey."""
    survey = _survey(survey_id)
    return render_template("accessible_formats/studio_formats.html", survey=survey,
                           items=_items(survey), espeak=speech.program() is not None,
                           voice=speech.voice_for(survey.language))


@bp.post("/recording")
@login_required("researcher", "survey")
def recording(survey_id):
    """Keep (or remove) the researchers' own recording of one question or section."""
    survey = _survey(survey_id)
    kind, item_id = request.form.get("kind", ""), request.form.get("item_id", "")
    if find_item(survey, kind, item_id) is None:
        abort(404)
    recordings = Recordings(current_app)
    if request.form.get("action") == "delete":
        if recordings.delete(survey.id, kind, item_id):
            _audit("recording_removed", survey.id, {"kind": kind, "item": item_id})
        flash(_("The recording is gone. People hear the computer voice again."), "success")
        return redirect(url_for(".formats", survey_id=survey.id))
    upload = request.files.get("recording")
    try:
        recordings.save(survey.id, kind, item_id, upload.read() if upload else b"")
    except RecordingError as error:
        flash(_refusal(error.reason), "error")
        return redirect(url_for(".formats", survey_id=survey.id))
    _audit("recording_added", survey.id, {"kind": kind, "item": item_id})
    flash(_("Saved. People who choose Listen now hear your recording."), "success")
    return redirect(url_for(".formats", survey_id=survey.id))


def _refusal(reason: str) -> str:
    """Why a recording was not kept, in plain words."""
    return {
        "empty": _("The file is empty. Choose a recording to send."),
        "too_big": _("That file is too big. Keep recordings under 2 MB: save them as MP3 "
                     "(about 4 minutes fit)."),
        "not_audio": _("That file isn't a recording we can play. Send an MP3, Ogg or WAV file."),
    }.get(reason, _("That question or section isn't in this survey."))


@bp.route("/paper", methods=["GET", "POST"])
@login_required("researcher", "survey")
def paper(survey_id):
    """Type in answers from a paper form; they are checked like online answers."""
    survey = _survey(survey_id)
    questions = list(survey.questions)
    types = _kit().question_types
    posted = request.method == "POST"
    form, views = build_page_form(questions, types, {}, formdata=request.form if posted else None)
    # The words as the paper form prints them: "(your answer to question 2)", never ${name}.
    as_on_paper(views, paper_questions(
        survey, types, _("Prefer not to say"), _("(your answer to question %(question)s)")))
    errors, agreed = [], request.form.get("agreed_on_paper") == "yes"
    if posted:
        form.validate()
        answers = entry.drop_hidden(survey, views, answers_from_form(form, views))
        errors = [(anchor, label, message) for anchor, label, message in error_list(views)]
        if not agreed:
            errors.insert(0, ("agreed_on_paper", _("Consent"),
                              _("Tick the box to say this person agreed on the paper form.")))
        if not errors:
            return _store_paper(survey, answers)
    return render_template("accessible_formats/studio_paper.html", survey=survey, views=views,
                           errors=errors, agreed=agreed), 400 if errors else 200


def _store_paper(survey, answers: dict):
    response = entry.paper_response(survey, answers, survey.language)
    stored, _created = _kit().record_response(response, survey)
    _audit("paper_answers_entered", survey.id, {"response": stored.id})
    flash(_("Saved. These answers are stored as from paper (reference %(ref)s). "
            "Write the reference on the paper form.", ref=stored.reference), "success")
    return redirect(url_for(".paper", survey_id=survey.id))
