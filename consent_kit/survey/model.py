"""The survey model: frozen dataclasses with no Flask in sight.

A survey file (YAML) is loaded into these types by :mod:`consent_kit.survey.load.survey_file`,
which checks everything and reports every problem at once. Once built, a
:class:`Survey` never changes: editing a survey makes a new one with a new
``version`` (a content hash of its definition).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

#: The stored answer of someone who chose "Prefer not to say".
PREFER_NOT_TO_SAY = "prefer_not_to_say"

#: Where "Leave this page" goes when a survey file doesn't say: an everyday page that gives
#: nothing away (the one GOV.UK's "Exit this page" pattern suggests).
DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"

#: How a ``show_if`` condition compares an earlier answer with a value.
CONDITION_OPERATORS = ("equals", "not_equals", "includes")


@dataclass(frozen=True)
class Choice:
    """One option of a choice question: the stored ``value`` and the ``label`` people read."""

    value: str
    label: str
    hint: str = ""
    #: Ticking it means none of the others ("None of these"): never chosen alongside them.
    exclusive: bool = False


@dataclass(frozen=True)
class Condition:
    """Show a page or question only when an earlier answer matches.

    ``operator`` is one of :data:`CONDITION_OPERATORS`: ``equals`` and
    ``not_equals`` compare a single answer, ``includes`` looks inside the list
    answer of a multiple-choice question.
    """

    question: str
    operator: str
    value: str


@dataclass(frozen=True)
class Validation:
    """Limits on an answer, each with an optional message in the researchers' own words."""

    min: float | None = None
    max: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    message: str = ""


@dataclass(frozen=True)
class Question:
    """One question (or, for ``info`` types, a piece of text that takes no answer).

    ``options`` holds settings that only some types use, such as a scale's
    ``min``, ``max``, ``min_label`` and ``max_label``; each question type checks
    its own options when the survey is loaded.
    """

    id: str
    type: str
    label: str
    help: str = ""
    required: bool = True
    prefer_not_to_say: bool = False
    choices: tuple[Choice, ...] = ()
    validation: Validation = field(default_factory=Validation)
    show_if: Condition | None = None
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    line: int = 0
    #: Other versions of it: ``easy_read`` ({text, image, alt}) and ``bsl`` (a video's URL).
    media: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Page:
    """A page of the participant journey: one or more questions shown together."""

    id: str
    title: str
    questions: tuple[Question, ...]
    show_if: Condition | None = None
    line: int = 0


@dataclass(frozen=True)
class InfoSection:
    """One short section of the information people read before agreeing, in Markdown."""

    id: str
    heading: str
    text: str
    line: int = 0
    #: Other versions of it: ``easy_read`` ({text, image, alt}).
    media: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class UnderstandingCheck:
    """A "check you understood" question with a right answer.

    A wrong answer shows the section ``explained_in`` and lets the person try
    again; it never locks anyone out and is never stored.
    """

    id: str
    question: str
    choices: tuple[Choice, ...]
    answer: str
    explained_in: str = ""
    line: int = 0


@dataclass(frozen=True)
class ConsentStatement:
    """Something people agree to.

    Required ones must be agreed to take part; optional ones never stop anyone.
    """

    id: str
    text: str
    required: bool = True
    line: int = 0
    #: Agreeing lets the team quote the person's written answers in findings (never their name).
    allows_quotes: bool = False


@dataclass(frozen=True)
class ConsentVariant:
    """Another version of the information and statements, for a group such as "under 16".

    An empty ``sections`` or ``statements`` means "the same as the main version".
    """

    id: str
    label: str
    sections: tuple[InfoSection, ...] = ()
    statements: tuple[ConsentStatement, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class ConsentSection:
    """What people read and agree to before answering.

    ``confirm`` is ``"tick"`` (the default) or ``"initials"`` (type your first
    name or initials). ``ask_helped`` adds "Someone helped me fill this in".
    """

    sections: tuple[InfoSection, ...]
    statements: tuple[ConsentStatement, ...]
    checks: tuple[UnderstandingCheck, ...] = ()
    variants: tuple[ConsentVariant, ...] = ()
    confirm: str = "tick"
    ask_helped: bool = True
    line: int = 0


@dataclass(frozen=True)
class SupportContact:
    """Somewhere to turn: a name, what they do, and how to reach them."""

    name: str
    description: str = ""
    phone: str = ""
    url: str = ""
    text: str = ""


@dataclass(frozen=True)
class SupportInfo:
    """The support page: a short kind introduction and contacts the researchers chose."""

    intro: str
    contacts: tuple[SupportContact, ...] = ()


@dataclass(frozen=True)
class Survey:
    """A whole survey, validated and frozen.

    ``version`` is a short content hash of ``definition`` (the parsed YAML), so
    every response can say exactly which wording it answered. ``status`` is
    ``open`` or ``closed``.
    """

    id: str
    title: str
    description: str
    pages: tuple[Page, ...]
    version: str
    language: str = "en"
    time_to_complete: str = ""
    status: str = "open"
    source: str = ""
    consent: ConsentSection | None = None
    support: SupportInfo | None = None
    #: Where "Leave this page" goes: a neutral website. The loader puts
    #: :data:`DEFAULT_EXIT_URL` here when the file doesn't say; "" only when it was switched
    #: off on purpose, and then ``exit_off_reason`` says why.
    exit_url: str = ""
    exit_off_reason: str = ""
    #: The day the researchers plan to close the survey (None = not said).
    closes: datetime.date | None = None
    #: The last day people can take their answers back (None = as long as answers are kept).
    withdraw_until: datetime.date | None = None
    #: Who people can ask about the research (an email address, a phone number, a name).
    contact: str = ""
    #: The clock people read times on, like "Europe/London" ("" = the instance's TIME_ZONE).
    time_zone: str = ""
    definition: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question of every page, in order."""
        return tuple(q for page in self.pages for q in page.questions)

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)

    def page(self, page_id: str) -> Page | None:
        """The page with this id, or None."""
        return next((p for p in self.pages if p.id == page_id), None)

    @property
    def is_open(self) -> bool:
        """True while the survey takes answers."""
        return self.status == "open"

    def can_withdraw(self, today: datetime.date) -> bool:
        """True while people can still take their answers back (on ``today``, the survey's date)."""
        return self.withdraw_until is None or today <= self.withdraw_until


@dataclass(frozen=True)
class Problem:
    """Something wrong in a survey file, written for the person who wrote it.

    ``str(problem)`` reads ``forms/youth.yaml:14: question 'age': unknown type
    'nmber' — did you mean 'number'?``.
    """

    path: str
    line: int
    where: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else self.path
        where = f" {self.where}:" if self.where else ""
        return f"{place}:{where} {self.message}"


class SurveyError(Exception):
    """A survey file could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
