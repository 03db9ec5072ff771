"""Erasure in place (issue 22): a withdrawal overwrites the person's lines where they are.

What other server processes must see, and what the next start must find, when one process
blanks lines instead of rewriting the file. Crash paths are in test_store_crash_paths.py and
test_crypto_crash.py; the index's agreement with a full reading in test_store_index_file.py.
"""

from __future__ import annotations

import os
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import make_response
from test_mutants_withdraw import consent
from test_store_index_file import fill, fully_read, index_path, opened, state

from consent_kit.store import EmbeddedStore, StoreError
from consent_kit.store import journal as journal_module
from consent_kit.store.index_file import crc_after_overwrite
from consent_kit.store.keys import KeyFile
from consent_kit.store.lines import blank, decode
from consent_kit.store.responses import ResponseLog

P1, P2 = "1" * 32, "2" * 32
EVERY = 5


@pytest.fixture(autouse=True)
def save_often(monkeypatch):
    monkeypatch.setattr(journal_module, "SAVE_EVERY", EVERY)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(min_size=1, max_size=800), where=st.integers(0, 799), length=st.integers(1, 800),
       flip=st.integers(1, 255))
def test_the_checksum_of_a_file_follows_a_line_overwritten_in_it(data, where, length, flip):
    # The erasing process keeps its index file's checksum without reading the file again.
    start = where % len(data)
    end = min(len(data), start + length)
    old = data[start:end]
    new = bytes(b ^ flip for b in old)
    changed = data[:start] + new + data[end:]
    assert crc_after_overwrite(zlib.crc32(data), old, new, len(data) - end) == zlib.crc32(changed)


@pytest.mark.parametrize("length", [2, 3, 30, 31, 32, 33, 200, 5000])
def test_a_blank_is_exactly_as_long_as_the_line_and_says_nothing(length):
    line = blank(length)
    assert len(line) == length and b"\n" not in line
    assert decode(line, where="test") in ({}, {"kind": "blank"})


def test_a_key_another_process_has_read_is_never_given_again_once_destroyed(tmp_path):
    """Kills: an erasure in place not counted in the lock file (the key would come from memory)."""
    mine, theirs = KeyFile(tmp_path / "keys.jsonl"), KeyFile(tmp_path / "keys.jsonl")
    mine.add(P1, b"k" * 40)
    mine.add(P2, b"j" * 40)
    assert theirs.load(P1) == b"k" * 40  # now kept in their memory, read without the lock next time
    assert mine.delete([P1]) == 1
    assert theirs.load(P1) is None
    assert theirs.load(P2) == b"j" * 40 and P1 not in theirs.index.offsets
    mine.close()
    theirs.close()


def test_another_process_drops_the_erased_answers_and_keeps_the_rest(tmp_path):
    path = tmp_path / "responses.jsonl"
    mine = fill(path, 12)
    theirs = ResponseLog(path)
    assert theirs.count() == 12 and len(theirs.by_pseudonym("p1")) == 4
    assert mine.erase(["id-0001", "id-0004"], pseudonym="p1") == 2
    assert theirs.count() == 10 and theirs.get("id-0001") is None and theirs.get("id-0007") is not None
    assert sorted(r.id for r in theirs.by_pseudonym("p1")) == ["id-0007", "id-0010"]
    assert state(theirs) == fully_read(path)  # their lists too, once they keep the index on disk
    mine.close()
    theirs.close()


def test_a_damaged_line_blanked_by_one_process_is_no_longer_damaged_for_another(tmp_path):
    path = tmp_path / "responses.jsonl"
    fill(path, 6).close()
    data = path.read_bytes()
    at = data.index(b"id-0004")  # p1's line, damaged: the withdrawal of p1 erases it
    path.write_bytes(data[:at] + b"id-0X04" + data[at + 7:])
    mine, theirs = ResponseLog(path), ResponseLog(path)
    assert theirs.damaged_lines() == 1
    mine.erase(["id-0001"], pseudonym="p1")
    assert mine.damaged_lines() == 0 and theirs.damaged_lines() == 0
    assert b"id-0X04" not in path.read_bytes()
    mine.close()
    theirs.close()


def test_an_index_saved_by_another_process_after_an_erasure_is_used_at_the_next_start(tmp_path,
                                                                                      monkeypatch):
    """Kills: a process that read the erased lines before keeping its old checksum (the index it
    saves would never match the file, and every start would read every line again)."""
    path = tmp_path / "responses.jsonl"
    mine = fill(path, 12)
    theirs = ResponseLog(path)
    assert theirs.count() == 12
    mine.erase(["id-0002"])
    mine.close()
    for n in range(20, 20 + EVERY):  # enough for them to keep their index on disk
        theirs.add(make_response(f"id-{n:04d}"))
    theirs.close()
    again, read = opened(path, monkeypatch)
    # Only the lines after their last save are read: a full reading would be all 18.
    assert len(read) < EVERY and again.count() == 11 + EVERY
    again.close()


def test_after_a_withdrawal_nothing_of_the_person_is_left_and_the_next_start_reads_nothing_again(
        data_dir, monkeypatch):
    with EmbeddedStore(data_dir) as store, EmbeddedStore(data_dir) as other:
        for person, answer in ((P1, "a"), (P2, "b")):
            store.add_submission(consent(person), make_response(answer * 32, pseudonym=person,
                                                                answers={"q1": f"said-{person[:4]}"}),
                                 {"actor": f"participant:{person}", "action": "consent_given"})
        assert other.count_responses() == 2 and other.get_consent(P1) is not None
        assert store.withdraw(P1, at="2026-11-28T10:00:00Z")["responses"] == 1
        # The other process: P1 gone everywhere it looks, P2 untouched.
        assert other.get_consent(P1) is None and other.consent_by_code_hash(consent(P1).code_hash) is None
        assert other.responses_by_pseudonym(P1) == [] and other.keys.get(P1) is None
        assert other.count_responses() == 2 - 1 and other.get_response("b" * 32) is not None
        counts = other.consent_counts("pilot")
        assert (counts["active"], counts["withdrawn"]) == (1, 1)
    for name in ("responses.jsonl", "consents.jsonl", "keys.jsonl"):
        data = (data_dir / name).read_bytes()
        assert b"said-1111" not in data and b'"given","pseudonym":"1111' not in data, name
        assert (b'"pseudonym":"' + P1.encode()) not in data or name == "consents.jsonl", name
    read = []
    real = journal_module.complete_blocks

    def blocks(fd, start, end, *args):
        for block in real(fd, start, end, *args):
            read.append((os.readlink(f"/proc/self/fd/{fd}").rsplit("/", 1)[1], len(block)))
            yield block

    monkeypatch.setattr(journal_module, "complete_blocks", blocks)
    with EmbeddedStore(data_dir) as again:
        assert again.get_consent(P2) is not None and again.get_consent(P1) is None
    # Each file's index was kept right after the erasure: not one of their lines read again at the start.
    assert [name for name, _ in read if name != "audit.jsonl"] == []
    kept = ("responses.jsonl", "consents.jsonl", "keys.jsonl")
    assert all(index_path(data_dir / name).exists() for name in kept)


@pytest.mark.parametrize("fails", ["responses.jsonl", "consents.jsonl"])
def test_lines_a_disk_error_kept_from_being_blanked_go_when_the_person_tries_again(store, data_dir,
                                                                                    monkeypatch, fails):
    """Kills: announced lines left until the next start (the person is told to try again, and does)."""
    store.add_submission(consent(P1), make_response("a" * 32, pseudonym=P1),
                         {"actor": f"participant:{P1}", "action": "consent_given"})
    failing_file, real = str(data_dir / fails), os.pwrite

    def failing(fd, data, at):
        if os.readlink(f"/proc/self/fd/{fd}") == failing_file:
            raise OSError(5, "Input/output error")
        return real(fd, data, at)

    monkeypatch.setattr(os, "pwrite", failing)
    with pytest.raises(StoreError):
        store.withdraw(P1, at="2026-11-28T10:00:00Z")
    left = b'"pseudonym":"' + P1.encode()
    assert left in (data_dir / fails).read_bytes()  # announced (tombstone or withdrawn line), not blank
    monkeypatch.undo()
    store.withdraw(P1, at="2026-11-28T10:01:00Z")  # they are told to try again, and do
    assert store.get_consent(P1) is None and store.responses_by_pseudonym(P1) == []
    assert b'"given"' not in (data_dir / "consents.jsonl").read_bytes()
    assert left not in (data_dir / "responses.jsonl").read_bytes()
    assert store._consents.index.unfinished == set() and store._responses.index.unfinished == set()
