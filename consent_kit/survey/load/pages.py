"""Read the pages (or the one-question-per-page list) of a survey file.

Part of :mod:`consent_kit.survey.load.survey_file`. A file has either ``pages:`` (several
questions on a page) or ``questions:`` (each question on its own page).
"""

from __future__ import annotations

from dataclasses import dataclass

from consent_kit.survey.load.common import (
    Context,
    check_keys,
    is_scalar,
    item_line,
    key_line,
    line_of,
    plain_scalar,
    read_text,
    show,
    value_line,
)
from consent_kit.survey.load.conditions import Known, Pending, check_conditions, read_condition
from consent_kit.survey.load.piping_checks import check_pipes
from consent_kit.survey.load.questions import QUESTION_ID, ReadQuestion, question_where, read_question
from consent_kit.survey.model import Page
from consent_kit.survey.question_types import QuestionTypeRegistry

PAGE_KEYS = ("id", "title", "show_if", "questions")
_PAGE_SYNONYMS = {"heading": "title", "name": "title", "condition": "show_if",
                  "when": "show_if", "if": "show_if", "items": "questions"}


@dataclass
class _Found:
    """Everything read so far, for the checks that look across the whole survey."""

    pages: list[Page]
    questions: list[tuple[ReadQuestion, int]]
    pending: list[Pending]


def read_pages(ctx: Context, data: dict, types: QuestionTypeRegistry) -> tuple[Page, ...]:
    """Read the survey's pages; check ids and show_if across the whole survey."""
    found = _Found([], [], [])
    if "pages" in data and "questions" in data:
        ctx.add(key_line(data, "questions"), "", "the file has both 'pages:' and 'questions:'. "
                "Use only one: 'pages:' to put several questions on a page, or 'questions:' "
                "to show each question on its own page.")
    if "pages" in data:
        _read_page_list(ctx, data, types, found)
    elif "questions" in data:
        _read_one_per_page(ctx, data, types, found)
    else:
        ctx.add(line_of(data, 1), "", "the survey has no questions. Add 'questions:' with a "
                "list of questions (each is shown on its own page), or 'pages:' to group them.")
    known = _check_question_ids(ctx, found.questions)
    check_conditions(ctx, found.pending, known, types)
    check_pipes(ctx, [pipe for read, _ in found.questions for pipe in read.pipes], known)
    return tuple(found.pages)


def _list_of(ctx: Context, data: dict, key: str, where: str, what: str) -> list | None:
    raw = data.get(key)
    if isinstance(raw, list) and raw:
        return raw
    ctx.add(key_line(data, key, line_of(data)), where, f"'{key}' should be a list of {what}, "
            "each starting with '- ' on a new line, indented under it.")
    return None


def _read_one_per_page(ctx: Context, data: dict, types: QuestionTypeRegistry,
                       found: _Found) -> None:
    raw = _list_of(ctx, data, "questions", "", "questions")
    for number, mapping in enumerate(raw or [], start=1):
        read = read_question(ctx, mapping, question_where(mapping, number, None), page=number,
                             types=types)
        if read is None:
            continue
        question = read.question
        found.questions.append((read, number))
        found.pending += [read.pending] if read.pending else []
        found.pages.append(Page(id=question.id or f"page-{number}", title="",
                                questions=(question,), line=question.line))


def _read_page_list(ctx: Context, data: dict, types: QuestionTypeRegistry,
                    found: _Found) -> None:
    raw = _list_of(ctx, data, "pages", "", "pages")
    ids: dict[str, int] = {}
    for number, page in enumerate(raw or [], start=1):
        where = f"page {number}"
        if not isinstance(page, dict):
            ctx.add(item_line(raw, number - 1), where, f"each page should be a group of "
                    f"settings with 'questions:', not {show(page)}. Check the indentation.")
            continue
        check_keys(ctx, page, PAGE_KEYS, where, what="A page", synonyms=_PAGE_SYNONYMS)
        page_id = _page_id(ctx, page, number, ids)
        title = read_text(ctx, page, "title", where)
        condition, pending = read_condition(ctx, page, where, page=number, owner=None)
        found.pending += [pending] if pending else []
        questions = []
        listed = page.get("questions")
        if not isinstance(listed, list) or not listed:
            ctx.add(key_line(page, "questions", line_of(page)), where, "this page has no "
                    "questions. Add 'questions:' with at least one question, or delete the page.")
            listed = []
        for index, mapping in enumerate(listed, start=1):
            read = read_question(ctx, mapping, question_where(mapping, index, number),
                                 page=number, types=types)
            if read is not None:
                questions.append(read.question)
                found.questions.append((read, number))
                found.pending += [read.pending] if read.pending else []
        found.pages.append(Page(id=page_id, title=title, questions=tuple(questions),
                                show_if=condition, line=line_of(page)))


def _page_id(ctx: Context, page: dict, number: int, ids: dict[str, int]) -> str:
    where = f"page {number}"
    if "id" not in page:
        page_id = f"page-{number}"
        if page_id in ids:
            ctx.add(line_of(page), where, f"this page has no id, so it is called '{page_id}', "
                    f"but page {ids[page_id]} already uses that id. Give one of them another id.")
        ids.setdefault(page_id, number)
        return page_id
    raw = page["id"]
    line = value_line(page, "id")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        ctx.add(line, where, f"'id:' is empty. Write the page's id after it, like 'about-you', "
                f"or delete the line to call it 'page-{number}'.")
        return f"page-{number}"
    page_id = plain_scalar(raw).strip() if is_scalar(raw) else ""
    if not QUESTION_ID.match(page_id):
        ctx.add(line, where, f"the page id {show(raw)} can't be used. An id starts with a letter "
                "and has only letters, digits, _ and - (no spaces), like 'about-you'.")
    elif page_id in ids:
        ctx.add(line, where, f"page {ids[page_id]} already has the id '{page_id}'. Each page "
                "needs its own id: change one of them.")
    ids.setdefault(page_id, number)
    return page_id


def _check_question_ids(ctx: Context, questions: list[tuple[ReadQuestion, int]]
                        ) -> dict[str, Known]:
    known: dict[str, Known] = {}
    for read, page in questions:
        question = read.question
        if not question.id:
            continue
        first = known.get(question.id)
        if first is None:
            known[question.id] = Known(question, page, read.type)
            continue
        ctx.add(read.id_line, f"question '{question.id}'", f"the id '{question.id}' is also "
                f"used by the question on line {first.question.line}. Each question needs its "
                "own id: change one of them.")
    return known
