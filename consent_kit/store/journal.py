"""An append-only JSON-lines journal that several processes can share safely.

One record is one line, written with a single ``O_APPEND`` write and fsync'd
before :meth:`Journal.append` returns. Appending costs the same whatever the
file size: nothing is rewritten and nothing already read is read again.

What the journal *means* lives in a :class:`Follower` (for example the
response index, or the last hash of an audit chain). The journal feeds it
every record exactly once per process, including records other processes
appended, and tells it to start over when the file was replaced.

Crash safety: a process killed mid-write can leave a partial last line. It was
never acknowledged, so readers skip it (with a warning) and the next append
cuts it off before writing: under the lock no live writer can be half-way
through a line, so such bytes are dead. Reads never change the file, so a
read-only export cannot destroy anything, even by mistake.

Each line ends with a checksum of the rest (``,"~":"<crc32>"}``), so a line
damaged on disk (a flipped bit, a block of zeros, a hand edit) is detected
and skipped even when it is still valid JSON. Lines written before checksums
existed have none and load as before.

A follower may be kept on disk (an :class:`~consent_kit.store.index_file.IndexFile`,
``index_file=``): when the journal is opened, it is restored from that file if
the file matches the journal's first bytes exactly, and only later lines are
read. The journal keeps the CRC-32 of every byte it has read or written, and
saves the follower again after :data:`SAVE_EVERY` lines.

Erasure: :meth:`Journal.rewrite` copies the file without some lines (many of
them: removing sample answers); :meth:`~.journal_blank.ErasingInPlace.erase_in_place`
overwrites a few lines where they are (a withdrawal), so its cost doesn't grow
with the file (:mod:`.journal_blank`).
"""

from __future__ import annotations

import logging
import os
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from consent_kit.store.base import StoreError
from consent_kit.store.files import FILE_MODE, FileLock, fsync_dir, remove_stale_temps, write_all
from consent_kit.store.index_file import journal_crc
from consent_kit.store.journal_blank import BLANKED_HEAD, ErasingInPlace
from consent_kit.store.journal_repair import Repairing
from consent_kit.store.journal_rewrite import Rewritten, open_written, write_new
from consent_kit.store.lines import SUM_KEY, checksum_ok, complete_blocks, decode, encode, line_at
from consent_kit.store.lines import loads as _loads  # noqa: F401 - crypto.py takes it from here
from consent_kit.store.offset_table import WrongLine

__all__ = ["SUM_KEY", "Follower", "Journal", "checksum_ok", "decode", "encode"]

log = logging.getLogger(__name__)

_TRY_AGAIN = "We couldn't find {what} just now. Nothing you saved is lost: please try again."

#: Lines read or written since the follower was last kept on disk before it is kept again
#: (a save of a million answers' index takes about 0.1 s; reading 20,000 lines about 0.2 s).
SAVE_EVERY = 20_000
#: A journal this big read without its index file is said in the log (about 1 s of reading).
SAY_WHEN_READING = 100_000_000


class Follower(Protocol):
    """Builds in-memory state from a journal's records."""

    def reset(self) -> None:
        """Forget everything: the journal will be replayed from the start."""

    def apply(self, record: dict, offset: int) -> None:
        """Take in one record, which starts at byte ``offset`` of the file."""

    # Optional: ``reads``, a tuple of the only top-level fields ``apply`` takes from a record (its
    # records are then decoded a third faster, see ``lines.loads_reading``); without it, all of them.


class Journal(Repairing, ErasingInPlace):
    """A JSON-lines file plus a lock file, followed by one :class:`Follower`."""

    def __init__(self, path: Path, follower: Follower, *, what: str = "your answers",
                 checksums: bool = True, index_file=None):
        self.path = Path(path)
        # The audit log goes without: its hash chain already checks every line.
        self._checksums = checksums
        self.lock = FileLock(self.path.with_suffix(".lock"))
        self._follower = follower
        self._reads: tuple[str, ...] | None = getattr(follower, "reads", None)
        # While a rewrite feeds the follower the new file, its reads of a line (raw_at) go there.
        self._reading: int | None = None
        self._what = what  # how error messages name what failed to save
        self._fd: int | None = None
        self._ident: tuple[int, int] | None = None
        self._offset = 0  # bytes of complete lines already given to the follower
        # The follower kept on disk (None: rebuilt from the journal at every start).
        self._index_file = index_file
        # CRC-32 of the first _offset bytes (only with an index file); None: to be read again
        # (another process erased lines in place, see _saw_blanked)
        self._crc: int | None = 0
        self._unsaved = 0  # lines given to the follower since it was last kept on disk
        self._torn_warned: tuple | None = None
        self.damaged: list[int] = []  # offsets of complete lines that failed to decode
        # Group commit (see flush): how far this file is known to be on disk.
        self._sync_lock = threading.Lock()
        self._synced: tuple[tuple[int, int] | None, int] = (None, 0)

    @contextmanager
    def locked(self) -> Iterator[Journal]:
        """Hold the lock with the follower caught up on every complete line.

        Inside the block the file cannot change except through this object.
        """
        with self.lock.hold():
            try:
                self._catch_up()
            except WrongLine:
                self._distrust()  # reads the whole file again
            except OSError as exc:
                raise StoreError.from_os_error(exc, what=self._what) from exc
            try:
                yield self
            except WrongLine as exc:  # found by a lookup: set right for the next try
                self._distrust()
                raise StoreError(_TRY_AGAIN.format(what=self._what)) from exc

    def append(self, record: dict, *, durable: bool = True) -> int:
        """Write ``record`` durably and feed it to the follower; return its offset.

        Call inside :meth:`locked`. On failure nothing of the record is left in
        the file and :class:`StoreError` is raised. ``durable=False`` skips the
        flush to disk: only for a record that another, flushed record carries
        a copy of, so a power cut that loses it can be repaired (see
        :mod:`consent_kit.store.submissions`). A ``kill -9`` never loses it.
        """
        self._require_lock()
        data = encode(record, checksum=self._checksums)
        start = self._offset
        try:
            self._cut_torn_tail()
            write_all(self._fd, data)
            if durable:
                os.fsync(self._fd)
        except OSError as exc:
            self._undo_append(start, exc)
            raise StoreError.from_os_error(exc, what=self._what) from exc
        self._offset = start + len(data)
        self._follower.apply(record, start)
        if self._index_file is not None:
            if self._crc is not None:
                self._crc = zlib.crc32(data, self._crc)
            self._unsaved += 1
            self._maybe_save()
        return start

    def end(self) -> tuple[tuple[int, int] | None, int]:
        """Which file and how many bytes of it this process has written or read (call under the lock).

        Pass it to :meth:`flush` after releasing the lock.
        """
        self._require_lock()
        return self._ident, self._offset

    def flush(self, point: tuple[tuple[int, int] | None, int]) -> None:
        """Make the file durable up to ``point`` (from :meth:`end`); call *without* the lock.

        Group commit: appends made with ``durable=False`` are flushed here,
        outside the lock, so the lock is never held while the disk works, and
        one fsync serves every thread that waits for it meanwhile. If the file
        was replaced since (an erasure's rewrite), the rewrite flushed every
        line it kept, so there is nothing left to do.
        """
        ident, upto = point
        with self._sync_lock:
            if self._synced[0] == ident and self._synced[1] >= upto:
                return  # another thread's flush covered these bytes
            try:
                fd = os.open(self.path, os.O_RDONLY)
            except FileNotFoundError:
                return
            try:
                st = os.fstat(fd)
                if (st.st_dev, st.st_ino) != ident:
                    return
                os.fsync(fd)  # everything up to st_size (at least) is on disk now
            except OSError as exc:
                log.error("Flushing %s failed: %s", self.path.name, exc)
                raise StoreError.from_os_error(exc, what=self._what) from exc
            finally:
                os.close(fd)
            self._synced = (ident, st.st_size)

    def read_at(self, offset: int) -> dict | None:
        """Return the record starting at ``offset`` (an offset the follower was given)."""
        return decode(self.raw_at(offset), where=self.path.name)

    def text_at(self, offset: int, field: str) -> str | None:
        """The text in ``field`` of the line at ``offset``, or ``None`` (call under the lock).

        How an index checks that an entry found by a name's hash is that name's line.
        """
        value = (self.read_at(offset) or {}).get(field)
        return value if isinstance(value, str) else None

    def raw_at(self, offset: int) -> bytes:
        """The bytes of the line starting at ``offset``, without its newline (call under the lock)."""
        self._require_lock()
        return line_at(self._fd if self._reading is None else self._reading, offset)

    def records_at(self, offsets: Iterable[int]) -> Iterator[tuple[int, dict]]:
        """Yield ``(offset, record)`` for the lines at ``offsets`` (the follower's), like :meth:`records`.

        For a few lines of a long file (one survey's answers among many): read
        where they are through a descriptor of its own, without the lock. A line
        blanked by an erasure meanwhile reads as a blank (readers skip those).
        """
        with self.locked():
            fd = os.open(self.path, os.O_RDONLY)
        try:
            for offset in offsets:
                record = decode(line_at(fd, offset), where=self.path.name)
                if record is not None:
                    yield offset, record
        finally:
            os.close(fd)

    def records(self) -> Iterator[tuple[int, dict]]:
        """Yield ``(offset, record)`` for every complete line, streaming.

        The end point is fixed under the lock when iteration starts; the lock is
        then released, so a long export never blocks submissions. The file is
        read through its own descriptor, which keeps seeing the same data even
        if an erasure replaces the file meanwhile.
        """
        with self.locked():
            fd = os.open(self.path, os.O_RDONLY)
            end = self._offset
        with os.fdopen(fd, "rb", buffering=1 << 16) as f:
            offset = 0
            for raw in f:
                if offset + len(raw) > end:
                    break
                record = decode(raw, where=self.path.name)
                if record is not None:
                    yield offset, record
                offset += len(raw)

    def rewrite(self, keep: Callable[[dict | None, bytes], bool], extra: list[dict]) -> None:
        """Replace the file with the lines ``keep`` accepts, followed by ``extra`` records.

        ``keep`` gets the decoded record (``None`` for a damaged line) and the
        raw bytes (without the newline). The record is decoded as the follower
        reads it: outside the follower's ``reads``, a whole number past 64 bits
        may be a float, so ``keep`` compares strings, never such numbers.
        Temp file in the same folder, fsync, ``os.replace``, fsync of the
        folder: a crash leaves either the old or the new file, never a mix.
        The torn tail, if any, is dropped. Call inside :meth:`locked`.

        One pass (:mod:`.journal_rewrite`): the follower is rebuilt from the
        kept lines as they are written, and the new file is not read again.
        If anything fails, it is rebuilt from whichever file is in place.
        """
        self._require_lock()
        remove_stale_temps(self.path)
        if self._index_file is not None:
            # It names what is about to be erased; the one after the rewrite is made from the new file.
            self._index_file.remove()
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        where, reads = self.path.name, self._reads
        try:
            done = write_new(tmp, self._fd, self._offset, keep, extra, self._follower,
                             lambda raw: decode(raw, where=where, reads=reads), self._read_from,
                             checksums=self._checksums, keep_crc=self._index_file is not None)
            os.replace(tmp, self.path)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)  # it may hold answers that were meant to go
            self._rebuild()  # the follower was half fed the new file: the old one is still in place
            if isinstance(exc, OSError):
                raise StoreError.from_os_error(exc, what="the change") from exc
            raise
        try:
            fsync_dir(self.path.parent)
            self._adopt(done)
        except BaseException as exc:
            self._rebuild()  # from the new file, which is in place
            if isinstance(exc, OSError):
                raise StoreError.from_os_error(exc, what="the change") from exc
            raise

    def close(self) -> None:
        """Close the file; the next use reopens it and rebuilds the follower."""
        with self.lock.hold():
            self._close_fd()

    # -- internals -----------------------------------------------------------

    def _require_lock(self) -> None:
        if not self.lock.held():
            raise RuntimeError("Journal.append/read_at/rewrite need `with journal.locked():`")

    def _catch_up(self) -> None:
        """Feed the follower the complete lines appended since it last looked."""
        if self._replaced():
            self._reopen()
        size = os.fstat(self._fd).st_size
        pos = start = self._offset
        keep_crc = self._index_file is not None
        apply, where, reads = self._follower.apply, self.path.name, self._reads
        for block in complete_blocks(self._fd, pos, size):
            if keep_crc and self._crc is not None:
                self._crc = zlib.crc32(block, self._crc)
            lines = block.split(b"\n")
            lines.pop()  # the empty string after the block's last newline
            for raw in lines:
                record = decode(raw, where=where, reads=reads)
                if record is not None:
                    if raw.startswith(BLANKED_HEAD):
                        self._saw_blanked(record, start)
                    apply(record, pos)
                else:
                    self.damaged.append(pos)
                pos += len(raw) + 1
            self._unsaved += len(lines)
        self._offset = pos
        if pos < size:
            self._warn_torn(size - pos)
        if keep_crc:
            self._maybe_save()

    def _maybe_save(self) -> None:
        """Keep the follower on disk when enough lines came since it last was (under the lock)."""
        if self._unsaved >= SAVE_EVERY:
            self._save_index()

    def _save_index(self) -> None:
        if self._crc is None:  # another process erased in place: the bytes read before changed
            self._crc = journal_crc(self._fd, self._offset)
        self._index_file.save(self._offset, self._crc, self.damaged, self._follower)
        self._unsaved = 0

    def _replaced(self) -> bool:
        """Whether the file on disk is no longer the one this process has indexed."""
        if self._fd is None:
            return True
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return True
        # Holding our descriptor keeps the old inode alive, so a new file can
        # never reuse its number: an (st_dev, st_ino) match is the same file.
        return (st.st_dev, st.st_ino) != self._ident or st.st_size < self._offset

    def _reopen(self) -> None:
        self._close_fd()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        except FileNotFoundError:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL, FILE_MODE)
            fsync_dir(self.path.parent)  # the new name itself must survive a power cut
        st = os.fstat(fd)
        self._fd, self._ident, self._offset = fd, (st.st_dev, st.st_ino), 0
        self.damaged = []
        self._crc = self._unsaved = 0
        self._follower.reset()
        if self._index_file is not None:
            # A file that doesn't match these bytes exactly is ignored: then every line is read.
            kept = self._index_file.load(fd, self._follower)
            if kept is not None:
                self._offset, self._crc, self.damaged = kept
            elif st.st_size >= SAY_WHEN_READING:
                # About 10 s a million answers: whoever watches a slow start should know why.
                log.warning("Reading all %d MB of %s once to make its index again (later starts "
                            "read only new lines)", st.st_size // 1_000_000, self.path.name)

    def _close_fd(self) -> None:
        fd, self._fd, self._ident, self._offset = self._fd, None, None, 0
        if fd is not None:
            os.close(fd)  # after _ident is cleared: same_file never vouches for a closed file

    def _read_from(self, fd: int | None) -> None:
        # A rewrite's temp file while it feeds the follower (which may read a line back): see raw_at.
        self._reading = fd

    def _adopt(self, done: Rewritten) -> None:
        """Take the renamed file as read: the follower already holds every line of it."""
        fd = open_written(self.path, done)
        self._close_fd()
        if fd is None:  # changed since the rename (cannot happen under the lock): read what is there
            self._catch_up()
            return
        self._fd, self._ident, self._offset = fd, done.ident, done.size
        self.damaged, self._crc, self._unsaved = done.damaged, done.crc, done.lines
        if self._index_file is not None:
            self._maybe_save()  # as a catch-up of that many lines would

    def _rebuild(self) -> None:
        """Read the file in place from the start, after a rewrite failed part-way (never raises).

        If even that fails, the file is left closed, so the next :meth:`locked` reads it again.
        """
        self._close_fd()
        try:
            self._catch_up()
        except BaseException:
            log.exception("Could not read %s again after a failed rewrite", self.path.name)
            self._close_fd()
