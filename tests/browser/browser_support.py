"""Shared pieces of the browser tests: Chromium's launch settings and the network guard."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

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
