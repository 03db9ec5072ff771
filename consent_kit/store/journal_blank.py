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

import os
from collections.abc import Callable
from pathlib import Path

from consent_kit.store.files import FILE_MODE
from consent_kit.store.lines import blank

#: The kind of line appended after an erasure in place, and its field listing the blanked offsets.
BLANKED = "blanked"
#: How such a line starts (``encode`` keeps the record's order): the journal spots it without decoding.
BLANKED_HEAD = b'{"kind":"blanked"'


def overwrite_lines(path: Path, offsets: list[int], raw_at: Callable[[int], bytes], stamp: Path) -> list[int]:
    """Overwrite the lines at ``offsets`` of ``path`` with blanks of the same length, flushed.

    ``raw_at(offset)`` gives a line's bytes (its length is all that is used).
    Returns the offsets overwritten (a line under 2 bytes can't be, and is left).
    ``stamp`` (the lock file) gets one more byte first: see the module docstring.
    """
    lines = [(offset, len(raw_at(offset))) for offset in offsets]
    lines = [(offset, length) for offset, length in lines if length >= 2]
    if not lines:
        return []
    count_erasure(stamp)
    # Not O_APPEND: on Linux, pwrite on such a descriptor appends, whatever the offset.
    fd = os.open(path, os.O_WRONLY)
    try:
        for offset, length in lines:
            _pwrite_all(fd, blank(length), offset)
        os.fsync(fd)
    finally:
        os.close(fd)
    return [offset for offset, _ in lines]


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
