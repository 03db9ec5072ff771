"""Real consent-kit server processes for tests, and a participant that talks real HTTP.

Everything here connects to 127.0.0.1 only. Every wait is bounded by a deadline,
and a started server is always killed by :meth:`ServerProcess.__exit__` (or
:meth:`ServerProcess.kill`), including its worker processes: servers run in a
process group of their own.
"""

from __future__ import annotations

import copy
import html
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

LOOPBACK = "127.0.0.1"
READY_TIMEOUT = 60.0  # seconds for a server to answer GET / with 200 (slow shared CI)
STOP_TIMEOUT = 40.0  # seconds for a graceful stop (gunicorn's graceful timeout is 30)
REQUEST_TIMEOUT = 30.0  # seconds for any one HTTP request

QUICK_SURVEY = """\
id: quick
title: Quick test
description: A tiny survey for the server tests.
pages:
  - id: one
    title: One page
    questions:
      - id: word
        type: short_text
        label: Say a word
        validation:
          max_length: 200
      - id: colour
        type: single_choice
        label: Pick a colour
        choices:
          - value: red
            label: Red
          - value: blue
            label: Blue
"""

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SUBMISSION_ID = re.compile(r'name="submission_id" value="([^"]+)"')
_REFERENCE = re.compile(r'<strong[^>]*class="code"[^>]*>([^<]+)</strong>')
_H1 = re.compile(r"<h1[^>]*>([^<]*)</h1>")


class ServerFailed(AssertionError):
    """The server process did not start, or ended when it should not have."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, then let go)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _command(script: str, module: str) -> list[str]:
    """The venv's console script next to this Python, else ``python -m module``."""
    path = Path(sys.executable).with_name(script)
    return [str(path)] if path.exists() else [sys.executable, "-m", module]


def consent_kit_command() -> list[str]:
    """How to run the ``consent-kit`` command (its entry point is consent_kit.cli:main)."""
    return _command("consent-kit", "consent_kit.cli")


def gunicorn_command() -> list[str]:
    """How to run gunicorn."""
    return _command("gunicorn", "gunicorn")


def server_env(instance: Path, **extra: str) -> dict[str, str]:
    """The environment for a server process on ``instance``: no proxies, unbuffered logs."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(
        PYTHONUNBUFFERED="1",
        CONSENT_KIT_INSTANCE=str(instance),
        CONSENT_KIT_SESSION_COOKIE_SECURE="false",
        # A load test is hundreds of people behind one address (127.0.0.1): the per-address limits
        # on starting and on new drafts would stop them, as they would a real crowd on one Wi-Fi
        # beyond what the settings allow. Tests of the limits themselves set their own.
        CONSENT_KIT_STARTS_PER_MINUTE="1000000",
        CONSENT_KIT_NEW_DRAFTS_PER_MINUTE="1000000",
    )
    env.update(extra)
    return env


class ServerProcess:
    """One server process (and its process group), logging to files in ``log_dir``."""

    _counter = 0

    def __init__(self, argv: list[str], *, port: int, env: dict, log_dir: Path, name: str):
        ServerProcess._counter += 1
        stem = f"{name}-{ServerProcess._counter:02d}"
        self.argv = argv
        self.port = port
        self.stdout_path = Path(log_dir) / f"{stem}.stdout.log"
        self.stderr_path = Path(log_dir) / f"{stem}.stderr.log"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            # The child keeps its own copies of these descriptors; ours close here.
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=env,
                start_new_session=True,  # its own process group: workers die with it
            )

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    def stderr_text(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stdout_text(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def describe(self) -> str:
        """The command and the end of its output, for assertion messages."""
        return (
            f"{' '.join(self.argv)} (exit code {self.proc.returncode})\n"
            f"--- stdout ---\n{self.stdout_text()[-2000:]}\n"
            f"--- stderr ---\n{self.stderr_text()[-4000:]}"
        )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        """Poll GET / until it answers 200; return the seconds it took.

        Between attempts it waits on the process itself, so a server that dies
        during start-up is reported at once, with its output.
        """
        started = time.monotonic()
        deadline = started + timeout
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        last_error: object = None
        while time.monotonic() < deadline:
            try:
                with opener.open(self.base_url + "/", timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - started
                    last_error = f"status {response.status}"
            except urllib.error.HTTPError as error:
                error.close()
                last_error = f"status {error.code}"
            except (urllib.error.URLError, OSError) as error:
                last_error = error
            try:
                self.proc.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            raise ServerFailed(f"The server ended during start-up.\n{self.describe()}")
        raise ServerFailed(
            f"The server did not answer GET / within {timeout}s ({last_error}).\n{self.describe()}"
        )

    def kill(self) -> int:
        """SIGKILL the server's whole process group, reap it, return its exit code."""
        if self.proc.returncode is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return self.proc.wait(timeout=STOP_TIMEOUT)

    def kill_9(self) -> int:
        """``kill -9 <pid>``: SIGKILL to the server process only, as an operator or the OOM killer would."""
        os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.wait(timeout=STOP_TIMEOUT)

    def terminate(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM the server process (a graceful stop) and wait for it, bounded."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise ServerFailed(f"The server ignored SIGTERM for {timeout}s.\n{self.describe()}") from None

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc_info) -> None:
        # Whatever happened, leave no server (or orphaned worker) behind.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.returncode is None:
            self.proc.wait(timeout=STOP_TIMEOUT)


def start_server(build_argv, *, instance: Path, log_dir: Path, name: str, attempts: int = 3,
                 env: dict[str, str] | None = None) -> ServerProcess:
    """Start ``build_argv(port)`` on a free port and wait until it serves GET /.

    Picking a port by binding to 0 leaves a tiny window for another program
    to take it, so a server that fails to start is retried on a new port, a
    bounded number of times.
    """
    failure: ServerFailed | None = None
    for _ in range(attempts):
        port = free_port()
        server = ServerProcess(build_argv(port), port=port, env=server_env(instance, **(env or {})),
                               log_dir=log_dir, name=name)
        try:
            server.wait_ready()
            return server
        except ServerFailed as error:
            server.__exit__(None, None, None)
            failure = error
            if "address already in use" not in str(error).lower():
                raise
    assert failure is not None
    raise failure


def serve_waitress(instance: Path, log_dir: Path, *, threads: int = 8) -> ServerProcess:
    """``consent-kit serve --instance DIR --host 127.0.0.1 --port PORT`` (waitress), ready."""
    return start_server(
        lambda port: [*consent_kit_command(), "serve", "--instance", str(instance),
                      "--host", LOOPBACK, "--port", str(port), "--threads", str(threads)],
        instance=instance, log_dir=log_dir, name="waitress",
    )


def _gunicorn_private_options() -> list[str]:
    """Keep test servers apart: gunicorn >= 25.1 opens ~/.gunicorn/gunicorn.ctl by default,
    one path shared by every gunicorn of the user (parallel test runs would fight over it)."""
    try:
        from gunicorn.config import KNOWN_SETTINGS
    except ImportError:  # gunicorn runs from elsewhere: assume an older one
        return []
    names = {setting.name for setting in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in names else []


def serve_gunicorn(instance: Path, log_dir: Path, *, workers: int = 4, threads: int = 4,
                   env: dict[str, str] | None = None) -> ServerProcess:
    """``gunicorn -w N -k gthread --threads T 'consent_kit:create_app()'``, ready.

    ``env`` adds settings (``CONSENT_KIT_...`` variables) for this server only.
    """
    return start_server(
        lambda port: [*gunicorn_command(), "-w", str(workers), "-k", "gthread",
                      "--threads", str(threads), "-b", f"{LOOPBACK}:{port}",
                      "--graceful-timeout", "20", *_gunicorn_private_options(),
                      "consent_kit:create_app()"],
        instance=instance, log_dir=log_dir, name="gunicorn", env=env,
    )


# -- a participant over real HTTP ---------------------------------------------


@dataclass
class Page:
    """One HTTP reply, after redirects."""

    status: int
    url: str
    html: str

    @property
    def path(self) -> str:
        parts = urllib.parse.urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def heading(self) -> str:
        match = _H1.search(self.html)
        return html.unescape(match.group(1)).strip() if match else ""

    @property
    def reference(self) -> str | None:
        """The reference on a Thank you page, e.g. ``K7QM3-XR2PA``."""
        match = _REFERENCE.search(self.html)
        return match.group(1) if match else None

    def csrf_token(self) -> str:
        match = _CSRF.search(self.html)
        if not match:
            raise AssertionError(f"No CSRF token on {self.path} ({self.status})")
        return match.group(1)

    def submission_id(self) -> str:
        match = _SUBMISSION_ID.search(self.html)
        if not match:
            raise AssertionError(f"No submission id on {self.path} ({self.status})")
        return match.group(1)


class HttpParticipant:
    """A browser with its own cookie jar, walking a survey like a person does.

    ``urllib`` follows the 302 after each POST with a GET, as browsers do.
    """

    def __init__(self, base_url: str, *, jar: CookieJar | None = None, timeout: float = REQUEST_TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self.jar = jar if jar is not None else CookieJar()
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.jar)
        )
        self.last: Page | None = None
        self.requests = 0  # HTTP requests made, redirects included

    def clone(self) -> HttpParticipant:
        """Another browser tab with a copy of this one's cookies (same session)."""
        jar = CookieJar()
        for cookie in self.jar:
            jar.set_cookie(copy.copy(cookie))
        twin = HttpParticipant(self.base_url, jar=jar, timeout=self.timeout)
        twin.last = self.last
        return twin

    def request(self, path: str, data: dict | None = None) -> Page:
        """GET ``path`` (or POST ``data`` form-encoded) and follow redirects."""
        url = path if path.startswith("http") else self.base_url + path
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=self.timeout) as reply:
                page = Page(reply.status, reply.geturl(), reply.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            try:
                text = error.read().decode("utf-8", "replace") if error.fp else ""
            finally:
                error.close()
            page = Page(error.code, error.geturl(), text)
        # HTTP round trips, counting the redirect after a POST (this app never chains them).
        self.requests += 1 if page.url == url else 2
        self.last = page
        return page

    def get(self, path: str) -> Page:
        return self.request(path)

    def post(self, path: str, data: dict | None = None) -> Page:
        """POST a form with the CSRF token of the last page."""
        form = {"csrf_token": self.last.csrf_token()} if self.last else {}
        form.update(data or {})
        return self.request(path, form)

    def start(self, survey_id: str) -> Page:
        self.get(f"/s/{survey_id}")
        self._expect(200)
        return self.post(f"/s/{survey_id}/start")

    def answer_page(self, answers: dict) -> Page:
        """Fill in the fields of the current page that ``answers`` names and press Continue."""
        page = self.last
        data = {k: v for k, v in answers.items() if f'name="{k}"' in page.html}
        return self.post(page.path, data)

    def reach_check(self, survey_id: str, answers: dict, *, max_pages: int = 20) -> Page:
        """Start and answer pages until "Check your answers"."""
        self.start(survey_id)
        for _ in range(max_pages):
            self._expect(200)
            if self.last.path.endswith("/check"):
                return self.last
            before = self.last.path
            self.answer_page(answers)
            if self.last.path == before:
                raise AssertionError(f"Stuck on {before}: {self.last.html[:2000]}")
        raise AssertionError("The survey did not reach 'Check your answers'.")

    def send(self) -> str:
        """Press Send on "Check your answers"; return the reference on the Thank you page."""
        check = self.last
        submit = check.path.rsplit("/", 1)[0] + "/submit"
        self.post(submit, {"submission_id": check.submission_id()})
        return self.expect_thank_you()

    def complete(self, survey_id: str, answers: dict) -> str:
        """Answer every page, send, and return the reference shown."""
        self.reach_check(survey_id, answers)
        return self.send()

    def expect_thank_you(self) -> str:
        page = self.last
        if page.status != 200 or not page.path.endswith("/done") or page.heading != "Thank you":
            raise AssertionError(
                f"Expected the Thank you page, got {page.status} {page.path} "
                f"{page.heading!r}: {page.html[:1500]}"
            )
        if page.reference is None:
            raise AssertionError(f"No reference on the Thank you page: {page.html[:1500]}")
        return page.reference

    def _expect(self, status: int) -> None:
        if self.last.status != status:
            raise AssertionError(
                f"Expected {status} from {self.last.path}, got {self.last.status}: {self.last.html[:1500]}"
            )
