"""Crash paths of keys.jsonl: a destroyed key never survives in the current file (issue 16 §4)."""

from __future__ import annotations

import errno
import logging
import os

import pytest
from store_helpers import make_response

from consent_kit.store import EmbeddedStore, StoreError
from consent_kit.store.journal import decode, encode

P1, P2 = "1" * 32, "2" * 32


def _path_of(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


def key_lines(data_dir) -> list[bytes]:
    return (data_dir / "keys.jsonl").read_bytes().splitlines()


def test_destroying_a_key_overwrites_its_line_in_place_flushed_before_anything_says_so(store, data_dir,
                                                                                      monkeypatch):
    """Kills: no fsync of the blanks (the ``blanked`` line could reach the disk first); the erasure
    not counted in the lock file (a key kept by another process could be given again)."""
    store.keys.get_or_create(P1)
    store.keys.get_or_create(P2)
    keys = str(data_dir / "keys.jsonl")
    p1_line = next(ln for ln in key_lines(data_dir) if P1.encode() in ln)
    wrapped = decode(p1_line, where="t")["key"].encode()
    offset = (data_dir / "keys.jsonl").read_bytes().index(p1_line)
    erasures = (data_dir / "keys.lock").stat().st_size
    events = []
    real_fsync, real_pwrite, real_write, real_replace = os.fsync, os.pwrite, os.write, os.replace
    spy = events.append
    monkeypatch.setattr(os, "fsync", lambda fd: spy(("fsync", _path_of(fd))) or real_fsync(fd))
    monkeypatch.setattr(os, "pwrite", lambda fd, data, at: spy(("pwrite", _path_of(fd), at, bytes(data)))
                        or real_pwrite(fd, data, at))
    monkeypatch.setattr(os, "write", lambda fd, data: spy(("write", _path_of(fd), bytes(data)))
                        or real_write(fd, data))
    monkeypatch.setattr(os, "replace", lambda a, b: spy(("replace", str(a), str(b))) or real_replace(a, b))

    assert store.keys.destroy(P1) is True

    blanks = [e for e in events if e[0] == "pwrite" and e[1] == keys]
    assert [(e[2], len(e[3])) for e in blanks] == [(offset, len(p1_line))]  # the line, in place
    said = next(n for n, e in enumerate(events) if e[0] == "write" and e[1] == keys
                and e[2].startswith(b'{"kind":"blanked"'))
    flushed = [n for n, e in enumerate(events) if e == ("fsync", keys)]
    assert any(events.index(blanks[-1]) < n < said for n in flushed)  # blanks on disk first
    assert not any(e[0] == "replace" and e[2] == keys for e in events)
    data = (data_dir / "keys.jsonl").read_bytes()
    assert wrapped not in data and P1.encode() not in data
    named = [decode(ln, where="t") for ln in key_lines(data_dir)]
    assert [line["name"] for line in named if "name" in line] == ["~instance-key-check", P2]
    assert (data_dir / "keys.lock").stat().st_size == erasures + 1


def test_a_failed_erasure_keeps_the_consent_and_a_second_withdrawal_finishes(store, data_dir, monkeypatch):
    store.add_submission(*_submission(P1, "a" * 32))
    real_fsync = os.fsync

    def full(fd):
        if _path_of(fd).endswith("keys.jsonl"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StoreError) as caught:
        store.withdraw(P1, at="2026-11-28T10:00:00Z")
    assert caught.value.reason == "disk_full"
    assert store.get_consent(P1) is not None  # the withdrawal code still works: they can try again
    monkeypatch.undo()
    result = store.withdraw(P1, at="2026-11-28T10:05:00Z")
    assert result["consents"] == 1 and store.keys.get(P1) is None
    assert not any(P1.encode() in line for line in key_lines(data_dir))


def test_a_torn_key_line_is_skipped_then_cut_off(data_dir, caplog):
    with EmbeddedStore(data_dir) as store:
        key = store.keys.get_or_create(P1)
    whole = key_lines(data_dir)[-1]
    with open(data_dir / "keys.jsonl", "ab") as handle:  # killed half-way through writing P2's key
        handle.write(whole.replace(P1.encode(), P2.encode())[: len(whole) // 2])
    caplog.set_level(logging.WARNING)
    with EmbeddedStore(data_dir) as store:
        assert store.keys.get(P1) == key
        assert store.keys.get(P2) is None  # never acknowledged, so nothing was sealed with it
        new = store.keys.get_or_create(P2)
        assert store.keys.get(P2) == new
    assert "torn" in caplog.text.lower()
    assert all(decode(line, where="t") is not None for line in key_lines(data_dir))


def test_a_damaged_key_line_of_a_withdrawn_person_goes_too(data_dir):
    with EmbeddedStore(data_dir) as store:
        store.add_submission(*_submission(P1, "a" * 32))
        store.add_submission(*_submission(P2, "b" * 32))
    lines = key_lines(data_dir)
    mine = next(i for i, line in enumerate(lines) if P1.encode() in line)
    damaged = bytearray(lines[mine])
    damaged[-15] ^= 0x01  # one flipped bit: the checksum no longer matches
    lines[mine] = bytes(damaged)
    (data_dir / "keys.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    with EmbeddedStore(data_dir) as store:
        assert store.keys.get(P1) is None  # a damaged line is never half-read
        store.withdraw(P1, at="2026-11-28T10:00:00Z")
        assert store.get_response("b" * 32) is not None
    assert not any(P1.encode() in line for line in key_lines(data_dir))


def test_a_key_made_again_for_a_withdrawn_person_is_destroyed_at_the_next_start(data_dir, caplog):
    with EmbeddedStore(data_dir) as store:
        store.add_submission(*_submission(P1, "a" * 32))
        store.withdraw(P1, at="2026-11-28T10:00:00Z")
        store.save_draft("d" * 20, {"pseudonym": P1}, expires_at=4e9)  # a page left open saves again
        assert store.keys.get(P1) is not None
    caplog.set_level(logging.WARNING)
    with EmbeddedStore(data_dir) as store:
        assert store.keys.get(P1) is None
    assert "Destroying 1 key(s)" in caplog.text


def test_a_new_participants_key_is_on_disk_before_their_answers(store, data_dir, monkeypatch):
    order = []
    real_fsync = os.fsync
    name = os.path.basename
    monkeypatch.setattr(os, "fsync", lambda fd: order.append(name(_path_of(fd))) or real_fsync(fd))
    store.add_submission(*_submission(P1, "a" * 32))
    assert order.index("keys.jsonl") < order.index("responses.jsonl")


def _submission(pseudonym: str, response_id: str):
    from consent_kit.consent.records import ConsentRecord

    consent = ConsentRecord(pseudonym=pseudonym, survey_id="pilot", consent_version="v1",
                            agreed=("take_part",), given_at="2026-11-26T08:30:00Z")
    answers = make_response(response_id, answers={"q1": "canary"}, pseudonym=pseudonym)
    return consent, answers, {"actor": f"participant:{pseudonym}", "action": "consent_given"}


def test_keys_of_drafts_never_sent_are_swept_once_the_draft_has_gone(store, data_dir):
    """Anyone can start a survey: keys of abandoned drafts must not pile up (or keep old backups readable)."""
    store.save_draft("a" * 20, {"pseudonym": "gone"}, expires_at=1_000)  # abandoned, expires
    store.save_draft("b" * 20, {"pseudonym": "still-typing"}, expires_at=4e9)
    store.add_submission(*_submission(P1, "a" * 32))  # sent: their key stays
    store.add_response(make_response("c" * 32, pseudonym="answers-only"))  # no consent line: stays too
    store.add_consent(_submission("consent-only", "d" * 32)[0])  # no answers (yet): stays too
    store.keys.get_or_create("made-just-now")  # its draft may be being written right now
    later = 4e9 - 1  # every key is older than the grace period by then, the first draft expired
    lines = key_lines(data_dir)
    young = next(i for i, line in enumerate(lines) if b"made-just-now" in line)
    lines[young] = encode({**decode(lines[young], where="t"), "made": int(later)}).rstrip(b"\n")
    (data_dir / "keys.jsonl").write_bytes(b"\n".join(lines) + b"\n")

    assert store.purge_expired_drafts(now=later) == 1
    assert store.keys.get("gone") is None
    assert all(store.keys.get(name) is not None
               for name in ("still-typing", P1, "answers-only", "consent-only", "made-just-now"))
    assert store.load_draft("b" * 20) == {"pseudonym": "still-typing"}
    assert store.get_response("a" * 32) is not None
