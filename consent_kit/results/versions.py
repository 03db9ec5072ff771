"""Versions people can read: "Version 3" instead of a code like ``ee8098167c13b32b``.

Pure logic (no Flask). The catalog keeps a copy of every version of a survey
it has loaded (the ``survey_versions`` table, oldest first), named by its
code (:attr:`Survey.version`, a hash of the whole file). Each survey's
versions are numbered 1, 2, 3... in that order. Closing and reopening a survey
changes its code but not its words, so it doesn't make a new number: the
number follows what people read.
"""

from __future__ import annotations

from collections.abc import Iterable

from consent_kit.survey.load.survey_file import survey_version

#: ``Survey.extra`` key for exports: version code -> version number.
VERSION_NUMBERS = "version_numbers"


def words_version(definition: dict) -> str:
    """The code of a definition's words and questions, whether it is open or closed."""
    return survey_version({k: v for k, v in (definition or {}).items() if k != "status"})


def version_numbers(rows: Iterable[dict], survey_id: str) -> dict[str, int]:
    """Version code -> number for one survey, from ``survey_versions`` rows (oldest first).

    Two codes whose words are the same (one open, one closed) share a number.
    """
    numbers: dict[str, int] = {}
    seen: list[str] = []
    for row in rows:
        if row.get("survey_id") != survey_id or not row.get("version"):
            continue
        words = words_version(row.get("definition") or {})
        if words not in seen:
            seen.append(words)
        numbers[str(row["version"])] = seen.index(words) + 1
    return numbers


def numbers_by_words(rows: Iterable[dict], survey_id: str) -> dict[str, int]:
    """Words code (:func:`words_version`, the builder's content version) -> version number."""
    seen: list[str] = []
    for row in rows:
        if row.get("survey_id") == survey_id:
            words = words_version(row.get("definition") or {})
            if words not in seen:
                seen.append(words)
    return {words: index + 1 for index, words in enumerate(seen)}
