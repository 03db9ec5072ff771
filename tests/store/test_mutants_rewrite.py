"""The journal's rewrite, held by tests that kill mutants the other store tests let live (issue 21 §1).

Found by tests/consent/mutants_round2.py: each test names the mutant it kills.
"""

from __future__ import annotations

import stat

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
