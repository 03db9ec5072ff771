"""Small helpers shared by the parts of :mod:`consent_kit.survey.load.survey_file`.

``read_text`` is the one place where words for people (titles, labels, help,
choice labels, messages) are read from a survey file. Any of them may be
written in several languages (``label: {en: ..., cy: ...}``): the model keeps
the survey's own language, as a :class:`SurveyText` that also carries the
other languages and a stable key (``questions.age.label``), and
:func:`consent_kit.i18n.localize.localize` swaps them in.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError

from consent_kit.survey.model import Problem


class SurveyText(str):
    """Words from a survey file in its own language, which also know their other languages.

    ``key`` is where the text sits in the file (``questions.age.label``; ids
    and values name list items, so adding a question does not move the
    others), ``translations`` maps a language code to the words in it, and
    ``lang`` is the language these words are in ("" = the survey's own).
    """

    key: str = ""
    translations: dict[str, str] = {}  # noqa: RUF012 - never changed, only replaced
    lang: str = ""

    def __new__(cls, text: str, key: str = "", translations: dict | None = None, lang: str = ""):
        made = super().__new__(cls, text)
        made.key, made.translations, made.lang = key, dict(translations or {}), lang
        return made

    def __reduce__(self):
        return (SurveyText, (str(self), self.key, self.translations, self.lang))


@dataclass
class Context:
    """Where the problems of one file are collected, with what its texts need to know.

    ``language`` is the survey's own language (the one plain strings are in);
    ``paths`` maps each mapping and list of the file (by ``id``) to its key.
    """

    path: str
    problems: list[Problem] = field(default_factory=list)
    language: str = "en"
    paths: dict[int, str] = field(default_factory=dict)

    def add(self, line: int, where: str, message: str) -> None:
        if not where:  # the message starts the sentence
            message = message[:1].upper() + message[1:]
        self.problems.append(Problem(self.path, line, where, message))

    def index(self, data: Any) -> None:
        """Learn the survey's language and the key of every part of ``data`` (the whole file)."""
        language = data.get("language") if isinstance(data, dict) else None
        if isinstance(language, str) and language.strip():
            self.language = language.strip().replace("-", "_")
        self.paths = {}
        _index(data, "", self.paths)

    def key_of(self, mapping: Any, key: str) -> str:
        """The stable key of ``mapping[key]`` ("" when the mapping wasn't indexed)."""
        base = self.paths.get(id(mapping))
        if base is None:
            return ""
        return f"{base}.{key}" if base else key


def _index(data: Any, path: str, paths: dict[int, str]) -> None:
    paths[id(data)] = path
    if isinstance(data, dict):
        children = ((plain_key(k), v) for k, v in data.items())
    elif isinstance(data, list):
        children = ((_item_name(v, n), v) for n, v in enumerate(data))
    else:
        return
    for name, child in children:
        if isinstance(child, dict | list):
            _index(child, f"{path}.{name}" if path else name, paths)


def _item_name(item: Any, number: int) -> str:
    """A list item's name in a key: its id or value when it has one, so keys stay put."""
    if isinstance(item, dict):
        for name in ("id", "value"):
            if is_scalar(item.get(name)) and str(item.get(name)).strip():
                return plain_scalar(item[name]).strip()
    return str(number)


def is_language(code: Any) -> bool:
    """True for a language code Babel knows, like 'cy', 'ar' or 'pt_BR'."""
    if not isinstance(code, str) or not 2 <= len(code) <= 12:
        return False
    try:
        Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def line_of(data: Any, default: int = 0) -> int:
    """The line a mapping or list starts on."""
    return getattr(data, "line", 0) or default


def key_line(mapping: Any, key: Any, default: int = 0) -> int:
    """The line of ``key`` in a mapping read from a file (else ``default``)."""
    lines = getattr(mapping, "key_lines", {})
    return lines.get(key) or line_of(mapping, default)


def value_line(mapping: Any, key: Any, default: int = 0) -> int:
    """The line of the value of ``key`` (else the line of the key)."""
    lines = getattr(mapping, "value_lines", {})
    return lines.get(key) or key_line(mapping, key, default)


def item_line(items: Any, index: int, default: int = 0) -> int:
    """The line of item ``index`` of a list read from a file."""
    lines = getattr(items, "lines", [])
    return lines[index] if index < len(lines) else line_of(items, default)


def show(value: Any) -> str:
    """A short quoted form of a value for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a group of settings"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return repr(text[:60] + "…" if len(text) > 60 else text).replace('"', "'")


def did_you_mean(word: Any, options, synonyms: dict[str, str] | None = None) -> str | None:
    """The option closest to ``word``: a case or spacing slip, a known synonym, or a typo."""
    if not isinstance(word, str | int | float) or isinstance(word, bool):
        return None
    by_lower = {str(o).lower(): str(o) for o in options}
    word = str(word)
    folded = word.strip().lower().replace(" ", "_")
    for candidate in (folded, folded.replace("-", "_"), folded.replace("_", "-")):
        if by_lower.get(candidate, word) != word:
            return by_lower[candidate]
    # Everyday names ("radio", "checkbox") lead to their option, typed right or slightly wrong.
    meaning = {name: target for name, target in (synonyms or {}).items() if target in by_lower.values()}
    if folded in meaning:
        return meaning[folded]
    close = difflib.get_close_matches(folded, [*by_lower, *meaning], n=1, cutoff=0.6)
    if not close:
        return None
    return by_lower.get(close[0]) or meaning[close[0]]


def spell_list(options) -> str:
    """'a, b or c', quoted."""
    quoted = [f"'{o}'" for o in options]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def check_keys(ctx: Context, mapping: dict, allowed, where: str, *, what: str,
               synonyms: dict[str, str] | None = None, explain=None) -> None:
    """Report every key of ``mapping`` not in ``allowed``, with a did-you-mean.

    ``explain(key)`` may return a better message for a key it knows about.
    """
    allowed = list(allowed)
    for key in mapping:
        if key in allowed:
            continue
        line = key_line(mapping, key)
        special = explain(key) if explain else None
        if special:
            ctx.add(line, where, special)
            continue
        guess = did_you_mean(key, allowed, synonyms)
        if guess:
            ctx.add(line, where, f"unknown setting {show(key)} — did you mean '{guess}'?")
        else:
            ctx.add(line, where, f"unknown setting {show(key)}. Check the spelling, or remove "
                    f"it. {what} can have: {', '.join(allowed)}.")


def read_text(ctx: Context, mapping: dict, key: str, where: str, *,
              required: bool = False, missing: str = "") -> str:
    """Read the words for people under ``key`` of a mapping (see :func:`text_value`)."""
    line = value_line(mapping, key, line_of(mapping))
    value = mapping.get(key)
    if required and not missing and value is None:
        empty = "is empty" if key in mapping else "is missing"
        missing = f"'{key}' {empty}. Add '{key}:' followed by the words."
    return text_value(ctx, value, line, where, key, required=required, missing=missing,
                      path=ctx.key_of(mapping, key))


def read_flag(ctx: Context, mapping: dict, key: str, where: str, *, default: bool) -> bool:
    """Read a true/false setting; anything else is reported and the default is used."""
    if key not in mapping:
        return default
    value = mapping[key]
    if isinstance(value, bool):
        return value
    ctx.add(value_line(mapping, key), where, f"'{key}' must be true or false, not {show(value)}. "
            f"Write '{key}: true' or '{key}: false'.")
    return default


def text_value(ctx: Context, value: Any, line: int, where: str, name: str, *,
               required: bool = False, missing: str = "", path: str = "") -> str:
    """Turn a value from the file into words for people; report a missing or wrong value.

    Every piece of text a participant or researcher reads goes through here.
    A group of languages (``{en: Hello, cy: Helo}``) gives the words in the
    survey's language, carrying the others (see :class:`SurveyText`).
    """
    if isinstance(value, dict) and value and any(is_language(k) for k in value):
        return _languages(ctx, value, line, where, name, path or ctx.paths.get(id(value), ""),
                          required=required)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            ctx.add(line, where, missing or f"'{name}' is empty. Write the words after "
                    f"'{name}:'.")
        return ""
    if isinstance(value, bool):
        ctx.add(line, where, f"'{name}' should be words, not {show(value)}. If you mean the "
                f"word, put it in quotes: \"{show(value)}\".")
        return ""
    if isinstance(value, dict | list):
        ctx.add(line, where, f"'{name}' should be words, not {show(value)}. Write the text on "
                f"the same line, or use '|' and put the text on the lines below, indented.")
        return ""
    text = plain_scalar(value).strip()
    return SurveyText(text, path) if path else text


def _languages(ctx: Context, value: dict, line: int, where: str, name: str, path: str, *,
               required: bool) -> str:
    """The words of a group of languages in the survey's language, carrying the others."""
    words: dict[str, str] = {}
    for code, text in value.items():
        text_line = value_line(value, code, line)
        if not is_language(code):
            ctx.add(key_line(value, code, line), where, f"'{name}' has {show(code)}, which isn't a "
                    f"language code. Use codes like 'en' (English), 'cy' (Welsh) or 'ar' (Arabic).")
            continue
        if text is not None and not is_scalar(text):
            ctx.add(text_line, where, f"'{name}' in '{code}' should be words, not {show(text)}.")
            continue
        if text is not None and plain_scalar(text).strip():
            words[str(code).replace("-", "_")] = plain_scalar(text).strip()
    own = words.pop(ctx.language, "")
    if not own and (required or words):
        ctx.add(line, where, f"'{name}' has no words in '{ctx.language}', the survey's own "
                f"language. Add '{ctx.language}: ' followed by the words, or change 'language:'.")
        return ""
    return SurveyText(own, path, words) if path else own


def plain_scalar(value: Any) -> str:
    """A number, word or true/false as the text a person would write."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_scalar(value: Any) -> bool:
    """A single word, number or true/false (not a list, group or nothing)."""
    return isinstance(value, str | int | float) and not isinstance(value, dict | list)


def is_number(value: Any) -> bool:
    """A real, finite number (not true/false)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def plain(data: Any) -> Any:
    """The data without line numbers: dicts (with text keys), lists and plain values."""
    if isinstance(data, dict):
        return {plain_key(k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


def plain_key(key: Any) -> str:
    return key if isinstance(key, str) else plain_scalar(key) if key is not None else "null"
