"""Submission id -> journal offset in flat arrays: 40 bytes an answer instead of about 170.

A million answers in a ``dict`` of id strings cost each server process about
170 MB (the string, the int and the slot). This table keeps a 64-bit hash of
each id and its offset in two ``array`` columns (open addressing, linear
probing, at most 70% full) plus the offsets in file order, and can be written
to and read from a file as plain bytes (see :mod:`consent_kit.store.index_file`).

A hash is not the id: when a hash is found, the id stored at that offset is
read back (``read_id``) and compared, so two ids that share a hash are still
told apart. That read happens only for an id that is (or looks) already
stored: a retried submission, or a lookup of a stored answer.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator

_EMPTY = 0
_MIN_SLOTS = 1 << 10
_MAX_FILL = 0.7


def id_key(response_id: str) -> int:
    """The id's 64-bit hash (never 0, which marks an empty slot); the same in every process."""
    digest = hashlib.blake2b(response_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1


class OffsetTable:
    """A mapping of submission ids to offsets that keeps no id in memory.

    Offers what the response index uses of a ``dict``: ``in``, ``get``, ``[]``,
    ``len`` and ``values()`` (offsets in the order they were added, which is
    the file's order). An entry is removed by its offset (:meth:`discard`),
    when its line is erased in place; an erasure that rewrites the journal
    builds the table again.
    """

    def __init__(self, read_id: Callable[[int], str | None], slots: int = _MIN_SLOTS):
        self.read_id = read_id  # the id of the line at an offset (None if unreadable)
        self._keys = array("Q", bytes(8 * slots))
        self._offsets = array("q", bytes(8 * slots))
        self._order = array("q")

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, response_id: object) -> bool:
        return isinstance(response_id, str) and self._find(response_id) is not None

    def __getitem__(self, response_id: str) -> int:
        offset = self._find(response_id)
        if offset is None:
            raise KeyError(response_id)
        return offset

    def get(self, response_id: str, default: int | None = None) -> int | None:
        """The offset of ``response_id``'s line, or ``default``."""
        offset = self._find(response_id)
        return default if offset is None else offset

    def values(self) -> array:
        """Every offset, in the order added (the journal's order)."""
        return self._order

    def add(self, response_id: str, offset: int) -> None:
        """Record ``response_id`` at ``offset`` (the caller has checked it is new)."""
        if (len(self._order) + 1) > _MAX_FILL * len(self._keys):
            self._grow()
        self._put(id_key(response_id), offset)
        self._order.append(offset)

    def add_new(self, response_id: str, offset: int) -> bool:
        """Record ``response_id`` at ``offset`` unless it is there already; return whether it was added.

        ``id in table`` then :meth:`add` in one: one hash and one walk along
        the slots (rebuilding the index of a million answers does this a
        million times).
        """
        if (len(self._order) + 1) > _MAX_FILL * len(self._keys):
            self._grow()
        key = id_key(response_id)
        keys, offsets, mask = self._keys, self._offsets, len(self._keys) - 1
        slot = key & mask
        while (found := keys[slot]) != _EMPTY:
            if found == key and self.read_id(offsets[slot]) == response_id:
                return False
            slot = (slot + 1) & mask
        keys[slot] = key
        offsets[slot] = offset
        self._order.append(offset)
        return True

    def discard(self, offset: int) -> bool:
        """Forget the entry whose line starts at ``offset``; return whether there was one.

        Found by a search of the offsets (C speed, about a millisecond per 100,000
        entries): erasures are rare, and it needs neither the id nor its hash.
        """
        slot = self._slot_of(offset)
        if slot is None:
            return False
        self._order.remove(offset)
        self._empty(slot)
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
        keys, offsets, mask = self._keys, self._offsets, len(self._keys) - 1
        hole, probe = slot, (slot + 1) & mask
        while (key := keys[probe]) != _EMPTY:
            # The entry may fill the hole if the hole lies between its home slot and where it is.
            if (probe - (key & mask)) & mask >= (probe - hole) & mask:
                keys[hole], offsets[hole] = key, offsets[probe]
                hole = probe
            probe = (probe + 1) & mask
        keys[hole], offsets[hole] = _EMPTY, 0

    def _find(self, response_id: str) -> int | None:
        for offset in self._candidates(id_key(response_id)):
            if self.read_id(offset) == response_id:
                return offset
        return None

    def _candidates(self, key: int) -> Iterator[int]:
        keys, mask = self._keys, len(self._keys) - 1
        slot = key & mask
        while (found := keys[slot]) != _EMPTY:
            if found == key:
                yield self._offsets[slot]
            slot = (slot + 1) & mask

    def _put(self, key: int, offset: int) -> None:
        keys, mask = self._keys, len(self._keys) - 1
        slot = key & mask
        while keys[slot] != _EMPTY:
            slot = (slot + 1) & mask
        keys[slot] = key
        self._offsets[slot] = offset

    def _grow(self) -> None:
        old = zip(self._keys, self._offsets, strict=True)
        slots = len(self._keys) * 2
        keys, offsets, mask = array("Q", bytes(8 * slots)), array("q", bytes(8 * slots)), slots - 1
        for key, offset in old:  # _put, inlined: this loop runs for every id at each doubling
            if key != _EMPTY:
                slot = key & mask
                while keys[slot] != _EMPTY:
                    slot = (slot + 1) & mask
                keys[slot] = key
                offsets[slot] = offset
        self._keys, self._offsets = keys, offsets

    # -- as bytes, for the index file ----------------------------------------------

    def columns(self) -> tuple[array, array, array]:
        """The three arrays (hashes, offsets by slot, offsets in order), to write as bytes."""
        return self._keys, self._offsets, self._order

    @classmethod
    def from_columns(cls, read_id: Callable[[int], str | None], keys: bytes, offsets: bytes,
                     order: bytes) -> OffsetTable:
        """A table from :meth:`columns`' bytes; ``ValueError`` if they don't fit together."""
        table = cls(read_id, slots=1)
        table._keys, table._offsets, table._order = array("Q"), array("q"), array("q")
        table._keys.frombytes(keys)
        table._offsets.frombytes(offsets)
        table._order.frombytes(order)
        slots = len(table._keys)
        if (slots < 1 or slots & (slots - 1) or len(table._offsets) != slots
                or len(table._order) > _MAX_FILL * slots
                or slots - table._keys.count(_EMPTY) != len(table._order)):
            raise ValueError("the index file's columns don't fit together")
        return table
