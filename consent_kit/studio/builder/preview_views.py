"""Preview: the draft exactly as a participant sees it, with a "Preview" banner.

The participant templates draw every page; only the buttons lead back here.
Nothing is stored: no draft, no consent record, no response. The answers
given in a preview live only in this browser's signed session cookie (so skip
logic can be tried out), and starting the preview again forgets them.
"""

from __future__ import annotations

from flask import g, redirect, render_template, request, session, url_for

from consent_kit.consent.records import consent_text
from consent_kit.consent.views import _agree_errors as agree_errors  # the very same messages
from consent_kit.participation import flow
from consent_kit.participation.forms import answers_from_form, build_page_form, error_list
from consent_kit.participation.piped import pipe_views, piped
from consent_kit.studio.builder.publish_views import overview_page
from consent_kit.studio.builder.view_support import bp, editing_or_404
from consent_kit.studio.rules import login_required
from consent_kit.web.helpers import kit

SESSION_KEY = "builder_preview"
#: Characters of each written answer kept for a preview: the session cookie also keeps the
#: researcher signed in, and a browser drops a cookie over about 4 KB.
MAX_ANSWER_CHARS = 200


def _survey_or_problems(survey_id: str):
    """The draft as a survey ready to show, or the outline page explaining what to fix."""
    ed = editing_or_404(survey_id)
    if ed.survey is None:
        return None, overview_page(survey_id)
    g.survey = ed.survey
    # Pictures the draft uses may not be published yet: the builder's own route shows them
    # (to the survey's researchers only). Plugins drawing a picture use this when it is set.
    g.draft_picture_url = lambda name: url_for(".picture", survey_id=survey_id, name=name)
    return ed.survey, None


def _answers(survey) -> tuple[dict, list]:
    kept = session.get(SESSION_KEY) or {}
    if kept.get("survey") != survey.id:
        return {}, []
    return dict(kept.get("answers") or {}), list(kept.get("seen") or [])


def _keep(survey, answers: dict, seen: list) -> None:
    small = {k: (v[:MAX_ANSWER_CHARS] if isinstance(v, str) else v) for k, v in answers.items()}
    session[SESSION_KEY] = {"survey": survey.id, "answers": small, "seen": seen}


def _page_url(survey, page_id: str) -> str:
    if page_id == flow.CHECK_ANSWERS:
        return url_for(".preview_check", survey_id=survey.id)
    return url_for(".preview_page", survey_id=survey.id, page_id=page_id)


def _survey_with_consent(survey_id: str):
    """Like :func:`_survey_or_problems`; a survey that asks no consent goes back to the start."""
    survey, stop = _survey_or_problems(survey_id)
    if stop is None and survey.consent is None:
        stop = redirect(url_for(".preview", survey_id=survey_id))
    return survey, stop


@bp.get("/surveys/<survey_id>/build/preview")
@login_required("researcher", scope="survey")
def preview(survey_id):
    """The start page, as people see it."""
    survey, stop = _survey_or_problems(survey_id)
    if stop is not None:
        return stop
    return render_template("builder/preview_start.html", survey=survey,
                           begin_url=url_for(".preview_begin", survey_id=survey_id))


@bp.post("/surveys/<survey_id>/build/preview")
@login_required("researcher", scope="survey")
def preview_begin(survey_id):
    """Start the preview afresh: consent first if the survey asks for it."""
    survey, stop = _survey_or_problems(survey_id)
    if stop is not None:
        return stop
    _keep(survey, {}, [])
    if survey.consent is not None:
        return redirect(url_for(".preview_information", survey_id=survey_id))
    return redirect(_page_url(survey, flow.first_page(survey)))


@bp.get("/surveys/<survey_id>/build/preview/consent")
@login_required("researcher", scope="survey")
def preview_information(survey_id):
    """What people read before they agree."""
    survey, stop = _survey_with_consent(survey_id)
    if stop is not None:
        return stop
    return render_template("builder/preview_information.html", survey=survey,
                           text=consent_text(survey.consent, language=survey.language),
                           next_url=url_for(".preview_agree", survey_id=survey_id))


@bp.route("/surveys/<survey_id>/build/preview/agree", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def preview_agree(survey_id):
    """The statements people agree to; agreeing here records nothing."""
    survey, stop = _survey_with_consent(survey_id)
    if stop is not None:
        return stop
    text = consent_text(survey.consent, language=survey.language)
    errors = []
    if request.method == "POST":
        agreed = {sid for sid, _w, _r in text.statements
                  if request.form.get(f"statement-{sid}") == "yes"}
        errors = agree_errors(survey, text, agreed, request.form)
        if not errors:
            return redirect(_page_url(survey, flow.first_page(survey)))
    return render_template("builder/preview_agree.html", survey=survey, text=text,
                           errors=errors, form=request.form if request.method == "POST" else None)


@bp.route("/surveys/<survey_id>/build/preview/page/<page_id>", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def preview_page(survey_id, page_id):
    """One page of questions; answers are checked as for participants, then kept in the cookie."""
    survey, stop = _survey_or_problems(survey_id)
    if stop is not None:
        return stop
    answers, seen = _answers(survey)
    target = survey.page(page_id)
    if target is None or not flow.can_visit(survey, answers, page_id, set(seen)):
        return redirect(_page_url(survey, flow.first_unanswered(survey, answers, set(seen))))
    questions = flow.visible_questions(target, answers)
    posted = request.form if request.method == "POST" else None
    form, views = build_page_form(questions, kit().question_types, answers, posted)
    if posted is not None and form.validate():
        for question in questions:
            answers.pop(question.id, None)
        answers.update(answers_from_form(form, views))
        seen = seen + ([page_id] if page_id not in seen else [])
        _keep(survey, answers, seen)
        return redirect(_page_url(survey, flow.next_page(survey, answers, page_id)))
    pipe_views(views, survey, answers, kit().question_types)  # earlier answers in the words
    number, total = flow.progress(survey, answers, page_id)
    previous = flow.previous_page(survey, answers, page_id)
    return render_template(
        "builder/preview_page.html", survey=survey, page=target, form=form, views=views,
        errors=error_list(views) if posted is not None else [], number=number, total=total,
        back_url=_page_url(survey, previous) if previous else url_for(".preview",
                                                                      survey_id=survey_id),
        change=False)


@bp.get("/surveys/<survey_id>/build/preview/check")
@login_required("researcher", scope="survey")
def preview_check(survey_id):
    """Check your answers, as people see it; "Send" ends the preview without sending."""
    survey, stop = _survey_or_problems(survey_id)
    if stop is not None:
        return stop
    answers, seen = _answers(survey)
    if not flow.can_visit(survey, answers, flow.CHECK_ANSWERS, set(seen)):
        return redirect(_page_url(survey, flow.first_unanswered(survey, answers, set(seen))))
    rows, registry = [], kit().question_types
    for page_ in flow.visible_pages(survey, answers):
        # Earlier answers in the words, as on the participant's own check page.
        for question in piped(flow.visible_questions(page_, answers), survey, answers, registry):
            qtype = registry[question.type]
            if qtype.takes_answer:
                rows.append({"question": question,
                             "answer": qtype.describe_answer(question, answers.get(question.id)),
                             "change_url": _page_url(survey, page_.id)})
    previous = flow.previous_page(survey, answers, flow.CHECK_ANSWERS)
    return render_template(
        "builder/preview_check.html", survey=survey, rows=rows, submission_id="preview",
        send_url=url_for(".preview_end", survey_id=survey_id),
        back_url=_page_url(survey, previous) if previous else url_for(".preview",
                                                                      survey_id=survey_id))


@bp.post("/surveys/<survey_id>/build/preview/end")
@login_required("researcher", scope="survey")
def preview_end(survey_id):
    """The end of the preview: nothing was sent, and the preview answers are forgotten."""
    survey, stop = _survey_or_problems(survey_id)
    if stop is not None:
        return stop
    session.pop(SESSION_KEY, None)
    return render_template("builder/preview_end.html", survey=survey)
