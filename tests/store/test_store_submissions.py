"""add_submission: consent, answers and audit entry stored with one flush, and put back after a power cut."""

from __future__ import annotations

import json
import os

import pytest
from store_helpers import make_response
from test_store_consents import make_record

from consent_kit.store import EmbeddedStore, ErasedSubmission, Store, SubmissionConflict

P1, P2, P3 = "1" * 32, "2" * 32, "3" * 32


def audit_for(pseudonym: str) -> dict:
    return {"actor": f"participant:{pseudonym}", "action": "consent_given", "subject": "pilot",
            "details": {"consent_version": "v", "agreed": ["take_part"]}}


def send(store, pseudonym: str, response_id: str, **answers):
    response = make_response(response_id, pseudonym=pseudonym, **({"answers": answers} if answers else {}))
    return store.add_submission(make_record(pseudonym), response, audit_for(pseudonym))


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture
def fsyncs(monkeypatch):
    """Count os.fsync calls on files (not folders)."""
    calls = []
    real = os.fsync

    def counting(fd):
        calls.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    return calls


def test_one_flush_stores_consent_answers_and_audit(store, data_dir, fsyncs):
    send(store, P1, "a" * 32)  # the first entry also creates the files
    store.keys.get_or_create(P2)  # made when their draft was first saved
    fsyncs.clear()
    stored, created = send(store, P2, "b" * 32)
    assert created and stored.id == "b" * 32
    assert [os.path.basename(p) for p in fsyncs] == ["responses.jsonl"]
    assert store.get_consent(P2) == make_record(P2)
    assert store.get_response("b" * 32) == stored
    entries = list(store.iter_audit())
    assert [e["actor"] for e in entries] == [f"participant:{P1}", f"participant:{P2}"]
    assert store.verify_audit() == []
    line = lines(data_dir / "responses.jsonl")[-1]
    assert store._consents.open(line["consent"]) == make_record(P2).to_record()
    assert line["audit"] == entries[-1]
    fsyncs.clear()
    send(store, P3, "c" * 32)  # no draft made their key: it is flushed first, with the answers'
    assert [os.path.basename(p) for p in fsyncs] == ["keys.jsonl", "responses.jsonl"]


def test_sending_twice_stores_once_and_audits_once(store, data_dir):
    first = send(store, P1, "a" * 32)
    again = send(store, P1, "a" * 32)
    assert first == (first[0], True) and again == (first[0], False)
    assert len(lines(data_dir / "responses.jsonl")) == 1
    assert len(lines(data_dir / "consents.jsonl")) == 1
    assert len(list(store.iter_audit())) == 1
    with pytest.raises(SubmissionConflict):
        send(store, P1, "a" * 32, q1="no")


def test_withdrawn_answers_cannot_come_back_and_copies_go_with_them(store, data_dir):
    send(store, P1, "a" * 32)
    store.withdraw(P1, at="2026-11-26T09:00:00Z")
    assert P1.encode() not in (data_dir / "responses.jsonl").read_bytes()
    assert b"take_part" not in (data_dir / "consents.jsonl").read_bytes()
    with pytest.raises(ErasedSubmission):
        store.add_submission(make_record(P2), make_response("a" * 32, pseudonym=P2), audit_for(P2))


def _power_cut(data_dir, sizes: dict, head: bytes) -> None:
    """What a power cut may do: lose the lines that were never flushed on their own."""
    for name, size in sizes.items():
        os.truncate(data_dir / name, size)
    (data_dir / "audit.head").write_bytes(head)


def test_a_power_cut_losing_the_unflushed_lines_is_repaired_exactly(data_dir, caplog):
    with EmbeddedStore(data_dir) as store:
        send(store, P1, "a" * 32)
        store.audit(actor="researcher", action="export", subject="pilot")  # flushed on its own
        sizes = {n: (data_dir / n).stat().st_size for n in ("consents.jsonl", "audit.jsonl")}
        head = (data_dir / "audit.head").read_bytes()
        send(store, P2, "b" * 32)
        send(store, P3, "c" * 32)
        before = {n: (data_dir / n).read_bytes() for n in ("consents.jsonl", "audit.jsonl")}
    _power_cut(data_dir, sizes, head)
    with EmbeddedStore(data_dir) as store:
        assert store.get_consent(P2) == make_record(P2) and store.get_consent(P3) == make_record(P3)
        assert store.verify_audit() == []
        assert [e["seq"] for e in store.iter_audit()] == [1, 2, 3, 4]
        assert store.count_responses() == 3
    # The same bytes as before the cut: nothing reads as changed.
    assert {n: (data_dir / n).read_bytes() for n in before} == before
    assert "Put back 2 consent line(s) and 2 audit" in caplog.text
    with EmbeddedStore(data_dir):  # opening again puts nothing back twice
        pass
    assert {n: (data_dir / n).read_bytes() for n in before} == before


def test_the_head_surviving_the_cut_does_not_stop_the_repair(data_dir):
    with EmbeddedStore(data_dir) as store:
        send(store, P1, "a" * 32)
        sizes = {n: (data_dir / n).stat().st_size for n in ("consents.jsonl", "audit.jsonl")}
        send(store, P2, "b" * 32)
        head = (data_dir / "audit.head").read_bytes()  # the head says 2, the log will say 1
    _power_cut(data_dir, sizes, head)
    with EmbeddedStore(data_dir) as store:
        assert store.verify_audit() == []
        assert store.get_consent(P2) == make_record(P2)
        send(store, P3, "c" * 32)
        assert [e["seq"] for e in store.iter_audit()] == [1, 2, 3]


def test_old_lines_without_copies_still_load(data_dir):
    with EmbeddedStore(data_dir) as store:
        store.add_response(make_response("a" * 32, pseudonym=P1))  # no consent, no copies
        send(store, P2, "b" * 32)
    with EmbeddedStore(data_dir) as store:
        assert store.count_responses() == 2
        assert store.get_consent(P1) is None and store.get_consent(P2) == make_record(P2)
        assert store.verify_audit() == []


def test_the_default_for_other_backends_calls_the_three_methods(store, data_dir):
    stored, created = Store.add_submission(store, make_record(P1), make_response("a" * 32, pseudonym=P1),
                                           audit_for(P1))
    assert created and store.get_consent(P1) == make_record(P1)
    assert [e["actor"] for e in store.iter_audit()] == [f"participant:{P1}"]
    assert "consent" not in lines(data_dir / "responses.jsonl")[0]


def test_threads_sending_at_once_share_one_flush(store, data_dir, fsyncs):
    import threading
    import time

    send(store, P1, "a" * 32)
    for i in range(4, 8):
        store.keys.get_or_create(f"{i}" * 32)  # made when their drafts were saved
    fsyncs.clear()
    journal = store._responses.journal
    results = []
    with journal._sync_lock:  # the disk is busy: every sender writes its line, then waits
        threads = [threading.Thread(target=lambda i=i: results.append(send(store, f"{i}" * 32, f"{i}" * 32)))
                   for i in range(4, 8)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(lines(data_dir / "responses.jsonl")) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert results == []  # nobody is told "stored" before the flush
    for thread in threads:
        thread.join(10)
    assert sorted(created for _, created in results) == [True] * 4
    assert [os.path.basename(p) for p in fsyncs] == ["responses.jsonl"]  # one flush for all four
    assert store.verify_audit() == [] and store.count_responses() == 5


def test_a_resend_flushes_answers_its_first_sender_has_not_flushed_yet(store, fsyncs):
    send(store, P1, "a" * 32)
    response = make_response("b" * 32, pseudonym=P2)
    with store._responses.journal.locked():  # written, not yet flushed, as mid-way through "Send"
        store._responses.add_locked(response, durable=False)
    fsyncs.clear()
    assert store.add_submission(make_record(P2), response, audit_for(P2)) == (response, False)
    assert [os.path.basename(p) for p in fsyncs] == ["responses.jsonl"]
    fsyncs.clear()
    send(store, P2, "b" * 32)  # already flushed: nothing more to do
    assert fsyncs == []


def test_a_failed_flush_then_a_good_retry_counts_as_the_first_send(store, monkeypatch):
    """Issue 21 §2: the retry must say created, so "Thank you" and the plugin events happen once.

    Kills: the retry reporting created=False (the unconfirmed mark dropped)."""
    from consent_kit.store import StoreError

    send(store, P1, "a" * 32)
    real = os.fsync
    failures = [1]

    def flaky(fd):
        if failures and os.readlink(f"/proc/self/fd/{fd}").endswith("responses.jsonl"):
            failures.pop()
            raise OSError(5, "Input/output error")
        return real(fd)

    monkeypatch.setattr(os, "fsync", flaky)
    with pytest.raises(StoreError):
        send(store, P2, "b" * 32)  # written, not flushed: nobody was told it was stored
    assert send(store, P2, "b" * 32)[1] is True  # the retry is the first acknowledged send
    assert send(store, P2, "b" * 32)[1] is False  # and only once
    assert [e["actor"] for e in store.iter_audit()].count(f"participant:{P2}") == 1
