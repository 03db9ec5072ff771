"""The participant journey: start → pages → check your answers → thank you. No login.

Thin on purpose: each view parses the request, asks :mod:`consent_kit.flow`
what comes next, and renders.
"""

from __future__ import annotations

import datetime
import logging

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from .. import flow
from ..codes import new_code, show_code
from ..plugins import call_event
from ..store import ErasedSubmission, Response, StoreError, SubmissionConflict
from .drafts import current_draft, forget_draft, save_draft, start_draft
from .forms import answers_from_form, build_page_form, error_list
from .helpers import kit

log = logging.getLogger(__name__)

bp = Blueprint("participant", __name__)


@bp.get("/")
def index():
    """The open surveys of this instance."""
    return render_template("participant/index.html", surveys=kit().catalog.open_surveys())


@bp.url_value_preprocessor
def _load_survey(endpoint, values):
    survey_id = (values or {}).get("survey_id")
    if survey_id is None:
        return
    survey = kit().catalog.get(survey_id)
    if survey is None or not survey.is_open:
        g.survey = None
        abort(404 if survey is None and not kit().catalog.is_broken(survey_id) else 410)
    g.survey = survey


@bp.get("/s/<survey_id>")
def start(survey_id):
    """The start page: what it's about, how long it takes, that you can stop any time."""
    survey = g.survey
    draft = current_draft(survey)
    return render_template("participant/start.html", survey=survey, draft=draft)


@bp.post("/s/<survey_id>/start")
def begin(survey_id):
    """Start answering (a new draft), or carry on with the one this browser has."""
    survey = g.survey
    draft = current_draft(survey) or start_draft(survey, source=request.form.get("source", ""))
    page_id = flow.first_unanswered(survey, draft["answers"], set(draft["seen"]))
    return redirect(_page_url(survey, page_id))


@bp.route("/s/<survey_id>/page/<page_id>", methods=["GET", "POST"])
def page(survey_id, page_id):
    """One page of questions. Answers are checked on the server and kept in the draft."""
    survey = g.survey
    draft = current_draft(survey)
    if draft is None:
        return _session_ended(survey)
    answers, seen = draft["answers"], set(draft["seen"])
    target = survey.page(page_id)
    if target is None or not flow.can_visit(survey, answers, page_id, seen):
        return redirect(_page_url(survey, flow.first_unanswered(survey, answers, seen)))
    questions = flow.visible_questions(target, answers)
    posted = request.form if request.method == "POST" else None
    form, views = build_page_form(questions, kit().question_types, answers, posted)
    if posted is not None and form.validate():
        _keep_page_answers(draft, questions, answers_from_form(form, views), page_id)
        if "save" in request.form:
            return redirect(url_for("resume.save", survey_id=survey.id))
        return redirect(_after_page(survey, draft, page_id))
    number, total = flow.progress(survey, answers, page_id)
    return render_template(
        "participant/page.html",
        survey=survey,
        page=target,
        form=form,
        views=views,
        errors=error_list(views) if posted is not None else [],
        number=number,
        total=total,
        back_url=_back_url(survey, answers, page_id),
        change=request.args.get("change") == "1",
    )


def _keep_page_answers(draft: dict, questions, new_answers: dict, page_id: str) -> None:
    answers = draft["answers"]
    for question in questions:
        answers.pop(question.id, None)
    answers.update(new_answers)
    if page_id not in draft["seen"]:
        draft["seen"].append(page_id)
    save_draft(draft)


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
    answers, seen = draft["answers"], set(draft["seen"])
    if not flow.can_visit(survey, answers, flow.CHECK_ANSWERS, seen):
        return redirect(_page_url(survey, flow.first_unanswered(survey, answers, seen)))
    return render_template(
        "participant/check.html",
        survey=survey,
        rows=_summary_rows(survey, answers),
        submission_id=draft["submission_id"],
        back_url=_back_url(survey, answers, flow.CHECK_ANSWERS),
    )


def _summary_rows(survey, answers) -> list[dict]:
    rows = []
    registry = kit().question_types
    for page_ in flow.visible_pages(survey, answers):
        for question in flow.visible_questions(page_, answers):
            qtype = registry[question.type]
            if not qtype.takes_answer:
                continue
            rows.append({
                "question": question,
                "answer": qtype.describe_answer(question, answers.get(question.id)),
                "change_url": url_for(".page", survey_id=survey.id, page_id=page_.id, change=1),
            })
    return rows


@bp.post("/s/<survey_id>/submit")
def submit(survey_id):
    """Store the answers (once, however often this is posted) and say thank you."""
    survey = g.survey
    submission_id = request.form.get("submission_id", "")
    draft = current_draft(survey)
    if draft is None or draft["submission_id"] != submission_id:
        return _already_sent(survey, submission_id)
    answers = flow.answers_to_keep(survey, draft["answers"])
    missing = flow.missing_required(survey, answers)
    if missing:
        draft["seen"] = [p for p in draft["seen"] if p not in {_page_of(survey, missing[0])}]
        save_draft(draft)
        return redirect(_page_url(survey, _page_of(survey, missing[0])))
    response = Response(
        id=submission_id,
        survey_id=survey.id,
        survey_version=draft["survey_version"],
        answers=answers,
        submitted_at=_now(),
        reference=new_code(),
        source=draft.get("source", ""),
        meta={"language": str(getattr(g, "locale", "") or survey.language)},
    )
    try:
        stored, created = kit().store.add_response(response)
    except ErasedSubmission:
        return render_template("participant/withdrawn_already.html", survey=survey), 409
    except SubmissionConflict:
        return _already_sent(survey, submission_id)
    except StoreError as error:
        log.error("Could not store a response: %s", error)
        return render_template("participant/store_error.html", survey=survey, error=error), 503
    forget_draft(survey, draft)
    _remember_done(survey, stored)
    if created:
        kit().plugin_failures.extend(
            call_event(kit().pm, "response_submitted", response=stored, survey=survey)
        )
    return redirect(url_for(".done", survey_id=survey.id))


def _already_sent(survey, submission_id: str):
    """A repeated or late "Send" (double click, retry): the first one counts."""
    stored = kit().store.get_response(submission_id) if submission_id else None
    if stored is not None and stored.survey_id == survey.id:
        _remember_done(survey, stored)
        return redirect(url_for(".done", survey_id=survey.id))
    return _session_ended(survey)


def _remember_done(survey, stored: Response) -> None:
    session.setdefault("done", {})[survey.id] = stored.reference
    session.modified = True


@bp.get("/s/<survey_id>/done")
def done(survey_id):
    """Thank you, with the participant's reference."""
    survey = g.survey
    reference = session.get("done", {}).get(survey.id)
    if reference is None:
        return redirect(url_for(".start", survey_id=survey.id))
    return render_template("participant/done.html", survey=survey, reference=show_code(reference))


def _session_ended(survey):
    return render_template("participant/session_ended.html", survey=survey), 410


def _page_url(survey, page_id: str) -> str:
    if page_id == flow.CHECK_ANSWERS:
        return url_for(".check", survey_id=survey.id)
    return url_for(".page", survey_id=survey.id, page_id=page_id)


def _back_url(survey, answers, page_id: str) -> str:
    previous = flow.previous_page(survey, answers, page_id)
    return _page_url(survey, previous) if previous else url_for(".start", survey_id=survey.id)


def _page_of(survey, question) -> str:
    return next(p.id for p in survey.pages if question in p.questions)


def _now() -> str:
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")
