"""Consent records and texts through EmbeddedStore: durability, the index, changes and withdrawal."""

from __future__ import annotations

import json
import os
import threading

import pytest
from store_helpers import make_response

from consent_kit.consent.records import ConsentRecord, ConsentText, change_optional
from consent_kit.participation.codes import code_key
from consent_kit.store import EmbeddedStore, ErasedSubmission, WithdrawnConsent
from consent_kit.store.journal import decode

TEXT = ConsentText(
    language="en",
    variant="",
    sections=(("what", "What is this?", "<p>A survey about care.</p>"),),
    statements=(("take_part", "I want to take part", True), ("quotes", "You can quote me", False),
                ("contact", "You can contact me again", False)),
)
P1, P2 = "1" * 32, "2" * 32


def make_record(pseudonym: str = P1, **changes) -> ConsentRecord:
    fields = {
        "pseudonym": pseudonym,
        "survey_id": "pilot",
        "consent_version": TEXT.version,
        "agreed": ("take_part", "quotes"),
        "declined": ("contact",),
        "given_at": "2026-11-26T08:30:00Z",
        "code_hash": code_key(pseudonym, purpose="withdraw"),
    }
    fields.update(changes)
    return ConsentRecord(**fields)


def _lines(data_dir) -> list[dict]:
    # decode checks and strips each line's checksum
    return [decode(line, where="test") for line in (data_dir / "consents.jsonl").read_bytes().splitlines()]


def _path_of(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


# -- adding and reading -----------------------------------------------------------

def test_add_then_get_and_by_code(store):
    record = make_record()
    assert store.add_consent(record) == (record, True)
    assert store.get_consent(P1) == record
    assert store.consent_by_code_hash(record.code_hash) == record
    assert store.get_consent(P2) is None
    assert store.consent_by_code_hash(code_key("NOPE234567", purpose="withdraw")) is None
    assert store.consent_by_code_hash("") is None


def test_add_is_idempotent_by_pseudonym(store, data_dir):
    first = make_record()
    store.add_consent(first)
    again, created = store.add_consent(make_record(agreed=("take_part",), declined=("quotes", "contact")))
    assert created is False
    assert again == first  # the first one counts
    assert [line["kind"] for line in _lines(data_dir)] == ["given"]


def test_add_consent_writes_one_line_then_fsyncs_it(data_dir, monkeypatch):
    store = EmbeddedStore(data_dir)
    journal = str(data_dir / "consents.jsonl")
    store.keys.get_or_create(make_record().pseudonym)  # as their draft did (see test_crypto_*)
    events = []
    real_write, real_fsync = os.write, os.fsync
    monkeypatch.setattr(
        os, "write", lambda fd, b: events.append(("write", _path_of(fd))) or real_write(fd, b)
    )
    monkeypatch.setattr(os, "fsync", lambda fd: events.append(("fsync", _path_of(fd))) or real_fsync(fd))
    store.add_consent(make_record())
    assert events == [("write", journal), ("fsync", journal)]
    store.close()


def test_two_store_instances_share_one_index(data_dir):
    one, two = EmbeddedStore(data_dir), EmbeddedStore(data_dir)
    record = make_record()
    one.add_consent(record)
    assert two.get_consent(P1) == record
    assert two.consent_by_code_hash(record.code_hash) == record
    assert two.add_consent(record) == (record, False)  # no second line from the other "process"
    assert two.consent_counts("pilot")["active"] == 1
    changed = change_optional(record, TEXT, {"take_part", "contact"}, "2026-11-27T09:00:00Z")
    two.change_consent(changed)
    assert one.get_consent(P1) == changed
    one.close()
    two.close()


def test_threads_add_the_same_and_different_pseudonyms(data_dir):
    stores = [EmbeddedStore(data_dir), EmbeddedStore(data_dir)]
    created = []

    def work(n: int) -> None:
        for i in range(50):
            pseudonym = f"{n}{i:031d}"
            created.append(stores[n % 2].add_consent(make_record(pseudonym))[1])
            created.append(stores[(n + 1) % 2].add_consent(make_record("s" * 31 + str(i % 5)))[1])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert created.count(True) == 200 + 5
    assert len(_lines(data_dir)) == 205
    assert stores[0].consent_counts("pilot")["given"] == 205
    for store in stores:
        store.close()


def test_invalid_records_are_refused_before_writing(store, data_dir):
    for bad in (
        make_record(pseudonym=""),
        make_record(pseudonym="x" * 129),
        make_record(method="nod"),
        make_record(consent_version=""),
        make_record(agreed=("quotes",), declined=("quotes",)),
    ):
        with pytest.raises(ValueError):
            store.add_consent(bad)
    assert (data_dir / "consents.jsonl").read_bytes() == b""


def test_a_withdrawal_code_hash_in_use_is_refused(store):
    store.add_consent(make_record(P1, code_hash="kshared"))
    with pytest.raises(ValueError, match="code"):
        store.add_consent(make_record(P2, code_hash="kshared"))
    assert store.get_consent(P2) is None


# -- changes --------------------------------------------------------------------------

def test_change_then_get_and_restart(data_dir):
    with EmbeddedStore(data_dir) as store:
        record = make_record()
        store.add_consent(record)
        changed = change_optional(record, TEXT, {"take_part", "contact"}, "2026-11-27T09:00:00Z")
        store.change_consent(changed)
        got = store.get_consent(P1)
        assert got.agreed == ("take_part", "contact") and got.declined == ("quotes",)
        assert got.changed_at == "2026-11-27T09:00:00Z" and got.given_at == record.given_at
        store.change_consent(changed)  # the same choices again: nothing written
    assert [line["kind"] for line in _lines(data_dir)] == ["given", "changed"]
    assert set(_lines(data_dir)[1]) == {"kind", "pseudonym", "agreed", "declined", "at"}
    with EmbeddedStore(data_dir) as store:
        assert store.get_consent(P1) == changed
        assert store.consent_counts("pilot")["agreed"] == {"take_part": 1, "contact": 1}


def test_change_refuses_what_is_not_a_change_of_choices(store):
    record = make_record()
    with pytest.raises(ValueError, match="no consent"):
        store.change_consent(replace_changed(record))
    store.add_consent(record)
    for bad in (
        replace_changed(record, consent_version="0" * 16),
        replace_changed(record, survey_id="other"),
        replace_changed(record, agreed=("take_part", "quotes", "extra")),
        replace_changed(record, changed_at=""),
    ):
        with pytest.raises(ValueError):
            store.change_consent(bad)
    assert store.get_consent(P1) == record


def replace_changed(record: ConsentRecord, **changes) -> ConsentRecord:
    fields = {**record.to_record(), "agreed": ("take_part",), "declined": ("quotes", "contact"),
              "changed_at": "2026-11-27T09:00:00Z"}
    fields.update(changes)
    return ConsentRecord.from_record(fields)


def test_counts_per_survey_and_statement(store):
    store.add_consent(make_record(P1))
    store.add_consent(make_record(P2, agreed=("take_part",), declined=("quotes", "contact")))
    store.add_consent(make_record("3" * 32, survey_id="other"))
    assert store.consent_counts("pilot") == {
        "given": 2, "active": 2, "withdrawn": 0, "agreed": {"take_part": 2, "quotes": 1},
    }
    assert store.consent_counts("other")["given"] == 1
    assert store.consent_counts("none") == {"given": 0, "active": 0, "withdrawn": 0, "agreed": {}}


# -- withdrawal -----------------------------------------------------------------------

ANSWER_CANARY = "canary-answer-5c1d2e"
INITIALS_CANARY = "Qx7-initials-canary"


def _all_bytes(folder) -> list[tuple[str, bytes]]:
    return [(str(p), p.read_bytes()) for p in folder.rglob("*") if p.is_file()]


def test_withdraw_erases_answers_and_initials_from_every_file(data_dir):
    store, other = EmbeddedStore(data_dir), EmbeddedStore(data_dir)
    mine = make_record(P1, method="initials", confirmed_as=INITIALS_CANARY, helped=True)
    store.save_consent_text(TEXT)
    store.add_consent(mine)
    store.add_consent(make_record(P2))
    store.change_consent(change_optional(mine, TEXT, {"take_part"}, "2026-11-27T09:00:00Z"))
    store.add_response(make_response("a" * 32, answers={"q1": ANSWER_CANARY}, pseudonym=P1))
    store.add_response(make_response("b" * 32, answers={"q1": [ANSWER_CANARY]}, pseudonym=P1))
    store.add_response(make_response("c" * 32, answers={"q1": "stays"}, pseudonym=P2))
    store.save_draft("d" * 20, {"pseudonym": P1, "q1": ANSWER_CANARY}, expires_at=4e9)
    store.audit(actor=f"participant:{P1}", action="consent.given", subject="pilot")
    assert other.get_consent(P1).confirmed_as == INITIALS_CANARY  # the other worker has indexed it
    # Stored sealed (never as plain text, see test_crypto_*), and readable through the store.
    assert [r.answers["q1"] for r in other.responses_by_pseudonym(P1)] == [ANSWER_CANARY, [ANSWER_CANARY]]
    assert other.load_draft("d" * 20)["q1"] == ANSWER_CANARY
    audit_before = (data_dir / "audit.jsonl").read_bytes()

    result = store.withdraw(P1, at="2026-11-28T10:00:00Z")

    assert result == {"responses": 2, "consents": 2, "damaged": 0, "audited": False}
    for path, data in _all_bytes(data_dir):
        assert ANSWER_CANARY.encode() not in data, path
        assert INITIALS_CANARY.encode() not in data, path
    # What remains: a minimal withdrawn line, for counts and the audit.
    withdrawn = [line for line in _lines(data_dir) if line.get("pseudonym") == P1]
    assert withdrawn == [{"kind": "withdrawn", "pseudonym": P1, "survey_id": "pilot",
                          "at": "2026-11-28T10:00:00Z"}]
    assert (data_dir / "audit.jsonl").read_bytes() == audit_before  # never rewritten
    assert store.verify_audit() == []
    for s in (store, other):
        assert s.get_consent(P1) is None
        assert s.consent_by_code_hash(mine.code_hash) is None
        assert s.responses_by_pseudonym(P1) == []
        assert s.get_consent(P2) is not None
        assert s.consent_counts("pilot") == {
            "given": 2, "active": 1, "withdrawn": 1, "agreed": {"take_part": 1, "quotes": 1},
        }
    assert store.load_draft("d" * 20) is None
    assert [r.id for r in store.iter_responses()] == ["c" * 32]
    with pytest.raises(WithdrawnConsent):
        other.add_consent(mine)
    with pytest.raises((ErasedSubmission, WithdrawnConsent)):  # a phone's queued retry can't bring them back
        other.add_response(make_response("a" * 32, answers={"q1": ANSWER_CANARY}, pseudonym=P1))
    store.close()
    other.close()
    with EmbeddedStore(data_dir) as reopened:
        assert reopened.get_consent(P1) is None
        assert reopened.consent_counts("pilot")["withdrawn"] == 1
        assert reopened.get_consent_text(TEXT.version) == TEXT


def test_withdraw_again_adds_nothing_and_late_answers_are_refused(store, data_dir):
    store.add_consent(make_record())
    assert store.withdraw(P1, at="2026-11-28T10:00:00Z")["consents"] == 1
    # Answers from a page that was already open can't be stored after the erasure
    # (kills the mutant that drops add_response's withdrawn check).
    with pytest.raises(WithdrawnConsent):
        store.add_response(make_response("late" + "x" * 28, pseudonym=P1))
    assert store.responses_by_pseudonym(P1) == []
    assert store.withdraw(P1, at="2026-11-28T10:05:00Z") == {
        "responses": 0, "consents": 0, "damaged": 0, "audited": False}
    # The consent line blanked where it was, the withdrawal, and where the blanks are: nothing more.
    assert [line["kind"] for line in _lines(data_dir)] == ["blank", "withdrawn", "blanked"]
    assert store.consent_counts("pilot")["withdrawn"] == 1


def test_a_failed_response_erasure_leaves_the_consent_working(store, monkeypatch):
    store.add_consent(make_record())
    store.add_response(make_response("a" * 32, pseudonym=P1))

    def broken(ids, **kwargs):
        raise OSError("disk trouble")

    monkeypatch.setattr(store._responses, "erase", broken)
    with pytest.raises(OSError):
        store.withdraw(P1, at="2026-11-28T10:00:00Z")
    assert store.get_consent(P1) is not None  # the code still works, so they can try again
    monkeypatch.undo()
    assert store.withdraw(P1, at="2026-11-28T10:01:00Z") == {
        "responses": 1, "consents": 1, "damaged": 0, "audited": False}


def test_withdraw_needs_a_pseudonym(store):
    with pytest.raises(ValueError):
        store.withdraw("", at="2026-11-28T10:00:00Z")


def test_withdraw_keeps_a_damaged_line_unless_it_mentions_the_pseudonym(store, data_dir):
    store.add_consent(make_record())
    with open(data_dir / "consents.jsonl", "ab") as f:
        f.write(b'{"broken": "' + P1.encode() + b'"\n{"broken": "unrelated"\n')
    store.add_consent(make_record(P2))
    assert store.withdraw(P1, at="2026-11-28T10:00:00Z")["consents"] == 2
    data = (data_dir / "consents.jsonl").read_bytes()
    assert b'{"broken": "unrelated"\n' in data
    assert data.count(P1.encode()) == 1  # only in the withdrawn line
    assert store.get_consent(P2) is not None


# -- consent texts ------------------------------------------------------------------

def test_consent_text_is_kept_exactly_and_once(data_dir):
    with EmbeddedStore(data_dir) as store:
        assert store.get_consent_text(TEXT.version) is None
        store.save_consent_text(TEXT)
        kept = (data_dir / "tables.json").read_bytes()
    with EmbeddedStore(data_dir) as store:  # a fresh process: no in-memory shortcut
        store.save_consent_text(TEXT)
        assert (data_dir / "tables.json").read_bytes() == kept
        assert store.get_consent_text(TEXT.version) == TEXT
        assert store.get_consent_text(TEXT.version).version == TEXT.version
        docs = store.table("consent_texts").all()
        assert [doc["text"] for doc in docs] == [TEXT.to_dict()]


def test_editing_the_text_keeps_the_stored_copy_byte_identical(store):
    store.save_consent_text(TEXT)
    before = json.dumps(store.get_consent_text(TEXT.version).to_dict(), sort_keys=True)
    edited = ConsentText(TEXT.language, TEXT.variant, TEXT.sections,
                         (("take_part", "I want to take part today", True), *TEXT.statements[1:]))
    assert edited.version != TEXT.version
    store.save_consent_text(edited)
    assert json.dumps(store.get_consent_text(TEXT.version).to_dict(), sort_keys=True) == before
    assert store.get_consent_text(edited.version) == edited
