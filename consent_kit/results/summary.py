"""A survey's results: counts by day and by group, and a summary of every question.

Pure logic (no Flask). :func:`summarise` reads the responses once, as a
stream, and keeps only counts (and a capped list of written answers), so a
large survey costs little memory.

Small numbers are hidden to protect people in small groups: a count under
``min_group`` (5 by default) is shown as "fewer than 5". When exactly one
count in a table is hidden, the next smallest is hidden too, so the hidden
one can't be worked out by taking the others from the total. A filtered
view with fewer than ``min_group`` responses shows nothing at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from babel import Locale, UnknownLocaleError

from consent_kit.plugin_calls import Breakdown
from consent_kit.results.dictionary import answer_choices
from consent_kit.results.filters import Filters, filters_from, parse_day  # noqa: F401 (re-exported)
from consent_kit.survey.model import PREFER_NOT_TO_SAY, Question, Survey
from consent_kit.survey.piping import STAND_IN, stand_in

log = logging.getLogger(__name__)

#: Counts under this are shown as "fewer than 5" unless the settings say otherwise.
DEFAULT_MIN_GROUP = 5
#: How many written answers a question lists at most (the export has them all).
DEFAULT_TEXT_LIMIT = 500
#: Above this many days, counts over time are shown by month.
MAX_DAYS = 62
NUMBER_TYPES = ("number",)
DATE_TYPES = ("date",)
#: Every answer counted.
NO_FILTERS = Filters()


@dataclass(frozen=True)
class Cell:
    """One row of a table (and one bar of its chart); ``hidden`` counts are shown as "fewer than N"."""

    key: str
    label: str
    count: int
    percent: float | None
    hidden: bool


@dataclass(frozen=True)
class Tally:
    """Counts of answers or groups, with small numbers already hidden.

    ``base`` is what the percentages are of (for example the people who
    answered the question); ``base_hidden`` when it is small itself.
    """

    cells: tuple[Cell, ...]
    base: int
    base_hidden: bool


@dataclass(frozen=True)
class NumberSummary:
    """A summary of number answers that does not point at any one person (no lowest or highest).

    A figure is None when it would come from fewer than ``min_group`` people: the
    median needs that many on each side of it, the middle half that many in each
    quarter (issue 14, §6). The mean is None when every count it comes from is hidden.
    """

    count: int
    mean: float | None
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None


@dataclass
class QuestionSummary:
    """What a question's answers add up to. ``kind`` is choices, scale, number, date or text."""

    question: Question
    kind: str
    answered: int = 0
    skipped: int = 0
    tally: Tally | None = None
    numbers: NumberSummary | None = None
    texts: list[str] = field(default_factory=list)
    texts_total: int = 0
    hidden: bool = False
    #: The question's words as a heading: an earlier answer in them as "[answer to club]".
    title: str = ""

    def __post_init__(self):
        self.title = self.title or stand_in(self.question.label)


@dataclass
class Results:
    """Everything a results page shows. ``hidden`` when too few responses match to show any."""

    survey: Survey
    filters: Filters
    min_group: int
    total: int = 0
    #: How many of ``total`` are made-up sample answers (``consent-kit sample-answers``).
    samples: int = 0
    hidden: bool = False
    over_time: Tally | None = None
    over_time_unit: str = "day"
    breakdowns: list[tuple[Breakdown, Tally]] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)
    questions: list[QuestionSummary] = field(default_factory=list)


# -- hiding small numbers -------------------------------------------------------------------


def hidden_counts(counts: list[int], min_group: int = DEFAULT_MIN_GROUP) -> list[bool]:
    """Which counts to hide: those under ``min_group``, plus one more when only one is hidden.

    Hiding a second count stops anyone working the first out from the total.
    """
    hidden = [count < min_group for count in counts]
    if hidden.count(True) == 1 and len(counts) > 1:
        shown = [i for i, h in enumerate(hidden) if not h]
        hidden[min(shown, key=lambda i: counts[i])] = True
    return hidden


def make_tally(counts: Mapping[str, int], labels: Mapping[str, str], base: int,
               min_group: int = DEFAULT_MIN_GROUP) -> Tally:
    """A :class:`Tally` of ``counts`` in the order of ``labels`` (keys missing there come last)."""
    keys = list(labels) + [k for k in counts if k not in labels]
    values = [counts.get(k, 0) for k in keys]
    hide = hidden_counts(values, min_group)
    cells = tuple(
        Cell(key, labels.get(key, key), value,
             None if hidden or not base else round(100 * value / base, 1), hidden)
        for key, value, hidden in zip(keys, values, hide, strict=True)
    )
    return Tally(cells, base, base < min_group)


# -- breakdowns -----------------------------------------------------------------------------


def language_name(code: str) -> str:
    """A language's name in itself ("Cymraeg" for "cy"), or the code if it is not known."""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name() or code
    except (UnknownLocaleError, ValueError, TypeError):
        return code


def core_breakdowns(words: Mapping[str, str]) -> list[Breakdown]:
    """The core's ways to split results: where people came from, and language.

    ``words`` gives the labels in the reader's language: ``source``,
    ``language`` and ``link`` (the group of people who used the plain link).
    """
    link = words.get("link", "The survey link")
    return [
        Breakdown("source", words.get("source", "Where people came from"),
                  lambda response: response.source or link),
        Breakdown("language", words.get("language", "Language"),
                  lambda response: language_name(str(response.meta.get("language") or ""))),
    ]


def merge_breakdowns(core: list[Breakdown], plugins: list[Breakdown]) -> list[Breakdown]:
    """Core breakdowns then plugins' ones; a plugin's breakdown replaces the core's of the same id.

    A plugin knows more (a QR plugin names "Library poster" where the core only has its code).
    """
    theirs = {b.id for b in plugins}
    return [b for b in core if b.id not in theirs] + list(plugins)


def group_of(breakdown: Breakdown, response) -> str:
    """The group a response belongs to in ``breakdown`` ("" when not known, or when it fails)."""
    try:
        return str(breakdown.value_of(response) or "")
    except Exception:
        # A plugin's mistake must not stop the results page: count the response as "not known".
        log.exception("Breakdown %r failed on a response", breakdown.id)
        return ""


# -- one pass over the responses ----------------------------------------------------------


def question_kind(question: Question) -> str:
    """How a question's answers are summarised: choices, scale, number, date or text."""
    if question.type == "scale":
        return "scale"
    if answer_choices(question):
        return "choices"
    if question.type in NUMBER_TYPES:
        return "number"
    if question.type in DATE_TYPES:
        return "date"
    return "text"


class _QuestionCounter:
    """Counts one question's answers as responses stream past."""

    def __init__(self, question: Question, text_limit: int):
        self.question, self.kind, self.text_limit = question, question_kind(question), text_limit
        self.values: Counter = Counter()
        self.answered = self.skipped = 0
        self.texts: list[str] = []

    def add(self, answer) -> None:
        if answer in (None, "", []):
            self.skipped += 1
            return
        self.answered += 1
        if answer == PREFER_NOT_TO_SAY and self.kind in ("text", "date"):
            self.values[PREFER_NOT_TO_SAY] += 1
        elif self.kind == "text":
            if len(self.texts) < self.text_limit:
                self.texts.append(str(answer))
            self.values["text"] += 1
        elif self.kind == "date":
            self.values[str(answer)[:7]] += 1
        else:
            for value in answer if isinstance(answer, list) else [answer]:
                self.values[str(value) if self.kind != "number" else value] += 1


def summarise(survey: Survey, responses: Iterable, *, breakdowns: Iterable[Breakdown] = (),
              filters: Filters = NO_FILTERS, min_group: int = DEFAULT_MIN_GROUP,
              text_limit: int = DEFAULT_TEXT_LIMIT, words: Mapping[str, str] | None = None
              ) -> Results:
    """Read ``responses`` once and return the :class:`Results` of ``survey`` through ``filters``.

    ``words`` gives labels in the reader's language (see :func:`question_summary`).
    """
    words = words or {}
    breakdowns = list(breakdowns)
    split = next((b for b in breakdowns if b.id == filters.split), None)
    group_counts = {b.id: Counter() for b in breakdowns}
    days: Counter[str] = Counter()
    counters = [_QuestionCounter(q, text_limit) for q in survey.questions if q.type != "info"]
    total = samples = 0
    for response in responses:
        if not filters.by_date(response):
            continue
        groups = {b.id: group_of(b, response) for b in breakdowns}
        for breakdown_id, group in groups.items():
            group_counts[breakdown_id][group] += 1
        if split is not None and groups[split.id] != filters.group:
            continue
        total += 1
        samples += response.source == "sample" or bool(response.meta.get("sample"))
        days[response.submitted_at[:10]] += 1
        for counter in counters:
            counter.add(response.answers.get(counter.question.id))
    return finish(Results(survey, filters, min_group, total=total, samples=samples), days,
                  group_counts, breakdowns, counters, words)


def finish(results: Results, days: Counter, group_counts: Mapping[str, Counter],
           breakdowns: list[Breakdown], counters: list, words: Mapping[str, str]) -> Results:
    """Turn the counts of a pass (or of kept tallies) into what the page shows, small numbers hidden."""
    total, min_group = results.total, results.min_group
    results.groups = {b.id: sorted(g for g in group_counts[b.id] if g) for b in breakdowns}
    if total < min_group:
        results.hidden = True
        return results
    not_known = words.get("not_known", "Not known")
    for breakdown in breakdowns:
        counts = group_counts[breakdown.id]
        labels = {g: g or not_known for g in sorted(counts, key=lambda g: (g == "", g))}
        results.breakdowns.append((breakdown, make_tally(counts, labels, sum(counts.values()),
                                                         min_group)))
    results.over_time_unit, results.over_time = _over_time(days, total, min_group)
    results.questions = [question_summary(c, min_group, words) for c in counters]
    return results


def _over_time(days: Counter, total: int, min_group: int) -> tuple[str, Tally]:
    """Responses per day with every day in between (a day with none is a count too), or by month."""
    if not days:
        return "day", make_tally({}, {}, total, min_group)
    first, last = dt.date.fromisoformat(min(days)), dt.date.fromisoformat(max(days))
    if (last - first).days < MAX_DAYS:
        span = [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
        return "day", make_tally(days, {d: d for d in span}, total, min_group)
    months: Counter[str] = Counter()
    for day, count in days.items():
        months[day[:7]] += count
    return "month", make_tally(months, {m: m for m in sorted(months)}, total, min_group)


def question_summary(counter: _QuestionCounter, min_group: int,
                     words: Mapping[str, str]) -> QuestionSummary:
    """Turn one question's counts into what the page shows, with small numbers hidden.

    ``words["prefer_not_to_say"]`` labels that answer in the reader's language;
    ``words["answer_to"]`` is "[answer to %(name)s]" in it, for an earlier answer in the title.
    """
    question = counter.question
    summary = QuestionSummary(question, counter.kind, counter.answered, counter.skipped,
                              title=stand_in(question.label, words.get("answer_to", STAND_IN)))
    if counter.answered < min_group:
        summary.hidden = True
        return summary
    if counter.kind in ("choices", "scale"):
        labels = {c.value: c.label for c in answer_choices(question)}
        if PREFER_NOT_TO_SAY in labels:
            labels[PREFER_NOT_TO_SAY] = words.get("prefer_not_to_say", labels[PREFER_NOT_TO_SAY])
        summary.tally = make_tally(counter.values, labels, counter.answered, min_group)
        if counter.kind == "scale":
            summary.numbers = _number_summary(
                Counter({int(k): v for k, v in counter.values.items() if k.lstrip("-").isdigit()}),
                min_group)
            if summary.numbers and all(c.hidden for c in summary.tally.cells):
                # Every count is "fewer than 5": an average of them would say what they hide.
                summary.numbers = replace(summary.numbers, mean=None)
    elif counter.kind == "number":
        summary.numbers = _number_summary(
            Counter({k: v for k, v in counter.values.items() if isinstance(k, int | float)}),
            min_group)
    elif counter.kind == "date":
        labels = {m: m for m in sorted(counter.values) if m != PREFER_NOT_TO_SAY}
        if counter.values[PREFER_NOT_TO_SAY]:
            labels[PREFER_NOT_TO_SAY] = words.get("prefer_not_to_say", "Prefer not to say")
        summary.tally = make_tally(counter.values, labels, counter.answered, min_group)
    else:
        # Sorted, not in the order they came: the order must not tie an answer to a time.
        summary.texts = sorted(counter.texts, key=str.casefold)
        summary.texts_total = counter.values["text"]
    return summary


def _number_summary(values: Counter, min_group: int) -> NumberSummary | None:
    """Average, middle and middle half of numbers given as value -> how many gave it."""
    count = sum(values.values())
    if count < min_group:
        return None
    ordered = sorted(values.items())

    def at(position: float) -> float:
        # The value at a 0-based position in the sorted answers, between two when it falls between.
        low, high = int(position), min(int(position) + 1, count - 1)
        return _nth(ordered, low) + (_nth(ordered, high) - _nth(ordered, low)) * (position - low)

    mean = statistics.fsum(v * n for v, n in ordered) / count
    # Each half (for the median) and each quarter (for the middle half) must be a group
    # of at least min_group people; otherwise the figure is one or two people's answers.
    median = at((count - 1) / 2) if count // 2 >= min_group else None
    quarters = count // 4 >= min_group
    return NumberSummary(count, round(mean, 2), median,
                         at((count - 1) / 4) if quarters else None,
                         at(3 * (count - 1) / 4) if quarters else None)


def _nth(ordered: list[tuple[float, int]], index: int) -> float:
    seen = 0
    for value, times in ordered:
        seen += times
        if index < seen:
            return value
    return ordered[-1][0]
