"""Crypto-shredding in the embedded store: sealed at rest, unreadable in old backups after withdrawal.

Issue 16 §4: a copy of the data folder taken before a withdrawal, opened with
the key file as it is now, holds no readable answer of the withdrawn person.
"""

from __future__ import annotations

import json
import shutil

import pytest
from store_helpers import make_response

from consent_kit.consent.records import ConsentRecord
from consent_kit.participation.codes import code_key
from consent_kit.store import EmbeddedStore, StoreError
from consent_kit.store.crypto import unseal
from consent_kit.store.journal import decode, encode

P1, P2 = "1" * 32, "2" * 32
CANARY, INITIALS, DRAFT_CANARY = "canary-answer-8d2f", "QZ-initials-canary", "canary-draft-61ab"
#: Every plain form a canary could take in a file (as typed, JSON-escaped, base64 is not plain).
CANARIES = (CANARY, INITIALS, DRAFT_CANARY)


def record(pseudonym: str, **changes) -> ConsentRecord:
    fields = {"pseudonym": pseudonym, "survey_id": "pilot", "consent_version": "v1",
              "agreed": ("take_part",), "given_at": "2026-11-26T08:30:00Z",
              "code_hash": code_key(pseudonym, purpose="withdraw"), "method": "initials",
              "confirmed_as": INITIALS if pseudonym == P1 else "AB", "helped": True}
    fields.update(changes)
    return ConsentRecord(**fields)


def take_part(store: EmbeddedStore, pseudonym: str, response_id: str, answer: str) -> None:
    """What a participant leaves: a draft, then consent and answers sent together."""
    store.save_draft(f"draft-{pseudonym[:10]}-xyz", {"pseudonym": pseudonym, "submission_id": response_id,
                                                     "answers": {"q1": DRAFT_CANARY}}, expires_at=4e9)
    store.add_submission(record(pseudonym), make_response(response_id, answers={"q1": answer},
                                                          pseudonym=pseudonym),
                         {"actor": f"participant:{pseudonym}", "action": "consent_given", "subject": "pilot"})


def files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def plain_hits(folder) -> list[str]:
    """Files of ``folder`` that hold any canary as plain text."""
    return [f"{p.name}: {c}" for p in files(folder) for c in CANARIES if c.encode() in p.read_bytes()]


def test_answers_consent_initials_and_drafts_are_sealed_at_rest(store, data_dir):
    take_part(store, P1, "a" * 32, CANARY)
    assert plain_hits(data_dir) == []
    # ... and every one of them reads back through the store.
    assert store.get_response("a" * 32).answers == {"q1": CANARY}
    assert store.get_consent(P1).confirmed_as == INITIALS and store.get_consent(P1).helped is True
    assert store.load_draft(f"draft-{P1[:10]}-xyz")["answers"] == {"q1": DRAFT_CANARY}
    line = decode((data_dir / "responses.jsonl").read_bytes().splitlines()[0], where="test")
    assert "answers" not in line and line["sealed"].startswith("ck1:")
    assert "confirmed_as" not in line["consent"] and "helped" not in line["consent"]
    assert line["id"] == "a" * 32 and line["pseudonym"] == P1  # what the index needs stays readable


def test_a_withdrawn_answer_is_nowhere_in_the_data_folder(store, data_dir):
    take_part(store, P1, "a" * 32, CANARY)
    take_part(store, P2, "b" * 32, "stays")
    sealed_before = {p.name: p.read_bytes() for p in files(data_dir)}
    store.withdraw(P1, at="2026-11-28T10:00:00Z")
    assert plain_hits(data_dir) == []
    # Not even the sealed form or the key is left in any current file.
    token = decode(sealed_before["responses.jsonl"].splitlines()[0], where="test")["sealed"]
    key_line = next(ln for ln in sealed_before["keys.jsonl"].splitlines() if P1.encode() in ln)
    for path in files(data_dir):
        data = path.read_bytes()
        assert token.encode() not in data and key_line not in data, path
    assert store.keys.get(P1) is None
    assert store.get_response("b" * 32).answers == {"q1": "stays"}


@pytest.mark.parametrize("copied", ["responses.jsonl", "everything but the keys"])
def test_a_backup_from_before_withdrawal_is_unreadable_with_todays_keys(store, data_dir, tmp_path, copied):
    take_part(store, P1, "a" * 32, CANARY)
    take_part(store, P2, "b" * 32, "stays")
    backup = tmp_path / "backup"
    shutil.copytree(data_dir, backup)  # last night's backup, before the withdrawal
    store.withdraw(P1, at="2026-11-28T10:00:00Z")
    store.close()

    # Restore the backup, keeping today's key file and instance key (they are not in routine backups).
    restored = tmp_path / "restored"
    shutil.copytree(data_dir, restored)
    for path in files(backup):
        if path.name not in ("keys.jsonl", "store.key") and (copied != "responses.jsonl" or
                                                                path.name == "responses.jsonl"):
            target = restored / path.relative_to(backup)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    with EmbeddedStore(restored) as old:
        assert old.get_response("a" * 32) is None
        assert [r.id for r in old.iter_responses()] == ["b" * 32]
        assert old.get_response("b" * 32).answers == {"q1": "stays"}
        assert old.load_draft(f"draft-{P1[:10]}-xyz") is None
        if copied != "responses.jsonl":
            assert old.get_consent(P1).confirmed_as == ""  # the consent line is there, its initials are not
        # No key left anywhere opens the withdrawn answers, whatever name it is tried under.
        line = decode((backup / "responses.jsonl").read_bytes().splitlines()[0], where="test")
        lines = [json.loads(ln) for ln in (restored / "keys.jsonl").read_bytes().splitlines()]
        names = [line["name"] for line in lines if line.get("kind") == "key"]  # not the blanks
        for name in names:
            with pytest.raises(StoreError):
                unseal(old.keys.get(name), line["sealed"], aad="response:" + "a" * 32)
    assert plain_hits(restored) == []


def test_erasing_answers_sent_without_a_pseudonym_destroys_their_own_key(store):
    store.add_response(make_response("a" * 32, answers={"q1": CANARY}))
    assert store.keys.get("response:" + "a" * 32) is not None
    store.erase_responses(["a" * 32])
    assert store.keys.get("response:" + "a" * 32) is None


@pytest.mark.parametrize("start", ["every line read", "indexes kept on disk"])
def test_a_key_kept_by_a_crash_after_its_answers_were_erased_goes_at_next_start(data_dir, monkeypatch, start):
    store = EmbeddedStore(data_dir)
    for n in "abc":
        store.add_response(make_response(n * 32, answers={"q1": CANARY}))
    monkeypatch.setattr(store.keys, "destroy_all", lambda names: None)  # the crash, just before
    store.erase_responses(["b" * 32])
    store.close()
    monkeypatch.undo()
    if start == "every line read":
        for index in data_dir.glob("*.index"):
            index.unlink()
    again = EmbeddedStore(data_dir)
    assert again.keys.get("response:" + "b" * 32) is None
    assert again.keys.get("response:" + "a" * 32) is not None and again.get_response("c" * 32) is not None
    again.close()


def test_tampered_sealed_answers_are_refused_with_a_plain_error(store, data_dir):
    store.add_response(make_response("a" * 32, answers={"q1": CANARY}, pseudonym=P1))
    store.add_response(make_response("b" * 32, answers={"q1": "other"}, pseudonym=P2))
    path = data_dir / "responses.jsonl"
    lines = [decode(ln, where="test") for ln in path.read_bytes().splitlines()]
    lines[0]["sealed"] = lines[1]["sealed"]  # someone's answers pasted onto another record
    path.write_bytes(b"".join(encode(line) for line in lines))  # with a good checksum
    with EmbeddedStore(data_dir) as reopened:
        with pytest.raises(StoreError) as caught:
            reopened.get_response("a" * 32)
        assert "please tell the researchers" in str(caught.value).lower()
        assert reopened.get_response("b" * 32).answers == {"q1": "other"}


def test_a_store_opened_with_another_instance_key_refuses_to_start(data_dir):
    with EmbeddedStore(data_dir) as store:
        store.add_response(make_response("a" * 32, pseudonym=P1))
    (data_dir / "store.key").unlink()  # a new key is made: not the one the keys were locked with
    with pytest.raises(StoreError) as caught:
        EmbeddedStore(data_dir)
    assert caught.value.reason == "bad_key"


def test_drafts_are_sealed_on_disk_and_shredded_with_the_person(store, data_dir):
    store.save_draft("d" * 20, {"pseudonym": P1, "q1": DRAFT_CANARY}, expires_at=4e9)
    store.save_draft("e" * 20, {"q1": DRAFT_CANARY}, expires_at=4e9)  # names nobody: the shared key
    for name in ("d" * 20, "e" * 20):
        body = json.loads((data_dir / "drafts" / f"{name}.json").read_bytes())
        assert set(body) == {"expires_at", "key", "sealed"} and DRAFT_CANARY not in json.dumps(body)
    assert store.load_draft("e" * 20) == {"q1": DRAFT_CANARY}
    saved = (data_dir / "drafts" / f"{'d' * 20}.json").read_bytes()
    store.withdraw(P1, at="2026-11-28T10:00:00Z")
    assert not (data_dir / "drafts" / f"{'d' * 20}.json").exists()
    (data_dir / "drafts" / f"{'d' * 20}.json").write_bytes(saved)  # put back from a backup
    assert store.load_draft("d" * 20) is None  # its key is gone


def test_a_draft_moved_to_another_id_is_refused(store, data_dir):
    store.save_draft("d" * 20, {"pseudonym": P1, "q1": DRAFT_CANARY}, expires_at=4e9)
    folder = data_dir / "drafts"
    (folder / f"{'f' * 20}.json").write_bytes((folder / f"{'d' * 20}.json").read_bytes())
    with pytest.raises(StoreError):
        store.load_draft("f" * 20)


def test_erasure_still_finds_drafts_that_carry_an_erased_id(store, data_dir):
    store.save_draft("d" * 20, {"pseudonym": P1, "submission_id": "a" * 32}, expires_at=4e9)
    store.save_draft("e" * 20, {"pseudonym": P2, "submission_id": "b" * 32}, expires_at=4e9)
    store.erase_responses(["a" * 32])  # the id is inside the sealed data, not in the file
    assert store.load_draft("d" * 20) is None
    assert store.load_draft("e" * 20) is not None


# -- lines written before sealing (migration on read) ----------------------------------------


def test_plain_lines_written_before_sealing_still_load_and_withdraw(data_dir):
    data_dir.mkdir()
    old = record(P1).to_record()
    (data_dir / "consents.jsonl").write_bytes(encode({"kind": "given", **old}))
    response = make_response("a" * 32, answers={"q1": CANARY}, pseudonym=P1).to_record()
    (data_dir / "responses.jsonl").write_bytes(encode({"kind": "response", **response}))
    (data_dir / "drafts").mkdir()
    (data_dir / "drafts" / f"{'d' * 20}.json").write_text(
        json.dumps({"expires_at": 4e9, "data": {"pseudonym": P2, "q1": DRAFT_CANARY}}))
    with EmbeddedStore(data_dir) as store:
        assert store.get_response("a" * 32).answers == {"q1": CANARY}
        assert store.get_consent(P1).confirmed_as == INITIALS
        assert store.load_draft("d" * 20) == {"pseudonym": P2, "q1": DRAFT_CANARY}
        store.add_response(make_response("b" * 32, answers={"q1": "new"}, pseudonym=P2))
        assert [r.answers["q1"] for r in store.iter_responses()] == [CANARY, "new"]
        store.save_draft("d" * 20, {"pseudonym": P2, "q1": DRAFT_CANARY}, expires_at=4e9)  # sealed now
        store.withdraw(P1, at="2026-11-28T10:00:00Z")
        assert store.get_response("a" * 32) is None
    assert plain_hits(data_dir) == []


def test_erasing_a_stored_answer_opens_only_its_senders_drafts(store, monkeypatch):
    """Erasure runs under a lock: other people's sealed drafts are not opened one by one."""
    store.add_response(make_response("a" * 32, pseudonym=P1))
    store.save_draft("d" * 20, {"pseudonym": P1, "submission_id": "a" * 32}, expires_at=4e9)
    store.save_draft("e" * 20, {"pseudonym": P2, "submission_id": "b" * 32}, expires_at=4e9)
    opened = []
    real = store._drafts.sealer.open_draft
    monkeypatch.setattr(store._drafts.sealer, "open_draft", lambda i, b: opened.append(i) or real(i, b))
    store.erase_responses(["a" * 32])
    assert "e" * 20 not in opened
    monkeypatch.undo()
    assert store.load_draft("d" * 20) is None and store.load_draft("e" * 20) is not None
