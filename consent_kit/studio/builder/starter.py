"""What a new survey starts with: kind, safe settings, and marked words to change.

A survey built in the browser starts safe (issue 14, §3): people are asked to
agree before they answer, the support page lists national services, and
"Leave this page" goes to an everyday website. Words only the researchers can
write (what the project is, what happens to the answers) start as
*placeholders*: they begin with :data:`MARK`, so they are easy to see in the
outline and the preview, and :func:`placeholders_in` finds every one left so
the survey can't be published with them. No Flask here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

#: Every placeholder starts with this (in the survey file too, so a downloaded file shows it).
MARK = "[Change this]"
#: Starting words from before placeholders were marked: still not publishable.
OLD_PLACEHOLDERS = frozenset({
    "Say in a few short sentences what the project is and why it matters.",
})
#: Where "Leave this page" goes: an everyday website that gives nothing away.
EXIT_PAGE = "https://www.bbc.co.uk/weather"

SUPPORT = {
    "intro": ("If taking part brought up difficult feelings, you don't have to deal with them "
              "alone.\nYou can talk to someone you trust, or to one of these free services.\n"
              "If you or someone else is in danger right now, call 999."),
    "contacts": [
        {"name": "Childline",
         "description": "Free, private help for anyone under 19. You can call, or chat to a "
                        "counsellor online, about anything.",
         "phone": "0800 1111", "url": "https://www.childline.org.uk"},
        {"name": "Shout",
         "description": "Free support by text message, day or night, if you are finding it "
                        "hard to cope.",
         "text": "Text SHOUT to 85258", "url": "https://giveusashout.org"},
        {"name": "Samaritans",
         "description": "Someone to listen, day or night, whatever you are going through. "
                        "Free to call.",
         "phone": "116 123", "url": "https://www.samaritans.org"},
    ],
}

CONSENT = {
    "information": [
        {"id": "what", "heading": "What is this project?",
         "text": f"{MARK} Say who you are and what the project is for, in two or three "
                 "short sentences."},
        {"id": "asked", "heading": "What will I be asked?",
         "text": f"{MARK} Say what the questions are about. Say if people can skip a "
                 "question they don't want to answer."},
        {"id": "answers", "heading": "What happens to my answers?",
         "text": f"{MARK} Say who will read the answers, how they are kept safe, and when "
                 "they will be deleted."},
        {"id": "change-mind", "heading": "Can I change my mind?",
         "text": f"{MARK} Say that people can stop at any time, and until when they can take "
                 "their answers back."},
    ],
    "statements": [
        {"id": "take-part", "text": "I have read the information and I want to take part."},
    ],
}


def starter_parts() -> dict:
    """The parts of a new survey besides its title and pages (fresh copies every time)."""
    return {"exit_page": EXIT_PAGE, "support": copy.deepcopy(SUPPORT),
            "consent": copy.deepcopy(CONSENT)}


def is_placeholder(words: Any) -> bool:
    """True for words still as the builder wrote them, to be changed before publishing."""
    return isinstance(words, str) and (MARK in words or words.strip() in OLD_PLACEHOLDERS)


def placeholders_in(definition: dict) -> list[tuple[str, str]]:
    """Every placeholder left, as (part, name): part is ``details``, ``consent``,
    ``support`` or ``question``; name is the heading or question id it is under."""
    found = []
    for path, words in _texts(definition, ()):
        if is_placeholder(words):
            found.append(_place(definition, path))
    return list(dict.fromkeys(found))  # in order, each place once


def _texts(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, (*path, index))


def _place(definition: dict, path: tuple) -> tuple[str, str]:
    top = path[0] if path else ""
    if top == "consent" and len(path) > 2 and isinstance(path[2], int):
        item = definition["consent"][path[1]][path[2]]
        return "consent", str(item.get("id", "")) if isinstance(item, dict) else ""
    if top == "support":
        return "support", ""
    if top in ("pages", "questions"):
        item: Any = definition
        for step in path:
            item = item[step] if isinstance(item, (dict, list)) else None
            if isinstance(item, dict) and "type" in item and "id" in item:
                return "question", str(item["id"])
        return "question", ""
    return "details", str(top)
