"""The audit log in PostgreSQL: the same hash chain as the embedded store, one row per entry.

An entry is written in two steps, so that "Send" never queues behind other
people's disk flushes:

1. *pending*: in the transaction of the change it records (a Send, a
   withdrawal), a row of ``audit_pending`` (who, what, when); it commits
   with the change or not at all;
2. *chained*, a moment after that commit, by the process's chainer thread
   (``chainer.py``), or by any reader of the log first: under an advisory lock
   (one chainer at a time) and the locked head row (``SELECT ... FOR UPDATE``),
   every pending row gets the next ``seq``, ``prev`` and ``hash`` and moves to
   ``audit``, in one short transaction. Many Sends are chained by one
   transaction; a chainer that finds another one at work leaves it to them
   (they go on until nothing is pending).

The sequence is given out only in step 2, under the lock, so it never has a
gap or a repeat. If a server dies between the steps, the pending rows are
chained by the next one (every read of the log chains what is pending first).
Each ``audit`` row keeps the exact JSON line, so checking the chain is the
embedded store's own check (:func:`audit_chain.verify_lines`).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import psycopg
from psycopg.types.json import Json

from consent_kit import audit_chain as chain

#: The advisory lock that makes chainers take turns (any fixed number).
CHAIN_LOCK = 727_160_002


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


def pending(cur: psycopg.Cursor, *, actor: str, action: str, subject: str = "",
            details: dict | None = None) -> int:
    """Write a pending entry in the cursor's transaction; return its id (step 1)."""
    details = {} if details is None else details
    check(actor, action, subject, details)
    cur.execute("INSERT INTO audit_pending (at, actor, action, subject, details) "
                "VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (utc_now(), actor, action, subject, Json(details)))
    return cur.fetchone()[0]


def chain_pending(conn: psycopg.Connection, *, wait: bool = True) -> dict[int, dict]:
    """Chain every pending entry, in the order written (step 2); return ``{pending id: entry}``.

    Call with no transaction open on ``conn``. ``wait=False`` (after a Send):
    if another process is chaining just now, leave it to them; a chainer keeps
    going until nothing is pending, so the entry is chained by them or by the
    next write or read of the log. Readers wait, so they always see every entry.
    """
    made: dict[int, dict] = {}
    for _ in range(100):  # bounded: each round takes everything pending so far
        chained = _chain_round(conn, wait)
        if not chained:
            return made
        made.update(chained)
    return made


#: Run after the lock attempt in the same pipeline: the head, locked, only if this chainer holds
#: the lock (asking again for a lock one holds succeeds; a busy one gives no row and no wait).
_HEAD = "SELECT seq, hash FROM audit_head WHERE id = 1 AND pg_try_advisory_xact_lock(%s) FOR UPDATE"


def _chain_round(conn: psycopg.Connection, wait: bool) -> dict[int, dict]:
    """One transaction: every entry pending now, chained after the locked head; two round trips."""
    with conn.transaction():
        with conn.pipeline():
            # No flush of its own: if a crash loses this commit, it loses all of it, and the
            # pending rows (flushed with their Send) are chained again. WAL is written in
            # order, so the next Send's flush makes it durable anyway.
            conn.execute("SET LOCAL synchronous_commit TO off")
            # The lock first: pending rows read before it could be chained by another meanwhile.
            got = conn.execute("SELECT pg_advisory_xact_lock(%s) IS NULL" if wait else
                               "SELECT pg_try_advisory_xact_lock(%s)", (CHAIN_LOCK,))
            pending_rows = conn.execute(
                "SELECT id, at, actor, action, subject, details FROM audit_pending ORDER BY id")
            head = conn.execute(_HEAD, (CHAIN_LOCK,))
        held = wait or got.fetchone()[0]
        locked, rows = head.fetchone(), pending_rows.fetchall()
        if not held or locked is None or not rows:
            return {}
        seq, prev = locked
        made = {}
        for pending_id, at, actor, action, subject, details in rows:
            seq += 1
            entry = chain.make_entry(seq=seq, at=at, actor=actor, action=action, subject=subject,
                                     details=details, prev=prev)
            made[pending_id] = entry
            prev = entry["hash"]
        with conn.pipeline(), conn.cursor() as cur:
            cur.executemany("INSERT INTO audit (seq, line) VALUES (%s, %s)",
                            [(entry["seq"], encode(entry)) for entry in made.values()])
            cur.execute("DELETE FROM audit_pending WHERE id = ANY(%s)", (list(made),))
            cur.execute("UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1", (seq, prev))
    return made


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
