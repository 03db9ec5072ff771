"""Sending the answers, "Thank you", and the participant's copy of what they agreed to.

Nothing is stored without a consent record: the record is written first, then
the answers, both keyed by the participant's pseudonym. Sending twice (a
double click, a retry on a flaky connection) stores one of each.
"""

from __future__ import annotations

import functools
import logging

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask import Response as HttpResponse
from flask_babel import gettext as _

from consent_kit.clock import utc_now
from consent_kit.consent.pdf import CopyContent, consent_copy_pdf
from consent_kit.consent.records import ConsentRecord, ConsentText
from consent_kit.consent.views import language, valid_consent
from consent_kit.i18n.gettext import when
from consent_kit.i18n.languages import text_direction
from consent_kit.participation import flow
from consent_kit.participation.codes import code_key, show_code
from consent_kit.participation.drafts import current_draft, forget_draft
from consent_kit.plugins import call_event
from consent_kit.store import ErasedSubmission, Response, StoreError, SubmissionConflict
from consent_kit.web.helpers import kit, load_survey

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
        kit().plugin_failures.extend(call_event(kit().pm, hook, **arguments))


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
    if not isinstance(done, dict):
        return None, None
    record = kit().store.get_consent(done["pseudonym"])
    return done, record


@bp.get("/s/<survey_id>/done")
def done(survey_id):
    """Thank you, with the reference that is also the code to withdraw."""
    survey = g.survey
    finished, record = _finished(survey)
    if finished is None:
        return redirect(url_for("participant.start", survey_id=survey.id))
    return render_template("participant/done.html", survey=survey, has_copy=record is not None,
                           reference=show_code(finished["reference"]))


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
    statements = {sid: words for sid, words, _ in (text.statements if text else ())}
    return {
        "record": record,
        "text": text,
        "agreed": [statements.get(s, s) for s in record.agreed],
        "declined": [statements.get(s, s) for s in record.declined],
        "reference": show_code(finished["reference"]) if finished else "",
        "withdraw_url": url_for("withdraw.start", _external=True),
    }


def pdf_content(survey, record, context) -> CopyContent:
    """The PDF's words, from the same context as the page."""
    text = context["text"]
    return CopyContent(
        survey_title=survey.title,
        given_at=when(record.given_at),
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
            "withdraw_text": _("You can change your mind or take back your answers at any time, "
                               "without saying why. Go to this web address and type your reference:"),
        },
    )

