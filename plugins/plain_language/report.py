"""The "Check my words" report of a whole survey, as plain data for the page (no Flask)."""

from __future__ import annotations

from dataclasses import dataclass

from consent_kit import Survey, TextPlace, text_places

from . import advice, readability
from .glossary import Glossary, Match


@dataclass(frozen=True)
class TextReport:
    """One text: its scores, the advice on it, and its words cut into plain and marked parts."""

    text: str
    place: TextPlace
    scores: readability.Readability
    findings: tuple[advice.Finding, ...]
    #: (words, match or None): the text in order, marked where a glossary word is.
    parts: tuple[tuple[str, Match | None], ...]

    @property
    def above_aim(self) -> bool:
        """True when the reading advice applies to this text."""
        return any(f.kind == "reading" for f in self.findings)


@dataclass(frozen=True)
class SurveyReport:
    """Every text of a survey with its advice, and the scores of the whole and of the consent part."""

    survey: Survey
    aim: int
    texts: tuple[TextReport, ...]
    whole: readability.Readability
    consent: readability.Readability
    unscored: tuple[str, ...]

    @property
    def advice_count(self) -> int:
        """How many pieces of advice there are in all."""
        return sum(len(t.findings) for t in self.texts)

    @property
    def with_advice(self) -> tuple[TextReport, ...]:
        """The texts that have advice, in reading order."""
        return tuple(t for t in self.texts if t.findings)


def survey_report(survey: Survey, glossary: Glossary, aim: int) -> SurveyReport:
    """Check every text of ``survey`` against ``glossary`` and the reading-age ``aim``."""
    places = list(text_places(survey))
    acronyms: dict[int, list[advice.Finding]] = {}
    for finding in advice.acronym_findings(places):
        acronyms.setdefault(id(finding.place), []).append(finding)
    texts = []
    for text, place in places:
        findings = advice.check_text(text, place, glossary, aim) + acronyms.get(id(place), [])
        matches = sorted((f.match for f in findings if f.match), key=lambda m: m.start)
        texts.append(TextReport(text, place, readability.score(text, place.language),
                                tuple(findings), tuple(cut(text, matches))))
    english = [(t, p) for t, p in places if readability.can_score(p.language)]
    return SurveyReport(
        survey=survey, aim=aim, texts=tuple(texts),
        whole=readability.score("\n".join(t for t, _p in english)),
        consent=readability.score("\n".join(t for t, p in english if p.where.startswith("consent"))),
        unscored=tuple(advice.language_name(code) for code in advice.unscored_languages(places)),
    )


def cut(text: str, matches: list[Match]) -> list[tuple[str, Match | None]]:
    """``text`` in order as plain pieces and marked glossary words (matches never overlap)."""
    parts: list[tuple[str, Match | None]] = []
    at = 0
    for match in matches:
        if match.start > at:
            parts.append((text[at:match.start], None))
        parts.append((text[match.start:match.end], match))
        at = match.end
    if at < len(text):
        parts.append((text[at:], None))
    return parts
