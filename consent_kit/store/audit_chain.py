"""The audit log's hash chain: making entries and checking a log, with no files involved.

An entry is ``{seq, at, actor, action, subject, details, prev, hash}``:

* ``seq`` counts from 1 with no gaps;
* ``prev`` is the ``hash`` of the entry before (:data:`GENESIS` for the first);
* ``hash`` is the sha256 of ``prev`` followed by the canonical JSON (sorted
  keys, no spaces) of the entry without ``hash``.

Changing any byte of an entry breaks its own hash; removing an entry leaves a
gap in ``seq``; recomputing the hashes of a changed entry breaks the ``prev``
of the one after it. Removing the *last* entries leaves no trace in the log
itself, so the store also keeps a "head" (the ``seq`` and ``hash`` of the
latest entry) in a separate file, and :func:`verify_lines` compares the two.

Entries say who (a researcher's name or a participant's pseudonym), what and
when. They never hold answers: withdrawal erases answers everywhere, and the
audit log is never rewritten.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

#: The ``prev`` of the first entry.
GENESIS = "0" * 64

#: The fields of an entry, in the order they are written.
FIELDS = ("seq", "at", "actor", "action", "subject", "details", "prev", "hash")

#: Suggested actions for consent events, so every caller writes them the same way.
CONSENT_GIVEN = "consent_given"
CONSENT_CHANGED = "consent_changed"
CONSENT_WITHDRAWN = "consent_withdrawn"


def canonical(value: object) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(entry: dict) -> str:
    """The hash an entry must carry: sha256 of ``prev`` + canonical JSON of the rest."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256((str(entry.get("prev", "")) + canonical(body)).encode("utf-8")).hexdigest()


def make_entry(
    *, seq: int, at: str, actor: str, action: str, subject: str, details: dict, prev: str
) -> dict:
    """Build a complete entry, ``hash`` included."""
    entry = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": details,
        "prev": prev,
    }
    entry["hash"] = entry_hash(entry)
    return entry


def well_formed(entry: object) -> bool:
    """Whether ``entry`` has every field with the right type (not whether it is genuine)."""
    if not isinstance(entry, dict) or set(entry) != set(FIELDS):
        return False
    seq = entry["seq"]
    return (
        isinstance(seq, int)
        and not isinstance(seq, bool)
        and seq >= 1
        and all(isinstance(entry[k], str) for k in ("at", "actor", "action", "subject", "prev", "hash"))
        and isinstance(entry["details"], dict)
    )


def _missing(first: int, last: int) -> str:
    if first == last:
        return f"entry {first} is missing"
    return f"entries {first}–{last} are missing"


def verify_lines(lines: Iterable[bytes], head: dict | None) -> tuple[int, list[str]]:
    """Check a log given as complete lines (each ending in ``\\n``) and its head.

    ``head`` is ``{"seq": n, "hash": h}`` as kept by the store, ``None`` when
    the head file is missing, or ``{}`` when it is unreadable. Returns how many
    well-formed entries there are and the problems, in plain language, in file
    order (empty when the log is intact).

    A head *behind* the log is not a problem: the process writing an entry can
    stop between writing the entry and writing the head.
    """
    problems: list[str] = []
    count = 0
    last_seq, last_hash = 0, GENESIS
    last_line = 0  # line number of the previous well-formed entry
    last_changed = False  # the previous entry failed its own hash: already reported
    invalid_since = 0  # lines that were not valid since the previous entry
    head_seq = head.get("seq") if isinstance(head, dict) else None
    head_match: str | None = None  # the stored hash of the entry with seq == head_seq

    for number, raw in enumerate(lines, start=1):
        try:
            entry = json.loads(raw)
        except ValueError:
            entry = None
        if not well_formed(entry):
            problems.append(f"line {number} is not valid")
            invalid_since += 1
            continue
        count += 1
        seq = entry["seq"]
        changed = entry["hash"] != entry_hash(entry)
        if changed:
            problems.append(f"line {number}: this entry was changed after it was written")
        if seq <= last_seq:
            problems.append(f"line {number}: entry {seq} is out of order or appears twice")
        elif seq > last_seq + 1 + invalid_since:
            problems.append(_missing(last_seq + 1 + invalid_since, seq - 1))
        elif seq == last_seq + 1 and not changed and not last_changed and entry["prev"] != last_hash:
            problems.append(_broken_chain(last_line, number))
        if seq == head_seq:
            head_match = entry["hash"]
        last_seq, last_hash, last_line = max(seq, last_seq), entry["hash"], number
        last_changed, invalid_since = changed, 0

    problems += _check_head(head, head_seq, head_match, last_seq, count)
    return count, problems


def _broken_chain(last_line: int, number: int) -> str:
    """An entry whose ``prev`` doesn't match the entry before it (both hash correctly)."""
    if last_line:
        return (f"lines {last_line}–{number}: the chain is broken between these entries, "
                "so one of them was changed after it was written")
    return f"line {number}: this entry was changed after it was written"


def _check_head(
    head: dict | None, head_seq: object, head_match: str | None, last_seq: int, count: int
) -> list[str]:
    if head is None:
        if count:
            return ["the file audit.head is missing, so removed last entries could not be noticed"]
        return []
    if not isinstance(head_seq, int) or isinstance(head_seq, bool) or not isinstance(head.get("hash"), str):
        return ["the file audit.head is not valid, so removed last entries could not be noticed"]
    if head_seq > last_seq:
        gone = head_seq - last_seq
        return ["the last entry is missing" if gone == 1 else f"the last {gone} entries are missing"]
    if head_seq == 0:
        return []
    if head_match is not None and head_match != head["hash"]:
        return [
            f"entry {head_seq} does not match the copy kept in audit.head, "
            "so entries were changed after they were written"
        ]
    return []
