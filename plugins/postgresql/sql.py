"""Small SQL helpers shared by the store's parts: advisory locks, tombstone hashes, draft sweeps."""

from __future__ import annotations

import hashlib
import json

import psycopg

#: Namespaces of the advisory locks (two-number form: namespace, hashtext(key)).
PSEUDONYM_LOCK, ID_LOCK = 1, 2


def id_hash(value: str) -> str:
    """sha256 (hex) of a submission id or pseudonym: what a tombstone keeps."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def lock(cur: psycopg.Cursor, namespace: int, key: str) -> None:
    """Hold an advisory lock on ``key`` until the transaction ends.

    ``hashtext`` may give two keys one number: they then take turns, which is
    slower but never wrong.
    """
    cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (namespace, key))


def round_trip(record: dict) -> dict:
    """What a JSON column gives back for ``record`` (tuples become lists)."""
    return json.loads(json.dumps(record))


def delete_drafts_mentioning(cur: psycopg.Cursor, words: list[str], sealer) -> int:
    """Delete drafts that contain any of ``words`` (submission ids, a pseudonym); return how many.

    Like the embedded store: a draft that carries an erased id, under whatever
    key the web layer chose, holds that person's answers. A sealed draft is
    matched on its key name (a pseudonym, in the clear) and on its opened data;
    one whose key is already gone can't be read by anyone and is left to expire.
    """
    words = [w for w in words if w]
    if not words:
        return 0
    doomed = []
    for draft_id, body in cur.execute("SELECT id, data FROM drafts").fetchall():
        text = json.dumps(body, ensure_ascii=False)
        if not any(w in text for w in words) and isinstance(body, dict) and "sealed" in body:
            opened = sealer.open_draft(draft_id, body)
            text = json.dumps(opened, ensure_ascii=False) if opened is not None else ""
        if any(w in text for w in words):
            doomed.append(draft_id)
    if doomed:
        cur.execute("DELETE FROM drafts WHERE id = ANY(%s)", (doomed,))
    return len(doomed)
