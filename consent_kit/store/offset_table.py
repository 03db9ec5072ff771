"""Submission id (or pseudonym) -> journal offset in flat arrays: about 27 bytes an entry instead of 170.

A million answers in a ``dict`` of id strings cost each server process about
170 MB (the string, the int and the slot). This table keeps a 64-bit hash of
each id and its offset in two ``array`` columns (open addressing, linear
probing, 47% to 70% full), and can be written to and read from a file as
plain bytes (see :mod:`consent_kit.store.index_file`).

A hash is not the id: when a hash is found, the id stored at that offset is
read back (``read_id``) and compared, so two ids that share a hash are still
told apart. That read happens only for an id that is (or looks) already
stored: a retried submission, or a lookup of a stored answer.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable
from itertools import repeat

_EMPTY = 0
_MIN_SLOTS = 1 << 10
_MAX_FILL = 0.7
#: Offsets are kept in 4 bytes while the file is under 4 GiB (a million people's answers are
#: about 0.4 GiB), then in 8: 6 MB less a million entries in every table.
_SMALL, _LARGE = "I", "q"
_SMALL_LIMIT = 1 << 32


class WrongLine(LookupError):
    """An entry points at a line whose id has another hash: the index is wrong, not the file.

    Two ids whose hashes are equal are told apart by reading their lines; a line
    whose id hashes to something else can only be there because the index (a
    damaged or hand-made index file, or a bug) is wrong. The journal then reads
    the whole file again (see :meth:`Journal.read_checked`).
    """


def id_key(response_id: str) -> int:
    """The id's 64-bit hash (never 0, which marks an empty slot); the same in every process."""
    digest = hashlib.blake2b(response_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1


class OffsetTable:
    """A mapping of submission ids to offsets that keeps no id in memory.

    Offers what the indexes use of a ``dict``: ``in``, ``get``, ``[]`` and
    ``len``. An entry is removed by its offset (:meth:`discard`), when its
    line is erased in place; an erasure that rewrites the journal builds the
    table again. The same table keys people by pseudonym (their consent, key
    or answers line); ``with_values=True`` gives each entry a number beside
    its offset (:meth:`value`, :meth:`set_value`), such as which survey and
    choices a consent has.
    """

    def __init__(self, read_id: Callable[[int], str | None], slots: int = _MIN_SLOTS, *,
                 with_values: bool = False):
        self.read_id = read_id  # the id of the line at an offset (None if unreadable)
        self._keys = array("Q", bytes(8 * slots))
        self._offsets = array(_SMALL, bytes(4 * slots))
        self._values = array("i", bytes(4 * slots)) if with_values else None  # small numbers
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, response_id: object) -> bool:
        return isinstance(response_id, str) and self._find_slot(response_id) is not None

    def __getitem__(self, response_id: str) -> int:
        offset = self.get(response_id)
        if offset is None:
            raise KeyError(response_id)
        return offset

    def get(self, response_id: str, default: int | None = None) -> int | None:
        """The offset of ``response_id``'s line, or ``default``."""
        slot = self._find_slot(response_id)
        return default if slot is None else self._offsets[slot]

    def value(self, response_id: str, *, or_unreadable: bool = False) -> tuple[int, int] | None:
        """``(offset, number)`` of ``response_id`` in a table ``with_values``, or ``None``.

        ``or_unreadable``: if no line with this hash is ``response_id``'s, take
        one that can't be read (blanked by an erasure this process hasn't
        caught up with yet): for a follower reading the lines that come before
        that erasure's own ``blanked`` line.
        """
        slot = self._find_slot(response_id, or_unreadable)
        return None if slot is None else (self._offsets[slot], self._values[slot])

    def set_value(self, response_id: str, number: int, *, or_unreadable: bool = False) -> bool:
        """Give ``response_id``'s entry this ``number``; return whether there is one (see :meth:`value`)."""
        slot = self._find_slot(response_id, or_unreadable)
        if slot is not None:
            self._values[slot] = number
        return slot is not None

    def move(self, offset: int, to: int) -> bool:
        """Let the entry at ``offset`` point at ``to`` instead (a later line with the same id).

        Taken out and put back, as if added now: where two ids' hashes share
        slots, the table is then laid out as a reading of the file would lay it
        out in most cases (it finds the same entries either way).
        """
        slot = self._slot_of(offset)
        if slot is None:
            return False
        key, number = self._keys[slot], 0 if self._values is None else self._values[slot]
        self.discard(offset)
        self.add_hash(key, to, number)
        return True

    def offsets_not_in(self, *others: OffsetTable) -> list[int]:
        """The offsets of entries whose id's hash none of ``others`` holds, in no particular order.

        One pass with the lookups inlined (about 0.3 s a million entries, and no
        set of them made): keyed by the same ids (pseudonyms), two tables are
        compared without reading a line. An id whose hash another id shares
        counts as held.
        """
        probes = [(other._keys, len(other._keys)) for other in others]
        found = []
        for key, offset in zip(self._keys, self._offsets, strict=True):
            if key == _EMPTY:
                continue
            for keys, size in probes:
                slot = key % size
                while (held := keys[slot]) != _EMPTY and held != key:
                    slot = (slot + 1) % size
                if held == key:
                    break
            else:
                found.append(offset)
        return found

    def add(self, response_id: str, offset: int, number: int = 0) -> None:
        """Record ``response_id`` at ``offset`` (the caller has checked it is new)."""
        self.add_hash(id_key(response_id), offset, number)

    def add_hash(self, key: int, offset: int, number: int = 0) -> None:
        """Record the id whose hash is ``key`` at ``offset`` (the caller has checked it is new)."""
        if (self._count + 1) > _MAX_FILL * len(self._keys):
            self._grow()
        slot = self._free_slot(key)
        self._fill(slot, key, offset, number)

    def add_new(self, response_id: str, offset: int, number: int = 0) -> bool:
        """Record ``response_id`` at ``offset`` unless it is there already; return whether it was added.

        ``id in table`` then :meth:`add` in one: one hash and one walk along
        the slots (rebuilding the index of a million answers does this a
        million times).
        """
        return self.held_or_added(response_id, offset, number) is None

    def held_or_added(self, response_id: str, offset: int, number: int = 0) -> int | None:
        """The offset ``response_id`` already has, or ``None`` once it is recorded at ``offset``."""
        if (self._count + 1) > _MAX_FILL * len(self._keys):
            self._grow()
        key = id_key(response_id)
        keys, offsets, size = self._keys, self._offsets, len(self._keys)
        slot = key % size
        while (found := keys[slot]) != _EMPTY:
            if found == key:
                held = self.read_id(offsets[slot])
                if held == response_id:
                    return offsets[slot]
                if held is not None and id_key(held) != key:
                    raise WrongLine(offsets[slot])
            slot = (slot + 1) % size
        self._fill(slot, key, offset, number)
        return None

    def _fill(self, slot: int, key: int, offset: int, number: int) -> None:
        if offset >= _SMALL_LIMIT and self._offsets.typecode == _SMALL:
            self._offsets = array(_LARGE, self._offsets)  # the file has grown past 4 GiB
        self._keys[slot] = key
        self._offsets[slot] = offset
        if self._values is not None:
            self._values[slot] = number
        self._count += 1

    def discard(self, offset: int) -> bool:
        """Forget the entry whose line starts at ``offset``; return whether there was one.

        Found by a search of the offsets (C speed, about a millisecond per 100,000
        entries): erasures are rare, and it needs neither the id nor its hash.
        """
        slot = self._slot_of(offset)
        if slot is None:
            return False
        self._empty(slot)
        self._count -= 1
        return True

    def _slot_of(self, offset: int) -> int | None:
        keys, offsets, start = self._keys, self._offsets, 0
        while True:
            try:
                slot = offsets.index(offset, start)
            except ValueError:
                return None
            if keys[slot] != _EMPTY:  # an empty slot's offset is 0 too
                return slot
            start = slot + 1

    def _empty(self, slot: int) -> None:
        """Empty ``slot``, moving back later entries of its run so every lookup still finds them."""
        keys, offsets, values, size = self._keys, self._offsets, self._values, len(self._keys)
        hole, probe = slot, (slot + 1) % size
        while (key := keys[probe]) != _EMPTY:
            # The entry may fill the hole if the hole lies between its home slot and where it is.
            if (probe - (key % size)) % size >= (probe - hole) % size:
                keys[hole], offsets[hole] = key, offsets[probe]
                if values is not None:
                    values[hole] = values[probe]
                hole = probe
            probe = (probe + 1) % size
        keys[hole], offsets[hole] = _EMPTY, 0
        if values is not None:
            values[hole] = 0

    def _find_slot(self, response_id: str, or_unreadable: bool = False) -> int | None:
        key = id_key(response_id)
        keys, offsets, size = self._keys, self._offsets, len(self._keys)
        slot, unreadable = key % size, None
        while (found := keys[slot]) != _EMPTY:
            if found == key:
                held = self.read_id(offsets[slot])
                if held == response_id:
                    return slot
                if held is None:
                    if or_unreadable and unreadable is None:
                        unreadable = slot
                elif id_key(held) != key:
                    raise WrongLine(offsets[slot])
            slot = (slot + 1) % size
        return unreadable

    def _free_slot(self, key: int) -> int:
        keys, size = self._keys, len(self._keys)
        slot = key % size
        while keys[slot] != _EMPTY:
            slot = (slot + 1) % size
        return slot

    def _grow(self) -> None:
        numbers = repeat(0) if self._values is None else self._values
        old = zip(self._keys, self._offsets, numbers, strict=False)
        slots = len(self._keys) * 3 // 2 + 1  # a half more: tables stay 47% to 70% full
        keys, size = array("Q", bytes(8 * slots)), slots
        offsets = array(self._offsets.typecode, bytes(self._offsets.itemsize * slots))
        values = array("i", bytes(4 * slots))
        for key, offset, number in old:  # _free_slot, inlined: this loop runs for every id at each doubling
            if key != _EMPTY:
                slot = key % size
                while keys[slot] != _EMPTY:
                    slot = (slot + 1) % size
                keys[slot] = key
                offsets[slot] = offset
                values[slot] = number
        self._keys, self._offsets = keys, offsets
        if self._values is not None:
            self._values = values

    # -- as bytes, for the index file ----------------------------------------------

    def columns(self) -> list[array]:
        """The arrays (hashes, offsets, and numbers if kept), slot by slot, to write as bytes."""
        return [self._keys, self._offsets] + ([self._values] if self._values is not None else [])

    @classmethod
    def from_columns(cls, read_id: Callable[[int], str | None], *columns: bytes,
                     with_values: bool = False) -> OffsetTable:
        """A table from :meth:`columns`' bytes; ``ValueError`` if they don't fit together."""
        table = cls(read_id, slots=1, with_values=with_values)
        if len(columns) != len(table.columns()):
            raise ValueError("the index file holds another kind of table")
        # Offsets in 4 bytes or in 8 (see _SMALL): told by the column's length beside the hashes'.
        table._offsets = array(_SMALL if len(columns[1]) * 2 == len(columns[0]) else _LARGE)
        for column, data in zip(table.columns(), columns, strict=True):
            del column[:]
            column.frombytes(data)
        slots = len(table._keys)
        table._count = slots - table._keys.count(_EMPTY)
        if (slots < 1 or len(table._offsets) != slots
                or table._count > _MAX_FILL * slots or min(table._offsets) < 0
                or (table._values is not None and len(table._values) != slots)):
            raise ValueError("the index file's columns don't fit together")
        return table
