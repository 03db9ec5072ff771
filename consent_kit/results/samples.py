"""Sample answers: made-up responses that follow a survey's questions, choices and skip logic.

Pure logic (no Flask). Peer researchers make them before launch to try the
results page and the exports with many answers (Qualtrics calls this
"generate test responses"). Every sample is marked twice, ``source="sample"``
and ``meta["sample"] = True``, so it is never mistaken for a real answer: the
results page says how many it includes, exports leave them out unless asked,
and ``consent-kit sample-answers SURVEY --remove`` takes them all away without
touching a real answer.

A plugin's question type can say what a made-up answer looks like by giving
its class a ``sample_answer(question, rng)`` method (``rng`` is a
``random.Random``); without one, a type with choices gets one of them and any
other type a short made-up sentence.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator, Mapping

from consent_kit.participation.flow import condition_met
from consent_kit.results.dictionary import answer_choices
from consent_kit.store.base import Response
from consent_kit.survey.model import PREFER_NOT_TO_SAY, Question, Survey

#: ``Response.source`` of every sample answer.
SAMPLE_SOURCE = "sample"
#: The key in ``Response.meta`` that marks a sample answer.
SAMPLE_META = "sample"
#: Made-up answers to questions answered in people's own words.
SAMPLE_TEXTS = (
    "More things to do in the evening.",
    "Staff who listen and have time.",
    "Cheaper bus fares to get there.",
    "It was fine.",
    "Somewhere quiet to go after school.",
    "Being asked what we think, like this.",
    "I don't know.",
    "Help with finding a job or college.",
)
#: How often an optional question is left blank, and "Prefer not to say" picked where offered.
SKIP_RATE, PREFER_NOT_RATE = 0.10, 0.04
#: The documents table that keeps each survey's number of sample answers.
SAMPLE_COUNTS = "sample_answers"
#: Sample answers are spread over this many days before the day they are made.
SPREAD_DAYS = 28


def is_sample(response) -> bool:
    """Whether a stored response is a made-up sample answer (never a real person's)."""
    return response.source == SAMPLE_SOURCE or bool(response.meta.get(SAMPLE_META))


def sample_answer(question: Question, rng: random.Random, question_type=None):
    """A made-up answer to ``question``, or ``None`` to leave it blank.

    ``question_type`` is the registered type; its ``sample_answer`` method wins
    when it has one.
    """
    if question.type == "info" or (question_type is not None and not question_type.takes_answer):
        return None
    maker = getattr(question_type, "sample_answer", None)
    if callable(maker):
        return maker(question, rng)
    if not question.required and rng.random() < SKIP_RATE:
        return None
    many = question.type == "multiple_choice"
    if question.prefer_not_to_say and rng.random() < PREFER_NOT_RATE:
        return [PREFER_NOT_TO_SAY] if many else PREFER_NOT_TO_SAY
    return _typed_answer(question, rng, many)


def _typed_answer(question: Question, rng: random.Random, many: bool):
    if question.type == "scale":
        low, high = question.options.get("min", 1), question.options.get("max", 5)
        # Leaning to the middle, as real answers often do: the charts show a shape.
        return round(rng.triangular(low, high))
    choices = [c for c in answer_choices(question) if c.value != PREFER_NOT_TO_SAY]
    if many:
        return _ticked(question, choices, rng)
    if choices:
        return rng.choice(choices).value
    if question.type == "number":
        low = question.validation.min if question.validation.min is not None else 0
        high = question.validation.max if question.validation.max is not None else max(low, 0) + 60
        return rng.randint(int(low), int(high)) if high >= low else int(low)
    if question.type == "date":
        day = dt.date.today() - dt.timedelta(days=rng.randint(0, 365 * 20))
        return day.isoformat()
    return _text(question, rng)


def _ticked(question: Question, choices: list, rng: random.Random) -> list[str]:
    """Ticks for a "choose any" question, within its limits; an "only this" choice stays alone."""
    alone = [c for c in choices if c.exclusive]
    others = [c for c in choices if not c.exclusive]
    if not others or (alone and rng.random() < 0.1):
        return [rng.choice(alone or choices).value]
    low = max(1, int(question.validation.min or 1))
    high = min(len(others), int(question.validation.max or min(3, len(others))))
    picked = rng.sample(others, rng.randint(min(low, high), high))
    order = {c.value: n for n, c in enumerate(others)}
    return sorted((c.value for c in picked), key=order.get)


def _text(question: Question, rng: random.Random) -> str | None:
    if question.validation.pattern:
        return None  # no made-up words can be sure to fit a pattern: left blank
    text = rng.choice(SAMPLE_TEXTS)
    if question.validation.max_length:
        text = text[: question.validation.max_length]
    return text


def sample_answers(survey: Survey, rng: random.Random,
                   question_types: Mapping[str, object] | None = None) -> dict:
    """One made-up set of answers, page by page, skipping what the skip logic hides."""
    types = question_types or {}
    answers: dict = {}
    for page in survey.pages:
        if not condition_met(page.show_if, answers):
            continue
        for question in page.questions:
            if not condition_met(question.show_if, answers):
                continue
            answer = sample_answer(question, rng, types.get(question.type))
            if answer is not None:
                answers[question.id] = answer
    return answers


def make_samples(survey: Survey, count: int, *, seed: int | None = None,
                 question_types: Mapping[str, object] | None = None,
                 now: dt.datetime | None = None) -> Iterator[Response]:
    """``count`` sample responses to ``survey``, made one at a time (never all in memory).

    They are spread over the :data:`SPREAD_DAYS` days before ``now``, so
    results over time have a shape. ``seed`` makes the same answers again.
    """
    rng = random.Random(seed)
    end = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0, tzinfo=None)
    spread = SPREAD_DAYS * 86_400
    for _ in range(count):
        at = end - dt.timedelta(seconds=rng.randrange(spread))
        yield Response(
            id=f"sample-{uuid.uuid4().hex}",  # never the seed's: a second run adds, not clashes
            survey_id=survey.id,
            survey_version=survey.version,
            answers=sample_answers(survey, rng, question_types),
            submitted_at=at.isoformat() + "Z",
            reference="SAMPLE",
            source=SAMPLE_SOURCE,
            meta={SAMPLE_META: True, "language": survey.language},
        )


def sample_count(store, survey_id: str) -> int:
    """How many sample answers ``survey_id`` has, as the sample-answers command left it (0 if none)."""
    found = store.documents(SAMPLE_COUNTS).get(survey_id=survey_id)
    return int(found.get("count", 0)) if found else 0


def answers_apart(store, survey_id: str) -> tuple[int, int]:
    """``(real answers, sample answers)`` of ``survey_id``: what people sent, and what was made up."""
    samples = sample_count(store, survey_id)
    return store.count_responses(survey_id) - samples, samples


def set_sample_count(store, survey_id: str, count: int) -> None:
    """Keep how many sample answers a survey has (read by the export page without reading them)."""
    store.documents(SAMPLE_COUNTS).put({"survey_id": survey_id, "count": max(0, count)},
                                       survey_id=survey_id)
