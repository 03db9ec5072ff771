"""Where a piece of advice is, in the words people see in the builder (no Flask).

Advice from ``consent-kit check`` names parts by their ids, as a survey file
does ("consent section 'asked', text"). In the browser people never see those
ids, so the builder names the part by what they wrote: the section's heading,
the question's words, the page's title ("The section ‘What will I be asked?’").
"""

from __future__ import annotations

import re

from consent_kit.studio.builder.ops import BuilderError, _l, iter_questions, page_id_of, pages_of
from consent_kit.studio.builder.texts import text_of

_PART = re.compile(r"^(consent section|consent statement|question|page) '([^']*)'(.*)$")
#: How each part is named, and the key of the words that name it.
_NAMES = {"consent section": (_l("The section ‘%(name)s’"), "heading"),
          "consent statement": (_l("The statement ‘%(name)s’"), "text"),
          "question": (_l("The question ‘%(name)s’"), "label"),
          "page": (_l("The page ‘%(name)s’"), "title")}
#: The fields advice names after the part, in plain words.
FIELD_WORDS = {"text": _l("words"), "heading": _l("heading"), "label": _l("question"),
               "help": _l("help"), "title": _l("title"), "introduction": _l("introduction"),
               "description": _l("description")}
#: The longest name shown before it is cut short.
LONGEST = 60


def _untranslated(message: str, **params) -> str:
    return message % params if params else message


def place_words(definition: dict, where: str, translate=_untranslated) -> str:
    """``where`` with the part's id swapped for its words; unchanged when it can't be found.

    ``translate(message, **params)`` turns a marked message into words (gettext on pages).
    """
    found = _PART.match(where or "")
    if not found:
        return where
    kind, item_id, rest = found.groups()
    template, key = _NAMES[kind]
    try:
        item = _find(definition, kind, item_id)
    except BuilderError:  # a definition with no pages yet
        item = None
    if item is None:
        return where
    language = str(definition.get("language") or "en")
    name = " ".join(text_of(item.get(key), language).split())
    if not name:
        return where
    if len(name) > LONGEST:
        name = name[:LONGEST - 1].rstrip() + "…"
    field = rest.lstrip(", ").strip()
    words = translate(template, name=name)
    if field in FIELD_WORDS:
        words += ", " + translate(FIELD_WORDS[field])
    elif field:
        words += ", " + field
    return words


def _find(definition: dict, kind: str, item_id: str) -> dict | None:
    if kind == "question":
        for _index, _page, _position, item in iter_questions(definition):
            if str(item.get("id", "")) == item_id:
                return item
        return None
    if kind == "page":
        for index, page in enumerate(pages_of(definition)):
            if isinstance(page, dict) and page_id_of(page, index) == item_id:
                return page
        return None
    consent = definition.get("consent")
    listed = (consent or {}).get("information" if kind == "consent section" else "statements")
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict) and str(item.get("id", "")) == item_id:
            return item
    return None
