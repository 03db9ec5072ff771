"""People kept by the hash of their pseudonym (issue 22): flat tables instead of dicts of names.

The consent, key and answers indexes keep each person as the 64-bit hash of
their pseudonym beside an offset (``OffsetTable``), checked against their line
when found. These tests check the table against a dict under random use, the
comparison of two tables by hash, and what happens when an entry points at the
wrong person's line or at a line an erasure has just blanked.
"""

from __future__ import annotations

import logging
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consent_kit.store import EmbeddedStore, StoreError
from consent_kit.store.consents import ConsentLog
from consent_kit.store.contract import AT, consent
from consent_kit.store.offset_table import OffsetTable, WrongLine, id_key

NAMES = [f"person-{n}" for n in range(12)]
STEPS = st.lists(st.tuples(st.sampled_from(["add", "discard", "move", "number"]), st.sampled_from(NAMES),
                           st.integers(0, 5)), max_size=60)


@settings(max_examples=80, deadline=None)
@given(steps=STEPS, slots=st.sampled_from([1, 2, 1024]))
def test_a_table_with_numbers_agrees_with_a_dict(steps, slots):
    lines: dict[int, str] = {}  # what the "file" holds at each offset
    table = OffsetTable(lines.get, slots=slots, with_values=True)
    expected: dict[str, tuple[int, int]] = {}
    for n, (step, name, number) in enumerate(steps):
        offset = 100 * (n + 1)
        if step == "add":
            lines[offset] = name
            added = table.add_new(name, offset, number)
            assert added == (name not in expected)
            expected.setdefault(name, (offset, number))
        elif step == "discard" and name in expected:
            assert table.discard(expected.pop(name)[0])
        elif step == "move" and name in expected:
            lines[offset] = name  # a later line of the same person
            assert table.move(expected[name][0], offset)
            expected[name] = (offset, expected[name][1])
        elif step == "number":
            assert table.set_value(name, number) == (name in expected)
            if name in expected:
                expected[name] = (expected[name][0], number)
        for table_now in (table, OffsetTable.from_columns(lines.get, *(c.tobytes() for c in table.columns()),
                                                          with_values=True)):
            assert len(table_now) == len(expected)
            assert {name: table_now.value(name) for name in NAMES if name in table_now} == expected


@settings(max_examples=60, deadline=None)
@given(mine=st.sets(st.sampled_from(NAMES)), theirs=st.sets(st.sampled_from(NAMES)),
       others=st.sets(st.sampled_from(NAMES)))
def test_two_tables_are_compared_by_hash(mine, theirs, others):
    tables = []
    for names in (mine, theirs, others):
        table = OffsetTable(lambda offset: None)
        for name in names:
            table.add(name, NAMES.index(name) + 1)
        tables.append(table)
    found = tables[0].offsets_not_in(tables[1], tables[2])
    assert sorted(found) == sorted(NAMES.index(n) + 1 for n in mine - theirs - others)


def test_an_entry_on_someone_elses_line_is_found_out_and_equal_hashes_are_not(monkeypatch):
    lines = {10: "ann", 20: "bob"}
    table = OffsetTable(lines.get)
    table.add("ann", 20)  # ann's entry, on bob's line (a wrong index file)
    with pytest.raises(WrongLine):
        table.get("ann")
    # Two names whose hashes are equal are told apart by their lines: nothing is wrong.
    monkeypatch.setattr("consent_kit.store.offset_table.id_key", lambda name: 7)
    table = OffsetTable(lines.get)
    table.add("ann", 10)
    table.add("bob", 20)
    assert table.get("bob") == 20 and table.get("ann") == 10 and table.get("cy") is None


def test_a_blank_line_is_taken_only_when_asked_and_only_if_no_line_is_the_persons():
    lines = {10: None, 20: "ann"}  # 10: blanked by an erasure
    table = OffsetTable(lines.get, with_values=True)
    table.add_hash(id_key("ann"), 10, 3)
    assert table.value("ann") is None
    assert table.value("ann", or_unreadable=True) == (10, 3)
    table.add_hash(id_key("ann"), 20, 4)
    assert table.value("ann", or_unreadable=True) == (20, 4)


def test_another_process_counts_out_a_change_and_a_withdrawal_whose_lines_are_blank(tmp_path):
    # This process knew the person; by the time it reads their "changed" and "withdrawn" lines,
    # the other process has blanked the consent line they point at.
    path = tmp_path / "consents.jsonl"
    here, there = ConsentLog(path), ConsentLog(path)
    here.add(consent("ann", agreed=("share",), declined=("quote",)))
    here.add(consent("bob"))
    assert here.counts("pilot")["agreed"] == {"share": 2}
    there.change(consent("ann", agreed=("share", "quote"), declined=(), changed_at=AT))
    there.withdraw("ann", at=AT, erase_responses=dict)
    assert here.counts("pilot") == {"given": 2, "active": 1, "withdrawn": 1, "agreed": {"share": 1}}
    assert here.get("ann") is None and here.get("bob").pseudonym == "bob"
    here.close()
    there.close()


def test_a_lookup_on_a_wrong_index_asks_to_try_again_and_sets_the_index_right(tmp_path, caplog):
    data = tmp_path / "data"
    store = EmbeddedStore(data)
    store.add_consent(consent("ann"))
    store.add_consent(consent("bob"))
    index = store._consents.index
    with store._consents.journal.locked():
        ann, bob = index.entry("ann").offset, index.entry("bob").offset
        keys, offsets, *_ = index.people.columns()
        first, second = keys.index(id_key("ann")), keys.index(id_key("bob"))
        offsets[first], offsets[second] = bob, ann  # as a damaged index file would have them
    with caplog.at_level(logging.ERROR), pytest.raises(StoreError, match="please try again"):
        store.add_consent(consent("ann"))
    assert "pointed at the wrong line" in caplog.text
    assert store.add_consent(consent("ann"))[1] is False  # known: the index was read again
    assert store.get_consent("bob").pseudonym == "bob"
    store.close()


def test_the_sweep_reads_only_the_key_lines_of_people_who_never_sent_anything(tmp_path, monkeypatch):
    # Compared by hash with the consents and the senders: only the rest are read (not a million).
    from store_helpers import make_response

    from consent_kit.store.contract import response
    from consent_kit.store.keys import KeyFile

    store = EmbeddedStore(tmp_path / "data")
    for n in range(5):
        store.add_response(make_response(f"anonymous-{n}"))  # a key each, named by the answers' id
        store.add_submission(consent(f"sent-{n}"), response(f"r{n}", f"sent-{n}"))
    store.keys.get_or_create("only-a-draft")  # started, never sent, draft gone
    read = []
    real = KeyFile._name_at
    monkeypatch.setattr(KeyFile, "_name_at", lambda self, offset: read.append(offset) or real(self, offset))
    assert store.purge_expired_drafts(now=4_000_000_000) == 0  # long after: every unused key is stale
    assert store.keys.get("only-a-draft") is None
    assert all(store.keys.get(f"sent-{n}") is not None for n in range(5))
    assert all(store.keys.get(f"response:anonymous-{n}") is not None for n in range(5))
    # The draft-only key and the instance's check key: not the 10 keys of people who sent answers.
    assert len(read) == 2
    store.close()


def test_offsets_past_4_gib_are_kept_whole_and_read_back_from_an_index_file():
    # Offsets are kept in 4 bytes while the file is under 4 GiB, then in 8.
    far = [(1 << 32) + 5, (1 << 40) + 7]
    lines = {10: "near", far[0]: "far", far[1]: "farther"}
    table = OffsetTable(lines.get, slots=4, with_values=True)
    table.add("near", 10, 1)
    assert table.columns()[1].itemsize == 4
    table.add("far", far[0], 2)
    table.add("farther", far[1], 3)  # and the table grows meanwhile
    assert table.columns()[1].itemsize == 8
    again = OffsetTable.from_columns(lines.get, *(c.tobytes() for c in table.columns()), with_values=True)
    for found in (table, again):
        assert [found.value(n) for n in ("near", "far", "farther")] == [(10, 1), (far[0], 2), (far[1], 3)]
    assert again.discard(far[1]) and again.get("farther") is None and again.get("far") == far[0]


def test_an_index_file_with_a_negative_offset_is_not_used():
    table = OffsetTable(lambda offset: None, slots=8)
    table.add("ann", (1 << 32) + 1)  # offsets in 8 bytes, which can hold a negative number
    keys, offsets = (c.tobytes() for c in table.columns())
    bad = array("q", offsets)
    bad[bad.index((1 << 32) + 1)] = -5
    with pytest.raises(ValueError):
        OffsetTable.from_columns(table.read_id, keys, bad.tobytes())
    assert OffsetTable.from_columns(table.read_id, keys, offsets).get("ann") is None  # unreadable line
