"""A journal's index kept on disk beside it, so a server starts without re-reading every line.

Reading a million answers to build the index took 9 s of CPU in every server
process at every start. ``responses.index`` holds what that reading found
(see :class:`consent_kit.store.responses.ResponseIndex`), as of some point of
the journal: how many bytes it covers and the CRC-32 of those bytes. The
consents, the participants' keys and the audit log keep theirs the same way
(``consents.index``, ``keys.index``, ``audit.index``): with real Sends each
person has a line in every one of those files too. At start
the journal's first ``covered`` bytes are checksummed again (0.3 s for a
million answers) and the file is used only if they are exactly the bytes it
was made from; then only the lines added since are read.

It is a cache, never the truth, and is never trusted: a missing, truncated,
damaged or foreign file, one made from an older journal (an erasure rewrote
it, or blanked lines it covers) or from a journal that was changed since, is
ignored and the index is rebuilt from the journal. It is written to a
temporary file and renamed, without fsync: a power cut can leave a broken
file, which is then ignored. An erasure deletes it, since it names
pseudonyms, and keeps a new one made after it (see ``journal_blank``).
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from array import array
from pathlib import Path
from typing import Protocol

from consent_kit.store.files import FILE_MODE, remove_quietly, write_all

log = logging.getLogger(__name__)

MAGIC = b"consent-kit response index 2\n"
_CHUNK = 1 << 20
_MAX_HEADER = 4096


class Snapshotting(Protocol):
    """A journal follower whose state can be written as bytes and read back."""

    def snapshot(self) -> list[bytes]:
        """The follower's state as a few byte strings."""

    def restore(self, parts: list[bytes]) -> None:
        """Take the state back from :meth:`snapshot`'s bytes; ``ValueError`` if they don't fit."""

    def reset(self) -> None:
        """Forget everything."""


def journal_crc(fd: int, upto: int, crc: int = 0, start: int = 0) -> int:
    """CRC-32 of bytes ``start``..``upto`` of the open file ``fd`` (continuing ``crc``)."""
    pos = start
    while pos < upto:
        chunk = os.pread(fd, min(_CHUNK, upto - pos), pos)
        if not chunk:
            break
        crc = zlib.crc32(chunk, crc)
        pos += len(chunk)
    return crc


def crc_after_overwrite(crc: int, old: bytes, new: bytes, after: int) -> int:
    """A file's CRC-32 once ``old`` in it is overwritten by ``new`` (as long), ``after`` bytes from the end.

    Without reading the file again (a second of CPU a gigabyte): a CRC is linear,
    so the change is the CRC of ``old`` XOR ``new``, moved past the ``after``
    bytes that follow (:func:`crc32_shift`), less what equal-length zeros give.
    """
    changed = (int.from_bytes(old, "big") ^ int.from_bytes(new, "big")).to_bytes(len(old), "big")
    return crc ^ crc32_shift(zlib.crc32(changed) ^ zlib.crc32(bytes(len(old))), after)


def crc32_shift(crc: int, length: int) -> int:
    """``crc`` moved past ``length`` zero bytes: zlib's ``crc32_combine(crc, 0, length)``.

    Python's zlib doesn't offer it; this is zlib's own method (powers of the
    one-zero-bit operator as 32x32 bit matrices, squared): about 2 ms for 2 GB.
    """
    operator = [0xEDB88320] + [1 << n for n in range(31)]  # moves a CRC past one zero bit
    operator = _square(_square(operator))  # four bits
    while length > 0:
        operator = _square(operator)  # one byte, then two, four...: each bit of length in turn
        if length & 1:
            crc = _times(operator, crc)
        length >>= 1
    return crc


def _times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, row) for row in matrix]


class IndexFile:
    """``<journal>.index``: a follower's state as of ``covered`` bytes of the journal."""

    def __init__(self, journal_path: Path):
        self.path = Path(journal_path).with_suffix(".index")
        self._journal = Path(journal_path).name  # for what the log says

    def load(self, fd: int, follower: Snapshotting) -> tuple[int, int, list[int]] | None:
        """Restore ``follower`` from the file if it matches the journal open as ``fd``.

        Returns ``(covered, crc, damaged offsets)``, or ``None`` (and the follower
        reset) when there is no usable file: then the journal is read from the start.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            log.info("Can't read %s (%s): reading %s again instead", self.path.name, error, self._journal)
            return None
        try:
            covered, crc, parts = _parse(data)
            if os.fstat(fd).st_size < covered or journal_crc(fd, covered) != crc:
                raise ValueError("it was made from other answers than the ones stored now")
            damaged = array("q")
            damaged.frombytes(parts[0])
            follower.restore(parts[1:])
        except (ValueError, KeyError, TypeError, OSError) as error:
            follower.reset()
            log.info("Not using %s (%s): reading %s again", self.path.name, error, self._journal)
            return None
        return covered, crc, damaged.tolist()

    def save(self, covered: int, crc: int, damaged: list[int], follower: Snapshotting) -> None:
        """Write the follower's state as of ``covered`` bytes (with their ``crc``); never raises.

        A failure (a full disk, say) costs only a slower next start, so it is logged, not raised.
        """
        parts = [array("q", damaged).tobytes(), *follower.snapshot()]
        total = 0
        for part in parts:
            total = zlib.crc32(part, total)
        header = json.dumps({"covered": covered, "crc": crc, "parts": [len(p) for p in parts],
                             "sum": total}).encode("ascii")
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            try:
                write_all(fd, MAGIC + header + b"\n")
                for part in parts:
                    write_all(fd, part)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except OSError as error:
            remove_quietly(tmp)
            log.warning("Could not keep %s (%s): the next start reads %s again",
                        self.path.name, error, self._journal)

    def remove(self) -> None:
        """Delete the file (after an erasure: it names pseudonyms and submission ids)."""
        remove_quietly(self.path)


def _parse(data: bytes) -> tuple[int, int, list[memoryview]]:
    """``(covered, crc, parts)`` of an index file's bytes; ``ValueError`` if they are not one."""
    if not data.startswith(MAGIC):
        raise ValueError("it is not an index file of this version")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_HEADER)
    if end < 0:
        raise ValueError("its header is cut short")
    header = json.loads(data[len(MAGIC):end])
    covered, crc, sizes, total = header["covered"], header["crc"], header["parts"], header["sum"]
    if not (isinstance(covered, int) and covered >= 0 and isinstance(crc, int) and isinstance(total, int)
            and isinstance(sizes, list) and sizes and all(isinstance(n, int) and n >= 0 for n in sizes)):
        raise ValueError("its header is damaged")
    body = memoryview(data)[end + 1:]
    if len(body) != sum(sizes):
        raise ValueError("it is cut short or too long")
    parts, pos, found = [], 0, 0
    for size in sizes:
        part = body[pos:pos + size]
        found = zlib.crc32(part, found)
        parts.append(part)
        pos += size
    if found != total:
        raise ValueError("its contents are damaged")
    return covered, crc, parts
