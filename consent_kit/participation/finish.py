"""Sending the answers, "Thank you", the participant's copy, and leaving safely.

Nothing is stored without a consent record: the record is written first, then
the answers, both keyed by the participant's pseudonym. Sending twice (a
double click, a retry on a flaky connection) stores one of each.

Phones and computers are often shared (a youth club's tablet, a library
computer), so the participant's session ends on purpose: "Leave this page"
ends it at once, and after "Thank you" has been shown the reference is never
shown again on that page; the copy and the thank-you payment stay reachable
for ``DONE_MINUTES`` (30 by default), or until the next person starts here
(:func:`~consent_kit.participation.drafts.forget_who_finished_here`), then this
browser forgets everything.
"""

from __future__ import annotations

import datetime
import functools
import logging
import time

from babel import dates
from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for
from flask import Response as HttpResponse
from flask_babel import gettext as _
from markupsafe import Markup

from consent_kit.clock import utc_now
from consent_kit.consent.pdf import CopyContent, consent_copy_pdf
from consent_kit.consent.records import ConsentRecord, ConsentText
from consent_kit.consent.views import language, valid_consent
from consent_kit.i18n.gettext import isolate, page_language, when
from consent_kit.i18n.languages import text_direction
from consent_kit.i18n.localize import localize
from consent_kit.participation import flow
from consent_kit.participation.codes import code_key, show_code
from consent_kit.participation.drafts import current_draft, forget_draft
from consent_kit.store import ErasedSubmission, Response, StoreError, SubmissionConflict
from consent_kit.survey.model import DEFAULT_EXIT_URL
from consent_kit.web.helpers import kit, load_survey, public_url
from consent_kit.web.urls import remembered_url_for

log = logging.getLogger(__name__)

bp = Blueprint("finish", __name__)
bp.url_value_preprocessor(load_survey)


@bp.post("/s/<survey_id>/submit")
def submit(survey_id):
    """Store the consent record, then the answers, and say thank you."""
    survey = g.survey
    submission_id = request.form.get("submission_id", "")
    draft = current_draft(survey)
    if draft is None or draft["submission_id"] != submission_id:
        return _already_sent(survey, submission_id)
    record = _consent_record(survey, draft)
    if record is None:
        # Enforced here, not by page order: a forged or stale request stores nothing.
        return render_template("consent/needed.html", survey=survey), 403
    answers = flow.answers_to_keep(survey, draft["answers"])
    missing = flow.missing_required(survey, answers)
    if missing:
        page_id = next(p.id for p in survey.pages if missing[0] in p.questions)
        return redirect(url_for("participant.page", survey_id=survey.id, page_id=page_id))
    try:
        stored, created = kit().store.add_submission(
            record, _response(survey, draft, answers, record), _audit_entry(survey, record))
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
        _after_storing(survey, stored, record)
    return redirect(url_for(".done", survey_id=survey.id))


def _consent_record(survey, draft) -> ConsentRecord | None:
    """The record to store: the consent given in the draft, or None if there is none valid.

    A survey with no consent section still gets a record (agreed to nothing,
    confirmed by sending), so every participant has a code to withdraw with.
    """
    if survey.consent is None:
        text = ConsentText(language=language(), variant="", sections=(), statements=())
        decision = {"version": text.version, "variant": "", "language": text.language,
                    "agreed": [], "declined": [], "method": "sent", "confirmed_as": "",
                    "helped": None, "given_at": utc_now()}
        kit().remember_consent_text(text)
    else:
        decision = valid_consent(survey, draft)
        if decision is None:
            return None
    return ConsentRecord(
        pseudonym=draft["pseudonym"],
        survey_id=survey.id,
        consent_version=decision["version"],
        language=decision["language"],
        variant=decision["variant"],
        agreed=tuple(decision["agreed"]),
        declined=tuple(decision["declined"]),
        method=decision["method"],
        confirmed_as=decision["confirmed_as"],
        helped=decision["helped"],
        given_at=decision["given_at"],
        code_hash=code_key(draft["reference"], purpose="withdraw"),
    )


def _response(survey, draft, answers, record: ConsentRecord) -> Response:
    meta = {"language": language()}
    if record.helped is not None:
        meta["helped"] = record.helped
    return Response(
        id=draft["submission_id"],
        survey_id=survey.id,
        survey_version=draft["survey_version"],
        answers=answers,
        submitted_at=utc_now(),
        reference=draft["reference"],
        source=draft.get("source", ""),
        meta=meta,
        pseudonym=draft["pseudonym"],
    )


def _audit_entry(survey, record: ConsentRecord) -> dict:
    """The audit entry stored with new answers (who consented to what; never answers)."""
    return {"actor": f"participant:{record.pseudonym}", "action": "consent_given",
            "subject": survey.id, "details": {"consent_version": record.consent_version,
                                              "agreed": list(record.agreed)}}


def _after_storing(survey, stored: Response, record: ConsentRecord) -> None:
    """The events, after the answers (and their audit entry) are safe on disk."""
    for hook, arguments in (("consent_given", {"record": record, "survey": survey}),
                            ("response_submitted", {"response": stored, "survey": survey})):
        kit().fire(hook, **arguments)


def _already_sent(survey, submission_id: str):
    """A repeated or late "Send": the first one counts, and shows the same reference."""
    stored = kit().store.get_response(submission_id) if submission_id else None
    if stored is not None and stored.survey_id == survey.id:
        _remember_done(survey, stored)
        return redirect(url_for(".done", survey_id=survey.id))
    return render_template("participant/session_ended.html", survey=survey), 410


def _remember_done(survey, stored: Response) -> None:
    session.setdefault("done", {})[survey.id] = {"reference": stored.reference,
                                                 "pseudonym": stored.pseudonym}
    session.modified = True


def _finished(survey):
    """What this browser may see of the participant's own consent, right after sending."""
    done = session.get("done", {}).get(survey.id)
    if not isinstance(done, dict) or _expired(done):
        return None, None
    record = kit().store.get_consent(done["pseudonym"])
    return done, record


def _expired(done: dict) -> bool:
    shown_at = done.get("shown_at")
    minutes = current_app.config.get("DONE_MINUTES", 30)
    return isinstance(shown_at, int | float) and time.time() - shown_at > minutes * 60


@bp.get("/s/<survey_id>/done")
def done(survey_id):
    """Thank you, with the reference that is also the code to withdraw (shown once)."""
    survey = g.survey
    finished, record = _finished(survey)
    if finished is None:
        return redirect(url_for("participant.start", survey_id=survey.id))
    first_time = "shown_at" not in finished
    if first_time:
        finished["shown_at"] = time.time()
        # The cookie now ends when the browser closes, not a day later.
        session.permanent = False
        session.modified = True
    return render_template("participant/done.html", survey=survey, has_copy=record is not None,
                           reference=show_code(finished["reference"]) if first_time else "",
                           promise=withdraw_promise(survey))


def with_own_record(view):
    """Give the view this browser's own consent record, or send it back to the start page."""

    @functools.wraps(view)
    def wrapper(survey_id):
        finished, record = _finished(g.survey)
        if record is None:
            return redirect(url_for("participant.start", survey_id=g.survey.id))
        return view(g.survey, record, copy_context(record, finished))

    return wrapper


@bp.get("/s/<survey_id>/your-copy")
@with_own_record
def copy(survey, record, context):
    """A page to save or print: what you agreed to, when, and how to withdraw."""
    return render_template("consent/copy.html", survey=survey, **context)


@bp.get("/s/<survey_id>/your-copy.pdf")
@with_own_record
def copy_pdf(survey, record, context):
    """The same copy as a PDF, made on this server."""
    pdf = consent_copy_pdf(pdf_content(survey, record, context))
    filename = f"consent-{survey.id}.pdf"
    return HttpResponse(pdf, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def copy_context(record: ConsentRecord, finished: dict | None) -> dict:
    """What the copy shows: the stored text exactly as it was, and the decisions."""
    text = kit().store.get_consent_text(record.consent_version)
    survey = kit().catalog.get(record.survey_id)
    statements = {sid: words for sid, words, _ in (text.statements if text else ())}
    return {
        "record": record,
        "text": text,
        "agreed": [statements.get(s, s) for s in record.agreed],
        "declined": [statements.get(s, s) for s in record.declined],
        "reference": show_code(finished["reference"]) if finished else "",
        "withdraw_url": public_url("withdraw.start"),  # never from the Host header
        "promise": withdraw_promise(survey),
        # The survey's own clock (its 'time_zone:'), else the instance's: never "UTC".
        "time_zone": survey.time_zone if survey is not None else "",
    }


def today() -> datetime.date:
    """Today's date, as the deadlines in survey files count it (UTC)."""
    return datetime.datetime.now(datetime.UTC).date()


def day_in_words(day: datetime.date) -> str:
    """A date as people write it in the page's language: "31 March 2027", "31 Mawrth 2027"."""
    locale = "en_GB" if page_language() == "en" else page_language()
    return dates.format_date(day, "long", locale=locale)


def withdraw_promise(survey) -> Markup:
    """What the pages promise about taking answers back: the real last day, if there is one.

    Markup: the date sits in ``<bdi>`` so it keeps its order inside Arabic words.
    """
    until = survey.withdraw_until if survey is not None else None
    if until is None:
        return Markup.escape(_("You can change your mind or take back your answers at any "
                               "time, without saying why."))
    if today() > until:
        return _with_date(_("You could take back your answers until %(date)s."), until)
    return _with_date(_("You can change your mind or take back your answers until %(date)s, "
                        "without saying why."), until)


def _with_date(message: str, day: datetime.date) -> Markup:
    """A translated ``message`` with its ``%(date)s`` filled in, isolated, in words."""
    return Markup.escape(message) % {"date": isolate(day_in_words(day))}


def pdf_content(survey, record, context) -> CopyContent:
    """The PDF's words, from the same context as the page."""
    text = context["text"]
    return CopyContent(
        survey_title=survey.title,
        given_at=when(record.given_at, context["time_zone"]),
        reference=context["reference"],
        withdraw_url=context["withdraw_url"],
        agreed=context["agreed"],
        declined=context["declined"],
        sections=[(heading, body) for _, heading, body in (text.sections if text else ())],
        direction=text_direction(language()),
        labels={
            "title": _("What you agreed to"),
            "given_at": _("When"),
            "reference": _("Your reference (keep it safe)"),
            "agreed": _("You said yes to"),
            "declined": _("You said no to"),
            "withdraw_heading": _("Changing your mind"),
            # The PDF draws plain words (it isolates the address and the date itself).
            "withdraw_text": " ".join((Markup(context["promise"]).striptags(), _(
                "Go to this web address and type your reference:"))),
        },
    )



# --- leaving safely -------------------------------------------------------------------------

#: What a participant's session holds: drafts, the just-finished survey, the reference typed on
#: "Change your mind", and the thank-you payment's token (kept by the incentives feature).
PARTICIPANT_KEYS = ("drafts", "done", "withdraw", "incentive")


def end_participant_session() -> None:
    """Forget this browser's participant: unsaved answers are deleted, saved ones keep their code.

    Language and display choices stay: they say nothing about anyone.
    """
    for draft_id in dict(session.get("drafts") or {}).values():
        draft = kit().store.load_draft(draft_id)
        if draft is not None and not draft.get("saved"):
            kit().store.delete_draft(draft_id)
    for key in PARTICIPANT_KEYS:
        session.pop(key, None)


@bp.post("/leave")
def leave():
    """ "Leave this page": forget this browser's participant, then go to an everyday website.

    Not CSRF-checked on purpose: leaving must work even on a page left open for
    hours. It can't be forced from another site: the session cookie is
    SameSite=Lax, so a cross-site POST arrives without it and ends nothing.
    """
    survey = kit().catalog.get(request.form.get("survey", ""))
    end_participant_session()
    if request.form.get("to") == "start" and survey is not None:
        return redirect(url_for("participant.start", survey_id=survey.id), 303)
    return redirect(exit_url_for(survey) or instance_exit_url(), 303)


bp.record_once(lambda state: state.app.extensions["csrf"].exempt(leave))


@bp.get("/support")
def support_any():
    """The instance's own support page: national services, or the survey's (``?s=<survey id>``)."""
    survey = kit().catalog.get(request.args.get("s", ""))
    survey = localize(survey, str(page_language())) if survey is not None and survey.is_open else None
    return render_template("participant/support.html", survey=survey)


def instance_exit_url() -> str:
    """Where "Leave this page" goes on pages that belong to no survey."""
    return current_app.config.get("EXIT_URL") or DEFAULT_EXIT_URL


def exit_url_for(survey) -> str:
    """The "Leave this page" address for a page ("" when the survey switched it off)."""
    return survey.exit_url if survey is not None else instance_exit_url()


def support_url_for(survey) -> str:
    """The support link for a page: the survey's own page, else national services."""
    # On every page, twice: remembered like the templates' other links.
    if survey is not None and survey.support is not None:
        return remembered_url_for("participant.support", survey_id=survey.id)
    return remembered_url_for("finish.support_any", s=survey.id if survey is not None else None)


@bp.app_context_processor
def _safety_links() -> dict:
    return {"exit_url_for": exit_url_for, "support_url_for": support_url_for}


@bp.before_app_request
def _forget_finished() -> None:
    """After ``DONE_MINUTES``, this browser forgets the survey it finished (and its token)."""
    finished = session.get("done")
    if not finished:
        return
    for survey_id, done in list(finished.items()):
        if isinstance(done, dict) and _expired(done):
            finished.pop(survey_id)
            (session.get("incentive") or {}).pop(survey_id, None)
            session.modified = True
