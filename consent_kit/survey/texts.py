"""Every text people read in a survey, with where it is: for checks of wording (no Flask).

:func:`text_places` walks a survey in the order a participant meets it: title
and description, the consent information and statements, the pages and their
questions (label, help, choices, scale ends), then the support page. Each text
comes with a :class:`TextPlace` naming the survey, the line of the survey file,
the part ("question 'age'") and the field ("help"), so advice can point at it.
A text written in several languages gives one place per language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from consent_kit.survey.model import Survey

#: Top-level keys whose line the model doesn't keep, found in the file instead.
_TOP_LEVEL = {"title": ("title", "name", "heading"),
              "description": ("description", "intro", "about", "summary"),
              "support": ("support", "helplines", "support_page")}


@dataclass(frozen=True)
class TextPlace:
    """Where a text is: ``survey``, the file's ``line`` (0 = not known), ``where`` and ``field``.

    ``where`` names the part in words a researcher knows ("question 'age'",
    "consent section 'risks'", "survey"); ``field`` the text within it
    ("label", "help", "choice 'no'"). ``language`` is the language of the words.
    """

    survey: Survey
    where: str
    field: str
    line: int = 0
    language: str = "en"

    @property
    def label(self) -> str:
        """``where`` and ``field`` together, as messages show them."""
        return f"{self.where}, {self.field}" if self.field else self.where


def text_places(survey: Survey) -> Iterator[tuple[str, TextPlace]]:
    """Every non-empty text of ``survey`` with its place, in reading order."""
    lines = _top_level_lines(survey.source)
    yield from _texts(survey, "survey", "title", survey.title, lines.get("title", 0))
    yield from _texts(survey, "survey", "description", survey.description,
                      lines.get("description", 0))
    if survey.consent is not None:
        yield from _consent(survey, lines)
    for page in survey.pages:
        yield from _texts(survey, f"page '{page.id}'", "title", page.title, page.line)
        for question in page.questions:
            yield from _question(survey, question)
    if survey.support is not None:
        yield from _support(survey, lines.get("support", 0))


def _texts(survey: Survey, where: str, field: str, text, line: int) -> Iterator[tuple[str, TextPlace]]:
    """The text in the survey's language, then any translations it carries."""
    if isinstance(text, str) and text.strip():
        yield str(text), TextPlace(survey, where, field, line, survey.language)
    translations = getattr(text, "translations", None) or (text if isinstance(text, dict) else {})
    for language, words in translations.items():
        if isinstance(words, str) and words.strip() and language != survey.language:
            yield words, TextPlace(survey, where, field, line, language)


def _question(survey: Survey, question) -> Iterator[tuple[str, TextPlace]]:
    where, line = f"question '{question.id}'", question.line
    yield from _texts(survey, where, "label", question.label, line)
    yield from _texts(survey, where, "help", question.help, line)
    for choice in question.choices:
        yield from _texts(survey, where, f"choice '{choice.value}'", choice.label, line)
        yield from _texts(survey, where, f"choice '{choice.value}' hint", choice.hint, line)
    for option in ("min_label", "max_label"):
        yield from _texts(survey, where, option.replace("_", " "), question.options.get(option), line)


def _consent(survey: Survey, lines: dict) -> Iterator[tuple[str, TextPlace]]:
    consent = survey.consent
    for section in consent.sections:
        yield from _section(survey, section, "consent section")
    for check in consent.checks:
        where = f"consent check '{check.id}'"
        yield from _texts(survey, where, "question", check.question, check.line)
        for choice in check.choices:
            yield from _texts(survey, where, f"choice '{choice.value}'", choice.label, check.line)
    for statement in consent.statements:
        yield from _texts(survey, f"consent statement '{statement.id}'", "text", statement.text,
                          statement.line)
    for variant in consent.variants:
        yield from _texts(survey, f"consent version '{variant.id}'", "label", variant.label,
                          variant.line)
        for section in variant.sections:
            yield from _section(survey, section, f"consent version '{variant.id}' section")
        for statement in variant.statements:
            yield from _texts(survey, f"consent version '{variant.id}' statement '{statement.id}'",
                              "text", statement.text, statement.line)


def _section(survey: Survey, section, kind: str) -> Iterator[tuple[str, TextPlace]]:
    where = f"{kind} '{section.id}'"
    yield from _texts(survey, where, "heading", section.heading, section.line)
    yield from _texts(survey, where, "text", section.text, section.line)


def _support(survey: Survey, line: int) -> Iterator[tuple[str, TextPlace]]:
    yield from _texts(survey, "support page", "introduction", survey.support.intro, line)
    for contact in survey.support.contacts:
        where = f"support contact '{contact.name}'"
        yield from _texts(survey, where, "description", contact.description, line)
        yield from _texts(survey, where, "text", contact.text, line)


def _top_level_lines(source: str) -> dict[str, int]:
    """Lines of the top-level keys the model keeps no line for (empty when there's no file)."""
    try:
        text = Path(source).read_text(encoding="utf-8") if source else ""
    except (OSError, ValueError):
        return {}
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"([A-Za-z_]+)\s*:", line)
        if not match:
            continue
        for name, spellings in _TOP_LEVEL.items():
            if match.group(1) in spellings:
                found.setdefault(name, number)
    return found
