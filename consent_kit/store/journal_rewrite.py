"""The one pass of a journal's rewrite (an erasure): filter the lines, write the new file, feed the follower.

An erasure used to read every line twice under the journal's lock: once to
filter it into the new file, then again, from the new file, to rebuild the
follower (2.4 s at 100,000 answers, so about 24 s at a million, while every
Send waited). Here each line is read and decoded once: a kept line is
written to the temporary file and given to the follower at its offset in the
*new* file, so once :meth:`~consent_kit.store.journal.Journal.rewrite` has
renamed the file into place, the journal adopts it without reading it again.

The follower is fed only lines already written to the temporary file (a
block at a time): a follower may read a line back while it is fed (the
response index does when two ids share a hash), and the journal points such
reads at the new file for the length of the pass. If anything fails, the
journal reads the old file again (see ``Journal.rewrite``), so the follower
never describes a file that isn't there.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from consent_kit.store.files import FILE_MODE, write_all
from consent_kit.store.lines import complete_blocks, encode


@dataclass
class Rewritten:
    """What the pass wrote: the journal's state for the new file, so it need not read it."""

    size: int = 0  # bytes written: complete lines only
    crc: int = 0  # CRC-32 of those bytes (kept only when the journal keeps its follower on disk)
    lines: int = 0
    damaged: list[int] = field(default_factory=list)  # offsets of kept lines that failed to decode
    ident: tuple[int, int] | None = None  # (st_dev, st_ino) of the new file


def write_new(tmp: Path, src: int, upto: int, keep: Callable[[dict | None, bytes], bool], extra: list[dict],
              follower, decode: Callable[[bytes], dict | None], read_from: Callable[[int | None], None],
              *, checksums: bool, keep_crc: bool) -> Rewritten:
    """Create ``tmp`` (owner-only) and fill it with :func:`write_filtered`, the follower reset first.

    ``read_from(fd)`` is told the temp file's descriptor while the follower is
    fed (its reads of a line must go there), then ``None``.
    """
    # Readable too: the follower may read back a line it was given.
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        read_from(fd)
        follower.reset()
        return write_filtered(fd, src, upto, keep, extra, follower.apply, decode,
                              checksums=checksums, keep_crc=keep_crc)
    finally:
        read_from(None)
        os.close(fd)


def open_written(path: Path, done: Rewritten) -> int | None:
    """Open ``path`` for appending once renamed into place; ``None`` if it isn't exactly the file written."""
    fd = os.open(path, os.O_RDWR | os.O_APPEND)
    st = os.fstat(fd)
    if (st.st_dev, st.st_ino) != done.ident or st.st_size != done.size:
        os.close(fd)
        return None
    return fd


def write_filtered(out: int, src: int, upto: int, keep: Callable[[dict | None, bytes], bool],
                   extra: list[dict], feed: Callable[[dict, int], None],
                   decode: Callable[[bytes], dict | None], *, checksums: bool, keep_crc: bool) -> Rewritten:
    """Write the lines of ``src`` (up to byte ``upto``) that ``keep`` accepts, then ``extra``, to ``out``.

    ``feed(record, offset)`` gets every kept record at its offset in ``out``
    (the follower's ``apply``), after the line is in ``out``. ``out`` is
    fsync'd before returning. ``upto`` is where the last complete line ends:
    a torn tail after it was never acknowledged and is dropped.
    """
    done = Rewritten()
    for block in complete_blocks(src, 0, upto):
        lines = block.split(b"\n")
        lines.pop()  # the empty string after the block's last newline
        kept, fed, pos = [], [], done.size
        for raw in lines:
            record = decode(raw)
            if not keep(record, raw):
                continue
            if record is None:
                done.damaged.append(pos)  # kept for repair by hand, as before
            else:
                fed.append((record, pos))
            kept.append(raw)
            pos += len(raw) + 1
        if kept:
            kept.append(b"")  # so the join ends with a newline, without another copy
            _write(out, b"\n".join(kept), done, len(kept) - 1, keep_crc)
        for record, offset in fed:
            feed(record, offset)
    for record in extra:
        offset = done.size
        _write(out, encode(record, checksum=checksums), done, 1, keep_crc)
        feed(record, offset)
    os.fsync(out)
    st = os.fstat(out)
    done.ident = (st.st_dev, st.st_ino)
    return done


def _write(out: int, data: bytes, done: Rewritten, lines: int, keep_crc: bool) -> None:
    write_all(out, data)
    done.size += len(data)
    done.lines += lines
    if keep_crc:
        done.crc = zlib.crc32(data, done.crc)
