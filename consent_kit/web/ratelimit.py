"""Limits on how often one address may try a code, sign in or start a survey, shared by every server.

The counts live in the store (``store.documents("rate_limits")``), not in a
process: with ``gunicorn -w 4``, or several servers on one store, a limit of
10 tries a minute is 10 for everyone together, not 10 per worker. Each count
is one small document per limit, address and window, changed with
``Documents.modify`` (read, add one, write, with nothing in between), so two
workers counting at once can't lose a try.

The windows are fixed stretches of time (minute 0-59, 60-119, ...), counted on
the wall clock every server shares. Within each window an address gets at most
``limit`` tries; a try after that is refused until the next window starts.
Documents of windows that have ended are removed as new windows start.

Addresses and usernames are never written down as typed: the document holds
a keyed hash of them (keyed with the app's secret), because the store is
backed up and an address is personal data (DESIGN.md: no IP addresses kept).

Flask-Limiter did this too, but it checks every request of the app, which
cost about a tenth of a question page's time; only a few forms need a limit.
One check costs one small write to the store (about 1 ms on the embedded one).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import threading
import time
from collections.abc import Callable

from flask import abort, current_app, request

from consent_kit.store.base import StoreError

log = logging.getLogger(__name__)

#: The store table holding the counts.
TABLE = "rate_limits"
#: Limits that only stop a flood (not guessing): when the store can't count (a full disk),
#: the try goes through and meets the store's own plain message where it writes.
FLOOD_LIMITS = frozenset({"starts", "new_drafts"})


def clock() -> float:
    """The clock windows are counted on: seconds since the epoch, the same for every server."""
    return time.time()


class SharedAttempts:
    """At most ``limit`` tries per key in each ``window`` seconds, counted in the store.

    ``documents`` gives the store's ``rate_limits`` documents (called on each
    use, so a limit made at start-up follows the app's store). ``secret``
    keys the hash that stands for an address or name in the store.
    """

    def __init__(self, name: str, limit: int, window: float, *,
                 documents: Callable[[], object], secret: bytes = b""):
        self.name, self.limit, self.window = name, int(limit), float(window)
        self._documents = documents
        self._secret = hashlib.blake2b(secret or b"consent-kit", digest_size=32).digest()
        self._swept = -1  # the last window whose ended neighbours this process removed
        self._sweep_lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count a try from ``key``; False when it is one too many for this window.

        Raises :class:`StoreError` when the store can't count, except for the
        limits in :data:`FLOOD_LIMITS`, which then let the try through.
        """
        try:
            return self._count(key, now) <= self.limit
        except StoreError as error:
            if self.name not in FLOOD_LIMITS:
                raise
            log.warning("The %s limit could not be counted, so the try went through: %s", self.name, error)
            return True

    def give_back(self, key: str, now: float | None = None) -> None:
        """Take back one try counted by :meth:`allow` (it turned out right: a password that matched).

        Pass the ``now`` the try was counted with, so it comes off the same window.
        """
        window = self._window(now)
        done: list[bool] = []

        def take_one(doc: dict) -> None:
            if not done and doc.get("count", 0) > 0:
                doc["count"] -= 1
                done.append(True)

        self._documents().modify(take_one, limit=self.name, key=self._hash(key), window=window)

    def clear(self, key: str) -> None:
        """Forget ``key``'s tries (a right password starts its count again)."""
        self._documents().remove(limit=self.name, key=self._hash(key))

    def _count(self, key: str, now: float | None) -> int:
        """Add one try to ``key``'s count in this window; return the count with it."""
        fields = {"limit": self.name, "key": self._hash(key), "window": self._window(now)}
        documents = self._documents()
        counted = _add_one(documents, fields)
        if counted is None:
            # The window's first try from here. ``put`` with only the key fields makes the
            # document once however many workers race to (it changes nothing when it is
            # there), and the count is then taken like any other: an insert of "count 1"
            # instead let a late inserter be allowed after others had used every try.
            documents.put(fields, **fields)
            self._sweep(documents, fields["window"])
            counted = _add_one(documents, fields)
        return counted or 1  # None: another server's clock ended the window meanwhile

    def _sweep(self, documents, window: int) -> None:
        """Remove this limit's ended windows, once per window per process (a new window began)."""
        with self._sweep_lock:
            if self._swept >= window:
                return
            self._swept = window
        documents.remove(limit=self.name, where=lambda doc: doc["window"] < window)

    def _window(self, now: float | None) -> int:
        return int((clock() if now is None else now) // self.window)

    def _hash(self, key: str) -> str:
        return hashlib.blake2b(f"{self.name}\0{one_network(key)}".encode(), key=self._secret,
                               digest_size=12).hexdigest()


def one_network(key: str) -> str:
    """An IPv6 address (alone or after ``address:``) as its /64 network; any other key as it is.

    One phone or home is given a whole /64 and may use any address in it, so
    counting each address apart would give it billions of tries.
    """
    prefix = "address:" if key.startswith("address:") else ""
    try:
        address = ipaddress.ip_address(key[len(prefix):])
    except ValueError:
        return key
    if address.version == 6 and address.ipv4_mapped is None:
        return prefix + str(ipaddress.ip_network(f"{address}/64", strict=False))
    return key


def _add_one(documents, fields: dict) -> int | None:
    """Add one to the count of the documents with ``fields``; their count with it, or None if none."""
    counts: list[int] = []

    def add_one(doc: dict) -> None:
        # A backend whose put is not one step may leave two documents for one window:
        # the count is their sum, and only the first one found takes the try.
        if not counts:
            doc["count"] = doc.get("count", 0) + 1
        counts.append(doc.get("count", 0))

    documents.modify(add_one, **fields)
    return sum(counts) if counts else None


def shared_attempts(app, name: str, limit: int, window: float = 60.0) -> SharedAttempts:
    """A limit counted in ``app``'s store (made once per app and name)."""
    limits = app.extensions.setdefault("ck_rate_limits", {})
    attempts = limits.get(name)
    if attempts is None:
        secret = app.secret_key if isinstance(app.secret_key, bytes) else str(app.secret_key or "").encode()
        attempts = limits.setdefault(name, SharedAttempts(
            name, limit, window, secret=secret,
            documents=lambda: app.extensions["consent_kit"].store.documents(TABLE)))
    return attempts


def attempts_for(name: str, per_minute: int, setting: str | None = None) -> SharedAttempts:
    """The current app's per-minute limit called ``name``, made on first use.

    ``per_minute`` is the default; an instance may set ``<NAME>_PER_MINUTE``
    in its settings (for example ``STARTS_PER_MINUTE = 60``), or the
    ``setting`` named here when several limits share one.
    """
    setting = setting or f"{name.upper()}_PER_MINUTE"
    return shared_attempts(current_app, name, int(current_app.config.get(setting, per_minute)))


def limit_posts(view, name: str, setting: str):
    """Wrap a view so that too many POSTs from one address get the "please wait" page (429)."""

    @functools.wraps(view)
    def limited(*args, **kwargs):
        if request.method == "POST" and not attempts_for(name, 10, setting).allow(request.remote_addr or "?"):
            abort(429)
        return view(*args, **kwargs)

    return limited
