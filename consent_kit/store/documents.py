"""Keyed documents for plugins: a table of dicts found by equal fields, with no database types.

``store.documents("qr_sources")`` gives a :class:`Documents`. Plugins use it
instead of the backend's own table API, so they work whatever the store is
built on (the embedded store's TinyDB today; another backend tomorrow).
Every call is one operation, atomic on its own under the store's lock.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

from tinydb import Query

from consent_kit.store.tables import Table


def _matching(equal: dict[str, Any]):
    """A condition: every named field equals its value (no fields: every document)."""
    if not equal:
        return Query().noop()
    tests = [Query()[field] == value for field, value in equal.items()]
    return reduce(lambda a, b: a & b, tests)


class Documents:
    """The documents of one named table, found by fields that must be equal."""

    def __init__(self, table: Table):
        self._table = table

    def get(self, **equal) -> dict | None:
        """The first document whose fields equal these values, or None."""
        found = self._table.get(_matching(equal))
        return dict(found) if found is not None else None

    def find(self, **equal) -> list[dict]:
        """Every document whose fields equal these values (all documents when none are named)."""
        return [dict(doc) for doc in self._table.search(_matching(equal))]

    def count(self, **equal) -> int:
        """How many documents have these values."""
        return self._table.count(_matching(equal))

    def insert(self, document: dict) -> None:
        """Add a document."""
        self._table.insert(dict(document))

    def put(self, document: dict, **key) -> None:
        """Replace the document with these key fields by ``document``, or add it."""
        self._table.upsert(dict(document), _matching(key))

    def update(self, changes: dict, **equal) -> int:
        """Change fields of every document with these values; returns how many changed."""
        return len(self._table.update(dict(changes), _matching(equal)))

    def remove(self, **equal) -> int:
        """Delete every document with these values; returns how many went."""
        return len(self._table.remove(_matching(equal)))
