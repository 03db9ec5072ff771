"""What each process knows about ``responses.jsonl``: the response index (a journal follower).

Submission id (by its hash) -> where its line is, survey -> where its answers' lines
are (in the file's order), sender (by the hash of their pseudonym) -> their lines,
and the hashes of erased ids. Fed every line by the journal (see
:class:`~consent_kit.store.responses.ResponseLog`, which keeps the file), and kept on
disk as ``responses.index`` (:meth:`ResponseIndex.snapshot`, :meth:`ResponseIndex.restore`).
"""

from __future__ import annotations

import hashlib
import heapq
import logging
from array import array
from collections import Counter
from collections.abc import Iterator

import orjson

from consent_kit.store.journal_blank import BLANKED
from consent_kit.store.offset_table import OffsetTable

log = logging.getLogger(__name__)

RESPONSE, ERASED = "response", "erased"


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
            lines = next((lines for lines in self.by_survey.values() if at in lines), None)
        if lines is not None:
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


def _offsets(kept) -> tuple[int, ...]:
    """A sender's offsets as kept in an index file (a list of two or more)."""
    if not (isinstance(kept, list) and len(kept) > 1 and all(type(o) is int for o in kept)):
        raise ValueError("its lists of answers are of another kind")
    return tuple(kept)
