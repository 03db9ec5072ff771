"""One submission, one flush: consent, answers and audit entry made durable together.

Sending answers writes three lines: the consent (``consents.jsonl``), the
answers (``responses.jsonl``) and the audit entry (``audit.jsonl``). Flushing
each file to disk costs about as much CPU as all the rest of the storing, so
only the answers' line is flushed, and it *carries a copy* of the other two::

    {"kind": "response", ...answers..., "consent": {...}, "audit": {...}}

The three lines are written under the three journals' locks, in a fixed
order (consents, responses, audit); the answers' line is flushed after the
locks are released and before "Thank you" (group commit: while one thread
waits for the disk, others write their lines, and the next flush takes them
all, so the locks are never held while the disk works). A ``kill -9`` loses
nothing (written data sits in the kernel). A power cut may lose the two lines
that were not flushed on their own; :func:`recover` then writes them again
from the flushed copy when the store next opens: the consent line exactly as
it was, and the audit entries exactly as they were (same sequence number,
same hash), so the chain reads as if nothing had happened. A withdrawal's
audit entry is carried the same way, by its ``withdrawn`` consent line.

Old journals (lines without copies) load and recover as before: there is
simply nothing to put back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from consent_kit.consent.records import ConsentRecord
from consent_kit.store.audit import AuditLog
from consent_kit.store.base import Response, StoreError, WithdrawnConsent
from consent_kit.store.consents import ConsentLog
from consent_kit.store.responses import AUDIT_COPY, CONSENT_COPY, ResponseLog

log = logging.getLogger(__name__)


def add_submission(
    logs: tuple[ConsentLog, ResponseLog, AuditLog],
    record: ConsentRecord,
    response: Response,
    audit: dict | None,
    flush_first: Callable[[], None] | None = None,
) -> tuple[Response, bool]:
    """Store consent, answers and (for new answers) the audit entry with one flush.

    ``audit`` is the keyword arguments of :meth:`Store.audit`. Returns what
    :meth:`Store.add_response` returns; raises what ``add_consent`` and
    ``add_response`` raise. The consent is written first: answers are never
    stored without one. ``flush_first`` is called before the answers' line is
    flushed (the embedded store flushes a new participant's key line there).
    """
    consents, responses, audits = logs
    with consents.journal.locked(), responses.journal.locked(), audits.journal.locked():
        if record.pseudonym in consents.index.withdrawn:
            raise WithdrawnConsent()  # before sealing: no key is made for a withdrawn person
        sealed = consents.seal(record.to_record())
        consents.add_locked(record, durable=False, sealed=sealed)
        entry = audits.next_entry(**audit) if audit else None
        carried = {CONSENT_COPY: sealed}
        if entry is not None:
            carried[AUDIT_COPY] = entry
        stored, created = responses.add_locked(response, carried, durable=False)
        if created and entry is not None:
            try:
                audits.write_entry(entry, durable=False)
            except Exception:  # noqa: BLE001 - the answers are written and carry the entry
                log.exception("Could not write an audit entry; it is kept with the answers")
        point = responses.journal.end()
    # Flushed after the locks are released (group commit), and also when the
    # answers were already there: their first sender may not have flushed yet.
    try:
        if flush_first is not None:
            flush_first()  # a new participant's key line, before the answers sealed with it
        responses.journal.flush(point)
    except StoreError:
        if created:  # written but never acknowledged: the retry is the real first time
            responses.unconfirmed.add(response.id)
        raise
    if not created:
        try:
            responses.unconfirmed.remove(response.id)  # atomic: one retry wins
            created = True  # so its plugin events and "Thank you" happen once (issue 21 §2)
        except KeyError:
            pass
    return stored, created


def recover(logs: tuple[ConsentLog, ResponseLog, AuditLog]) -> dict:
    """Put back consent lines and audit entries that a power cut lost; return how many.

    Call when the store opens. Consents: every pseudonym with answers but no
    consent line (and no withdrawal) gets its carried consent back. Audit:
    the carried entries newer than the log's last entry are appended again,
    in order, as long as each one continues the chain.
    """
    consents, responses, audits = logs
    with consents.journal.locked(), responses.journal.locked(), audits.journal.locked():
        restored = {
            "consents": _recover_consents(consents, responses),
            "audit": _recover_audit(audits, responses) + _recover_withdrawals(audits, consents),
        }
    if any(restored.values()):
        log.warning(
            "Put back %(consents)d consent line(s) and %(audit)d audit entr(ies) "
            "that were lost when the computer stopped suddenly",
            restored,
        )
    return restored


def _recover_consents(consents: ConsentLog, responses: ResponseLog) -> int:
    restored = 0
    # Nearly everyone has a consent line: only a power cut leaves answers without one. Found by
    # the pseudonyms' hashes (a million senders at every start; no pseudonym is held in memory),
    # then taken in the file's order. A sender whose hash someone else's consent shares (about one
    # chance in 10^7 at a million people) counts as having one.
    missing = responses.index.senders.offsets_not_in(consents.index.people)
    for first in sorted(missing):
        for offset in responses.index.more.get(first, (first,)):
            line = responses.read_line(offset) or {}
            copy = line.get(CONSENT_COPY)  # none: stored by add_response alone (or an older version)
            if line.get("pseudonym") in consents.index.withdrawn:
                break
            if isinstance(copy, dict):
                # The copy is the line as it was written (sealed parts and all): put back exactly.
                consents.add_locked(ConsentRecord.from_record(consents.open(copy)), sealed=copy)
                restored += 1
                break
    return restored


def _recover_audit(audits: AuditLog, responses: ResponseLog) -> int:
    """Re-append the carried audit entries after the log's last one (the lost tail)."""
    lost = []
    for offset in responses.index.newest_first():
        entry = (responses.read_line(offset) or {}).get(AUDIT_COPY)
        if not isinstance(entry, dict) or entry.get("seq", 0) <= audits.chain.last_seq:
            break  # older lines' entries are in the log (or were never carried)
        lost.append(entry)
    restored = 0
    for entry in reversed(lost):
        if entry.get("prev") != audits.chain.last_hash or entry.get("seq") != audits.chain.last_seq + 1:
            log.error("A carried audit entry (seq %s) does not continue the chain; not put back",
                      entry.get("seq"))
            break
        audits.write_entry(entry)
        restored += 1
    return restored


def _recover_withdrawals(audits: AuditLog, consents: ConsentLog) -> int:
    """Write the audit entry of every withdrawal whose entry a crash lost.

    A withdrawal's entry is carried by its ``withdrawn`` line and written just
    after it. A kill between the two leaves a withdrawal with no entry; then
    the copy goes back exactly when it still continues the chain, or as a new
    entry marked ``put_back`` when other entries were written since.
    """
    restored = 0
    for entry in consents.carried_audit():
        if str(entry.get("actor")) in audits.chain.withdrawn_by:
            continue
        if entry.get("prev") == audits.chain.last_hash and entry.get("seq") == audits.chain.last_seq + 1:
            audits.write_entry(entry)
        else:
            details = {**(entry.get("details") or {}), "put_back": True}
            audits.write_entry(audits.next_entry(
                actor=str(entry.get("actor")), action=str(entry.get("action")),
                subject=str(entry.get("subject", "")), details=details))
        restored += 1
    return restored
