"""The participant journey: start → pages → check your answers → thank you. No login.

Thin on purpose: each view parses the request, asks :mod:`consent_kit.participation.flow`
what comes next, and renders.
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import InternalServerError

from consent_kit.consent.views import first_step_url, needs_consent
from consent_kit.i18n.localize import localize
from consent_kit.participation import flow
from consent_kit.participation.drafts import current_draft, is_unsaved, save_draft, start_draft
from consent_kit.participation.forms import answers_from_form, build_page_form, error_list
from consent_kit.participation.piped import pipe_views, piped
from consent_kit.store.base import StoreError
from consent_kit.web.helpers import kit, load_survey
from consent_kit.web.ratelimit import attempts_for
from consent_kit.web.urls import remembered_url_for

#: Presses of Start one address may make a minute; generous, as a venue may share one address.
STARTS_PER_MINUTE = 30

log = logging.getLogger(__name__)

bp = Blueprint("participant", __name__, template_folder="templates")


@bp.get("/")
def index():
    """The open surveys of this instance."""
    lang = str(get_locale() or "")
    surveys = [localize(survey, lang) for survey in kit().catalog.open_surveys()]  # their language
    return render_template("participant/index.html", surveys=surveys)


bp.url_value_preprocessor(load_survey)


@bp.get("/s/<survey_id>")
def start(survey_id):
    """The start page: what it's about, how long it takes, that you can stop any time."""
    survey = g.survey
    draft = current_draft(survey)
    if draft is not None and is_unsaved(draft):
        draft = None  # nothing kept yet: "Start now", not "Carry on"
    return render_template("participant/start.html", survey=survey, draft=draft,
                           source=_source(request.args.get("source", "")))


@bp.post("/s/<survey_id>/start")
def begin(survey_id):
    """Start (a new draft), or carry on with the one this browser has; consent comes first.

    Writes nothing: the draft is kept only once there is something in it.
    """
    survey = g.survey
    if not attempts_for("starts", STARTS_PER_MINUTE).allow(request.remote_addr or "?"):
        abort(429)
    draft = current_draft(survey) or start_draft(survey, source=_source(request.form.get("source", "")))
    if needs_consent(survey, draft):
        return redirect(first_step_url(survey))
    return redirect(url_for(".begin_questions", survey_id=survey.id))


#: Where someone came from is a short code from a link (a poster's place), never free text.
_SOURCE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _source(text: str) -> str:
    """The source code from a link (``?source=``), or "" when it isn't one."""
    return text if _SOURCE.match(text or "") else ""


@bp.get("/s/<survey_id>/questions")
def begin_questions(survey_id):
    """The first page not yet answered (where the consent steps lead)."""
    survey = g.survey
    draft = current_draft(survey)
    if draft is None:
        return _session_ended(survey)
    return redirect(_page_url(survey, flow.first_unanswered(survey, draft["answers"], set(draft["seen"]))))


@bp.route("/s/<survey_id>/page/<page_id>", methods=["GET", "POST"])
def page(survey_id, page_id):
    """One page of questions. Answers are checked on the server and kept in the draft."""
    survey = g.survey
    draft = current_draft(survey)
    if draft is None:
        return _session_ended(survey)
    if needs_consent(survey, draft):
        return redirect(url_for("consent.information", survey_id=survey.id))
    answers, seen = draft["answers"], set(draft["seen"])
    target = survey.page(page_id)
    if target is None or not flow.can_visit(survey, answers, page_id, seen):
        return redirect(_page_url(survey, flow.first_unanswered(survey, answers, seen)))
    questions = flow.visible_questions(target, answers)
    posted = request.form if request.method == "POST" else None
    form, views = build_page_form(questions, kit().question_types, answers, posted,
                                  cache=kit().form_classes)
    store_error = None
    if posted is not None and form.validate():
        try:
            _keep_page_answers(draft, questions, answers_from_form(form, views), page_id)
        except StoreError as error:
            # Shown on the same page, drawn from what was sent, so nothing typed is lost.
            log.error("Could not keep a page of answers: %s", error)
            store_error = _in_page_language(error)
        else:
            if "save" in request.form:
                return redirect(url_for("resume.save", survey_id=survey.id))
            return redirect(_after_page(survey, draft, page_id))
    pipe_views(views, survey, answers, kit().question_types)  # earlier answers in the words
    number, total = flow.progress(survey, answers, page_id)
    html = render_template(
        "participant/page.html",
        survey=survey,
        page=target,
        form=form,
        views=views,
        errors=error_list(views) if posted is not None else [],
        store_error=store_error,
        number=number,
        total=total,
        back_url=_back_url(survey, answers, page_id),
        change=request.args.get("change") == "1",
    )
    return (html, 503) if store_error is not None else html


def _keep_page_answers(draft: dict, questions, new_answers: dict, page_id: str) -> None:
    """Put this page's answers in the draft and write it; the draft is unchanged if that fails."""
    answers = dict(draft["answers"])
    for question in questions:
        answers.pop(question.id, None)
    answers.update(new_answers)
    seen = draft["seen"] + ([page_id] if page_id not in draft["seen"] else [])
    save_draft(dict(draft, answers=answers, seen=seen))
    draft["answers"], draft["seen"] = answers, seen
    draft.pop("unsaved", None)


def _after_page(survey, draft, page_id) -> str:
    """Back to "Check your answers" after a change, unless a new question now applies."""
    answers, seen = draft["answers"], set(draft["seen"])
    if request.args.get("change") == "1":
        return _page_url(survey, flow.first_unanswered(survey, answers, seen))
    return _page_url(survey, flow.next_page(survey, answers, page_id))


@bp.get("/s/<survey_id>/check")
def check(survey_id):
    """Check your answers, with a Change link for each."""
    survey = g.survey
    draft = current_draft(survey)
    if draft is None:
        return _session_ended(survey)
    if needs_consent(survey, draft):
        return redirect(url_for("consent.information", survey_id=survey.id))
    answers, seen = draft["answers"], set(draft["seen"])
    if not flow.can_visit(survey, answers, flow.CHECK_ANSWERS, seen):
        return redirect(_page_url(survey, flow.first_unanswered(survey, answers, seen)))
    if is_unsaved(draft):
        # A survey with no questions and no consent: keep the draft now, so the
        # Send button carries the id that will be stored.
        save_draft(draft)
    return render_template(
        "participant/check.html",
        survey=survey,
        rows=_summary_rows(survey, answers),
        submission_id=draft["submission_id"],
        send_url=url_for("finish.submit", survey_id=survey.id),
        back_url=_back_url(survey, answers, flow.CHECK_ANSWERS),
    )


def _summary_rows(survey, answers) -> list[dict]:
    rows = []
    registry = kit().question_types
    for page_ in flow.visible_pages(survey, answers):
        for question in piped(flow.visible_questions(page_, answers), survey, answers, registry):
            qtype = registry[question.type]
            if not qtype.takes_answer:
                continue
            rows.append({
                "question": question,
                "answer": qtype.describe_answer(question, answers.get(question.id)),
                "change_url": url_for(".page", survey_id=survey.id, page_id=page_.id, change=1),
            })
    return rows


def _in_page_language(error: StoreError) -> str:
    """The store's plain message; the folder-full one in the page's language (the store has no Flask)."""
    if error.reason == "full":
        return _("We can't save your progress just now because a lot of people are using this survey. "
                 "Please try again later. If it keeps happening, please tell the researchers.")
    return str(error)


@bp.app_errorhandler(StoreError)
def progress_not_saved(error):
    """A participant's progress couldn't be written (disk full, too busy): say so plainly.

    Views that can show the page again with what was typed do so themselves;
    this catches the rest (the consent steps, "Save and come back later").
    """
    if not request.path.startswith("/s/"):
        return InternalServerError(original_exception=error)
    log.error("Could not keep a participant's progress: %s", error)
    return render_template("participant/store_error.html", survey=getattr(g, "survey", None),
                           error=error), 503


def _session_ended(survey):
    return render_template("participant/session_ended.html", survey=survey), 410


def _page_url(survey, page_id: str) -> str:
    # Back links and form actions on every page: remembered like the templates' links.
    if page_id == flow.CHECK_ANSWERS:
        return remembered_url_for("participant.check", survey_id=survey.id)
    return remembered_url_for("participant.page", survey_id=survey.id, page_id=page_id)


def _back_url(survey, answers, page_id: str) -> str:
    previous = flow.previous_page(survey, answers, page_id)
    return _page_url(survey, previous) if previous else remembered_url_for(
        "participant.start", survey_id=survey.id)


def _page_of(survey, question) -> str:
    return next(p.id for p in survey.pages if question in p.questions)



@bp.get("/s/<survey_id>/support")
def support(survey_id):
    """Support contacts the researchers chose, linked from every page of the survey."""
    survey = g.survey
    if survey.support is None:
        return render_template("participant/not_found.html"), 404
    return render_template("participant/support.html", survey=survey)
