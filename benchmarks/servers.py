"""Start and stop the servers under test, always on 127.0.0.1, always stopped by PID.

Two setups, the same for every row of the table:

* ``gunicorn``: ``-w 2 -k gthread --threads 4`` (two processes, four threads each),
  plus ``--worker-connections 20`` (see :func:`command`);
* ``waitress``: ``benchmarks/waitress_serve.py``, the settings of ``consent-kit serve``.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
SERVERS = ("gunicorn", "waitress")


def command(server: str, app: str, port: int) -> list[str]:
    """The command line that serves ``app`` ("hello", "floor" or "consent-kit") with ``server``.

    wrk opens its 32 connections in one burst, and a gthread worker accepts
    in a tight loop: in 7 of 12 trial runs one worker took every connection
    and the other sat idle, halving req/s at random. ``--worker-connections 20``
    (16 + 4 threads, so no kept-alive connection is closed early) makes each
    worker take at least 12 of the 32, as connections arriving over time would.
    """
    if server == "gunicorn":
        target = f"{app}:app" if app in ("hello", "floor") else "consent_kit:create_app()"
        return [
            str(Path(sys.executable).with_name("gunicorn")), "-w", "2", "-k", "gthread", "--threads", "4",
            "-b", f"{HOST}:{port}", "--pythonpath", str(HERE), "--graceful-timeout", "5",
            "--worker-connections", "20", target,
        ]
    if server == "waitress":
        return [sys.executable, str(HERE / "waitress_serve.py"), str(port), app]
    raise ValueError(f"unknown server {server!r}; use one of {SERVERS}")


class Running:
    """A started server: its process and the processes that answer requests."""

    def __init__(self, proc: subprocess.Popen, server: str, port: int):
        self.proc, self.server, self.port = proc, server, port

    def workers(self) -> list[int]:
        """PIDs of the processes that run the app (gunicorn's workers, or waitress itself)."""
        if self.server != "gunicorn":
            return [self.proc.pid]
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def cpu_seconds(self) -> dict[int, float]:
        """User + system CPU seconds used so far by each worker."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = {}
        for pid in self.workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / ticks
        return used


@contextmanager
def running(server: str, app: str, port: int, *, log: Path, instance: Path | None = None,
            extra_env: dict | None = None):
    """Run the server until the ``with`` block ends, whatever happens inside it."""
    env = dict(os.environ, **(extra_env or {}))
    if instance is not None:
        env["CONSENT_KIT_INSTANCE"] = str(instance)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            command(server, app, port), env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        _wait_ready(proc, port, log)
        yield Running(proc, server, port)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server; SIGKILL its process group (only ours) if it does not go."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _wait_ready(proc: subprocess.Popen, port: int, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"The server stopped at start; see {log}:\n{_tail(log)}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"The server did not answer within {timeout:.0f} s; see {log}:\n{_tail(log)}")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
