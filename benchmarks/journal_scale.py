"""The answers journal at scale (issue 22): a first start without ``responses.index``, and an erasure.

Run with ``nice .venv/bin/python benchmarks/journal_scale.py [--count 100000] [--lines plain|send]``.
It makes a journal of ``count`` made-up answers in a temporary folder (``ResponseLog.add_locked``
with ``durable=False``, one flush at the end), then measures, in this process:

* **catch-up**: a new ``ResponseLog`` on the journal with ``responses.index`` deleted, up to its
  first ``count()`` (every line read, decoded and indexed, then the index file saved), as a
  server process's first start does; CPU seconds and µs an answer (the median of three);
* **erase**: ``ResponseLog.erase`` of one stored answer (the journal rewritten under its lock,
  the index rebuilt and saved), three times: wall and CPU seconds the lock was held.

``--lines plain`` writes lines as ``sample-answers`` does (about 350–550 bytes, not sealed);
``--lines send`` writes them as a Send does: answers sealed (``"sealed": "ck1:…"``, one key for
all, which costs the same to read as one each) and the consent and audit copies carried, about
1.3 KB a line. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from consent_kit.store.base import Response  # noqa: E402
from consent_kit.store.crypto import new_key, seal  # noqa: E402
from consent_kit.store.responses import ResponseLog  # noqa: E402

KEY = new_key()
CHOICES = ["A youth club", "Help with school, college or work", "Help with money or a place to live"]


class OneKeySealer:
    """Seals answers as :class:`~consent_kit.store.sealing.Sealer` does, with one key for everyone."""

    def seal_response(self, record: dict) -> dict:
        line = {k: v for k, v in record.items() if k != "answers"}
        line["sealed"] = seal(KEY, record["answers"], aad=f"response:{record['id']}")
        return line


def pseudonym_of(n: int) -> str:
    """A pseudonym as ``new_pseudonym`` makes them (32 hex digits), the same for the same ``n``."""
    return hashlib.blake2b(b"%d" % n, digest_size=16).hexdigest()


def made_up(n: int) -> Response:
    """The ``n``-th made-up answer: a third of them with a pseudonym."""
    answers = {"age_group": "14-16", "care_experience": "yes", "services_used": CHOICES[: 1 + n % 3],
               "visits": n % 40, "how_good": 1 + n % 5, "trusted_adult": "yes" if n % 2 else "no",
               "make_better": "Cheaper bus fares to get there.", "what_helps": "Somewhere quiet."}
    return Response(id=hashlib.blake2b(b"id%d" % n, digest_size=16).hexdigest(), survey_id="have-your-say",
                    survey_version="bd4ce8beda4e0367", answers=answers,
                    submitted_at="2026-11-26T22:25:49Z", reference=f"R{n:07d}",
                    pseudonym=pseudonym_of(n) if n % 3 == 0 else "", meta={"language": "en"})


def carried(n: int) -> dict:
    """The consent and audit copies a Send line carries (their shape, made up)."""
    pseudonym = pseudonym_of(n)
    consent = {"pseudonym": pseudonym, "survey_id": "have-your-say", "consent_version": "c0ffee12",
               "language": "en", "variant": "", "agreed": ["take_part", "keep_answers", "quotes"],
               "declined": [], "method": "tick", "given_at": "2026-11-26T22:25:49Z",
               "code_hash": hashlib.sha256(pseudonym.encode()).hexdigest(), "changed_at": "",
               "sealed": seal(KEY, {"confirmed_as": "", "helped": None}, aad=f"consent:{pseudonym}")}
    audit = {"seq": n + 1, "at": "2026-11-26T22:25:49Z", "actor": f"participant:{pseudonym}",
             "action": "consent_given", "subject": "have-your-say", "details": {"version": "c0ffee12"},
             "prev": hashlib.sha256(b"%d" % n).hexdigest(),
             "hash": hashlib.sha256(b"%d" % (n + 1)).hexdigest()}
    return {"consent": consent, "audit": audit}


def build(path: Path, count: int, lines: str) -> ResponseLog:
    """A journal of ``count`` made-up answers (and the log that wrote it, its index caught up)."""
    log = ResponseLog(path, sealer=OneKeySealer() if lines == "send" else None)
    with log.journal.locked() as journal:
        for n in range(count):
            log.add_locked(made_up(n), carried(n) if lines == "send" else None, durable=False)
        point = journal.end()
    log.journal.flush(point)
    return log


def catch_up(path: Path) -> dict:
    """A first start without the index file: CPU seconds to read, index and save every line."""
    path.with_suffix(".index").unlink(missing_ok=True)
    log = ResponseLog(path)
    cpu = time.process_time()
    count = log.count()
    cpu = time.process_time() - cpu
    log.close()
    return {"cpu_s": cpu, "answers": count}


def erase_one(log: ResponseLog, response_id: str) -> dict:
    """Wall and CPU seconds one erasure held the journal's lock (about the whole call)."""
    wall, cpu = time.perf_counter(), time.process_time()
    erased = log.erase([response_id])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert erased == 1
    return {"wall_s": wall, "cpu_s": cpu}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--lines", choices=["plain", "send"], default="plain")
    parser.add_argument("--keep", type=Path, help="make the journal in this folder and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "responses.jsonl"
        log = build(path, args.count, args.lines)
        size = path.stat().st_size
        erasures = [erase_one(log, made_up(n).id) for n in (args.count // 2, args.count // 3, 7)]
        log.close()
        starts = [catch_up(path) for _ in range(3)]
    cpu = statistics.median(s["cpu_s"] for s in starts)
    print(json.dumps({
        "answers": args.count, "lines": args.lines, "bytes_a_line": round(size / max(args.count, 1)),
        "catch_up_cpu_s": round(cpu, 3), "catch_up_us_an_answer": round(cpu / max(args.count, 1) * 1e6, 2),
        "erase_wall_s": round(statistics.median(e["wall_s"] for e in erasures), 3),
        "erase_cpu_s": round(statistics.median(e["cpu_s"] for e in erasures), 3),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
