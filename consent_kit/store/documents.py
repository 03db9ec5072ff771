"""Keyed documents: a table of dicts found by equal fields, with no database types.

``store.documents("qr_sources")`` gives a :class:`Documents`. The core and the
plugins use it instead of the backend's own table API, so they work whatever
the store is built on (the embedded store's TinyDB today; another backend
tomorrow). Every call is one operation, atomic on its own under the store's
lock; :meth:`Documents.modify` is the read-change-write that must not race.

Matching is by equal fields (``find(survey_id="x", status="waiting")``); a
``where`` function narrows further in Python (``where=lambda d: d["day"] < today``),
which any backend can do after fetching by the equal fields.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

from tinydb import Query
from tinydb.queries import QueryInstance

from consent_kit.store.tables import Table


def _matching(equal: dict[str, Any], where: Callable[[dict], bool] | None = None):
    """A condition: every named field equals its value (none: every document), and ``where``."""
    tests = [Query()[field] == value for field, value in equal.items()]
    if where is not None:
        tests.append(QueryInstance(lambda doc: bool(where(doc)), None))  # never cached
    if not tests:
        return Query().noop()
    return reduce(lambda a, b: a & b, tests)


class Documents:
    """The documents of one named table, found by fields that must be equal."""

    def __init__(self, table: Table):
        self._table = table

    def get(self, where: Callable[[dict], bool] | None = None, **equal) -> dict | None:
        """The first document whose fields equal these values (and ``where`` holds), or None."""
        found = self._table.get(_matching(equal, where))
        return dict(found) if found is not None else None

    def find(self, where: Callable[[dict], bool] | None = None, **equal) -> list[dict]:
        """Every document whose fields equal these values (all when none are named), oldest first."""
        return [dict(doc) for doc in self._table.search(_matching(equal, where))]

    def count(self, where: Callable[[dict], bool] | None = None, **equal) -> int:
        """How many documents have these values."""
        return self._table.count(_matching(equal, where))

    def insert(self, document: dict) -> None:
        """Add a document."""
        self._table.insert(dict(document))

    def put(self, document: dict, **key) -> None:
        """Set ``document``'s fields on the document with these key fields, or add it (one step)."""
        self._table.upsert(dict(document), _matching(key))

    def put_new(self, document: dict, **key) -> dict:
        """Add ``document`` unless one with these key fields exists; return the stored one.

        Put-if-absent: when several servers try at once, the first one's document
        is kept and every caller gets that one back (a key made once, for all).
        """
        return dict(self._table.insert_once(dict(document), _matching(key)))

    def update(self, changes: dict, where: Callable[[dict], bool] | None = None, **equal) -> int:
        """Change fields of every document with these values; returns how many changed."""
        return len(self._table.update(dict(changes), _matching(equal, where)))

    def modify(self, change: Callable[[dict], None], where: Callable[[dict], bool] | None = None,
               **equal) -> int:
        """Read, change and write every document with these values, with nothing in between.

        ``change(document)`` edits the document in place. Use it when the new value
        depends on the old (a counter, a list gained or lost an item), so that two
        servers doing it at once can't lose one change. Returns how many changed.
        """
        return len(self._table.update(change, _matching(equal, where)))

    def remove(self, where: Callable[[dict], bool] | None = None, **equal) -> int:
        """Delete every document with these values; returns how many went."""
        return len(self._table.remove(_matching(equal, where)))
