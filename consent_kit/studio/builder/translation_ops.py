"""Translations side by side: each text of the survey beside its words in another language.

The texts and their keys come from the loaded survey
(:func:`consent_kit.i18n.localize.survey_texts`, the same list a translator's
.po file has), so the browser offers exactly what a survey file can
translate. Saving puts the words in the survey file's own form
(``label: {en: How old are you?, cy: Faint yw eich oed chi?}``); an empty
box takes that language's words away. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from consent_kit.i18n.localize import normal, survey_texts
from consent_kit.studio.builder.ops import BuilderError, _l
from consent_kit.studio.builder.texts import clone, language_of, normalise_words
from consent_kit.survey.load.common import is_language


@dataclass(frozen=True)
class Row:
    """One text: its key (the form field), the survey's own words and the translation so far."""

    key: str
    source: str
    words: str


def rows(survey, lang: str) -> list[Row]:
    """Every text of ``survey`` with its words in ``lang`` ("" when not translated yet)."""
    lang = normal(lang)
    return [Row(t.key, t.source, str(t.translations.get(lang, "") or ""))
            for t in survey_texts(survey)]


def check_language(definition: dict, lang: str) -> str:
    """``lang`` as a language code the survey can have, or :class:`BuilderError`."""
    code = normal(normalise_words(lang))
    if not code or not is_language(code):
        raise BuilderError(_l("Choose a language, or type its short code, like cy for Welsh."),
                           "language")
    if code == normal(language_of(definition)):
        raise BuilderError(_l("That is the survey's own language. Choose another one to "
                              "translate into."), "language")
    return code


def set_translations(definition: dict, lang: str, typed: dict[str, str]) -> dict:
    """Put the words typed for each key (``questions.age.label``) in ``lang``.

    A key the survey no longer has is left out (the page was older than the
    survey); an empty box removes that language's words from the text.
    """
    changed = clone(definition)
    own = language_of(changed)
    for key, words in typed.items():
        parts = key.split(".")
        parent = _find(changed, parts[:-1])
        if not isinstance(parent, dict) or parts[-1] not in parent:
            continue
        _put(parent, parts[-1], own, lang, normalise_words(words))
    return changed


def _put(parent: dict, name: str, own: str, lang: str, words: str) -> None:
    current = parent[name]
    if isinstance(current, dict):
        if normalise_words(current.get(lang)) == words or (not words and lang not in current):
            return  # unchanged: kept exactly as written
        current = dict(current)
        if words:
            current[lang] = words
        else:
            current.pop(lang, None)
        parent[name] = current
    elif words:
        parent[name] = {own: current, lang: words}


def _find(data, parts: list[str]):
    """The mapping at a text key's path: list items are named by their id or value."""
    for part in parts:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list):
            data = next((item for number, item in enumerate(data)
                         if _name(item, number) == part), None)
        else:
            return None
    return data


def _name(item, number: int) -> str:
    if isinstance(item, dict):
        for key in ("id", "value"):
            value = item.get(key)
            if isinstance(value, str | int | float) and str(value).strip():
                return str(value).strip()
    return str(number)
