"""Uploaded files in PostgreSQL: one ``bytea`` row per name, with its sha256.

Where ``store.media()`` keeps the bytes (the names, sizes and hashes are
checked and made by consent_kit's ``Media`` before they get here). Listing
reads names and hashes only, so a server checking whether its copies are
current (every ``catalog_check_seconds``) never pulls the bytes.
"""

from __future__ import annotations

from .pool import LazyPool


class PgMedia:
    """Bytes by name in the ``media`` table."""

    def __init__(self, pool: LazyPool):
        self._pool = pool

    def put(self, name: str, data: bytes, sha: str) -> None:
        """Keep ``data`` (whose sha256 is ``sha``) under ``name``, replacing what was there."""
        with self._pool.connection("the file") as conn:
            conn.execute("INSERT INTO media (name, sha256, data) VALUES (%s, %s, %s) "
                         "ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, "
                         "data = excluded.data, saved_at = now()", (name, sha, data))

    def get(self, name: str) -> bytes | None:
        """The bytes kept under ``name``, or None."""
        with self._pool.connection("the file") as conn:
            row = conn.execute("SELECT data FROM media WHERE name = %s", (name,)).fetchone()
        return None if row is None else bytes(row[0])

    def delete(self, name: str) -> bool:
        """Forget ``name``; True if it was there."""
        with self._pool.connection("the file") as conn:
            return conn.execute("DELETE FROM media WHERE name = %s", (name,)).rowcount > 0

    def list(self, prefix: str) -> dict[str, str]:
        """``{name: sha256}`` of the files whose names start with ``prefix`` (no bytes read)."""
        with self._pool.connection("the file") as conn:
            rows = conn.execute("SELECT name, sha256 FROM media WHERE left(name, %s) = %s ORDER BY name",
                                (len(prefix), prefix)).fetchall()
        return dict(rows)
