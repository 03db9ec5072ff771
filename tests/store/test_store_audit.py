"""The audit log: one hash chain, durable, and every change or removal is noticed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from store_helpers import REPO_ROOT

from consent_kit.store import EmbeddedStore
from consent_kit.store.audit_chain import GENESIS, entry_hash, verify_lines

TIMEOUT = 120  # seconds: generous for a slow CI machine, but bounded


def _fill(store, n: int) -> list[dict]:
    return [
        store.audit(actor=f"participant:{i:032x}", action="consent.given", subject="pilot",
                    details={"consent_version": "abcdef0123456789", "n": i})
        for i in range(n)
    ]


def _lines(data_dir) -> list[bytes]:
    return (data_dir / "audit.jsonl").read_bytes().splitlines(keepends=True)


def _write(data_dir, lines: list[bytes]) -> None:
    (data_dir / "audit.jsonl").write_bytes(b"".join(lines))


def test_entries_form_a_chain_that_verifies(store, data_dir):
    entries = _fill(store, 5)
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0]["prev"] == GENESIS
    for before, after in zip(entries, entries[1:], strict=False):
        assert after["prev"] == before["hash"]
    assert all(e["hash"] == entry_hash(e) for e in entries)
    assert [json.loads(line) for line in _lines(data_dir)] == entries
    assert list(store.iter_audit()) == entries
    assert json.loads((data_dir / "audit.head").read_bytes()) == {"seq": 5, "hash": entries[-1]["hash"]}
    assert store.verify_audit() == []


def test_an_empty_log_verifies(store):
    assert store.verify_audit() == []
    assert list(store.iter_audit()) == []


def test_audit_append_fsyncs_the_line_but_not_the_head(store, data_dir, monkeypatch):
    _fill(store, 1)
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}"))
                        or real_fsync(fd))
    _fill(store, 1)
    # One disk wait per entry: the entry is durable; the head may lag after a
    # crash (allowed), so it is replaced atomically but not flushed.
    assert synced == [str(data_dir / "audit.jsonl")]
    assert json.loads((data_dir / "audit.head").read_text())["seq"] == 2


def test_every_changed_byte_in_any_line_is_noticed(store, data_dir):
    _fill(store, 3)
    original = _lines(data_dir)
    checked = 0
    for number, line in enumerate(original):
        for pos in range(len(line)):
            changed = bytearray(line)
            changed[pos] = ord("x") if changed[pos] != ord("x") else ord("y")
            _write(data_dir, [*original[:number], bytes(changed), *original[number + 1:]])
            assert store.verify_audit() != [], (number, pos, bytes(changed))
            checked += 1
    assert checked == sum(len(line) for line in original)
    _write(data_dir, original)
    assert store.verify_audit() == []


def test_a_changed_value_is_named_by_line(store, data_dir):
    _fill(store, 4)
    lines = _lines(data_dir)
    lines[1] = lines[1].replace(b"consent.given", b"consent.GIVEN")
    _write(data_dir, lines)
    assert store.verify_audit() == ["line 2: this entry was changed after it was written"]


def test_a_changed_entry_with_a_recomputed_hash_breaks_the_next_link(store, data_dir):
    _fill(store, 4)
    lines = _lines(data_dir)
    entry = json.loads(lines[1])
    entry["subject"] = "someone-else"
    entry["hash"] = entry_hash(entry)
    lines[1] = json.dumps(entry).encode() + b"\n"
    _write(data_dir, lines)
    assert store.verify_audit() == [
        "lines 2–3: the chain is broken between these entries, so one of them was changed "
        "after it was written"
    ]


@pytest.mark.parametrize(
    ("removed", "problem"),
    [([2], "entry 3 is missing"), ([1, 2], "entries 2–3 are missing"), ([0], "entry 1 is missing")],
)
def test_a_removed_entry_is_noticed(store, data_dir, removed, problem):
    _fill(store, 5)
    _write(data_dir, [line for i, line in enumerate(_lines(data_dir)) if i not in removed])
    assert store.verify_audit() == [problem]


@pytest.mark.parametrize(("cut", "problem"), [(1, "the last entry is missing"),
                                              (2, "the last 2 entries are missing")])
def test_removing_the_last_entries_is_noticed_through_the_head(store, data_dir, cut, problem):
    _fill(store, 5)
    _write(data_dir, _lines(data_dir)[:-cut])
    assert store.verify_audit() == [problem]


def test_a_new_entry_after_a_removed_last_one_keeps_the_gap_visible(data_dir):
    with EmbeddedStore(data_dir) as store:
        _fill(store, 5)
    _write(data_dir, _lines(data_dir)[:-1])
    with EmbeddedStore(data_dir) as store:
        entry = store.audit(actor="researcher:sam", action="export", subject="pilot")
        assert entry["seq"] == 6
        assert store.verify_audit() == ["entry 5 is missing"]


def test_removing_the_whole_file_is_noticed(store, data_dir):
    _fill(store, 3)
    (data_dir / "audit.jsonl").unlink()
    assert store.verify_audit() == ["the last 3 entries are missing"]


def test_a_line_that_is_not_an_entry_is_named(store, data_dir):
    _fill(store, 3)
    lines = _lines(data_dir)
    lines.insert(1, b'{"seq": "two"}\n')
    _write(data_dir, lines)
    assert store.verify_audit() == ["line 2 is not valid"]
    lines[1] = b"not json at all\n"
    _write(data_dir, lines)
    assert store.verify_audit() == ["line 2 is not valid"]


def test_a_repeated_line_is_noticed(store, data_dir):
    _fill(store, 3)
    lines = _lines(data_dir)
    _write(data_dir, [*lines[:2], lines[1], lines[2]])
    assert store.verify_audit() == ["line 3: entry 2 is out of order or appears twice"]


def test_a_changed_or_missing_head_is_noticed(store, data_dir):
    _fill(store, 3)
    head = json.loads((data_dir / "audit.head").read_bytes())
    (data_dir / "audit.head").write_text(json.dumps({"seq": 3, "hash": "f" * 64}))
    assert store.verify_audit() == [
        "entry 3 does not match the copy kept in audit.head, so entries were changed after they "
        "were written"
    ]
    (data_dir / "audit.head").unlink()
    assert store.verify_audit() == [
        "the file audit.head is missing, so removed last entries could not be noticed"
    ]
    (data_dir / "audit.head").write_text(json.dumps(head))
    assert store.verify_audit() == []


def test_a_crash_before_the_head_is_written_is_not_a_problem(store, data_dir):
    _fill(store, 3)
    head = (data_dir / "audit.head").read_bytes()
    _fill(store, 1)
    (data_dir / "audit.head").write_bytes(head)  # as if killed between the entry and the head
    assert store.verify_audit() == []
    assert _fill(store, 1)[0]["seq"] == 5
    assert store.verify_audit() == []


def test_a_torn_last_line_is_ignored_then_cut_off(store, data_dir):
    _fill(store, 2)
    with open(data_dir / "audit.jsonl", "ab") as f:
        f.write(b'{"seq":3,"at":"2026-')  # killed mid-write: never acknowledged
    assert store.verify_audit() == []
    assert _fill(store, 1)[0]["seq"] == 3
    assert store.verify_audit() == []
    assert len(_lines(data_dir)) == 3


def test_details_must_be_plain_json_and_actor_and_action_given(store, data_dir):
    with pytest.raises(ValueError):
        store.audit(actor="", action="export")
    with pytest.raises(ValueError):
        store.audit(actor="researcher:sam", action="")
    with pytest.raises(ValueError):
        store.audit(actor="researcher:sam", action="export", details={"when": object()})
    with pytest.raises(ValueError):
        store.audit(actor="researcher:sam", action="export", details=["not", "a", "dict"])
    assert store.verify_audit() == []
    assert not (data_dir / "audit.jsonl").exists() or _lines(data_dir) == []


def test_verify_lines_counts_entries():
    assert verify_lines([], None) == (0, [])


_WORKER = textwrap.dedent(
    """
    import sys
    from consent_kit.store import EmbeddedStore

    store = EmbeddedStore(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()  # the test releases both processes at once
    for i in range(100):
        store.audit(actor="worker:" + sys.argv[2], action="test.append", details={"i": i})
    store.close()
    print("done", flush=True)
    """
)


def test_two_processes_appending_at_once_make_one_chain(data_dir):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, str(data_dir), name], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT)
        for name in ("a", "b")
    ]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=TIMEOUT)[0] for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    with EmbeddedStore(data_dir) as store:
        assert store.verify_audit() == []
        entries = list(store.iter_audit())
    assert [e["seq"] for e in entries] == list(range(1, 201))
    actors = [e["actor"] for e in entries]
    assert actors.count("worker:a") == 100 and actors.count("worker:b") == 100
    for name in ("a", "b"):  # each process's own entries stay in its order
        assert [e["details"]["i"] for e in entries if e["actor"] == f"worker:{name}"] == list(range(100))
    assert json.loads((data_dir / "audit.head").read_bytes())["seq"] == 200
