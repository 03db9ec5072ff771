"""TinyDB tables for low-write data (surveys, users, consent versions, the ledger).

TinyDB is neither crash-safe nor process-safe out of the box:

* its default ``JSONStorage`` rewrites the file in place, so a crash or a full
  disk mid-write destroys the whole database; :class:`AtomicJSONStorage`
  replaces the file atomically instead;
* it has no locking; every operation here holds a thread lock plus ``flock``;
* a ``Table`` caches query results and its next document id, both of which go
  stale when another process writes; every operation here builds a fresh
  TinyDB over the current file, so nothing is cached between operations;
* TinyDB picks "highest id + 1", so deleting the newest document would let
  its id be handed out again; the file keeps each table's highest id ever
  used (under ``__last_ids__``) so an id is never reused.

Each operation reads and parses the whole file, which is fine for tables of
hundreds of rows but is why responses never live here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tinydb import TinyDB
from tinydb.queries import QueryLike
from tinydb.storages import Storage
from tinydb.table import Document
from tinydb.table import Table as TinyTable

from consent_kit.store.base import StoreError
from consent_kit.store.files import FileLock, atomic_write, remove_stale_temps

T = TypeVar("T")

#: Reserved top-level key of tables.json: {table name: highest doc id ever used}.
LAST_IDS = "__last_ids__"


class AtomicJSONStorage(Storage):
    """A TinyDB storage that replaces its file atomically and fsyncs it.

    Write: temp file in the same folder, fsync, ``os.replace``, fsync of the
    folder. A crash or a full disk leaves the previous file intact.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def read(self) -> dict[str, dict[str, Any]] | None:
        """Return the whole database, or ``None`` when the file is missing or empty."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            # Never "repair" by starting empty: the next write would erase everything.
            raise StoreError(
                f"The settings file {self.path.name} is damaged, so nothing can be changed "
                "until it is restored from a backup. Please tell the researchers."
            ) from exc

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Atomically replace the file with ``data``, remembering each table's highest id."""
        data = {**data, LAST_IDS: _last_ids_after(data)}
        encoded = json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
        atomic_write(self.path, encoded, what="the change")

    def close(self) -> None:
        """Nothing to release: no file stays open between operations."""


def _last_ids_after(data: dict[str, dict[str, Any]]) -> dict[str, int]:
    marks = dict(data.get(LAST_IDS) or {})
    for name, docs in data.items():
        if name != LAST_IDS and docs:
            marks[name] = max(marks.get(name, 0), max(int(doc_id) for doc_id in docs))
    return marks


class _NoReuseTable(TinyTable):
    """A TinyDB table whose new ids start above the highest id ever used."""

    def _get_next_id(self) -> int:
        if self._next_id is None:  # always, as every operation gets a fresh table
            data = self.storage.read() or {}
            used = [int(doc_id) for doc_id in data.get(self.name) or {}]
            highest = (data.get(LAST_IDS) or {}).get(self.name, 0)
            self._next_id = max([highest, *used]) + 1
        return super()._get_next_id()


class _TinyDB(TinyDB):
    table_class = _NoReuseTable


class Tables:
    """All tables of one ``tables.json`` file, guarded by ``tables.lock``."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.lock = FileLock(self.path.with_suffix(".lock"))
        self._stale_temps_checked = False

    @contextmanager
    def open(self, name: str) -> Iterator[TinyTable]:
        """Yield a fresh TinyDB table over the current file, holding the lock."""
        with self.lock.hold():
            if not self._stale_temps_checked:
                remove_stale_temps(self.path)  # left by a crash during a write
                self._stale_temps_checked = True
            db = _TinyDB(self.path, storage=AtomicJSONStorage)
            try:
                # cache_size=0: a query cache would outlive this operation's view.
                yield db.table(name, cache_size=0)
            finally:
                db.close()

    def run(self, name: str, operation: Callable[[TinyTable], T]) -> T:
        """Run ``operation`` on table ``name`` under the lock and return its result."""
        with self.open(name) as table:
            return operation(table)


class Table:
    """One named table. Every method is a single locked read (and atomic write).

    Conditions are tinydb queries: ``from tinydb import Query``;
    ``table.search(Query().slug == "pilot")``.
    """

    def __init__(self, tables: Tables, name: str):
        if not isinstance(name, str) or not name or name == LAST_IDS:
            raise ValueError(f"invalid table name: {name!r}")
        self._tables = tables
        self.name = name

    def insert(self, doc: dict) -> int:
        """Insert ``doc`` and return its new document id (unique across processes)."""
        return self._tables.run(self.name, lambda t: t.insert(doc))

    def all(self) -> list[Document]:
        """Return every document."""
        return self._tables.run(self.name, lambda t: t.all())

    def search(self, cond: QueryLike) -> list[Document]:
        """Return the documents matching ``cond``."""
        return self._tables.run(self.name, lambda t: t.search(cond))

    def get(self, cond: QueryLike) -> Document | None:
        """Return the first document matching ``cond``, or ``None``."""
        return self._tables.run(self.name, lambda t: t.get(cond))

    def update(self, fields: dict, cond: QueryLike) -> list[int]:
        """Set ``fields`` on the documents matching ``cond``; return their ids."""
        return self._tables.run(self.name, lambda t: t.update(fields, cond))

    def upsert(self, doc: dict, cond: QueryLike) -> list[int]:
        """Update the documents matching ``cond`` with ``doc``, or insert ``doc``."""
        return self._tables.run(self.name, lambda t: t.upsert(doc, cond))

    def insert_once(self, doc: dict, cond: QueryLike) -> Document:
        """Insert ``doc`` unless a document matches ``cond``; return the matching one (first wins)."""

        def once(table: TinyTable) -> Document:
            found = table.get(cond)
            if found is None:
                table.insert(doc)
                found = table.get(cond)
            return found

        return self._tables.run(self.name, once)

    def remove(self, cond: QueryLike) -> list[int]:
        """Remove the documents matching ``cond``; return their ids."""
        return self._tables.run(self.name, lambda t: t.remove(cond))

    def count(self, cond: QueryLike) -> int:
        """Return how many documents match ``cond``."""
        return self._tables.run(self.name, lambda t: t.count(cond))

    def truncate(self) -> None:
        """Remove every document of this table."""
        self._tables.run(self.name, lambda t: t.truncate())

    def __len__(self) -> int:
        return self._tables.run(self.name, len)
