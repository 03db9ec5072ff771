"""Advice on the words of a findings page, from the plugins that check a survey's words.

The same advice the builder shows beside consent text (the ``check_text``
hook: with the plain_language plugin, reading age and "words matter"), for
each part of the findings page and its Easy Read version, in each language it
is written in. Advice only: nothing is ever refused because of it.
"""

from __future__ import annotations

from consent_kit.plugin_calls import check_text
from consent_kit.survey.texts import TextPlace


def text_advice(pm, survey, texts: list[tuple[str, str]], *, where: str,
                language: str = "") -> list[str]:
    """Sentences of advice on ``texts`` (``(field, words)`` pairs) of one part of the page."""
    language = language or survey.language
    advice: list[str] = []
    for field, words in texts:
        if not (words or "").strip():
            continue
        place = TextPlace(survey=survey, where=where, field=field, language=language)
        for problem in check_text(pm, words, place):
            if problem.message not in advice:
                advice.append(problem.message)
    return advice


def section_texts(item: dict, labels: dict[str, str], language: str = "") -> list[tuple[str, str]]:
    """The words of a section to check, in ``language`` ("" = as written): heading, text, Easy Read."""
    words = item.get("translations", {}).get(language, {}) if language else item
    return [(labels["heading"], words.get("heading", "")), (labels["text"], words.get("text", "")),
            (labels["easy_read"], words.get("easy_read", ""))]
