"""One journal line as bytes: compact JSON ending with its own checksum, and read back fast.

Used by :mod:`consent_kit.store.journal` (which re-exports these names).
"""

from __future__ import annotations

import json
import zlib

#: What a checksum adds before a line's closing brace: ``,"~":"`` + 8 hex digits + ``"``.
_SUM_HEAD, _SUM_LEN = b',"~":"', 16
SUM_KEY = "~"


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
    return zlib.crc32(raw[:-_SUM_LEN] + b"}") == stored


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
