"""Studio pages for the findings in other languages (side by side) and the findings link's QR code.

A translation is the researchers' own words in another of the survey's
languages, kept with each part of the page (``translations`` by language):
a heading, a text and an Easy Read version. Saving one is a change like any
other: a second member approves it before it is published.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from consent_kit.clock import utc_now
from consent_kit.findings import book as rules
from consent_kit.findings.advice import section_texts, text_advice
from consent_kit.findings.share import qr_svg
from consent_kit.findings.store import load, update
from consent_kit.i18n.languages import html_lang, native_name, text_direction
from consent_kit.i18n.localize import languages
from consent_kit.kit import current_kit
from consent_kit.studio.rules import login_required

bp = Blueprint("findings_translate", __name__, template_folder="templates",
               url_prefix="/studio/surveys")
FIELDS = ("heading", "text", "easy_read")


def _survey(survey_id: str):
    survey = current_kit().catalog.get(survey_id)
    if survey is None:
        abort(404)
    return survey


def _language(survey, lang: str) -> str:
    """``lang`` if it is one of the survey's other languages, else "not found"."""
    if lang == survey.language or lang not in languages(survey):
        abort(404)
    return lang


@bp.get("/<survey_id>/findings/translate/<lang>")
@login_required("researcher", scope="survey")
def translate(survey_id, lang):
    """Each part of the page as written, beside boxes for the same words in ``lang``."""
    survey = _survey(survey_id)
    return _page(survey, _language(survey, lang))


def _page(survey, lang: str, status: int = 200):
    kit = current_kit()
    book = load(kit, survey.id)
    sections = [item for item in book["items"] if item.get("kind") == "section"]
    labels = {"heading": _("heading"), "text": _("text"), "easy_read": _("Easy Read")}
    advice = {item["id"]: text_advice(kit.pm, survey, section_texts(item, labels, lang),
                                      where=item.get("heading", ""), language=lang)
              for item in sections}
    return render_template(
        "findings/translate.html", survey=survey, project=kit.current_project(), lang=lang,
        name=survey.title, back=url_for("findings_studio.edit", survey_id=survey.id),
        back_label=_("Findings to share"),
        action=url_for("findings_translate.save", survey_id=survey.id, lang=lang),
        lang_attr=Markup(' lang="{}" dir="{}"').format(html_lang(lang), text_direction(lang)),
        own_attr=Markup(' lang="{}" dir="{}"').format(html_lang(survey.language),
                                                      text_direction(survey.language)),
        language=native_name(lang), sections=sections, advice=advice), status


@bp.post("/<survey_id>/findings/translate/<lang>")
@login_required("researcher", scope="survey")
def save(survey_id, lang):
    """Keep the words typed for every part (an empty heading and text takes a translation out)."""
    survey = _survey(survey_id)
    lang = _language(survey, lang)
    typed = typed_translations(request.form)
    me, now = current_kit().current_user().username, utc_now()

    def apply(book: dict) -> None:
        put_translations(book, typed, lang)
        rules.changed(book, me, now)

    update(current_kit(), survey.id, apply)
    flash(_("Saved. Someone else in the project needs to approve this before it is published."),
          "success")
    return redirect(url_for(".translate", survey_id=survey.id, lang=lang))


def typed_translations(form) -> dict[str, dict[str, str]]:
    """The words typed in a translation form, by part id: ``{"heading", "text", "easy_read"}``."""
    typed: dict[str, dict[str, str]] = {}
    for key in form:
        name, _sep, item_id = key.partition("-")
        if name in FIELDS and item_id:
            limit = rules.MAX_HEADING if name == "heading" else rules.MAX_TEXT
            typed.setdefault(item_id, {})[name] = form[key].replace("\r\n", "\n").strip()[:limit]
    return typed


def put_translations(book: dict, typed: dict, lang: str) -> None:
    """Keep the typed words with each part (empty boxes take that part's translation out)."""
    for item in book["items"]:
        words = typed.get(item.get("id"))
        if item.get("kind") != "section" or words is None:
            continue
        translations = item.setdefault("translations", {})
        if words.get("heading") or words.get("text") or words.get("easy_read"):
            translations[lang] = {field: words.get(field, "") for field in FIELDS}
        else:
            translations.pop(lang, None)


@bp.get("/<survey_id>/findings/share")
@login_required("researcher", scope="survey")
def share(survey_id):
    """The findings link and its QR code, to put up where people took part."""
    survey = _survey(survey_id)
    kit = current_kit()
    url = url_for("findings.page", survey_id=survey.id, _external=True)
    return render_template(
        "findings/share.html", survey=survey, project=kit.current_project(), url=url,
        published=bool(load(kit, survey.id).get("published")),
        code=Markup(qr_svg(url, label=_("QR code for the findings page"))))


@bp.get("/<survey_id>/findings/qr.svg")
@login_required("researcher", scope="survey")
def qr_file(survey_id):
    """The QR code as a file, for a poster or a flyer."""
    survey = _survey(survey_id)
    url = url_for("findings.page", survey_id=survey.id, _external=True)
    svg = qr_svg(url, label=_("QR code for the findings page"), width_px=600)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'attachment; filename="{survey.id}-findings-qr.svg"'
    return response
