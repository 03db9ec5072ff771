"""Readability of a piece of English text, computed offline (no Flask, no downloads).

Formulas (research/language.md §1; ASL = words per sentence, ASW = syllables
per word):

* Flesch Reading Ease = 206.835 − 1.015·ASL − 84.6·ASW (higher is easier);
* Flesch-Kincaid Grade = 0.39·ASL + 11.8·ASW − 15.59 (a US school grade).

A UK reading age is estimated as the US grade + 5, a rule of thumb, and the
formulas themselves are only "accurate to ± 1.5 grade levels": the numbers are
a prompt to look again, never a verdict.

Syllables come from pyphen's hyphenation dictionary (shipped inside the
package, so nothing is fetched at run time; textstat's English path downloads
a dictionary through NLTK and fails offline). Hyphenation dictionaries won't
split near the ends of a word ("private", "former" stay whole), so each word
also gets a vowel-group count and the larger of the two is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyphen

#: Languages we can score. Others get "can't score this language yet", never a wrong number.
SCORED_LANGUAGES = ("en",)
#: A word of this many syllables or more counts as a long word.
LONG_WORD_SYLLABLES = 3
#: Texts shorter than this are too short for a fair reading age (one long word would dominate).
MIN_WORDS_TO_SCORE = 8
#: Rule of thumb, not from a source: UK reading age ≈ US grade + 5.
GRADE_TO_AGE = 5

WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*(?:-[A-Za-z0-9]+)*")
# A sentence ends at . ! ? (and a closing quote or bracket), or at a line break:
# list items and headings are read as sentences of their own.
SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]’”]*\s+|\n+")
_MARKDOWN = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [words](link) -> words
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+", re.M), ""),
]
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


@dataclass(frozen=True)
class Sentence:
    """One sentence and where it is in the text (``start``/``end`` are character offsets)."""

    text: str
    start: int
    end: int
    words: int
    syllables: int

    @property
    def grade(self) -> float:
        """The Flesch-Kincaid grade of this sentence alone."""
        return kincaid_grade(self.words, 1, self.syllables)


@dataclass(frozen=True)
class Readability:
    """The scores of one text. ``scored`` is False when the language has no method yet."""

    language: str
    scored: bool
    words: int = 0
    sentences: tuple[Sentence, ...] = ()
    syllables: int = 0
    long_words: tuple[str, ...] = ()

    @property
    def words_per_sentence(self) -> float:
        """Average words per sentence (0 for an empty text)."""
        return self.words / len(self.sentences) if self.sentences else 0.0

    @property
    def reading_ease(self) -> float | None:
        """Flesch Reading Ease, or None when there is nothing to score."""
        if not self.words:
            return None
        return reading_ease(self.words, len(self.sentences), self.syllables)

    @property
    def grade(self) -> float | None:
        """Flesch-Kincaid grade, or None when there is nothing to score."""
        if not self.words:
            return None
        return kincaid_grade(self.words, len(self.sentences), self.syllables)

    @property
    def reading_age(self) -> int | None:
        """Estimated UK reading age in whole years (never below 5), or None."""
        grade = self.grade
        return None if grade is None else max(5, round(grade + GRADE_TO_AGE))

    @property
    def longest(self) -> Sentence | None:
        """The sentence with the most words (the first of equals)."""
        return max(self.sentences, key=lambda s: s.words, default=None)

    @property
    def hardest(self) -> Sentence | None:
        """The sentence with the highest grade of its own (what most raises the score)."""
        return max(self.sentences, key=lambda s: s.grade, default=None)

    @property
    def fair(self) -> bool:
        """True when the text is long enough for its reading age to mean something."""
        return self.scored and self.words >= MIN_WORDS_TO_SCORE


def reading_ease(words: int, sentences: int, syllables: int) -> float:
    """Flesch Reading Ease from the three counts."""
    return 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)


def kincaid_grade(words: int, sentences: int, syllables: int) -> float:
    """Flesch-Kincaid grade level from the three counts."""
    return 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59


def can_score(language: str) -> bool:
    """True for the languages we have a method for (English, any region)."""
    return language.split("-")[0].split("_")[0].lower() in SCORED_LANGUAGES


def plain_text(text: str) -> str:
    """Markdown made into the words people read (links keep their words, marks go)."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    return text


@lru_cache(maxsize=4096)
def syllables(word: str) -> int:
    """Syllables in one word: the larger of pyphen's count and a vowel-group count."""
    word = word.lower().replace("’", "'")
    if word.isdigit():
        return 1
    # "children's", "don't": what follows an apostrophe adds no syllable.
    parts = [p.split("'")[0] for p in word.split("-")]
    return max(1, sum(_syllables_of_part(p) for p in parts if p))


def _syllables_of_part(part: str) -> int:
    hyphenated = len(_hyphenator().positions(part)) + 1
    return max(hyphenated, _vowel_count(part))


#: Suffixes after a silent e ("place-ment", "home-less"), with their syllables.
_AFTER_SILENT_E = re.compile(r"^(.*[^aeiouy]e)(ments?|less|ness|ful|ly)$")


def _vowel_count(word: str) -> int:
    """Vowel groups, less a silent e: "make", "cared", "takes", "placement"."""
    compound = _AFTER_SILENT_E.match(word)
    if compound:
        return _vowel_count(compound.group(1)) + 1
    return _simple_vowel_count(word)


def _simple_vowel_count(word: str) -> int:
    """Vowel groups, less a silent final e ("make"), -ed ("cared") or -es ("takes")."""
    count = len(_VOWEL_GROUPS.findall(word))
    if len(word) > 2 and word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        count -= 1
    elif re.search(r"[^aeiouytd]ed$", word) or re.search(r"[^aeiouysxzhgc]es$", word):
        count -= 1
    return max(1, count)


def split_sentences(text: str) -> list[tuple[str, int, int]]:
    """The sentences of ``text`` with their character ranges (empty ones left out)."""
    found, start = [], 0
    for match in SENTENCE_END.finditer(text):
        found.append((start, match.start()))
        start = match.end()
    found.append((start, len(text)))
    return [(text[a:b].strip(), a + (len(text[a:b]) - len(text[a:b].lstrip())), b)
            for a, b in found if text[a:b].strip()]


def words_of(text: str) -> list[str]:
    """The words of ``text`` (numbers count as words, hyphenated words as one)."""
    return WORD.findall(text)


def score(text: str, language: str = "en") -> Readability:
    """The readability of ``text``; for a language we can't score, ``scored`` is False."""
    if not can_score(language):
        return Readability(language=language, scored=False)
    sentences, long_words = [], []
    for sentence, start, end in split_sentences(plain_text(text)):
        words = words_of(sentence)
        if not words:
            continue
        counts = [syllables(w) for w in words]
        long_words += [w for w, n in zip(words, counts, strict=True) if n >= LONG_WORD_SYLLABLES]
        sentences.append(Sentence(sentence, start, end, len(words), sum(counts)))
    return Readability(
        language=language, scored=True, words=sum(s.words for s in sentences),
        sentences=tuple(sentences), syllables=sum(s.syllables for s in sentences),
        long_words=tuple(dict.fromkeys(long_words)),
    )


@lru_cache(maxsize=1)
def _hyphenator() -> pyphen.Pyphen:
    """The English dictionary, loaded when first needed (it costs 70 ms at start-up otherwise)."""
    return pyphen.Pyphen(lang="en_GB")
