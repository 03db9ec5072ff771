"""Listen to pages that hand this plugin their words: findings pages (each section read aloud).

A page that wants its parts read aloud puts each part's plain words and their
language in ``kit.request_state("read_aloud")[(kind, item_id)]`` and calls
``item_parts(kind, item_id)``; the findings pages do (kind ``"finding"``). This
plugin then offers a plain ``<audio controls>`` player for the part. Its
address is the name of the audio in the cache (a hash of the words and the
voice), and the words are kept beside it in a small text file. So only words a
page really showed can be spoken, nobody can ask for words of their own, and
a changed part gets new audio by itself. espeak-ng makes the sound the first
time someone presses play (see :mod:`.speech`).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from consent_kit import current_kit

from . import speech
from .recordings import cache_folder

#: Kinds of item whose words pages hand over (the core's questions and sections are read by name).
KINDS = ("finding",)
#: Where pages leave their words, in ``kit.request_state``.
STATE = "read_aloud"
_NAME = re.compile(r"^[0-9a-f]{32}$")

bp = Blueprint("accessible_formats_read", __name__)


def listening(chosen: tuple[str, ...]) -> bool:
    """Listen is on: chosen in the display options, or asked for with the page's "Listen" link."""
    return "listen" in chosen or request.args.get("listen") == "1"


def item_part(kind: str, item_id: str, chosen: tuple[str, ...]):
    """A player for one part whose words the page handed over, or None (no words, no voice)."""
    given = current_kit().request_state(STATE).get((kind, item_id))
    if not given or not listening(chosen) or not given.get("words"):
        return None
    voice = speech.voice_for(given.get("language") or "en")
    if voice is None:
        return None  # no voice for this language: no player rather than one that can't play
    name = keep_words(given["words"], given.get("language") or "en", voice)
    return render_template("accessible_formats/_item.html", kind=kind, item_id=item_id, easy=None,
                           lines=[], bsl="", survey=None,
                           listen={"url": url_for("accessible_formats_read.audio", name=name)})


def listen_link(chosen: tuple[str, ...], language: str):
    """A "Listen" link for the page's list of other ways to read it.

    When the players came from that link, the link takes them away again ("Stop
    listening"); when Listen was chosen in the display options, those options do.
    """
    if "listen" in chosen or speech.voice_for(language) is None:
        return None
    args = {**request.args.to_dict(), **(request.view_args or {})}
    if listening(chosen):
        args.pop("listen", None)
        words = _("Stop listening")
    else:
        args["listen"] = "1"
        words = _("Listen to this page")
    return Markup('<li><a href="{}">{}</a></li>').format(url_for(request.endpoint, **args), words)


def keep_words(words: str, language: str, voice: str) -> str:
    """Keep the words to speak beside their audio's name (once), and return that name."""
    name = Path(speech.audio_name(words, voice)).stem
    folder = cache_folder(current_app)
    target = folder / f"{name}.txt"
    if not target.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(f"{language}\n{words}")
        os.replace(temporary, target)  # two workers writing the same words never leave half a file
    return name


@bp.get("/formats/read/<name>.mp3")
def audio(name):
    """The audio of words a page showed: made now the first time, then kept."""
    if not _NAME.match(name):
        abort(404)
    folder = cache_folder(current_app)
    kept = folder / f"{name}.mp3"
    if not kept.is_file():
        words_file = folder / f"{name}.txt"
        if not words_file.is_file():
            abort(404)
        language, _newline, words = words_file.read_text(encoding="utf-8").partition("\n")
        try:
            kept = speech.speak(words, language, folder)
        except speech.SpeechUnavailable as error:
            current_app.logger.warning("No read-aloud audio for %s: %s", name, error)
            abort(404)
    return send_file(kept, mimetype="audio/mpeg", conditional=True, max_age=3600)
