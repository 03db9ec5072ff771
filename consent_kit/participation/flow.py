"""The participant journey as plain functions over the model (no Flask).

Answers are a dict of question id -> stored value. Skip logic only ever looks
at answers on earlier pages (the loader makes sure of that), so the pages to
show can be worked out from the answers given so far.
"""

from __future__ import annotations

from consent_kit.survey.model import Condition, Page, Question, Survey

#: Where the journey goes after the last page.
CHECK_ANSWERS = "check"


def condition_met(condition: Condition | None, answers: dict) -> bool:
    """True when there is no condition, or the earlier answer matches it."""
    if condition is None:
        return True
    answer = answers.get(condition.question)
    if condition.operator == "includes":
        return isinstance(answer, list) and condition.value in [str(a) for a in answer]
    matches = answer is not None and str(answer) == condition.value
    return matches if condition.operator == "equals" else not matches


def visible_questions(page: Page, answers: dict) -> list[Question]:
    """The questions of ``page`` that the answers so far let people see."""
    return [q for q in page.questions if condition_met(q.show_if, answers)]


def visible_pages(survey: Survey, answers: dict) -> list[Page]:
    """The pages to show, in order, given the answers so far.

    A page whose every question is hidden is skipped too, so nobody lands on
    an empty page.
    """
    return [
        page
        for page in survey.pages
        if condition_met(page.show_if, answers) and visible_questions(page, answers)
    ]


def first_page(survey: Survey, answers: dict | None = None) -> str:
    """The id of the first page to show."""
    pages = visible_pages(survey, answers or {})
    return pages[0].id if pages else CHECK_ANSWERS


def next_page(survey: Survey, answers: dict, current: str) -> str:
    """The page after ``current``, or :data:`CHECK_ANSWERS` after the last one."""
    ids = [p.id for p in visible_pages(survey, answers)]
    if current not in ids:
        return first_unanswered(survey, answers)
    position = ids.index(current)
    return ids[position + 1] if position + 1 < len(ids) else CHECK_ANSWERS


def previous_page(survey: Survey, answers: dict, current: str) -> str | None:
    """The page before ``current`` (the last page, from "Check your answers"), or None."""
    ids = [p.id for p in visible_pages(survey, answers)]
    if current == CHECK_ANSWERS:
        return ids[-1] if ids else None
    if current not in ids or ids.index(current) == 0:
        return None
    return ids[ids.index(current) - 1]


def progress(survey: Survey, answers: dict, current: str) -> tuple[int, int]:
    """``(n, total)`` for "Page n of total", where the total never goes up on the way forward.

    The total is the pages shown so far plus every later page that could still
    be shown. A later page whose condition looks only at pages already behind
    is counted if it is met; one that looks at this page or a later one (not
    answered yet, or open to change) is counted as if it will be shown. Each
    answer can only take pages away, so people see "Page 1 of 6", then "Page 2
    of 4", never "Page 4 of 5" then "Page 5 of 6".
    """
    pages = survey.pages
    position = next((i for i, p in enumerate(pages) if p.id == current), len(pages))
    page_of = {q.id: i for i, p in enumerate(pages) for q in p.questions}

    def may_show(condition: Condition | None) -> bool:
        if condition is not None and page_of.get(condition.question, -1) >= position:
            return True  # decided on this page or later: it may still be shown
        return condition_met(condition, answers)

    before = sum(1 for page in pages[:position]
                 if condition_met(page.show_if, answers) and visible_questions(page, answers))
    later = sum(1 for page in pages[position + 1:]
                if may_show(page.show_if) and any(may_show(q.show_if) for q in page.questions))
    here = 1 if position < len(pages) else 0
    return before + here, before + here + later


def can_visit(survey: Survey, answers: dict, page_id: str, seen: set[str]) -> bool:
    """True when ``page_id`` is shown and every page before it has been through.

    This stops people jumping past questions by typing a page address.
    """
    for page in visible_pages(survey, answers):
        if page.id == page_id:
            return True
        if page.id not in seen:
            return False
    return page_id == CHECK_ANSWERS


def first_unanswered(survey: Survey, answers: dict, seen: set[str] | None = None) -> str:
    """The first shown page not yet gone through, or :data:`CHECK_ANSWERS`."""
    seen = seen or set()
    for page in visible_pages(survey, answers):
        if page.id not in seen:
            return page.id
    return CHECK_ANSWERS


def answers_to_keep(survey: Survey, answers: dict) -> dict:
    """Only the answers to questions that are still shown.

    When someone changes an earlier answer so that a later question no longer
    applies, its old answer must not be stored.
    """
    keep = {}
    for page in visible_pages(survey, answers):
        for question in visible_questions(page, answers):
            if question.id in answers:
                keep[question.id] = answers[question.id]
    return keep


def missing_required(survey: Survey, answers: dict) -> list[Question]:
    """Required, shown questions with no answer (checked again before storing)."""
    missing = []
    for page in visible_pages(survey, answers):
        for question in visible_questions(page, answers):
            if question.required and answers.get(question.id) in (None, "", []):
                missing.append(question)
    return missing
