"""Responses on a :class:`~consent_kit.store.journal.Journal`, with an in-memory index.

Each process keeps an index built from the journal: submission id -> byte
offset, counts per survey, pseudonym -> the offsets of their answers, and
the hashes of erased ids.
Before every check the journal feeds it whatever other processes appended
since, so an idempotency check costs O(new lines), never O(all responses).
The ids are kept as 64-bit hashes in flat arrays (:mod:`.offset_table`), and
the index is kept on disk too (``responses.index``, :mod:`.index_file`), so a
server with a million answers starts without reading them all again.

Journal lines are ``{"kind": "response", ...Response fields}`` (lines written
by "Send" also carry ``"consent"`` and ``"audit"`` copies, see ``submissions``)
and ``{"kind": "erased", "id_sha256": "...", "for": "..."}``. A tombstone holds
only the hash of the id, so nothing about the erased answers remains, yet a
phone retrying the same submission is still refused. When a withdrawal erased
stored answers, ``for`` is the hash of the pseudonym, so a withdrawal cut off
by a crash and tried again still counts every answer it erased.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import logging
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from consent_kit.store.base import ErasedSubmission, Response, SubmissionConflict, _field_names
from consent_kit.store.index_file import IndexFile
from consent_kit.store.journal import Journal
from consent_kit.store.journal_blank import BLANKED
from consent_kit.store.offset_table import OffsetTable

if TYPE_CHECKING:
    from consent_kit.store.sealing import Sealer

log = logging.getLogger(__name__)

RESPONSE, ERASED = "response", "erased"
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


def id_hash(response_id: str) -> str:
    """Return the tombstone form of a submission id (sha256, hex)."""
    return hashlib.sha256(response_id.encode("utf-8")).hexdigest()


class ResponseIndex:
    """What one process knows about the journal; fed by the journal (a Follower)."""

    #: The only fields :meth:`apply` takes from a line (so the journal decodes them faster, see
    #: ``lines.loads_reading``); ``consent`` is only looked for. Add to it when apply reads more.
    reads = ("kind", "id", "survey_id", "pseudonym", "id_sha256", "for", "at", BLANKED)

    def __init__(self, read_id=None, read_pseudonym=None) -> None:
        #: The id of the line at an offset, to tell apart ids whose hashes are equal (see OffsetTable).
        self.read_id = read_id or (lambda offset: None)
        #: The pseudonym of the line at an offset, likewise for senders.
        self.read_pseudonym = read_pseudonym or (lambda offset: None)
        self.reset()

    def reset(self) -> None:
        """Forget everything before a replay from the start of the file."""
        self.offsets = OffsetTable(self._read_id)
        # Survey -> where its answers' lines are, in the file's order (8 bytes an answer): a survey's
        # answers are read without going through every other survey's (see ResponseLog.iter).
        self.by_survey: dict[str, array] = {}
        # Sender -> where their first answers' line is, by the pseudonym's hash (flat arrays, about
        # 40 bytes a sender, no pseudonym kept); and for the few with more, first line -> all of them.
        self.senders = OffsetTable(self._read_pseudonym)
        self.more: dict[int, tuple[int, ...]] = {}
        self.erased: set[str] = set()
        self.erased_for: Counter[str] = Counter()  # pseudonym hash -> stored answers erased
        self.unfinished: set[int] = set()  # erased lines not yet blank (a crash came in between)

    def apply(self, record: dict, offset: int) -> None:
        """Index one journal record. Unknown kinds are ignored (written by a newer version)."""
        kind = record.get("kind")
        if kind == RESPONSE:  # nearly every line: its indexing inlined (a rebuild does it a million times)
            response_id = record.get("id")
            if type(response_id) is not str or not self.offsets.add_new(response_id, offset):
                # Cannot happen through add_response (it checks under the lock);
                # keep the first copy so reads stay consistent with what was acknowledged.
                log.warning("Ignoring a duplicate or id-less response line at byte %d", offset)
                return
            survey = str(record.get("survey_id"))
            lines = self.by_survey.get(survey)
            if lines is None:
                lines = self.by_survey[survey] = array("q")
            lines.append(offset)
            pseudonym = record.get("pseudonym")
            if pseudonym and type(pseudonym) is str:
                first = self.senders.held_or_added(pseudonym, offset)
                if first is not None:  # another line of someone who sent before
                    self.more[first] = self.more.get(first, (first,)) + (offset,)
        elif kind == BLANKED:
            self.unfinished.difference_update(record.get(BLANKED) or ())
        elif kind == ERASED:
            digest = str(record.get("id_sha256"))
            if record.get("for") and digest not in self.erased:
                self.erased_for[str(record["for"])] += 1
            self.erased.add(digest)
            at = record.get("at")  # where the erased line was (an erasure in place blanked it)
            if type(at) is int and self.offsets.discard(at):
                self._drop_from_survey(str(record.get("survey_id")), at)
                self.unfinished.add(at)  # until the line is blank (see Journal.erase_in_place)
                self._unlink(at)

    @property
    def counts(self) -> dict[str, int]:
        """How many answers each survey has."""
        return {survey: len(lines) for survey, lines in self.by_survey.items() if lines}

    def count_of(self, survey_id: str) -> int:
        """How many answers ``survey_id`` has."""
        return len(self.by_survey.get(survey_id, ()))

    def newest_first(self) -> Iterator[int]:
        """Every answer's offset, from the end of the file back (merged from the surveys' lists)."""
        return heapq.merge(*(reversed(lines) for lines in self.by_survey.values()), reverse=True)

    def _drop_from_survey(self, survey_id: str, at: int) -> None:
        lines = self.by_survey.get(survey_id)
        if lines is None or at not in lines:  # a tombstone naming another survey (made by hand)
            lines = next(lines for lines in self.by_survey.values() if at in lines)
        lines.remove(at)

    def offsets_of(self, pseudonym: str) -> tuple[int, ...]:
        """Where the lines of ``pseudonym``'s answers are, in the file's order."""
        first = self.senders.get(pseudonym)
        return () if first is None else self.more.get(first, (first,))

    def _unlink(self, at: int) -> None:
        """Take the erased line at ``at`` out of its sender's lines (the tombstone says where, not whose)."""
        held = self.more.pop(at, None)
        if held is not None:  # the first of several: the next one is where the sender is found now
            kept = held[1:]
            self.senders.move(at, kept[0])
            if len(kept) > 1:
                self.more[kept[0]] = kept
        elif not self.senders.discard(at):  # not a first line: one of someone's later ones
            first = next((f for f, lines in self.more.items() if at in lines), None)
            if first is not None:
                kept = tuple(o for o in self.more.pop(first) if o != at)
                if len(kept) > 1:
                    self.more[first] = kept

    def _read_id(self, offset: int) -> str | None:
        return self.read_id(offset)

    def _read_pseudonym(self, offset: int) -> str | None:
        return self.read_pseudonym(offset)

    # -- kept on disk (index_file) ---------------------------------------------------

    def snapshot(self) -> list[bytes]:
        """The index as byte strings: the two offset tables' columns, the surveys' lines, the rest as JSON."""
        # Surveys sorted, none without answers (an erasure in place can leave one empty; a full
        # reading never makes it): the same file either way.
        surveys = sorted(survey for survey, lines in self.by_survey.items() if lines)
        rest = {"surveys": [[survey, len(self.by_survey[survey])] for survey in surveys],
                "more": {str(first): lines for first, lines in self.more.items()},
                "erased": sorted(self.erased), "erased_for": dict(self.erased_for),
                "unfinished": sorted(self.unfinished)}
        lines = b"".join(self.by_survey[survey].tobytes() for survey in surveys)
        columns = [*self.offsets.columns(), *self.senders.columns()]
        rest_bytes = orjson.dumps(rest, option=orjson.OPT_SORT_KEYS)
        return [column.tobytes() for column in columns] + [lines, rest_bytes]

    def restore(self, parts: list[bytes]) -> None:
        """Take the index back from :meth:`snapshot`'s bytes; ``ValueError`` if they don't fit."""
        keys, offsets, sender_keys, sender_offsets, lines, rest = parts
        table = OffsetTable.from_columns(self._read_id, keys, offsets)
        senders = OffsetTable.from_columns(self._read_pseudonym, sender_keys, sender_offsets)
        state = orjson.loads(rest)
        every = array("q")
        every.frombytes(lines)
        if sum(int(n) for _, n in state["surveys"]) != len(every) or len(every) != len(table):
            raise ValueError("its counts don't match its answers")
        by_survey, start = {}, 0
        for survey, count in state["surveys"]:
            by_survey[str(survey)], start = every[start:start + int(count)], start + int(count)
        self.offsets, self.by_survey, self.senders = table, by_survey, senders
        self.more = {int(first): _offsets(lines) for first, lines in state["more"].items()}
        self.erased = {str(h) for h in state["erased"]}
        self.erased_for = Counter({str(k): int(v) for k, v in state["erased_for"].items()})
        self.unfinished = {int(o) for o in state["unfinished"]}


class ResponseLog:
    """Durable, idempotent storage of :class:`Response` records in one journal file."""

    def __init__(self, path: Path, sealer: Sealer | None = None):
        self.index = ResponseIndex(self._id_at, self._pseudonym_at)
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

    def _id_at(self, offset: int) -> str | None:
        """The id on the line at ``offset`` (under the lock; the index asks when two ids' hashes match)."""
        line = self.journal.read_at(offset)
        return line.get("id") if line else None

    def _pseudonym_at(self, offset: int) -> str | None:
        """The pseudonym on the line at ``offset`` (under the lock), to check a sender found by its hash."""
        line = self.journal.read_at(offset)
        return line.get("pseudonym") if line else None

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


def _offsets(kept) -> tuple[int, ...]:
    """A sender's offsets as kept in an index file (a list of two or more)."""
    if not (isinstance(kept, list) and len(kept) > 1 and all(type(o) is int for o in kept)):
        raise ValueError("its lists of answers are of another kind")
    return tuple(kept)


def _check(response: Response) -> None:
    # The id arrives from a form field, so it is checked like any input;
    # it is never used to build a path.
    if not isinstance(response.id, str) or not 0 < len(response.id) <= 128:
        raise ValueError("response.id must be a non-empty string of at most 128 characters")
    if not isinstance(response.answers, dict) or not isinstance(response.meta, dict):
        raise ValueError("response.answers and response.meta must be dicts")
