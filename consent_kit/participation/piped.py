"""Earlier answers in the words of later questions, as people see them (``${name}``).

The survey file says where an answer goes (:mod:`consent_kit.survey.piping`);
this fills it in for one person from their answers so far. Only answers to
questions they were shown count: an answer left behind on a page that is now
skipped shows as a blank, like one never given or "Prefer not to say". The
words are plain text, escaped by the templates like every other label.
"""

from __future__ import annotations

from collections.abc import Callable

from consent_kit.participation.flow import answers_to_keep
from consent_kit.survey.model import PREFER_NOT_TO_SAY, Question, Survey
from consent_kit.survey.piping import fill, has_pipes, pipe_question
from consent_kit.survey.question_types import QuestionTypeRegistry


def answer_words(survey: Survey, answers: dict, registry: QuestionTypeRegistry) -> Callable[[str], str]:
    """``words(question_id)``: the person's answer as they read it, or "" when there is none."""
    shown = answers_to_keep(survey, answers)

    def words(question_id: str) -> str:
        question, answer = survey.question(question_id), shown.get(question_id)
        if question is None or question.type not in registry:
            return ""
        if answer in (None, "", [], PREFER_NOT_TO_SAY, [PREFER_NOT_TO_SAY]):
            return ""
        return str(registry[question.type].describe_answer(question, answer))

    return words


def piped(questions: list[Question], survey: Survey, answers: dict,
          registry: QuestionTypeRegistry) -> list[Question]:
    """The questions with earlier answers in their words (unchanged ones are the same objects)."""
    if not any(has_pipes(q) for q in questions):
        return list(questions)
    words = answer_words(survey, answers, registry)
    return [pipe_question(q, words) for q in questions]


def pipe_views(views: list, survey: Survey, answers: dict, registry: QuestionTypeRegistry) -> None:
    """Put earlier answers into the questions a page shows (each view's ``question``), and
    into their error messages (which name the question): call it after the form is checked.

    The form itself is built from the questions as written, so its class can
    be kept and shared; only the words drawn change, and a view with someone's
    answer in it is marked ``piped`` so its drawing is never kept.
    """
    filled = piped([v.question for v in views], survey, answers, registry)
    words = None
    for view, question in zip(views, filled, strict=True):
        if question is view.question:
            continue
        view.question, view.piped = question, True
        errors = getattr(view.field, "errors", None)
        if errors:  # "Enter an answer to ‘What do you like about ${club}?’"
            words = words or answer_words(survey, answers, registry)
            view.field.errors = [fill(str(message), words) for message in errors]
