"""The toolkit's own words for participants pass its own checks (issue 15, item 6).

Every participant-facing string of 8 words or more, as ``make translations`` would extract it
(the English msgids), must read at a reading age of 11 or under by the plain_language plugin's
own score, and have no finding from the built-in glossary. Participant text also avoids
computer words people may not know, and calls each code by one name.

Which strings are participant-facing is decided by where they are used (the extractor's source
locations): a string is for researchers when every place it is used is in the studio. The
studio is: a template that extends "studio/base.html" or is named ``studio_*``; anything under
consent_kit/studio/, consent_kit/results/, consent_kit/analysis/ or plugins/plain_language/ (the
studio's own plugin); a module named ``studio_*`` or ``*budget*``; the few files in
RESEARCHER_FILES, each with its reason; a template part (``_*.html``) that only such templates
include; and single strings in STUDIO_STRINGS (a file with both kinds). A string used anywhere
else, even once, is checked. docs/plain-language.md says so.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache, lru_cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from consent_kit_plugins.plain_language import glossary, readability

ROOT = Path(__file__).resolve().parents[3]
#: The same places as babel.cfg (what `make translations` reads).
METHODS = [("consent_kit/**.py", "python"), ("plugins/**.py", "python"),
           ("consent_kit/**/templates/**.html", "jinja2"), ("plugins/**/templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
TARGET_AGE = 11
MIN_WORDS = 8

STUDIO_FOLDERS = ("consent_kit/studio/", "consent_kit/results/", "consent_kit/analysis/",
                  "plugins/plain_language/")
#: Files for researchers or for whoever runs the site, though outside the studio's folders.
RESEARCHER_FILES = {
    "consent_kit/cli/running.py": "the command line",
    "consent_kit/cli/records.py": "the command line",
    "consent_kit/scaffold.py": "makes a new plugin's files",
    "consent_kit/defaults/exporters.py": "export formats, chosen in the studio",
    "consent_kit/incentives/ledger.py": "the budget's ledger (studio)",
    "consent_kit/incentives/store.py": "the budget's ledger entries (studio)",
    "consent_kit/incentives/forms.py": "the budget forms (studio)",
    "consent_kit/incentives/files.py": "voucher files uploaded in the studio",
    "consent_kit/web/templates/connection.html": "tells the person who runs the site how to fix a setting",
    "plugins/qr_entry/views.py": "its pages are the studio's posters and links (login required)",
    "plugins/translation/views.py": "the studio's translations page (login required)",
    "consent_kit/findings/translate_views.py": "the studio's findings translations and share pages",
    "consent_kit/survey/load/xlsform_rows.py": "the import report a researcher reads (studio, command line)",
}
#: Single strings for researchers in a file that also has participants' words (the marker).
STUDIO_STRINGS = {
    "QR codes and posters": "the studio's task link (plugins/qr_entry/parts.py)",
}
#: Computer words many people don't know (issue 15): not in participant text, or explained.
TECH_WORDS = re.compile(r"\b(device|browser|add-on|typeface|timed out|PDF|KB|QR)s?\b", re.I)
#: The only names for the two codes a participant is given.
OTHER_CODE_NAMES = re.compile(r"\b(resume|withdrawal|return|continue|carry-on|participant) code\b"
                              r"|\bcode to (come back|carry on)\b|\b(your|my|that) codes?\b"
                              r"|^codes?\b", re.I)


@cache
def _studio_template(path: Path) -> bool:
    """Named studio_*, extends the studio's base page, or is a part only studio pages include."""
    if path.name.startswith("studio_"):
        return True
    first = path.read_text(encoding="utf-8").lstrip()[:200]
    if '{% extends "studio/base.html" %}' in first:
        return True
    if not path.name.startswith("_"):
        return False
    name = path.relative_to(_templates_folder(path)).as_posix()
    users = [other for other in ROOT.glob("**/templates/**/*.html")
             if other != path and f'"{name}"' in other.read_text(encoding="utf-8")]
    return bool(users) and all(_studio_template(other) for other in users)


def _templates_folder(path: Path) -> Path:
    return next(parent for parent in path.parents if parent.name == "templates")


def _for_researchers(filename: str) -> bool:
    name = filename.replace("\\", "/")
    if name.startswith(STUDIO_FOLDERS) or name in RESEARCHER_FILES:
        return True
    stem = Path(name).stem
    if stem.startswith("studio_") or "budget" in stem:
        return True
    return name.endswith(".html") and _studio_template(ROOT / name)


@lru_cache(maxsize=1)
def participant_strings() -> dict[str, tuple[str, ...]]:
    """Every participant-facing msgid and where it is used (file:line)."""
    places: dict[str, set[str]] = defaultdict(set)
    studio_only: dict[str, bool] = defaultdict(lambda: True)
    for filename, line, message, _comments, _context in extract_from_dir(str(ROOT), METHODS, {},
                                                                          keywords=KEYWORDS):
        for msgid in message if isinstance(message, tuple) else (message,):
            if not msgid:
                continue
            studio_only[msgid] &= _for_researchers(filename)
            places[msgid].add(f"{filename}:{line}")
    return {m: tuple(sorted(p)) for m, p in places.items()
            if not studio_only[m] and m not in STUDIO_STRINGS}


def _words(msgid: str) -> str:
    """The message as people read it: placeholders become a short word, markup goes."""
    text = re.sub(r"%\((\w+)\)[sd]|%[sd]|\{\w*\}", "it", msgid)
    return re.sub(r"<[^>]+>", "", text)


def test_the_participant_strings_are_found():
    found = participant_strings()
    assert len(found) > 200
    assert "Change how this looks or sounds" in found  # a participant page
    assert not any(m.startswith("Word or phrase") for m in found)  # the studio's words form


def test_every_long_participant_string_reads_at_11_or_under():
    over = {}
    for msgid, places in participant_strings().items():
        scores = readability.score(_words(msgid))
        if scores.words >= MIN_WORDS and scores.reading_age > TARGET_AGE:
            over[msgid] = (scores.reading_age, places[0])
    assert not over, "\n".join(f"{age}: {m!r} ({where})" for m, (age, where) in over.items())


def test_no_participant_string_has_a_glossary_finding():
    words = glossary.built_in()
    found = {m: [f.text for f in glossary.find(_words(m), words)] for m in participant_strings()}
    assert not {m: f for m, f in found.items() if f}


def test_no_computer_words_in_participant_text():
    found = {m: p[0] for m, p in participant_strings().items() if TECH_WORDS.search(_words(m))}
    assert not found, "\n".join(f"{m!r} ({where})" for m, where in found.items())


def test_each_code_has_one_name():
    found = {m: p[0] for m, p in participant_strings().items() if OTHER_CODE_NAMES.search(m)}
    assert not found, "\n".join(f"{m!r} ({where})" for m, where in found.items())


@pytest.mark.parametrize("text, expected", [
    ("A thank-you payment can be claimed once, on the phone or computer where the survey was "
     "finished, straight after finishing it.", False),  # the example: about 14
    ("You can stop at any time and your answers are not kept.", True),
])
def test_the_check_tells_hard_from_easy(text, expected):
    scores = readability.score(text)
    assert (scores.reading_age <= TARGET_AGE) is expected
