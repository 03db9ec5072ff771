"""The findings page for people who took part: /f/<survey_id>, no sign-in, no JavaScript.

Anyone can read a published page. Typing a reference shows what happened to
that person's answers; it is looked up as "Change your mind" looks it up
(the same code, the same hash), and tries from one address are limited.
Nothing about the reference is kept: the answer is on this one page only.
"""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from consent_kit.findings import contacts, pictures
from consent_kit.findings.book import said_did_in_order
from consent_kit.findings.pdf import findings_html, findings_pdf, picture_urls
from consent_kit.findings.render import show_items, words_to_read
from consent_kit.findings.store import project_published, published, words
from consent_kit.i18n.languages import html_lang, text_direction
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
    shown = _shown(kit, survey, page_, easy=request.args.get("format") == "easy")
    yours, error = None, ""
    if request.method == "POST" and page_:
        tries = current_app.config.get("CODE_ATTEMPTS_PER_MINUTE", REFERENCE_TRIES)
        if not attempts_for("findings_references", tries).allow(request.remote_addr or "?"):
            abort(429)
        yours, error = _yours(kit, survey, page_, shown, request.form.get("code", ""))
    return _render(survey, page_, shown, yours=yours, error=error)


def _shown(kit, survey, page_, *, easy: bool = False) -> list[dict]:
    """What the published page shows, in the reader's language (and Easy Read with ``easy``)."""
    if not page_:
        return []
    return show_items(page_["items"], survey, responses=lambda: kit.store.iter_responses(survey.id),
                      get_response=kit.store.get_response, get_consent=kit.store.get_consent,
                      min_group=min_group(), words=words(), language=str(get_locale() or ""),
                      easy=easy, picture_url=lambda item: pictures.data_uri(
                          pictures.folder(current_app.instance_path, survey.id),
                          item["picture"]["name"]))


def _render(survey, page_, shown, *, yours=None, error="", tell_error="", typed=""):
    """The findings page (or "not ready yet", with "tell me when it's ready")."""
    asked = request.args.get("asked") == "1"
    offer_to_read_aloud(shown)
    return render_template(
        "findings/public.html", survey=survey, page=page_, shown=shown,
        said_did=_dated(page_["said_did"]) if page_ else [], yours=yours, error=error,
        words=words(), min_group=min_group(), tell_error=tell_error, typed=typed, asked=asked,
        easy=request.args.get("format") == "easy", project_url=_project_url(survey) if page_ else "",
        has_easy=any(i.get("easy_read") for i in (page_ or {}).get("items", [])),
    ), 400 if (error or tell_error) else 200


def offer_to_read_aloud(shown: list[dict]) -> None:
    """Leave each shown section's words where a plugin that reads aloud finds them (this request only).

    The page then calls ``item_parts("finding", <part id>)`` before each section; a plugin
    such as accessible_formats reads ``kit.request_state("read_aloud")[("finding", id)]``
    (``words`` and their ``language``) to offer a "Listen" player. Without such a plugin
    nothing is shown and nothing else changes.
    """
    state = current_kit().request_state("read_aloud")
    for view in shown:
        if view["kind"] == "section":
            state[("finding", view["id"])] = {"words": words_to_read(view),
                                              "language": view["language"]}


def _project_url(survey) -> str:
    """The project's findings page, when it has more than this survey's ("" otherwise): the
    project's own published words, or another survey's findings."""
    from consent_kit.findings.project_views import published_in  # it builds on this module

    kit = current_kit()
    project_id = kit.project_of(survey.id)
    if not project_id:
        return ""
    if not project_published(kit, project_id) and len(published_in(kit, project_id)) < 2:
        return ""
    return url_for("findings_project.page", project_id=project_id)


@bp.post("/<survey_id>/tell-me")
def tell_me(survey_id):
    """Keep an email or phone number to tell this person when the findings are ready.

    Kept apart from answers: nothing here is tied to the person's reference or
    answers, and it is deleted once they are told.
    """
    kit = current_kit()
    survey = kit.catalog.get(survey_id)
    if survey is None:
        abort(404)
    kit.use_survey(survey)
    tries = current_app.config.get("CODE_ATTEMPTS_PER_MINUTE", REFERENCE_TRIES)
    if not attempts_for("findings_contacts", tries).allow(request.remote_addr or "?"):
        abort(429)
    typed = request.form.get("contact", "")
    if published(kit, survey.id):
        return redirect(url_for(".page", survey_id=survey.id))  # nothing to wait for
    if not contacts.add(kit.store.documents(contacts.TABLE), survey.id, typed,
                        language=str(get_locale() or ""), day=dt.date.today().isoformat()):
        survey = localize(survey, str(get_locale() or ""))
        return _render(survey, None, [], typed=typed, tell_error=_(
            "Type an email address, like name@example.com, or a phone number, like 07700 900123."))
    return redirect(url_for(".page", survey_id=survey.id, asked="1") + "#tell")


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


@bp.get("/<survey_id>/findings.pdf")
def pdf(survey_id):
    """The published page as a PDF to print or keep; ``?size=large`` for large print."""
    kit = current_kit()
    survey = kit.catalog.get(survey_id)
    if survey is None:
        abort(404)
    kit.use_survey(survey)
    lang = str(get_locale() or "en")
    survey = localize(survey, lang)
    page_ = published(kit, survey.id)
    if not page_:
        abort(404)
    easy, large = request.args.get("format") == "easy", request.args.get("size") == "large"
    shown = _shown(kit, survey, page_, easy=easy)
    html = findings_html(
        survey_title=survey.title, shown=shown,
        said_did=_dated(page_["said_did"]), labels=_pdf_labels(),
        address=url_for(".page", survey_id=survey.id, _external=True), lang=html_lang(lang),
        direction=text_direction(lang), large=large)
    response = Response(findings_pdf(html, picture_urls(shown)), mimetype="application/pdf")
    name = f"{survey.id}-findings{'-large-print' if large else ''}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _pdf_labels() -> dict[str, str]:
    return {"title": _("What we found"), "answer": _("Answer"), "people": _("People"),
            "hidden": words()["hidden"], "someone": _("Someone who took part"),
            "too_few": _("Fewer than %(n)d people answered this, so we don't show the numbers. "
                         "This keeps people safe.", n=min_group()),
            "removed": _("A quote was taken out because the person who said it changed their mind."),
            "said_did": _("You said, we did"), "you_said": _("You said:"), "we_did": _("We did:"),
            "online": _("You can also read this online:")}
