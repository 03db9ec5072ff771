"""Crash paths of the journal rewrite and of withdrawal (issue 21 §1, issue 23 items 9 and 13).

Each test names the hand-made mutant of ``consent_kit/store`` it kills.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from store_helpers import make_response, spawn_worker
from test_store_consents import make_record

from consent_kit.store import EmbeddedStore, WithdrawnConsent
from consent_kit.store import journal as journal_module

P1, P2 = "1" * 32, "2" * 32
CANARY = "canary-answer-7f3a"
TIMEOUT = 120  # a bound on a stuck child, never a measurement


def audit_of(pseudonym: str) -> dict:
    return {"actor": f"participant:{pseudonym}", "action": "consent_withdrawn",
            "subject": "pilot", "details": {"incomplete": []}}


def withdrawal_entries(store, pseudonym: str) -> list[dict]:
    return [e for e in store.iter_audit()
            if e["action"] == "consent_withdrawn" and e["actor"] == f"participant:{pseudonym}"]


def _path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


# -- the order of flushes in a rewrite -------------------------------------------

def test_rewrite_flushes_the_temp_file_before_replacing_and_the_folder_after(store, data_dir, monkeypatch):
    """Kills: no fsync of the temp file; no fsync of the folder; folder fsync'd before the replace.

    Removing sample answers rewrites the journal (a withdrawal erases in place, see below)."""
    store.add_sample_responses([make_response("a" * 32, source="sample")])
    store.add_response(make_response("b" * 32))
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append(("fsync", _path(fd))) or real_fsync(fd))
    monkeypatch.setattr(os, "replace",
                        lambda a, b: events.append(("replace", str(a), str(b))) or real_replace(a, b))

    assert store.remove_sample_responses("pilot") == 1

    journal, folder = str(data_dir / "responses.jsonl"), str(data_dir)
    replaces = [e for e in events if e[0] == "replace" and e[2] == journal]
    assert len(replaces) == 1
    tmp = replaces[0][1]
    at = events.index(replaces[0])
    assert ("fsync", tmp) in events[:at], "the new file must be on disk before its name is"
    assert ("fsync", folder) in events[at + 1:], "the new name must be on disk before success"


# -- a torn last line is never carried into a rewritten file ------------------------

def test_a_torn_last_line_is_not_copied_by_a_withdrawal(data_dir):
    """Kills: the rewrite copies every line, the torn tail included."""
    with EmbeddedStore(data_dir) as store:
        store.add_consent(make_record(P1))
        store.add_response(make_response("a" * 32, pseudonym=P1))
        store.add_response(make_response("b" * 32, pseudonym=P2))
    with open(data_dir / "responses.jsonl", "ab") as f:  # a writer killed mid-line
        f.write(b'{"kind":"response","id":"' + b"t" * 32 + b'","answers":{"q":"' + CANARY.encode())
    with EmbeddedStore(data_dir) as store:
        store.withdraw(P1, at="2026-11-28T10:00:00Z")
        data = (data_dir / "responses.jsonl").read_bytes()
        assert CANARY.encode() not in data
        assert data.endswith(b"\n")
        assert [r.id for r in store.iter_responses()] == ["b" * 32]


# -- a power cut: only what was flushed survives ------------------------------------

class PowerCut:
    """Records what each fsync made durable, then builds the folder a power cut would leave.

    A file's bytes survive only up to its last fsync; a name (create, rename)
    survives only once its folder was fsync'd. Everything present when the
    recorder starts counts as flushed.
    """

    def __init__(self, folder: Path, monkeypatch):
        self.folder = folder
        self.data: dict[int, bytes] = {}
        self.names: dict[str, int] = {}
        # Files are known by inode number: every file seen is kept open, so a
        # freed number can't be reused by a new file and mixed up with the old.
        self._held: dict[int, int] = {}
        self._snapshot_folder()
        for entry in folder.iterdir():
            if entry.is_file():
                self.data[entry.stat().st_ino] = entry.read_bytes()
        real = os.fsync

        def fsync(fd: int) -> None:
            real(fd)
            st = os.fstat(fd)
            if os.path.isdir(_path(fd)):
                if _path(fd) == str(self.folder):
                    self._snapshot_folder()
            else:
                self._hold(f"/proc/self/fd/{fd}", st.st_ino)  # works for a write-only fd too
                self.data[st.st_ino] = os.pread(self._held[st.st_ino], st.st_size, 0)

        monkeypatch.setattr(os, "fsync", fsync)

    def _hold(self, path: str, ino: int) -> None:
        if ino not in self._held:
            self._held[ino] = os.open(path, os.O_RDONLY)

    def _snapshot_folder(self) -> None:
        self.names = {e.name: e.stat().st_ino for e in self.folder.iterdir() if e.is_file()}
        for name, ino in self.names.items():
            self._hold(str(self.folder / name), ino)

    def cut(self, into: Path) -> Path:
        """Write the surviving folder to ``into`` and return it."""
        for fd in self._held.values():
            os.close(fd)
        into.mkdir()
        for name, ino in self.names.items():
            (into / name).write_bytes(self.data.get(ino, b""))
        return into


def test_a_power_cut_keeps_every_acknowledged_answer_and_every_erasure(data_dir, tmp_path, monkeypatch):
    """Kills: no fsync on append; no fsync of the temp file or of the folder in a rewrite;
    no folder fsync when the journal is first created."""
    store = EmbeddedStore(data_dir)
    cut = PowerCut(data_dir, monkeypatch)
    store.add_consent(make_record(P1))
    store.add_consent(make_record(P2))
    store.add_response(make_response("a" * 32, pseudonym=P1, answers={"q1": CANARY}))
    store.add_response(make_response("b" * 32, pseudonym=P2))
    store.withdraw(P1, at="2026-11-28T10:00:00Z", audit=audit_of(P1))
    store.add_response(make_response("c" * 32, pseudonym=P2))
    store.close()
    monkeypatch.undo()

    after = cut.cut(tmp_path / "after")
    for path in after.iterdir():
        assert CANARY.encode() not in path.read_bytes(), path.name
    with EmbeddedStore(after) as reopened:
        assert sorted(r.id for r in reopened.iter_responses()) == ["b" * 32, "c" * 32]
        assert reopened.get_consent(P1) is None and reopened.get_consent(P2) is not None
        assert reopened.consent_counts("pilot")["withdrawn"] == 1
        assert len(withdrawal_entries(reopened, P1)) == 1
        assert reopened.verify_audit() == []


def test_a_power_cut_keeps_every_table_row_written(data_dir, tmp_path, monkeypatch):
    """Kills: tables.json's temp file not fsync'd before it replaces the old one."""
    store = EmbeddedStore(data_dir)
    store.table("rows").insert({"n": 0})
    cut = PowerCut(data_dir, monkeypatch)
    for n in range(1, 4):
        store.table("rows").insert({"n": n})
    store.close()
    monkeypatch.undo()
    with EmbeddedStore(cut.cut(tmp_path / "after")) as reopened:
        assert sorted(row["n"] for row in reopened.table("rows").all()) == [0, 1, 2, 3]


def test_a_power_cut_after_a_send_puts_back_consent_and_audit(data_dir, tmp_path, monkeypatch):
    """Kills: recover() not called at open; the answers' line not flushed by add_submission."""
    store = EmbeddedStore(data_dir)
    store.audit(actor="admin", action="created")
    cut = PowerCut(data_dir, monkeypatch)
    store.add_submission(make_record(P1), make_response("a" * 32, pseudonym=P1),
                         {"actor": f"participant:{P1}", "action": "consent_given", "subject": "pilot"})
    store.close()
    monkeypatch.undo()
    with EmbeddedStore(cut.cut(tmp_path / "after")) as reopened:
        assert reopened.get_response("a" * 32) is not None
        assert reopened.get_consent(P1) == make_record(P1)
        assert [e["action"] for e in reopened.iter_audit()] == ["created", "consent_given"]
        assert reopened.verify_audit() == []


# -- withdrawal: one true audit entry, written with the erasure ---------------------

def test_withdrawal_writes_one_entry_with_the_true_count(store):
    """Kills: the entry written by every call; responses_erased counting only this call."""
    store.add_consent(make_record(P1))
    store.add_response(make_response("a" * 32, pseudonym=P1))
    store.add_response(make_response("b" * 32, pseudonym=P1))
    first = store.withdraw(P1, at="2026-11-28T10:00:00Z", audit=audit_of(P1))
    again = store.withdraw(P1, at="2026-11-28T10:01:00Z", audit=audit_of(P1))
    assert (first["audited"], again["audited"]) == (True, False)
    [entry] = withdrawal_entries(store, P1)
    assert entry["details"] == {"incomplete": [], "responses_erased": 2, "damaged_lines_kept": 0}
    assert store.verify_audit() == []


@pytest.mark.parametrize("where", ["after-erase", "answers-not-blank", "consent-not-blank", "before-audit"])
def test_a_withdrawal_killed_part_way_ends_with_one_true_entry(data_dir, where):
    """Kills: no audit copy in the withdrawn line / no _recover_withdrawals; the count lost with the
    process (tombstones without "for"); lines announced as erased but left unblanked by a crash
    (no finish_erasures, or no "unfinished" in a follower)."""
    with EmbeddedStore(data_dir) as store:
        store.add_consent(make_record(P1))
        store.add_response(make_response("a" * 32, pseudonym=P1, answers={"q1": CANARY}))
        store.audit(actor="admin", action="created")
    with spawn_worker("die", str(data_dir), P1, where) as proc:
        proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 9
    with EmbeddedStore(data_dir) as store:
        if where in ("after-erase", "answers-not-blank"):  # the consent still works: they try again
            assert store.get_consent(P1) is not None
            assert store.withdraw(P1, at="2026-11-28T10:02:00Z", audit=audit_of(P1))["audited"]
        [entry] = withdrawal_entries(store, P1)
        assert entry["details"]["responses_erased"] == 1
        assert store.verify_audit() == []
        assert store.get_consent(P1) is None
    for path in data_dir.rglob("*"):
        assert not path.is_file() or CANARY.encode() not in path.read_bytes(), path.name
    assert b'"given"' not in (data_dir / "consents.jsonl").read_bytes()  # their consent line is blank
    # Their answers' line is blank too (sealed, its words can't be searched for; their pseudonym can).
    assert b'"pseudonym":"' + P1.encode() not in (data_dir / "responses.jsonl").read_bytes()


def test_a_lost_entry_is_put_back_after_newer_ones_as_a_new_entry(data_dir, monkeypatch):
    """Kills: recovery that gives up when the carried copy no longer continues the chain."""
    with EmbeddedStore(data_dir) as store:
        store.add_consent(make_record(P1))
        real = store._audit.write_entry
        monkeypatch.setattr(store._audit, "write_entry", lambda *a, **k: None)  # lost by a crash
        store.withdraw(P1, at="2026-11-28T10:00:00Z", audit=audit_of(P1))
        monkeypatch.setattr(store._audit, "write_entry", real)
        store.audit(actor="admin", action="exported")  # another worker carried on
    with EmbeddedStore(data_dir) as store:
        [entry] = withdrawal_entries(store, P1)
        assert entry["details"]["put_back"] is True
        assert [e["action"] for e in store.iter_audit()] == ["exported", "consent_withdrawn"]
        assert store.verify_audit() == []
    with EmbeddedStore(data_dir) as store:  # put back once, not at every start
        assert len(withdrawal_entries(store, P1)) == 1


# -- a damaged answer line (issue 23 item 9) ------------------------------------------

def _damage(path: Path, find: bytes, replace: bytes) -> None:
    data = path.read_bytes()
    assert find in data
    path.write_bytes(data.replace(find, replace, 1))


def test_a_damaged_line_with_the_persons_answers_is_erased(data_dir):
    """Kills: damaged lines matched only by response id (the pseudonym needle dropped)."""
    with EmbeddedStore(data_dir) as store:
        store.add_consent(make_record(P1))
        store.add_response(make_response("a" * 32, pseudonym=P1, answers={"q1": CANARY}))
        store.add_response(make_response("b" * 32, pseudonym=P2))
    # One changed byte: still JSON, but the checksum no longer matches, and the id is damaged too.
    _damage(data_dir / "responses.jsonl", b'"id":"' + b"a" * 32, b'"id":"' + b"a" * 31 + b"A")
    with EmbeddedStore(data_dir) as store:
        assert store.responses_by_pseudonym(P1) == []  # unreadable, so not found by pseudonym
        result = store.withdraw(P1, at="2026-11-28T10:00:00Z", audit=audit_of(P1))
        assert result["damaged"] == 0
        assert CANARY.encode() not in (data_dir / "responses.jsonl").read_bytes()
        assert [r.id for r in store.iter_responses()] == ["b" * 32]


def test_a_damaged_line_that_may_be_anyones_is_reported_not_hidden(data_dir):
    """Kills: withdraw reporting damaged: 0 (and no damaged_lines_kept) while an unreadable line remains."""
    with EmbeddedStore(data_dir) as store:
        store.add_consent(make_record(P1))
        store.add_response(make_response("a" * 32, pseudonym=P1))
        store.add_response(make_response("b" * 32, pseudonym=P2))
    _damage(data_dir / "responses.jsonl", P2.encode(), b"?" * 32)  # whose? nobody can tell now
    with EmbeddedStore(data_dir) as store:
        result = store.withdraw(P1, at="2026-11-28T10:00:00Z", audit=audit_of(P1))
        assert result["damaged"] == 1
        [entry] = withdrawal_entries(store, P1)
        assert entry["details"]["damaged_lines_kept"] == 1
        assert entry["details"]["responses_erased"] == 1


# -- a real-process race: sending while the same person withdraws -------------------

def _start(mode: str, data_dir: Path) -> subprocess.Popen:
    proc = spawn_worker(mode, str(data_dir), stdin=subprocess.PIPE)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _wait_for_growth(path: Path, size: int) -> None:
    """Until ``path`` is longer than ``size`` (an answer was written), for at most TIMEOUT seconds."""
    deadline = time.monotonic() + TIMEOUT
    while _size(path) <= size and time.monotonic() < deadline:
        time.sleep(0.0005)


@pytest.mark.parametrize("save_every", [None, 3], ids=["index files rarely", "index files every 3 lines"])
def test_sending_while_the_same_person_withdraws_twice_50_rounds(data_dir, monkeypatch, save_every):
    """Kills: add_response without the withdrawn check (late answers stick); the withdrawal's
    audit entry written by every caller; responses_erased not the true count. With index files
    saved every 3 lines by every process, each one left at the end matches a full reading."""
    if save_every:
        monkeypatch.setenv("CK_TEST_SAVE_EVERY", str(save_every))
        monkeypatch.setattr(journal_module, "SAVE_EVERY", save_every)
    with EmbeddedStore(data_dir) as setup:
        setup.audit(actor="admin", action="created")
    procs = [_start("send", data_dir), _start("withdraw", data_dir), _start("withdraw", data_dir)]
    sender, acks = procs[0], []
    try:
        with EmbeddedStore(data_dir) as store:
            for round_ in range(50):
                pseudonym = f"{round_:02d}" + "p" * 30
                store.add_consent(make_record(pseudonym, code_hash=""))
                answers_before = _size(data_dir / "responses.jsonl")
                for proc in procs:
                    proc.stdin.write(f"{round_} {pseudonym}\n")
                    proc.stdin.flush()
                    if proc is sender and round_ % 4 == 1:
                        # One round in four, the withdrawals start once an answer is in, so the
                        # late-answer path runs on any machine; the other rounds are a free race
                        # (on a slow machine the withdrawals won all 50 of them).
                        _wait_for_growth(data_dir / "responses.jsonl", answers_before)
                replies = [proc.stdout.readline().split() for proc in procs]
                acked = int(replies[0][2])
                acks.append(acked)
                assert sum(int(r[2]) for r in replies[1:]) == 1, f"round {round_}: one entry"
                assert store.responses_by_pseudonym(pseudonym) == [], f"round {round_}: answers stuck"
                [entry] = withdrawal_entries(store, pseudonym)
                assert entry["details"]["responses_erased"] == acked, f"round {round_}"
                with pytest.raises(WithdrawnConsent):
                    store.add_response(make_response("z" * 32, pseudonym=pseudonym))
            assert store.verify_audit() == []
        assert any(acks), "no send landed before a withdrawal: the race was not exercised"
    finally:
        for proc in procs:
            proc.stdin.close()
        for proc in procs:
            proc.wait(timeout=TIMEOUT)
            proc.stdout.close()
    assert sender.returncode == 0
    if save_every:
        _every_index_file_matches_a_full_reading(data_dir)


def _every_index_file_matches_a_full_reading(data_dir: Path) -> None:
    with EmbeddedStore(data_dir) as kept:
        followers = {"responses": kept._responses, "consents": kept._consents, "keys": kept._keyfile}
        # An index is kept once 3 lines came since the last: how many answers landed before each
        # withdrawal is up to the race (keys.jsonl is always too short: every key is destroyed again).
        kept_on_disk = [name for name in followers if (data_dir / f"{name}.index").exists()]
        assert "consents" in kept_on_disk  # 50 consents and 50 withdrawals: always long enough
        for name in kept_on_disk:
            log = followers[name]
            with log.journal.locked():
                from_index = log.index.snapshot()
            log.journal._index_file = None
            log.journal.close()  # the next locked() reads the whole file
            with log.journal.locked():
                assert log.index.snapshot() == from_index, name


# -- a rewrite that fails part-way leaves the old file and no copy ------------------------

def test_a_failed_rewrite_leaves_no_temp_file_and_the_old_file_whole(store, data_dir, monkeypatch):
    """Kills: the temp file (which may hold answers meant to go) left behind on failure."""
    from consent_kit.store import StoreError

    store.add_response(make_response("a" * 32, pseudonym=P1, answers={"q1": CANARY}))
    store.add_sample_responses([make_response("b" * 32, source="sample")])
    before = (data_dir / "responses.jsonl").read_bytes()

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(StoreError):
        store.remove_sample_responses("pilot")
    monkeypatch.undo()
    assert [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")] == []
    assert (data_dir / "responses.jsonl").read_bytes() == before
    assert store.get_response("b" * 32) is not None


def test_a_rewrite_removes_the_copy_an_earlier_crashed_rewrite_left(store, data_dir):
    """Kills: a stale temp file (a crashed rewrite's copy, which may hold erased answers) kept."""
    store.add_response(make_response("a" * 32))
    store.add_sample_responses([make_response("b" * 32, source="sample")])
    stale = data_dir / ".responses.jsonl.999.tmp"
    stale.write_bytes(b'{"kind":"response","id":"gone","answers":{"q1":"' + CANARY.encode() + b'"}}\n')
    assert store.remove_sample_responses("pilot") == 1
    assert not stale.exists()
    assert [p.name for p in data_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_a_file_shrunk_in_place_is_read_again(data_dir):
    """Kills: a journal truncated in place (same inode, e.g. a backup copied back) not noticed."""
    with EmbeddedStore(data_dir) as first, EmbeddedStore(data_dir) as other:
        for name in "abc":
            first.add_response(make_response(name * 32))
        assert other.count_responses() == 3
        path = data_dir / "responses.jsonl"
        inode = path.stat().st_ino
        path.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b"\n")  # back to the first answer
        assert path.stat().st_ino == inode
        assert other.count_responses() == 1
        assert other.get_response("c" * 32) is None
        other.add_response(make_response("d" * 32))
        assert [r.id for r in first.iter_responses()] == ["a" * 32, "d" * 32]
