"""Where findings pages are kept (``kit.store.documents("findings")``), and the words charts use."""

from __future__ import annotations

from flask_babel import gettext as _

from consent_kit.findings.book import PROJECT_TABLE, TABLE, drop_quotes, new_book, new_project_book
from consent_kit.results.views import min_group


def load(kit, survey_id: str) -> dict:
    """The survey's findings document (a fresh, empty one if there is none yet)."""
    found = kit.store.documents(TABLE).get(survey_id=survey_id)
    if found is None:
        return new_book(survey_id)
    book = new_book(survey_id)
    book.update(found)  # documents kept by an older version get the fields they lack
    return book


def update(kit, survey_id: str, change) -> None:
    """Read, change and write the survey's document with nothing in between (``change(book)``).

    Two researchers saving at once, or a save while someone approves, can't
    lose either change. An exception raised by ``change`` writes nothing.
    """
    documents = kit.store.documents(TABLE)
    if documents.get(survey_id=survey_id) is None:
        documents.put(new_book(survey_id), survey_id=survey_id)

    def filled(book: dict) -> None:
        for key, value in new_book(survey_id).items():
            book.setdefault(key, value)  # documents kept by an older version
        change(book)

    documents.modify(filled, survey_id=survey_id)


def load_project(kit, project_id: str) -> dict:
    """The project's own findings document (a fresh, empty one if there is none yet)."""
    book = new_project_book(project_id)
    book.update(kit.store.documents(PROJECT_TABLE).get(project_id=project_id) or {})
    return book


def update_project(kit, project_id: str, change) -> None:
    """Read, change and write the project's document under the store's lock (as :func:`update`)."""
    documents = kit.store.documents(PROJECT_TABLE)
    # Put-if-absent: two members saving a first part at once can't overwrite each other.
    documents.put_new(new_project_book(project_id), project_id=project_id)

    def filled(book: dict) -> None:
        for key, value in new_project_book(project_id).items():
            book.setdefault(key, value)
        change(book)

    documents.modify(filled, project_id=project_id)


def project_published(kit, project_id: str) -> dict | None:
    """The published page of a project's own words, or None."""
    return (kit.store.documents(PROJECT_TABLE).get(project_id=project_id) or {}).get("published")


def published(kit, survey_id: str) -> dict | None:
    """The published page of a survey, or None when there is none."""
    found = kit.store.documents(TABLE).get(survey_id=survey_id)
    return (found or {}).get("published")


def erase_quotes(kit, response_ids) -> int:
    """Take quotes from these answers off every findings page; returns how many went.

    Called when a person takes their answers back. The page then says a quote
    was taken out; the words themselves were never copied, so nothing is left.
    """
    ids = set(response_ids or ())
    if not ids:
        return 0
    counts: list[int] = []
    # One read-change-write under the store's lock: a researcher saving the page at the
    # same moment can't put the quote back (and if they did, the page still would not show
    # it: quotes are checked against the kept answers each time).
    kit.store.documents(TABLE).modify(lambda book: counts.append(drop_quotes(book, ids)))
    return sum(counts)


def words() -> dict:
    """The words charts and tables use, in the reader's language."""
    return {
        "prefer_not_to_say": _("Prefer not to say"),
        "not_known": _("Not known"),
        # A chart's title that holds an earlier answer: "…about your answer to ‘Which club?’".
        "answer_to": _("your answer to ‘%(question)s’"),
        "hidden": _("fewer than %(n)d", n=min_group()),
        "axis": _("Number of people"),
        "desc": _("Bar chart. The same numbers are in the table under it."),
    }
