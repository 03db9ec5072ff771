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

Each process keeps an index (pseudonym -> where the record is and what is
agreed now, code hash -> the line that has it, counts per survey) and catches
up on other processes' lines under the lock before every check, like the
response index. It is kept on disk too (``consents.index``, see ``index_file``).
"""

from __future__ import annotations

import logging
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from consent_kit.consent.records import CONFIRM_METHODS, ConsentRecord
from consent_kit.store.base import WithdrawnConsent
from consent_kit.store.index_file import IndexFile
from consent_kit.store.journal import Journal
from consent_kit.store.journal_blank import BLANKED
from consent_kit.store.lines import shared_name, shared_names
from consent_kit.store.offset_table import OffsetTable

if TYPE_CHECKING:
    from consent_kit.store.sealing import Sealer

log = logging.getLogger(__name__)

GIVEN, CHANGED, WITHDRAWN = "given", "changed", "withdrawn"
#: Key of the audit entry a ``withdrawn`` line carries (written with the erasure).
AUDIT_COPY = "audit"


@dataclass(slots=True)
class _Current:
    """What the index keeps per participant: where the record is and what is agreed now."""

    offset: int
    survey_id: str
    agreed: tuple[str, ...]
    declined: tuple[str, ...]
    changed_at: str = ""
    changes: tuple[int, ...] = ()  # offsets of the person's "changed" lines (erased with the consent)


class ConsentIndex:
    """What one process knows about ``consents.jsonl``; fed by the journal (a Follower)."""

    def __init__(self, read_code=None) -> None:
        #: The withdrawal-code hash of the line at an offset (to tell apart codes whose hashes are equal).
        self.read_code = read_code or (lambda offset: None)
        self.reset()

    def reset(self) -> None:
        """Forget everything before a replay from the start of the file."""
        self.current: dict[str, _Current] = {}
        # Withdrawal-code hash -> offset of its "given" line: 40 bytes a person in flat arrays, not a
        # 64-letter string in a dict (about 150); the pseudonym is on that line.
        self.by_code = OffsetTable(self._read_code)
        self.withdrawn: set[str] = set()
        self.active: Counter[str] = Counter()  # survey -> consents not withdrawn
        self.withdrawals: Counter[str] = Counter()  # survey -> withdrawals
        self.agreed: defaultdict[str, Counter[str]] = defaultdict(Counter)  # survey -> statement -> n
        self.audit_carriers: list[int] = []  # offsets of withdrawn lines that carry an audit entry
        self.unfinished: set[int] = set()  # withdrawn people's lines not yet blank (a crash came)
        # Survey ids and lists of statements, one object for each value: a hundred thousand
        # people share a few of them, and each line read makes new ones (250 bytes a person).
        self._shared: dict = {}

    def apply(self, record: dict, offset: int) -> None:
        """Index one line. Unknown kinds are ignored (written by a newer version)."""
        kind, pseudonym = record.get("kind"), record.get("pseudonym")
        if kind == BLANKED:  # a withdrawal erased lines in place: their codes are gone
            for line in record.get(BLANKED) or ():
                if isinstance(line, int):
                    self.by_code.discard(line)
                    self.unfinished.discard(line)
            return
        if not isinstance(pseudonym, str) or not pseudonym:
            return
        if kind == GIVEN:
            self._given(pseudonym, record, offset)
        elif kind == CHANGED:
            self._changed(pseudonym, record, offset)
        elif kind == WITHDRAWN:
            self._withdrawn(pseudonym, str(record.get("survey_id", "")))
            if AUDIT_COPY in record:
                self.audit_carriers.append(offset)

    def _given(self, pseudonym: str, record: dict, offset: int) -> None:
        if pseudonym in self.current or pseudonym in self.withdrawn:
            # add_consent checks under the lock, so this cannot come from it.
            log.warning("Ignoring a repeated consent line at byte %d", offset)
            return
        pseudonym, survey_id = shared_name(pseudonym), str(record.get("survey_id", ""))
        entry = _Current(
            offset,
            self._shared.setdefault(survey_id, survey_id),
            self._statements(record.get("agreed")),
            self._statements(record.get("declined")),
            str(record.get("changed_at") or ""),
        )
        self.current[pseudonym] = entry
        code = record.get("code_hash")
        if code and isinstance(code, str):
            self.by_code.add_new(code, offset)  # the first line with a code keeps it
        self.active[entry.survey_id] += 1
        self.agreed[entry.survey_id].update(entry.agreed)

    def _changed(self, pseudonym: str, record: dict, offset: int) -> None:
        entry = self.current.get(pseudonym)
        if entry is None:
            return
        entry.changes += (offset,)
        self.agreed[entry.survey_id].subtract(entry.agreed)
        entry.agreed = self._statements(record.get("agreed"))
        entry.declined = self._statements(record.get("declined"))
        entry.changed_at = str(record.get("at") or "")
        self.agreed[entry.survey_id].update(entry.agreed)

    # -- kept on disk (index_file) ---------------------------------------------------

    def snapshot(self) -> list[bytes]:
        """The index as byte strings: offsets and which survey and statements, then the rest as JSON.

        Survey ids and statement lists are written once each and referred to by number,
        as the index shares them (:meth:`restore` shares them again).
        """
        people, entries = list(self.current), list(self.current.values())
        # Column by column with map (C speed): a withdrawal saves this at once (0.3 s a 100,000 people
        # with a loop per person).
        offsets, *shared = (list(map(attrgetter(field), entries))
                            for field in ("offset", "survey_id", "agreed", "declined"))
        values = list(dict.fromkeys(chain(*shared)))  # survey id or statement tuple, each once
        numbers = {value: n for n, value in enumerate(values)}
        columns = [array("q", offsets)] + [array("q", map(numbers.__getitem__, column)) for column in shared]
        rest = {"people": people, "values": values,
                "changed_at": {str(n): e.changed_at for n, e in enumerate(entries) if e.changed_at},
                "changes": {str(n): e.changes for n, e in enumerate(entries) if e.changes},
                "withdrawn": sorted(self.withdrawn), "active": _nonzero(self.active),
                "withdrawals": _nonzero(self.withdrawals),
                "agreed": {k: _nonzero(v) for k, v in self.agreed.items() if _nonzero(v)},
                "audit_carriers": self.audit_carriers, "unfinished": sorted(self.unfinished)}
        columns += self.by_code.columns()
        return [column.tobytes() for column in columns] + [orjson.dumps(rest)]

    def restore(self, parts: list[bytes]) -> None:
        """Take the index back from :meth:`snapshot`'s bytes; ``ValueError`` if they don't fit."""
        *raw, keys, code_offsets, code_order, rest = parts
        columns = [array("q") for _ in raw]
        for column, data in zip(columns, raw, strict=True):
            column.frombytes(data)
        by_code = OffsetTable.from_columns(self._read_code, keys, code_offsets, code_order)
        state = orjson.loads(rest)
        people, values = shared_names(state["people"]), state["values"]
        if (len(columns) != 4 or any(len(c) != len(people) for c in columns)
                or any(min(c, default=0) < 0 for c in columns[1:])):
            raise ValueError("its columns don't fit together")
        self.reset()
        shared = [self._statements(v) if isinstance(v, list) else self._shared.setdefault(str(v), str(v))
                  for v in values]
        changed_at = _column(state["changed_at"], len(people), "", str)
        changes = _column(state["changes"], len(people), (), lambda offsets: tuple(map(int, offsets)))
        try:
            # Column by column with map (C speed): a million people start in seconds less.
            surveys, agreed, declined = (list(map(shared.__getitem__, column)) for column in columns[1:])
        except IndexError as error:
            raise ValueError("it refers to a value it doesn't hold") from error
        entries = map(_Current, columns[0], surveys, agreed, declined, changed_at, changes)
        self.current = dict(zip(people, entries, strict=True))
        self.by_code = by_code
        self.withdrawn = set(shared_names(state["withdrawn"]))
        self.active = Counter({str(k): int(v) for k, v in state["active"].items()})
        self.withdrawals = Counter({str(k): int(v) for k, v in state["withdrawals"].items()})
        self.agreed = defaultdict(Counter, {str(k): Counter({str(s): int(n) for s, n in v.items()})
                                            for k, v in state["agreed"].items()})
        self.audit_carriers = [int(o) for o in state["audit_carriers"]]
        self.unfinished = {int(o) for o in state["unfinished"]}

    def _read_code(self, offset: int) -> str | None:
        return self.read_code(offset)

    def _statements(self, ids) -> tuple[str, ...]:
        """The statement ids of a line as a tuple, the same object for the same ids.

        Only strings count: anything else in a hand-edited line could not be counted
        (it used to stop the whole file being read).
        """
        value = tuple(s for s in ids if isinstance(s, str)) if isinstance(ids, list | tuple) else ()
        return self._shared.setdefault(value, value)

    def _withdrawn(self, pseudonym: str, survey_id: str) -> None:
        entry = self.current.pop(pseudonym, None)
        if entry is not None:  # its lines are blanked next (see Journal.erase_in_place)
            self.active[entry.survey_id] -= 1
            self.agreed[entry.survey_id].subtract(entry.agreed)
            self.unfinished.update((entry.offset, *entry.changes))
        if pseudonym not in self.withdrawn:
            self.withdrawn.add(pseudonym)
            self.withdrawals[survey_id] += 1


class ConsentLog:
    """Durable consent records in one journal file; see the module docstring."""

    def __init__(self, path: Path, sealer: Sealer | None = None):
        self.index = ConsentIndex(self._code_at)
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
        if record.pseudonym in self.index.current:
            return self._current(record.pseudonym), False
        if record.code_hash and record.code_hash in self.index.by_code:
            raise ValueError("This withdrawal code is already in use; make a new one.")
        line = sealed if sealed is not None else self.seal(record.to_record())
        self.journal.append({"kind": GIVEN, **line}, durable=durable)
        # What was just written, as the caller gave it (reading it back would unseal it again).
        return ConsentRecord.from_record(record.to_record()), True

    def known(self, pseudonym: str) -> bool:
        """Whether this pseudonym has a consent line, current or withdrawn (call under the lock)."""
        return pseudonym in self.index.current or pseudonym in self.index.withdrawn

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
            entry = self.index.current.get(pseudonym)
            if entry is None:
                if self.index.unfinished:  # withdrawn already, but a disk error kept lines from going
                    journal.erase_in_place([], [])
                return {**counts, "consents": 0, "audited": False}
            extra = {"kind": WITHDRAWN, "pseudonym": pseudonym, "survey_id": entry.survey_id, "at": at}
            needle = pseudonym.encode("utf-8")
            lines = [entry.offset, *entry.changes,
                     *(o for o in journal.damaged if needle in journal.raw_at(o))]
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

    def _code_at(self, offset: int) -> str | None:
        """The withdrawal-code hash on the line at ``offset`` (for the index's check)."""
        line = self.journal.read_at(offset)
        return None if line is None else line.get("code_hash")

    def _current(self, pseudonym: str) -> ConsentRecord | None:
        """The record with the latest choices applied (call under the lock)."""
        def offset() -> int | None:
            entry = self.index.current.get(pseudonym)
            return None if entry is None else entry.offset

        line = self.journal.read_checked(offset, "pseudonym", pseudonym)
        if line is None:
            return None
        entry = self.index.current[pseudonym]
        record = ConsentRecord.from_record(self.open(line))
        if entry.changed_at:
            record = replace(
                record, agreed=entry.agreed, declined=entry.declined, changed_at=entry.changed_at
            )
        return record


def _column(sparse: dict, size: int, default, convert) -> list:
    """A column of ``size`` values from ``{"row number": value}`` (the few rows that have one)."""
    column = [default] * size
    for row, value in sparse.items():
        n = int(row)
        if not 0 <= n < size:
            raise ValueError("it refers to a row it doesn't hold")
        column[n] = convert(value)
    return column


def _nonzero(counts: Counter) -> dict:
    """The counts that aren't 0: an erasure in place counts a person out to 0, where a
    full reading never counted them in; the index file is the same either way."""
    return {key: n for key, n in counts.items() if n}


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
