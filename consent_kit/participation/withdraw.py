"""Change your mind: see what you agreed to, change an optional answer, or take everything back.

Taking part back is as easy as giving it: the reference code, then one
confirmation. The answers are erased from every file; a minimal record that a
withdrawal happened (pseudonym and time, nothing else) stays for the counts
and the audit log.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from consent_kit.clock import utc_now
from consent_kit.consent.records import change_optional
from consent_kit.i18n.localize import localize
from consent_kit.participation.codes import clean_code, code_key, show_code
from consent_kit.participation.finish import copy_context, day_in_words, today
from consent_kit.plugins import call_each
from consent_kit.web.helpers import kit

log = logging.getLogger(__name__)

bp = Blueprint("withdraw", __name__, url_prefix="/change-your-mind")

SESSION_KEY = "withdraw"


def _record():
    """The record of the reference typed in this browser, for ``DONE_MINUTES`` after typing it.

    Phones are shared: after a while the next person must not find the last
    person's choices (or be able to take their answers back) here.
    """
    typed = session.get(SESSION_KEY) or {}
    minutes = current_app.config.get("DONE_MINUTES", 30)
    if typed and time.time() - typed.get("at", 0) > minutes * 60:
        session.pop(SESSION_KEY, None)
        return None
    pseudonym = typed.get("pseudonym")
    return kit().store.get_consent(pseudonym) if pseudonym else None


@bp.route("/", methods=["GET", "POST"])
def start():
    """Type your reference to see what you agreed to."""
    error = ""
    if request.method == "POST":
        code = clean_code(request.form.get("code", ""))
        record = kit().store.consent_by_code_hash(code_key(code, purpose="withdraw")) if code else None
        if record is not None:
            session[SESSION_KEY] = {"pseudonym": record.pseudonym, "reference": code,
                                    "at": time.time()}
            return redirect(url_for(".yours"))
        error = (_("Type your reference. It has 10 letters and numbers, like K7QM3-XR2PA.")
                 if code is None else
                 _("We can't find that reference. Check it and try again. If you took your answers "
                   "back already, they have been deleted."))
    return render_template("withdraw/start.html", error=error), 400 if error else 200


@bp.get("/yours")
def yours():
    """What you agreed to, with ways to change it."""
    record = _record()
    if record is None:
        return redirect(url_for(".start"))
    survey = _survey_of(record)
    context = copy_context(record, {"reference": session[SESSION_KEY]["reference"]})
    optional = _optional_statements(context["text"])
    return render_template("withdraw/yours.html", survey_title=survey.title if survey else "",
                           survey=survey, too_late=_too_late(survey), optional=optional,
                           changed=request.args.get("changed") == "1", **context)


def _survey_of(record):
    """The survey the record belongs to, in the page's language (None if it is gone)."""
    survey = kit().catalog.surveys.get(record.survey_id)
    return localize(survey, str(get_locale() or "")) if survey else None


def _too_late(survey) -> dict | None:
    """When the survey's last day for taking answers back has passed: that day, in words."""
    if survey is None or survey.can_withdraw(today()):
        return None
    return {"date": day_in_words(survey.withdraw_until), "contact": survey.contact}


def _optional_statements(text) -> list[tuple[str, str]]:
    return [(sid, words) for sid, words, required in (text.statements if text else ()) if not required]


@bp.post("/change")
def change():
    """Change an optional statement, e.g. "stop using my words"."""
    record = _record()
    if record is None:
        return redirect(url_for(".start"))
    text = kit().store.get_consent_text(record.consent_version)
    agreed_now = set(record.agreed) - {sid for sid, _ in _optional_statements(text)}
    ticked = {sid for sid, _ in _optional_statements(text) if request.form.get(f"statement-{sid}") == "yes"}
    agreed_now |= ticked
    updated = change_optional(record, text, agreed_now, utc_now())
    kit().store.change_consent(updated)
    kit().store.audit(actor=f"participant:{record.pseudonym}", action="consent_changed",
                      subject=record.survey_id, details={"agreed": list(updated.agreed)})
    survey = kit().catalog.surveys.get(record.survey_id)
    kit().fire("consent_changed", record=updated, survey=survey)
    return redirect(url_for(".yours", changed=1))


@bp.route("/take-back", methods=["GET", "POST"])
def take_back():
    """Are you sure? Then erase the answers."""
    record = _record()
    if record is None:
        return redirect(url_for(".start"))
    survey = _survey_of(record)
    too_late = _too_late(survey)
    if too_late:
        # Checked here too, not only by hiding the button: the deadline is a promise both ways.
        return render_template("withdraw/too_late.html", survey=survey, too_late=too_late), 403
    if request.method == "GET":
        reference = show_code(session[SESSION_KEY]["reference"])
        return render_template("withdraw/confirm.html", reference=reference, survey=survey)
    problems = withdraw_participant(record)
    session.pop(SESSION_KEY, None)
    return render_template("withdraw/done.html", problems=problems, survey=survey)


def withdraw_participant(record) -> list[str]:
    """Erase a participant's answers here and in every plugin; return plugins that failed.

    ``erase_participant_data`` is a contract: every implementation is called
    even if one fails, and failures are reported (never swallowed) so the
    research team can finish the job by hand.
    """
    response_ids = [r.id for r in kit().store.responses_by_pseudonym(record.pseudonym)]
    failures: list = []  # each one logged, and named to the participant and in the audit entry
    call_each(kit().pm, "erase_participant_data", failures=failures,
              pseudonym=record.pseudonym, response_ids=response_ids)
    problems = [failure.plugin for failure in failures]
    # The store writes the one audit entry itself, with the erasure (issue 23 item 13).
    counts = kit().store.withdraw(
        record.pseudonym, at=utc_now(),
        audit={"actor": f"participant:{record.pseudonym}", "action": "consent_withdrawn",
               "subject": record.survey_id, "details": {"incomplete": problems}})
    if counts.get("damaged"):
        # Unreadable lines may be this person's: say so rather than "deleted" (issue 23 item 9).
        log.error("Withdrawal of %s: %d damaged answer line(s) in the store could not be read, "
                  "so they may still hold this person's answers; check them by hand",
                  record.pseudonym, counts["damaged"])
        problems.append("store")
    kit().fire("consent_withdrawn", pseudonym=record.pseudonym, survey_id=record.survey_id)
    return problems

