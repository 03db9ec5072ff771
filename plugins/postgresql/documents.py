"""Keyed documents in PostgreSQL: one JSONB row per document, the same promises as the embedded ones.

``store.documents(name)`` gives a :class:`PgDocuments` with the methods of
``consent_kit.store.documents.Documents`` (get, find, count, insert, put,
update, modify, remove; equal fields plus an optional ``where`` function).
Equal fields become ``doc -> 'field' = value`` (JSON equality, so a missing
field never matches); ``where`` narrows in Python after the fetch.

Each call is one transaction. :meth:`modify`, :meth:`update` and
:meth:`remove` lock the rows they read (``SELECT ... FOR UPDATE``) before
changing them, so two servers taking a voucher at once take turns on the
pool's row and never hand out the same code. :meth:`put` holds an advisory
lock on its key so two first puts of one key make one document, not two.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from .pool import LazyPool

#: Namespace of the advisory locks taken by put (see store.py for the others).
PUT_LOCK = 3


def _condition(name: str, equal: dict[str, Any]) -> tuple[sql.Composable, list]:
    parts = [sql.SQL("name = %s")]
    params: list = [name]
    for field, value in equal.items():
        parts.append(sql.SQL("doc -> %s = %s"))
        params += [str(field), Jsonb(value)]
    return sql.SQL(" AND ").join(parts), params


def _json(value: Any) -> Any:
    """What the embedded store would give back: a JSON round trip (tuples become lists)."""
    return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))


class PgDocuments:
    """The documents of one named table, found by fields that must be equal."""

    def __init__(self, pool: LazyPool, name: str):
        if not isinstance(name, str) or not name:
            raise ValueError(f"invalid table name: {name!r}")
        self._pool = pool
        self.name = name

    def _select(self, equal: dict, *, lock: bool = False) -> tuple[sql.Composable, list]:
        where, params = _condition(self.name, equal)
        query = sql.SQL("SELECT id, doc FROM documents WHERE {} ORDER BY id").format(where)
        if lock:
            query = sql.SQL("{} FOR UPDATE").format(query)
        return query, params

    def _rows(self, equal: dict, where: Callable[[dict], bool] | None) -> list[tuple[int, dict]]:
        query, params = self._select(equal)
        with self._pool.connection("the change") as conn:
            rows = conn.execute(query, params).fetchall()
        return [(i, doc) for i, doc in rows if where is None or where(doc)]

    def get(self, where: Callable[[dict], bool] | None = None, **equal) -> dict | None:
        """The first document whose fields equal these values (and ``where`` holds), or None."""
        if where is None:
            query, params = self._select(equal)
            with self._pool.connection("the change") as conn:
                row = conn.execute(sql.SQL("{} LIMIT 1").format(query), params).fetchone()
            return None if row is None else row[1]
        rows = self._rows(equal, where)
        return rows[0][1] if rows else None

    def find(self, where: Callable[[dict], bool] | None = None, **equal) -> list[dict]:
        """Every document whose fields equal these values (all when none are named), oldest first."""
        return [doc for _id, doc in self._rows(equal, where)]

    def count(self, where: Callable[[dict], bool] | None = None, **equal) -> int:
        """How many documents have these values."""
        if where is not None:
            return len(self._rows(equal, where))
        condition, params = _condition(self.name, equal)
        with self._pool.connection("the change") as conn:
            query = sql.SQL("SELECT count(*) FROM documents WHERE {}").format(condition)
            return conn.execute(query, params).fetchone()[0]

    def insert(self, document: dict) -> None:
        """Add a document."""
        with self._pool.connection("the change") as conn:
            conn.execute("INSERT INTO documents (name, doc) VALUES (%s, %s)",
                         (self.name, Jsonb(_json(dict(document)))))

    def put(self, document: dict, **key) -> None:
        """Set ``document``'s fields on the document with these key fields, or add it (one step)."""
        fields = _json(dict(document))
        with self._pool.connection("the change") as conn, conn.cursor() as cur:
            lock_key = json.dumps([self.name, key], sort_keys=True, default=str)
            cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (PUT_LOCK, lock_key))
            condition, params = _condition(self.name, key)
            cur.execute(sql.SQL("UPDATE documents SET doc = doc || %s WHERE {}").format(condition),
                        [Jsonb(fields), *params])
            if cur.rowcount == 0:
                cur.execute("INSERT INTO documents (name, doc) VALUES (%s, %s)", (self.name, Jsonb(fields)))

    def put_new(self, document: dict, **key) -> dict:
        """Add ``document`` unless one with these key fields exists; return the stored one.

        The advisory lock of :meth:`put` on the key makes two first tries take
        turns: the second finds the first one's document and gives it back.
        """
        fields = _json(dict(document))
        with self._pool.connection("the change") as conn, conn.cursor() as cur:
            lock_key = json.dumps([self.name, key], sort_keys=True, default=str)
            cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (PUT_LOCK, lock_key))
            query, params = self._select(key)
            row = cur.execute(sql.SQL("{} LIMIT 1").format(query), params).fetchone()
            if row is not None:
                return row[1]
            cur.execute("INSERT INTO documents (name, doc) VALUES (%s, %s)", (self.name, Jsonb(fields)))
            return fields

    def update(self, changes: dict, where: Callable[[dict], bool] | None = None, **equal) -> int:
        """Change fields of every document with these values; returns how many changed."""
        fields = _json(dict(changes))
        return self.modify(lambda doc: doc.update(fields), where, **equal)

    def modify(self, change: Callable[[dict], None], where: Callable[[dict], bool] | None = None,
               **equal) -> int:
        """Read, change and write every document with these values, with nothing in between.

        The rows are locked (``FOR UPDATE``) from the read to the commit, so a
        second server's modify waits and then sees this one's change.
        """
        query, params = self._select(equal, lock=True)
        changed = 0
        with self._pool.connection("the change") as conn, conn.cursor() as cur:
            for row_id, doc in cur.execute(query, params).fetchall():
                if where is not None and not where(doc):
                    continue
                change(doc)
                cur.execute("UPDATE documents SET doc = %s WHERE id = %s", (Jsonb(_json(doc)), row_id))
                changed += 1
        return changed

    def remove(self, where: Callable[[dict], bool] | None = None, **equal) -> int:
        """Delete every document with these values; returns how many went."""
        with self._pool.connection("the change") as conn, conn.cursor() as cur:
            if where is None:
                condition, params = _condition(self.name, equal)
                cur.execute(sql.SQL("DELETE FROM documents WHERE {}").format(condition), params)
                return cur.rowcount
            query, params = self._select(equal, lock=True)
            ids = [row_id for row_id, doc in cur.execute(query, params).fetchall() if where(doc)]
            if ids:
                cur.execute("DELETE FROM documents WHERE id = ANY(%s)", (ids,))
            return len(ids)
