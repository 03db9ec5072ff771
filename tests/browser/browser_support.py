"""Shared pieces of the browser tests: Chromium's launch settings, the network guard and the
test server."""

from __future__ import annotations

import contextlib
import os
import threading
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server

LOOPBACK = "127.0.0.1"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAUNCH_TIMEOUT_MS = 60_000  # a cold Chromium start on a busy 2-core CI machine
ACTION_TIMEOUT_MS = 15_000  # any one click, fill, wait or navigation
SERVER_STOP_TIMEOUT = 10.0  # seconds
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 800}


def chromium_path() -> str:
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")


class NetworkGuard:
    """Lets requests to 127.0.0.1 through and aborts (and remembers) every other one."""

    def __init__(self):
        self.blocked: list[str] = []

    @staticmethod
    def allowed(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname == LOOPBACK

    def route(self, route) -> None:
        url = route.request.url
        if self.allowed(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def check(self) -> None:
        assert not self.blocked, (
            "Requests left 127.0.0.1 (third-party requests are forbidden): "
            + ", ".join(self.blocked)
        )


def guarded_context(browser, **options):
    """A fresh context whose traffic may only go to 127.0.0.1; its guard is ``context.guard``."""
    options.setdefault("viewport", WIDE)
    context = browser.new_context(**options)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
    guard = NetworkGuard()
    # Routing every request also turns off the HTTP cache, so every page load is a cold one.
    context.route("**/*", guard.route)
    context.guard = guard
    return context


def close_and_check(contexts) -> None:
    """Close the contexts, then fail if any of them tried to leave 127.0.0.1."""
    for context in contexts:
        context.close()
    for context in contexts:
        context.guard.check()


class _QuietHandler(WSGIRequestHandler):
    """No log line per request: a walk makes hundreds."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def _closing_at_once(app):
    """``app`` with each response read whole and closed before werkzeug sends it.

    Werkzeug's development server calls the response's ``close()`` only after it has
    drained the socket; when the browser drops a request (a page moves on while its
    stylesheet loads) that draining can raise first, the static file is never closed and
    a ``ResourceWarning`` for ``ck.css`` fails whichever test the garbage collector
    happens to run in. Test pages are small, so reading them whole costs nothing.
    """

    def wsgi(environ, start_response):
        iterable = app(environ, start_response)
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        return [body]

    return wsgi


@contextlib.contextmanager
def serving(app, name: str):
    """Serve ``app`` on 127.0.0.1:<free port> in a thread; yields the base URL."""
    server = make_server(LOOPBACK, 0, _closing_at_once(app), threaded=True,
                         request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name=name, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(SERVER_STOP_TIMEOUT)
        assert not thread.is_alive(), f"the {name} did not stop"
