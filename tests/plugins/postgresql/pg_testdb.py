"""A PostgreSQL schema of its own for each test, dropped afterwards.

The server is ``$CONSENT_KIT_TEST_DATABASE_URL`` when set, else the local one
(postgresql://postgres@127.0.0.1:5432/test). ``make test`` starts a throwaway
server when none answers (``make postgres-test``), so a test that can't reach
one fails, saying how to get one: it never skips.
"""

from __future__ import annotations

import base64
import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from consent_kit_plugins.postgresql.store import PostgresStore
from psycopg import sql

URL_ENV = "CONSENT_KIT_TEST_DATABASE_URL"
#: The instance key of the tests' stores (base64 of 32 bytes; the same in every test process).
TEST_STORE_KEY = base64.b64encode(b"consent-kit tests only, 32 bytes").decode("ascii")
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def test_database_url() -> str:
    """Where the tests' PostgreSQL is."""
    return os.environ.get(URL_ENV) or DEFAULT_URL


test_database_url.__test__ = False  # a helper, not a test


def connect() -> psycopg.Connection:
    """An autocommit connection to the test database, or a test failure that says what to do."""
    url = test_database_url()
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        pytest.fail(f"No PostgreSQL answers at {url} ({error}). Run the tests with `make test` "
                    f"(it starts a throwaway server), start one with `make postgres-test`, or set "
                    f"{URL_ENV}.", pytrace=False)


@contextmanager
def temporary_schema(prefix: str = "ck_test") -> Iterator[tuple[str, str]]:
    """``(url, schema)`` of a new empty schema, dropped (with everything in it) afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield test_database_url(), schema
    finally:
        with connect() as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def store_factory(url: str, schema: str):
    """A picklable opener of the store in ``schema`` (for the contract's other processes)."""
    return functools.partial(PostgresStore, url, schema=schema, store_key=TEST_STORE_KEY)
