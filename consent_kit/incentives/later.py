"""Claiming later, or on the way out: with the reference, or after stopping early.

Not everyone can claim straight after "Thank you" on the same phone: the
battery dies, the phone was borrowed, the session ended on a shared computer,
or they stopped before the end. Two more ways in, both leading to the same
claim page:

* ``/s/<id>/claim/later``: type the reference from the Thank you page. The
  reference is checked as "Change your mind" checks it (a hash, never the
  code, is stored) and the number of tries per address is limited.
* ``/s/<id>/claim/stop``: from "Save and come back later", when the survey
  file says ``if_you_stop: claim``. Only a browser that agreed to take part
  can use it.

Either way the browser gets a one-time claim token, as after "Thank you", and
the claim takes the response's one-way mark (:func:`views.claim_mark`), so a
response is paid once whichever way it comes. Nothing stored links the
reference to the claim.
"""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l

from consent_kit.incentives import views
from consent_kit.incentives.rules import rule_of
from consent_kit.participation.codes import clean_code, code_key
from consent_kit.participation.drafts import current_draft
from consent_kit.web.helpers import kit
from consent_kit.web.ratelimit import attempts_for

bp = views.bp

LATER_ERRORS = {
    "form": _l("Type your reference. It has 10 letters and numbers, like K7QM3-XR2PA."),
    "unknown": _l("We can't find that reference for this survey. Check it and try again."),
    "claimed": _l("This thank-you payment has already been claimed."),
}


@bp.route("/s/<survey_id>/claim/later", methods=["GET", "POST"])
def claim_later(survey_id):
    """Type your reference to claim the thank-you payment, on any phone or computer."""
    survey = g.survey
    if rule_of(survey) is None:
        return render_template("incentives/nothing.html", survey=survey), 404
    if request.method == "GET":
        return render_template("incentives/later.html", survey=survey, error="")
    if not _attempts().allow(request.remote_addr or "?"):
        abort(429)
    problem, pseudonym = _check_reference(survey, request.form.get("code", ""))
    if problem:
        return render_template("incentives/later.html", survey=survey,
                               error=LATER_ERRORS[problem]), 400
    views.hold(survey.id, pseudonym, "later")
    return redirect(url_for(".claim", survey_id=survey.id))


def _check_reference(survey, typed: str) -> tuple[str, str]:
    """``(problem, pseudonym)``: problem is "" when the reference can claim now."""
    code = clean_code(typed)
    if code is None:
        return "form", ""
    record = kit().store.consent_by_code_hash(code_key(code, purpose="withdraw"))
    if record is None or record.survey_id != survey.id:
        return "unknown", ""
    if views.state().records.marked(survey.id, views.claim_mark(record.pseudonym)):
        return "claimed", ""
    return "", record.pseudonym


def _attempts():
    """Tries per address, as for the other forms that take a code (counted in the store)."""
    return attempts_for("claim_references", 10, "CODE_ATTEMPTS_PER_MINUTE")


@bp.post("/s/<survey_id>/claim/stop")
def claim_on_stopping(survey_id):
    """Stopping early: claim the payment now, when the survey offers it to people who stop."""
    survey = g.survey
    rule = rule_of(survey)
    draft = current_draft(survey)
    agreed = draft is not None and (survey.consent is None or bool(draft.get("consent")))
    if rule is None or rule.if_you_stop != "claim" or not agreed:
        return render_template("incentives/nothing.html", survey=survey), 404
    held = session.get(views.SESSION_KEY, {}).get(survey.id)
    if not (isinstance(held, dict) and held.get("for") == draft["pseudonym"]):
        views.hold(survey.id, draft["pseudonym"], "stop")
    return redirect(url_for(".claim", survey_id=survey.id))
