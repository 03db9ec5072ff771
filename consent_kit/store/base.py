"""The storage API every backend implements, the Response record and the errors.

The web layer only ever talks to :class:`Store`, so a PostgreSQL backend can be
added as a plugin for deployments that outgrow one machine. Nothing here knows
about Flask.
"""

from __future__ import annotations

import errno
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .tables import Table

_DISK_FULL = (
    "We couldn't save {what} because the computer running this survey has run out of space. "
    "Nothing you saved before is lost. Please tell the researchers."
)
_IO_ERROR = (
    "We couldn't save {what} because of a problem with the computer running this survey. "
    "Nothing you saved before is lost. Please tell the researchers."
)


class StoreError(Exception):
    """Something went wrong while storing; ``str(error)`` is written for participants.

    ``reason`` lets the web layer pick a status code without parsing the message:
    ``"disk_full"`` or ``"io_error"``.
    """

    def __init__(self, message: str, *, reason: str = "io_error"):
        super().__init__(message)
        self.reason = reason

    @classmethod
    def from_os_error(cls, exc: OSError, *, what: str = "your answers") -> StoreError:
        """Translate an ``OSError`` into a plain-language StoreError."""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return cls(_DISK_FULL.format(what=what), reason="disk_full")
        return cls(_IO_ERROR.format(what=what))


class SubmissionConflict(StoreError):
    """The submission id is already stored with different answers; the first ones are kept."""

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or "These answers were already sent from this page with different content. "
            "We kept the answers you sent first. To send new answers, please start the "
            "survey again.",
            reason="conflict",
        )


class ErasedSubmission(SubmissionConflict):
    """The submission id belongs to answers that were withdrawn and erased."""

    def __init__(self, message: str = ""):
        super().__init__(message or "These answers were withdrawn and deleted, so they can't be sent again.")
        self.reason = "erased"


@dataclass(frozen=True)
class Response:
    """One participant's submitted answers to one version of a survey."""

    id: str  # submission id issued when the participant starts: the idempotency key
    survey_id: str
    survey_version: str  # content hash of the survey definition that was answered
    answers: dict  # question id -> JSON value
    submitted_at: str  # ISO 8601 UTC to the second, e.g. "2026-11-26T08:30:00Z"
    reference: str  # short code shown on the Thank you page
    source: str = ""  # "" = plain link, "paper", or a QR source code
    meta: dict = field(default_factory=dict)  # e.g. {"language": "en"}; never IP or user agent
    pseudonym: str = ""  # random participant pseudonym from the consent record

    def to_record(self) -> dict:
        """Return a JSON-ready dict of every field.

        ``answers`` and ``meta`` are copied one level deep, so changing the
        record's answers does not change this response. (``asdict`` would copy
        every nested value, which tripled the cost of a submission.)
        """
        record = {f.name: getattr(self, f.name) for f in fields(self)}
        record["answers"], record["meta"] = dict(self.answers), dict(self.meta)
        return record

    @classmethod
    def from_record(cls, d: dict) -> Response:
        """Build a Response from :meth:`to_record` output, ignoring keys it does not know.

        Unknown keys are ignored so that records written by a newer version
        (or journal bookkeeping such as ``kind``) still load.
        """
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def same_content(self, other: Response) -> bool:
        """Whether a resubmission carries the same answers as the stored one.

        Time, reference and meta are excluded: a phone retrying a submission
        gets the original reference and time back.
        """
        return _content(self) == _content(other)


def _content(response: Response) -> tuple:
    return (
        response.survey_id,
        response.survey_version,
        response.answers,
        response.source,
        response.pseudonym,
    )


class Store(ABC):
    """Where consent-kit keeps responses, drafts and its small tables."""

    @abstractmethod
    def add_response(self, response: Response) -> tuple[Response, bool]:
        """Store ``response`` durably; return ``(stored, created)``.

        Idempotent by ``response.id``: the same id with the same content returns
        the stored response (with its original reference and time) and
        ``False``. Raises :class:`SubmissionConflict` for the same id with
        different content and :class:`ErasedSubmission` for an erased id.
        """

    @abstractmethod
    def iter_responses(self, survey_id: str | None = None) -> Iterator[Response]:
        """Yield stored responses (of one survey, or all) in stored order, streaming."""

    @abstractmethod
    def count_responses(self, survey_id: str | None = None) -> int:
        """Return how many responses are stored (for one survey, or all)."""

    @abstractmethod
    def get_response(self, response_id: str) -> Response | None:
        """Return the response with this submission id, or ``None``."""

    @abstractmethod
    def responses_by_pseudonym(self, pseudonym: str) -> list[Response]:
        """Return every response carrying this participant pseudonym, in stored order."""

    @abstractmethod
    def erase_responses(self, response_ids: Iterable[str]) -> int:
        """Remove these responses from every file and refuse their ids from now on.

        Returns how many stored responses were erased.
        """

    @abstractmethod
    def save_draft(self, draft_id: str, data: dict, *, expires_at: float) -> None:
        """Store in-progress answers under ``draft_id`` until ``expires_at`` (epoch seconds)."""

    @abstractmethod
    def load_draft(self, draft_id: str) -> dict | None:
        """Return a draft's data, or ``None`` if it is missing, expired or the id is invalid."""

    @abstractmethod
    def delete_draft(self, draft_id: str) -> None:
        """Delete a draft if it exists."""

    @abstractmethod
    def purge_expired_drafts(self, now: float | None = None) -> int:
        """Delete every draft that expired at ``now``; return how many."""

    @abstractmethod
    def table(self, name: str) -> Table:
        """Return the named table of low-write data (surveys, users, consent versions)."""

    @abstractmethod
    def close(self) -> None:
        """Release files and locks."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
