"""The embedded store's :class:`~consent_kit.store.crypto.KeyStorage`: ``keys.jsonl``.

One line per wrapped data key: ``{"kind": "key", "name": ..., "key": <base64>, "made": <hour>}``
(``made``: epoch seconds rounded down to the hour, so unused keys can be swept),
appended and fsync'd when the key is made (a key must be on disk before
anything sealed with it is acknowledged). Destroying keys overwrites their
lines in place with blank lines of the same length, flushed (see
:meth:`Journal.erase_in_place`), so a destroyed key's bytes are in no current
file, not even as a damaged line. Lines carry the journal's checksum, so a
torn or damaged line is skipped, never half-read.

Each process keeps name -> byte offset (not the keys themselves) and catches up
on other processes' lines under the lock, like the response index.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from consent_kit.store.index_file import IndexFile
from consent_kit.store.journal import Journal
from consent_kit.store.journal_blank import BLANKED
from consent_kit.store.offset_table import OffsetTable
from consent_kit.store.response_index import id_hash
from consent_kit.store.sealing import ANSWERS_KEY

log = logging.getLogger(__name__)

KEY = "key"
#: Wrapped keys a process keeps after reading them (about 150 bytes each).
SEEN_KEYS = 20_000


class KeyIndex:
    """Name -> offset of its line in ``keys.jsonl``; fed by the journal.

    Names are kept as 64-bit hashes beside offsets in flat arrays (an
    :class:`OffsetTable`, 24 to 48 bytes a key instead of about 170 with the
    name): a name found is checked against its line (``read_name``). Keys of
    answers sent without a pseudonym (``response:<id>``) are also kept by the
    hash of their answers' id, so the keys of erased answers can be found.
    """

    def __init__(self, read_name=None) -> None:
        #: The name on the line at an offset (None if unreadable), to check a name found by its hash.
        self.read_name = read_name or (lambda offset: None)
        self.reset()

    def reset(self) -> None:
        """Forget everything before a replay from the start of the file."""
        self.offsets = OffsetTable(self._read_name)
        self.of_answers: dict[str, int] = {}  # id_hash of answers sent without a pseudonym -> offset

    def apply(self, record: dict, offset: int) -> None:
        """Index one line; the first line for a name wins (later ones can't be written)."""
        name, kind = record.get("name"), record.get("kind")
        if kind == KEY and isinstance(name, str):
            if self.offsets.add_new(name, offset) and name.startswith(ANSWERS_KEY):
                self.of_answers[id_hash(name[len(ANSWERS_KEY):])] = offset
        elif kind == BLANKED:
            self.forget(record.get(BLANKED))

    def forget(self, lines) -> None:
        """Drop the keys whose lines (at these offsets) were destroyed in place.

        Each found by a search of the offsets (C speed, about 10 ms at a million):
        the line says where, never whose.
        """
        gone = {o for o in lines if isinstance(o, int)} if isinstance(lines, list) else set()
        for offset in gone:
            self.offsets.discard(offset)
        if gone & set(self.of_answers.values()):
            self.of_answers = {h: o for h, o in self.of_answers.items() if o not in gone}

    def snapshot(self) -> list[bytes]:
        """The index as byte strings (see index_file): the table's columns, then the answers' keys."""
        return [column.tobytes() for column in self.offsets.columns()] + [
            orjson.dumps(self.of_answers, option=orjson.OPT_SORT_KEYS)]

    def restore(self, parts: list[bytes]) -> None:
        """Take the index back from :meth:`snapshot`'s bytes; ``ValueError`` if they don't fit."""
        *columns, of_answers = parts
        table = OffsetTable.from_columns(self._read_name, *columns)
        found = orjson.loads(of_answers)
        if not isinstance(found, dict) or not all(type(o) is int for o in found.values()):
            raise ValueError("its keys of answers are not offsets")
        self.offsets, self.of_answers = table, found

    def _read_name(self, offset: int) -> str | None:
        return self.read_name(offset)


class KeyFile:
    """Wrapped data keys in one journal file (a KeyStorage)."""

    def __init__(self, path: Path):
        self.index = KeyIndex(self._name_at)
        self.journal = Journal(path, self.index, what="your answers", index_file=IndexFile(path))
        self._local = threading.local()  # this thread's deferred flush, see deferred()
        # Wrapped keys already read, valid while keys.jsonl is the same file (see load).
        self._seen: tuple[tuple | None, dict[str, bytes]] = (None, {})

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Keys this thread adds inside are not flushed at once: :meth:`flush_deferred` does it.

        For "Send" (group commit, see ``submissions``): a new participant's key
        line is flushed with the others waiting, before the answers' line, so
        the key is on disk before anything sealed with it is acknowledged.
        """
        self._local.defer = True
        try:
            yield
        finally:
            self._local.defer = False

    def flush_deferred(self) -> None:
        """Flush the key lines this thread added inside :meth:`deferred` (call without locks)."""
        point, self._local.point = getattr(self._local, "point", None), None
        if point is not None:
            self.journal.flush(point)

    def load(self, name: str) -> bytes | None:
        """The wrapped key of ``name``, or ``None``.

        A key already read is given again without the lock while ``keys.jsonl`` is
        still the same file and has had no erasure in place (two ``stat`` calls, see
        :meth:`Journal.same_file`): otherwise lines are only ever added to it, so a
        destroyed key is never given again. A "Send" needs the same key three times
        (its draft, consent and answers); each locked read took about 28 µs here.
        """
        ident, seen = self._seen
        if name in seen and self.journal.same_file(ident):
            return seen[name]
        with self.journal.locked() as journal:
            wrapped = self._load(name)
            self._remember(journal.ident(), name, wrapped)
            return wrapped

    def _remember(self, ident: tuple | None, name: str, wrapped: bytes | None) -> None:
        """Keep ``name``'s wrapped key as read from the file ``ident`` (call under the lock)."""
        kept_for, seen = self._seen
        if kept_for != ident or len(seen) >= SEEN_KEYS:
            seen = {}  # another file (keys were destroyed), or full: start again
        if wrapped is not None:
            seen[name] = wrapped
        self._seen = (ident, seen)

    def load_many(self, names: Iterable[str]) -> dict[str, bytes]:
        """The wrapped keys of those ``names`` that have one, under one lock (for exports)."""
        with self.journal.locked():
            found = {name: self._load(name) for name in names}
        return {name: wrapped for name, wrapped in found.items() if wrapped is not None}

    def add(self, name: str, wrapped: bytes) -> bytes:
        """Keep ``wrapped`` under ``name`` (fsync'd) unless one is kept; return the kept one."""
        with self.journal.locked() as journal:
            kept = self._load(name)
            if kept is not None:
                self._remember(journal.ident(), name, kept)
                return kept
            defer = getattr(self._local, "defer", False)
            line = {"kind": KEY, "name": name, "key": base64.b64encode(wrapped).decode("ascii"),
                    "made": int(time.time()) // 3600 * 3600}
            journal.append(line, durable=not defer)
            self._remember(journal.ident(), name, wrapped)  # only once it is in the file
            if defer:
                self._local.point = journal.end()
            return wrapped

    def delete(self, names: Iterable[str]) -> int:
        """Overwrite the lines of ``names`` in place (flushed); return how many keys went."""
        wanted = {n for n in names if isinstance(n, str) and n}
        with self.journal.locked() as journal:
            self._seen = (None, {})
            present = [offset for name in wanted if (offset := self.index.offsets.get(name)) is not None]
            # A damaged line may still hold most of a key: it goes if it could be one of these.
            damaged = journal.damaged_mentioning(list(wanted))
            if present or damaged:
                journal.erase_in_place(present + damaged, [])
        return len(present)

    def has(self, name: str) -> bool:
        """Whether ``name`` has a kept key (call under the lock)."""
        return name in self.index.offsets

    def names_unless(self, *held: OffsetTable) -> list[str]:
        """The names of kept keys whose hash no table of ``held`` has (call under the lock).

        Keys of answers sent without a pseudonym are left out (their lines are
        not read). One pass over the hashes (about 0.3 s at a million keys):
        for the sweep of unused keys, every ten minutes. A name whose hash
        another name shares counts as held, so its key is kept (never destroyed
        by mistake).
        """
        answers = set(self.index.of_answers.values())
        found = sorted(o for o in self.index.offsets.offsets_not_in(*held) if o not in answers)
        return [name for name in map(self._name_at, found) if name is not None]

    def of_erased_answers(self, erased: set[str]) -> list[str]:
        """The names of kept keys of answers sent without a pseudonym whose id hash is in ``erased``."""
        with self.journal.locked():
            found = [self.index.of_answers[h] for h in erased & self.index.of_answers.keys()]
            return [name for name in map(self._name_at, found) if name is not None]

    def made_before(self, names: Iterable[str], when: float) -> list[str]:
        """Those ``names`` whose key was made before ``when`` (keys from before ``made`` existed count)."""
        with self.journal.locked():
            lines = {n: self._line_of(n) for n in names}
        return [n for n, line in lines.items() if line is not None and line.get("made", 0) < when]

    def close(self) -> None:
        """Close the file."""
        self.journal.close()

    def _load(self, name: str) -> bytes | None:
        record = self._line_of(name)
        if record is None:
            return None  # never made, or destroyed
        try:
            return base64.b64decode(str(record["key"]), validate=True)
        except (KeyError, binascii.Error, ValueError):
            log.warning("A line of %s could not be read", self.journal.path.name)
            return None

    def _name_at(self, offset: int) -> str | None:
        return self.journal.text_at(offset, "name")

    def _line_of(self, name: str) -> dict | None:
        """The key line of ``name`` (under the lock): never one person's key for another's."""
        return self.journal.read_checked(lambda: self.index.offsets.get(name), "name", name)
