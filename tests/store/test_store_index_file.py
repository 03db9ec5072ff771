"""The response index kept on disk (responses.index, issue 22): used only when it matches exactly.

A server with a million answers starts from ``responses.index`` instead of
reading every line again. It is a cache: each test here makes it wrong in one
way and checks that the store notices, reads the journal again and ends up
with exactly what a full reading gives.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
from array import array

import pytest
from store_helpers import make_response

from consent_kit.store import EmbeddedStore, offset_table
from consent_kit.store import journal as journal_module
from consent_kit.store.offset_table import id_key
from consent_kit.store.responses import ResponseIndex, ResponseLog

EVERY = 5  # lines between saves in these tests (20,000 in use)


@pytest.fixture(autouse=True)
def save_often(monkeypatch):
    monkeypatch.setattr(journal_module, "SAVE_EVERY", EVERY)


def fill(path, count, start=0, **changes) -> ResponseLog:
    log = ResponseLog(path)
    for n in range(start, start + count):
        log.add(make_response(f"id-{n:04d}", pseudonym=f"p{n % 3}", **changes))
    return log


def replayed(path) -> list[bytes]:
    """What a full reading of the journal gives (the index file set aside)."""
    log = ResponseLog(path)
    log.journal._index_file = None
    with log.journal.locked():
        return log.index.snapshot()


def same_as_a_full_reading(log, path) -> bool:
    with log.journal.locked():
        found = log.index.snapshot()
    return found == replayed(path)  # after the lock: a second log of the same file takes it too


def opened(path, monkeypatch) -> tuple[ResponseLog, list[int]]:
    """A new ResponseLog on ``path``, and the offsets of the lines it read from the journal."""
    read = []
    original = ResponseIndex.apply

    def apply(self, record, offset):
        read.append(offset)
        original(self, record, offset)

    monkeypatch.setattr(ResponseIndex, "apply", apply)
    log = ResponseLog(path)
    log.count()
    monkeypatch.setattr(ResponseIndex, "apply", original)
    return log, read


def index_path(path):
    return path.with_suffix(".index")


def test_a_kept_index_is_used_and_equals_a_full_reading(tmp_path, monkeypatch):
    path = tmp_path / "responses.jsonl"
    fill(path, 12).close()
    assert index_path(path).exists()
    assert index_path(path).stat().st_mode & 0o777 == 0o600
    log, read = opened(path, monkeypatch)
    assert len(read) == 2  # saved after 10 lines: only the last 2 are read again
    assert same_as_a_full_reading(log, path)
    assert log.count() == 12 and log.count("pilot") == 12
    assert log.get("id-0003").id == "id-0003" and log.get("id-9999") is None
    assert sorted(r.id for r in log.by_pseudonym("p1")) == ["id-0001", "id-0004", "id-0007", "id-0010"]
    stored, created = log.add(make_response("id-0005", pseudonym="p2"))
    assert not created and stored.id == "id-0005"  # a retry is still known
    assert log.add(make_response("id-0100"))[1] is True


def test_a_missing_index_is_rebuilt(tmp_path, monkeypatch):
    path = tmp_path / "responses.jsonl"
    fill(path, 12).close()
    index_path(path).unlink()
    log, read = opened(path, monkeypatch)
    assert len(read) == 12 and log.count() == 12
    assert index_path(path).exists()  # made again: 12 lines read is more than EVERY


def test_a_long_reading_at_start_is_said_in_the_log_and_a_short_one_is_not(tmp_path, monkeypatch, caplog):
    path = tmp_path / "responses.jsonl"
    fill(path, 12).close()
    monkeypatch.setattr(journal_module, "SAY_WHEN_READING", path.stat().st_size)
    with caplog.at_level(logging.WARNING, logger=journal_module.__name__):
        opened(path, monkeypatch)  # the index file is there: nothing to say
        assert not [r for r in caplog.records if "make its index again" in r.getMessage()]
        index_path(path).unlink()
        opened(path, monkeypatch)
    said = [r.getMessage() for r in caplog.records if "make its index again" in r.getMessage()]
    assert said == ["Reading all 0 MB of responses.jsonl once to make its index again "
                    "(later starts read only new lines)"]


@pytest.mark.parametrize("damage", ["truncated", "empty", "flipped byte", "header", "garbage"])
def test_a_damaged_index_is_never_trusted(tmp_path, monkeypatch, caplog, damage):
    path = tmp_path / "responses.jsonl"
    fill(path, 12).close()
    data = bytearray(index_path(path).read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = bytearray()
    elif damage == "flipped byte":
        data[-20] ^= 0x01
    elif damage == "header":
        data = data.replace(b'"covered": ', b'"covered": 1')
    else:
        data = bytearray(os.urandom(len(data)))
    index_path(path).write_bytes(bytes(data))
    with caplog.at_level(logging.INFO):
        log, read = opened(path, monkeypatch)
    assert len(read) == 12
    assert same_as_a_full_reading(log, path)
    if damage != "empty":
        assert "Not using responses.index" in caplog.text


def test_an_index_of_an_older_journal_is_not_used(tmp_path, monkeypatch):
    # An erasure rewrote the journal after the index was made: the erased answer must not come back.
    path = tmp_path / "responses.jsonl"
    log = fill(path, 12)
    old = tmp_path / "old.index"
    shutil.copy(index_path(path), old)
    assert log.erase(["id-0001"]) == 1
    log.close()
    shutil.copy(old, index_path(path))  # say, a backup put back, or a crash before the rewrite's delete
    fresh, read = opened(path, monkeypatch)
    assert len(read) == 14  # 11 answers, the erased one's blank, its tombstone and "blanked": all read again
    assert fresh.get("id-0001") is None and fresh.count() == 11
    assert "id-0001" not in fresh.index.offsets


def test_an_erasure_deletes_the_index(tmp_path, monkeypatch):
    # It holds the hashes of pseudonyms and submission ids (never the names themselves): it must not
    # outlive what it points at.
    path = tmp_path / "responses.jsonl"
    log = fill(path, 6)
    hashes = [id_key(name).to_bytes(8, "little") for name in ("p1", "id-0001", "id-0004")]
    kept = index_path(path).read_bytes()
    assert b'"p1"' not in kept and b"id-0001" not in kept
    assert all(h in kept for h in hashes)
    monkeypatch.setattr(journal_module, "SAVE_EVERY", 1000)
    log.erase(["id-0001", "id-0004"], pseudonym="p1")  # all of p1's answers
    assert not index_path(path).exists() or not any(h in index_path(path).read_bytes() for h in hashes)
    log.close()


def test_lines_appended_by_another_process_after_the_index_are_read(tmp_path, monkeypatch):
    path = tmp_path / "responses.jsonl"
    fill(path, 10).close()
    kept = index_path(path).read_bytes()
    monkeypatch.setattr(journal_module, "SAVE_EVERY", 10**9)  # the other process doesn't save
    other = fill(path, 3, start=10)  # another writer of the same file
    other.close()
    assert index_path(path).read_bytes() == kept
    log, read = opened(path, monkeypatch)
    assert len(read) == 3
    assert log.count() == 13 and log.get("id-0012") is not None
    assert same_as_a_full_reading(log, path)


def test_a_line_changed_under_the_index_is_found_damaged(tmp_path, monkeypatch):
    path = tmp_path / "responses.jsonl"
    fill(path, 10).close()
    data = path.read_bytes()
    at = data.index(b"id-0004")
    path.write_bytes(data[:at] + b"id-0X04" + data[at + 7:])  # same size, bad checksum
    log, read = opened(path, monkeypatch)
    assert len(read) == 9  # every line read again; the changed one is skipped
    assert log.count() == 9 and log.damaged_lines() == 1


def test_a_torn_tail_after_the_index_is_cut_as_before(tmp_path, monkeypatch):
    path = tmp_path / "responses.jsonl"
    fill(path, 10).close()
    with open(path, "ab") as handle:
        handle.write(b'{"kind":"response","id":"torn')
    log, read = opened(path, monkeypatch)
    assert read == [] and log.count() == 10
    log.add(make_response("id-0050"))
    assert log.count() == 10 + 1
    assert path.read_bytes().count(b"torn") == 0


def test_the_store_starts_from_the_index_with_everything_in_place(tmp_path):
    data = tmp_path / "data"
    with EmbeddedStore(data) as store:
        for n in range(8):
            store.add_response(make_response(f"s-{n}", pseudonym="p9" if n % 2 else ""))
        store.erase_responses(["s-0"])
        for n in range(8, 16):
            store.add_response(make_response(f"s-{n}"))
    assert (data / "responses.index").exists()
    with EmbeddedStore(data) as store:
        assert store.count_responses() == 15 and store.get_response("s-0") is None
        assert [r.id for r in store.responses_by_pseudonym("p9")] == ["s-1", "s-3", "s-5", "s-7"]
        assert [r.id for r in store.iter_responses()][:2] == ["s-1", "s-2"]


def test_ids_whose_hashes_are_equal_are_told_apart(tmp_path, monkeypatch):
    monkeypatch.setattr(offset_table, "id_key", lambda response_id: 42)
    log = fill(tmp_path / "responses.jsonl", 7)
    assert log.count() == 7
    assert [log.get(f"id-{n:04d}").id for n in range(7)] == [f"id-{n:04d}" for n in range(7)]
    assert log.get("id-0099") is None
    assert log.add(make_response("id-0003", pseudonym="p0"))[1] is False


def test_the_offset_table_agrees_with_a_dict():
    rng = random.Random(22)
    lines = {}
    table = offset_table.OffsetTable(lambda offset: lines.get(offset))
    plain = {}
    for offset in range(0, 40_000, 7):
        response_id = f"{rng.getrandbits(64):x}"
        if response_id in plain:
            continue
        lines[offset] = response_id
        table.add(response_id, offset)
        plain[response_id] = offset
    assert len(table) == len(plain)
    assert all(table[i] == o for i, o in plain.items())
    assert "not-there" not in table and table.get("nope", -1) == -1
    again = offset_table.OffsetTable.from_columns(table.read_id, *(c.tobytes() for c in table.columns()))
    assert all(again.get(i) == o for i, o in plain.items()) and len(again) == len(plain)
    keys, offsets = (c.tobytes() for c in table.columns())
    with pytest.raises(ValueError):
        offset_table.OffsetTable.from_columns(table.read_id, keys, offsets[:-8])
    full = [(k, o) for k, o in zip(*table.columns(), strict=True) if k]  # every slot taken
    with pytest.raises(ValueError):  # more than 70% full: not a table this code makes
        offset_table.OffsetTable.from_columns(table.read_id, array("Q", [k for k, _ in full]).tobytes(),
                                              array("q", [o for _, o in full]).tobytes())


@pytest.mark.parametrize("extra", [{}, {"kind": "response"}, {"kind": "response", "consent": {"x": 1}},
                                   {"kind": "response", "from_a_newer_version": 1}])
def test_a_line_becomes_the_same_response_by_the_quick_way(extra):
    from consent_kit.store.base import Response
    from consent_kit.store.responses import response_of

    response = make_response("q-1", pseudonym="p", meta={"language": "cy"}, source="paper")
    record = {**response.to_record(), **extra}
    quick = response_of(dict(record))
    assert quick == Response.from_record(record) == response
    assert type(quick) is Response and quick.answers == response.answers
    with pytest.raises(AttributeError):  # still frozen
        quick.id = "changed"
    missing = response.to_record()
    del missing["pseudonym"]  # an older line: the field's default
    assert response_of(missing).pseudonym == ""


def test_answers_another_process_added_after_the_index_are_read(tmp_path, monkeypatch):
    import subprocess
    import sys

    from store_helpers import REPO_ROOT

    path = tmp_path / "responses.jsonl"
    fill(path, 10).close()
    kept = index_path(path).read_bytes()
    script = (
        "import sys\n"
        "from consent_kit.store.responses import ResponseLog\n"
        "from consent_kit.store.base import Response\n"
        "log = ResponseLog(sys.argv[1])\n"
        "for n in range(10, 13):\n"
        "    log.add(Response(id=f'id-{n:04d}', survey_id='pilot', survey_version='v1hash',\n"
        "                     answers={'q1': 'yes'}, submitted_at='2026-11-26T08:30:00Z', reference='R'))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=120,
                   env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)))
    assert index_path(path).read_bytes() == kept  # 3 lines: too few for that process to save
    log, read = opened(path, monkeypatch)
    assert len(read) == 3 and log.count() == 13
    assert log.get("id-0011").answers == {"q1": "yes"}
    assert same_as_a_full_reading(log, path)


def test_a_long_journal_gets_a_fresh_index_from_its_erasure(tmp_path, monkeypatch):
    # After a withdrawal the next start must not read every answer again (a million: ~15 s of CPU
    # in every worker): the erasing process reads the rewritten file anyway and keeps what it found.
    path = tmp_path / "responses.jsonl"
    log = fill(path, 12)
    log.erase(["id-0001"], pseudonym="p1")
    assert index_path(path).exists() and b"id-0001" not in index_path(path).read_bytes()
    log.close()
    fresh, read = opened(path, monkeypatch)
    assert read == []  # nothing read again: the index covers the rewritten file
    assert fresh.get("id-0001") is None and fresh.count() == 11
    assert same_as_a_full_reading(fresh, path)


# -- an erasure's rewrite builds the index in the same pass (issue 22: the lock held half as long) ----------

def state(log) -> tuple:
    """Everything the journal and its index know, to compare with a full reading."""
    journal = log.journal
    with journal.locked():
        return log.index.snapshot(), journal._offset, list(journal.damaged)


def fully_read(path) -> tuple:
    """:func:`state` of a new process that reads every line of the journal (its index file set aside)."""
    log = ResponseLog(path)
    log.journal._index_file = None
    found = state(log)
    log.close()
    return found


def damaged_and_torn(path, count=12) -> ResponseLog:
    """A journal of ``count`` answers with one damaged line (not the erased ones') and a torn tail."""
    fill(path, count).close()
    data = path.read_bytes()
    at = data.index(b"id-0005")  # p2's: a withdrawal of p1 keeps it
    path.write_bytes(data[:at] + b"id-0X05" + data[at + 7:] + b'{"kind":"response","id":"torn')
    log = ResponseLog(path)
    assert log.count() == count - 1 and log.damaged_lines() == 1
    return log


def test_after_an_erasure_the_index_equals_a_full_reading_of_the_new_file(tmp_path):
    path = tmp_path / "responses.jsonl"
    log = damaged_and_torn(path)
    assert log.erase(["id-0001", "id-0007", "never-stored"], pseudonym="p1") == 2
    found, crc = state(log), log.journal._crc
    assert b"torn" not in path.read_bytes() and path.read_bytes().count(b"id-0X05") == 1
    assert len(found[2]) == 1 and found[1] == path.stat().st_size
    log.close()
    again = ResponseLog(path)  # a new process: every line read again (the index file deleted)
    index_path(path).unlink(missing_ok=True)
    assert state(again) == found and again.journal._crc == crc
    assert again.get("id-0001") is None and again.count() == 9 and again.damaged_lines() == 1
    again.close()


@pytest.mark.parametrize("count", [30, 300])
def test_an_erasure_reads_only_the_lines_it_erases_and_writes(tmp_path, monkeypatch, count):
    # A rewrite read every line of the file under the lock (47 s at a million people, while every
    # Send waited); in place, the same few lines whatever the file's length.
    path = tmp_path / "responses.jsonl"
    log = fill(path, count)
    assert log.count() == count
    decoded = []
    real = journal_module.decode
    monkeypatch.setattr(journal_module, "decode", lambda raw, **kw: decoded.append(raw) or real(raw, **kw))
    assert log.erase(["id-0003"]) == 1
    # Its line read back twice (to check the id, then for its survey); nothing else is read.
    assert len(decoded) == 2 and all(b"id-0003" in raw for raw in decoded)
    assert log.count() == count - 1 and log.get("id-0003") is None and log.get("id-0029") is not None
    monkeypatch.undo()
    assert state(log) == fully_read(path)
    log.close()


def test_ids_whose_hashes_are_equal_are_told_apart_after_an_erasure(tmp_path, monkeypatch):
    # Rebuilding the index while writing the new file reads lines back (to compare ids whose
    # hashes are equal): those reads must find the new file's lines, not the old file's.
    monkeypatch.setattr(offset_table, "id_key", lambda response_id: 42)
    path = tmp_path / "responses.jsonl"
    log = fill(path, 7)
    assert log.erase(["id-0000"]) == 1
    assert log.count() == 6 and log.get("id-0000") is None
    assert [log.get(f"id-{n:04d}").id for n in range(1, 7)] == [f"id-{n:04d}" for n in range(1, 7)]
    assert log.add(make_response("id-0005", pseudonym="p2"))[1] is False  # still known: a retry
    assert state(log) == fully_read(path)
    log.close()


def test_a_line_written_twice_is_kept_once_by_the_erasure_as_by_a_full_reading(tmp_path):
    path = tmp_path / "responses.jsonl"
    fill(path, 6).close()
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines + [lines[2]]))  # id-0002 again (a backup appended by hand, say)
    log = ResponseLog(path)
    assert log.count() == 6
    # An erasure before the first copy: the copy is found at its new offset, in the new file.
    assert log.erase(["id-0000"]) == 1
    assert log.count() == 5
    assert state(log) == fully_read(path)
    log.close()


def _rewrite_without(log, response_id: str) -> None:
    """A rewrite of the journal without one answer's line (what removing sample answers does)."""
    with log.journal.locked() as journal:
        journal.rewrite(lambda record, raw: not record or record.get("id") != response_id, [])


@pytest.mark.parametrize("fails", ["keep", "replace", "folder"])
def test_a_failed_rewrite_leaves_the_index_equal_to_the_file_in_place(tmp_path, monkeypatch, fails):
    from consent_kit.store.base import StoreError

    path = tmp_path / "responses.jsonl"
    log = damaged_and_torn(path)
    before = path.read_bytes()
    seen = []

    def keep(record, raw):  # e.g. a bug in a keep callback, half-way through the old file
        seen.append(raw)
        if fails == "keep" and len(seen) == 6:
            raise RuntimeError("a bug")
        return not record or record.get("id") != "id-0001"

    if fails == "replace":
        monkeypatch.setattr(os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(28, "No space left")))
    elif fails == "folder":  # the new file is in place, but the folder's flush failed
        monkeypatch.setattr(journal_module, "fsync_dir", lambda p: (_ for _ in ()).throw(OSError(5, "I/O")))
    with pytest.raises(RuntimeError if fails == "keep" else StoreError):
        with log.journal.locked() as journal:
            journal.rewrite(keep, [])
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    if fails == "folder":
        assert b"id-0001" not in path.read_bytes()
        assert log.get("id-0001") is None and log.count() == 10
    else:
        assert path.read_bytes() == before
        assert log.get("id-0001") is not None and log.count() == 11
    assert state(log) == fully_read(path)
    with log.journal.locked():  # every offset the index holds is the start of the line it names
        assert all(log.index.read_id(offset) is not None for offset in log.index.newest_first())
    assert log.erase(["id-0001"], pseudonym="p1") == (1 if fails != "folder" else 0)
    assert state(log) == fully_read(path)
    log.close()


def test_a_failed_erasure_in_place_leaves_the_index_equal_to_the_file(tmp_path, monkeypatch):
    # The blanks' flush fails (a disk error): whatever reached the file, the index describes it,
    # and trying again finishes the erasure.
    from consent_kit.store.base import StoreError

    path = tmp_path / "responses.jsonl"
    log = damaged_and_torn(path)
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O"))
                        if _writes_only(fd) else real(fd))
    with pytest.raises(StoreError):
        log.erase(["id-0001"], pseudonym="p1")
    monkeypatch.undo()
    assert state(log) == fully_read(path)
    log.erase(["id-0001"], pseudonym="p1")
    assert log.get("id-0001") is None and b"id-0001" not in path.read_bytes()
    assert state(log) == fully_read(path)
    log.close()


def _writes_only(fd: int) -> bool:
    """Whether ``fd`` was opened write-only: the blanks' descriptor (the journal's own reads too)."""
    import fcntl

    return fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY


def test_a_whole_number_too_long_for_orjson_is_read_exactly_where_the_index_takes_it(tmp_path):
    # The index's lines skip the long-number check (a third of decoding them) unless a field it
    # takes came out a float: then the line is read again exactly, as every other reader does.
    from consent_kit.store.journal import encode

    path = tmp_path / "responses.jsonl"
    fill(path, 2).close()
    long = 123456789012345678901234567890
    line = {"kind": "response", **make_response("id-long", survey_id=long).to_record(), "n": 10**25}
    with open(path, "ab") as handle:
        handle.write(encode(line))
    log = ResponseLog(path)
    assert log.count(str(long)) == 1 and log.count() == 3
    assert state(log) == fully_read(path)
    # An erasure decodes lines the same quick way, but copies them byte for byte.
    assert log.erase(["id-0000"]) == 1
    assert encode(line) in path.read_bytes()
    assert log.count(str(long)) == 1 and state(log) == fully_read(path)
    log.close()
