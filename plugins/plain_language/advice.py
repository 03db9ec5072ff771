"""Advice on a survey's words: reading age against the survey's aim, "words matter", acronyms.

No Flask app needed: findings are plain data, turned into
:class:`consent_kit.Problem` warnings for ``consent-kit check`` and the builder,
and shown in full on the "Check my words" page. Advice never blocks anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from flask_babel import gettext as _

from consent_kit import Problem, Survey, TextPlace

from . import readability
from .glossary import Glossary, Match, find

#: The NHS aims at a reading age of 9 to 11: we warn above the top of that range.
DEFAULT_READING_AGE = 11
#: Easy Read guidance: sentences of 10 to 15 words.
LONG_SENTENCE = 15
#: Short forms nearly everyone knows, which need no explaining.
KNOWN_ACRONYMS = frozenset({"OK", "TV", "UK"})
#: Words written in capitals for emphasis ("you do NOT have to"), not short forms.
SHOUTED_WORDS = frozenset({"NO", "NOT", "YES", "DO", "DON", "YOU", "ALL", "ANY", "AND", "OR",
                           "THE", "NOW", "STOP", "NEVER", "ONLY", "MUST", "CAN", "WILL", "YOUR"})
ACRONYM = re.compile(r"(?<![\w-])([A-Z]{2,6})s?(?![\w-])")


@dataclass(frozen=True)
class Finding:
    """One piece of advice about one text: ``kind`` is reading, word or acronym."""

    kind: str
    place: TextPlace
    message: str
    start: int = -1
    end: int = -1
    match: Match | None = None

    def problem(self) -> Problem:
        """The finding as a warning, naming the file, line, part and characters."""
        where = self.place.label
        if self.start >= 0:
            where += _(", characters %(start)d to %(end)d", start=self.start + 1, end=self.end)
        return Problem(self.place.survey.source, self.place.line, where, self.message, "warning")


def reading_age_aim(survey: Survey, default: int = DEFAULT_READING_AGE) -> int:
    """The survey's aim (``plain_language: reading_age:``, e.g. 11 or "9 to 11"), else ``default``."""
    settings = survey.extra.get("plain_language")
    value = settings.get("reading_age") if isinstance(settings, dict) else None
    numbers = re.findall(r"\d+", str(value)) if value is not None else []
    ages = [int(n) for n in numbers if 5 <= int(n) <= 25]
    return max(ages) if ages else default


def check_text(text: str, place: TextPlace, glossary: Glossary, aim: int) -> list[Finding]:
    """The advice on one text: its words from the glossary, then its reading age."""
    if not readability.can_score(place.language):
        return []
    findings = [word_finding(match, place) for match in find(text, glossary)]
    reading = reading_finding(text, place, aim)
    return findings + ([reading] if reading else [])


def word_finding(match: Match, place: TextPlace) -> Finding:
    """What to say about a glossary word, by its kind (suggest, explain, ask)."""
    entry, words = match.entry, match.text
    if entry.kind == "explain":
        message = _("“%(words)s” is a legal term. If you need it, say what it means in plain words.",
                    words=words)
    elif entry.kind == "ask":
        message = _("“%(words)s”: there is no agreed word for this. Ask the people you work with "
                    "what words they use.", words=words)
    else:
        message = _("“%(words)s”: many young people would say %(other)s.", words=words,
                    other=_or(entry.suggestions))
    if entry.reason:
        message += " " + _("Why: %(reason)s", reason=entry.reason)
    if entry.sources:
        message += " " + _("(From: %(names)s.)", names="; ".join(s.name for s in entry.sources))
    return Finding("word", place, message, match.start, match.end, match)


def _or(suggestions: Iterable[str]) -> str:
    quoted = [f"“{s}”" for s in suggestions]
    if not quoted:
        return _("something else")
    return quoted[0] if len(quoted) == 1 else _("%(some)s or %(last)s", some=", ".join(quoted[:-1]),
                                                 last=quoted[-1])


def reading_finding(text: str, place: TextPlace, aim: int) -> Finding | None:
    """A warning when a text long enough to score reads above the aim, with what would help."""
    scores = readability.score(text, place.language)
    if not scores.fair or scores.reading_age is None or scores.reading_age <= aim:
        return None
    hardest = scores.hardest
    message = _("Reading age about %(age)d; your aim is %(aim)d or under. The hardest sentence is: "
                "“%(sentence)s” What would help: %(help)s", age=scores.reading_age, aim=aim,
                sentence=hardest.text, help=what_would_help(hardest))
    return Finding("reading", place, message)


def what_would_help(sentence: readability.Sentence) -> str:
    """Plain suggestions for one sentence: split it, and shorter words for its long ones."""
    tips = []
    if sentence.words > LONG_SENTENCE:
        tips.append(_("split it into sentences of %(most)d words or fewer (it has %(words)d)",
                      most=LONG_SENTENCE, words=sentence.words))
    long_words = hard_words(sentence.text)
    if long_words:
        tips.append(_("try shorter words for %(words)s",
                      words=", ".join(f"“{w}”" for w in long_words)))
    if not tips:
        tips.append(_("use shorter words and sentences"))
    return _(" and ").join(tips) + "."


def hard_words(text: str, most: int = 3) -> list[str]:
    """The longest words of a sentence worth rewording: 3+ syllables and 9+ letters, longest first.

    Everyday words of three syllables ("family", "anything") are left alone:
    naming them would not help anyone.
    """
    words: dict[str, tuple[str, int]] = {}
    for word in readability.words_of(text):
        if len(word) >= 9:  # the first spelling met is the one shown
            words.setdefault(word.lower(), (word, readability.syllables(word)))
    found = [(w, n) for w, n in words.values() if n >= readability.LONG_WORD_SYLLABLES]
    return [w for w, _n in sorted(found, key=lambda item: -item[1])][:most]


def acronym_findings(texts: Iterable[tuple[str, TextPlace]]) -> list[Finding]:
    """Short forms (LAC, CLA, NEET, PA…) not explained where people first meet them.

    Explained means written out in brackets next to it, either way round:
    "looked after child (LAC)" or "LAC (looked after child)". Each short form
    is reported once, at its first use in reading order.
    """
    seen: set[str] = set()
    findings = []
    for text, place in texts:
        if not readability.can_score(place.language) or _is_text_keyword(place):
            continue
        for match in ACRONYM.finditer(text):
            short = match.group(1)
            if short in seen or short in KNOWN_ACRONYMS or short in SHOUTED_WORDS:
                continue
            seen.add(short)
            if not _explained(text, match.start(), match.end()):
                findings.append(Finding("acronym", place, _(
                    "“%(short)s” is a short form. Write it out in full the first time, or say "
                    "what it means in brackets: not everyone knows it.", short=short),
                    match.start(), match.end()))
    return findings


def _is_text_keyword(place: TextPlace) -> bool:
    """A support contact's "text" is what to send by text message ("SHOUT"), not a short form."""
    return place.where.startswith("support contact") and place.field == "text"


def _explained(text: str, start: int, end: int) -> bool:
    """True for "(LAC)" after words, or "LAC (words)"."""
    inside_brackets = text[:start].rstrip().endswith("(") and text[end:].lstrip().startswith(")")
    followed = re.match(r"\s*\(\s*[a-z][^)]{3,}\)", text[end:], re.IGNORECASE)
    return bool(inside_brackets and text[:start].rstrip()[:-1].strip()) or bool(followed)


def unscored_languages(texts: Iterable[tuple[str, TextPlace]]) -> list[str]:
    """The languages of a survey's texts that we can't score yet, in the order met."""
    found = [place.language for _text, place in texts if not readability.can_score(place.language)]
    return list(dict.fromkeys(found))


def cant_score_message(language: str) -> str:
    """What to say about texts in a language we have no method for."""
    return _("Texts in %(language)s: we can't score this language yet, so their reading age isn't "
             "shown and only texts in English were checked for words.",
             language=language_name(language))


def language_name(code: str) -> str:
    """The language's English name and code, "Welsh (cy)", or the code alone if Babel doesn't know it."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name("en")
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return f"{name} ({code})" if name else code
