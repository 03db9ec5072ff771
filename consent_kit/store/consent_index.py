"""What each process knows about ``consents.jsonl``: the consent index (a journal follower).

Pseudonym -> where the person's record is and what they agree to now, withdrawal-code hash ->
the line that has it, counts per survey, and who withdrew. Fed every line by the journal (see
:class:`~consent_kit.store.consents.ConsentLog`, which keeps the file), and kept on disk as
``consents.index`` (:meth:`ConsentIndex.snapshot`, :meth:`ConsentIndex.restore`).
"""

from __future__ import annotations

import logging
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter

import orjson

from consent_kit.store.journal_blank import BLANKED
from consent_kit.store.lines import shared_name, shared_names
from consent_kit.store.offset_table import OffsetTable

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
