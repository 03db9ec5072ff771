"""``make bench``: consent-kit against a hello-world baseline, all measured in one run.

For each server setup (gunicorn ``-w 2 -k gthread --threads 4``, see
``servers.py``; waitress as ``consent-kit serve`` runs it) this measures, with
wrk on 127.0.0.1:

1. hello world GET / (``benchmarks/hello.py``): the reference for every ratio;
2. POST /s/have-your-say/submit with 0 and with 50,000 stored responses,
   every request a different prepared session (``prepare.py``, ``submit.lua``),
   then counts what was really stored;
3. GET of a question page;
3b. GET of the paper PDF, anonymous (made once per survey version and language, then kept);

then (4) the bytes and requests of every participant page. The table goes to
stdout and a JSON copy to ``benchmarks/results/latest.json``.
A run with any unexpected response is reported as invalid, not as a number.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import floor  # noqa: E402
import load  # noqa: E402
import pages  # noqa: E402
import prepare  # noqa: E402
import report  # noqa: E402
import scale  # noqa: E402
import servers  # noqa: E402

SUBMIT_PATH = f"/s/{prepare.SURVEY_ID}/submit"
PAGE_PATH = f"/s/{prepare.SURVEY_ID}/page/about-you"
PDF_PATH = f"/s/{prepare.SURVEY_ID}/formats/paper.pdf"
WARM_SECONDS = 2
CALIBRATE_SESSIONS = 4_000  # 2 s at 2,000 req/s; if they run out, the estimate is 2,000 req/s
CALIBRATE_FACTOR = 2.5
PAGE_SESSIONS = 500  # page GETs wrap around; fewer files keep os.sync() short on a slow disk
MIN_SESSIONS = 1_000


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind((servers.HOST, 0))
        return sock.getsockname()[1]


class Bench:
    """One server setup's rows, with its scratch folder and settings."""

    def __init__(self, server: str, work: Path, seconds: int, connections: int, seeded: int):
        self.server, self.seconds, self.connections, self.seeded = server, seconds, connections, seeded
        self.work = work / server
        self.work.mkdir()
        self.log = self.work / "server.log"

    def serve(self, app: str, port: int, instance: Path | None = None, extra_env: dict | None = None):
        """The server for ``app``, stopped when the ``with`` block ends."""
        return servers.running(self.server, app, port, log=self.log, instance=instance,
                               extra_env=extra_env)

    def floor(self, hello_rps: float) -> dict:
        """The floor row: ``floor.py``'s submit (session, CSRF, one fsync'd line), nothing else.

        Sessions for a run at hello's speed, which the floor cannot beat.
        """
        say(f"{self.server}: submission floor")
        sessions, warm = self.work / "floor.txt", self.work / "floor-warm.txt"
        floor.make_sessions(sessions, max(MIN_SESSIONS, math.ceil(hello_rps * self.seconds * 1.3)))
        floor.make_sessions(warm, max(MIN_SESSIONS, math.ceil(hello_rps * WARM_SECONDS * 1.3)))
        journal = self.work / "floor.jsonl"
        os.sync()
        with self.serve("floor", free_port(), extra_env={"CK_FLOOR_JOURNAL": str(journal)}) as running:
            self.wrk(running, "/submit", WARM_SECONDS, warm, "submit")
            result = self.wrk(running, "/submit", self.seconds, sessions, "submit")
        return {"path": "/submit", **result.as_dict()}

    def wrk(self, running, path: str, seconds: int, sessions: Path | None = None,
            mode: str = "get") -> load.Result:
        """One bounded wrk run against ``running``, with its CPU use per request."""
        url = f"http://{servers.HOST}:{running.port}{path}"
        return load.run_wrk(url, seconds, connections=self.connections, sessions=sessions,
                            mode=mode, server=running)

    def page_and_calibrate(self) -> tuple[load.Result, float]:
        """Row 3 on a fresh instance, plus a short submit run to size the session files."""
        say(f"{self.server}: page GET and calibration: preparing a fresh instance")
        folder = self.work / "calibrate"
        _app, maker = prepare.new_instance(folder)
        page_sessions, warm = self.work / "page.txt", self.work / "calibrate.txt"
        maker.write(page_sessions, PAGE_SESSIONS)
        maker.write(warm, CALIBRATE_SESSIONS)
        os.sync()
        say(f"{self.server}: page GET and calibration: measuring")
        with self.serve("consent-kit", free_port(), folder) as running:
            self.wrk(running, PAGE_PATH, WARM_SECONDS, page_sessions, "page")
            page = self.wrk(running, PAGE_PATH, self.seconds, page_sessions, "page")
            rate = self.wrk(running, SUBMIT_PATH, WARM_SECONDS, warm, "submit").rps
        return page, rate

    def paper_pdf(self) -> dict:
        """Row 3b: anyone may ask for the paper PDF, no session needed (issue 23, item 7).

        Before it was kept, each request drew it again (about 0.2 s CPU) and a few
        clients asking for it slowed every other page.
        """
        say(f"{self.server}: paper PDF GET")
        folder = self.work / "paper"
        prepare.new_instance(folder)
        with self.serve("consent-kit", free_port(), folder) as running:
            # Long enough for every worker thread's first PDF (drawn while 32 connections wait,
            # several seconds on a busy machine) to be kept before the measured run.
            self.wrk(running, PDF_PATH, 3 * WARM_SECONDS)
            result = self.wrk(running, PDF_PATH, self.seconds)
        return {"path": PDF_PATH, **result.as_dict()}

    def submit(self, key: str, stored: int, sessions: int) -> dict:
        """Row 2 for one stored size: warm-up that stores nothing, then the measured run.

        Each row has its own folder (``key``), so ``--seeded 0`` runs the row twice on two
        fresh instances rather than twice on one.
        """
        say(f"{self.server}: submit with {stored:,} stored: preparing {sessions:,} sessions")
        folder = self.work / key
        app, maker = prepare.new_instance(folder)
        if stored:
            prepare.seed_responses(app, stored)
        at_start = prepare.count_stored(app)
        measured, warm = self.work / f"{key}.txt", self.work / f"warm-{key}.txt"
        maker.write(measured, sessions)
        # Sessions whose drafts do not exist: the app looks the submission id up
        # in the store (which reads the journal into each worker's index) and
        # answers "session ended", storing nothing.
        maker.write(warm, 3_000, drafts=False)
        page_sessions = self.work / f"page-{key}.txt"
        maker.write(page_sessions, 200)
        os.sync()  # the app fsyncs its files; unflushed prepared ones would slow its first fsyncs
        say(f"{self.server}: submit with {stored:,} stored: measuring")
        with self.serve("consent-kit", free_port(), folder) as running:
            self.wrk(running, PAGE_PATH, 1, page_sessions, "page")
            self.wrk(running, SUBMIT_PATH, WARM_SECONDS, warm, "submit")
            if prepare.count_stored(app) != at_start:
                raise RuntimeError("the warm-up stored responses; it must not")
            result = self.wrk(running, SUBMIT_PATH, self.seconds, measured, "submit")
        added, lines = prepare.count_stored(app) - at_start, prepare.count_lines(app) - at_start
        if lines != added:
            result.problems.append(f"{lines} lines appended but {added} distinct responses")
        if added < result.good:
            result.problems.append(f"only {added} stored for {result.good} acknowledged")
        if added > result.good + self.connections:
            result.problems.append(f"{added} stored for {result.good} acknowledged")
        return {"stored_at_start": at_start, "stored_added": added, **result.as_dict()}

    def run(self) -> dict:
        """Every row for this server; hello is measured first and last, and averaged.

        A row whose preparation or run fails (the app is being changed, say)
        becomes an INVALID row with the error, and the other rows still run.
        """
        say(f"{self.server}: hello")
        with self.serve("hello", free_port()) as hello_server:
            self.wrk(hello_server, "/", WARM_SECONDS)
            first = self.wrk(hello_server, "/", self.seconds)
            rows: dict = {}
            try:
                rows["floor"] = self.floor(first.rps)
            except Exception as error:
                rows["floor"] = failed(error, path="/submit")
            try:
                page, rate = self.page_and_calibrate()
                rows["page"] = {"path": PAGE_PATH, **page.as_dict()}
            except Exception as error:
                rows["page"], rate = failed(error, path=PAGE_PATH), 0.0
            try:
                rows["paper_pdf"] = self.paper_pdf()
            except Exception as error:
                rows["paper_pdf"] = failed(error, path=PDF_PATH)
            # The 2 s calibration includes the workers' first requests and runs
            # slower than a warm 10 s run, hence the extra factor on top of 1.5.
            sessions = max(MIN_SESSIONS, math.ceil(max(rate, 100) * CALIBRATE_FACTOR * self.seconds * 1.5))
            rows.update(calibration_rps=round(rate, 1), sessions_per_run=sessions)
            for key, stored in (("submit_0", 0), ("submit_seeded", self.seeded)):
                try:
                    rows[key] = self.submit(key, stored, sessions)
                except Exception as error:
                    rows[key] = failed(error, stored_at_start=stored, stored_added=0)
            say(f"{self.server}: hello again")
            last = self.wrk(hello_server, "/", self.seconds)
        rows["hello"] = _mean_of(first, last)
        return rows


def failed(error: Exception, **extra) -> dict:
    """An INVALID row that says what went wrong."""
    message = f"{type(error).__name__}: {error}".strip()
    return {"rps": 0.0, "p50_ms": 0.0, "p99_ms": 0.0, "server_cpu_ms_per_request": 0.0, "good": 0,
            "valid": False, "problems": [message[:300]], **extra}


def _mean_of(*runs: load.Result) -> dict:
    """The hello reference: the mean of runs taken before and after the others."""
    each = [run.as_dict() for run in runs]
    mean = {key: round(sum(r[key] for r in each) / len(each), 2)
            for key in ("rps", "p50_ms", "p99_ms", "server_cpu_ms_per_request")}
    return {**mean, "valid": all(r["valid"] for r in each),
            "problems": [p for r in each for p in r["problems"]], "runs": each}


def say(message: str) -> None:
    """A progress line on stderr (the table goes to stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fsync_ms(folder: Path, count: int = 30) -> float:
    """Median milliseconds of a 900-byte append + fsync here: the disk's speed right now.

    On this shared virtual disk it has ranged from 0.15 to 4 ms within an hour,
    and every submission waits for one.
    """
    path = folder / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    times = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            os.write(fd, b"x" * 900 + b"\n")
            os.fsync(fd)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        path.unlink()
    return round(sorted(times)[count // 2] * 1000, 2)


def machine() -> dict:
    """What the numbers were measured on."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def main(argv: list[str] | None = None) -> int:
    """Run every measurement, print the table, write the JSON copy.

    Exit status 1 when a run is INVALID; a FAIL against a target is a
    measurement, not an error, and leaves it at 0.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--servers", default="gunicorn,waitress", help="comma-separated: gunicorn,waitress")
    parser.add_argument("--seeded", type=int, default=50_000, help="stored responses for the second run")
    parser.add_argument("--scale-sizes", default="0,100000",
                        help="sample answers for the issue 22 rows (start-up, results, exports, memory); "
                        "'' for none, add 1000000 for the million")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, instances)")
    parser.add_argument("--verbose", action="store_true", help="show the in-process apps' error logs")
    args = parser.parse_args(argv)
    if not args.verbose:
        # In-process walks report a failure in one line; the traceback is noise in the table.
        logging.getLogger("consent_kit").setLevel(logging.CRITICAL)
    load.ensure_wrk()
    results = {"machine": machine(), "settings": vars(args), "servers": {}}
    work = Path(tempfile.mkdtemp(prefix="ck-bench-"))
    started = time.monotonic()
    results["machine"]["fsync_ms_at_start"] = fsync_ms(work)
    try:
        try:
            say("Weighing the participant pages ...")
            results["pages"] = pages.measure_journey(work / "pages")
        except Exception as error:  # the app is broken: say so in the table, measure the rest
            results["pages"], results["pages_error"] = [], f"{type(error).__name__}: {error}"
        for server in [s for s in args.servers.split(",") if s]:
            bench = Bench(server, work, args.seconds, args.connections, args.seeded)
            results["servers"][server] = bench.run()
        sizes = [int(n) for n in args.scale_sizes.split(",") if n.strip()]
        if sizes:
            results["scale"] = scale.measure(work, sizes)
        results["machine"]["fsync_ms_at_end"] = fsync_ms(work)
        results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        if args.keep:
            print(f"Scratch folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"]["elapsed_seconds"] = round(time.monotonic() - started, 1)
    verdict = report.judge(results)
    print(report.table(results))
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nJSON copy: {out.relative_to(HERE.parent)}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
