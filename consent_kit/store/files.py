"""Small file-system helpers shared by the journal, the tables and the drafts.

Everything here exists to keep one promise: a crash, a ``kill -9`` or a full
disk never leaves a half-written file where a good one used to be.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from consent_kit.store.base import StoreError

#: Files this package creates hold personal data: readable by the owner only.
FILE_MODE = 0o600
DIR_MODE = 0o700


def fsync_dir(path: Path) -> None:
    """Flush a directory entry change (create, rename) so it survives power loss."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name_prefix(path: Path) -> str:
    """Prefix of the temporary files used to replace ``path`` (hidden, same folder)."""
    return f".{path.name}."


def atomic_write(path: Path, data: bytes, *, what: str = "the change", durable: bool = True) -> None:
    """Replace ``path`` with ``data`` so readers see either the old or the new file.

    The temporary file lives in the same directory, because ``os.replace`` is
    only atomic within one file system. On any failure the temporary file is
    removed (it may hold personal data) and a :class:`StoreError` is raised.
    ``durable=False`` skips the two flushes to disk, for files that may lag
    behind after a crash but must never be half-written.
    """
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=temp_name_prefix(path), suffix=".tmp")
        try:
            write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        tmp = None
        if durable:
            fsync_dir(path.parent)
    except OSError as exc:
        if tmp is not None:
            remove_quietly(Path(tmp))
        raise StoreError.from_os_error(exc, what=what) from exc


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data``: ``os.write`` may write less than asked."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


#: Bytes asked for by each read of :func:`read_whole` (a draft, an audit head: one read).
READ_CHUNK = 64 * 1024


def read_whole(path: Path) -> bytes:
    """The file's bytes, like ``Path.read_bytes`` in four system calls instead of nine.

    Open, read until a read returns nothing, close: ``Path.read_bytes`` also asks the
    size twice, whether the file is a terminal and where it is. Each call releases the
    GIL, a chance for another busy thread to take it: under load a Send waits that much
    less (it reads its draft and the audit head). Raises ``OSError``
    (``FileNotFoundError`` when the file isn't there).
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while chunk := os.read(fd, READ_CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def remove_quietly(path: Path) -> bool:
    """Delete ``path`` if it exists; report whether it did."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def remove_stale_temps(path: Path) -> None:
    """Delete temporary files a crashed rewrite of ``path`` left behind.

    Call only while holding the lock that guards rewrites of ``path``: then no
    temporary file can belong to a rewrite still in progress. They may hold
    answers that were erased since, so they must not linger.
    """
    prefix = temp_name_prefix(path)
    for entry in path.parent.iterdir():
        if entry.name.startswith(prefix) and entry.name.endswith(".tmp"):
            remove_quietly(entry)


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (owner-only) if it is missing and return it."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    return path


class FileLock:
    """Mutual exclusion between threads of this process *and* other processes.

    A ``threading.Lock`` guards this process's in-memory state; ``flock`` on a
    lock file guards the data file from other processes (gunicorn workers, a
    cron job). The lock file is opened afresh on every acquisition: ``flock``
    belongs to an open file description, which a forked worker would otherwise
    share with its parent, and then both would "hold" the lock at once.
    """

    def __init__(self, path: Path):
        self.path = path
        self._thread_lock = threading.Lock()
        self._pid = os.getpid()
        self._owner: int | None = None

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold both locks for the duration of the ``with`` block."""
        self._forget_parent_after_fork()
        with self._thread_lock:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._owner = threading.get_ident()
                try:
                    yield
                finally:
                    self._owner = None
            finally:
                os.close(fd)  # closing the only descriptor releases the flock

    def held(self) -> bool:
        """Whether the calling thread holds the lock (used to catch misuse)."""
        return self._owner == threading.get_ident()

    def _forget_parent_after_fork(self) -> None:
        # A child forked while another thread of the parent held the thread lock
        # would inherit it locked forever; a fresh one is safe because the child
        # starts with a single thread.
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._thread_lock = threading.Lock()
            self._owner = None
