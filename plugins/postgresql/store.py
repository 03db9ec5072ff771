"""PostgresStore: the :class:`consent_kit.Store` for several app servers sharing one database.

Every promise of the embedded store holds, with the database doing the work
the file locks do there:

* "Send" is one transaction: the consent row, the answers and the audit entry
  commit together or not at all.
* Idempotency: ``INSERT ... ON CONFLICT (id) DO NOTHING``; a second copy of
  the same answers gets the first one's reference back, other answers get
  :class:`SubmissionConflict`.
* Adding answers and withdrawing take the same advisory lock on the
  participant's pseudonym (``pg_advisory_xact_lock``), so answers can't slip
  in while a withdrawal runs, nor stick after it. Erasing and adding one
  submission id take a lock on the id.
* The audit chain is appended under the locked head row (see ``audit.py``).

Connections come from a pool made in each process on first use (``pool.py``);
the schema is made or upgraded then (``migrations.py``).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator

import psycopg
from psycopg.types.json import Json

from consent_kit import (
    ConsentRecord,
    ErasedSubmission,
    ParticipantKeys,
    Response,
    Sealer,
    Store,
    StoreError,
    SubmissionConflict,
    instance_key,
)

from . import audit as audit_log
from .chainer import Chainer
from .consents import ConsentRows
from .consents import check_record as check_consent
from .documents import PgDocuments
from .keys import PgKeyStorage
from .media import PgMedia
from .migrations import migrate
from .pool import LazyPool
from .send import send
from .sql import ID_LOCK, PSEUDONYM_LOCK, delete_drafts_mentioning, id_hash, lock, round_trip

log = logging.getLogger(__name__)
_DRAFT_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


class PostgresStore(ConsentRows, Store):
    """Responses, consents, drafts, audit and documents in one PostgreSQL database (or schema)."""

    shared = True  # several app servers, separate instance folders, this one database

    def __init__(self, url: str, *, schema: str | None = None, pool_size: int = 4, timeout: float = 15.0,
                 store_key: str | None = None, key_dir: str | None = None):
        """``store_key`` (base64) or ``CONSENT_KIT_STORE_KEY`` or ``<key_dir>/store.key`` is the
        instance key that wraps every participant's key: the same on every server, never in the
        database (see crypto.instance_key)."""
        self.url, self.schema = url, schema
        self._key_args = (store_key, key_dir)
        self._pool = LazyPool(url, schema=schema, size=pool_size, timeout=timeout,
                              on_open=lambda conn: migrate(conn, schema))
        self._keys = PgKeyStorage(self._pool)
        self._chainer = Chainer(self._chain)
        if store_key is None and key_dir is None and not os.environ.get("CONSENT_KIT_STORE_KEY"):
            raise ValueError("PostgresStore needs the instance key: store_key, key_dir (its store.key) "
                             "or CONSENT_KIT_STORE_KEY")
        self._sealer = Sealer(ParticipantKeys(self._keys, instance_key(key_dir or ".", key=store_key)))

    def __repr__(self) -> str:
        return f"PostgresStore(schema={self.schema!r})"

    def __getstate__(self) -> dict:
        # A store handed to another process carries its address, never its connections.
        return {"url": self.url, "schema": self.schema, "pool_size": self._pool.size,
                "timeout": self._pool.timeout, "keys": self._key_args}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["url"], schema=state["schema"], pool_size=state["pool_size"],
                      timeout=state["timeout"], store_key=state["keys"][0], key_dir=state["keys"][1])

    # -- answers -----------------------------------------------------------------

    def add_response(self, response: Response) -> tuple[Response, bool]:
        """Store ``response`` (committed before returning); see :meth:`Store.add_response`."""
        with self._pool.connection() as conn, conn.cursor() as cur:
            if response.pseudonym:
                lock(cur, PSEUDONYM_LOCK, response.pseudonym)
                self._refuse_withdrawn(cur, response.pseudonym)
            return self._add_response(cur, response)

    def add_submission(self, record: ConsentRecord, response: Response,
                       audit: dict | None = None) -> tuple[Response, bool]:
        """Consent, answers and (for new answers) the audit entry in one transaction (see send.py)."""
        check_consent(record)
        _check(response)
        if response.pseudonym == record.pseudonym:
            with self._pool.connection() as conn:
                stored, created, pending = send(conn, record, response, audit, self._sealer, self._keys)
        else:
            with self._pool.connection() as conn, conn.cursor() as cur:  # answers under another pseudonym
                self._add_consent(cur, record)
                if response.pseudonym:
                    lock(cur, PSEUDONYM_LOCK, response.pseudonym)
                    self._refuse_withdrawn(cur, response.pseudonym)
                stored, created = self._add_response(cur, response)
                pending = audit_log.pending(cur, **audit) if created and audit else None
        if pending is not None:
            self._chainer.poke()  # chained in the background (chainer.py); readers chain first
        return stored, created

    def _chain(self, *, wait: bool = False) -> dict[int, dict]:
        """Chain the pending audit entries (after the commit that wrote them); see audit.py.

        A failure here loses nothing: the entries wait, and the next write or
        read of the log chains them.
        """
        try:
            with self._pool.connection("the audit log") as conn:
                return audit_log.chain_pending(conn, wait=wait)
        except StoreError:
            log.exception("Could not chain the audit log's pending entries; they are kept")
            return {}

    def _add_response(self, cur: psycopg.Cursor, response: Response) -> tuple[Response, bool]:
        """Insert unless the id is known (the caller holds the pseudonym's lock)."""
        _check(response)
        lock(cur, ID_LOCK, response.id)
        cur.execute("SELECT 1 FROM erased_ids WHERE id_sha256 = %s", (id_hash(response.id),))
        if cur.fetchone():
            raise ErasedSubmission()
        record = response.to_record()
        with self._keys.within(cur):
            line = self._sealer.seal_response(record)
        cur.execute("INSERT INTO responses (id, survey_id, pseudonym, record) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (id) DO NOTHING",
                    (response.id, response.survey_id, response.pseudonym, Json(line)))
        if cur.rowcount == 1:
            return response, True
        cur.execute("SELECT record FROM responses WHERE id = %s", (response.id,))
        with self._keys.within(cur):
            opened = self._sealer.open_response(cur.fetchone()[0])
        if opened is None:
            raise SubmissionConflict()
        existing = Response.from_record(opened)
        # Compare with what would have been stored: a tuple in the answers comes back a list.
        incoming = Response.from_record(round_trip(record))
        if existing.same_content(incoming):
            return existing, False
        raise SubmissionConflict()

    def iter_responses(self, survey_id: str | None = None) -> Iterator[Response]:
        """Yield responses in stored order from a server-side cursor (flat memory)."""
        query = "SELECT record FROM responses {} ORDER BY seq".format(
            "WHERE survey_id = %s" if survey_id is not None else "")
        params = (survey_id,) if survey_id is not None else ()
        with self._pool.connection("the export") as conn, conn.cursor(name="responses") as cur:
            cur.itersize = 2000
            cur.execute(query, params)
            while rows := cur.fetchmany(256):
                # Opened 256 at a time: their keys come in one round trip (on another connection).
                for record in self._sealer.open_responses([row[0] for row in rows]):
                    yield Response.from_record(record)

    def count_responses(self, survey_id: str | None = None) -> int:
        """Return how many responses are stored (for one survey, or all)."""
        with self._pool.connection() as conn:
            if survey_id is None:
                return conn.execute("SELECT count(*) FROM responses").fetchone()[0]
            return conn.execute("SELECT count(*) FROM responses WHERE survey_id = %s",
                                (survey_id,)).fetchone()[0]

    def get_response(self, response_id: str) -> Response | None:
        """Return the response with this submission id, or ``None``."""
        with self._pool.connection() as conn:
            row = conn.execute("SELECT record FROM responses WHERE id = %s", (response_id,)).fetchone()
        opened = None if row is None else self._sealer.open_response(row[0])
        return None if opened is None else Response.from_record(opened)

    def responses_by_pseudonym(self, pseudonym: str) -> list[Response]:
        """Return the responses carrying this pseudonym ("" matches none), in stored order."""
        if not pseudonym:
            return []
        with self._pool.connection() as conn:
            rows = conn.execute("SELECT record FROM responses WHERE pseudonym = %s ORDER BY seq",
                                (pseudonym,)).fetchall()
        return [Response.from_record(record) for record in self._sealer.open_responses([r[0] for r in rows])]

    def erase_responses(self, response_ids: Iterable[str]) -> int:
        """Delete these responses and tombstone their ids (stored or not); return how many went."""
        ids = sorted({i for i in response_ids if isinstance(i, str) and i})
        if not ids:
            return 0
        with self._pool.connection() as conn, conn.cursor() as cur:
            for response_id in ids:  # sorted: two erasures never wait on each other in a circle
                lock(cur, ID_LOCK, response_id)
            erased = self._erase(cur, ids, for_pseudonym="")
            delete_drafts_mentioning(cur, ids, self._sealer)
            # Answers sent without a pseudonym have a key of their own: shred it too.
            cur.execute("DELETE FROM participant_keys WHERE name = ANY(%s)",
                        ([f"response:{i}" for i in ids],))
        return erased

    def _erase(self, cur: psycopg.Cursor, ids: list[str], *, for_pseudonym: str) -> int:
        cur.execute("DELETE FROM responses WHERE id = ANY(%s) RETURNING id", (ids,))
        present = {row[0] for row in cur.fetchall()}
        marker = id_hash(for_pseudonym) if for_pseudonym else ""
        cur.executemany(
            "INSERT INTO erased_ids (id_sha256, for_sha256) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [(id_hash(i), marker if i in present else "") for i in ids])
        return len(present)

    # -- drafts ------------------------------------------------------------------

    def save_draft(self, draft_id: str, data: dict, *, expires_at: float) -> None:
        """Store in-progress answers; raises ValueError for an invalid id."""
        if not _valid_draft_id(draft_id):
            raise ValueError("invalid draft id")
        if not isinstance(data, dict):
            raise TypeError("draft data must be a dict")
        body = self._sealer.seal_draft(draft_id, {"expires_at": float(expires_at), "data": data})
        with self._pool.connection("your progress") as conn:
            conn.execute("INSERT INTO drafts (id, expires_at, data) VALUES (%s, %s, %s) "
                         "ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, "
                         "data = excluded.data", (draft_id, float(expires_at), Json(body)))

    def load_draft(self, draft_id: str) -> dict | None:
        """Return a draft's data, or ``None`` if invalid, missing or expired (then deleted)."""
        if not _valid_draft_id(draft_id):
            return None
        with self._pool.connection("your progress") as conn:
            row = conn.execute("SELECT data, expires_at > extract(epoch FROM clock_timestamp()) "
                               "FROM drafts WHERE id = %s", (draft_id,)).fetchone()
            if row is None:
                return None
            if not row[1]:
                conn.execute("DELETE FROM drafts WHERE id = %s", (draft_id,))
                return None
        opened = self._sealer.open_draft(draft_id, row[0])  # None: its key was shredded
        return None if opened is None else opened["data"]

    def delete_draft(self, draft_id: str) -> None:
        """Delete a draft if it exists; an invalid id is ignored."""
        if _valid_draft_id(draft_id):
            with self._pool.connection("your progress") as conn:
                conn.execute("DELETE FROM drafts WHERE id = %s", (draft_id,))

    def purge_expired_drafts(self, now: float | None = None) -> int:
        """Delete drafts expired at ``now`` (default: the database's clock); return how many."""
        with self._pool.connection("your progress") as conn, conn.cursor() as cur:
            if now is None:
                cur.execute("DELETE FROM drafts WHERE expires_at <= extract(epoch FROM clock_timestamp())")
            else:
                cur.execute("DELETE FROM drafts WHERE expires_at <= %s", (float(now),))
            return cur.rowcount

    # -- tables and documents ------------------------------------------------------

    def table(self, name: str):
        """Not on this backend: use :meth:`documents`, which every backend has."""
        raise NotImplementedError(
            "The PostgreSQL store has no TinyDB tables; use store.documents(name) instead.")

    def documents(self, name: str) -> PgDocuments:
        """The named table as keyed documents (JSONB rows); see ``documents.py``."""
        return PgDocuments(self._pool, name)

    def media_storage(self) -> PgMedia:
        """Where uploaded files are kept: ``bytea`` rows (see ``media.py``)."""
        return PgMedia(self._pool)

    # -- audit -------------------------------------------------------------------

    def audit(self, *, actor: str, action: str, subject: str = "", details: dict | None = None) -> dict:
        """Append a chained entry (committed before returning); never put answers in it."""
        with self._pool.connection("the audit log") as conn, conn.cursor() as cur:
            pending = audit_log.pending(cur, actor=actor, action=action, subject=subject, details=details)
        with self._pool.connection("the audit log") as conn:
            return audit_log.chain_pending(conn)[pending]

    def verify_audit(self) -> list[str]:
        """Check the chain and its head; plain-language problems (empty when intact)."""
        with self._pool.connection("the audit log") as conn:
            audit_log.chain_pending(conn)
            return audit_log.verify(conn)

    def iter_audit(self) -> Iterator[dict]:
        """Yield the audit entries in order, streaming (pending ones are chained first)."""
        with self._pool.connection("the audit log") as conn:
            audit_log.chain_pending(conn)
            yield from audit_log.entries(conn)

    def derived_secret(self, purpose: str) -> str:
        """A secret every server with this instance key derives alike; kept nowhere."""
        return self._sealer.keys.derive(purpose).hex()

    def check_key(self) -> None:
        """Fail now, in plain words, if the instance key isn't the one the stored keys were wrapped with."""
        self._sealer.keys.check()

    def close(self) -> None:
        """Close this process's connections; using the store again opens new ones."""
        self._chainer.stop()
        self._chain()  # what the thread may not have reached
        self._pool.close()


def _valid_draft_id(draft_id: object) -> bool:
    return isinstance(draft_id, str) and _DRAFT_ID.fullmatch(draft_id) is not None


def _check(response: Response) -> None:
    # The id arrives from a form field, so it is checked like any input.
    if not isinstance(response.id, str) or not 0 < len(response.id) <= 128:
        raise ValueError("response.id must be a non-empty string of at most 128 characters")
    if not isinstance(response.answers, dict) or not isinstance(response.meta, dict):
        raise ValueError("response.answers and response.meta must be dicts")
