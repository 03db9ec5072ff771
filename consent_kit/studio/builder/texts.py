"""Words in a survey definition, and writing a definition back as a survey file.

A text in a survey file is either words (``label: How old are you?``) or the
same words in several languages (``label: {en: How old are you?, cy: ...}``).
The builder edits the survey's own language and leaves every other language
as it was. No Flask here.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml


def language_of(definition: dict) -> str:
    """The survey's own language (the one the builder edits)."""
    language = definition.get("language")
    return language.strip() if isinstance(language, str) and language.strip() else "en"


def text_of(value: Any, language: str) -> str:
    """The words of ``value`` in ``language``: plain words, or one entry of a {lang: words} dict."""
    if isinstance(value, dict):
        chosen = value.get(language)
        if chosen is None and value:
            chosen = next(iter(value.values()))
        return "" if chosen is None else str(chosen)
    if value is None or isinstance(value, bool | list):
        return ""
    return str(value)


def with_text(old: Any, words: str, language: str) -> Any:
    """``old`` with its ``language`` words replaced by ``words``; other languages kept."""
    if isinstance(old, dict):
        changed = dict(old)
        changed[language] = words
        return changed
    return words


def set_text(mapping: dict, key: str, words: str, language: str, *, keep_empty: bool = False
             ) -> None:
    """Put ``words`` under ``key`` in the survey's language.

    Empty words remove an optional text, translations and all: a text with
    nothing in the survey's own language can't be shown (the loader says so).
    """
    words = normalise_words(words)
    old = mapping.get(key)
    if words and normalise_words(text_of(old, language)) == words and (
            not isinstance(old, dict) or language in old):
        return  # unchanged: kept exactly as written (a file's trailing line break too)
    if not words and not keep_empty:
        mapping.pop(key, None)
        return
    mapping[key] = with_text(old, words, language)


def normalise_words(words: Any) -> str:
    """Words typed in a browser: Windows line ends made plain, spaces at the ends removed."""
    text = "" if words is None else str(words)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def clone(definition: dict) -> dict:
    """A deep copy, so an operation never changes the definition it was given."""
    return copy.deepcopy(definition)


class _SurveyDumper(yaml.SafeDumper):
    """Writes survey files the way people write them: block style, text with line breaks as |."""

    def ignore_aliases(self, data):  # survey files never use & and * (the loader refuses them)
        return True

    def increase_indent(self, flow=False, indentless=False):
        # "- " items indented under their key, like the example files.
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str):
    # PyYAML falls back to quotes by itself when | can't hold the text exactly.
    return dumper.represent_scalar("tag:yaml.org,2002:str", data,
                                   style="|" if "\n" in data else None)


_SurveyDumper.add_representer(str, _represent_str)


def to_yaml(definition: dict) -> str:
    """The survey file for ``definition``, in the same format as the files in forms/."""
    return yaml.dump(definition, Dumper=_SurveyDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
