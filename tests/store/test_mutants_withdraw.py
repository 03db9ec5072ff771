"""Withdrawal in the store, held by tests that kill mutants the other store tests let live (issue 21 §1).

Found by tests/consent/mutants_round2.py: each test names the mutant it kills.
"""

from __future__ import annotations

import pytest
from store_helpers import make_response

from consent_kit.consent.records import ConsentRecord
from consent_kit.participation.codes import code_key
from consent_kit.store import EmbeddedStore, ErasedSubmission

P1, P2 = "1" * 32, "2" * 32


def consent(pseudonym: str) -> ConsentRecord:
    return ConsentRecord(pseudonym=pseudonym, survey_id="pilot", consent_version="v1",
                         agreed=("take_part",), declined=(), given_at="2026-11-26T08:30:00Z",
                         code_hash=code_key(pseudonym, purpose="withdraw"))


def test_a_draft_naming_only_the_person_goes_with_their_withdrawal(store, data_dir):
    """Kills "withdraw: drafts naming only the person kept".

    Someone who agreed and stopped part-way has a draft but no sent answers: the
    draft file itself must go, not only become unreadable when their key goes.
    """
    store.add_consent(consent(P1))
    store.add_consent(consent(P2))
    store.save_draft("m" * 20, {"pseudonym": P1, "q1": "half-way"}, expires_at=4e9)
    store.save_draft("o" * 20, {"pseudonym": P2, "q1": "someone else"}, expires_at=4e9)

    store.withdraw(P1, at="2026-11-28T10:00:00Z")

    assert sorted(p.stem for p in (data_dir / "drafts").glob("*.json")) == ["o" * 20]
    assert store.load_draft("o" * 20)["q1"] == "someone else"


def test_an_id_erased_before_it_arrives_is_refused_when_it_does(store, data_dir):
    """Kills "erase: tombstones not written when nothing is stored".

    A phone may still be sending answers that a researcher (or a withdrawal) has
    already erased: with nothing stored yet, the id's tombstone alone refuses it.
    """
    assert store.erase_responses(["x" * 32]) == 0
    with pytest.raises(ErasedSubmission):
        store.add_response(make_response("x" * 32))
    store.close()
    with EmbeddedStore(data_dir) as reopened:
        with pytest.raises(ErasedSubmission):
            reopened.add_response(make_response("x" * 32))
        assert reopened.count_responses() == 0


def test_a_damaged_line_naming_one_of_the_persons_answers_goes_with_them(store, data_dir):
    """Kills "erase: damaged line kept unless it names everything": naming any one is enough."""
    store.add_consent(consent(P1))
    store.add_response(make_response("a" * 32, pseudonym=P1))
    store.add_response(make_response("b" * 32, pseudonym=P1))
    store.add_response(make_response("c" * 32))
    journal = data_dir / "responses.jsonl"
    with open(journal, "ab") as handle:  # a damaged copy of answer a: whole line, bad JSON
        handle.write(b'{"kind":"response","id":"' + b"a" * 32 + b'","answers":{"q1":"CANARY-d4"\n')

    result = store.withdraw(P1, at="2026-11-28T10:00:00Z")

    assert b"CANARY-d4" not in journal.read_bytes()
    assert result["damaged"] == 0
    assert [r.id for r in store.iter_responses()] == ["c" * 32]
