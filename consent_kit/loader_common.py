"""Small helpers shared by the parts of :mod:`consent_kit.loader`.

``read_text`` is the one place where words for people (titles, labels, help,
choice labels, messages) are read from a survey file. When surveys gain
translations (``label: {en: ..., cy: ...}``) this is the function to change.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any

from .survey import Problem


@dataclass
class Context:
    """Where the problems of one file are collected."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, line: int, where: str, message: str) -> None:
        if not where:  # the message starts the sentence
            message = message[:1].upper() + message[1:]
        self.problems.append(Problem(self.path, line, where, message))


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
    target = (synonyms or {}).get(folded)
    if target in by_lower.values():
        return target
    close = difflib.get_close_matches(folded, list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


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
    return text_value(ctx, value, line, where, key, required=required, missing=missing)


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
               required: bool = False, missing: str = "") -> str:
    """Turn a value from the file into words for people; report a missing or wrong value.

    Every piece of text a participant or researcher reads goes through here,
    so this is the one place to change when survey text gains translations.
    """
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
    return plain_scalar(value).strip()


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
