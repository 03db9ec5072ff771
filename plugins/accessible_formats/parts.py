"""The small pieces this plugin adds to participant pages: a link, a form, a player, a picture."""

from __future__ import annotations

from flask import current_app, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from consent_kit import StudioTask, remembered_url_for, stand_in

from . import options, read_aloud, speech
from .recordings import Recordings
from .texts import easy_lines, find_item, question_words

SESSION_KEY = "ck_display"
#: Pages laid out for printing: they get the paper styles in the same one stylesheet.
PAPER_PAGES = ("accessible_formats.print_version", "accessible_formats.large_print")


def in_studio() -> bool:
    """True on the researchers' pages (all under /studio): they keep their own look."""
    return request.path == "/studio" or request.path.startswith("/studio/")


def chosen() -> tuple[str, ...]:
    """The display options this visitor turned on."""
    return options.clean(session.get(SESSION_KEY, ()))


def stylesheet_url(endpoint: str) -> str | None:
    """The page's one stylesheet when options are on (the core's ck.css with them), else None.

    One file rather than ck.css plus ours keeps every page within three requests.
    """
    if in_studio():
        return None
    key = options.css_key(chosen(), paper=endpoint in PAPER_PAGES)
    return url_for("accessible_formats.stylesheet", key=key) if key else None


def css_urls(endpoint: str) -> list[dict]:
    """The page's one stylesheet when options are on: the core's rules and the options', together."""
    url = stylesheet_url(endpoint)
    return [{"url": url, "instead_of_core": True}] if url else []


def studio_tasks(survey_id: str) -> list[StudioTask]:
    """Other formats of a survey, as a task on its page in the studio."""
    return [StudioTask(_("Other formats: print, paper answers, recordings"),
                       url_for("accessible_formats_studio.formats", survey_id=survey_id), order=60)]


def back_path() -> str:
    """Where "Save" on the options page returns to: this page, if it can be opened again."""
    if request.method == "GET" and not in_studio():
        return request.full_path.rstrip("?")
    return ""


def options_url(survey) -> str:
    """The display options page, for this survey if there is one, coming back here."""
    back = back_path() or None
    # In every page's header: remembered per page address, like the templates' links.
    if survey is not None:
        return remembered_url_for("accessible_formats.display", survey_id=survey.id, next=back)
    return remembered_url_for("accessible_formats.display_any", next=back)


def page_part(slot: str, survey):
    """The link in every page's header, and the options form on the start page."""
    if in_studio() or (request.endpoint or "").startswith("accessible_formats."):
        return None
    if slot == "header":
        # On every page: formatted here rather than drawn from a template, which would run
        # every context processor again (a tenth of a question page's time).
        return Markup('<p class="af-bar"><a href="{}">{}</a></p>').format(
            options_url(survey), _("Change how this looks or sounds"))
    if slot == "findings_formats":
        return read_aloud.listen_link(chosen(), language())
    if slot == "start" and survey is not None:
        return render_template("accessible_formats/_form.html", chosen=chosen(),
                               action=url_for("accessible_formats.display", survey_id=survey.id),
                               back=back_path(), compact=True)
    return None


def item_part(kind: str, item_id: str, survey):
    """Easy Read, Listen and sign language for one question or consent section."""
    if kind in read_aloud.KINDS:  # words the page handed over (findings): Listen only
        return None if in_studio() else read_aloud.item_part(kind, item_id, chosen())
    if survey is None:
        return None
    item = find_item(survey, kind, item_id)
    if item is None:
        return None
    on = chosen()
    easy = item.media.get("easy_read") if "easy" in on else None
    bsl = item.media.get("bsl", "")
    listen = _listen(survey, kind, item_id) if "listen" in on else None
    if not (easy or bsl or listen):
        return None
    return render_template("accessible_formats/_item.html", kind=kind, item_id=item_id,
                           easy=easy, lines=_easy_lines(easy["text"], survey) if easy else [],
                           bsl=bsl, listen=listen, survey=survey)


def _easy_lines(text: str, survey) -> list[str]:
    """Easy Read lines; an earlier answer in them (``${name}``) named in words, never as code."""
    lines = easy_lines(text)
    if not any("${" in line for line in lines):
        return lines
    phrase, named = _("your answer to ‘%(question)s’"), question_words(survey)
    return [str(stand_in(line, phrase, named)) for line in lines]


def _listen(survey, kind: str, item_id: str) -> dict:
    """What the player needs: its URL, or that listening isn't available here."""
    has_recording = Recordings(current_app).find(survey.id, kind, item_id) is not None
    if not has_recording and speech.voice_for(language()) is None:
        return {"url": ""}
    return {"url": url_for("accessible_formats.audio", survey_id=survey.id, kind=kind,
                           item_id=item_id, lang=language())}


def language() -> str:
    """The language the page is in (the voice follows it)."""
    return str(get_locale() or "en")
