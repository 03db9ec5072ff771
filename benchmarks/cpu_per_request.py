"""CPU a request in one process, no server: hello, the floor, a question page and a Send.

``.venv/bin/python benchmarks/cpu_per_request.py [--count 3000]``

The wrk rows of ``make bench`` include the server's own work and vary with the machine's load
(see README.md, "Reading the numbers"). This calls each app's WSGI callable directly with
prepared requests (the same sessions ``run.py`` prepares) and divides ``time.process_time()``
by the count, so a change to a page or a Send shows in a minute, whatever else runs. For where
the time goes, run it under ``py-spy record -f raw`` (the loops are named ``loop_<row>``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import floor
import hello
import prepare
from werkzeug.test import EnvironBuilder

FORM = "application/x-www-form-urlencoded"


def environ(path: str, cookie: str = "", body: str | None = None) -> dict:
    """A WSGI environ for a GET, or a form POST when ``body`` is given."""
    headers = {"Cookie": cookie} if cookie else {}
    if body is None:
        return EnvironBuilder(path=path, headers=headers).get_environ()
    return EnvironBuilder(path=path, method="POST", data=body.encode(),
                          headers={**headers, "Content-Type": FORM}).get_environ()


def call(app, env: dict) -> str:
    """Run one request through ``app``; its status line."""
    status = []
    body = app(env, lambda line, headers, exc_info=None: status.append(line))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return status[0]


def timed(app, envs: list[dict], want: str) -> float:
    """Milliseconds of CPU a request over ``envs`` (each used once); every answer must be ``want``."""
    started = time.process_time()
    statuses = {call(app, env) for env in envs}
    spent = time.process_time() - started
    if statuses != {want}:
        raise RuntimeError(f"Expected only {want!r}, got {sorted(statuses)}")
    return spent / len(envs) * 1000


def sessions(path: Path) -> list[tuple[str, str]]:
    """The ``<cookie>\\t<body>`` lines written by a session maker."""
    return [tuple(line.split("\t")) for line in path.read_text().splitlines()]


def loop_hello(count: int) -> float:
    """CPU ms of hello world's one fixed answer."""
    return timed(hello.app, [environ("/") for _ in range(count)], "200 OK")


def loop_floor(work: Path, count: int) -> float:
    """CPU ms of the floor's submission (session, CSRF, one fsync'd line), a fresh session each."""
    floor.make_sessions(work / "floor.txt", count)
    envs = [environ("/submit", cookie, body) for cookie, body in sessions(work / "floor.txt")]
    return timed(floor.app, envs, "302 FOUND")


def loop_page(app, maker, work: Path, count: int) -> float:
    """CPU ms of have-your-say's "About you" page for a participant who answered it (as run.py)."""
    maker.write(work / "page.txt", 1)
    cookie, _ = sessions(work / "page.txt")[0]
    path = f"/s/{prepare.SURVEY_ID}/page/about-you"
    call(app, environ(path, cookie))  # the first view compiles the templates
    return timed(app, [environ(path, cookie) for _ in range(count)], "200 OK")


def loop_send(app, maker, work: Path, count: int) -> float:
    """CPU ms of a Send from "Check your answers", a fresh participant each (as run.py)."""
    maker.write(work / "send.txt", count)
    path = f"/s/{prepare.SURVEY_ID}/submit"
    envs = [environ(path, cookie, body) for cookie, body in sessions(work / "send.txt")]
    return timed(app, envs, "302 FOUND")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="requests of each kind")
    count = parser.parse_args().count
    work = Path(tempfile.mkdtemp(prefix="ck-cpu-"))
    floor._JOURNAL = work / "floor.jsonl"  # floor.py read CK_FLOOR_JOURNAL when imported
    app, maker = prepare.new_instance(work / "instance")
    rows = {"hello": loop_hello(count * 5), "floor": loop_floor(work, count),
            "page": loop_page(app, maker, work, count), "send": loop_send(app, maker, work, count)}
    print("| request | CPU ms | against |")
    print("|---|---|---|")
    # Without a server hello costs almost nothing, so the ratios to hello are far below the wrk
    # rows' (gunicorn adds about 0.1 ms to every request); compare CPU ms between commits.
    print(f"| hello | {rows['hello']:.3f} | |")
    print(f"| floor | {rows['floor']:.3f} | {rows['hello'] / rows['floor']:.2f}x hello |")
    print(f"| question page | {rows['page']:.3f} | {rows['hello'] / rows['page']:.2f}x hello |")
    print(f"| Send | {rows['send']:.3f} | {rows['floor'] / rows['send']:.2f}x floor |")


if __name__ == "__main__":
    main()
