"""Drafts: one atomic file each, expiry, and ids that never become paths unchecked."""

from __future__ import annotations

import errno
import os
import time

import pytest

from consent_kit.store import StoreError

DRAFT = "Abc_def-0123456789"  # 18 URL-safe characters
NOW = 2_000_000_000.0


def test_draft_round_trip_and_overwrite(store, data_dir):
    store.save_draft(DRAFT, {"q1": "yes", "page": 2}, expires_at=time.time() + 600)
    assert store.load_draft(DRAFT) == {"q1": "yes", "page": 2}
    store.save_draft(DRAFT, {"q1": "no"}, expires_at=time.time() + 600)
    assert store.load_draft(DRAFT) == {"q1": "no"}
    assert [p.name for p in (data_dir / "drafts").iterdir()] == [f"{DRAFT}.json"]
    assert (data_dir / "drafts" / f"{DRAFT}.json").stat().st_mode & 0o777 == 0o600
    store.delete_draft(DRAFT)
    assert store.load_draft(DRAFT) is None
    store.delete_draft(DRAFT)  # deleting twice is fine


def test_expired_draft_loads_as_none_and_is_deleted(store, data_dir):
    store.save_draft(DRAFT, {"q1": "yes"}, expires_at=time.time() - 1)
    assert (data_dir / "drafts" / f"{DRAFT}.json").exists()
    assert store.load_draft(DRAFT) is None
    assert not (data_dir / "drafts" / f"{DRAFT}.json").exists()


def test_purge_expired_drafts(store, data_dir):
    for n, expires_at in enumerate([NOW - 10, NOW, NOW + 10]):
        store.save_draft(f"{DRAFT}{n}", {"n": n}, expires_at=expires_at)
    stale_temp = data_dir / "drafts" / f".{DRAFT}9.json.x.tmp"
    fresh_temp = data_dir / "drafts" / f".{DRAFT}8.json.y.tmp"
    for temp in (stale_temp, fresh_temp):
        temp.write_text('{"answers": "left by a crash"}')
    os.utime(stale_temp, (NOW - 7200, NOW - 7200))
    os.utime(fresh_temp, (NOW - 5, NOW - 5))

    assert store.purge_expired_drafts(now=NOW) == 2  # expiry is inclusive
    names = sorted(p.name for p in (data_dir / "drafts").iterdir())
    assert names == [fresh_temp.name, f"{DRAFT}2.json"]
    assert store.purge_expired_drafts(now=NOW) == 0


@pytest.mark.parametrize(
    "bad_id",
    [
        "../../../etc/passwd",
        "../" + "a" * 20,
        "a" * 15,
        "a" * 65,
        "a" * 16 + "\n",
        "a" * 16 + ".json",
        "a" * 16 + "/b",
        "ä" * 20,
        "",
        None,
        12345678901234567890,
    ],
)
def test_bad_draft_ids_are_treated_as_missing(store, data_dir, bad_id):
    assert store.load_draft(bad_id) is None
    store.delete_draft(bad_id)
    with pytest.raises(ValueError):
        store.save_draft(bad_id, {"q1": "x"}, expires_at=NOW)
    assert list((data_dir / "drafts").iterdir()) == []
    assert sorted(p.name for p in data_dir.parent.iterdir()) == ["data"]


@pytest.mark.parametrize("good_id", ["a" * 16, "Z" * 64, "-_" * 8])
def test_boundary_draft_ids_are_accepted(store, good_id):
    store.save_draft(good_id, {"ok": True}, expires_at=time.time() + 60)
    assert store.load_draft(good_id) == {"ok": True}


def test_draft_write_is_atomic_when_the_disk_is_full(store, data_dir, monkeypatch):
    store.save_draft(DRAFT, {"q1": "first"}, expires_at=time.time() + 600)

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StoreError) as caught:
        store.save_draft(DRAFT, {"q1": "second"}, expires_at=time.time() + 600)
    monkeypatch.undo()
    assert caught.value.reason == "disk_full"
    assert "your progress" in str(caught.value)
    assert store.load_draft(DRAFT) == {"q1": "first"}
    assert [p.name for p in (data_dir / "drafts").iterdir()] == [f"{DRAFT}.json"]


def test_damaged_draft_file_is_treated_as_missing(store, data_dir, caplog):
    (data_dir / "drafts" / f"{DRAFT}.json").write_bytes(b'{"expires_at": 4e9, "data": {"q')
    assert store.load_draft(DRAFT) is None
    assert any("damaged draft" in r.getMessage() for r in caplog.records)


def test_new_drafts_are_refused_plainly_when_the_folder_is_full(tmp_path):
    from consent_kit.store.drafts import Drafts, DraftsFull

    drafts = Drafts(tmp_path / "drafts", max_drafts=2)
    later = time.time() + 600
    drafts.save(f"{DRAFT}1", {"n": 1}, expires_at=later)
    drafts.save(f"{DRAFT}2", {"n": 2}, expires_at=later)
    with pytest.raises(DraftsFull) as refused:
        drafts.save(f"{DRAFT}3", {"n": 3}, expires_at=later)
    assert refused.value.reason == "full"
    assert "a lot of people" in str(refused.value)
    drafts.save(f"{DRAFT}1", {"n": "changed"}, expires_at=later)  # people part-way carry on
    assert drafts.load(f"{DRAFT}1") == {"n": "changed"}
    drafts.delete(f"{DRAFT}2")
    drafts.save(f"{DRAFT}3", {"n": 3}, expires_at=later)  # room again
    assert sorted(p.name for p in (tmp_path / "drafts").iterdir()) == [f"{DRAFT}1.json", f"{DRAFT}3.json"]


def test_expired_drafts_make_room_and_bytes_have_a_ceiling_too(tmp_path):
    from consent_kit.store.drafts import Drafts, DraftsFull

    drafts = Drafts(tmp_path / "drafts", max_drafts=1)
    drafts.save(f"{DRAFT}1", {"n": 1}, expires_at=time.time() - 1)
    drafts.save(f"{DRAFT}2", {"n": 2}, expires_at=time.time() + 600)  # the expired one goes
    assert [p.name for p in (tmp_path / "drafts").iterdir()] == [f"{DRAFT}2.json"]

    small = Drafts(tmp_path / "small", max_bytes=300)
    small.save(f"{DRAFT}1", {"text": "x" * 100}, expires_at=time.time() + 600)
    with pytest.raises(DraftsFull):
        small.save(f"{DRAFT}2", {"text": "y" * 200}, expires_at=time.time() + 600)
    assert not (tmp_path / "small" / f"{DRAFT}2.json").exists()


def test_another_process_s_drafts_are_counted_at_the_next_recount(tmp_path, monkeypatch):
    from consent_kit.store import drafts as drafts_module

    one = drafts_module.Drafts(tmp_path / "drafts", max_drafts=2)
    two = drafts_module.Drafts(tmp_path / "drafts", max_drafts=2)
    assert one.usage() == (0, 0)
    two.save(f"{DRAFT}1", {"n": 1}, expires_at=time.time() + 600)
    two.save(f"{DRAFT}2", {"n": 2}, expires_at=time.time() + 600)
    # one's own count is stale (it saw none); once a recount is due it sees two's drafts.
    monkeypatch.setattr(drafts_module, "RECOUNT_SECONDS", 0.0)
    with pytest.raises(drafts_module.DraftsFull):
        one.save(f"{DRAFT}3", {"n": 3}, expires_at=time.time() + 600)
