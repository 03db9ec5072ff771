"""Earlier answers in the words of a later question: ``${name}`` in a label or help text.

``label: "What do you like most about ${club}?"`` shows the answer to the
question ``club`` in its place ("…about the youth club?"). The loader checks
that every ``${name}`` is a question people answer on an earlier page
(:func:`consent_kit.survey.load.piping_checks.check_pipes`); the participant
pages fill the words in (:func:`fill`) as plain text, which the templates
escape like any other words, never as HTML. When there is no answer (the
question was skipped, hidden, or "Prefer not to say") a plain blank
(:data:`BLANK`) stands in. XLSForm writes piping the same way, so it goes in
and out of ``consent-kit import`` and the XLSForm export unchanged.

Where no one person's answer can be shown (the paper version, read-aloud audio
made once for everyone, exports, the data dictionary, results) :func:`stand_in`
puts words in its place that say whose answer goes there, so nobody ever reads
a raw ``${name}``. No Flask here.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping

from consent_kit.survey.model import Question

#: ``${name}``: a question id between ``${`` and ``}`` (spaces inside are allowed).
PIPE = re.compile(r"\$\{\s*([A-Za-z][A-Za-z0-9_-]*)\s*\}")
#: Anything written as ``${...}``, to catch ones that can't be question ids (``${my name}``).
ANY_PIPE = re.compile(r"\$\{([^}]*)\}")
#: What stands in for an answer that isn't there.
BLANK = "…"
#: The question texts that may hold earlier answers.
PIPED_FIELDS = ("label", "help")
#: What exports and results say in place of an earlier answer: "[answer to club]".
STAND_IN = "[answer to %(name)s]"


def references(text) -> list[str]:
    """The question ids used in ``text``, in order, each once."""
    return list(dict.fromkeys(PIPE.findall(str(text or ""))))


def has_pipes(question: Question) -> bool:
    """True when the question's label or help uses an earlier answer."""
    return any(PIPE.search(str(getattr(question, name) or "")) for name in PIPED_FIELDS)


def fill(text, words_for: Callable[[str], str]):
    """``text`` with each ``${name}`` replaced by ``words_for(name)``, or :data:`BLANK` if empty.

    The result is plain text (it is escaped where it is shown). Words from a
    survey file keep their language, so a fallback language is still marked.
    """
    if not isinstance(text, str) or "${" not in text:
        return text
    filled = PIPE.sub(lambda match: str(words_for(match.group(1)) or "").strip() or BLANK, text)
    if hasattr(text, "lang") and hasattr(text, "key"):
        return type(text)(filled, text.key, {}, text.lang)
    return filled


def pipe_question(question: Question, words_for: Callable[[str], str]) -> Question:
    """A copy of the question with earlier answers in its label and help (itself when it has none)."""
    if not has_pipes(question):
        return question
    return dataclasses.replace(question, **{name: fill(getattr(question, name), words_for)
                                            for name in PIPED_FIELDS})


def stand_in(text, phrase: str = STAND_IN, named: Mapping[str, str] | None = None):
    """``text`` with each ``${name}`` as words saying whose answer goes there, never ``${``.

    ``phrase`` is a %-format: ``%(name)s`` is the question id and ``%(question)s``
    what ``named`` gives for it (the id when ``named`` is None; :data:`BLANK`
    when ``named`` doesn't know the id, so ``named={}`` blanks them all).
    :data:`STAND_IN` gives "What do you like about [answer to club]?"; the paper
    version passes "(your answer to question %(question)s)" with the numbers.
    Anything else written as ``${...}`` becomes :data:`BLANK`, so even an
    unchecked draft shows no raw code. Public as ``consent_kit.stand_in``.
    Plain text out, like :func:`fill`; words from a survey file keep their language.
    """
    if not isinstance(text, str) or "${" not in text:
        return text

    def words(name: str) -> str:
        if named is not None and name not in named:
            return BLANK
        return str(phrase) % {"name": name, "question": (named or {}).get(name, name)}

    filled = fill(text, words)
    rest = ANY_PIPE.sub(BLANK, str(filled))
    if rest == str(filled):
        return filled
    return type(filled)(rest, filled.key, {}, filled.lang) if hasattr(filled, "key") else rest

