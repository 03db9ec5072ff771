"""What a survey's findings page holds, and the rules for changing, approving and publishing it.

Pure logic (no Flask). One document per survey, kept with
``store.documents("findings")``:

* ``items``: the page being written, in order. Each item is a dict with an
  ``id`` and a ``kind``: ``section`` (``heading``, ``text`` in Markdown),
  ``chart`` or ``table`` (``question_id`` of a choice question), ``quote``
  (``response_id`` and ``question_id``: the words themselves are never
  copied, they are read from the answer each time the page is shown, so they
  go when the answer goes) or ``removed_quote`` (where a quote was taken out);
* ``said_did``: the "You said, we did" list (``date``, ``said``, ``did``);
* ``revision``, ``changed_by``, ``changed_at``: every change counts up;
* ``approved``: ``{"revision", "by", "at"}``: a second member's approval of
  exactly one revision (the builder's rule: whoever made the last change can't
  approve it);
* ``published``: a copy of ``items`` and ``said_did`` as approved, with who
  published it and when; the page participants see;
* ``promise``: what the Thank you page says about when findings will be ready
  ("" when it says nothing).
"""

from __future__ import annotations

import secrets

from consent_kit.consent.quotes import may_quote, quote_statements  # noqa: F401 (part of this module's API)
from consent_kit.results.summary import question_kind
from consent_kit.survey.model import PREFER_NOT_TO_SAY

TABLE = "findings"
KINDS = ("section", "chart", "table", "quote")
#: Short sections: a heading of a line, a text of a few paragraphs.
MAX_HEADING = 120
MAX_TEXT = 4000
MAX_SAID_DID = 500
MAX_PROMISE = 200


class FindingsError(ValueError):
    """A change or approval the rules refuse; ``reason`` is one word the views turn into words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def new_book(survey_id: str) -> dict:
    """An empty findings document for a survey."""
    return {"survey_id": survey_id, "items": [], "said_did": [], "revision": 0,
            "changed_by": "", "changed_at": "", "approved": None, "published": None,
            "promise": ""}


#: A project's own findings page (its introduction and parts), one document per project.
PROJECT_TABLE = "findings_projects"


def new_project_book(project_id: str) -> dict:
    """An empty findings document for a whole project: parts in words only, the same approval rules.

    Written by the project's members and shown above the surveys' published
    findings at /f/project/<project_id>. Charts and quotes stay on each survey's
    page, where their small-number and permission checks are made.
    """
    return {"project_id": project_id, "items": [], "said_did": [], "revision": 0,
            "changed_by": "", "changed_at": "", "approved": None, "published": None}


def new_id() -> str:
    """A short random id for an item (unguessable, so a form can't point at another page's item)."""
    return secrets.token_hex(4)


def changed(book: dict, user: str, at: str) -> None:
    """Note a change by ``user``: a new revision, and any approval no longer counts."""
    book["revision"] = int(book.get("revision", 0)) + 1
    book["changed_by"], book["changed_at"] = user, at
    book["approved"] = None


# -- quotes: only with permission -------------------------------------------------------------


def quote_text(survey, response, record, question_id: str) -> str | None:
    """The words that may be quoted, or None when they may not (any more).

    ``response`` is the stored answer (None once erased); ``record`` is the
    person's current consent (None once they took part back). The words may be
    quoted only while the answer is kept, its person still agrees to a
    statement that allows quotes, and the question asks for written words.
    """
    if not may_quote(survey, response, record):  # the one rule, shared with analysis
        return None
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None or question_kind(question) != "text" or question.type == "info":
        return None
    answer = response.answers.get(question_id)
    if not isinstance(answer, str) or not answer.strip() or answer == PREFER_NOT_TO_SAY:
        return None
    return answer.strip()


def quotable_questions(survey) -> list:
    """The questions answered in people's own words (where quotes can come from)."""
    return [q for q in survey.questions if q.type != "info" and question_kind(q) == "text"]


def chart_questions(survey) -> list:
    """The questions with a list of answers to count (what a chart or table can show)."""
    return [q for q in survey.questions if q.type != "info" and question_kind(q) in ("choices", "scale")]


def drop_quotes(book: dict, response_ids) -> int:
    """Take out every quote from these answers, in the draft and on the published page.

    Each becomes a ``removed_quote`` where it was, so the page can say a quote
    was taken out. This is not a researcher's change: the approval stands.
    Returns how many were taken out.
    """
    gone = set(response_ids)
    count = 0
    for items in (book.get("items", []), (book.get("published") or {}).get("items", [])):
        for index, item in enumerate(items):
            if item.get("kind") == "quote" and item.get("response_id") in gone:
                items[index] = {"id": item["id"], "kind": "removed_quote"}
                count += 1
    return count


# -- approval and publishing --------------------------------------------------------------------


def approve(book: dict, user: str, at: str) -> None:
    """Record ``user``'s approval of the current revision, or raise :class:`FindingsError`.

    ``nothing``: there is nothing to approve; ``own_change``: the same person
    can't make a change and approve it; ``already``: this revision is approved.
    """
    if not (book.get("items") or book.get("said_did")):
        raise FindingsError("nothing")
    if book.get("changed_by") == user:
        raise FindingsError("own_change")
    if approved_now(book):
        raise FindingsError("already")
    book["approved"] = {"revision": book["revision"], "by": user, "at": at}


def approved_now(book: dict) -> bool:
    """Whether a second member approved exactly the revision there is now."""
    approval = book.get("approved") or {}
    return (approval.get("revision") == book.get("revision")
            and bool(approval.get("by")) and approval.get("by") != book.get("changed_by"))


def publish(book: dict, user: str, at: str) -> None:
    """Make the approved revision the page participants see, or raise ``FindingsError("not_approved")``."""
    if not approved_now(book):
        raise FindingsError("not_approved")
    book["published"] = {"items": [dict(i) for i in book["items"]],
                         "said_did": [dict(e) for e in book.get("said_did", [])],
                         "revision": book["revision"], "approved_by": book["approved"]["by"],
                         "by": user, "at": at}


def unpublish(book: dict) -> None:
    """Take the page down (participants see "not ready yet" again)."""
    book["published"] = None


def publishing_step(action: str, user: str, at: str):
    """``(apply, revisions)`` for a publish-page button ("approve", "publish", "unpublish").

    ``apply(book)`` makes the change (a refusal raises :class:`FindingsError`, so
    nothing is written) and appends the book's new revision to ``revisions``, for
    the audit entry. ``None`` for any other action.
    """
    steps = {"approve": lambda book: approve(book, user, at),
             "publish": lambda book: publish(book, user, at), "unpublish": unpublish}
    if action not in steps:
        return None
    revisions: list[int] = []

    def apply(book: dict) -> None:
        steps[action](book)
        revisions.append(book["revision"])

    return apply, revisions


def said_did_in_order(entries) -> list[dict]:
    """The "You said, we did" entries, newest first."""
    return sorted(entries, key=lambda e: (e.get("date", ""), e.get("id", "")), reverse=True)
