"""Adding and removing sample answers with the results page's kept counts right all along.

``consent-kit sample-answers`` used to leave the kept tally (see
:mod:`consent_kit.results.tallies`) to be rebuilt by reading every answer
again: 36 s for the first results view after a million samples. Here each
sample is counted as it is written, in the same pass that makes it, and each
step's counts are added to the kept tally in one atomic change, so the tally
matches the store after every step (a stopped run leaves a tally the next view
rebuilds, never a wrong one).

The samples' own counts are kept too, beside how many there are
(``sample_answers`` documents), so ``--remove`` takes them away without reading
anything. When those counts can't be trusted (samples made before they were
kept, or for other questions), removing falls back to a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from consent_kit.results.samples import SAMPLE_COUNTS, sample_count
from consent_kit.results.tallies import (
    FORMAT,
    TABLE,
    Counting,
    add_tally,
    current_tally,
    empty_tally,
    rebuild,
)
from consent_kit.store.base import Response
from consent_kit.survey.model import Survey

#: Sample answers made, stored and counted per step.
STEP = 50_000


def add_samples(store, survey: Survey, samples: Iterable[Response], *, step: int = STEP,
                progress: Callable[[int], None] | None = None) -> int:
    """Store ``samples`` (all of ``survey``) and count them into the kept tally as they go; how many.

    ``progress(added)`` is called after each step.
    """
    current_tally(store, survey)  # a trusted tally of what is already there, to add to
    kept_samples = _samples_tally(store, survey)
    samples, added = iter(samples), 0
    while True:
        counting = Counting(survey)
        batch = _counted(islice(samples, step), counting)
        stored = store.add_sample_responses(batch)
        if not counting.total:
            break
        added += stored
        part = counting.tally()
        if stored == counting.total:
            _add_to_kept(store, survey, part)
            if kept_samples is not None:
                add_tally(kept_samples, part)
        else:  # some were already there: the counts would be wrong, the next view counts again
            kept_samples = None
        if progress is not None:
            progress(added)
    _keep_samples(store, survey, sample_count(store, survey.id) + added, kept_samples)
    return added


def remove_samples(store, survey: Survey) -> int:
    """Erase ``survey``'s sample answers and take their counts out of the kept tally; how many."""
    kept_samples = _samples_tally(store, survey)
    removed = store.remove_sample_responses(survey.id)
    if kept_samples is not None and kept_samples["total"] == removed:
        _add_to_kept(store, survey, kept_samples, by=-1)
    else:
        rebuild(store, survey)  # the samples' counts weren't kept: count what is left
    _keep_samples(store, survey, 0, empty_tally(survey))
    return removed


def _counted(samples: Iterable[Response], counting: Counting) -> Iterator[Response]:
    for response in samples:
        counting.add(response)
        yield response


def _add_to_kept(store, survey: Survey, part: dict, by: int = 1) -> None:
    """Add ``part`` to the survey's kept tally in one read-change-write (servers may be adding too)."""
    kinds = empty_tally(survey)["kinds"]

    def change(tally: dict) -> None:
        if tally.get("format") == FORMAT and tally.get("kinds") == kinds:
            add_tally(tally, part, by)

    store.documents(TABLE).modify(change, survey_id=survey.id)


def _samples_tally(store, survey: Survey) -> dict | None:
    """The counts of the survey's sample answers, when they are kept and can be trusted."""
    found = store.documents(SAMPLE_COUNTS).get(survey_id=survey.id) or {}
    tally = found.get("tally")
    if not found.get("count", 0):
        return empty_tally(survey)
    if (tally is None or tally.get("format") != FORMAT or tally.get("total") != found.get("count")
            or tally.get("kinds") != empty_tally(survey)["kinds"]):
        return None
    return tally


def _keep_samples(store, survey: Survey, count: int, tally: dict | None) -> None:
    """Keep how many sample answers there are and, when known, their counts."""
    store.documents(SAMPLE_COUNTS).put({"survey_id": survey.id, "count": max(0, count), "tally": tally},
                                       survey_id=survey.id)
