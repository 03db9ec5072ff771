"""One journal line as bytes: compact JSON ending with its own checksum, and read back fast.

Used by :mod:`consent_kit.store.journal` (which re-exports these names).
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from collections.abc import Iterator

#: What a checksum adds before a line's closing brace: ``,"~":"`` + 8 hex digits + ``"``.
_SUM_HEAD, _SUM_LEN = b',"~":"', 16
SUM_KEY = "~"

log = logging.getLogger(__name__)


def encode(record: dict, *, checksum: bool = True) -> bytes:
    """Encode ``record`` as one compact UTF-8 JSON line ending with its checksum.

    ``json.dumps`` escapes newlines inside strings, so the only ``\\n`` is the
    terminator, and a line without one is known to be torn. The checksum is
    the CRC-32 of the line as it would be without it.
    """
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    body = text.encode("utf-8")
    if not record or not checksum:
        return body + b"\n"  # "{}" has no room for a checksum and carries nothing
    return body[:-1] + _SUM_HEAD + b"%08x" % zlib.crc32(body) + b'"}\n'


def checksum_ok(raw: bytes) -> bool:
    """Whether a line (with or without its ``\\n``) ends with a checksum that matches the rest."""
    raw = raw.rstrip(b"\n")
    if raw[-_SUM_LEN:-10] != _SUM_HEAD or not raw.endswith(b'"}'):
        return False
    try:
        stored = int(raw[-10:-2], 16)
    except ValueError:
        return False
    # The CRC of the line without its checksum, continued over the closing brace: no copy of the line.
    return zlib.crc32(b"}", zlib.crc32(memoryview(raw)[:-_SUM_LEN])) == stored


#: The kind of line that takes the place of an erased one (see :func:`blank`): every reader ignores it.
BLANK = "blank"
_BLANK_HEAD = b'{"kind":"blank"'
#: The shortest line :func:`blank` fills with a checksummed blank; shorter ones become ``{}`` and spaces.
_CHECKED_BLANK = len(_BLANK_HEAD) + _SUM_LEN


def blank(length: int) -> bytes:
    """A line of exactly ``length`` bytes (no newline) that says nothing: it replaces an erased line in place.

    ``{"kind":"blank"``, spaces, then the checksum, so it reads as a valid line of an unknown
    kind, which every reader skips; a line too short for that becomes ``{}`` and spaces (a line
    without a checksum, read as an empty record). Lines under 2 bytes can't be blanked.
    """
    if length >= _CHECKED_BLANK:
        body = _BLANK_HEAD + b" " * (length - _CHECKED_BLANK) + b"}"
        return body[:-1] + _SUM_HEAD + b"%08x" % zlib.crc32(body) + b'"}'
    if length >= 2:
        return b"{}" + b" " * (length - 2)
    raise ValueError("a line under 2 bytes can't be blanked")


_fast_loads = None  # orjson.loads, imported at the first line read (not at start-up)
#: Every digit as "0", so 19 digits in a row (a whole number orjson may read as a float) is one search.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


def loads(raw: bytes):
    """``json.loads``, about 4x faster with orjson (every export and results view reads every line).

    A line orjson refuses, or with a whole number too long for it (orjson makes those floats),
    goes to ``json``. The check is two C-speed passes over the bytes, not a regex (that cost
    more than orjson's whole parse).
    """
    global _fast_loads
    if _fast_loads is None:
        from orjson import loads as _fast_loads
    if _LONG_NUMBER in raw.translate(_DIGITS_AS_ZERO):
        return json.loads(raw)
    try:
        return _fast_loads(raw)
    except ValueError:
        return json.loads(raw)


def loads_reading(raw: bytes, fields: tuple[str, ...]):
    """:func:`loads` for a reader that takes only ``fields`` of the top level, a third faster.

    The check for whole numbers too long for orjson reads the whole line again;
    this reads it only when one of ``fields`` came out a float (that may be one
    such number), so what the reader takes is what :func:`loads` would give.
    A number elsewhere in the line may be a float instead of an int.
    """
    global _fast_loads
    if _fast_loads is None:
        from orjson import loads as _fast_loads
    try:
        found = _fast_loads(raw)
    except ValueError:
        return json.loads(raw)
    if type(found) is dict:
        for name in fields:
            if type(found.get(name)) is float:
                return loads(raw)
    return found


def complete_blocks(fd: int, start: int, end: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The complete lines of the open file ``fd`` from byte ``start`` to ``end``, ``chunk`` bytes at a time.

    Each block ends with a newline, so memory stays flat however long the
    file. Bytes after the last newline before ``end`` (a torn line) are never
    given: the caller knows there were some when its blocks add up to less.
    """
    pending, pos = b"", start
    while pos + len(pending) < end:
        data = os.pread(fd, min(chunk, end - pos - len(pending)), pos + len(pending))
        if not data:
            break
        pending += data
        cut = pending.rfind(b"\n") + 1  # bytes after the last newline: incomplete so far
        if not cut:
            continue
        block, pending = pending[:cut], pending[cut:]
        pos += cut
        yield block


def decode(raw: bytes, *, where: str, reads: tuple[str, ...] | None = None) -> dict | None:
    """Decode one complete line, or log a warning and return ``None`` if it is damaged.

    ``reads``: only these top-level fields need to be exact (see :func:`loads_reading`).
    """
    try:
        record = loads(raw) if reads is None else loads_reading(raw, reads)
    except ValueError:
        record = None
    if type(record) is dict:  # what json and orjson make of an object
        if SUM_KEY not in record:
            return record  # written before checksums existed
        del record[SUM_KEY]
        if checksum_ok(raw):
            return record
    log.warning("Skipping a damaged line in %s", where)
    return None


def line_at(fd: int, offset: int) -> bytes:
    """The bytes of the line starting at ``offset`` of the open file ``fd``, without its newline."""
    parts, pos, size = [], offset, 4096  # most lines fit in the first, small read
    while True:  # usually one read; a line may be longer than one chunk
        chunk = os.pread(fd, size, pos)
        size = 65536
        end = chunk.find(b"\n")
        if not chunk or end >= 0:
            parts.append(chunk[:end] if end >= 0 else chunk)
            break
        parts.append(chunk)
        pos += len(chunk)
    return b"".join(parts)
