"""Connections for one process: a psycopg pool opened on first use, after any fork.

A server such as gunicorn builds the app and then forks its workers. A
connection made before the fork would be shared by every worker (one socket,
many talkers), so the pool is made lazily, the first time a process needs a
connection, and made again when the process id changes. The parent's
connections are left alone in the child (never closed there: closing would
send "goodbye" to the server on the parent's behalf).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from consent_kit import StoreError

log = logging.getLogger(__name__)

#: Pools inherited through a fork: kept referenced so they are never finalised in the child.
_INHERITED: list[ConnectionPool] = []

_UNREACHABLE = (
    "We couldn't save {what} because the database is not answering just now. "
    "Nothing you saved before is lost. Please try again in a minute, or tell the researchers."
)


def unreachable(what: str = "your answers") -> StoreError:
    """The plain-language error for a database that can't be reached or failed."""
    return StoreError(_UNREACHABLE.format(what=what), reason="io_error")


class LazyPool:
    """One ``ConnectionPool`` per process, opened when a connection is first asked for.

    ``on_open(connection)`` runs once per process with the first connection
    (the schema check and migrations).
    """

    def __init__(self, url: str, *, schema: str | None = None, size: int = 4, timeout: float = 15.0,
                 on_open: Callable[[psycopg.Connection], None] | None = None):
        self.url = url
        self.timeout = timeout  # seconds to wait for the database when opening, or for a connection
        self.schema = schema
        self.size = max(1, int(size))
        self._on_open = on_open
        self._pool: ConnectionPool | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def _kwargs(self) -> dict:
        kwargs: dict = {"autocommit": False}
        if self.schema:
            # Every statement of this store works in its own schema (tests, several instances).
            kwargs["options"] = f"-c search_path={self.schema}"
        return kwargs

    def _current(self) -> ConnectionPool:
        pid = os.getpid()
        pool = self._pool
        if pool is not None and self._pid == pid:
            return pool
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                return self._pool
            if self._pool is not None:
                _INHERITED.append(self._pool)  # made by the parent before fork: never touch it
            pool = ConnectionPool(self.url, kwargs=self._kwargs(), min_size=1, max_size=self.size,
                                  open=False, name=f"consent-kit-{pid}", timeout=self.timeout)
            try:
                pool.open(wait=True, timeout=self.timeout)
            except PoolTimeout as exc:
                pool.close()
                raise unreachable() from exc
            if self._on_open is not None:
                with pool.connection() as conn:
                    self._on_open(conn)
            self._pool, self._pid = pool, pid
            return pool

    @contextmanager
    def connection(self, what: str = "your answers") -> Iterator[psycopg.Connection]:
        """A connection in a transaction that commits when the block ends (rolls back on error).

        Database failures come out as a plain :class:`StoreError`.
        """
        try:
            with self._current().connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as exc:
            log.error("The database failed: %s", exc)
            raise unreachable(what) from exc

    def close(self) -> None:
        """Close this process's pool (if it made one)."""
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.close()
            self._pool = None
