"""A separate process that writes to a store; driven by test_processes.py.

Modes:
  race DATA WORKER      print "ready", wait for a line on stdin, then add 250
                        own responses, 20 shared ones and 25 table rows;
                        print "created-shared N" and "done".
  loop DATA PREFIX BIG  add responses (up to 400), printing each id once
                        add_response has returned; response number BIG is
                        4 MiB so that a kill lands in the middle of its write.
  send DATA             for each line "ROUND PSEUDONYM" on stdin, send answers for
                        PSEUDONYM (add_submission and add_response in turn) until
                        three sends are refused; print "sent ROUND N" (N acknowledged).
  withdraw DATA         for each line "ROUND PSEUDONYM", withdraw PSEUDONYM with an
                        audit entry; print "withdrew ROUND AUDITED".
  die DATA PSEUDONYM WHERE  withdraw, but exit at once (like kill -9) at WHERE:
                        "after-erase" (answers erased, consent not yet touched),
                        "answers-not-blank" (answers' tombstones written, their lines not yet blank),
                        "consent-not-blank" (withdrawn line written, consent lines not yet blank) or
                        "before-audit" (consent erased, audit entry not written).
"""

from __future__ import annotations

import os
import random
import sys
from dataclasses import replace

from consent_kit.consent.records import ConsentRecord
from consent_kit.store import EmbeddedStore, Response, StoreError

SHARED = [f"shared{i:026d}" for i in range(20)]


def response(response_id: str, filler: str = "") -> Response:
    """Content depends only on the id, so every worker's copy of a shared id is the same."""
    return Response(
        id=response_id,
        survey_id="pilot",
        survey_version="v1",
        answers={"q1": response_id, "filler": filler},
        submitted_at="2026-11-26T08:30:00Z",
        reference=response_id[-6:],
    )


def race(data_dir: str, worker: str) -> None:
    store = EmbeddedStore(data_dir)
    print("ready", flush=True)
    sys.stdin.readline()  # the parent releases every worker at once
    own = [f"w{worker}n{i:029d}" for i in range(250)]
    created_shared = 0
    for i, response_id in enumerate(own):
        store.add_response(response(response_id))
        if i % 12 == 0 and i // 12 < len(SHARED):
            _stored, created = store.add_response(response(SHARED[i // 12]))
            created_shared += created
    for i in range(25):
        store.table("rows").insert({"worker": worker, "i": i})
    store.close()
    print(f"created-shared {created_shared}", flush=True)
    print("done", flush=True)


def loop(data_dir: str, prefix: str, big: str) -> None:
    rng = random.Random(prefix)
    store = EmbeddedStore(data_dir)
    for i in range(400):
        response_id = f"{prefix}{i:06d}"
        size = 4 << 20 if i == int(big) else rng.randrange(10, 4096)
        store.add_response(response(response_id, "x" * size))
        print(response_id, flush=True)


def consent(pseudonym: str) -> ConsentRecord:
    """The consent the race's participants give (the same in every process)."""
    return ConsentRecord(pseudonym=pseudonym, survey_id="pilot", consent_version="c1",
                         agreed=("take_part",), declined=(), given_at="2026-11-26T08:30:00Z")


def audit_of(pseudonym: str) -> dict:
    """What withdraw_participant passes to Store.withdraw."""
    return {"actor": f"participant:{pseudonym}", "action": "consent_withdrawn",
            "subject": "pilot", "details": {"incomplete": []}}


def send(data_dir: str) -> None:
    store = EmbeddedStore(data_dir)
    print("ready", flush=True)
    for line in sys.stdin:
        round_, pseudonym = line.split()
        acked = refused = n = 0
        while refused < 3 and n < 200:
            item = replace(response(f"{pseudonym[:16]}r{round_}s{n:04d}"), pseudonym=pseudonym)
            try:
                if n % 2:
                    store.add_response(item)
                else:
                    store.add_submission(consent(pseudonym), item, None)
                acked += 1
            except StoreError:
                refused += 1
            n += 1
        print(f"sent {round_} {acked}", flush=True)


def withdraw(data_dir: str) -> None:
    store = EmbeddedStore(data_dir)
    print("ready", flush=True)
    for line in sys.stdin:
        round_, pseudonym = line.split()
        result = store.withdraw(pseudonym, at="2026-11-28T10:00:00Z", audit=audit_of(pseudonym))
        print(f"withdrew {round_} {int(result['audited'])}", flush=True)


def die(data_dir: str, pseudonym: str, where: str) -> None:
    store = EmbeddedStore(data_dir)
    if where == "after-erase":
        store._consents.journal.erase_in_place = lambda *a, **k: os._exit(9)
    elif where.endswith("-not-blank"):
        from consent_kit.store import journal_blank

        dies_in = "responses.jsonl" if where == "answers-not-blank" else "consents.jsonl"
        real = journal_blank.overwrite_lines
        journal_blank.overwrite_lines = lambda path, *a: (os._exit(9) if path.name == dies_in
                                                          else real(path, *a))
    else:
        store._audit.write_entry = lambda *a, **k: os._exit(9)
    store.withdraw(pseudonym, at="2026-11-28T10:00:00Z", audit=audit_of(pseudonym))


if __name__ == "__main__":
    if os.environ.get("CK_TEST_SAVE_EVERY"):  # index files saved often, as the parent asks
        from consent_kit.store import journal

        journal.SAVE_EVERY = int(os.environ["CK_TEST_SAVE_EVERY"])
    mode, *args = sys.argv[1:]
    {"race": race, "loop": loop, "send": send, "withdraw": withdraw, "die": die}[mode](*args)
