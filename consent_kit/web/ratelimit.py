"""A small limit on how often one address may try a code or start a survey, per process.

Flask-Limiter did this too, but it checks every request of the app, which
cost about a tenth of a question page's time; only a few forms need a limit.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import deque

from flask import abort, current_app, request


class Attempts:
    """At most ``limit`` tries per address within ``window`` seconds (a sliding window)."""

    def __init__(self, limit: int, window: float = 60.0, max_addresses: int = 100_000):
        self.limit, self.window, self.max_addresses = limit, window, max_addresses
        self.tries: dict[str, deque] = {}
        self.lock = threading.Lock()

    def allow(self, address: str, now: float | None = None) -> bool:
        """Count a try from ``address``; False when it is one too many."""
        now = time.monotonic() if now is None else now
        with self.lock:
            if len(self.tries) >= self.max_addresses:
                self._forget_old(now)
            recent = self.tries.setdefault(address, deque())
            while recent and now - recent[0] >= self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                return False
            recent.append(now)
            return True

    def _forget_old(self, now: float) -> None:
        for address in [a for a, t in self.tries.items() if not t or now - t[-1] >= self.window]:
            del self.tries[address]
        if len(self.tries) >= self.max_addresses:  # a flood of new addresses: start again
            self.tries.clear()


def limit_posts(view, attempts: Attempts):
    """Wrap a view so that too many POSTs from one address get the "please wait" page (429)."""

    @functools.wraps(view)
    def limited(*args, **kwargs):
        if request.method == "POST" and not attempts.allow(request.remote_addr or "?"):
            abort(429)
        return view(*args, **kwargs)

    return limited


def attempts_for(name: str, per_minute: int) -> Attempts:
    """The app's limit called ``name``, made on first use.

    ``per_minute`` is the default; an instance may set ``<NAME>_PER_MINUTE``
    in its settings (for example ``STARTS_PER_MINUTE = 60``).
    """
    limits = current_app.extensions.setdefault("ck_rate_limits", {})
    attempts = limits.get(name)
    if attempts is None:
        attempts = limits.setdefault(
            name, Attempts(int(current_app.config.get(f"{name.upper()}_PER_MINUTE", per_minute))))
    return attempts
