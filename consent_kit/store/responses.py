"""Responses on a :class:`~consent_kit.store.journal.Journal`, with an in-memory index.

Each process keeps an index built from the journal (:mod:`.response_index`:
submission id -> byte offset, survey -> its answers' offsets, sender -> theirs,
and the hashes of erased ids). Before every check the journal feeds it whatever
other processes appended since, so an idempotency check costs O(new lines),
never O(all responses). Ids and pseudonyms are kept as 64-bit hashes in flat
arrays (:mod:`.offset_table`), and the index is kept on disk too
(``responses.index``, :mod:`.index_file`), so a server with a million answers
starts without reading them all again.

Journal lines are ``{"kind": "response", ...Response fields}`` (lines written
by "Send" also carry ``"consent"`` and ``"audit"`` copies, see ``submissions``)
and ``{"kind": "erased", "id_sha256": "...", "for": "..."}``. A tombstone holds
only the hash of the id, so nothing about the erased answers remains, yet a
phone retrying the same submission is still refused. When a withdrawal erased
stored answers, ``for`` is the hash of the pseudonym, so a withdrawal cut off
by a crash and tried again still counts every answer it erased.
"""

from __future__ import annotations

import json
import logging
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from consent_kit.store.base import ErasedSubmission, Response, SubmissionConflict, _field_names
from consent_kit.store.index_file import IndexFile
from consent_kit.store.journal import Journal
from consent_kit.store.response_index import ERASED, RESPONSE, ResponseIndex, id_hash

if TYPE_CHECKING:
    from consent_kit.store.sealing import Sealer

log = logging.getLogger(__name__)

_OPEN_BATCH = 256  # lines whose keys an export fetches together
#: Keys of the copies a response line may carry (see ``submissions``; never Response fields).
CONSENT_COPY, AUDIT_COPY = "consent", "audit"


#: Response's fields; a line holding exactly these (after ``kind``) becomes a Response directly.
_FIELDS = _field_names(Response)
#: Whether that shortcut gives what the dataclass would: a plain frozen dataclass with nothing
#: run at construction (no ``__post_init__``, no slots). Otherwise every line goes through from_record.
_DIRECT = not hasattr(Response, "__post_init__") and not hasattr(Response, "__slots__")
_new_response = object.__new__


def response_of(record: dict) -> Response:
    """``Response.from_record(record)``, 6 times faster for a plain line (an export reads millions).

    ``record`` may be changed (its ``kind`` is taken out). A line with any other
    key, or a missing one, goes through :meth:`Response.from_record` as before.
    """
    record.pop("kind", None)
    record.pop(CONSENT_COPY, None)  # copies a Send line carries (see submissions), never fields
    record.pop(AUDIT_COPY, None)
    if _DIRECT and len(record) == len(_FIELDS) and record.keys() == _FIELDS:
        response = _new_response(Response)
        response.__dict__.update(record)  # what the frozen dataclass's __init__ does, field by field
        return response
    return Response.from_record(record)


class ResponseLog:
    """Durable, idempotent storage of :class:`Response` records in one journal file."""

    def __init__(self, path: Path, sealer: Sealer | None = None):
        self.index = ResponseIndex(lambda offset: self.journal.text_at(offset, "id"),
                                   lambda offset: self.journal.text_at(offset, "pseudonym"))
        self.journal = Journal(path, self.index, what="your answers", index_file=IndexFile(path))
        # Seals answers with the participant's key (None: plain lines, for tests of the journal).
        self.sealer = sealer
        # Ids whose line was written but whose flush failed, so nobody was told
        # "Thank you": a retry that succeeds counts as the first (this process only).
        self.unconfirmed: set[str] = set()

    def add(self, response: Response) -> tuple[Response, bool]:
        """Append ``response`` unless its id is known; see :meth:`Store.add_response`."""
        with self.journal.locked():
            return self.add_locked(response)

    def add_locked(self, response: Response, carried: dict | None = None, *,
                   durable: bool = True) -> tuple[Response, bool]:
        """:meth:`add` for a caller that holds the journal's lock.

        ``carried`` adds keys to the line (copies of records kept elsewhere,
        which :meth:`Response.from_record` ignores); it must not name a
        Response field. ``durable=False``: the caller flushes with
        ``journal.flush`` before telling anyone the answers are stored.
        """
        _check(response)
        record = {"kind": RESPONSE, **response.to_record()}
        if id_hash(response.id) in self.index.erased:
            raise ErasedSubmission()
        offset = self.index.offsets.get(response.id)
        if offset is None:
            line = self.sealer.seal_response(record) if self.sealer else record
            self.journal.append({**line, **carried} if carried else line, durable=durable)
            return response, True
        existing = self._read(offset)
        # Compare with what would have been stored, not the caller's objects: a
        # tuple in the answers is stored as a list and is still the same content.
        incoming = Response.from_record(json.loads(json.dumps(record)))
        if existing is not None and existing.same_content(incoming):
            return existing, False
        raise SubmissionConflict()

    def read_line(self, offset: int) -> dict | None:
        """The whole journal line at ``offset``, carried copies included (call under the lock)."""
        return self.journal.read_at(offset)

    def get(self, response_id: str) -> Response | None:
        """Return the stored response with this id, or ``None``."""
        with self.journal.locked():
            offset = self.index.offsets.get(response_id)
            return None if offset is None else self._read(offset)

    def by_pseudonym(self, pseudonym: str) -> list[Response]:
        """Return the responses carrying ``pseudonym`` ("" matches nothing)."""
        with self.journal.locked():
            # A line blanked by an erasure not yet in this index (a crash came between) reads as None.
            found = [self._read(offset) for offset in self.index.offsets_of(pseudonym)]
        return [r for r in found if r is not None]

    def count(self, survey_id: str | None = None) -> int:
        """Return the number of stored responses, from the index."""
        with self.journal.locked():
            if survey_id is None:
                return len(self.index.offsets)
            return self.index.count_of(survey_id)

    def iter(self, survey_id: str | None = None) -> Iterator[Response]:
        """Stream responses in stored order without holding the lock or the whole file.

        A survey with under a quarter of the answers is read line by line where
        its answers are (the index knows); otherwise the file is read through.
        """
        with self.journal.locked():
            mine = self.index.by_survey.get(survey_id) if survey_id is not None else None
            where = array("q", mine) if mine is not None and len(mine) * 4 < len(self.index.offsets) else None
        if survey_id is not None and mine is None:
            return
        lines = self.journal.records() if where is None else self.journal.records_at(where)
        batch: list[dict] = []
        for _offset, line in lines:
            if line.get("kind") != RESPONSE:
                continue
            if survey_id is None or line.get("survey_id") == survey_id:
                batch.append(line)
                if len(batch) >= _OPEN_BATCH:
                    yield from self._open_batch(batch)
                    batch = []
        yield from self._open_batch(batch)

    def _open_batch(self, lines: list[dict]) -> Iterator[Response]:
        # Keys are fetched for a batch of lines at once: one lock, not one per answer.
        records = self.sealer.open_responses(lines) if self.sealer and lines else lines
        for record in records:
            yield response_of(record)

    def erase(self, response_ids: Iterable[str], *, pseudonym: str = "") -> int:
        """Erase these responses in place (:meth:`Journal.erase_in_place`) and tombstone their ids.

        With ``pseudonym`` (a withdrawal) a damaged line that mentions it is
        erased too, and the tombstones of stored answers carry its hash (see
        :meth:`erased_for`). A stored answer's tombstone also says where its
        line was and its survey, so every process's index drops it. Returns how
        many stored responses were erased.
        """
        targets = {i for i in response_ids if isinstance(i, str) and i}
        with self.journal.locked() as journal:
            lines = {i: self.index.offsets.get(i) for i in targets}
            lines = {i: (offset, self.journal.read_at(offset) or {}) for i, offset in lines.items()
                     if offset is not None}
            # Ids not stored yet are tombstoned too: a withdrawn participant's
            # queued retry must not arrive after the erasure and stick.
            extra = []
            for response_id in sorted(targets):
                digest = id_hash(response_id)
                if digest in self.index.erased:
                    continue
                record = {"kind": ERASED, "id_sha256": digest}
                if response_id in lines:
                    offset, line = lines[response_id]
                    # Where its line was and its survey (never what it said), so every
                    # process's index drops it.
                    record.update({"at": offset, "survey_id": str(line.get("survey_id"))})
                    if pseudonym:
                        record["for"] = id_hash(pseudonym)
                extra.append(record)
            damaged = journal.damaged_mentioning([*lines, pseudonym] if pseudonym else list(lines))
            if lines or damaged or self.index.unfinished:
                journal.erase_in_place([offset for offset, _ in lines.values()] + damaged, extra)
            else:
                for record in extra:
                    journal.append(record)
        return len(lines)

    def erased_for(self, pseudonym: str) -> int:
        """How many stored answers withdrawals of ``pseudonym`` have erased, ever."""
        with self.journal.locked():
            return self.index.erased_for.get(id_hash(pseudonym), 0)

    def damaged_lines(self) -> int:
        """How many damaged lines the journal holds (skipped when reading, kept for repair by hand)."""
        with self.journal.locked():
            return len(self.journal.damaged)

    def close(self) -> None:
        """Close the journal file."""
        self.journal.close()

    def _read(self, offset: int) -> Response | None:
        line = self.journal.read_at(offset)
        if line is not None and line.get("kind") != RESPONSE:
            return None  # blanked (an index another process has yet to tell of the erasure)
        record = self._open(line)
        return None if record is None else Response.from_record(record)

    def _open(self, line: dict | None) -> dict | None:
        """The response record of a line (answers unsealed); None if damaged or its key is gone."""
        if line is None or self.sealer is None:
            return line
        return self.sealer.open_response(line)


def _check(response: Response) -> None:
    # The id arrives from a form field, so it is checked like any input;
    # it is never used to build a path.
    if not isinstance(response.id, str) or not 0 < len(response.id) <= 128:
        raise ValueError("response.id must be a non-empty string of at most 128 characters")
    if not isinstance(response.answers, dict) or not isinstance(response.meta, dict):
        raise ValueError("response.answers and response.meta must be dicts")
