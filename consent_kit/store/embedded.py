"""EmbeddedStore: everything in one data folder, no database server to run.

Layout::

    <data>/responses.jsonl   append-only journal of responses and tombstones
    <data>/responses.lock    flock for the journal
    <data>/tables.json       TinyDB tables of low-write data (atomic writes)
    <data>/tables.lock       flock for the tables
    <data>/drafts/<id>.json  in-progress answers, one file each

Several worker processes may open the same folder at once: every write is
serialised with ``flock`` and every process catches up on the others' writes
before it checks or answers anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from .base import Response, Store
from .drafts import Drafts
from .files import ensure_dir
from .responses import ResponseLog
from .tables import Table, Tables


class EmbeddedStore(Store):
    """The default :class:`Store`: JSON-lines responses, TinyDB tables and draft files."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = ensure_dir(Path(data_dir))
        self._responses = ResponseLog(self.data_dir / "responses.jsonl")
        self._tables = Tables(self.data_dir / "tables.json")
        self._drafts = Drafts(self.data_dir / "drafts")
        # Read the journal now, not at the first submission: the index is warm
        # before people arrive, and a torn record left by a crash is reported
        # when the server starts, where the person starting it can see it.
        self._responses.count()

    def add_response(self, response: Response) -> tuple[Response, bool]:
        """Store ``response`` durably (fsync'd before returning); see :meth:`Store.add_response`."""
        return self._responses.add(response)

    def iter_responses(self, survey_id: str | None = None) -> Iterator[Response]:
        """Yield responses in stored order, reading the file as a stream."""
        return self._responses.iter(survey_id)

    def count_responses(self, survey_id: str | None = None) -> int:
        """Return how many responses are stored, from the in-memory index."""
        return self._responses.count(survey_id)

    def get_response(self, response_id: str) -> Response | None:
        """Return the response with this submission id, or ``None``."""
        return self._responses.get(response_id)

    def responses_by_pseudonym(self, pseudonym: str) -> list[Response]:
        """Return the responses carrying this pseudonym; an empty pseudonym matches none."""
        return self._responses.by_pseudonym(pseudonym)

    def erase_responses(self, response_ids: Iterable[str]) -> int:
        """Erase responses from the journal and any draft that mentions their ids.

        Returns how many stored responses were erased. Their ids are refused
        from now on, in every process.
        """
        ids = [i for i in response_ids if isinstance(i, str) and i]
        erased = self._responses.erase(ids)
        self._drafts.delete_mentioning(ids)
        return erased

    def save_draft(self, draft_id: str, data: dict, *, expires_at: float) -> None:
        """Store in-progress answers atomically; raises ValueError for an invalid id."""
        self._drafts.save(draft_id, data, expires_at=expires_at)

    def load_draft(self, draft_id: str) -> dict | None:
        """Return a draft's data, or ``None`` if invalid, missing or expired (then deleted)."""
        return self._drafts.load(draft_id)

    def delete_draft(self, draft_id: str) -> None:
        """Delete a draft if it exists; an invalid id is ignored."""
        self._drafts.delete(draft_id)

    def purge_expired_drafts(self, now: float | None = None) -> int:
        """Delete drafts expired at ``now`` (default: the current time); return how many."""
        return self._drafts.purge_expired(time.time() if now is None else now)

    def table(self, name: str) -> Table:
        """Return the named table; each call on it is a locked, atomic operation."""
        return Table(self._tables, name)

    def close(self) -> None:
        """Close the journal file; using the store again reopens it."""
        self._responses.close()
