"""The app on PostgreSQL: chosen by settings, a participant's whole visit, fork safety, streaming.

Each test gets a schema of its own on the test server (pg_testdb), dropped afterwards.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from consent_kit_plugins.postgresql.migrations import LATEST, migrate, schema_version
from consent_kit_plugins.postgresql.store import PostgresStore
from pg_testdb import TEST_STORE_KEY, connect, temporary_schema
from serverutil import QUICK_SURVEY

from consent_kit.store import EmbeddedStore
from consent_kit.testing import Participant


@pytest.fixture
def pg():
    """``(url, schema)`` of an empty schema of the test database."""
    with temporary_schema("ck_app") as where:
        yield where


@pytest.fixture
def pg_app(make_app, pg):
    url, schema = pg
    app = make_app(forms={"quick.yaml": QUICK_SURVEY}, examples=False,
                   config={"DATABASE_URL": url, "DATABASE_SCHEMA": schema, "STORE_KEY": TEST_STORE_KEY})
    yield app
    app.extensions["consent_kit"].store.close()


def kit_store(app):
    return app.extensions["consent_kit"].store


def test_database_url_chooses_postgresql_and_no_setting_keeps_the_data_folder(pg_app, make_app):
    assert isinstance(kit_store(pg_app), PostgresStore)
    assert isinstance(kit_store(make_app(examples=False)), EmbeddedStore)


def test_the_environment_variable_chooses_postgresql_too(make_app, pg, monkeypatch):
    url, schema = pg
    monkeypatch.setenv("CONSENT_KIT_DATABASE_URL", url)
    monkeypatch.setenv("CONSENT_KIT_DATABASE_SCHEMA", schema)
    store = kit_store(make_app(forms={"quick.yaml": QUICK_SURVEY}, examples=False))
    try:
        assert isinstance(store, PostgresStore)
        assert store.documents("survey_versions").count(survey_id="quick") == 1
    finally:
        store.close()


def test_a_participant_answers_and_takes_it_back_and_nothing_is_left_in_a_dump(pg_app, pg):
    person = Participant(pg_app.test_client())
    reference = person.complete("quick", {"word": "pgcanary1234", "colour": "red"})
    store = kit_store(pg_app)
    [stored] = list(store.iter_responses("quick"))
    assert stored.answers == {"word": "pgcanary1234", "colour": "red"}
    assert store.get_consent(stored.pseudonym) is not None
    assert [e["action"] for e in store.iter_audit()][-1:] == ["consent_given"]
    url, schema = pg
    assert "pgcanary1234" not in dump_of(url, schema)  # sealed with the person's key at rest
    with store._pool.connection() as conn:  # a backup made now, before they take it back
        [old_line] = conn.execute("SELECT record FROM responses").fetchone()

    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.get("/change-your-mind/take-back")
    person.post("/change-your-mind/take-back")
    assert person.last.status_code == 200
    assert store.count_responses() == 0
    assert store.get_consent(stored.pseudonym) is None
    assert store.verify_audit() == []
    dump = dump_of(url, schema)
    assert "CREATE" not in dump and "COPY" in dump  # a real dump of the data
    assert "pgcanary1234" not in dump
    # The old backup's copy can't be opened any more: the person's key is gone everywhere.
    assert store._sealer.open_response(old_line) is None
    with store._pool.connection() as conn:
        assert conn.execute("SELECT count(*) FROM participant_keys WHERE name = %s",
                            (stored.pseudonym,)).fetchone()[0] == 0


def dump_of(url: str, schema: str) -> str:
    """``pg_dump --data-only`` of one schema, as text."""
    return subprocess.run([_pg_dump(), "--schema", schema, "--data-only", url],
                          capture_output=True, text=True, timeout=120, check=True).stdout


def _pg_dump() -> str:
    found = shutil.which("pg_dump") or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))), None)
    assert found, "pg_dump (Debian's postgresql-client) is needed"
    return found


def test_the_schema_is_made_once_and_recorded(pg):
    url, schema = pg
    store = PostgresStore(url, schema=schema, store_key=TEST_STORE_KEY)
    try:
        assert store.count_responses() == 0  # first use makes the tables
    finally:
        store.close()
    with psycopg.connect(url, options=f"-c search_path={schema}") as conn:
        assert schema_version(conn) == LATEST
        assert migrate(conn, schema) == []  # nothing left to do
        rows = conn.execute("SELECT version FROM schema_version").fetchall()
    assert rows == [(version,) for version in range(1, LATEST + 1)]


def test_a_newer_schema_stops_an_older_consent_kit(pg):
    url, schema = pg
    PostgresStore(url, schema=schema, store_key=TEST_STORE_KEY).close()
    with psycopg.connect(url, options=f"-c search_path={schema}") as conn:
        migrate(conn, schema)
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (LATEST + 1,))
        conn.commit()
        with pytest.raises(RuntimeError, match="newer consent-kit"):
            migrate(conn, schema)


def test_a_forked_worker_gets_its_own_connections(pg):
    url, schema = pg
    store = PostgresStore(url, schema=schema, store_key=TEST_STORE_KEY)
    try:
        store.audit(actor="parent", action="before_fork")  # the parent's pool is open now
        pid = os.fork()
        if pid == 0:  # the child: a worker forked by a server after the app was built
            code = 1
            try:
                store.audit(actor="child", action="in_worker")
                code = 0 if store.verify_audit() == [] else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        store.audit(actor="parent", action="after_fork")  # the parent's connection still works
        assert [e["action"] for e in store.iter_audit()] == ["before_fork", "in_worker", "after_fork"]
        assert store.verify_audit() == []
    finally:
        store.close()


def test_exports_stream_from_a_server_side_cursor(pg):
    url, schema = pg
    store = PostgresStore(url, schema=schema, store_key=TEST_STORE_KEY)
    try:
        with store._pool.connection() as conn, conn.cursor() as cur:
            cur.execute("INSERT INTO responses (id, survey_id, record) SELECT 'r' || n, 'pilot', "
                        "json_build_object('id', 'r' || n, 'survey_id', 'pilot', 'survey_version', 'v', "
                        "'answers', json_build_object('n', n), 'submitted_at', 'x', 'reference', 'R') "
                        "FROM generate_series(1, 5000) AS n")
        stream = store.iter_responses("pilot")
        first = next(stream)
        with connect() as watcher:
            queries = [q for (q,) in watcher.execute(
                "SELECT query FROM pg_stat_activity WHERE query ILIKE %s", ("%FROM \"responses\"%",))]
        assert first.answers == {"n": 1}
        assert any(q.upper().startswith("FETCH") for q in queries), queries
        assert sum(1 for _ in stream) == 4999
    finally:
        store.close()


def test_a_database_that_does_not_answer_is_a_plain_store_error():
    from consent_kit import StoreError

    store = PostgresStore("postgresql://postgres@127.0.0.1:9/none?connect_timeout=1", timeout=1,
                          store_key=TEST_STORE_KEY)
    with pytest.raises(StoreError) as caught:
        store.count_responses()
    assert "database is not answering" in str(caught.value)


def test_an_older_schema_is_upgraded_when_the_app_starts(pg, monkeypatch):
    from consent_kit_plugins.postgresql import migrations

    url, schema = pg
    with psycopg.connect(url, options=f"-c search_path={schema}") as conn:
        monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
        monkeypatch.setattr(migrations, "LATEST", 1)
        assert migrations.migrate(conn, schema) == [1]  # as an older consent-kit left it
    monkeypatch.undo()
    store = PostgresStore(url, schema=schema, store_key=TEST_STORE_KEY)
    try:
        store.audit(actor="rae", action="export")  # needs migration 2's table
    finally:
        store.close()
    with psycopg.connect(url, options=f"-c search_path={schema}") as conn:
        assert schema_version(conn) == LATEST >= 2


def test_an_entry_left_pending_by_a_crash_is_chained_by_the_next_reader(pg):
    from consent_kit_plugins.postgresql import audit as audit_log

    url, schema = pg
    store = PostgresStore(url, schema=schema, store_key=TEST_STORE_KEY)
    try:
        store.audit(actor="rae", action="export")
        with store._pool.connection() as conn, conn.cursor() as cur:
            # Written with its change, then the server died before chaining it.
            audit_log.pending(cur, actor="participant:p1", action="consent_given", subject="quick")
        entries = list(store.iter_audit())
        assert [(e["seq"], e["action"]) for e in entries] == [(1, "export"), (2, "consent_given")]
        assert store.verify_audit() == []
        assert store.audit(actor="rae", action="export")["seq"] == 3
    finally:
        store.close()


def test_a_server_with_another_instance_key_stops_saying_so(pg):
    from consent_kit import StoreError

    url, schema = pg
    first = PostgresStore(url, schema=schema, store_key=TEST_STORE_KEY)
    another = base64.b64encode(b"another key for tests, 32 bytes.").decode("ascii")
    other = PostgresStore(url, schema=schema, store_key=another)
    try:
        first.check_key()
        with pytest.raises(StoreError, match="not the one they were locked with"):
            other.check_key()
    finally:
        first.close()
        other.close()
