"""Results that don't re-read every answer: counts kept up to date as answers arrive and are erased.

A survey's *tally* holds what the results page counts, and nothing it doesn't:
how many answers (and how many are samples), answers per day, per place people
came from and language, and per question how many answered or skipped it and
how many gave each choice, scale point, number (a histogram, from which the
median and middle half come), month of a date, or wrote something. Never the
written answers themselves: the page reads those from the store (the first
500 of each question, as before), so a withdrawal never leaves words behind.

It is kept in ``store.documents("summaries")``, so every backend has it, and
rebuilt from the answers whenever it can't be trusted: none kept, a different
set of questions, or a total that is not the store's count (answers added or
erased some other way, such as a script, or a process that stopped before it
counted what it had). Sample answers are counted in and out as they are made
and removed (:mod:`consent_kit.results.sample_tally`).

New answers (``response_submitted``) are counted in batches, about once a
second per server process, in one read-change-write each: writing the tally
with every answer took 24 ms on this machine's disk, more than the answer
itself. A withdrawal (``erase_participant_data``) counts the person's answers
out at once, reading them before the store erases them. A results view first
counts in its own process's waiting answers; when the tally is a few answers
behind because other processes are still counting theirs in, it is shown as
it is (a second behind) rather than read again from every answer.

The results page uses it for the view of every answer; a view with dates or a
group chosen reads the answers, as before. Breakdowns are worked out from where
people came from and their language (what the core's and the QR plugin's use).
"""

from __future__ import annotations

import atexit
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping

from consent_kit.hookspecs import hookimpl
from consent_kit.plugin_calls import Breakdown
from consent_kit.results.summary import (
    DEFAULT_MIN_GROUP,
    DEFAULT_TEXT_LIMIT,
    Filters,
    Results,
    _QuestionCounter,
    finish,
    group_of,
)
from consent_kit.store.base import Response
from consent_kit.survey.model import PREFER_NOT_TO_SAY, Survey

TABLE = "summaries"
#: Seconds between counting a process's new answers into the kept tally.
FLUSH_SECONDS = 1.0
#: A view waits for other processes' batches only when the tally is at most this many behind.
CATCH_UP_ANSWERS = 2_000
#: Changes when what a tally holds changes: an older one is rebuilt.
FORMAT = 1
_SEP = "\x1f"  # between source and language in an origin key


def empty_tally(survey: Survey) -> dict:
    """A tally of no answers, with a slot for each question that takes one."""
    return {"survey_id": survey.id, "format": FORMAT, "total": 0, "samples": 0, "days": {},
            "origins": {}, "questions": {q.id: {"answered": 0, "skipped": 0, "values": {}}
                                         for q in survey.questions if q.type != "info"},
            "kinds": {q.id: _QuestionCounter(q, 0).kind for q in survey.questions if q.type != "info"}}


def _bump(counts: dict, key: str, by: int) -> None:
    value = counts.get(key, 0) + by
    if value:
        counts[key] = value
    else:
        counts.pop(key, None)  # nothing left: no trace of the key


def _value_key(value) -> str:
    """A JSON key for a counted value: numbers keep their type ("n:3", "n:2.5")."""
    return f"n:{value!r}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def _value_of(key: str):
    if key.startswith("n:"):
        number = key[2:]
        return float(number) if any(c in number for c in ".eEn") else int(number)
    return key


def count(tally: dict, response: Response, by: int = 1) -> None:
    """Add a response to ``tally`` (``by=1``) or take it away (``by=-1``), in place."""
    tally["total"] += by
    tally["samples"] += by if (response.source == "sample" or response.meta.get("sample")) else 0
    _bump(tally["days"], response.submitted_at[:10], by)
    _bump(tally["origins"], f"{response.source}{_SEP}{response.meta.get('language') or ''}", by)
    for question_id, slot in tally["questions"].items():
        counter = _QuestionCounter.__new__(_QuestionCounter)
        counter.kind, counter.text_limit, counter.texts = tally["kinds"][question_id], 0, []
        counter.values, counter.answered, counter.skipped = Counter(), 0, 0
        counter.add(response.answers.get(question_id))
        slot["answered"] += by * counter.answered
        slot["skipped"] += by * counter.skipped
        for value, times in counter.values.items():
            _bump(slot["values"], _value_key(value), by * times)


def tally_of(survey: Survey, responses: Iterable[Response]) -> dict:
    """A tally of ``responses``, counted from scratch."""
    counting = Counting(survey)
    for response in responses:
        counting.add(response)
    return counting.tally()


def add_tally(into: dict, part: dict, by: int = 1) -> None:
    """Add the tally ``part`` to ``into`` (``by=1``) or take it away (``by=-1``), in place.

    Both must be of the same questions. Taking away a tally that was added leaves
    exactly what a recount of the rest would give (no key with a count of 0).
    """
    into["total"] += by * part["total"]
    into["samples"] += by * part["samples"]
    for field in ("days", "origins"):
        for key, times in part[field].items():
            _bump(into[field], key, by * times)
    for question_id, slot in part["questions"].items():
        mine = into["questions"][question_id]
        mine["answered"] += by * slot["answered"]
        mine["skipped"] += by * slot["skipped"]
        for key, times in slot["values"].items():
            _bump(mine["values"], key, by * times)


class Counting:
    """Counts many responses quickly (a million sample answers): the same tally as :func:`count`.

    :func:`count` makes a counter per question per response (23 µs an answer
    here); this keeps one set of counters for the lot and makes the tally once.
    """

    def __init__(self, survey: Survey):
        self._empty = empty_tally(survey)
        self._kinds = list(self._empty["kinds"].items())
        self.total = self.samples = 0
        self.days, self.origins = Counter(), Counter()
        self.answered, self.skipped = Counter(), Counter()
        self.values = {question_id: Counter() for question_id, _ in self._kinds}

    def add(self, response: Response) -> None:
        """Count one response in."""
        self.total += 1
        meta = response.meta
        self.samples += response.source == "sample" or bool(meta.get("sample"))
        self.days[response.submitted_at[:10]] += 1
        self.origins[f"{response.source}{_SEP}{meta.get('language') or ''}"] += 1
        answers = response.answers
        for question_id, kind in self._kinds:
            answer = answers.get(question_id)
            if answer in (None, "", []):
                self.skipped[question_id] += 1
                continue
            self.answered[question_id] += 1
            self._value(self.values[question_id], kind, answer)

    @staticmethod
    def _value(values: Counter, kind: str, answer) -> None:
        # As _QuestionCounter.add, with the tally's keys made at once (1 and 1.0 stay apart).
        if answer == PREFER_NOT_TO_SAY and kind in ("text", "date"):
            values[PREFER_NOT_TO_SAY] += 1
        elif kind == "text":
            values["text"] += 1
        elif kind == "date":
            values[str(answer)[:7]] += 1
        else:
            for value in answer if isinstance(answer, list) else (answer,):
                values[_value_key(value) if kind == "number" else str(value)] += 1

    def tally(self) -> dict:
        """What has been counted, as a tally."""
        tally = {**self._empty, "total": self.total, "samples": self.samples,
                 "days": dict(self.days), "origins": dict(self.origins)}
        tally["questions"] = {question_id: {"answered": self.answered[question_id],
                                            "skipped": self.skipped[question_id],
                                            "values": dict(self.values[question_id])}
                              for question_id, _ in self._kinds}
        return tally


def fits(tally: dict | None, survey: Survey, stored: int) -> bool:
    """Whether a kept tally can stand for ``survey``'s ``stored`` answers."""
    return (tally is not None and tally.get("format") == FORMAT and tally.get("total") == stored
            and tally.get("kinds") == empty_tally(survey)["kinds"])


def current_tally(store, survey: Survey) -> dict:
    """The survey's kept tally, rebuilt from its answers (and kept) when it can't be trusted.

    While answers are arriving, other server processes may not have counted in their last
    second's batch yet: a tally at most :data:`CATCH_UP_ANSWERS` behind, with a batch counted
    in within the last two seconds, is used as it is (a second behind), not rebuilt.
    """
    PENDING.flush()
    kept = store.documents(TABLE).get(survey_id=survey.id)
    stored = store.count_responses(survey.id)
    if fits(kept, survey, stored) or _catching_up(kept, survey, stored):
        return kept
    return rebuild(store, survey)


def _catching_up(kept: dict | None, survey: Survey, stored: int) -> bool:
    return (kept is not None and fits(kept, survey, kept.get("total"))
            and time.time() < kept.get("busy_until", 0) and 0 < stored - kept["total"] <= CATCH_UP_ANSWERS)


def rebuild(store, survey: Survey) -> dict:
    """Count ``survey``'s answers again and keep the tally (after sample answers, say)."""
    fresh = tally_of(survey, store.iter_responses(survey.id))
    store.documents(TABLE).put(fresh, survey_id=survey.id)
    return fresh


def update(store, survey: Survey, responses: Iterable[Response], by: int) -> None:
    """Count responses in (``by=1``) or out (``-1``) of their survey's kept tally, in one atomic step.

    A tally for another set of questions is left alone: the next view rebuilds it.
    """
    kinds = empty_tally(survey)["kinds"]
    responses = list(responses)

    def change(tally: dict) -> None:
        if tally.get("format") == FORMAT and tally.get("kinds") == kinds:
            for response in responses:
                count(tally, response, by)
            if by > 0:
                tally["busy_until"] = time.time() + 2 * FLUSH_SECONDS

    store.documents(TABLE).modify(change, survey_id=survey.id)


class Pending:
    """New answers waiting to be counted in, per store and survey; a thread counts them each second."""

    def __init__(self):
        self._lock = threading.Lock()
        self._waiting: dict[tuple, tuple] = {}  # (id of store, survey id) -> (store, survey, [responses])
        self._thread: threading.Thread | None = None

    def add(self, store, survey: Survey, response: Response) -> None:
        """Keep ``response`` to be counted in with the next batch."""
        with self._lock:
            entry = self._waiting.setdefault((id(store), survey.id), (store, survey, []))
            entry[2].append(response)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="results-tally", daemon=True)
                self._thread.start()

    def flush(self) -> None:
        """Count every waiting answer in now."""
        with self._lock:
            batches, self._waiting = list(self._waiting.values()), {}
        for store, survey, responses in batches:
            try:
                update(store, survey, responses, 1)
            except Exception as error:  # never lose the app over a tally: the next view rebuilds it
                import logging

                logging.getLogger(__name__).warning("Could not count %d new answers into the results "
                                                    "(the next view counts them again): %s",
                                                    len(responses), error)

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            self.flush()


PENDING = Pending()
atexit.register(PENDING.flush)


def results_from_tally(survey: Survey, tally: dict, texts: Iterable[Response], *,
                       breakdowns: Iterable[Breakdown] = (), min_group: int = DEFAULT_MIN_GROUP,
                       text_limit: int = DEFAULT_TEXT_LIMIT, words: Mapping[str, str] | None = None
                       ) -> Results:
    """The results of every answer from a tally, as :func:`summarise` would give them.

    ``texts`` are the survey's responses in stored order: only read until each
    written-answer question has ``text_limit`` answers.
    """
    breakdowns = list(breakdowns)
    counters = []
    for question in (q for q in survey.questions if q.type != "info"):
        slot = tally["questions"][question.id]
        counter = _QuestionCounter(question, text_limit)
        counter.answered, counter.skipped = slot["answered"], slot["skipped"]
        counter.values = Counter()
        for key, times in slot["values"].items():
            # Added up: "n:0" and "n:0.0" are kept apart but are one number (0 == 0.0).
            counter.values[_value_of(key)] += times
        counters.append(counter)
    _read_texts([c for c in counters if c.kind == "text"], texts, text_limit)
    group_counts = {b.id: Counter() for b in breakdowns}
    for origin, times in tally["origins"].items():
        source, _, language = origin.partition(_SEP)
        stand_in = Response("", survey.id, "", {}, "", "", source=source, meta={"language": language})
        for breakdown in breakdowns:
            group_counts[breakdown.id][group_of(breakdown, stand_in)] += times
    results = Results(survey, Filters(), min_group, total=tally["total"], samples=tally["samples"])
    return finish(results, Counter(tally["days"]), group_counts, breakdowns, counters, words or {})


def _read_texts(counters: list, responses: Iterable[Response], limit: int) -> None:
    """The first ``limit`` written answers of each text question, reading no further than needed."""
    def enough() -> bool:
        return all(len(c.texts) >= min(limit, c.values.get("text", 0)) for c in counters)

    if enough():  # no written answers yet (or no question asks for one): nothing to read
        return
    for response in responses:
        for counter in counters:
            answer = response.answers.get(counter.question.id)
            if len(counter.texts) < limit and answer not in (None, "", [], "prefer_not_to_say"):
                counter.texts.append(str(answer))
        if enough():
            return


# -- kept up to date (a default plugin: see consent_kit/plugins.py) -------------------------


@hookimpl
def response_submitted(response, survey, kit):
    """Count the new answers in, with this process's next batch."""
    PENDING.add(kit.store, survey, response)


@hookimpl
def erase_participant_data(response_ids, kit):
    """Count a withdrawing person's answers out now, reading them before the store erases them."""
    PENDING.flush()  # their answers may be waiting to be counted in
    try:
        for response_id in response_ids:
            response = kit.store.get_response(response_id)
            survey = kit.catalog.get(response.survey_id) if response is not None else None
            if survey is not None:
                update(kit.store, survey, [response], -1)
    except Exception as error:
        # Not a failure to erase: a tally holds counts, never words, and one that no longer
        # matches the store's count is read again from the answers at the next view.
        import logging

        logging.getLogger(__name__).warning("Could not count withdrawn answers out of the results "
                                            "(the next view counts them again): %s", error)
