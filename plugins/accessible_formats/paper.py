"""The survey on paper: what each question looks like printed, and the PDF of it (no Flask).

The printable page and the PDF are drawn from the same :class:`PaperQuestion`
list, so they always agree: tick boxes for choices, lines to write on for
words, boxes for a date. A printed form can't know anyone's earlier answers, so
a ``${name}`` in a question's words is printed as the question it comes from
("…about (your answer to question 2)?", :func:`consent_kit.stand_in`).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from consent_kit import stand_in

from .texts import markdown_plain

if TYPE_CHECKING:
    from .paper_page import Paper

LINES = {"long": 5, "short": 1, "number": 1}
#: An earlier answer on paper, in English (the page passes it in the reader's language).
ANSWER_ON_PAPER = "(your answer to question %(question)s)"

#: PDFs kept in memory per app: a survey's versions x languages x two sizes (about 20-60 KB each).
CACHE_SIZE = 48


@dataclass(frozen=True)
class PaperQuestion:
    """One question as printed. ``shape``: info, one, many, date, long, short or number."""

    id: str
    label: str
    help: str
    shape: str
    choices: tuple[str, ...] = ()
    optional: bool = False
    #: The number printed before it (information has none, so it takes no number).
    number: int = 0

    @property
    def lines(self) -> int:
        """How many lines to write on."""
        return LINES.get(self.shape, 0)


def paper_questions(survey, types, prefer_not_to_say: str,
                    answer_phrase: str = ANSWER_ON_PAPER) -> list[PaperQuestion]:
    """Every question of ``survey`` as printed, using each type's own choices.

    Questions are numbered 1, 2, 3… (information is not); an earlier answer in a
    question's words becomes ``answer_phrase`` with that question's number.
    """
    printed = [_one(q, types.get(q.type), prefer_not_to_say) for q in survey.questions]
    numbers, count = {}, 0
    for index, question in enumerate(printed):
        if question.shape != "info":
            count += 1
            numbers[question.id] = str(count)
        printed[index] = dataclasses.replace(
            question, number=count if question.shape != "info" else 0,
            label=stand_in(question.label, answer_phrase, numbers),
            help=stand_in(question.help, answer_phrase, numbers))
    return printed


def as_on_paper(views, printed: list[PaperQuestion]) -> None:
    """Give each view's question the words of the printed form, for typing in paper answers.

    Only questions whose words hold an earlier answer change (to "…(your answer to
    question 2)…", as the paper the answers came from says); such a view is marked
    ``piped`` so its drawing is never kept for anyone else.
    """
    words = {q.id: q for q in printed}
    for view in views:
        on_paper = words.get(view.question.id)
        if on_paper is None or (on_paper.label, on_paper.help) == (view.question.label,
                                                                   view.question.help):
            continue
        view.question = dataclasses.replace(view.question, label=on_paper.label,
                                            help=on_paper.help)
        view.piped = True


def _one(question, qtype, prefer_not_to_say: str) -> PaperQuestion:
    shape, choices = "short", ()
    if qtype is not None and not qtype.takes_answer:
        shape = "info"
    elif hasattr(qtype, "choices_for"):
        choices = tuple(str(c.label) for c in qtype.choices_for(question, prefer_not_to_say))
        shape = "many" if getattr(qtype, "many_answers", False) else "one"
    elif question.type == "date":
        shape = "date"
    elif question.type in ("long_text", "number"):
        shape = "long" if question.type == "long_text" else "number"
    return PaperQuestion(question.id, question.label, question.help, shape, choices,
                         optional=not question.required and shape != "info")


@dataclass(frozen=True)
class PaperLabels:
    """Words printed on the paper version, already in the reader's language."""

    information: str
    statements: str
    needed: str
    optional: str
    tick_one: str
    tick_any: str
    write_here: str
    date: str
    sign: str
    questions: str
    optional_question: str


def paper_pdf(survey, questions: list[PaperQuestion], labels: PaperLabels,
              large: bool = False) -> bytes:
    """The paper version as a PDF: information, statements to tick, then the questions."""
    from .paper_page import Paper  # fpdf loads in a second: only when a PDF is made

    pdf = Paper(size=16 if large else 12)
    pdf.set_title(survey.title)
    pdf.add_page()
    pdf.heading(survey.title, 1.6)
    pdf.text(survey.description)
    if survey.consent is not None:
        pdf.heading(labels.information, 1.3)
        for section in survey.consent.sections:
            pdf.heading(section.heading, 1.1)
            pdf.text(markdown_plain(section.text))
        pdf.heading(labels.statements, 1.3)
        for statement in survey.consent.statements:
            pdf.box_line(f"{statement.text} ({labels.needed if statement.required else labels.optional})")
        pdf.write_lines(labels.sign, 1)
    pdf.heading(labels.questions, 1.3)
    for question in questions:
        _draw_question(pdf, question.number, question, labels)
    return bytes(pdf.output())


def _draw_question(pdf: Paper, number: int, question: PaperQuestion, labels: PaperLabels) -> None:
    if question.shape == "info":
        pdf.text(question.label)
        return
    optional = f" {labels.optional_question}" if question.optional else ""
    pdf.heading(f"{number}. {question.label}{optional}", 1.0)
    if question.help:
        pdf.text(question.help)
    if question.shape in ("one", "many"):
        pdf.text(labels.tick_one if question.shape == "one" else labels.tick_any)
        for choice in question.choices:
            pdf.box_line(choice)
    elif question.shape == "date":
        pdf.text(f"{labels.date}:  __ __ / __ __ / __ __ __ __")
    else:
        pdf.write_lines(labels.write_here, question.lines)


class PdfCache:
    """The last ``size`` PDFs made, by (survey id, survey version, language, large).

    Making the paper PDF costs about half a second of CPU, and anyone can ask for it without
    signing in: without this, a few people (or a bot) asking again and again slowed every
    other page. A new survey version or language is a new key, so nothing stale is served;
    the oldest PDF is dropped when the cache is full, so memory stays bounded. While one
    thread makes a PDF, others asking for the same one wait for it rather than each making
    their own (32 at once would otherwise all miss the cache together).
    """

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._kept: OrderedDict[tuple, bytes] = OrderedDict()
        self._making: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        """The PDF for ``key``, made with ``make()`` only when it isn't kept or being made."""
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            pending = self._making.get(key)
            if pending is None:
                self._making[key] = threading.Event()
        if pending is not None:
            pending.wait(timeout=120)
            with self._lock:
                if key in self._kept:
                    return self._kept[key]
            return make()  # the first maker failed: try once for this request
        try:
            data = make()  # outside the lock: one slow PDF never holds up the others
            with self._lock:
                self._kept[key] = data
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
            return data
        finally:
            with self._lock:
                self._making.pop(key).set()

    def __len__(self) -> int:
        return len(self._kept)
