"""Participants' data keys in PostgreSQL: the ``KeyStorage`` that ``consent_kit.ParticipantKeys`` uses.

Each row is one participant's key, wrapped with the instance key (which is
never in the database: it comes from ``store_key`` in config.toml,
``CONSENT_KIT_STORE_KEY`` or a key file, the same on every server). Taking
answers back deletes the row in the withdrawal's transaction, so every copy of
their sealed answers (a backup, the write-ahead log, a replica) can no longer
be opened.

A new participant's key is made inside their Send's transaction (see
:meth:`PgKeyStorage.within`), so it is flushed with the answers it seals:
one disk flush per Send, not two, and no key left behind if the Send fails.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import psycopg

from .pool import LazyPool


class PgKeyStorage:
    """Wrapped keys by name in the ``participant_keys`` table."""

    def __init__(self, pool: LazyPool):
        self._pool = pool
        self._bound = threading.local()

    def wrapped_of(self, conn: psycopg.Connection, name: str) -> psycopg.Cursor:
        """Ask for ``name``'s wrapped key on ``conn`` (in a pipeline: read the cursor later)."""
        return conn.execute("SELECT wrapped FROM participant_keys WHERE name = %s", (name,))

    @contextmanager
    def within(self, cur: psycopg.Cursor, known: dict[str, bytes | None] | None = None) -> Iterator[None]:
        """Use ``cur``'s transaction for keys made and read in this block (this thread only).

        ``known`` holds wrapped keys already read in this transaction (``None``: there is
        none), so a Send reads its person's key in the same round trip as its locks.
        """
        self._bound.cur, self._bound.known = cur, dict(known or {})
        try:
            yield
        finally:
            self._bound.cur, self._bound.known = None, {}

    def _run(self, operation):
        cur = getattr(self._bound, "cur", None)
        if cur is not None:
            return operation(cur)
        with self._pool.connection("the key that locks answers") as conn, conn.cursor() as own:
            return operation(own)

    def load(self, name: str) -> bytes | None:
        """The wrapped key kept under ``name``, or ``None``."""
        known = getattr(self._bound, "known", None) or {}
        if getattr(self._bound, "cur", None) is not None and name in known:
            return known[name]

        def read(cur):
            row = cur.execute("SELECT wrapped FROM participant_keys WHERE name = %s", (name,)).fetchone()
            return None if row is None else bytes(row[0])
        return self._run(read)

    def load_many(self, names: Iterable[str]) -> dict[str, bytes]:
        """The wrapped keys of ``names`` that exist, in one round trip."""
        wanted = list(names)
        def read(cur):
            rows = cur.execute("SELECT name, wrapped FROM participant_keys WHERE name = ANY(%s)",
                               (wanted,)).fetchall()
            return {name: bytes(wrapped) for name, wrapped in rows}
        return self._run(read)

    def add(self, name: str, wrapped: bytes) -> bytes:
        """Keep ``wrapped`` unless ``name`` has a key already; return the kept one (the first wins)."""
        def write(cur):
            row = cur.execute("INSERT INTO participant_keys (name, wrapped) VALUES (%s, %s) "
                              "ON CONFLICT (name) DO NOTHING RETURNING wrapped", (name, wrapped)).fetchone()
            if row is None:  # someone else's key got there first: theirs is the one
                row = cur.execute("SELECT wrapped FROM participant_keys WHERE name = %s", (name,)).fetchone()
            return bytes(row[0])
        kept = self._run(write)
        if getattr(self._bound, "cur", None) is not None:
            self._bound.known[name] = kept
        return kept

    def delete(self, names: Iterable[str]) -> int:
        """Delete the keys of ``names``; return how many went."""
        gone = list(names)
        def remove(cur):
            cur.execute("DELETE FROM participant_keys WHERE name = ANY(%s)", (gone,))
            return cur.rowcount
        return self._run(remove)
