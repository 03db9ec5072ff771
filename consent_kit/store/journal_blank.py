"""Erasure in place: a withdrawn person's lines are overwritten where they are.

A withdrawal used to rewrite three whole files (answers, consents, keys)
under their locks, so every Send waited for it: 3.5 s at 100,000 people,
47.5 s at a million (longer than a server's 30 s timeout). Now each of the
person's lines is overwritten, byte for byte, by a *blank* line of the same
length (:func:`consent_kit.store.lines.blank`, a line of a kind every reader
skips), the file is flushed, and a ``blanked`` line naming the offsets is
appended. A withdrawal costs what the person's own lines cost, however many
other people there are.

Offsets don't move, so every process's index stays right except for the
entries of the erased lines: each follower drops those when it reads the
records appended with the erasure (tombstones, a ``withdrawn`` line, the
``blanked`` line itself). The journal itself uses the ``blanked`` line to
forget damaged lines that were blanked and to know that bytes it already
checksummed have changed (see :class:`~consent_kit.store.journal.Journal`).

Crash safety: the blanks are flushed before anything says the erasure
happened. A crash part-way leaves some lines blank and no tombstone: the
withdrawal was never confirmed, the person's consent still stands, and
trying again erases the rest. A blank torn by a power cut is a damaged line,
skipped like any other; what is left of the person's answers in it is locked
with their key, which the withdrawal destroys last.

A process keeps what it read without the lock only while the file is the
same and has had no erasure in place (see ``Journal.ident``): each erasure
adds a byte to the journal's lock file first, so a key destroyed in place is
never given again from such a copy.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from consent_kit.store.base import StoreError
from consent_kit.store.files import FILE_MODE, remove_stale_temps
from consent_kit.store.index_file import crc_after_overwrite
from consent_kit.store.lines import blank

log = logging.getLogger(__name__)

#: The kind of line appended after an erasure in place, and its field listing the blanked offsets.
BLANKED = "blanked"
#: How such a line starts (``encode`` keeps the record's order): the journal spots it without decoding.
BLANKED_HEAD = b'{"kind":"blanked"'


class ErasingInPlace:
    """What :class:`~consent_kit.store.journal.Journal` does to erase lines in place (a mixin).

    Kept here, with the rest of erasure in place; it uses the journal's own state
    (``_offset``, ``_crc``, ``damaged``, its index file) as the journal's methods do.
    """

    def erase_in_place(self, offsets: Iterable[int], extra: list[dict]) -> list[int]:
        """Append ``extra`` (what is erased, and why), then overwrite the lines at ``offsets`` with blanks.

        The erasure of a few people's lines (a withdrawal): it costs what their lines
        cost, where :meth:`rewrite` copies the whole file (see :mod:`.journal_blank`).
        ``offsets`` must be where lines start (offsets the follower was given, or
        damaged lines'). In order, each step flushed before the next: ``extra``
        (tombstones, a ``withdrawn`` line: the follower drops the lines' entries and
        notes them as :attr:`unfinished <Follower>` until they are blank), the
        blanks, then a ``blanked`` line naming the offsets. A crash in between
        leaves a file whose follower names the lines still to blank; the store
        blanks them when it opens (:meth:`finish_erasures`). Call inside
        :meth:`locked`. Returns the offsets blanked.
        """
        self._require_lock()
        # With any lines an earlier erasure announced and could not blank (a disk error, a crash).
        offsets = {*offsets, *getattr(self._follower, "unfinished", ())}
        targets = sorted({o for o in offsets if isinstance(o, int) and 0 <= o < self._offset})
        remove_stale_temps(self.path)  # a crashed rewrite's copy may hold what is erased
        if self._index_file is not None and targets:
            self._index_file.remove()  # it names what is about to be erased
        for n, record in enumerate(extra):
            self.append(record, durable=n == len(extra) - 1)  # one flush covers them all
        try:
            lines = overwrite_lines(self.path, targets, self.raw_at, self.lock.path)
        except OSError as exc:
            self._rebuild()  # some lines may be blank already: read what is there
            raise StoreError.from_os_error(exc, what="the change") from exc
        blanked = [offset for offset, _ in lines]
        if blanked:
            gone = set(blanked)
            self.damaged = [d for d in self.damaged if d not in gone]
            if self._index_file is not None and self._crc is not None:
                for offset, old in lines:  # bytes it covered have changed: its CRC follows them
                    self._crc = crc_after_overwrite(self._crc, old, blank(len(old)),
                                                    self._offset - offset - len(old))
            self.append({"kind": BLANKED, BLANKED: blanked})
            if self._index_file is not None:
                self._save_index()  # the next start need not read the whole file again
        return blanked

    def damaged_mentioning(self, texts: list[str]) -> list[int]:
        """Where the damaged lines are that contain any of ``texts`` (call inside :meth:`locked`).

        Such a line goes with what it mentions: it may be recoverable by hand, but it
        could belong to an erased answer, a destroyed key or the withdrawn person.
        """
        needles = [text.encode("utf-8") for text in texts]
        return [offset for offset in self.damaged if any(n in self.raw_at(offset) for n in needles)]

    def finish_erasures(self) -> int:
        """Blank the lines an erasure in place announced and a crash kept it from blanking.

        Call when the store opens (any erasure finishes them too). The follower's
        ``unfinished`` (offsets) names them; a follower without one has nothing to
        finish. Returns how many lines were blanked.
        """
        with self.locked():
            unfinished = sorted(getattr(self._follower, "unfinished", ()))
            if not unfinished:
                return 0
            log.warning("Finishing an erasure that was cut off: blanking %d line(s) of %s",
                        len(unfinished), self.path.name)
            return len(self.erase_in_place(unfinished, []))

    def ident(self) -> tuple | None:
        """Which file this process has indexed, and how many erasures in place it had (call under the lock).

        For a copy of something read from the file, kept and used without the lock
        while :meth:`same_file` says nothing was erased since.
        """
        return None if self._ident is None else (self._ident, erasures(self.lock.path))

    def same_file(self, ident: tuple | None) -> bool:
        """Without the lock: whether the file is still the one ``ident`` (from :meth:`ident`) names, unerased.

        A rewrite replaces the file, so a different ``(st_dev, st_ino)``; an erasure in
        place adds a byte to the lock file (:mod:`.journal_blank`); appends change neither.
        Only the file this process has open counts: while it is open its number can't
        be reused by a new file (checked before and after the stats).
        """
        if ident is None or ident[0] != self._ident:
            return False
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        return ((st.st_dev, st.st_ino) == ident[0] and erasures(self.lock.path) == ident[1]
                and ident[0] == self._ident)

    def _saw_blanked(self, record: dict, start: int) -> None:
        """Another process erased lines in place (a ``blanked`` line, read while catching up)."""
        lines = record.get(BLANKED)
        gone = {o for o in lines if isinstance(o, int)} if isinstance(lines, list) else set()
        self.damaged = [d for d in self.damaged if d not in gone]
        if any(o < start for o in gone) and self._index_file is not None:
            self._crc = None  # lines this process had read (and checksummed) are blank now


def overwrite_lines(path: Path, offsets: list[int], raw_at: Callable[[int], bytes],
                    stamp: Path) -> list[tuple[int, bytes]]:
    """Overwrite the lines at ``offsets`` of ``path`` with blanks of the same length, flushed.

    ``raw_at(offset)`` gives a line's bytes. Returns each line overwritten, as
    ``(offset, its bytes before)`` (a line under 2 bytes can't be, and is left).
    ``stamp`` (the lock file) gets one more byte first: see the module docstring.
    """
    lines = [(offset, raw_at(offset)) for offset in offsets]
    lines = [(offset, raw) for offset, raw in lines if len(raw) >= 2]
    if not lines:
        return []
    count_erasure(stamp)
    # Not O_APPEND: on Linux, pwrite on such a descriptor appends, whatever the offset.
    fd = os.open(path, os.O_WRONLY)
    try:
        for offset, raw in lines:
            _pwrite_all(fd, blank(len(raw)), offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    return lines


def count_erasure(stamp: Path) -> None:
    """Add one byte to ``stamp``: its size is how many erasures in place the journal has had."""
    fd = os.open(stamp, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        os.write(fd, b"\n")
    finally:
        os.close(fd)


def erasures(stamp: Path) -> int | None:
    """How many erasures in place ``stamp`` counts (``None`` if it can't be read)."""
    try:
        return os.stat(stamp).st_size
    except OSError:
        return None


def _pwrite_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written
