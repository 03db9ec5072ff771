"""TinyDB tables: atomic storage, a cross-process lock, and no stale caches."""

from __future__ import annotations

import errno
import json
import os
import threading

import pytest
from tinydb import Query

from consent_kit.store import EmbeddedStore, StoreError
from consent_kit.store.tables import AtomicJSONStorage

Q = Query()


@pytest.fixture
def two(data_dir):
    """Two stores on one folder, as two worker processes would have."""
    one, two = EmbeddedStore(data_dir), EmbeddedStore(data_dir)
    yield one.table("users"), two.table("users")
    one.close()
    two.close()


def test_table_operations(store):
    users = store.table("users")
    first = users.insert({"name": "Ada", "role": "researcher"})
    second = users.insert({"name": "Bo", "role": "admin"})
    assert (first, second) == (1, 2)
    assert users.get(Q.name == "Bo").doc_id == 2
    assert users.get(Q.name == "Cy") is None
    assert [d["name"] for d in users.search(Q.role == "researcher")] == ["Ada"]
    assert users.update({"role": "admin"}, Q.name == "Ada") == [1]
    assert users.count(Q.role == "admin") == 2
    assert users.upsert({"name": "Cy", "role": "viewer"}, Q.name == "Cy") == [3]
    assert users.upsert({"name": "Cy", "role": "admin"}, Q.name == "Cy") == [3]
    assert users.remove(Q.name == "Bo") == [2]
    assert len(users) == 2
    assert store.table("surveys").all() == []  # tables are separate
    users.truncate()
    assert users.all() == []


def test_two_instances_never_hand_out_the_same_id(two):
    mine, theirs = two
    ids = []
    for n in range(5):
        ids.append(mine.insert({"n": n, "by": "mine"}))
        ids.append(theirs.insert({"n": n, "by": "theirs"}))
    assert ids == list(range(1, 11))
    assert len(mine.all()) == len(theirs.all()) == 10


def test_two_instances_never_read_stale_data(two):
    mine, theirs = two
    assert mine.search(Q.name == "Ada") == []  # would be cached by a plain TinyDB table
    assert mine.count(Q.name == "Ada") == 0
    theirs.insert({"name": "Ada", "role": "viewer"})
    assert [d["name"] for d in mine.search(Q.name == "Ada")] == ["Ada"]
    assert mine.count(Q.name == "Ada") == 1
    theirs.update({"role": "admin"}, Q.name == "Ada")
    assert mine.get(Q.name == "Ada")["role"] == "admin"
    theirs.remove(Q.name == "Ada")
    assert mine.get(Q.name == "Ada") is None


def test_ids_of_removed_documents_are_not_reused(two):
    mine, theirs = two
    mine.insert({"n": 1})
    newest = mine.insert({"n": 2})
    theirs.remove(Q.n == 2)
    assert theirs.insert({"n": 3}) == newest + 1
    theirs.truncate()
    assert mine.insert({"n": 4}) == newest + 2


def test_threads_on_two_instances_insert_unique_ids(two):
    start = threading.Barrier(8)
    ids: list[int] = []

    def worker(n: int) -> None:
        table = two[n % 2]
        start.wait(timeout=30)
        for i in range(25):
            ids.append(table.insert({"worker": n, "i": i}))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(ids) == list(range(1, 201))
    assert len(two[0].all()) == 200


def test_atomic_storage_reads_none_for_missing_or_empty_file(tmp_path):
    storage = AtomicJSONStorage(tmp_path / "t.json")
    assert storage.read() is None
    (tmp_path / "t.json").write_text("  \n")
    assert storage.read() is None
    storage.write({"users": {"1": {"name": "Ada"}}})
    assert storage.read()["users"] == {"1": {"name": "Ada"}}


@pytest.mark.parametrize("fail", ["write", "replace"])
def test_failed_write_keeps_the_old_file_and_no_temp(store, data_dir, monkeypatch, fail):
    users = store.table("users")
    users.insert({"name": "Ada"})
    before = (data_dir / "tables.json").read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, fail, full)
    with pytest.raises(StoreError) as caught:
        users.insert({"name": "Bo"})
    monkeypatch.undo()
    assert caught.value.reason == "disk_full"
    assert (data_dir / "tables.json").read_bytes() == before
    assert not [p for p in data_dir.iterdir() if p.suffix == ".tmp"]
    assert [d["name"] for d in users.all()] == ["Ada"]


def test_damaged_tables_file_is_not_silently_emptied(store, data_dir):
    store.table("users").insert({"name": "Ada"})
    (data_dir / "tables.json").write_text('{"users": {"1": {"na')
    with pytest.raises(StoreError):
        store.table("users").insert({"name": "Bo"})
    assert (data_dir / "tables.json").read_text() == '{"users": {"1": {"na'


def test_stale_temp_files_are_removed(store, data_dir):
    (data_dir / ".tables.json.crashed.tmp").write_text(json.dumps({"secret": 1}))
    store.table("users").all()
    assert not (data_dir / ".tables.json.crashed.tmp").exists()


@pytest.mark.parametrize("name", ["", "__last_ids__", None])
def test_reserved_or_empty_table_names_are_refused(store, name):
    with pytest.raises(ValueError):
        store.table(name)
