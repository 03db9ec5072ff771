"""What each process knows about ``consents.jsonl``: the consent index (a journal follower).

Pseudonym (by its hash) -> where the person's record is and what they agree to now, withdrawal-code hash ->
the line that has it, counts per survey, and who withdrew. Fed every line by the journal (see
:class:`~consent_kit.store.consents.ConsentLog`, which keeps the file), and kept on disk as
``consents.index`` (:meth:`ConsentIndex.snapshot`, :meth:`ConsentIndex.restore`).
"""

from __future__ import annotations

import logging
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass

import orjson

from consent_kit.store.journal_blank import BLANKED
from consent_kit.store.offset_table import OffsetTable

log = logging.getLogger(__name__)

GIVEN, CHANGED, WITHDRAWN = "given", "changed", "withdrawn"
#: Key of the audit entry a ``withdrawn`` line carries (written with the erasure).
AUDIT_COPY = "audit"


@dataclass(slots=True)
class _Current:
    """What the index knows of one participant: where the record is and what is agreed now."""

    offset: int
    survey_id: str
    agreed: tuple[str, ...]
    declined: tuple[str, ...]
    changed_at: str = ""
    changes: tuple[int, ...] = ()  # offsets of the person's "changed" lines (erased with the consent)


class ConsentIndex:
    """What one process knows about ``consents.jsonl``; fed by the journal (a Follower).

    People are kept by the 64-bit hash of their pseudonym in flat arrays (an
    :class:`OffsetTable`: where their ``given`` line is, and the number of
    what they agree to now among :attr:`shapes`, the few survey-and-choices
    combinations everyone shares): about 50 bytes a person, no pseudonym held.
    A person found by their hash is checked against their line (``read_pseudonym``).
    """

    def __init__(self, read_code=None, read_pseudonym=None) -> None:
        #: The withdrawal-code hash of the line at an offset (to tell apart codes whose hashes are equal).
        self.read_code = read_code or (lambda offset: None)
        #: The pseudonym of the line at an offset (to tell apart people whose hashes are equal).
        self.read_pseudonym = read_pseudonym or (lambda offset: None)
        self.reset()

    def reset(self) -> None:
        """Forget everything before a replay from the start of the file."""
        self.people = OffsetTable(self._read_pseudonym, with_values=True)
        # (survey id, agreed, declined): a person's number is their place here plus 1 (0: an empty slot).
        self.shapes: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
        self._shape_numbers: dict[tuple, int] = {}
        self.changes: dict[int, tuple[str, tuple[int, ...]]] = {}  # given line -> (changed_at, changed lines)
        # Withdrawal-code hash -> offset of its "given" line: 16 bytes a slot in flat arrays, not a
        # 64-letter string in a dict (about 150); the pseudonym is on that line.
        self.by_code = OffsetTable(self._read_code)
        self.withdrawn: set[str] = set()
        self.active: Counter[str] = Counter()  # survey -> consents not withdrawn
        self.withdrawals: Counter[str] = Counter()  # survey -> withdrawals
        self.agreed: defaultdict[str, Counter[str]] = defaultdict(Counter)  # survey -> statement -> n
        self.audit_carriers: list[int] = []  # offsets of withdrawn lines that carry an audit entry
        self.unfinished: set[int] = set()  # withdrawn people's lines not yet blank (a crash came)
        self._shared: dict = {}  # survey ids and statement lists, one object for each value

    def has(self, pseudonym: str) -> bool:
        """Whether ``pseudonym`` has a current (not withdrawn) consent (call under the lock)."""
        return pseudonym in self.people

    def entry(self, pseudonym: str, *, following: bool = False) -> _Current | None:
        """Where ``pseudonym``'s record is and what they agree to now, or ``None`` (under the lock).

        ``following``: for a line being read, whose person's ``given`` line may
        be blank already (a withdrawal this index hasn't read to the end yet).
        """
        found = self.people.value(pseudonym, or_unreadable=following)
        if found is None:
            return None
        offset, number = found
        changed_at, changes = self.changes.get(offset, ("", ()))
        return _Current(offset, *self.shapes[number - 1], changed_at, changes)

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
        survey_id = str(record.get("survey_id", ""))
        number = self._number(survey_id, record.get("agreed"), record.get("declined"))
        if pseudonym in self.withdrawn or self.people.held_or_added(pseudonym, offset, number) is not None:
            # add_consent checks under the lock, so this cannot come from it.
            log.warning("Ignoring a repeated consent line at byte %d", offset)
            return
        if record.get("changed_at"):
            self.changes[offset] = (str(record["changed_at"]), ())
        code = record.get("code_hash")
        if code and isinstance(code, str):
            self.by_code.add_new(code, offset)  # the first line with a code keeps it
        survey_id, agreed, _ = self.shapes[number - 1]
        self.active[survey_id] += 1
        self.agreed[survey_id].update(agreed)

    def _changed(self, pseudonym: str, record: dict, offset: int) -> None:
        entry = self.entry(pseudonym, following=True)
        if entry is None:
            return
        self.agreed[entry.survey_id].subtract(entry.agreed)
        number = self._number(entry.survey_id, record.get("agreed"), record.get("declined"))
        self.people.set_value(pseudonym, number, or_unreadable=True)
        self.changes[entry.offset] = (str(record.get("at") or ""), entry.changes + (offset,))
        self.agreed[entry.survey_id].update(self.shapes[number - 1][1])

    def _number(self, survey_id: str, agreed, declined) -> int:
        """The number of this survey and these choices in :attr:`shapes` (added if new)."""
        shape = (self._shared.setdefault(survey_id, survey_id), self._statements(agreed),
                 self._statements(declined))
        number = self._shape_numbers.get(shape)
        if number is None:
            self.shapes.append(shape)
            number = self._shape_numbers[shape] = len(self.shapes)
        return number

    # -- kept on disk (index_file) ---------------------------------------------------

    def snapshot(self) -> list[bytes]:
        """The index as byte strings: the people's and the codes' columns, then the rest as JSON.

        Only the shapes someone has now are written, numbered in the table's
        order, so the file is the same whether the index was kept up to date
        through withdrawals or made by reading the file afresh.
        """
        keys, offsets, numbers = self.people.columns()
        used = [n for n in dict.fromkeys(numbers) if n]
        renumbered = {0: 0, **{old: new for new, old in enumerate(used, 1)}}
        rest = {"shapes": [self.shapes[n - 1] for n in used],
                "changes": {str(o): change for o, change in sorted(self.changes.items())},
                "withdrawn": sorted(self.withdrawn), "active": _nonzero(self.active),
                "withdrawals": _nonzero(self.withdrawals),
                "agreed": {k: _nonzero(v) for k, v in self.agreed.items() if _nonzero(v)},
                "audit_carriers": self.audit_carriers, "unfinished": sorted(self.unfinished)}
        columns = [keys, offsets, array("i", map(renumbered.__getitem__, numbers)), *self.by_code.columns()]
        return [column.tobytes() for column in columns] + [orjson.dumps(rest)]

    def restore(self, parts: list[bytes]) -> None:
        """Take the index back from :meth:`snapshot`'s bytes; ``ValueError`` if they don't fit."""
        keys, offsets, numbers, code_keys, code_offsets, rest = parts
        people = OffsetTable.from_columns(self._read_pseudonym, keys, offsets, numbers,
                                          with_values=True)
        by_code = OffsetTable.from_columns(self._read_code, code_keys, code_offsets)
        state = orjson.loads(rest)
        self.reset()
        for survey_id, agreed, declined in state["shapes"]:
            self._number(str(survey_id), agreed, declined)
        if len(self.shapes) != len(state["shapes"]):
            raise ValueError("it holds the same choices twice")
        _, _, numbers = people.columns()
        if (min(numbers, default=0) < 0 or max(numbers, default=0) > len(self.shapes)
                or numbers.count(0) != len(numbers) - len(people)):  # 0: an empty slot, and only that
            raise ValueError("it refers to a value it doesn't hold")
        self.people, self.by_code = people, by_code
        self.changes = {int(o): _change(int(o), at, lines) for o, (at, lines) in state["changes"].items()}
        self.withdrawn = set(state["withdrawn"])
        self.active = Counter({str(k): int(v) for k, v in state["active"].items()})
        self.withdrawals = Counter({str(k): int(v) for k, v in state["withdrawals"].items()})
        self.agreed = defaultdict(Counter, {str(k): Counter({str(s): int(n) for s, n in v.items()})
                                            for k, v in state["agreed"].items()})
        self.audit_carriers = [int(o) for o in state["audit_carriers"]]
        self.unfinished = {int(o) for o in state["unfinished"]}

    def _read_code(self, offset: int) -> str | None:
        return self.read_code(offset)

    def _read_pseudonym(self, offset: int) -> str | None:
        return self.read_pseudonym(offset)

    def _statements(self, ids) -> tuple[str, ...]:
        """The statement ids of a line as a tuple, the same object for the same ids.

        Only strings count: anything else in a hand-edited line could not be counted
        (it used to stop the whole file being read).
        """
        value = tuple(s for s in ids if isinstance(s, str)) if isinstance(ids, list | tuple) else ()
        return self._shared.setdefault(value, value)

    def _withdrawn(self, pseudonym: str, survey_id: str) -> None:
        entry = self.entry(pseudonym, following=True)
        if entry is not None:  # its lines are blanked next (see Journal.erase_in_place)
            self.people.discard(entry.offset)
            self.changes.pop(entry.offset, None)
            self.active[entry.survey_id] -= 1
            self.agreed[entry.survey_id].subtract(entry.agreed)
            self.unfinished.update((entry.offset, *entry.changes))
        if pseudonym not in self.withdrawn:
            self.withdrawn.add(pseudonym)
            self.withdrawals[survey_id] += 1


def _change(given: int, at, lines) -> tuple[str, tuple[int, ...]]:
    """A change as kept in an index file: ``ValueError`` unless its lines come after the consent."""
    if given < 0 or not isinstance(at, str) or not isinstance(lines, list):
        raise ValueError("it holds a change that can't be")
    changes = tuple(lines)
    if not all(type(o) is int and o > given for o in changes):
        raise ValueError("it holds a change that can't be")
    return at, changes


def _nonzero(counts: Counter) -> dict:
    """The counts that aren't 0: an erasure in place counts a person out to 0, where a
    full reading never counted them in; the index file is the same either way."""
    return {key: n for key, n in counts.items() if n}
