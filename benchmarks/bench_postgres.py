"""Submissions per second on PostgreSQL against the embedded store, in the same run.

Run: .venv/bin/python benchmarks/bench_postgres.py [--processes 4] [--each 300] [--seeded 20000]
     [--database-url postgresql://postgres@127.0.0.1:5432/test]

What "Send" does to the store (``add_submission``: consent, answers and an
audit entry together, committed or flushed before returning), from several
processes at once, as gunicorn workers would; each process sends ``--each``
different people's answers. Measured on each backend with nothing stored and
with ``--seeded`` answers already stored, so the rows say whether the rate
stays flat as the store grows. PostgreSQL runs in a schema of its own, dropped
afterwards; the embedded store in a temporary folder.

Target (issue 16): PostgreSQL ≥ 0.5× the embedded store's rate, and flat with
the stored count (seeded rate ≥ 0.8× the empty one). Printed as PASS/FAIL.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from consent_kit_plugins.postgresql.store import PostgresStore

from consent_kit.store import EmbeddedStore
from consent_kit.store.contract import consent, response

DEFAULT_URL = os.environ.get("CONSENT_KIT_TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
TIMEOUT = 600  # seconds for any one run


def _send(factory, prefix: str, count: int, barrier, results) -> None:
    store = factory()
    try:
        send(store, f"{prefix}warm", 1)  # connections, indexes and files are open before timing
        barrier.wait(TIMEOUT)
        times = []
        for n in range(count):
            started = time.perf_counter()
            send(store, f"{prefix}{n:06d}", 1)
            times.append(time.perf_counter() - started)
        results.put(times)
    finally:
        store.close()


def send(store, name: str, _n: int) -> None:
    """One "Send": a new person's consent, answers and audit entry."""
    store.add_submission(consent(name), response(f"r{name}", name),
                         audit={"actor": name, "action": "consent_given", "subject": "pilot"})


def measure(factory, processes: int, each: int) -> dict:
    """Rate and latency of ``processes`` × ``each`` submissions sent at once."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(processes + 1), ctx.Queue()
    run = uuid.uuid4().hex[:6]
    procs = [ctx.Process(target=_send, args=(factory, f"{run}p{i}x", each, barrier, results))
             for i in range(processes)]
    for proc in procs:
        proc.start()
    barrier.wait(TIMEOUT)
    started = time.perf_counter()
    times = [t for _ in procs for t in results.get(timeout=TIMEOUT)]
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.join(TIMEOUT)
    times.sort()
    return {"submissions": len(times), "per_second": round(len(times) / elapsed, 1),
            "p50_ms": round(statistics.median(times) * 1000, 2),
            "p99_ms": round(times[int(len(times) * 0.99) - 1] * 1000, 2)}


def seed(factory, count: int) -> None:
    """``count`` stored answers (with consents and audit entries), sent the ordinary way."""
    store = factory()
    try:
        for n in range(count):
            send(store, f"seed{n:07d}", 1)
    finally:
        store.close()


def rows_for(name: str, factory, args) -> list[dict]:
    rows = [{"store": name, "stored": 0, **measure(factory, args.processes, args.each)}]
    started = time.perf_counter()
    seed(factory, args.seeded)
    print(f"  seeded {args.seeded:,} on {name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    stored = factory().count_responses()
    rows.append({"store": name, "stored": stored, **measure(factory, args.processes, args.each)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--each", type=int, default=300, help="submissions per process per run")
    parser.add_argument("--seeded", type=int, default=20_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    schema = f"ck_bench_{uuid.uuid4().hex[:10]}"
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="ck-bench-pg-") as folder:
        try:
            rows += rows_for("embedded", functools.partial(EmbeddedStore, str(Path(folder) / "data")), args)
            rows += rows_for("postgresql", functools.partial(PostgresStore, args.database_url, schema=schema,
                                                              key_dir=folder), args)
        finally:
            with psycopg.connect(args.database_url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    print(f"{'store':<11} {'stored':>8} {'subm/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for row in rows:
        print(f"{row['store']:<11} {row['stored']:>8,} {row['per_second']:>8} {row['p50_ms']:>8} "
              f"{row['p99_ms']:>8}")
    embedded = {row["stored"] > 0: row["per_second"] for row in rows if row["store"] == "embedded"}
    pg = {row["stored"] > 0: row["per_second"] for row in rows if row["store"] == "postgresql"}
    ratio, flat = pg[False] / embedded[False], pg[True] / pg[False]
    print(f"PostgreSQL / embedded, nothing stored: {ratio:.2f}x (target >= 0.50x) "
          f"{'PASS' if ratio >= 0.5 else 'FAIL'}")
    print(f"PostgreSQL with {args.seeded:,} stored / nothing stored: {flat:.2f}x (target >= 0.80x) "
          f"{'PASS' if flat >= 0.8 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
