"""The journal: durability, torn lines, a full disk and the cost of an append."""

from __future__ import annotations

import errno
import logging
import os

import pytest
from store_helpers import make_response

from consent_kit.store import EmbeddedStore, StoreError

DISK_FULL = (
    "We couldn't save your answers because the computer running this survey has run out of "
    "space. Nothing you saved before is lost. Please tell the researchers."
)


def _path_of(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


def test_add_response_writes_then_fsyncs_file_and_new_directory(data_dir, monkeypatch):
    events = []
    real_write, real_fsync = os.write, os.fsync
    monkeypatch.setattr(
        os, "write", lambda fd, b: events.append(("write", _path_of(fd))) or real_write(fd, b)
    )
    monkeypatch.setattr(os, "fsync", lambda fd: events.append(("fsync", _path_of(fd))) or real_fsync(fd))
    real_open = os.open

    def spy_open(path, flags, *args, **kwargs):
        fd = real_open(path, flags, *args, **kwargs)
        if flags & os.O_CREAT:
            events.append(("create", str(path)))
        return fd

    monkeypatch.setattr(os, "open", spy_open)
    store = EmbeddedStore(data_dir)
    journal = str(data_dir / "responses.jsonl")

    store.add_response(make_response("a" * 32))

    # The new file's name is durable too: the folder is flushed after the journal is made and
    # before its first line is written (other files' own folder flushes don't count).
    made = events.index(("create", journal))
    first_write = events.index(("write", journal))
    assert ("fsync", str(data_dir)) in events[made + 1:first_write]
    last_write = max(i for i, e in enumerate(events) if e == ("write", journal))
    assert ("fsync", journal) in events[last_write + 1 :]
    assert events.count(("write", journal)) == 1  # one whole line in one write
    events.clear()
    store.add_response(make_response("b" * 32))
    # No rewrite, no dir fsync (answers with no pseudonym get their own key first: see test_crypto_*).
    assert [e for e in events if e[1] in (journal, str(data_dir))] == [("write", journal), ("fsync", journal)]
    store.close()


def test_file_holds_one_json_line_per_response(store, data_dir):
    for n in range(3):
        store.add_response(make_response(f"{n}" * 32))
    lines = (data_dir / "responses.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert [line[:30] for line in lines[:-1]] == [
        b'{"kind":"response","id":"' + bytes(f"{n}" * 5, "ascii") for n in range(3)
    ]


def test_torn_last_line_is_skipped_with_warning_then_cut_before_next_append(store, data_dir, caplog):
    for n in range(3):
        store.add_response(make_response(f"{n}" * 32))
    path = data_dir / "responses.jsonl"
    good = path.read_bytes()
    torn = b'{"kind":"response","id":"torn-canary","survey_id":"pil'
    with open(path, "ab") as f:  # what a writer killed mid-write leaves behind
        f.write(torn)

    with caplog.at_level(logging.WARNING, logger="consent_kit.store"):
        reopened = EmbeddedStore(data_dir)
        assert reopened.count_responses() == 3
        assert [r.id for r in reopened.iter_responses()] == [f"{n}" * 32 for n in range(3)]
        assert reopened.get_response("torn-canary") is None
    skipped = [r for r in caplog.records if "Skipping a torn last line" in r.getMessage()]
    assert len(skipped) == 1  # once, not on every operation
    assert skipped[0].levelno == logging.WARNING
    assert path.read_bytes() == good + torn  # reading never changes the file

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="consent_kit.store"):
        reopened.add_response(make_response("9" * 32))
    assert any("Removed a torn last line" in r.getMessage() for r in caplog.records)
    data = path.read_bytes()
    assert data.startswith(good)
    assert b"torn-canary" not in data
    assert data.count(b"\n") == 4 and data.endswith(b"\n")
    assert reopened.get_response("9" * 32) is not None
    assert store.count_responses() == 4  # the first instance catches up cleanly
    reopened.close()


def test_damaged_line_in_the_middle_is_skipped_not_fatal(store, data_dir, caplog):
    store.add_response(make_response("a" * 32))
    with open(data_dir / "responses.jsonl", "ab") as f:
        f.write(b"\x00\x00\x00 not json\n")
    store.add_response(make_response("b" * 32))
    with caplog.at_level(logging.WARNING, logger="consent_kit.store"):
        with EmbeddedStore(data_dir) as reopened:
            assert [r.id for r in reopened.iter_responses()] == ["a" * 32, "b" * 32]
            assert reopened.count_responses() == 2
    assert any("damaged" in r.getMessage() for r in caplog.records)


def _fill_disk_after_half(monkeypatch, marker: bytes):
    """Make os.write run out of space half-way through the line containing ``marker``."""
    real_write = os.write
    state = {"fd": None}

    def write(fd, data):
        if state["fd"] == fd:
            raise OSError(errno.ENOSPC, "No space left on device")
        if marker in bytes(data):
            state["fd"] = fd
            return real_write(fd, bytes(data)[: len(data) // 2])
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)


def test_disk_full_mid_append_raises_plain_error_and_keeps_earlier_records(store, data_dir, monkeypatch):
    for n in range(3):
        store.add_response(make_response(f"{n}" * 32))
    path = data_dir / "responses.jsonl"
    store.keys.get_or_create("p" * 32)  # the answers' key is already on disk: the line itself fails
    before = path.read_bytes()
    _fill_disk_after_half(monkeypatch, b"f" * 32)  # the answers are sealed: find the line by its id

    with pytest.raises(StoreError) as caught:
        store.add_response(make_response("f" * 32, answers={"q1": "full-canary" * 100}, pseudonym="p" * 32))

    assert str(caught.value) == DISK_FULL
    assert caught.value.reason == "disk_full"
    assert path.read_bytes() == before  # the partial line was cut off again
    monkeypatch.undo()
    assert store.get_response("f" * 32) is None
    assert store.add_response(make_response("f" * 32))[1] is True  # a retry can succeed
    with EmbeddedStore(data_dir) as reopened:
        assert reopened.count_responses() == 4


def test_fsync_failure_is_not_acknowledged(store, data_dir, monkeypatch):
    store.add_response(make_response("a" * 32))
    before = (data_dir / "responses.jsonl").read_bytes()

    def failing_fsync(fd):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(StoreError) as caught:
        store.add_response(make_response("b" * 32))
    monkeypatch.undo()
    assert caught.value.reason == "io_error"
    assert "Nothing you saved before is lost" in str(caught.value)
    assert (data_dir / "responses.jsonl").read_bytes() == before


def _count_io(monkeypatch):
    counts = {"read": 0, "written": 0, "replaced": 0, "reads": []}
    real_pread, real_write, real_replace = os.pread, os.write, os.replace

    def pread(fd, n, offset):
        data = real_pread(fd, n, offset)
        counts["read"] += len(data)
        counts["reads"].append((offset, len(data)))
        return data

    def write(fd, data):
        n = real_write(fd, data)
        counts["written"] += n
        return n

    def replace(*args, **kwargs):
        counts["replaced"] += 1
        return real_replace(*args, **kwargs)

    monkeypatch.setattr(os, "pread", pread)
    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "replace", replace)
    return counts


@pytest.mark.parametrize("stored", [10, 3000])
def test_append_io_does_not_grow_with_stored_responses(data_dir, monkeypatch, stored):
    ours, theirs = EmbeddedStore(data_dir), EmbeddedStore(data_dir)
    who = "p" * 32  # one participant's key (sealing: see test_crypto_*)
    theirs.keys.get_or_create(who)
    for n in range(stored):
        theirs.add_response(make_response(f"{n:032d}", pseudonym=who))
    ours.count_responses()  # catch up once, as a running worker would have
    ours.keys.get(who)
    theirs.add_response(make_response("t" * 32, pseudonym=who))  # one line this process has not seen
    path = data_dir / "responses.jsonl"
    start = path.read_bytes().rindex(b"\n", 0, -1) + 1
    unseen = path.stat().st_size - start

    counts = _count_io(monkeypatch)
    ours.add_response(make_response("o" * 32, pseudonym=who))

    # The other process's new line, and the sender's first line (0) to check that the entry found
    # by the pseudonym's hash is theirs: the key, read before, is kept while keys.jsonl is the same
    # file (see test_store_send_speed). Nothing else, however many answers are stored.
    assert sum(n for at, n in counts["reads"] if at == start) == unseen
    assert {at for at, _ in counts["reads"]} == {start, 0}
    assert counts["read"] <= unseen + 2 * 4096
    assert counts["written"] == path.stat().st_size - path.read_bytes().rindex(b"\n", 0, -1) - 1
    assert counts["replaced"] == 0
    ours.close()
    theirs.close()
