"""Consent records on a :class:`~consent_kit.store.journal.Journal`, with an in-memory index.

A consent is written once per participant, as often as responses, so it lives
in an append-only journal (``consents.jsonl``), not in TinyDB (which rewrites
its whole file on every write). Lines are events:

* ``{"kind": "given", ...ConsentRecord fields}``: the full record;
* ``{"kind": "changed", "pseudonym", "agreed", "declined", "at"}``;
* ``{"kind": "withdrawn", "pseudonym", "survey_id", "at", "audit"}``: nothing else
  about the person; ``audit`` is a copy of the withdrawal's audit entry.

Withdrawal adds the ``withdrawn`` line, then overwrites the person's
``given`` and ``changed`` lines in place with blank lines of the same length
(so their typed initials and choices are gone; see ``journal_blank``).

Each process keeps an index (:mod:`.consent_index`: pseudonym -> where the
record is and what is agreed now, code hash -> the line that has it, counts per
survey) and catches up on other processes' lines under the lock before every
check, like the response index. It is kept on disk too (``consents.index``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from consent_kit.consent.records import CONFIRM_METHODS, ConsentRecord
from consent_kit.store.base import WithdrawnConsent
from consent_kit.store.consent_index import AUDIT_COPY, CHANGED, GIVEN, WITHDRAWN, ConsentIndex
from consent_kit.store.index_file import IndexFile
from consent_kit.store.journal import Journal

if TYPE_CHECKING:
    from consent_kit.store.sealing import Sealer

class ConsentLog:
    """Durable consent records in one journal file; see the module docstring."""

    def __init__(self, path: Path, sealer: Sealer | None = None):
        self.index = ConsentIndex(lambda offset: self.journal.text_at(offset, "code_hash"),
                                  lambda offset: self.journal.text_at(offset, "pseudonym"))
        self.journal = Journal(path, self.index, what="your consent", index_file=IndexFile(path))
        # Seals the personal parts with the participant's key (None: plain lines).
        self.sealer = sealer

    def add(self, record: ConsentRecord) -> tuple[ConsentRecord, bool]:
        """Append a ``given`` line unless the pseudonym is known; see :meth:`Store.add_consent`."""
        with self.journal.locked():
            return self.add_locked(record)

    def add_locked(self, record: ConsentRecord, *, durable: bool = True,
                   sealed: dict | None = None) -> tuple[ConsentRecord, bool]:
        """:meth:`add` for a caller that holds the journal's lock.

        ``durable=False`` leaves the flush to a later write that carries a
        copy of the record (see :mod:`consent_kit.store.submissions`).
        ``sealed`` is ``self.seal(record.to_record())`` made by the caller, so
        the line and the copy carried elsewhere are the same bytes.
        """
        _check(record)
        if record.pseudonym in self.index.withdrawn:
            raise WithdrawnConsent()
        if self.index.has(record.pseudonym):
            return self._current(record.pseudonym), False
        if record.code_hash and record.code_hash in self.index.by_code:
            raise ValueError("This withdrawal code is already in use; make a new one.")
        line = sealed if sealed is not None else self.seal(record.to_record())
        self.journal.append({"kind": GIVEN, **line}, durable=durable)
        # What was just written, as the caller gave it (reading it back would unseal it again).
        return ConsentRecord.from_record(record.to_record()), True

    def known(self, pseudonym: str) -> bool:
        """Whether this pseudonym has a consent line, current or withdrawn (call under the lock)."""
        return self.index.has(pseudonym) or pseudonym in self.index.withdrawn

    def get(self, pseudonym: str) -> ConsentRecord | None:
        """The current record (changes applied), or ``None`` if unknown or withdrawn."""
        with self.journal.locked():
            return self._current(pseudonym)

    def by_code_hash(self, code_hash: str) -> ConsentRecord | None:
        """The current record whose withdrawal code has this hash, or ``None``."""
        if not code_hash:
            return None
        with self.journal.locked():
            offset = self.index.by_code.get(code_hash)  # found only if that line has this code
            line = None if offset is None else self.journal.read_at(offset)
            return None if line is None else self._current(str(line.get("pseudonym")))

    def change(self, record: ConsentRecord) -> None:
        """Append a ``changed`` line with the record's choices; see :meth:`Store.change_consent`."""
        if not record.changed_at:
            raise ValueError("A changed consent needs changed_at (when it was changed).")
        with self.journal.locked() as journal:
            stored = self._current(record.pseudonym)
            if stored is None:
                raise ValueError(
                    "There is no consent to change for this person: it may have been withdrawn."
                )
            if (record.survey_id, record.consent_version) != (stored.survey_id, stored.consent_version):
                raise ValueError("A change can't move a consent to another survey or another version.")
            if sorted(record.agreed + record.declined) != sorted(stored.agreed + stored.declined):
                raise ValueError("A change must keep the same statements, agreed or declined.")
            if (record.agreed, record.declined) == (stored.agreed, stored.declined):
                return
            journal.append({
                "kind": CHANGED,
                "pseudonym": record.pseudonym,
                "agreed": list(record.agreed),
                "declined": list(record.declined),
                "at": record.changed_at,
            })

    def withdraw(self, pseudonym: str, *, at: str, erase_responses: Callable[[], dict],
                 audit: Callable[[dict], AbstractContextManager[dict]] | None = None) -> dict:
        """Erase this person's consent lines in place and add a ``withdrawn`` line.

        ``erase_responses`` is called first, under this journal's lock, and
        returns ``{"responses": n, ...}``: if it fails, the consent (and its
        withdrawal code) still works, so the person can simply try again.
        The ``withdrawn`` line is appended and flushed, then the person's
        ``given`` and ``changed`` lines (and damaged lines naming them) are
        overwritten by blanks (:meth:`Journal.erase_in_place`). ``audit(counts)``,
        called only when this call withdraws, is a context
        (``AuditLog.pending``) giving the audit entry, which is carried in the
        ``withdrawn`` line and written when that line is, so the entry
        and the erasure stand or fall together (see ``submissions.recover``).
        Returns the counts plus ``"consents"`` (lines erased) and ``"audited"``.
        """
        if not isinstance(pseudonym, str) or not pseudonym:
            raise ValueError("withdraw needs a pseudonym")
        with self.journal.locked() as journal:
            counts = dict(erase_responses())
            entry = self.index.entry(pseudonym)
            if entry is None:
                if self.index.unfinished:  # withdrawn already, but a disk error kept lines from going
                    journal.erase_in_place([], [])
                return {**counts, "consents": 0, "audited": False}
            extra = {"kind": WITHDRAWN, "pseudonym": pseudonym, "survey_id": entry.survey_id, "at": at}
            lines = [entry.offset, *entry.changes, *journal.damaged_mentioning([pseudonym])]
            if audit is None:
                erased = journal.erase_in_place(lines, [extra])
            else:
                with audit(counts) as record:
                    erased = journal.erase_in_place(lines, [{**extra, AUDIT_COPY: record}])
        return {**counts, "consents": len(erased), "audited": audit is not None}

    def carried_audit(self) -> list[dict]:
        """The audit entries carried by ``withdrawn`` lines (call under the lock)."""
        lines = (self.journal.read_at(offset) or {} for offset in self.index.audit_carriers)
        return [line[AUDIT_COPY] for line in lines if isinstance(line.get(AUDIT_COPY), dict)]

    def counts(self, survey_id: str) -> dict:
        """Counts for researchers; see :meth:`Store.consent_counts`."""
        with self.journal.locked():
            active = self.index.active.get(survey_id, 0)
            withdrawn = self.index.withdrawals.get(survey_id, 0)
            agreed = {k: v for k, v in self.index.agreed.get(survey_id, Counter()).items() if v > 0}
        return {"given": active + withdrawn, "active": active, "withdrawn": withdrawn, "agreed": agreed}

    def close(self) -> None:
        """Close the journal file."""
        self.journal.close()

    def seal(self, record: dict) -> dict:
        """A consent record as written to a line: its personal parts sealed (if sealing is on)."""
        return self.sealer.seal_consent(record) if self.sealer else record

    def open(self, line: dict) -> dict:
        """A consent record from a line (or a copy carried by a response line), personal parts opened."""
        return self.sealer.open_consent(line) if self.sealer else line

    def _current(self, pseudonym: str) -> ConsentRecord | None:
        """The record with the latest choices applied (call under the lock)."""
        found = []  # the entry each lookup gave (read_checked looks up again after reading the file)

        def offset() -> int | None:
            found.append(self.index.entry(pseudonym))
            return None if found[-1] is None else found[-1].offset

        line = self.journal.read_checked(offset, "pseudonym", pseudonym)
        entry = None if line is None else found[-1]
        if entry is None:
            return None
        record = ConsentRecord.from_record(self.open(line))
        if entry.changed_at:
            record = replace(
                record, agreed=entry.agreed, declined=entry.declined, changed_at=entry.changed_at
            )
        return record


def _check(record: ConsentRecord) -> None:
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
