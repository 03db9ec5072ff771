"""The Store contract: the promises every storage backend keeps, as pytest tests.

A backend (built in or from a plugin) proves itself by running them. Subclass
:class:`StoreContract` in a test module (its name must start with ``Test``)
and give it a ``store_factory`` fixture: a picklable callable with no
arguments that opens *the same* store each time it is called (a new
connection or file handle each time), e.g. ``functools.partial(MyStore, url)``.
The tests that need several processes call it in each of them::

    import functools, pytest
    from consent_kit.testing import StoreContract

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store_factory(self, tmp_path):
            return functools.partial(MyStore, f"sqlite:///{tmp_path}/db")

Processes are started with "spawn" (a fresh interpreter), so nothing opened
by the test leaks into them; every wait is bounded.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import uuid
from collections.abc import Callable

import pytest

from consent_kit.consent.records import ConsentRecord, ConsentText
from consent_kit.store.base import (
    ErasedSubmission,
    Response,
    Store,
    SubmissionConflict,
    WithdrawnConsent,
)
from consent_kit.store.contract_media import MediaContract

#: Seconds any process of these tests may take (bounded, generous for a shared machine).
PROCESS_TIMEOUT = 120
AT = "2026-11-26T08:30:00Z"


def consent(pseudonym: str, survey_id: str = "pilot", **changes) -> ConsentRecord:
    """A valid consent record for ``pseudonym``."""
    fields = dict(pseudonym=pseudonym, survey_id=survey_id, consent_version="v1", given_at=AT,
                  agreed=("share",), declined=("quote",))
    fields.update(changes)
    return ConsentRecord(**fields)


def response(response_id: str, pseudonym: str = "", **changes) -> Response:
    """A valid response; keyword arguments override fields."""
    fields = dict(id=response_id, survey_id="pilot", survey_version="v1hash",
                  answers={"q1": f"canary-{response_id}", "q2": [1, 2]}, submitted_at=AT,
                  reference="REF-" + response_id[:6], pseudonym=pseudonym)
    fields.update(changes)
    return Response(**fields)


def send(store: Store, pseudonym: str, response_id: str, **changes) -> tuple[Response, bool]:
    """What "Send" does: consent, answers and an audit entry together."""
    return store.add_submission(consent(pseudonym), response(response_id, pseudonym, **changes),
                                audit={"actor": pseudonym, "action": "consent_given", "subject": "pilot"})


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex}"


# -- work done in other processes (module level, so "spawn" can find it) ---------------------------


def _take_codes(factory: Callable[[], Store], worker: int, tries: int, barrier, results) -> None:
    store = factory()
    try:
        barrier.wait(PROCESS_TIMEOUT)
        taken = []
        for _ in range(tries):
            got: list[str] = []
            mark = f"w{worker}-{len(taken)}"

            def give(doc, got=got, mark=mark):
                free = sorted(code for code, taker in doc["codes"].items() if not taker)
                if free:
                    doc["codes"][free[0]] = mark
                    got.append(free[0])

            store.documents("contract_pool").modify(give, pool="p")
            taken += [(code, mark) for code in got]
        results.put((worker, taken))
    finally:
        store.close()


def _send_many(factory: Callable[[], Store], worker: int, count: int, shared: list[str],
               barrier, results) -> None:
    store = factory()
    try:
        barrier.wait(PROCESS_TIMEOUT)
        created_shared = 0
        for n in range(count):
            send(store, f"w{worker}p{n:04d}", f"w{worker}r{n:04d}")
            if n < len(shared):
                created_shared += send(store, f"shared-{shared[n]}", shared[n])[1]
        results.put((worker, created_shared))
    finally:
        store.close()


def _put_new(factory: Callable[[], Store], worker: int, barrier, results) -> None:
    store = factory()
    try:
        barrier.wait(PROCESS_TIMEOUT)
        made = store.documents("contract_once").put_new({"name": "k", "by": worker}, name="k")
        results.put((worker, made["by"]))
    finally:
        store.close()


def run_processes(target, argsets: list[tuple]) -> list:
    """Run ``target(*args, barrier, results)`` in one spawned process per argset; their results."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(argsets)), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, results)) for args in argsets]
    for proc in procs:
        proc.start()
    collected = []
    deadline = time.monotonic() + PROCESS_TIMEOUT
    try:
        for _ in procs:
            collected.append(results.get(timeout=max(1.0, deadline - time.monotonic())))
    except queue.Empty:
        pass
    for proc in procs:
        proc.join(timeout=max(1.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join()
    assert [p.exitcode for p in procs] == [0] * len(procs), "a writer process failed"
    assert len(collected) == len(procs), "a writer process gave no result in time"
    return collected


class StoreContract(MediaContract):
    """The promises of :class:`consent_kit.store.Store`; subclass as ``Test...`` with a ``store_factory``."""

    @pytest.fixture
    def store(self, store_factory):
        """A store opened with the factory, closed after the test."""
        opened = store_factory()
        try:
            yield opened
        finally:
            opened.close()

    # -- idempotent submission -------------------------------------------------------------

    def test_same_id_same_answers_gives_back_the_first_reference(self, store):
        first, created = send(store, "p-same", "r-same")
        again, created_again = send(store, "p-same", "r-same", reference="OTHER",
                                    submitted_at="2027-01-01T00:00:00Z")
        assert (created, created_again) == (True, False)
        assert (again.reference, again.submitted_at) == (first.reference, first.submitted_at)
        assert store.count_responses() == 1
        assert [e["action"] for e in store.iter_audit()] == ["consent_given"]

    def test_same_id_different_answers_is_a_conflict_and_the_first_stay(self, store):
        send(store, "p-conf", "r-conf")
        with pytest.raises(SubmissionConflict):
            send(store, "p-conf", "r-conf", answers={"q1": "changed"})
        assert store.get_response("r-conf").answers["q1"] == "canary-r-conf"
        assert store.count_responses() == 1

    def test_tuples_and_lists_are_the_same_answers(self, store):
        store.add_response(response("r-tuple", answers={"q2": (1, 2)}))
        assert store.add_response(response("r-tuple", answers={"q2": [1, 2]}))[1] is False

    # -- consent comes first -----------------------------------------------------------------

    def test_no_answers_without_a_valid_consent(self, store):
        with pytest.raises(ValueError):
            store.add_submission(consent("p-bad", given_at=""), response("r-bad", "p-bad"))
        assert store.get_response("r-bad") is None
        assert store.count_responses() == 0

    def test_every_stored_answer_has_its_consent(self, store):
        for n in range(5):
            send(store, f"p-every{n}", f"r-every{n}")
        for stored in store.iter_responses("pilot"):
            assert store.get_consent(stored.pseudonym) is not None

    def test_consent_is_idempotent_and_a_withdrawal_code_is_used_once(self, store):
        record = consent("p-code", code_hash="hash-one")
        assert store.add_consent(record) == (record, True)
        assert store.add_consent(record)[1] is False
        assert store.consent_by_code_hash("hash-one").pseudonym == "p-code"
        with pytest.raises(ValueError):
            store.add_consent(consent("p-other", code_hash="hash-one"))
        assert store.get_consent("p-other") is None

    def test_changed_choices_are_kept_and_counted(self, store):
        store.add_consent(consent("p-change"))
        store.change_consent(consent("p-change", agreed=("share", "quote"), declined=(), changed_at=AT))
        assert store.get_consent("p-change").agreed == ("share", "quote")
        assert store.consent_counts("pilot") == {"given": 1, "active": 1, "withdrawn": 0,
                                                 "agreed": {"share": 1, "quote": 1}}
        with pytest.raises(ValueError):
            store.change_consent(consent("p-change", agreed=("other",), declined=(), changed_at=AT))

    def test_a_consent_text_is_kept_exactly(self, store):
        text = ConsentText(language="cy", variant="easy", sections=(("about", "Amdan", "<p>Iawn ✓</p>"),),
                           statements=(("share", "I agree", True),))
        store.save_consent_text(text)
        store.save_consent_text(text)
        assert store.get_consent_text(text.version).to_dict() == text.to_dict()
        assert store.get_consent_text("no-such-version") is None

    # -- erasure -----------------------------------------------------------------------------

    def test_withdrawing_erases_answers_drafts_and_consent(self, store):
        send(store, "p-gone", "r-gone")
        send(store, "p-stays", "r-stays")
        store.save_draft("draft-of-p-gone-0001", {"submission_id": "r-gone"}, expires_at=time.time() + 600)
        store.save_draft("draft-of-p-stays-001", {"submission_id": "r-stays"}, expires_at=time.time() + 600)
        result = store.withdraw("p-gone", at=AT, audit={"actor": "p-gone", "action": "consent_withdrawn",
                                                        "subject": "pilot"})
        assert (result["responses"], result["audited"]) == (1, True)
        assert result["consents"] >= 1
        assert store.get_response("r-gone") is None
        assert store.responses_by_pseudonym("p-gone") == []
        assert "canary-r-gone" not in str([r.answers for r in store.iter_responses()])
        assert store.load_draft("draft-of-p-gone-0001") is None
        assert store.load_draft("draft-of-p-stays-001") == {"submission_id": "r-stays"}
        assert store.get_consent("p-gone") is None
        assert store.get_response("r-stays") is not None
        counts = store.consent_counts("pilot")
        assert (counts["given"], counts["active"], counts["withdrawn"]) == (2, 1, 1)
        [entry] = [e for e in store.iter_audit() if e["action"] == "consent_withdrawn"]
        assert entry["details"]["responses_erased"] == 1

    def test_after_withdrawal_nothing_more_is_taken(self, store):
        send(store, "p-after", "r-after")
        store.withdraw("p-after", at=AT)
        with pytest.raises(WithdrawnConsent):
            send(store, "p-after", "r-after-2")
        with pytest.raises(WithdrawnConsent):
            store.add_consent(consent("p-after"))
        with pytest.raises((WithdrawnConsent, ErasedSubmission)):
            store.add_response(response("r-after", "p-after"))
        assert store.count_responses() == 0
        again = store.withdraw("p-after", at=AT, audit={"actor": "p-after", "action": "consent_withdrawn"})
        assert (again["responses"], again["consents"], again["audited"]) == (0, 0, False)

    def test_erased_ids_are_refused_from_then_on(self, store):
        store.add_response(response("r-erase"))
        assert store.erase_responses(["r-erase", "r-never-sent"]) == 1
        for refused in ("r-erase", "r-never-sent"):
            with pytest.raises(ErasedSubmission):
                store.add_response(response(refused))
        assert store.count_responses() == 0

    # -- audit -------------------------------------------------------------------------------

    def test_the_audit_chain_verifies_and_has_no_gaps(self, store):
        for n in range(12):
            store.audit(actor="rae", action="export", subject=f"s{n}", details={"n": n})
        entries = list(store.iter_audit())
        assert [e["seq"] for e in entries] == list(range(1, 13))
        pairs = zip(entries, entries[1:], strict=False)
        assert all(later["prev"] == earlier["hash"] for earlier, later in pairs)
        assert store.verify_audit() == []
        with pytest.raises(ValueError):
            store.audit(actor="", action="export")
        assert len(list(store.iter_audit())) == 12

    # -- drafts ------------------------------------------------------------------------------

    def test_drafts_expire(self, store):
        now = time.time()
        store.save_draft("expired-draft-00001", {"a": 1}, expires_at=now - 1)
        store.save_draft("current-draft-00001", {"a": 2}, expires_at=now + 600)
        store.save_draft("later-expired-00001", {"a": 3}, expires_at=now + 60)
        assert store.load_draft("expired-draft-00001") is None
        assert store.purge_expired_drafts(now + 120) == 1
        assert store.load_draft("later-expired-00001") is None
        assert store.load_draft("current-draft-00001") == {"a": 2}
        store.delete_draft("current-draft-00001")
        assert store.load_draft("current-draft-00001") is None
        assert store.load_draft("../../etc/passwd") is None
        with pytest.raises(ValueError):
            store.save_draft("no", {}, expires_at=now + 60)

    # -- keyed documents ---------------------------------------------------------------------

    def test_documents_are_found_by_equal_fields_oldest_first(self, store):
        docs = store.documents("contract_docs")
        for n in range(4):
            docs.insert({"survey_id": "s", "n": n, "status": "waiting" if n % 2 else "paid"})
        docs.insert({"survey_id": "t", "n": 9})
        assert [d["n"] for d in docs.find(survey_id="s")] == [0, 1, 2, 3]
        assert [d["n"] for d in docs.find(survey_id="s", status="waiting")] == [1, 3]
        assert docs.count(survey_id="s", where=lambda d: d["n"] > 1) == 2
        assert docs.get(status="paid")["n"] == 0
        assert docs.get(survey_id="none") is None
        assert docs.count(status=None) == 0  # a missing field matches nothing, not even None
        assert docs.count() == 5

    def test_documents_put_update_modify_remove(self, store):
        docs = store.documents("contract_change")
        docs.put({"key": "a", "n": 1, "tags": ["x"]}, key="a")
        docs.put({"n": 2}, key="a")
        assert docs.find() == [{"key": "a", "n": 2, "tags": ["x"]}]
        assert docs.update({"status": "done"}, key="a") == 1
        assert docs.modify(lambda d: d["tags"].append("y"), key="a") == 1
        assert docs.get(key="a") == {"key": "a", "n": 2, "tags": ["x", "y"], "status": "done"}
        found = docs.get(key="a")
        found["n"] = 99  # a copy: changing it changes nothing stored
        assert docs.get(key="a")["n"] == 2
        assert docs.remove(key="a", where=lambda d: d["n"] > 5) == 0
        assert docs.remove(key="a") == 1
        assert docs.count() == 0
        assert store.documents("contract_docs_other").count() == 0

    def test_put_new_keeps_the_first_even_when_processes_race(self, store, store_factory):
        docs = store.documents("contract_once")
        assert docs.put_new({"name": "a", "v": 1}, name="a") == {"name": "a", "v": 1}
        assert docs.put_new({"name": "a", "v": 2}, name="a") == {"name": "a", "v": 1}
        assert docs.count(name="a") == 1
        results = run_processes(_put_new, [(store_factory, w) for w in range(4)])
        assert len({made for _worker, made in results}) == 1  # everyone got the one kept
        assert docs.count(name="k") == 1

    def test_processes_taking_from_a_pool_never_get_the_same_code(self, store, store_factory):
        codes = {f"CODE{n:02d}": "" for n in range(16)}
        store.documents("contract_pool").insert({"pool": "p", "codes": codes})
        results = run_processes(_take_codes, [(store_factory, w, 5) for w in range(4)])
        taken = [pair for _worker, got in results for pair in got]
        assert len(taken) == 16  # 20 tries for 16 codes: the last four found none left
        assert len({code for code, _mark in taken}) == 16
        stored = store.documents("contract_pool").get(pool="p")["codes"]
        assert stored == dict(taken)

    # -- several writers ---------------------------------------------------------------------

    def test_several_processes_send_at_once_nothing_lost_or_doubled(self, store, store_factory):
        shared = [f"shared{n:03d}" for n in range(5)]
        results = run_processes(_send_many, [(store_factory, w, 15, shared) for w in range(4)])
        assert sum(created for _w, created in results) == len(shared)
        assert store.count_responses() == 4 * 15 + len(shared)
        ids = [r.id for r in store.iter_responses()]
        assert len(ids) == len(set(ids)) == 4 * 15 + len(shared)
        entries = list(store.iter_audit())
        assert [e["seq"] for e in entries] == list(range(1, len(ids) + 1))
        assert store.verify_audit() == []
        assert store.consent_counts("pilot")["active"] == 4 * 15 + len(shared)
