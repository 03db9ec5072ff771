"""Responses through EmbeddedStore: idempotency, reading, threads and erasure."""

from __future__ import annotations

import json
import threading

import pytest
from store_helpers import make_response

from consent_kit.store import (
    EmbeddedStore,
    ErasedSubmission,
    Response,
    Store,
    StoreError,
    SubmissionConflict,
)


def test_store_creates_owner_only_data_folder(data_dir):
    assert not data_dir.exists()
    store = EmbeddedStore(data_dir)
    assert isinstance(store, Store)
    assert data_dir.stat().st_mode & 0o777 == 0o700
    store.add_response(make_response("a" * 32))
    assert (data_dir / "responses.jsonl").stat().st_mode & 0o777 == 0o600
    store.close()


def test_new_response_is_created_and_readable(store):
    response = make_response("a" * 32, source="paper", meta={"language": "cy"}, pseudonym="p1")
    assert store.add_response(response) == (response, True)
    assert store.get_response("a" * 32) == response
    assert store.get_response("missing") is None
    assert list(store.iter_responses()) == [response]


def test_same_id_same_content_returns_the_original(store):
    first = make_response("a" * 32, submitted_at="2026-11-26T08:30:00Z", reference="AAA111")
    store.add_response(first)
    retry = make_response(
        "a" * 32,
        submitted_at="2026-11-26T09:00:00Z",
        reference="ZZZ999",
        answers={"q1": "yes", "q2": (1, 2)},  # a tuple is stored as a list: same content
    )
    stored, created = store.add_response(retry)
    assert created is False
    assert (stored.reference, stored.submitted_at) == ("AAA111", "2026-11-26T08:30:00Z")
    assert store.count_responses() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"answers": {"q1": "no", "q2": [1, 2]}},
        {"survey_version": "v2hash"},
        {"survey_id": "other"},
        {"source": "paper"},
        {"pseudonym": "someone"},
    ],
)
def test_same_id_different_content_is_a_conflict_and_keeps_the_first(store, change):
    first = make_response("a" * 32)
    store.add_response(first)
    with pytest.raises(SubmissionConflict) as caught:
        store.add_response(make_response("a" * 32, **change))
    assert not isinstance(caught.value, ErasedSubmission)
    assert "We kept the answers you sent first" in str(caught.value)
    assert store.get_response("a" * 32) == first
    assert store.count_responses() == 1


def test_counts_per_survey_and_iteration_filter(store):
    for n in range(5):
        store.add_response(make_response(f"{n}" * 32, survey_id="even" if n % 2 == 0 else "odd"))
    assert store.count_responses() == 5
    assert store.count_responses("even") == 3
    assert store.count_responses("odd") == 2
    assert store.count_responses("none") == 0
    assert [r.id[0] for r in store.iter_responses("odd")] == ["1", "3"]
    assert [r.id[0] for r in store.iter_responses()] == ["0", "1", "2", "3", "4"]


def test_iteration_holds_no_lock_and_reads_a_snapshot(store):
    for n in range(3):
        store.add_response(make_response(f"{n}" * 32))
    responses = store.iter_responses()
    assert next(responses).id == "0" * 32
    # Would deadlock if iteration kept the (non-reentrant) lock.
    store.add_response(make_response("9" * 32))
    store.erase_responses(["1" * 32])  # replaces the file under the iterator
    # Read (and unsealed, keys fetched a batch of lines at a time) before the erasure.
    assert [r.id[0] for r in responses] == ["1", "2"]
    assert [r.id[0] for r in store.iter_responses()] == ["0", "2", "9"]


def test_responses_by_pseudonym(store):
    store.add_response(make_response("a" * 32, pseudonym="p1"))
    store.add_response(make_response("b" * 32, pseudonym="p2"))
    store.add_response(make_response("c" * 32, pseudonym="p1", survey_id="followup"))
    store.add_response(make_response("d" * 32))
    assert [r.id[0] for r in store.responses_by_pseudonym("p1")] == ["a", "c"]
    assert store.responses_by_pseudonym("") == []
    assert store.responses_by_pseudonym("nobody") == []


def test_second_instance_sees_first_instance_writes(data_dir):
    one, two = EmbeddedStore(data_dir), EmbeddedStore(data_dir)
    assert two.count_responses() == 0
    one.add_response(make_response("a" * 32))
    assert two.count_responses() == 1
    assert two.add_response(make_response("a" * 32))[1] is False
    with pytest.raises(SubmissionConflict):
        two.add_response(make_response("a" * 32, answers={"q1": "changed"}))
    one.close()
    two.close()


@pytest.mark.parametrize("bad_id", ["", "x" * 129, None, 42])
def test_invalid_submission_id_is_refused_before_writing(store, data_dir, bad_id):
    with pytest.raises(ValueError):
        store.add_response(make_response("a" * 32, id=bad_id))
    assert store.count_responses() == 0


def test_threads_add_at_once_nothing_lost_or_duplicated(data_dir):
    stores = [EmbeddedStore(data_dir), EmbeddedStore(data_dir)]  # two "processes"
    start = threading.Barrier(8)
    created = []

    def worker(n: int) -> None:
        store = stores[n % 2]
        start.wait(timeout=30)
        for i in range(50):
            store.add_response(make_response(f"t{n}i{i:030d}"))
            if i % 5 == 0:  # ten ids every thread also sends
                created.append(store.add_response(make_response(f"shared{i:026d}"))[1])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert sum(created) == 10 and len(created) == 80
    ids = [json.loads(line)["id"] for line in (data_dir / "responses.jsonl").read_text().split("\n")[:-1]]
    assert len(ids) == len(set(ids)) == 410
    assert stores[0].count_responses() == stores[1].count_responses() == 410
    for store in stores:
        store.close()


def _all_bytes(folder) -> list[tuple[str, bytes]]:
    return [(str(p), p.read_bytes()) for p in folder.rglob("*") if p.is_file()]


def test_erasure_removes_the_answers_from_every_file(data_dir):
    canary = "canary-7f3e9b1c-withdrawn"
    target = make_response("e" * 32, answers={"q1": canary}, pseudonym="p-erase")
    keep = make_response("k" * 32, answers={"q1": "stays"})
    store, other = EmbeddedStore(data_dir), EmbeddedStore(data_dir)
    store.add_response(target)
    store.add_response(keep)
    assert other.count_responses() == 2  # the other worker has indexed both
    store.save_draft("d" * 20, {"submission_id": "e" * 32, "q1": canary}, expires_at=4e9)
    store.save_draft("f" * 20, {"submission_id": "k" * 32}, expires_at=4e9)
    # Left by an earlier rewrite that crashed: it holds a copy of the answers.
    (data_dir / ".responses.jsonl.999.tmp").write_text(json.dumps(target.to_record()))
    assert any(canary.encode() in data for _path, data in _all_bytes(data_dir))

    assert store.erase_responses(["e" * 32]) == 1

    for path, data in _all_bytes(data_dir):
        assert canary.encode() not in data, path
        assert b"e" * 32 not in data, path  # only the hash of the id remains
    assert store.get_response("e" * 32) is None
    assert store.responses_by_pseudonym("p-erase") == []
    assert [r.id for r in store.iter_responses()] == ["k" * 32]
    assert store.load_draft("d" * 20) is None
    assert store.load_draft("f" * 20) == {"submission_id": "k" * 32}
    # The other worker notices the replaced file and refuses the replay too.
    assert other.count_responses() == 1
    assert other.get_response("e" * 32) is None
    with pytest.raises(ErasedSubmission) as caught:
        other.add_response(target)
    assert "withdrawn" in str(caught.value)
    with pytest.raises(ErasedSubmission):
        store.add_response(target)
    assert store.get_response("k" * 32) == keep
    store.close()
    other.close()


def test_erasure_survives_a_restart_and_counts_only_stored(data_dir):
    with EmbeddedStore(data_dir) as store:
        store.add_response(make_response("a" * 32))
        assert store.erase_responses(["a" * 32, "n" * 32, "a" * 32]) == 1
        assert store.erase_responses(["a" * 32]) == 0
    with EmbeddedStore(data_dir) as store:
        assert store.count_responses() == 0
        for response_id in ("a" * 32, "n" * 32):  # never-stored ids are refused too
            with pytest.raises(ErasedSubmission):
                store.add_response(make_response(response_id))
        assert store.add_response(make_response("b" * 32))[1] is True
    tombstones = (data_dir / "responses.jsonl").read_text().count('"kind":"erased"')
    assert tombstones == 2


def test_erasure_keeps_a_damaged_line_unless_it_mentions_an_erased_id(store, data_dir):
    store.add_response(make_response("a" * 32))
    with open(data_dir / "responses.jsonl", "ab") as f:
        f.write(b'{"broken": "' + b"a" * 32 + b'"\n{"broken": "unrelated"\n')
    store.add_response(make_response("b" * 32))
    store.erase_responses(["a" * 32])
    data = (data_dir / "responses.jsonl").read_bytes()
    assert b"a" * 32 not in data
    assert b'{"broken": "unrelated"\n' in data
    assert [r.id for r in store.iter_responses()] == ["b" * 32]


def test_response_record_round_trip_ignores_unknown_keys():
    response = make_response("a" * 32, meta={"language": "en"}, pseudonym="p")
    record = response.to_record()
    assert Response.from_record({**record, "kind": "response", "future": 1}) == response
    record["answers"]["q1"] = "mutated"
    assert response.answers["q1"] == "yes"  # to_record returns a copy


def test_errors_are_store_errors():
    assert issubclass(ErasedSubmission, SubmissionConflict)
    assert issubclass(SubmissionConflict, StoreError)


def test_long_response_reads_back_whole(store):
    response = make_response("a" * 32, answers={"story": "é" * 300_000})
    store.add_response(response)
    assert store.get_response("a" * 32) == response
    assert store.add_response(response)[1] is False


def test_a_small_surveys_answers_are_read_where_they_are_not_through_the_whole_file(store, monkeypatch):
    # A new survey's 3 answers among another survey's 40: its results and exports must not read
    # every line of the file (at a million, 8 s for a survey with none).
    from consent_kit.store import journal as journal_module

    for n in range(40):
        store.add_response(make_response(f"big{n:02d}", survey_id="big"))
        if n % 13 == 0:
            store.add_response(make_response(f"small{n:02d}", survey_id="small", pseudonym=f"p{n}"))
    store.erase_responses(["small13"])
    decoded = []
    real = journal_module.decode
    monkeypatch.setattr(journal_module, "decode", lambda raw, **kw: decoded.append(raw) or real(raw, **kw))
    assert [r.id for r in store.iter_responses("small")] == ["small00", "small26", "small39"]
    answers = [raw for raw in decoded if b'"kind":"response"' in raw]  # (the keys' lines are read too)
    assert len(answers) == 3 and all(b'"small' in raw for raw in answers)
    decoded.clear()
    assert list(store.iter_responses("nothing-yet")) == [] and decoded == []
    assert [r.id for r in store.iter_responses("big")] == [f"big{n:02d}" for n in range(40)]
    assert len([raw for raw in decoded if b'"kind":"response"' in raw]) == 43  # read through, as before
    assert store.count_responses("small") == 3 and store.count_responses() == 43


def test_a_tombstone_naming_another_survey_still_takes_the_answer_out_of_its_own(store, data_dir):
    # Made by hand (or by an older version): where the line was is what counts, not the survey named.
    from consent_kit.store.journal import encode

    store.add_response(make_response("a" * 32, survey_id="one"))
    store.add_response(make_response("b" * 32, survey_id="two"))
    with store._responses.journal.locked():
        at = store._responses.index.offsets.get("a" * 32)
    store.close()
    with open(data_dir / "responses.jsonl", "ab") as journal:
        journal.write(encode({"kind": "erased", "id_sha256": "x" * 64, "at": at, "survey_id": "two"}))
    again = EmbeddedStore(data_dir)
    assert again.count_responses("one") == 0 and again.count_responses("two") == 1
    assert again.get_response("a" * 32) is None and again.get_response("b" * 32) is not None
    again.close()
