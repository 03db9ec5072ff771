"""The journal's rewrite, held by tests that kill mutants the other store tests let live (issue 21 §1).

Found by tests/consent/mutants_round2.py: each test names the mutant it kills.
"""

from __future__ import annotations

import os
import stat

import pytest

from consent_kit.store.base import StoreError
from consent_kit.store.journal import Journal


class Lines:
    """A follower that keeps every record it is given, by offset."""

    def __init__(self):
        self.records: dict[int, dict] = {}

    def reset(self) -> None:
        self.records.clear()

    def apply(self, record: dict, offset: int) -> None:
        self.records[offset] = record


def journal_with(path, *names: str) -> tuple[Journal, Lines]:
    lines = Lines()
    journal = Journal(path, lines)
    with journal.locked() as open_journal:
        for name in names:
            open_journal.append({"kind": "line", "name": name})
    return journal, lines


def test_an_append_right_after_a_rewrite_keeps_what_the_rewrite_kept(tmp_path):
    """Kills "rewrite: index not caught up after": the append then cut the file to nothing."""
    journal, lines = journal_with(tmp_path / "j.jsonl", "a", "b", "c")
    with journal.locked() as open_journal:
        open_journal.rewrite(lambda record, raw: record["name"] != "b", [{"kind": "line", "name": "d"}])
        offset = open_journal.append({"kind": "line", "name": "e"})
        assert open_journal.read_at(offset)["name"] == "e"
    assert [r["name"] for r in lines.records.values()] == ["a", "c", "d", "e"]
    journal.close()
    again, reread = journal_with(tmp_path / "j.jsonl")
    assert [r["name"] for r in reread.records.values()] == ["a", "c", "d", "e"]
    again.close()


def test_the_rewritten_file_is_readable_by_its_owner_only(tmp_path):
    """Kills "rewrite: new file readable by everyone": an erasure must not widen who can read answers."""
    path = tmp_path / "j.jsonl"
    journal, _ = journal_with(path, "a", "b")
    with journal.locked() as open_journal:
        open_journal.rewrite(lambda record, raw: True, [])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    journal.close()


# -- the rewrite feeds the follower as it writes (issue 22): a failure part-way must not leave it half fed --

def names(lines: Lines) -> list[str]:
    return [r["name"] for r in lines.records.values()]


def test_a_rewrite_that_fails_part_way_leaves_the_follower_as_the_file_still_in_place(tmp_path):
    """Kills "no rebuild before the replace": the follower kept the part of the new file it was given."""
    journal, lines = journal_with(tmp_path / "j.jsonl", "a", "b", "c", "d")
    before = dict(lines.records)

    def keep(record, raw):
        if record["name"] == "c":
            raise RuntimeError("a bug in keep")
        return record["name"] != "a"

    with journal.locked() as open_journal:
        with pytest.raises(RuntimeError):
            open_journal.rewrite(keep, [{"kind": "line", "name": "xyz"}])
        # Still under the same lock: what the follower holds is the file in place, offsets and all.
        assert lines.records == before
        assert all(open_journal.read_at(offset) == record for offset, record in lines.records.items())
        open_journal.append({"kind": "line", "name": "e"})
    assert names(lines) == ["a", "b", "c", "d", "e"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    journal.close()


def test_a_rewrite_whose_folder_flush_fails_leaves_the_follower_as_the_new_file(tmp_path, monkeypatch):
    """Kills "no rebuild after the replace": the journal kept the old, replaced file's descriptor."""
    from consent_kit.store import journal as journal_module

    journal, lines = journal_with(tmp_path / "j.jsonl", "a", "b", "c")

    def broken(path):
        raise OSError(5, "Input/output error")

    with journal.locked() as open_journal:
        monkeypatch.setattr(journal_module, "fsync_dir", broken)
        with pytest.raises(StoreError):
            open_journal.rewrite(lambda record, raw: record["name"] != "a", [{"kind": "line", "name": "d"}])
        monkeypatch.undo()
        assert names(lines) == ["b", "c", "d"]  # the new file is in place: the follower says so
        assert all(open_journal.read_at(offset) == record for offset, record in lines.records.items())
        open_journal.append({"kind": "line", "name": "e"})
    journal.close()
    again, reread = journal_with(tmp_path / "j.jsonl")
    assert names(reread) == ["b", "c", "d", "e"]
    again.close()


def test_the_follower_gets_the_new_files_lines_at_their_new_offsets_without_a_second_reading(tmp_path):
    """Kills: offsets of the old file given, damaged lines lost, the new file read again."""
    path = tmp_path / "j.jsonl"
    journal_with(path, "a", "b", "c", "d")[0].close()
    data = path.read_bytes()
    at = data.index(b'"c"')
    path.write_bytes(data[:at] + b'"C"' + data[at + 3:] + b'{"kind":"line","na')  # damaged, and a torn tail
    journal, lines = journal_with(path)
    reads = []
    real_pread = os.pread
    with journal.locked() as open_journal:
        os.pread = lambda fd, n, at: reads.append(len(real_pread(fd, n, at))) or real_pread(fd, n, at)
        try:
            open_journal.rewrite(lambda record, raw: record is None or record["name"] != "a",
                                 [{"kind": "line", "name": "xyz"}])
        finally:
            os.pread = real_pread
        damaged = list(open_journal.damaged)
    assert sum(reads) == len(data)  # the old file's whole lines, once; the new file not at all
    journal.close()
    again, reread = journal_with(path)
    assert names(lines) == names(reread) == ["b", "d", "xyz"]
    assert list(lines.records) == list(reread.records)  # the same offsets as a fresh reading
    with again.locked() as fresh:
        assert damaged == fresh.damaged and len(damaged) == 1
    assert path.read_bytes().endswith(b"}\n") and path.read_bytes().count(b"\n") == 4  # no torn tail
    again.close()


def test_a_file_changed_between_its_rename_and_its_adoption_is_read_not_assumed(tmp_path, monkeypatch):
    """Kills "adopt without the check": the journal took the file as exactly what it wrote."""
    path = tmp_path / "j.jsonl"
    journal, lines = journal_with(path, "a", "b")
    real_replace = os.replace

    def replace_then_someone_appends(src, dst):
        real_replace(src, dst)
        with open(dst, "ab") as handle:  # a writer that ignored the lock, or a hand edit
            handle.write(b'{"kind":"line","name":"z"}\n')

    with journal.locked() as open_journal:
        monkeypatch.setattr(os, "replace", replace_then_someone_appends)
        open_journal.rewrite(lambda record, raw: record["name"] != "a", [])
        monkeypatch.undo()
        assert names(lines) == ["b", "z"]  # under the same lock: what the file holds
        assert open_journal.end()[1] == path.stat().st_size
    journal.close()
