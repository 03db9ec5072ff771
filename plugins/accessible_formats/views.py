"""Participant pages of accessible_formats: display options, audio, pictures, paper and print."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _

from consent_kit import current_kit

from . import options, paper, speech
from .parts import SESSION_KEY, chosen, language
from .recordings import SUFFIXES, Recordings, cache_folder
from .texts import Labels, find_item, information_text, markdown_plain, words_to_read

bp = Blueprint("accessible_formats", __name__, template_folder="templates")


def survey_or_stop(survey_id: str):
    """The open survey with this id (also shown in the page header), else "not found"/"unavailable"."""
    catalog = current_kit().catalog
    survey = catalog.get(survey_id)
    if survey is None or not survey.is_open:
        abort(404 if survey is None and not catalog.is_broken(survey_id) else 410)
    current_kit().use_survey(survey)
    return survey


def _unsafe(text: str) -> bool:
    """Holds a space, a control character or a backslash (never in an address this site makes)."""
    return any(ord(c) < 0x21 or c in "\\\x7f" for c in text)


def safe_next(target: str | None) -> str | None:
    """A path on this site to go back to, or None (never another website).

    The address is parsed, not pattern-matched: it must have no scheme and no host, and its
    path must start with one slash. Browsers drop tabs and line breaks anywhere in an address
    and read a backslash as a slash before they follow it (so slash, tab, slash, evil.example
    goes to evil.example), and a proxy may decode "%2F"; none of these is ever in an address
    this site makes, so an address holding one is refused rather than guessed at.
    """
    if not target or _unsafe(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    decoded = unquote(parts.path)
    if decoded.startswith("//") or _unsafe(decoded):
        return None
    # Rebuilt from its parts it must be what was given: "///host/x" parses as an empty host,
    # which browsers don't agree on.
    rebuilt = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    return rebuilt if rebuilt == target else None


def _start_of(survey) -> str:
    """Where a refused "next" sends people: the survey's start page, else the home page."""
    return url_for("participant.start", survey_id=survey.id) if survey else url_for("participant.index")


@bp.route("/formats/display", methods=["GET", "POST"], endpoint="display_any")
@bp.route("/s/<survey_id>/formats", methods=["GET", "POST"])
def display(survey_id=None):
    """Choose display options (kept for this visit) and find the other formats."""
    survey = survey_or_stop(survey_id) if survey_id else None
    asked = request.values.get("next")
    back = safe_next(asked)
    if request.method == "POST":
        session[SESSION_KEY] = list(options.clean(request.form.getlist("option")))
        if back or asked:
            return redirect(back or _start_of(survey))
        here = url_for(".display", survey_id=survey_id) if survey else url_for(".display_any")
        return redirect(here + "?saved=1")
    action = url_for(".display", survey_id=survey_id) if survey else url_for(".display_any")
    has_easy = bool(survey) and any("easy_read" in q.media for q in survey.questions)
    return render_template("accessible_formats/display.html", chosen=chosen(), action=action,
                           back=back or "", back_link=back or _start_of(survey),
                           saved=request.args.get("saved") == "1",
                           has_easy=has_easy, listen_ready=speech.voice_for(language()) is not None)


@bp.get("/formats/style/<key>.css")
def stylesheet(key):
    """The CSS for one combination of options (one request, whatever is chosen)."""
    try:
        # The core's stylesheet first, so a page with options on still makes one CSS request.
        css = options.stylesheet(key, current_kit().core_stylesheet())
    except KeyError:
        abort(404)
    response = Response(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.get("/s/<survey_id>/formats/listen/<kind>/<item_id>")
def audio(survey_id, kind, item_id):
    """The recording of a question or consent section: the researchers' own, else espeak-ng's."""
    survey = survey_or_stop(survey_id)
    item = find_item(survey, kind, item_id)
    if item is None:
        abort(404)
    recorded = Recordings(current_app).find(survey.id, kind, item_id)
    if recorded is not None:
        return send_file(recorded, mimetype=SUFFIXES[recorded.suffix], conditional=True)
    lang = request.args.get("lang") or language()
    try:
        # Made once and kept for everyone, so an earlier answer is named, never filled in.
        words = words_to_read(kind, item, survey, _("your answer to ‘%(question)s’"))
        spoken = speech.speak(words, lang, cache_folder(current_app))
    except speech.SpeechUnavailable as error:
        current_app.logger.warning("No read-aloud audio for %s %s: %s", kind, item_id, error)
        abort(404)
    return send_file(spoken, mimetype="audio/mpeg", conditional=True, max_age=3600)


@bp.get("/s/<survey_id>/formats/picture/<path:name>")
def picture(survey_id, name):
    """A picture named by the survey's easy-read settings (and nothing else in the folder)."""
    survey = survey_or_stop(survey_id)
    used = {m["easy_read"].get("image") for m in _media(survey) if "easy_read" in m}
    if name not in used or not survey.source:
        abort(404)
    folder = Path(survey.source).resolve().parent
    path = (folder / name).resolve()
    if folder not in path.parents or not path.is_file():
        abort(404)
    return send_file(path, max_age=3600)


def _media(survey):
    yield from (q.media for q in survey.questions)
    if survey.consent is not None:
        yield from (s.media for s in survey.consent.sections)
        for variant in survey.consent.variants:
            yield from (s.media for s in variant.sections)


@bp.get("/s/<survey_id>/formats/print")
def print_version(survey_id):
    """The whole survey and its consent information, ready to print (tick boxes, lines)."""
    survey = survey_or_stop(survey_id)
    return render_template("accessible_formats/print.html", questions=_paper_questions(survey),
                           sections=_sections(survey), large=request.args.get("size") == "large")


@bp.get("/s/<survey_id>/formats/large-print")
def large_print(survey_id):
    """The information sheet and the consent statements in large print."""
    survey = survey_or_stop(survey_id)
    return render_template("accessible_formats/large_print.html", sections=_sections(survey))


@bp.get("/s/<survey_id>/formats/information.txt")
def plain_text(survey_id):
    """The information sheet and the consent statements as plain text."""
    survey = survey_or_stop(survey_id)
    labels = Labels(_("What you need to know"), _("What you agree to"), _("needed to take part"),
                    _("you can say no"))
    response = Response(information_text(survey, labels), mimetype="text/plain")
    response.headers["Content-Disposition"] = f'inline; filename="{survey.id}-information.txt"'
    return response


@bp.get("/s/<survey_id>/formats/paper.pdf")
def paper_pdf(survey_id):
    """The paper version as a PDF (``?size=large`` for large print)."""
    survey = survey_or_stop(survey_id)
    large = request.args.get("size") == "large"
    key = (survey.id, survey.version, language(), large)
    data = pdf_cache().get(key, lambda: _make_paper_pdf(survey, large))
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{survey.id}.pdf"'
    response.set_etag("-".join(str(part) for part in key))
    return response.make_conditional(request)


def pdf_cache() -> paper.PdfCache:
    """This app's kept paper PDFs (made on first use)."""
    return current_kit().plugin_state.setdefault("accessible_formats.paper_pdfs", paper.PdfCache())


def _make_paper_pdf(survey, large: bool) -> bytes:
    labels = paper.PaperLabels(
        information=_("What you need to know"), statements=_("What you agree to"),
        needed=_("needed to take part"), optional=_("you can say no"),
        tick_one=_("Tick one box."), tick_any=_("Tick all that fit."),
        write_here=_("Write your answer on the lines."), date=_("Day / month / year"),
        sign=_("Write your first name or initials and the date to say you agree."),
        questions=_("Questions"), optional_question=_("(optional)"))
    return paper.paper_pdf(survey, _paper_questions(survey), labels, large=large)


def _paper_questions(survey):
    types = current_kit().question_types
    # %(question)s is filled in later (with no variables gettext leaves it as it is).
    return paper.paper_questions(survey, types, _("Prefer not to say"),
                                 _("(your answer to question %(question)s)"))


def _sections(survey):
    """(heading, paragraphs) for each information section, plain text."""
    if survey.consent is None:
        return []
    return [(s.heading, markdown_plain(s.text).split("\n")) for s in survey.consent.sections]
