"""What each server process keeps per participant (issue 22): flat tables, no pseudonyms.

Every participant's pseudonym is in their consent, answers and key lines, and
nearly everyone's consent names the same survey and the same statements. The
indexes used to keep the pseudonym and a copy of the rest per person (1,547
bytes a participant at 100,000 real Sends, ``benchmarks/real_scale.py``; 648
once shared). Now each keeps the pseudonym's 64-bit hash beside an offset in
flat arrays, and a number for the survey and choices everyone shares.
"""

from __future__ import annotations

import tracemalloc

import pytest

from consent_kit.store import EmbeddedStore
from consent_kit.store import journal as journal_module
from consent_kit.store.consents import ConsentLog
from consent_kit.store.contract import AT, consent, response
from consent_kit.store.journal import encode

PEOPLE = [f"{n:032x}" for n in range(1, 7)]


@pytest.fixture(params=["every line read", "indexes kept on disk"])
def reopened(tmp_path, monkeypatch, request):
    """A store where six people sent answers, opened again by a new store object.

    Either it reads every line (a first start) or it starts from the index files.
    """
    monkeypatch.setattr(journal_module, "SAVE_EVERY", 2)
    data = tmp_path / "data"
    store = EmbeddedStore(data)
    for n, pseudonym in enumerate(PEOPLE):
        store.add_submission(consent(pseudonym, code_hash=f"{n:064x}"), response(f"r{n}", pseudonym),
                             audit={"actor": pseudonym, "action": "consent_given", "subject": "pilot"})
    store.close()
    if request.param == "every line read":
        for index in data.glob("*.index"):
            index.unlink()
    else:
        assert {p.name for p in data.glob("*.index")} >= {"consents.index", "keys.index", "responses.index"}
    again = EmbeddedStore(data)
    yield again
    again.close()


def test_no_pseudonym_is_kept_in_memory_or_in_an_index_file(reopened):
    # Each index keeps people by the 64-bit hash of their pseudonym beside an offset, in flat
    # arrays; a person found by their hash is checked against their line.
    tables = {"consents": reopened._consents.index.people, "answers": reopened._responses.index.senders,
              "keys": reopened._keyfile.index.offsets, "codes": reopened._consents.index.by_code}
    for name, table in tables.items():
        assert all(type(column).__name__ == "array" for column in table.columns()), name
        assert len(table) == len(PEOPLE) + (name == "keys"), name  # and the instance's check key
    for n, pseudonym in enumerate(PEOPLE):
        assert reopened.get_consent(pseudonym).pseudonym == pseudonym
        assert [r.id for r in reopened.responses_by_pseudonym(pseudonym)] == [f"r{n}"]
        assert reopened.keys.get(pseudonym) is not None
        assert reopened.consent_by_code_hash(f"{n:064x}").pseudonym == pseudonym
    assert reopened.get_consent("someone else") is None and reopened.responses_by_pseudonym("x") == []
    for index in (reopened.data_dir).glob("*.index"):
        assert not any(p.encode() in index.read_bytes() for p in PEOPLE), index.name


def test_everyone_with_the_same_survey_and_choices_shares_one_entry(reopened):
    index = reopened._consents.index
    assert len(index.shapes) == 1
    survey_id, agreed, declined = index.shapes[0]
    assert (survey_id, agreed, declined) == ("pilot", ("share",), ("quote",))
    with reopened._consents.journal.locked():
        for pseudonym in PEOPLE:
            entry = index.entry(pseudonym)
            assert entry.survey_id is survey_id and entry.agreed is agreed and entry.declined is declined


def test_a_store_of_people_costs_little_memory_a_person(tmp_path, monkeypatch):
    # 360 bytes a person here when each index held their pseudonym (650 at a million); flat
    # tables hold 16 to 24 bytes an entry, at most 70% full: 160 here, with the tables 67% full.
    monkeypatch.setattr(journal_module, "SAVE_EVERY", 10**9)
    data, people = tmp_path / "data", 5500
    store = EmbeddedStore(data)
    for n in range(people):
        pseudonym = f"{n:032x}"
        store.add_submission(consent(pseudonym, code_hash=f"{n:064x}"), response(f"r{n}", pseudonym))
    store.close()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        again = EmbeddedStore(data)  # every line read: the same tables a start from the files gives
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert again.count_responses() == people and again.get_consent(f"{people - 1:032x}") is not None
    again.close()
    assert grown / people < 250


def test_answers_by_pseudonym_are_where_their_lines_are_in_the_order_sent(tmp_path):
    store = EmbeddedStore(tmp_path / "data")
    store.add_response(response("r0", "someone"))
    index, journal = store._responses.index, store._responses.journal
    with journal.locked():
        assert index.offsets_of("someone") == (index.offsets["r0"],) and index.more == {}
    for n in (1, 2):
        store.add_response(response(f"r{n}", "someone"))
    with journal.locked():
        assert index.offsets_of("someone") == tuple(index.offsets[f"r{n}"] for n in range(3))
    assert [r.id for r in store.responses_by_pseudonym("someone")] == ["r0", "r1", "r2"]
    store.erase_responses(["r0"])  # the first: the others are where the sender is found now
    with journal.locked():
        assert index.offsets_of("someone") == tuple(index.offsets[f"r{n}"] for n in (1, 2))
    assert [r.id for r in store.responses_by_pseudonym("someone")] == ["r1", "r2"]
    store.erase_responses(["r2"])
    assert [r.id for r in store.responses_by_pseudonym("someone")] == ["r1"]
    with journal.locked():
        assert index.more == {}
    store.close()


def test_a_line_with_odd_statements_is_still_indexed(tmp_path):
    # A hand-edited line may hold a list where a statement id should be, or a word instead
    # of a list: only statement ids (strings) are counted, and the file is still read.
    path = tmp_path / "consents.jsonl"
    odd = {"kind": "given", "pseudonym": "odd", "survey_id": "pilot", "consent_version": "v1",
           "agreed": [["share"], "quote"], "declined": "quote", "given_at": AT}
    path.write_bytes(encode(odd))
    log = ConsentLog(path)
    log.add(consent("plain"))
    counts = log.counts("pilot")
    assert counts["given"] == 2 and counts["agreed"] == {"quote": 1, "share": 1}
    with log.journal.locked():
        assert log.index.entry("odd").agreed == ("quote",) and log.index.entry("odd").declined == ()
        assert log.index.entry("plain").agreed == ("share",)
    log.close()
