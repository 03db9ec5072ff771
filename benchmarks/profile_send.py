"""Where a Send's CPU goes under gunicorn: py-spy on every worker while wrk sends prepared submissions.

Run: ``.venv/bin/python benchmarks/profile_send.py [--seconds 10] [--out /tmp/send]``
(needs ``.venv/bin/pip install py-spy``; all traffic to 127.0.0.1). It makes a fresh
instance and sessions as ``run.py``'s submit row does, starts gunicorn with the
benchmark's settings, warms it up (one page GET run, then submits that store nothing),
then records each worker with py-spy for the measured wrk run. It writes one speedscope
file per worker (``OUT-<pid>.json``, open at https://www.speedscope.app) and prints the
share of the workers' samples in each part of a request (a sample counts in the first
part whose pattern its stack matches, looked for from the innermost frame outwards).
By default only the thread holding the GIL is sampled, so the shares are of Python's CPU
time; ``--wall`` samples every busy thread, so waiting for fsync, unlink and locks shows.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import load  # noqa: E402
import prepare  # noqa: E402
import servers  # noqa: E402
from run import SUBMIT_PATH, free_port  # noqa: E402

#: (part, patterns in a frame "function (file)"), innermost match wins. Order matters only
#: when one frame matches two parts.
PARTS = (
    ("journal append + fsync", ("fsync", "fdatasync")),
    ("sealing / crypto (AES-GCM, HKDF, keys)", ("cryptography", "/store/crypto.py", "/store/keys.py",
                                                "/store/sealing.py", "hkdf", "AESGCM")),
    ("CSRF (Flask-WTF)", ("flask_wtf/csrf.py",)),
    ("session cookie (itsdangerous, Flask sessions)", ("itsdangerous", "flask/sessions.py")),
    ("drafts (read, delete)", ("/store/drafts.py", "/participation/drafts.py")),
    ("journal write and index (no fsync)", ("/store/journal.py", "/store/responses.py",
                                            "/store/offset_table.py", "/store/lines.py")),
    ("store: consents, audit, submissions", ("/store/",)),
    ("template render (Jinja)", ("jinja2",)),
    ("plugin hooks (pluggy)", ("pluggy",)),
    ("JSON", ("json/", "orjson", "msgspec")),
    ("participation (flow, answers, checks)", ("/participation/",)),
    ("survey model / i18n", ("/survey/", "flask_babel", "babel/")),
    ("Flask and Werkzeug: request and response objects, routing, redirect", ("werkzeug", "flask/")),
    ("gunicorn, sockets, threads", ("gunicorn", "socket", "selectors", "threading", "concurrent")),
)


#: Parts that own everything below them, looked for first (in this order): work done now and
#: then rather than per request, and the framework's steps whose inner frames are Werkzeug's.
AROUND = (
    ("draft sweeper (expired drafts and unused keys, every 10 min per worker)", ("_DraftSweeper",)),
    ("results tally batch (a thread, once a second)", ("Pending._run",)),
    ("session cookie read and written (itsdangerous, Flask)", ("open_session", "save_session")),
    ("CSRF check (Flask-WTF, with parsing the form)", ("CSRFProtect.protect",)),
    ("consent-kit's request hooks (security headers, locale, survey lookup, studio guard)",
     ("_security_headers", "load_survey", "_select_locale", "_forget_finished", "_guard",
      "no_store_on_downloads")),
    ("plugin hooks (response_submitted, consent_given)", ("_after_storing",)),
)


def part_of(stack: list[str]) -> str:
    """The part a sampled stack (outermost frame first) belongs to."""
    for part, patterns in AROUND:
        if any(pattern in frame for frame in stack for pattern in patterns):
            return part
    for frame in reversed(stack):
        for part, patterns in PARTS:
            if any(pattern in frame for pattern in patterns):
                return part
    return "other"


def read_raw(path: Path) -> Counter:
    """Samples per part from py-spy's raw (collapsed stack) output."""
    parts: Counter = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            parts[part_of(stack.split(";"))] += int(count)
    return parts


def main(argv: list[str] | None = None) -> int:
    """Profile Send and print the table of parts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--out", default="/tmp/send", help="prefix of the profile files")
    parser.add_argument("--rate", type=int, default=120, help="py-spy samples per second")
    parser.add_argument("--wall", action="store_true",
                        help="sample every busy thread (waits for the disk and locks show) instead of "
                        "only the one holding the GIL (Python's CPU time)")
    args = parser.parse_args(argv)
    spy = Path(sys.executable).with_name("py-spy")
    work = Path(tempfile.mkdtemp(prefix="ck-profile-"))
    app, maker = prepare.new_instance(work / "instance")
    sessions, warm, pages = work / "submit.txt", work / "warm.txt", work / "page.txt"
    maker.write(sessions, 1_500 * args.seconds)
    maker.write(warm, 3_000, drafts=False)
    maker.write(pages, 200)
    os.sync()
    with servers.running("gunicorn", "consent-kit", free_port(), log=work / "server.log",
                         instance=work / "instance") as running:
        url = f"http://{servers.HOST}:{running.port}"
        load.run_wrk(url + "/s/have-your-say/page/about-you", 1, sessions=pages, mode="page")
        load.run_wrk(url + SUBMIT_PATH, 2, sessions=warm, mode="submit")
        pids = running.workers()
        spies = [subprocess.Popen([str(spy), "record", "--pid", str(pid), "--rate", str(args.rate),
                                   "--duration", str(args.seconds + 1), "--format", fmt, "--nonblocking",
                                   *(() if args.wall else ("--gil",)), "-o", f"{args.out}-{pid}.{ext}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for pid in pids for fmt, ext in (("raw", "txt"), ("speedscope", "json"))]
        result = load.run_wrk(url + SUBMIT_PATH, args.seconds, sessions=sessions, mode="submit",
                              server=running)
        for proc in spies:
            proc.wait(timeout=60)
    parts: Counter = Counter()
    for pid in pids:
        parts += read_raw(Path(f"{args.out}-{pid}.txt"))
    total = sum(parts.values()) or 1
    print(f"Send under gunicorn: {result.rps:.0f} req/s, {result.cpu_ms_per_request:.2f} ms CPU a request, "
          f"valid: {result.valid} {result.problems}, load average {os.getloadavg()[0]:.1f}")
    print("| part | % of the workers' samples | ms a request (share × the workers' CPU a request) |\n"
          "|---|---|---|")
    for part, samples in parts.most_common():
        share = samples / total
        print(f"| {part} | {100 * share:.1f} | {share * result.cpu_ms_per_request:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
