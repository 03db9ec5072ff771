"""The audit log in PostgreSQL: the same hash chain as the embedded store, one row per entry.

Appending locks the single ``audit_head`` row (``SELECT ... FOR UPDATE``),
makes the next entry from it, inserts the entry and moves the head, all in the
caller's transaction. Two servers appending at once take turns on the row, and
a transaction that rolls back takes its entry with it, so the sequence never
has a gap or a repeat. Each row keeps the exact JSON line, so checking the
chain is the embedded store's own check (:func:`audit_chain.verify_lines`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import psycopg

from consent_kit import audit_chain as chain


def encode(entry: dict) -> str:
    """The stored line of an entry (its fields in the written order)."""
    return json.dumps({k: entry[k] for k in chain.FIELDS}, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False)


def utc_now() -> str:
    """Now, to the second, e.g. ``"2026-11-26T08:30:00Z"`` (as the embedded store writes it)."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")


def check(actor: object, action: object, subject: object, details: object) -> None:
    """Refuse an entry the embedded store would refuse (ValueError, same rules)."""
    if not isinstance(actor, str) or not actor:
        raise ValueError("audit: actor must be a non-empty string (a user name or a pseudonym)")
    if not isinstance(action, str) or not action:
        raise ValueError("audit: action must be a non-empty string, e.g. 'consent_given'")
    if not isinstance(subject, str):
        raise ValueError("audit: subject must be a string")
    if not isinstance(details, dict):
        raise ValueError("audit: details must be a dict")
    try:
        chain.canonical(details)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"audit: details must be plain JSON data ({exc})") from None


def append(cur: psycopg.Cursor, *, actor: str, action: str, subject: str = "",
           details: dict | None = None) -> dict:
    """Append one entry in the cursor's transaction and return it (the head row stays locked)."""
    details = {} if details is None else details
    check(actor, action, subject, details)
    cur.execute("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
    seq, prev = cur.fetchone()
    entry = chain.make_entry(seq=seq + 1, at=utc_now(), actor=actor, action=action,
                             subject=subject, details=details, prev=prev)
    cur.execute("INSERT INTO audit (seq, line) VALUES (%s, %s)", (entry["seq"], encode(entry)))
    cur.execute("UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1", (entry["seq"], entry["hash"]))
    return entry


def copy_entry(cur: psycopg.Cursor, entry: dict) -> None:
    """Insert an existing entry exactly as it is and move the head (``migrate-store``)."""
    cur.execute("INSERT INTO audit (seq, line) VALUES (%s, %s)", (entry["seq"], encode(entry)))
    cur.execute("UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1 AND seq < %s",
                (entry["seq"], entry["hash"], entry["seq"]))


def verify(conn: psycopg.Connection) -> list[str]:
    """Check the chain and the head; plain-language problems, none when intact."""
    with conn.cursor() as cur:
        cur.execute("SELECT seq, hash FROM audit_head WHERE id = 1")
        row = cur.fetchone()
        head = {"seq": row[0], "hash": row[1]} if row else None
    lines = (line.encode("utf-8") + b"\n" for line in _lines(conn))
    problems = chain.verify_lines(lines, head)[1]
    # The embedded store's words name its head file; here the head is a table.
    return [p.replace("the file audit.head", "the audit head").replace("audit.head", "the audit head")
            for p in problems]


def _lines(conn: psycopg.Connection) -> Iterator[str]:
    with conn.cursor(name="audit_lines") as cur:
        cur.itersize = 2000
        cur.execute("SELECT line FROM audit ORDER BY seq")
        for (line,) in cur:
            yield line


def entries(conn: psycopg.Connection) -> Iterator[dict]:
    """Every well-formed entry in order, streamed from a server-side cursor."""
    for line in _lines(conn):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if chain.well_formed(entry):
            yield entry
