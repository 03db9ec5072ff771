"""Small operations on a survey definition: pages, questions, choices, skip logic, limits.

Each operation takes a definition (the plain dict of a survey file), changes a
deep copy and returns it, so a refused change leaves nothing half done. They
only know the shape of the file; whether the result is a good survey is
decided by the real loader (:func:`consent_kit.studio.builder.checks.check`).
Settings an operation doesn't know about (translations, ``easy_read``,
``incentive``, settings added by plugins) are left exactly as they were.
No Flask here.
"""

from __future__ import annotations

import re
from typing import Any

from consent_kit.studio.builder.starter import starter_parts
from consent_kit.studio.builder.texts import clone, language_of, normalise_words, set_text

_ID_PART = re.compile(r"[^a-z0-9]+")


def _l(message: str) -> str:
    """Mark words for translation; they are translated where they are shown (the web pages)."""
    return message


class BuilderError(ValueError):
    """A change that can't be made, in words for the person making it.

    ``message`` is the untranslated text with ``%(name)s`` places for
    ``params``; ``field`` is the form input it is about.
    """

    def __init__(self, message: str, field: str = "", **params):
        super().__init__(message % params if params else message)
        self.message, self.field, self.params = message, field, params


# -- finding things ------------------------------------------------------------------


def page_id_of(page: dict, index: int) -> str:
    """A page's id: its own, or ``page-N`` as the loader names a page without one."""
    given = page.get("id") if isinstance(page, dict) else None
    return str(given).strip() if given not in (None, "") else f"page-{index + 1}"


def pages_of(definition: dict) -> list:
    """The definition's list of pages (after :func:`normalise` it always has one)."""
    pages = definition.get("pages")
    if not isinstance(pages, list):
        raise BuilderError(_l("This survey has no pages to change."))
    return pages


def find_page(definition: dict, page_id: str) -> tuple[int, dict]:
    """The position and mapping of a page, or BuilderError."""
    for index, page in enumerate(pages_of(definition)):
        if isinstance(page, dict) and page_id_of(page, index) == page_id:
            return index, page
    raise BuilderError(_l("That page isn't in this survey any more. It may have been deleted."))


def iter_questions(definition: dict):
    """(page index, page, question index, question) for every question mapping, in order."""
    for page_index, page in enumerate(pages_of(definition)):
        listed = page.get("questions") if isinstance(page, dict) else None
        for index, question in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(question, dict):
                yield page_index, page, index, question


def find_question(definition: dict, question_id: str) -> tuple[dict, int, dict]:
    """The page, position and mapping of a question, or BuilderError."""
    for _, page, index, question in iter_questions(definition):
        if str(question.get("id", "")) == question_id:
            return page, index, question
    raise BuilderError(_l("That question isn't in this survey any more. It may have been deleted."))


def question_ids(definition: dict) -> list[str]:
    """Every question id, in order."""
    return [str(q.get("id", "")) for _, _, _, q in iter_questions(definition)]


# -- the shape of the file -----------------------------------------------------------


def normalise(definition: dict) -> dict:
    """The definition with ``pages:`` (a ``questions:`` list becomes one page per question).

    Pages without an id get the id the loader gives them, so moving pages
    around never changes which page is which.
    """
    changed = clone(definition)
    if "pages" not in changed and isinstance(changed.get("questions"), list):
        pages = [{"id": str(q.get("id")) if isinstance(q, dict) and q.get("id") else
                  f"page-{n}", "questions": [q]} for n, q in enumerate(changed["questions"], 1)]
        changed = {("pages" if key == "questions" else key): (pages if key == "questions"
                                                              else value)
                   for key, value in changed.items()}
    for index, page in enumerate(changed.get("pages") or []):
        if isinstance(page, dict) and not page.get("id"):
            page_with_id = {"id": page_id_of(page, index), **page}
            page.clear()
            page.update(page_with_id)
    return changed


def new_definition(survey_id: str, title: str, description: str, language: str = "en") -> dict:
    """A new survey: its words, open, with one page holding a short welcome to change.

    It starts safe (:mod:`.starter`): consent with marked words to change, the
    support page with national services, and "Leave this page" on.
    """
    return {
        "id": survey_id,
        "title": normalise_words(title),
        "description": normalise_words(description),
        "language": language,
        "status": "open",
        **starter_parts(),
        "pages": [{"id": "welcome", "title": "Welcome", "questions": [
            {"id": "welcome_note", "type": "info",
             "label": "Thank you for taking part. You can stop at any time."}]}],
    }


def make_id(words: str, taken, *, prefix: str = "q", sep: str = "_") -> str:
    """A short id made from ``words`` (letters, digits and ``sep``), not one of ``taken``."""
    base = sep.join(_ID_PART.sub(" ", normalise_words(words).lower()).split()[:6])[:40]
    base = base.strip(sep) or prefix
    if not base[0].isalpha():
        base = f"{prefix}{sep}{base}"
    found, number = base, 2
    while found in set(taken):
        found = f"{base}{sep}{number}"
        number += 1
    return found


def move_in(items: list, index: int, step: int) -> None:
    """Move ``items[index]`` up (step -1) or down (+1); at an end, nothing happens."""
    target = index + step
    if 0 <= index < len(items) and 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


# -- the survey itself ---------------------------------------------------------------


def set_details(definition: dict, *, title: str, description: str,
                time_to_complete: str | None = None, exit_page: str | None = None) -> dict:
    """Change the survey's title, description, how long it takes and its "Leave" page
    (``None``: leave that one as it is)."""
    changed = clone(definition)
    language = language_of(changed)
    set_text(changed, "title", title, language, keep_empty=True)
    set_text(changed, "description", description, language, keep_empty=True)
    if time_to_complete is not None:
        set_text(changed, "time_to_complete", time_to_complete, language)
    if exit_page is not None:
        if normalise_words(exit_page):
            changed["exit_page"] = normalise_words(exit_page)
        else:
            changed.pop("exit_page", None)
    return changed


def set_status(definition: dict, status: str) -> dict:
    """Open or close the survey for answers."""
    if status not in ("open", "closed"):
        raise BuilderError(_l("Choose open or closed."))
    changed = clone(definition)
    changed["status"] = status
    return changed


# -- pages ---------------------------------------------------------------------------


def add_page(definition: dict, *, title: str, first_question: dict,
             after: str | None = None) -> tuple[dict, str]:
    """Add a page holding ``first_question`` (after page ``after``, else at the end)."""
    changed = clone(definition)
    pages = pages_of(changed)
    taken = [page_id_of(p, i) for i, p in enumerate(pages)]
    page_id = make_id(title or first_question.get("label", ""), taken, prefix="page", sep="-")
    page: dict[str, Any] = {"id": page_id}
    set_text(page, "title", title, language_of(changed))
    page["questions"] = [first_question]
    position = find_page(changed, after)[0] + 1 if after else len(pages)
    pages.insert(position, page)
    return changed, page_id


def edit_page(definition: dict, page_id: str, *, title: str) -> dict:
    """Change a page's title."""
    changed = clone(definition)
    set_text(find_page(changed, page_id)[1], "title", title, language_of(changed))
    return changed


def delete_page(definition: dict, page_id: str) -> dict:
    """Delete a page and its questions."""
    changed = clone(definition)
    index, _ = find_page(changed, page_id)
    del pages_of(changed)[index]
    return changed


def move_page(definition: dict, page_id: str, step: int) -> dict:
    """Move a page up or down."""
    changed = clone(definition)
    move_in(pages_of(changed), find_page(changed, page_id)[0], step)
    return changed


# -- questions -----------------------------------------------------------------------


def new_question(definition: dict, *, type_name: str, label: str, choices: list[str] = ()
                 ) -> dict:
    """A question mapping with a fresh id made from its label."""
    question: dict[str, Any] = {"id": make_id(label, question_ids(definition)),
                                "type": type_name, "label": normalise_words(label)}
    words = [normalise_words(c) for c in choices if normalise_words(c)]
    if words:
        question["choices"] = words
    return question


def add_question(definition: dict, page_id: str, question: dict) -> tuple[dict, str]:
    """Add ``question`` at the end of a page."""
    changed = clone(definition)
    page = find_page(changed, page_id)[1]
    if not isinstance(page.get("questions"), list):
        page["questions"] = []
    page["questions"].append(clone(question))
    return changed, str(question.get("id", ""))


def delete_question(definition: dict, question_id: str) -> dict:
    """Delete a question (the loader refuses a page left with none, saying so)."""
    changed = clone(definition)
    page, index, _ = find_question(changed, question_id)
    del page["questions"][index]
    return changed


def move_question(definition: dict, question_id: str, step: int) -> dict:
    """Move a question up or down; past the top or bottom of its page it goes to the next page."""
    changed = clone(definition)
    page, index, question = find_question(changed, question_id)
    listed = page["questions"]
    if 0 <= index + step < len(listed):
        move_in(listed, index, step)
        return changed
    pages = pages_of(changed)
    position = pages.index(page) + step
    if 0 <= position < len(pages) and isinstance(pages[position], dict):
        del listed[index]
        target = pages[position].setdefault("questions", [])
        target.insert(len(target) if step < 0 else 0, question)
    return changed


def move_question_to_page(definition: dict, question_id: str, page_id: str) -> dict:
    """Move a question to the end of another page."""
    changed = clone(definition)
    page, index, question = find_question(changed, question_id)
    target = find_page(changed, page_id)[1]
    if target is page:
        return changed
    del page["questions"][index]
    target.setdefault("questions", []).append(question)
    return changed


def edit_question(definition: dict, question_id: str, fields: dict, *,
                  drop_options=(), takes_answer: bool = True, takes_choices: bool = True
                  ) -> dict:
    """Change a question's words, type, settings and id (its skip logic follows a new id).

    ``fields`` may hold ``label``, ``help``, ``type``, ``required``,
    ``prefer_not_to_say``, ``id`` and ``options`` ({name: value}).
    ``drop_options`` (settings of other types), ``takes_answer`` and
    ``takes_choices`` describe the (new) type, so settings it can't have go.
    """
    changed = clone(definition)
    _, _, question = find_question(changed, question_id)
    language = language_of(changed)
    if "type" in fields:
        question["type"] = fields["type"]
    if "label" in fields:
        set_text(question, "label", fields["label"], language, keep_empty=True)
    if "help" in fields:
        set_text(question, "help", fields["help"], language)
    for flag in ("required", "prefer_not_to_say"):
        if flag in fields and takes_answer:
            _set_flag(question, flag, fields[flag], default=(flag == "required"))
    if not takes_answer:
        for key in ("required", "prefer_not_to_say", "validation"):
            question.pop(key, None)
    if not takes_choices:
        question.pop("choices", None)
    for name, value in (fields.get("options") or {}).items():
        if value in (None, ""):
            question.pop(name, None)
        else:
            question[name] = value
    for name in drop_options:
        question.pop(name, None)
    new_id = normalise_words(fields.get("id", question_id))
    if new_id and new_id != question_id:
        _rename_question(changed, question, question_id, new_id)
    return changed


def _set_flag(question: dict, flag: str, value: bool, *, default: bool) -> None:
    if bool(value) == default and flag not in question:
        return
    question[flag] = bool(value)


def _rename_question(definition: dict, question: dict, old: str, new: str) -> None:
    if new in question_ids(definition):
        raise BuilderError(_l("Another question already has the short name '%(id)s'. "
                              "Choose another one."), "id", id=new)
    question["id"] = new
    for owner in _condition_owners(definition):
        condition = owner.get("show_if")
        if isinstance(condition, dict) and condition.get("question") == old:
            condition["question"] = new


def _condition_owners(definition: dict):
    for page in pages_of(definition):
        if isinstance(page, dict):
            yield page
    for _, _, _, question in iter_questions(definition):
        yield question
