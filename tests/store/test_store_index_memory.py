"""What each server process keeps per participant (issue 22): one copy of what many share.

Every participant's pseudonym is in their consent, answers and key lines, and
nearly everyone's consent names the same survey and the same statements. Each
line read makes new strings, so the indexes used to keep a copy of each per
person: 1,547 bytes a participant at 100,000 real Sends (``benchmarks/real_scale.py``).
These tests check the sharing itself, in a process that read the files from scratch.
"""

from __future__ import annotations

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


def _key_object(mapping: dict, value: str):
    """The very object ``mapping`` holds as the key equal to ``value``."""
    return next(key for key in mapping if key == value)


def test_a_pseudonym_is_one_object_in_every_index(reopened):
    consents = reopened._consents.index.current
    answers = reopened._responses.index.by_pseudonym
    keys = reopened._keyfile.index.offsets
    for pseudonym in PEOPLE:
        held = _key_object(consents, pseudonym)
        assert _key_object(answers, pseudonym) is held
        assert _key_object(keys, pseudonym) is held
        # Withdrawal codes are kept as hashes beside offsets (flat arrays), not as strings.
        assert reopened.consent_by_code_hash(f"{PEOPLE.index(pseudonym):064x}").pseudonym == pseudonym
    assert len(reopened._consents.index.by_code) == len(PEOPLE)
    assert all(type(column).__name__ == "array" for column in reopened._consents.index.by_code.columns())


def test_equal_survey_ids_and_statements_are_one_object(reopened):
    entries = list(reopened._consents.index.current.values())
    assert len(entries) == len(PEOPLE)
    first = entries[0]
    for entry in entries[1:]:
        assert entry.survey_id is first.survey_id
        assert entry.agreed is first.agreed and entry.declined is first.declined
    assert first.agreed == ("share",) and first.declined == ("quote",)


def test_answers_by_pseudonym_are_where_their_lines_are_in_the_order_sent(tmp_path):
    # One int for most people, a tuple for more: not a tuple of id strings (140 bytes less a person).
    store = EmbeddedStore(tmp_path / "data")
    store.add_response(response("r0", "someone"))
    index, journal = store._responses.index, store._responses.journal
    with journal.locked():
        assert index.by_pseudonym["someone"] == index.offsets["r0"]
    for n in (1, 2):
        store.add_response(response(f"r{n}", "someone"))
    with journal.locked():
        assert index.by_pseudonym["someone"] == tuple(index.offsets[f"r{n}"] for n in range(3))
    assert [r.id for r in store.responses_by_pseudonym("someone")] == ["r0", "r1", "r2"]
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
    assert log.index.current["odd"].agreed == ("quote",) and log.index.current["odd"].declined == ()
    assert log.index.current["plain"].agreed == ("share",)
    log.close()
