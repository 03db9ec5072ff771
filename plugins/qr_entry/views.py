"""Pages: the short link people scan (/j/<code>), and the researchers' QR codes and posters.

Thin on purpose: sources.py keeps the sources, qr.py draws codes and
poster.py lays out sheets. Every /studio page names who may open it; the
survey's project is checked before the view runs, and a source is only ever
looked up within the survey in the address, so one project never reaches
another's sources.
"""

from __future__ import annotations

import re
from collections import Counter

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale, gettext, lazy_gettext

from consent_kit import current_kit, login_required, translations

from . import qr
from .links import NoPublicAddress, address_problem, build_poster, distance_words, join_url, qr_label, state
from .poster import poster_pdf
from .sources import SourceError

bp = Blueprint("qr_entry", __name__, template_folder="templates", static_folder="static",
               static_url_path="/qr-entry/static")

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")


def _catalog():
    return current_kit().catalog


@bp.errorhandler(NoPublicAddress)
def no_public_address(error: NoPublicAddress):
    """No poster, flyer or QR code until the address people use is set (issue 23 item 16)."""
    return render_template("qr_entry/no_address.html", problem=error.problem, base_url=error.base_url,
                           survey_id=request.view_args.get("survey_id", "")), 409


def _link_or_none(source):
    try:
        return join_url(source)
    except NoPublicAddress:
        return None


@bp.get("/j/<code>")
def join(code):
    """A poster's short link: on to the survey's start page, remembering the source (not the person)."""
    source = state().sources.get(code)
    survey = _catalog().get(source.survey_id) if source else None
    if source is None or source.closed or survey is None or not survey.is_open:
        return _not_working(survey), 404 if source is None else 410
    values = {"survey_id": survey.id, "source": source.code}
    language = request.args.get("lang", "") or source.language
    if _LANGUAGE.match(language):
        values["lang"] = language
    return redirect(url_for("participant.start", **values))


def _not_working(survey):
    """The "link isn't working" page, with the survey's own way out and support when we know it.

    Someone who scanned an old poster may be having a hard day: the page shows that
    survey's "Leave this page" and support link, but never a way into a closed link.
    """
    shown = None
    if survey is not None:
        shown = translations.localize(survey, str(get_locale() or "en"))
    return render_template("qr_entry/not_working.html", survey=shown, link_closed=True)


# -- researchers ---------------------------------------------------------------------------

LABELS = {"name": lazy_gettext("Name of the place"), "language": lazy_gettext("Language"),
          "invitation": lazy_gettext("Invitation"), "contact": lazy_gettext("Who to contact")}


@bp.route("/studio/surveys/<survey_id>/qr", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def sources(survey_id):
    """A survey's places with their links, QR codes and posters; add a place; poster words."""
    survey = _catalog().get(survey_id)
    errors, form = [], {key: request.form.get(key, "") for key in LABELS}
    if request.method == "POST" and survey is not None:
        try:
            message = _change(survey, request.form.get("action", ""), form)
        except SourceError as error:
            errors = [(error.field, str(LABELS[error.field]), gettext(str(error)))]
        else:
            flash(message, "success")
            return redirect(url_for(".sources", survey_id=survey_id))
    return _sources_page(survey_id, survey, errors, form), (400 if errors else 200)


def _change(survey, action: str, form: dict) -> str:
    """Add a place or save the poster words; return what to tell the researcher."""
    if action == "words":
        state().posters.save(survey.id, form["invitation"], form["contact"])
        return gettext("The poster words are saved.")
    made = state().sources.create(survey.id, form["name"], form["language"])
    return gettext("%(name)s has its own link and QR code now.", name=made.name)


def _sources_page(survey_id, survey, errors, form):
    found = state().sources.for_survey(survey_id)
    counts = Counter(r.source for r in current_kit().store.iter_responses(survey_id))
    rows = [{"source": s, "link": _link_or_none(s), "answers": counts.get(s.code, 0)} for s in found]
    words = state().posters.get(survey_id)
    if request.method != "POST" or request.form.get("action") != "words":
        form.update(invitation=words.invitation, contact=words.contact)
    return render_template("qr_entry/sources.html", survey=survey, survey_id=survey_id, rows=rows,
                           errors=errors, form=form, labels=LABELS, sizes=qr.SIZES,
                           other=counts.get("", 0), size_notes=_size_notes(),
                           problem=address_problem(current_app.config.get("BASE_URL", "")),
                           base_url=current_app.config.get("BASE_URL", ""))


def _size_notes() -> dict[str, str]:
    """How big each printed code is and how far it scans from, in plain words."""
    notes = {}
    for size in qr.SIZES.values():
        kind = gettext("On a poster (A4)") if size.kind == "poster" else gettext("On a flyer (A5)")
        width = f"{size.code_mm / 10:g}"  # outside the call: message extraction skips f-strings in it
        notes[size.key] = gettext(
            "%(kind)s the code is %(width)s cm wide and scans from up to %(distance)s away.",
            kind=kind, width=width, distance=distance_words(size))
    return notes


@bp.post("/studio/surveys/<survey_id>/qr/<code>")
@login_required("researcher", scope="survey")
def source(survey_id, code):
    """Close a place's link (it then says it isn't working any more), or open it again."""
    found = _source_or_404(survey_id, code)
    closing = request.form.get("action") != "open"
    state().sources.set_closed(found, closing)
    if closing:
        flash(gettext("The link for %(name)s is closed. People who scan it are told it isn't working "
                      "any more.", name=found.name), "success")
    else:
        flash(gettext("The link for %(name)s works again.", name=found.name), "success")
    return redirect(url_for(".sources", survey_id=survey_id))


def _source_or_404(survey_id, code):
    found = state().sources.find(survey_id, code)
    if found is None:
        abort(404)
    return found


def _sheet(survey_id, code):
    """The poster's words, its source and the language it is in; or "not found"."""
    survey = _catalog().get(survey_id)
    found = _source_or_404(survey_id, code)
    size = qr.SIZES.get(request.args.get("size", "a4"))
    if survey is None or size is None:
        abort(404)
    language = found.language or survey.language or "en"
    return build_poster(survey, found, size, state().posters.get(survey_id)), found, language


@bp.get("/studio/surveys/<survey_id>/qr/<code>/poster")
@login_required("researcher", scope="survey")
def poster(survey_id, code):
    """The poster (A4) or flyer (A5) as a page to print from the browser."""
    sheet, found, language = _sheet(survey_id, code)
    # The bar above the sheet is for the researcher: their language, not the poster's.
    nav = {"back": gettext("Back to the places"),
           "how": gettext("To print, use your browser's Print (Ctrl+P, or ⌘+P on a Mac) at actual size "
                          "(100%), not “fit to page”."),
           "pdf": gettext("Or download it as a PDF"), "label": gettext("Printing")}
    with force_locale(language):
        code_svg = qr.svg(sheet.url, error_correction=sheet.size.error_correction,
                          code_mm=sheet.size.code_mm, label=qr_label(sheet.url))
        return render_template("qr_entry/poster.html", sheet=sheet, source=found, code_svg=code_svg,
                               survey_id=survey_id, html_lang=language, nav=nav)


@bp.get("/studio/surveys/<survey_id>/qr/<code>/poster.pdf")
@login_required("researcher", scope="survey")
def poster_as_pdf(survey_id, code):
    """The same poster or flyer as a PDF, made on this server."""
    sheet, found, _ = _sheet(survey_id, code)
    name = f"{sheet.size.kind}-{survey_id}-{found.code}.pdf"
    return current_app.response_class(poster_pdf(sheet), mimetype="application/pdf",
                                      headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/studio/surveys/<survey_id>/qr/<code>/qr.svg")
@login_required("researcher", scope="survey")
def qr_svg(survey_id, code):
    """The QR code alone, as an SVG file to put on your own designs."""
    sheet, found, _ = _sheet(survey_id, code)
    body = qr.svg(sheet.url, error_correction=sheet.size.error_correction, code_mm=sheet.size.code_mm,
                  label=qr_label(sheet.url))
    name = f"qr-{survey_id}-{found.code}-{sheet.size.kind}.svg"
    return current_app.response_class(body, mimetype="image/svg+xml",
                                      headers={"Content-Disposition": f'attachment; filename="{name}"'})
