"""A separate process that writes to a store; driven by test_processes.py.

Modes:
  race DATA WORKER      print "ready", wait for a line on stdin, then add 250
                        own responses, 20 shared ones and 25 table rows;
                        print "created-shared N" and "done".
  loop DATA PREFIX BIG  add responses (up to 400), printing each id once
                        add_response has returned; response number BIG is
                        4 MiB so that a kill lands in the middle of its write.
"""

from __future__ import annotations

import random
import sys

from consent_kit.store import EmbeddedStore, Response

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


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    {"race": race, "loop": loop}[mode](*args)
