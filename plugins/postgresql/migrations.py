"""The database schema, made and upgraded by the app when it starts: no SQL to run by hand.

Each migration is a numbered list of statements. ``schema_version`` remembers
the numbers applied; at start-up every process takes an advisory lock (so two
servers starting at once don't both upgrade), applies the missing ones in
order, all in one transaction, and records them. A new version of
consent-kit adds a migration at the end; it never edits an old one.

Tables:

* ``responses``: one row per answer set (``seq`` keeps the stored order);
* ``erased_ids``: sha256 of each erased submission id (so a retry is refused),
  with the hash of the pseudonym whose withdrawal erased it;
* ``consents`` and ``withdrawals``: current consent per pseudonym, and the
  minimal record kept after a withdrawal;
* ``consent_texts``: the texts shown, by version;
* ``drafts``: in-progress answers with their expiry time;
* ``audit`` and ``audit_head``: the hash chain, one entry per row (the exact
  JSON line), and its head, the row locked (``FOR UPDATE``) while entries are
  chained so the sequence has no gaps; ``audit_pending`` (migration 2):
  entries written with their change, waiting to be chained;
* ``participant_keys`` (migration 3): each participant's data key, wrapped;
  answers, drafts and the personal parts of consents are sealed with it;
* ``documents``: keyed documents (JSONB) of every named table;
* ``media`` (migration 4): uploaded files by name, with their sha256.

Answers, consent records, texts and drafts are ``json`` (kept as sent, keys in
their order: a consent text copy stays byte for byte what was shown); the
documents are ``jsonb`` because they are found by their fields.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

#: Any fixed number: the advisory lock held while migrating.
MIGRATION_LOCK = 727_160_001

MIGRATIONS: list[tuple[int, list[str]]] = [
    (1, [
        """CREATE TABLE responses (
               seq bigserial UNIQUE,
               id text PRIMARY KEY,
               survey_id text NOT NULL,
               pseudonym text NOT NULL DEFAULT '',
               record json NOT NULL)""",
        "CREATE INDEX responses_survey ON responses (survey_id, seq)",
        "CREATE INDEX responses_pseudonym ON responses (pseudonym) WHERE pseudonym <> ''",
        """CREATE TABLE erased_ids (
               id_sha256 text PRIMARY KEY,
               for_sha256 text NOT NULL DEFAULT '')""",
        "CREATE INDEX erased_for ON erased_ids (for_sha256) WHERE for_sha256 <> ''",
        """CREATE TABLE consents (
               seq bigserial UNIQUE,
               pseudonym text PRIMARY KEY,
               survey_id text NOT NULL,
               code_hash text NOT NULL DEFAULT '',
               record json NOT NULL)""",
        "CREATE UNIQUE INDEX consents_code ON consents (code_hash) WHERE code_hash <> ''",
        "CREATE INDEX consents_survey ON consents (survey_id)",
        """CREATE TABLE withdrawals (
               pseudonym text PRIMARY KEY,
               survey_id text NOT NULL,
               at text NOT NULL)""",
        "CREATE INDEX withdrawals_survey ON withdrawals (survey_id)",
        """CREATE TABLE consent_texts (
               version text PRIMARY KEY,
               text json NOT NULL)""",
        """CREATE TABLE drafts (
               id text PRIMARY KEY,
               expires_at double precision NOT NULL,
               data json NOT NULL)""",
        "CREATE INDEX drafts_expiry ON drafts (expires_at)",
        """CREATE TABLE audit (
               seq bigint PRIMARY KEY,
               line text NOT NULL)""",
        """CREATE TABLE audit_head (
               id int PRIMARY KEY CHECK (id = 1),
               seq bigint NOT NULL,
               hash text NOT NULL)""",
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, repeat('0', 64))",
        """CREATE TABLE documents (
               id bigserial PRIMARY KEY,
               name text NOT NULL,
               doc jsonb NOT NULL)""",
        "CREATE INDEX documents_name ON documents (name, id)",
    ]),
    # Audit entries are chained after the change they record commits (see audit.py).
    (2, [
        """CREATE TABLE audit_pending (
               id bigserial PRIMARY KEY,
               at text NOT NULL,
               actor text NOT NULL,
               action text NOT NULL,
               subject text NOT NULL,
               details json NOT NULL)""",
    ]),
    # Crypto-shredding: each participant's data key, wrapped with the instance key (keys.py).
    (3, [
        """CREATE TABLE participant_keys (
               name text PRIMARY KEY,
               wrapped bytea NOT NULL)""",
    ]),
    # Uploaded files every app server reads: pictures, recordings, published survey files (media.py).
    (4, [
        """CREATE TABLE media (
               name text PRIMARY KEY,
               sha256 text NOT NULL,
               data bytea NOT NULL,
               saved_at timestamptz NOT NULL DEFAULT now())""",
    ]),
]

#: The newest schema this version of consent-kit knows.
LATEST = MIGRATIONS[-1][0]


def migrate(conn: psycopg.Connection, schema: str | None = None) -> list[int]:
    """Bring the database (or ``schema``) up to :data:`LATEST`; return the versions applied.

    Safe to call from many processes at once: the advisory lock makes them
    take turns, and the second finds nothing left to do.
    """
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        if schema:
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        cur.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                    "version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        cur.execute("SELECT coalesce(max(version), 0) FROM schema_version")
        current = cur.fetchone()[0]
        if current > LATEST:
            raise RuntimeError(
                f"The database was upgraded by a newer consent-kit (schema {current}, this one "
                f"knows {LATEST}). Please upgrade consent-kit on this server too.")
        applied = []
        for version, statements in MIGRATIONS:
            if version <= current:
                continue
            for statement in statements:
                cur.execute(statement)
            cur.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
            applied.append(version)
    return applied


def schema_version(conn: psycopg.Connection) -> int:
    """The newest migration applied (0 on an empty database)."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('schema_version') IS NOT NULL")
        if not cur.fetchone()[0]:
            return 0
        cur.execute("SELECT coalesce(max(version), 0) FROM schema_version")
        return cur.fetchone()[0]
