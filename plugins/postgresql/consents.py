"""Consent records, their texts and withdrawal, for :class:`~.store.PostgresStore` (a mixin).

A consent is one row per pseudonym (``consents``), changed in place when the
person changes an optional choice. Withdrawal deletes the person's answers,
drafts and consent row and adds a ``withdrawals`` row (pseudonym, survey,
time: nothing else about them), with its audit entry, in one transaction
under the pseudonym's advisory lock.
"""

from __future__ import annotations

from dataclasses import replace

import psycopg
from psycopg.errors import UniqueViolation
from psycopg.types.json import Json

from consent_kit import ConsentRecord, ConsentText, WithdrawnConsent

from . import audit as audit_log
from .sql import PSEUDONYM_LOCK, delete_drafts_mentioning, id_hash, lock

CONFIRM_METHODS = ("tick", "initials", "sent")
_CODE_IN_USE = "This withdrawal code is already in use; make a new one."


class ConsentRows:
    """The consent part of the store; expects ``self._pool`` and the store's helpers."""

    def _refuse_withdrawn(self, cur: psycopg.Cursor, pseudonym: str) -> None:
        cur.execute("SELECT 1 FROM withdrawals WHERE pseudonym = %s", (pseudonym,))
        if cur.fetchone():
            raise WithdrawnConsent()

    def _add_consent(self, cur: psycopg.Cursor, record: ConsentRecord) -> tuple[ConsentRecord, bool]:
        """Insert unless the pseudonym is known; takes (and keeps) the pseudonym's lock."""
        check_record(record)
        lock(cur, PSEUDONYM_LOCK, record.pseudonym)
        self._refuse_withdrawn(cur, record.pseudonym)
        cur.execute("SELECT record FROM consents WHERE pseudonym = %s", (record.pseudonym,))
        row = cur.fetchone()
        if row is not None:
            with self._keys.within(cur):
                return ConsentRecord.from_record(self._sealer.open_consent(row[0])), False
        if record.code_hash:
            cur.execute("SELECT 1 FROM consents WHERE code_hash = %s", (record.code_hash,))
            if cur.fetchone():
                raise ValueError(_CODE_IN_USE)
        with self._keys.within(cur):  # a new person's key is made in this transaction
            line = self._sealer.seal_consent(record.to_record())
        try:
            with cur.connection.transaction():  # a savepoint: a clash leaves the rest usable
                cur.execute("INSERT INTO consents (pseudonym, survey_id, code_hash, record) "
                            "VALUES (%s, %s, %s, %s)", (record.pseudonym, record.survey_id,
                                                        record.code_hash, Json(line)))
        except UniqueViolation:
            raise ValueError(_CODE_IN_USE) from None  # the same code given elsewhere a moment ago
        return record, True

    def save_consent_text(self, text: ConsentText) -> None:
        """Keep ``text.to_dict()`` under its version, once (never changed afterwards)."""
        with self._pool.connection("your consent") as conn:
            conn.execute("INSERT INTO consent_texts (version, text) VALUES (%s, %s) "
                         "ON CONFLICT (version) DO NOTHING", (text.version, Json(text.to_dict())))

    def get_consent_text(self, version: str) -> ConsentText | None:
        """Return the kept text of this version, or ``None``."""
        with self._pool.connection("your consent") as conn:
            row = conn.execute("SELECT text FROM consent_texts WHERE version = %s", (version,)).fetchone()
        return None if row is None else ConsentText.from_dict(row[0])

    def add_consent(self, record: ConsentRecord) -> tuple[ConsentRecord, bool]:
        """Store a consent (committed); idempotent by pseudonym; see :meth:`Store.add_consent`."""
        with self._pool.connection("your consent") as conn, conn.cursor() as cur:
            return self._add_consent(cur, record)

    def get_consent(self, pseudonym: str) -> ConsentRecord | None:
        """Return the current consent of this pseudonym, or ``None``."""
        with self._pool.connection("your consent") as conn:
            row = conn.execute("SELECT record FROM consents WHERE pseudonym = %s", (pseudonym,)).fetchone()
        return None if row is None else ConsentRecord.from_record(self._sealer.open_consent(row[0]))

    def consent_by_code_hash(self, code_hash: str) -> ConsentRecord | None:
        """Return the current consent with this withdrawal code hash, or ``None``."""
        if not code_hash:
            return None
        with self._pool.connection("your consent") as conn:
            row = conn.execute("SELECT record FROM consents WHERE code_hash = %s", (code_hash,)).fetchone()
        return None if row is None else ConsentRecord.from_record(self._sealer.open_consent(row[0]))

    def change_consent(self, record: ConsentRecord) -> None:
        """Store new choices of optional statements; see :meth:`Store.change_consent`."""
        if not record.changed_at:
            raise ValueError("A changed consent needs changed_at (when it was changed).")
        with self._pool.connection("your consent") as conn, conn.cursor() as cur:
            cur.execute("SELECT record FROM consents WHERE pseudonym = %s FOR UPDATE", (record.pseudonym,))
            row = cur.fetchone()
            if row is None:
                raise ValueError("There is no consent to change for this person: it may have been withdrawn.")
            stored = ConsentRecord.from_record(self._sealer.open_consent(row[0]))
            if (record.survey_id, record.consent_version) != (stored.survey_id, stored.consent_version):
                raise ValueError("A change can't move a consent to another survey or another version.")
            if sorted(record.agreed + record.declined) != sorted(stored.agreed + stored.declined):
                raise ValueError("A change must keep the same statements, agreed or declined.")
            if (record.agreed, record.declined) == (stored.agreed, stored.declined):
                return
            changed = replace(stored, agreed=record.agreed, declined=record.declined,
                              changed_at=record.changed_at)
            cur.execute("UPDATE consents SET record = %s WHERE pseudonym = %s",
                        (Json(self._sealer.seal_consent(changed.to_record())), record.pseudonym))

    def withdraw(self, pseudonym: str, *, at: str, audit: dict | None = None) -> dict:
        """Erase the person's answers, drafts and consent; keep a ``withdrawals`` row; one transaction.

        See :meth:`Store.withdraw`. ``damaged`` is always 0: a database has no
        half-written lines to keep.
        """
        if not isinstance(pseudonym, str) or not pseudonym:
            raise ValueError("withdraw needs a pseudonym")
        with self._pool.connection("your request") as conn, conn.cursor() as cur:
            lock(cur, PSEUDONYM_LOCK, pseudonym)
            cur.execute("SELECT id FROM responses WHERE pseudonym = %s", (pseudonym,))
            ids = [row[0] for row in cur.fetchall()]
            erased = self._erase(cur, ids, for_pseudonym=pseudonym) if ids else 0
            delete_drafts_mentioning(cur, [*ids, pseudonym], self._sealer)
            # Crypto-shredding: without the key, every copy of their sealed answers, drafts and
            # consent (old backups, the write-ahead log, a replica) is noise from now on.
            cur.execute("DELETE FROM participant_keys WHERE name = %s", (pseudonym,))
            counts = {"responses": erased, "damaged": 0}
            cur.execute("DELETE FROM consents WHERE pseudonym = %s RETURNING survey_id", (pseudonym,))
            row = cur.fetchone()
            if row is None:
                return {**counts, "consents": 0, "audited": False}
            cur.execute("INSERT INTO withdrawals (pseudonym, survey_id, at) VALUES (%s, %s, %s) "
                        "ON CONFLICT DO NOTHING", (pseudonym, row[0], at))
            if audit:
                cur.execute("SELECT count(*) FROM erased_ids WHERE for_sha256 = %s", (id_hash(pseudonym),))
                details = {**(audit.get("details") or {}), "responses_erased": cur.fetchone()[0],
                           "damaged_lines_kept": 0}
                audit_log.pending(cur, **{**audit, "details": details})
        if audit:
            self._chainer.poke()
        return {**counts, "consents": 1, "audited": bool(audit)}

    def consent_counts(self, survey_id: str) -> dict:
        """Given, active and withdrawn counts and agreements per statement (active consents)."""
        with self._pool.connection("your consent") as conn:
            active = conn.execute("SELECT count(*) FROM consents WHERE survey_id = %s",
                                  (survey_id,)).fetchone()[0]
            withdrawn = conn.execute("SELECT count(*) FROM withdrawals WHERE survey_id = %s",
                                     (survey_id,)).fetchone()[0]
            rows = conn.execute(
                "SELECT s, count(*) FROM consents, json_array_elements_text(record -> 'agreed') AS s "
                "WHERE survey_id = %s GROUP BY s", (survey_id,)).fetchall()
        return {"given": active + withdrawn, "active": active, "withdrawn": withdrawn,
                "agreed": dict(rows)}


def check_record(record: ConsentRecord) -> None:
    if not isinstance(record, ConsentRecord):
        raise TypeError("add_consent takes a ConsentRecord")
    if not isinstance(record.pseudonym, str) or not 0 < len(record.pseudonym) <= 128:
        raise ValueError("record.pseudonym must be a non-empty string of at most 128 characters")
    if not record.survey_id or not record.consent_version or not record.given_at:
        raise ValueError("A consent record needs survey_id, consent_version and given_at.")
    if record.method not in CONFIRM_METHODS:
        raise ValueError(f"record.method must be one of {', '.join(CONFIRM_METHODS)}")
    if set(record.agreed) & set(record.declined):
        raise ValueError("A statement can't be both agreed and declined.")
