"""The findings page for people who took part: /f/<survey_id>, no sign-in, no JavaScript.

Anyone can read a published page. Typing a reference shows what happened to
that person's answers; it is looked up as "Change your mind" looks it up
(the same code, the same hash), and tries from one address are limited.
Nothing about the reference is kept: the answer is on this one page only.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from consent_kit.findings.book import said_did_in_order
from consent_kit.findings.render import show_items
from consent_kit.findings.store import published, words
from consent_kit.i18n.localize import localize
from consent_kit.kit import current_kit
from consent_kit.participation.codes import clean_code, code_key
from consent_kit.participation.finish import day_in_words
from consent_kit.results.views import min_group
from consent_kit.web.ratelimit import attempts_for

bp = Blueprint("findings", __name__, template_folder="templates", url_prefix="/f")

#: Tries of a reference per address a minute when the settings have no ``CODE_ATTEMPTS_PER_MINUTE``.
REFERENCE_TRIES = 30


@bp.route("/<survey_id>", methods=["GET", "POST"])
def page(survey_id):
    """What we found, what changed because of it, and (with a reference) what happened to yours."""
    kit = current_kit()
    survey = kit.catalog.get(survey_id)
    if survey is None:
        abort(404)
    kit.use_survey(survey)  # the page's language, exit button and support link
    survey = localize(survey, str(get_locale() or ""))  # its questions in the reader's language
    kit.use_survey(survey)
    page_ = published(kit, survey.id)
    shown = []
    if page_:
        shown = show_items(page_["items"], survey,
                           responses=lambda: kit.store.iter_responses(survey.id),
                           get_response=kit.store.get_response, get_consent=kit.store.get_consent,
                           min_group=min_group(), words=words())
    yours, error = None, ""
    if request.method == "POST" and page_:
        tries = current_app.config.get("CODE_ATTEMPTS_PER_MINUTE", REFERENCE_TRIES)
        if not attempts_for("findings_references", tries).allow(request.remote_addr or "?"):
            abort(429)
        yours, error = _yours(kit, survey, page_, shown, request.form.get("code", ""))
    return render_template(
        "findings/public.html", survey=survey, page=page_, shown=shown,
        said_did=_dated(page_["said_did"]) if page_ else [], yours=yours, error=error,
        words=words(), min_group=min_group(),
    ), 400 if error else 200


def _dated(entries) -> list[dict]:
    """The "You said, we did" entries, newest first, each with its day in words ("2 December 2026")."""
    shown = []
    for entry in said_did_in_order(entries):
        try:
            when = day_in_words(dt.date.fromisoformat(entry.get("date", "")))
        except ValueError:
            when = ""
        shown.append({**entry, "when": when})
    return shown


def _yours(kit, survey, page_: dict, shown: list[dict], typed: str) -> tuple[dict | None, str]:
    """What happened to the answers of the person with this reference, or an error message."""
    code = clean_code(typed)
    if code is None:
        return None, _("Type your reference. It has 10 letters and numbers, like K7QM3-XR2PA.")
    record = kit.store.consent_by_code_hash(code_key(code, purpose="withdraw"))
    if record is None:
        return None, _("We can't find that reference. Check it and try again. If you took your "
                       "answers back, they were deleted, so they are not in these findings.")
    if record.survey_id != survey.id:
        return {"state": "other"}, ""
    mine = {r.id for r in kit.store.responses_by_pseudonym(record.pseudonym)
            if r.survey_id == survey.id}
    if not mine:
        return {"state": "none"}, ""
    quoted_ids = {item["id"] for item in page_["items"]
                  if item.get("kind") == "quote" and item.get("response_id") in mine}
    quoted = any(view["kind"] == "quote" and view["id"] in quoted_ids for view in shown)
    return {"state": "in", "quoted": quoted}, ""
