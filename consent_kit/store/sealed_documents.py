"""Keyed documents whose personal fields are sealed with a key of each document's own.

Payment claims keep the contact details a participant left (an email or a
phone number) so a researcher can pay them later. A claim is deliberately
linked to nobody's answers, so it can't use the participant's key; it gets a
key of its own instead, named ``<table>:<document id>``. Emptying the fields
(the contact is erased once paid) or removing the document destroys that key,
so the contact details in an old backup of ``tables.json`` can't be read.

``SEALED_FIELDS`` says which tables and fields; a document needs an ``id``.
Callers see plain values: ``get``/``find`` open the fields, ``insert``/``put``/
``update``/``modify`` seal them. A ``where`` function sees the stored form,
in which an empty value stays ``""`` (so "still has a contact" tests work) and
a filled one is an opaque ``ck1:...`` text. Plain values stored before sealing
existed are read as they are and sealed when next written.
"""

from __future__ import annotations

from collections.abc import Callable

from consent_kit.store.crypto import ParticipantKeys, is_sealed, seal, unseal
from consent_kit.store.documents import Documents

#: Table name -> fields sealed with the document's own key.
SEALED_FIELDS: dict[str, tuple[str, ...]] = {"incentive_claims": ("contact",)}


class SealedDocuments:
    """A :class:`Documents` with ``fields`` sealed per document; the same methods."""

    def __init__(self, documents: Documents, keys: ParticipantKeys, table: str, fields: tuple[str, ...]):
        self._docs, self._keys, self._table, self._fields = documents, keys, table, fields

    def get(self, where: Callable[[dict], bool] | None = None, **equal) -> dict | None:
        """The first matching document, its sealed fields opened."""
        found = self._docs.get(where, **equal)
        return None if found is None else self._open(found)

    def find(self, where: Callable[[dict], bool] | None = None, **equal) -> list[dict]:
        """Every matching document, sealed fields opened, oldest first."""
        return [self._open(doc) for doc in self._docs.find(where, **equal)]

    def count(self, where: Callable[[dict], bool] | None = None, **equal) -> int:
        """How many documents match."""
        return self._docs.count(where, **equal)

    def insert(self, document: dict) -> None:
        """Add a document, its fields sealed with a new key of its own."""
        self._docs.insert(self._seal(dict(document)))

    def put(self, document: dict, **key) -> None:
        """Set fields on the document with these key fields, or add it; see Documents.put."""
        self._docs.put(self._seal(dict(document)), **key)

    def put_new(self, document: dict, **key) -> dict:
        """Add the document unless one has these key fields; the kept one, opened (see Documents.put_new)."""
        return self._open(self._docs.put_new(self._seal(dict(document)), **key))

    def update(self, changes: dict, where: Callable[[dict], bool] | None = None, **equal) -> int:
        """Change fields of every matching document; emptied sealed fields destroy its key."""
        def apply(doc: dict) -> None:
            doc.update(changes)
        return self.modify(apply, where, **equal)

    def modify(self, change: Callable[[dict], None], where: Callable[[dict], bool] | None = None,
               **equal) -> int:
        """Read, change and write every matching document, opened for ``change`` and sealed again."""
        emptied: list[str] = []

        def sealed_change(doc: dict) -> None:
            opened = self._open(dict(doc))
            change(opened)
            if self._name(opened) and not any(opened.get(f) for f in self._fields):
                emptied.append(self._name(opened))
            doc.clear()
            doc.update(self._seal(opened))

        changed = self._docs.modify(sealed_change, where, **equal)
        self._keys.destroy_all(emptied)  # after the write: the fields are gone, then the key
        return changed

    def remove(self, where: Callable[[dict], bool] | None = None, **equal) -> int:
        """Delete every matching document and destroy their keys."""
        names = [self._name(doc) for doc in self._docs.find(where, **equal)]
        removed = self._docs.remove(where, **equal)
        self._keys.destroy_all(n for n in names if n)
        return removed

    # -- internals -----------------------------------------------------------------------

    def _name(self, doc: dict) -> str:
        doc_id = doc.get("id")
        return f"{self._table}:{doc_id}" if isinstance(doc_id, str) and doc_id else ""

    def _seal(self, doc: dict) -> dict:
        name = self._name(doc)
        for field in self._fields:
            value = doc.get(field)
            if value and not is_sealed(value):
                if not name:
                    raise ValueError(f"a {self._table} document needs an id to keep {field}")
                key = self._keys.get_or_create(name)
                doc[field] = seal(key, value, aad=f"{name}:{field}")
        return doc

    def _open(self, doc: dict) -> dict:
        name = self._name(doc)
        for field in self._fields:
            value = doc.get(field)
            if is_sealed(value):
                key = self._keys.get(name) if name else None
                # A destroyed key: the value was erased (what an erased field reads as).
                doc[field] = "" if key is None else unseal(key, value, aad=f"{name}:{field}")
        return doc
