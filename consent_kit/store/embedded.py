"""EmbeddedStore: everything in one data folder, no database server to run.

Layout::

    <data>/responses.jsonl   append-only journal of responses and tombstones (a response
                             sent by a participant carries copies of its consent line and
                             audit entry: one flush stores all three, see submissions.py)
    <data>/responses.lock    flock for the journal
    <data>/responses.index   the journal's index as of some point, so a start needn't read every
                             line (a cache: used only if it matches the journal exactly, see
                             index_file.py; safe to delete or to leave out of backups)
    <data>/tables.json       TinyDB tables of low-write data (atomic writes)
    <data>/tables.lock       flock for the tables
    <data>/drafts/<id>.json  in-progress answers, one file each
    <data>/consents.jsonl    append-only journal of consent given, changed, withdrawn
    <data>/consents.lock     flock for the consent journal
    <data>/audit.jsonl       hash-chained audit log (never rewritten)
    <data>/audit.lock        flock for the audit log
    <data>/audit.head        seq and hash of the latest audit entry
    <data>/keys.jsonl        each participant's data key, wrapped with the instance key
    <data>/keys.lock         flock for the keys
    <data>/consents.index,   like responses.index, for the consents, the keys and the audit log
      keys.index, audit.index  (caches: safe to delete)
    <data>/store.key         the instance key, unless it is given elsewhere (see crypto.py)

Answers, the personal parts of consent records and drafts are sealed with the
participant's data key (crypto-shredding, see :mod:`consent_kit.store.sealing`):
a withdrawal destroys the key, so copies left in old backups can't be read.

Several worker processes may open the same folder at once: every write is
serialised with ``flock`` and every process catches up on the others' writes
before it checks or answers anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from tinydb import Query

from consent_kit.consent.records import ConsentRecord, ConsentText
from consent_kit.store.audit import AuditLog
from consent_kit.store.base import Response, Store, WithdrawnConsent
from consent_kit.store.consents import ConsentLog
from consent_kit.store.crypto import ParticipantKeys, instance_key
from consent_kit.store.drafts import Drafts
from consent_kit.store.files import ensure_dir
from consent_kit.store.keys import KeyFile
from consent_kit.store.responses import ResponseLog
from consent_kit.store.sealed_documents import SEALED_FIELDS, SealedDocuments
from consent_kit.store.sealing import Sealer, response_key_name
from consent_kit.store.submissions import add_submission, recover
from consent_kit.store.tables import Table, Tables

log = logging.getLogger(__name__)

#: Keys younger than this are never swept as unused (their draft may be being written).
UNUSED_KEY_HOURS = 3
#: The TinyDB table that keeps every consent text shown, by version.
CONSENT_TEXTS = "consent_texts"


class EmbeddedStore(Store):
    """The default :class:`Store`: JSON-lines responses, TinyDB tables and draft files."""

    def __init__(self, data_dir: str | Path, *, key: str | None = None,
                 key_file: str | Path | None = None):
        """Open (or create) the store in ``data_dir``.

        ``key``/``key_file`` give the instance key that wraps the participants'
        keys (see :func:`consent_kit.store.crypto.instance_key`; by default
        ``CONSENT_KIT_STORE_KEY``, else ``data_dir/store.key``, made on first use).
        """
        self.data_dir = ensure_dir(Path(data_dir))
        self._keyfile = KeyFile(self.data_dir / "keys.jsonl")
        self.keys = ParticipantKeys(self._keyfile, instance_key(self.data_dir, key=key, key_file=key_file))
        self.keys.check()
        sealer = Sealer(self.keys)
        self._responses = ResponseLog(self.data_dir / "responses.jsonl", sealer)
        self._tables = Tables(self.data_dir / "tables.json")
        self._drafts = Drafts(self.data_dir / "drafts", sealer=sealer)
        self._consents = ConsentLog(self.data_dir / "consents.jsonl", sealer)
        self._audit = AuditLog(self.data_dir / "audit.jsonl")
        self._saved_texts: set[str] = set()  # versions known to be kept (they never change)
        # Read the journal now, not at the first submission: the index is warm
        # before people arrive, and a torn record left by a crash is reported
        # when the server starts, where the person starting it can see it.
        self._responses.count()
        self._consents.counts("")
        for log_ in (self._responses, self._consents):
            log_.journal.finish_erasures()  # blanks a crash kept from being written
        recover(self._logs())
        self._shred_leftover_keys()

    def _shred_leftover_keys(self) -> None:
        """Destroy keys that belong to withdrawn people or erased answers (left by a crash)."""
        with self._consents.journal.locked(), self._responses.journal.locked():
            withdrawn = self._consents.index.withdrawn
            with self._keyfile.journal.locked():
                gone = [name for name in withdrawn if self._keyfile.has(name)]
            gone += self._keyfile.of_erased_answers(self._responses.index.erased)
            if gone:
                log.warning("Destroying %d key(s) of withdrawn people or erased answers", len(gone))
                self.keys.destroy_all(gone)

    def add_response(self, response: Response) -> tuple[Response, bool]:
        """Store ``response`` durably (fsync'd before returning); see :meth:`Store.add_response`.

        Under the consent journal's lock, like a withdrawal: answers for a
        withdrawn pseudonym are refused, never stored after the erasure.
        """
        with self._consents.journal.locked():
            if response.pseudonym and response.pseudonym in self._consents.index.withdrawn:
                raise WithdrawnConsent()
            return self._responses.add(response)

    def add_submission(self, record: ConsentRecord, response: Response,
                       audit: dict | None = None) -> tuple[Response, bool]:
        """Consent, answers and audit entry with one flush to disk; see :meth:`Store.add_submission`."""
        with self._keyfile.deferred():
            return add_submission(self._logs(), record, response, audit,
                                  flush_first=self._keyfile.flush_deferred)

    def _logs(self) -> tuple[ConsentLog, ResponseLog, AuditLog]:
        return self._consents, self._responses, self._audit

    def iter_responses(self, survey_id: str | None = None) -> Iterator[Response]:
        """Yield responses in stored order, reading the file as a stream."""
        return self._responses.iter(survey_id)

    def count_responses(self, survey_id: str | None = None) -> int:
        """Return how many responses are stored, from the in-memory index."""
        return self._responses.count(survey_id)

    def get_response(self, response_id: str) -> Response | None:
        """Return the response with this submission id, or ``None``."""
        return self._responses.get(response_id)

    def responses_by_pseudonym(self, pseudonym: str) -> list[Response]:
        """Return the responses carrying this pseudonym; an empty pseudonym matches none."""
        return self._responses.by_pseudonym(pseudonym)

    def erase_responses(self, response_ids: Iterable[str]) -> int:
        """Erase responses from the journal and any draft that mentions their ids.

        Returns how many stored responses were erased. Their ids are refused
        from now on, in every process.
        """
        ids = [i for i in response_ids if isinstance(i, str) and i]
        own_keys = [response_key_name({"id": i}) for i in ids]  # answers sent without a pseudonym
        stored = [self._responses.get(i) for i in ids]
        # Whose drafts may carry these ids: their senders' (an id not stored: anyone's, all are opened).
        owners = None if None in stored else {r.pseudonym for r in stored if r.pseudonym}
        erased = self._responses.erase(ids)
        self._drafts.delete_mentioning(ids, owners=owners)
        self.keys.destroy_all(own_keys)
        return erased

    def save_draft(self, draft_id: str, data: dict, *, expires_at: float) -> None:
        """Store in-progress answers atomically; raises ValueError for an invalid id."""
        self._drafts.save(draft_id, data, expires_at=expires_at)

    def load_draft(self, draft_id: str) -> dict | None:
        """Return a draft's data, or ``None`` if invalid, missing or expired (then deleted)."""
        return self._drafts.load(draft_id)

    def delete_draft(self, draft_id: str) -> None:
        """Delete a draft if it exists; an invalid id is ignored."""
        self._drafts.delete(draft_id)

    def purge_expired_drafts(self, now: float | None = None) -> int:
        """Delete drafts expired at ``now`` (default: now), then unused keys; return drafts deleted."""
        now = time.time() if now is None else now
        purged, live = self._drafts.sweep(now)  # one read of each draft for both
        self._sweep_unused_keys(now, live)
        return purged

    def _sweep_unused_keys(self, now: float, live: set[str] | None = None) -> int:
        """Destroy the keys of people who saved a draft but never sent anything, once it has gone.

        Anyone can start a survey, so keys of drafts left to expire must not pile
        up (nor keep an old backup of the draft readable). A key in use (a draft,
        a consent, answers) is kept, and so is any key made in the last
        ``UNUSED_KEY_HOURS``: its draft may be being written right now.
        """
        live = self._drafts.key_names() if live is None else live
        with self._consents.journal.locked(), self._responses.journal.locked():
            # Keys whose hash neither index holds (by hash: no set of every pseudonym is made).
            with self._keyfile.journal.locked():
                names = self._keyfile.names_unless(self._consents.index.people, self._responses.index.senders)
            unused = [n for n in names if n not in live and ":" not in n and not n.startswith("~")]
        stale = self._keyfile.made_before(unused, now - UNUSED_KEY_HOURS * 3600)
        if stale:
            log.info("Destroying %d key(s) of drafts that were never sent", len(stale))
            self.keys.destroy_all(stale)
        return len(stale)

    def table(self, name: str) -> Table:
        """Return the named table; each call on it is a locked, atomic operation."""
        return Table(self._tables, name)

    def documents(self, name: str):
        """The named table as keyed documents; contact details in it sealed (see sealed_documents)."""
        fields = SEALED_FIELDS.get(name)
        documents = super().documents(name)
        return SealedDocuments(documents, self.keys, name, fields) if fields else documents

    # -- consent ---------------------------------------------------------------

    def save_consent_text(self, text: ConsentText) -> None:
        """Keep ``text.to_dict()`` in the ``consent_texts`` table under its version, once."""
        version = text.version
        if version in self._saved_texts:
            return
        doc = {"version": version, "text": text.to_dict()}

        def insert_once(table) -> None:
            if table.get(Query().version == version) is None:
                table.insert(doc)

        self._tables.run(CONSENT_TEXTS, insert_once)
        self._saved_texts.add(version)

    def get_consent_text(self, version: str) -> ConsentText | None:
        """Return the kept text of this version, or ``None``."""
        doc = self._tables.run(CONSENT_TEXTS, lambda t: t.get(Query().version == version))
        if doc is None:
            return None
        text = ConsentText.from_dict(doc["text"])
        if text.version != version:
            log.warning("The kept consent text %s no longer matches its version: it was edited", version)
        return text

    def add_consent(self, record: ConsentRecord) -> tuple[ConsentRecord, bool]:
        """Append the record to ``consents.jsonl``, fsync'd; idempotent by pseudonym."""
        return self._consents.add(record)

    def get_consent(self, pseudonym: str) -> ConsentRecord | None:
        """Return the current consent of this pseudonym, or ``None``."""
        return self._consents.get(pseudonym)

    def consent_by_code_hash(self, code_hash: str) -> ConsentRecord | None:
        """Return the current consent with this withdrawal code hash, or ``None``."""
        return self._consents.by_code_hash(code_hash)

    def change_consent(self, record: ConsentRecord) -> None:
        """Append a ``changed`` line (pseudonym, agreed, declined, time), fsync'd."""
        self._consents.change(record)

    def withdraw(self, pseudonym: str, *, at: str, audit: dict | None = None) -> dict:
        """Erase the person's responses, drafts and consent lines; keep a ``withdrawn`` line.

        All under the consent journal's lock, which every way of adding
        answers for a pseudonym also takes (``add_response`` and
        ``add_submission``), so no answer can slip in while it runs or stick
        afterwards. Responses go first, then drafts and the key, then the
        ``withdrawn`` line, which carries the audit entry (when ``audit`` is
        given) written right after it: one true entry per withdrawal, put back
        at the next start if a crash came in between (``submissions.recover``).
        Each file's lines of the person are blanked where they are
        (``Journal.erase_in_place``): the cost doesn't grow with other people.
        """
        def erase() -> dict:
            ids = [r.id for r in self._responses.by_pseudonym(pseudonym)]
            erased = self._responses.erase(ids, pseudonym=pseudonym)
            self._drafts.delete_mentioning([*ids, pseudonym], owners={pseudonym})
            # Last, once nothing current needs it: every copy anywhere becomes unreadable.
            self.keys.destroy(pseudonym)
            return {"responses": erased, "damaged": self._responses.damaged_lines()}

        def make_audit(counts: dict):
            details = {**(audit.get("details") or {}),
                       "responses_erased": self._responses.erased_for(pseudonym),
                       "damaged_lines_kept": counts["damaged"]}
            return self._audit.pending(**{**audit, "details": details})

        return self._consents.withdraw(pseudonym, at=at, erase_responses=erase,
                                       audit=make_audit if audit else None)

    def consent_counts(self, survey_id: str) -> dict:
        """Return given, active and withdrawn counts and agreements per statement, from the index."""
        return self._consents.counts(survey_id)

    # -- audit -------------------------------------------------------------------

    def audit(self, *, actor: str, action: str, subject: str = "", details: dict | None = None) -> dict:
        """Append a chained entry to ``audit.jsonl`` (fsync'd) and update ``audit.head``.

        Never put answer content in ``details``; see :meth:`Store.audit`.
        """
        return self._audit.append(actor=actor, action=action, subject=subject, details=details)

    def verify_audit(self) -> list[str]:
        """Check the chain and the head; return plain-language problems (empty when intact)."""
        return self._audit.verify()[1]

    def iter_audit(self) -> Iterator[dict]:
        """Yield the audit entries in order, streaming."""
        return self._audit.entries()

    def close(self) -> None:
        """Close the journal files; using the store again reopens them."""
        self._responses.close()
        self._consents.close()
        self._audit.close()
        self._keyfile.close()

    # Sample answers in bulk: a flush per batch, removed without tombstones (issue 22).
    from consent_kit.store.samples import add_sample_responses, remove_sample_responses
