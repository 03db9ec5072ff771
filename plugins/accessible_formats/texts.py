"""The words of a survey in other shapes: to read aloud, in easy-read lines, as plain text (no Flask)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from consent_kit import stand_in

#: An earlier answer read aloud, in English (the page passes it in the listener's language).
YOUR_ANSWER = "your answer to ‘%(question)s’"

_MD = MarkdownIt("commonmark", {"html": False})


def find_item(survey, kind: str, item_id: str):
    """The question or consent information section with this id, or None."""
    if kind == "question":
        return survey.question(item_id)
    if kind == "section" and survey.consent is not None:
        sections = list(survey.consent.sections)
        for variant in survey.consent.variants:
            sections += variant.sections
        return next((s for s in sections if s.id == item_id), None)
    return None


def markdown_plain(text: str) -> str:
    """Markdown as plain lines of text: no marks, links as their words, lists as "• " lines."""
    rendered = _MD.render(text)
    rendered = re.sub(r"<li>", "• ", rendered)
    rendered = re.sub(r"</(p|h\d|li|blockquote)>|<br\s*/?>", "\n", rendered)
    plain = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    return "\n".join(line.strip() for line in plain.splitlines() if line.strip())


def easy_lines(text: str) -> list[str]:
    """Easy-read words as one idea per line (researchers write one per line)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def words_to_read(kind: str, item, survey=None, answer_phrase: str = YOUR_ANSWER) -> str:
    """Everything a person reads for one item, as one text for the voice.

    The audio is made once and kept for everyone who listens, so an earlier
    answer in a question's words (``${name}``) is read as ``answer_phrase``
    naming that question ("…about your answer to ‘Which club?’"), never as a
    code and never as one person's answer. ``survey`` gives those questions' words.
    """
    if kind == "section":
        return f"{item.heading}.\n{markdown_plain(item.text)}"
    named = question_words(survey) if survey is not None else None
    lines = [stand_in(text, answer_phrase, named) for text in (item.label, item.help)]
    lines += [c.label for c in item.choices]
    return "\n".join(_sentence(line) for line in lines if line)


def question_words(survey) -> dict[str, str]:
    """Question id -> its label as plain words (any earlier answer in it as a blank)."""
    return {q.id: str(stand_in(q.label, "", {})).strip() for q in survey.questions}


def _sentence(line: str) -> str:
    """End a line with a full stop so the voice pauses between choices."""
    line = line.strip()
    return line if line[-1:] in ".?!:" else line + "."


@dataclass(frozen=True)
class Labels:
    """The headings of the plain-text version, already in the reader's language."""

    information: str
    statements: str
    needed: str
    optional: str


def information_text(survey, labels: Labels) -> str:
    """The information sheet and the consent statements as plain text (UTF-8, no marks)."""
    out = [survey.title, "=" * len(survey.title), ""]
    if survey.consent is None:
        return "\n".join(out)
    out += [labels.information, "-" * len(labels.information), ""]
    for section in survey.consent.sections:
        out += [section.heading, "", markdown_plain(section.text), ""]
    out += [labels.statements, "-" * len(labels.statements), ""]
    for statement in survey.consent.statements:
        mark = labels.needed if statement.required else labels.optional
        out.append(f"[ ] {statement.text} ({mark})")
    return "\n".join(out) + "\n"
