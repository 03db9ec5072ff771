"""The audit log on a :class:`~consent_kit.store.journal.Journal`: one hash chain for all processes.

Files::

    <data>/audit.jsonl   one entry per line (see consent_kit.store.audit_chain for the chain)
    <data>/audit.lock    flock shared by every process that appends
    <data>/audit.head    {"seq": n, "hash": h} of the latest entry, replaced atomically

Every append happens under the journal's lock after catching up on what
other processes appended, so two workers appending at once still make one
chain. The head file lets :meth:`AuditLog.verify` notice that the *last*
entries were removed, which the chain alone cannot show. If the head is ahead
of the log when appending (entries at the end were removed), the new entry
continues from the head, so the gap stays visible instead of being papered
over.

The audit log holds no answers, so erasure never rewrites it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from consent_kit.clock import utc_now
from consent_kit.store import audit_chain as chain
from consent_kit.store.base import StoreError
from consent_kit.store.files import fsync_dir, read_whole
from consent_kit.store.index_file import IndexFile
from consent_kit.store.journal import Journal

log = logging.getLogger(__name__)

#: The action of a withdrawal's entry, which the store writes itself (see ``EmbeddedStore.withdraw``).
WITHDRAWN = "consent_withdrawn"

#: The head file's fixed size: a JSON object padded with spaces (json.loads ignores them).
HEAD_SIZE = 128


class AuditChain:
    """The end of the chain as this process knows it; fed by the journal."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start over from an empty log."""
        self.last_seq, self.last_hash = 0, chain.GENESIS
        self.withdrawn_by: set[str] = set()  # actors with a withdrawal entry

    def apply(self, record: dict, offset: int) -> None:
        """Take in one entry; a line that is not an entry is skipped (verify reports it)."""
        if chain.well_formed(record) and record["seq"] > self.last_seq:
            self.last_seq, self.last_hash = record["seq"], record["hash"]
            if record.get("action") == WITHDRAWN:
                self.withdrawn_by.add(str(record.get("actor")))

    def snapshot(self) -> list[bytes]:
        """The end of the chain as bytes (see index_file), so a start needn't read every entry."""
        return [json.dumps({"last_seq": self.last_seq, "last_hash": self.last_hash,
                            "withdrawn_by": sorted(self.withdrawn_by)}).encode("utf-8")]

    def restore(self, parts: list[bytes]) -> None:
        """Take the end of the chain back from :meth:`snapshot`'s bytes; ``ValueError`` if it doesn't fit."""
        (raw,) = parts
        state = json.loads(bytes(raw))
        seq, head = state["last_seq"], state["last_hash"]
        if not (isinstance(seq, int) and seq >= 0 and isinstance(head, str)):
            raise ValueError("its chain head is damaged")
        self.last_seq, self.last_hash = seq, head
        self.withdrawn_by = {str(actor) for actor in state["withdrawn_by"]}


class AuditLog:
    """Append-only, hash-chained audit entries in ``audit.jsonl`` plus ``audit.head``."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.head_path = self.path.with_suffix(".head")
        self.chain = AuditChain()
        self.journal = Journal(self.path, self.chain, what="the audit log", checksums=False,
                               index_file=IndexFile(self.path))

    def append(self, *, actor: str, action: str, subject: str = "", details: dict | None = None) -> dict:
        """Append one entry durably and return it; see :meth:`Store.audit`."""
        with self.journal.locked():
            entry = self.next_entry(actor=actor, action=action, subject=subject, details=details)
            self.write_entry(entry)
        return entry

    def next_entry(self, *, actor: str, action: str, subject: str = "", details: dict | None = None) -> dict:
        """The entry that would come next in the chain (call under the lock; nothing is written)."""
        details = {} if details is None else details
        _check(actor, action, subject, details)
        head = self._read_head()
        seq, prev = self.chain.last_seq, self.chain.last_hash
        if head and isinstance(head.get("seq"), int) and head["seq"] > seq:
            # The last entries were removed: continue from the head so the
            # gap stays visible to verify() rather than being hidden.
            seq, prev = head["seq"], str(head.get("hash", ""))
        if head is None and seq == 0:
            # A head exists before the first entry, so a crash right after
            # the first append is never mistaken for a deleted head file:
            # its name is flushed too (once), or a power cut could lose it.
            self._write_head(0, chain.GENESIS)
            try:
                fsync_dir(self.head_path.parent)
            except OSError as exc:
                raise StoreError.from_os_error(exc, what="the audit log") from exc
        return chain.make_entry(
            seq=seq + 1, at=utc_now(), actor=actor, action=action, subject=subject,
            details=details, prev=prev,
        )

    @contextmanager
    def pending(self, **audit) -> Iterator[dict]:
        """Hold the lock, yield the next entry, and write it when the block ends without error.

        For a change that carries its entry (a withdrawal): the entry keeps its
        place in the chain, and is written only if the change was made. If
        writing it fails, the carried copy puts it back at the next start.
        """
        with self.journal.locked():
            entry = self.next_entry(**audit)
            yield entry
            try:
                self.write_entry(entry)
            except StoreError:
                log.exception("Could not write an audit entry; it is carried and put back later")

    def write_entry(self, entry: dict, *, durable: bool = True) -> None:
        """Append an entry made by :meth:`next_entry` under the same lock, then move the head.

        ``durable=False``: the entry is also carried by a flushed response
        line, which puts it back after a power cut (see ``submissions``).
        """
        self.journal.append(entry, durable=durable)
        try:
            self._write_head(entry["seq"], entry["hash"])
        except StoreError:
            # The entry itself is safe; a head that lags behind is allowed.
            log.exception("Could not update %s", self.head_path.name)

    def verify(self) -> tuple[int, list[str]]:
        """Return ``(entries, problems)``; problems are plain sentences, none when intact."""
        with self.journal.locked():
            head = self._read_head()
            try:
                f = open(self.path, "rb")
            except FileNotFoundError:
                return chain.verify_lines([], head)
            with f:
                # Streamed; a last line without "\n" was never acknowledged (a crash mid-write).
                return chain.verify_lines((raw for raw in f if raw.endswith(b"\n")), head)

    def entries(self) -> Iterator[dict]:
        """Yield every entry in order, streaming (lines that are not entries are skipped)."""
        for _offset, record in self.journal.records():
            if chain.well_formed(record):
                yield record

    def close(self) -> None:
        """Close the journal file."""
        self.journal.close()

    def _read_head(self) -> dict | None:
        """The head: ``None`` if missing, ``{}`` if unreadable."""
        try:
            raw = read_whole(self.head_path)
        except FileNotFoundError:
            return None
        if not raw.strip(b" \0"):
            # Made but never flushed (it isn't, see _write_head), then a power
            # cut: the name survived, the bytes didn't. That is a head lagging
            # behind (allowed), not a damaged one; an empty head hides nothing
            # that a head saying "seq 0" would not.
            return {"seq": 0, "hash": chain.GENESIS}
        try:
            head = json.loads(raw)
        except ValueError:
            return {}
        return head if isinstance(head, dict) else {}

    def _write_head(self, seq: int, digest: str) -> None:
        data = json.dumps({"seq": seq, "hash": digest}, separators=(",", ":")).encode("utf-8")
        # Overwritten in place, padded to a fixed size, in one write at the
        # start of the file (within one disk sector, so never half-written),
        # and not flushed: the entries are (journal.append), and a head that
        # lags behind after a crash is allowed. A temporary file and a rename,
        # or a flush, per entry cost more than the rest of a submission's
        # audit work, under the lock every worker queues on.
        try:
            fd = os.open(self.head_path, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                os.pwrite(fd, data.ljust(HEAD_SIZE), 0)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StoreError.from_os_error(exc, what="the audit log") from exc


def _check(actor: object, action: object, subject: object, details: object) -> None:
    if not isinstance(actor, str) or not actor:
        raise ValueError("audit: actor must be a non-empty string (a user name or a pseudonym)")
    if not isinstance(action, str) or not action:
        raise ValueError("audit: action must be a non-empty string, e.g. 'consent_given'")
    if not isinstance(subject, str):
        raise ValueError("audit: subject must be a string")
    if not isinstance(details, dict):
        raise ValueError("audit: details must be a dict")
    try:
        chain.canonical(details)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"audit: details must be plain JSON data ({exc})") from None
