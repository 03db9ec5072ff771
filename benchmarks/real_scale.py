"""A store of real Sends at scale: a server process's memory and start, and a withdrawal.

Run: ``nice .venv/bin/python benchmarks/real_scale.py [--count 100000] [--backends embedded,postgresql]
[--processes 4] [--database-url postgresql://postgres@127.0.0.1:5432/test]`` (all traffic to 127.0.0.1).

The scale rows of ``run.py`` use ``sample-answers``: answers only, with no consent, no key and no audit
entry. A participant's Send writes all four, and each has its own index in every server process. So for
each backend this stores ``--count`` people's consent, answers and audit entry the way "Send" does
(``add_submission``, from ``--processes`` processes at once) and measures:

* **open**: a new process opens the store and touches every index (answers, consents, keys), as a
  server worker's first request does: CPU seconds and how much its resident memory grew (MB);
* **withdraw**: three of those people take their answers back with ``Store.withdraw`` (what "Change
  your mind" runs: answers, drafts and consent erased, the key destroyed, the audit entry written),
  one after the other, while another process keeps sending new people's answers as a busy survey
  would: the withdrawal's wall seconds (median of three) and the longest Send meanwhile.

Prints one JSON line per backend. PostgreSQL runs in a schema of its own, dropped afterwards; the
embedded store in a temporary folder.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from scale_worker import memory  # noqa: E402

from consent_kit.store import EmbeddedStore  # noqa: E402
from consent_kit.store.contract import AT, consent, response  # noqa: E402

DEFAULT_URL = os.environ.get("CONSENT_KIT_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
TIMEOUT = 1800  # seconds for any one step
WITHDRAWALS = 3


def pseudonym_of(name: str) -> str:
    """A pseudonym as the app makes them (32 hex digits), the same for the same ``name``."""
    return hashlib.blake2b(name.encode(), digest_size=16).hexdigest()


def send(store, name: str) -> None:
    """One "Send" as the app makes it: a new person's consent (with a code), answers and audit entry."""
    pseudonym = pseudonym_of(name)
    store.add_submission(
        consent(pseudonym, code_hash=hashlib.sha256(name.encode()).hexdigest()),
        response(uuid.uuid4().hex, pseudonym),
        audit={"actor": f"participant:{pseudonym}", "action": "consent_given", "subject": "pilot"})


def _seed_part(factory, prefix: str, count: int) -> None:
    store = factory()
    try:
        for n in range(count):
            send(store, f"{prefix}{n:07d}")
    finally:
        store.close()


def seed(factory, count: int, processes: int) -> float:
    """``count`` people's Sends from ``processes`` processes; the seconds it took."""
    ctx = multiprocessing.get_context("spawn")
    each = -(-count // processes)
    started = time.perf_counter()
    procs = [ctx.Process(target=_seed_part, args=(factory, f"s{i}x", min(each, count - i * each)))
             for i in range(processes) if count > i * each]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(TIMEOUT)
        if proc.exitcode != 0:
            raise RuntimeError(f"a seeding process failed (exit code {proc.exitcode})")
    return time.perf_counter() - started


def _keep_sending(factory, stop, ready, results) -> None:
    """Send new people's answers until ``stop`` is set; put (count, longest, median) seconds."""
    store = factory()
    times = []
    try:
        send(store, "busy-warm")
        ready.set()
        n = 0
        while not stop.is_set():
            started = time.perf_counter()
            send(store, f"busy{n:07d}")
            times.append(time.perf_counter() - started)
            n += 1
            time.sleep(0.005)  # about a Send every few milliseconds, not a flood
    finally:
        store.close()
        results.put((len(times), max(times, default=0.0), statistics.median(times) if times else 0.0))


def _open_in_new_process(factory, results) -> None:
    """Open the store and touch every index, in a fresh process: put (CPU s, resident MB grown)."""
    before, cpu = memory()["rss_mb"], time.process_time()
    store = factory()
    try:
        store.count_responses()
        store.consent_counts("pilot")  # the key index is read when a store opens (its instance key check)
        results.put((time.process_time() - cpu, memory()["rss_mb"] - before))
    finally:
        store.close()


def open_cost(factory) -> tuple[float, float]:
    """CPU seconds and resident MB a new process spends opening the store (see the docstring)."""
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    proc = ctx.Process(target=_open_in_new_process, args=(factory, results))
    proc.start()
    cpu, grown = results.get(timeout=TIMEOUT)
    proc.join(TIMEOUT)
    return cpu, grown


def measure(name: str, factory, count: int, processes: int) -> dict:
    """Seed, open in a new process, then three withdrawals with a busy sender alongside; one row."""
    seeded_s = seed(factory, count, processes)
    open_cpu, open_mb = open_cost(factory)
    ctx = multiprocessing.get_context("spawn")
    stop, ready, results = ctx.Event(), ctx.Event(), ctx.Queue()
    sender = ctx.Process(target=_keep_sending, args=(factory, stop, ready, results))
    sender.start()
    store = factory()
    try:
        if not ready.wait(TIMEOUT):
            raise RuntimeError("the busy sender did not start")
        store.count_responses()  # this process has read the store before the clock starts
        walls = []
        for n in (count // 2, count // 3, 7):
            pseudonym = pseudonym_of(f"s0x{n % max(1, -(-count // processes)):07d}")
            started = time.perf_counter()
            audit = {"actor": pseudonym, "action": "consent_withdrawn", "subject": "pilot"}
            counts = store.withdraw(pseudonym, at=AT, audit=audit)
            walls.append(time.perf_counter() - started)
            if counts.get("responses") != 1:
                raise RuntimeError(f"withdrawing {pseudonym} erased {counts.get('responses')} answers, not 1")
        time.sleep(0.5)
    finally:
        stop.set()
        sent, longest, median = results.get(timeout=TIMEOUT)
        sender.join(TIMEOUT)
        store.close()
    return {"store": name, "answers": count, "seeded_s": round(seeded_s, 1),
            "open_cpu_s": round(open_cpu, 2), "open_mb": round(open_mb, 1),
            "open_bytes_a_person": round(open_mb * 1024 * 1024 / max(count, 1)),
            "withdraw_wall_s": round(statistics.median(walls), 3), "withdraw_max_s": round(max(walls), 3),
            "sends_meanwhile": sent, "longest_send_s": round(longest, 3),
            "median_send_ms": round(median * 1e3, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--backends", default="embedded,postgresql")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    with tempfile.TemporaryDirectory(prefix="ck-withdraw-") as folder:
        if "embedded" in backends:
            factory = functools.partial(EmbeddedStore, str(Path(folder) / "data"))
            print(json.dumps(measure("embedded", factory, args.count, args.processes)), flush=True)
        if "postgresql" in backends:
            import psycopg
            from consent_kit_plugins.postgresql.store import PostgresStore

            schema = f"ck_bench_{uuid.uuid4().hex[:10]}"
            factory = functools.partial(PostgresStore, args.database_url, schema=schema, key_dir=folder)
            try:
                print(json.dumps(measure("postgresql", factory, args.count, args.processes)), flush=True)
            finally:
                with psycopg.connect(args.database_url, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    sys.exit(main())
