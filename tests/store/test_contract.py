"""The Store contract (consent_kit.store.contract) against both built-in backends.

The PostgreSQL runs each get a schema of their own on the test server (see
tests/plugins/postgresql/pg_testdb.py), dropped afterwards.
"""

from __future__ import annotations

import functools

import pytest
from pg_testdb import store_factory as pg_factory
from pg_testdb import temporary_schema

from consent_kit.store import EmbeddedStore
from consent_kit.testing import StoreContract


@pytest.fixture(params=["embedded", "postgresql"])
def store_factory(request, tmp_path):
    """Opens the same store each time it is called, in this process or another."""
    if request.param == "embedded":
        yield functools.partial(EmbeddedStore, str(tmp_path / "data"))
        return
    with temporary_schema("ck_contract") as (url, schema):
        yield pg_factory(url, schema)


class TestStoreContract(StoreContract):
    """Every promise of the Store, kept by the embedded store and by PostgreSQL alike."""
