"""Sample answers in the embedded store: thousands per flush to disk, and all gone in one rewrite.

Sample answers (``consent-kit sample-answers``, see ``consent_kit.results.samples``)
are made up, so they belong to nobody: no consent, no participant key, no
audit entry per answer. That is what makes a million of them take minutes,
not hours:

* adding takes the journal's lock for a batch of :data:`BATCH` lines and
  flushes to disk once per batch (a real submission flushes once per answer);
  between batches the lock is free, so people can still send answers while
  samples are being made. The lines are written unsealed (there is nobody's
  key to seal them with), which every reader already takes;
* removing rewrites the journal once without the survey's sample lines, and
  leaves no tombstones: nobody will send them again, and a million
  tombstones would sit in every worker's memory.

Real answers are never touched: only lines marked as samples go.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING

from consent_kit.store.response_index import RESPONSE, id_hash

if TYPE_CHECKING:
    from consent_kit.store.base import Response

#: ``Response.source`` of a sample answer, and the ``meta`` key that marks one.
SAMPLE_SOURCE, SAMPLE_META = "sample", "sample"
#: Sample lines written per lock and flush.
BATCH = 2_000


def is_sample_record(record: dict) -> bool:
    """Whether a response record (or journal line) is a made-up sample answer."""
    meta = record.get("meta")
    return record.get("source") == SAMPLE_SOURCE or (isinstance(meta, dict) and bool(meta.get(SAMPLE_META)))


def add_sample_responses(store, responses: Iterable[Response]) -> int:
    """:meth:`Store.add_sample_responses` for the embedded store: a flush per batch, not per answer."""
    log = store._responses
    journal, index = log.journal, log.index
    added = 0
    responses = iter(responses)
    while batch := list(islice(responses, BATCH)):
        records = [{"kind": RESPONSE, **response.to_record()} for response in batch]
        if not all(is_sample_record(r) for r in records):
            raise ValueError("Only sample answers (source 'sample') can be added this way.")
        with journal.locked():
            for record in records:
                if record["id"] in index.offsets or id_hash(record["id"]) in index.erased:
                    continue  # already stored, or erased: the same as add_response would keep
                journal.append(record, durable=False)
                added += 1
            point = journal.end()
        journal.flush(point)
    return added


def remove_sample_responses(store, survey_id: str) -> int:
    """:meth:`Store.remove_sample_responses` for the embedded store: one rewrite, no tombstones."""
    log = store._responses
    removed = 0

    def keep(record: dict | None, raw: bytes) -> bool:
        nonlocal removed
        if (record is not None and record.get("kind") == RESPONSE
                and record.get("survey_id") == survey_id and is_sample_record(record)):
            removed += 1
            return False
        return True  # real answers, tombstones and damaged lines all stay as they are

    with log.journal.locked() as journal:
        if not any(True for _ in _samples_of(journal, survey_id)):
            return 0
        journal.rewrite(keep, [])
    return removed


def _samples_of(journal, survey_id: str):
    """The sample lines of ``survey_id`` (a quick look before deciding to rewrite)."""
    with open(journal.path, "rb") as handle:
        for raw in handle:
            # Cheap byte checks first: most lines of a big journal are not samples.
            if b'"sample"' in raw and survey_id.encode() in raw:
                yield raw
