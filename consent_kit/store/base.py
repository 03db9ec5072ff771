"""The storage API every backend implements, the Response record and the errors.

The web layer only ever talks to :class:`Store`, so a PostgreSQL backend can be
added as a plugin for deployments that outgrow one machine. Nothing here knows
about Flask.
"""

from __future__ import annotations

import errno
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from consent_kit.consent.records import ConsentRecord, ConsentText
    from consent_kit.store.tables import Table

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


class WithdrawnConsent(StoreError):
    """The pseudonym belongs to a consent that was withdrawn; it can't be given again."""

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or "This consent was withdrawn and everything sent with it was deleted, so it "
            "can't be used again. To take part again, please start the survey again.",
            reason="withdrawn",
        )


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
        known = _field_names(cls)  # worked out once: this runs for every line an export reads
        return cls(**{k: v for k, v in d.items() if k in known})

    def same_content(self, other: Response) -> bool:
        """Whether a resubmission carries the same answers as the stored one.

        Time, reference and meta are excluded: a phone retrying a submission
        gets the original reference and time back.
        """
        return _content(self) == _content(other)


@cache
def _field_names(cls) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


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

    #: True when several app servers share this store (a database): then nothing a server
    #: needs may live only on its own disk (the session key, published surveys, uploads).
    shared: bool = False

    def derived_secret(self, purpose: str) -> str:
        """A secret for ``purpose`` that every server of a shared store derives alike (hex).

        Shared stores derive it from the instance key, so it is kept nowhere: not in the
        database, not in its backups. Stores that are not shared need not offer it.
        """
        raise NotImplementedError(f"{type(self).__name__} does not derive shared secrets")

    @abstractmethod
    def add_response(self, response: Response) -> tuple[Response, bool]:
        """Store ``response`` durably; return ``(stored, created)``.

        Idempotent by ``response.id``: the same id with the same content returns
        the stored response (with its original reference and time) and
        ``False``. Raises :class:`SubmissionConflict` for the same id with
        different content, :class:`ErasedSubmission` for an erased id and
        :class:`WithdrawnConsent` for the pseudonym of a withdrawn consent.
        """

    def add_submission(self, record: ConsentRecord, response: Response,
                       audit: dict | None = None) -> tuple[Response, bool]:
        """Store a participant's consent, then their answers, then (if new) an audit entry.

        What "Send" does. Returns and raises what :meth:`add_consent` and
        :meth:`add_response` do; ``audit`` holds :meth:`audit`'s keyword
        arguments and is written only when the answers are new. The
        default calls those three methods; a backend may do it in one go
        (the embedded store flushes to disk once), keeping every promise.
        """
        self.add_consent(record)
        stored, created = self.add_response(response)
        if created and audit:
            try:
                self.audit(**audit)
            except StoreError:  # the answers are stored: say thank you all the same
                logging.getLogger(__name__).exception("Could not write an audit entry")
        return stored, created

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

    def documents(self, name: str):
        """The named table as keyed documents (get, find, put, update by equal fields).

        What plugins use: it carries no database types, so a plugin works on
        any backend. Each call is one atomic operation.
        """
        from consent_kit.store.documents import Documents  # the embedded tables, for now

        return Documents(self.table(name))

    def media(self):
        """Uploaded files every server can read: bytes by name (see consent_kit/store/media.py)."""
        from consent_kit.store.media import Media

        return Media(self.media_storage())

    def media_storage(self):
        """Where :meth:`media` keeps the bytes: documents (base64) unless a backend has better."""
        from consent_kit.store.media import TABLE, DocumentStorage

        return DocumentStorage(self.documents(TABLE))

    def mirror(self, prefix: str, folder):
        """A folder kept in line with this store's files under ``prefix`` (a :class:`MediaMirror`).

        On one server the folder is where files are kept; with ``shared`` stores it is a copy.
        """
        from consent_kit.store.media import MediaMirror

        return MediaMirror(self, prefix, folder)

    # -- consent ---------------------------------------------------------------

    @abstractmethod
    def save_consent_text(self, text: ConsentText) -> None:
        """Keep ``text`` (exactly ``text.to_dict()``) under ``text.version``.

        Idempotent: saving a version that is already kept changes nothing, so
        a stored copy stays byte-identical whatever later happens to the
        survey file. Call it before storing a record that names the version.
        """

    @abstractmethod
    def get_consent_text(self, version: str) -> ConsentText | None:
        """Return the kept text of this version exactly as it was shown, or ``None``."""

    @abstractmethod
    def add_consent(self, record: ConsentRecord) -> tuple[ConsentRecord, bool]:
        """Store a participant's consent durably (fsync'd); return ``(stored, created)``.

        Idempotent by ``record.pseudonym``: a pseudonym already stored returns
        the stored record (with any changes) and ``False``. Raises
        :class:`WithdrawnConsent` for a withdrawn pseudonym and ValueError for
        an invalid record or a withdrawal code hash already in use.
        """

    @abstractmethod
    def get_consent(self, pseudonym: str) -> ConsentRecord | None:
        """Return the current consent (changes applied), or ``None`` if unknown or withdrawn."""

    @abstractmethod
    def consent_by_code_hash(self, code_hash: str) -> ConsentRecord | None:
        """Return the current consent whose ``code_hash`` is this, or ``None``.

        ``code_hash`` is ``codes.code_key(code, purpose="withdraw")``; the code
        itself is never stored.
        """

    @abstractmethod
    def change_consent(self, record: ConsentRecord) -> None:
        """Store new choices of optional statements (make ``record`` with ``consent.change_optional``).

        Only ``agreed``, ``declined`` and ``changed_at`` are taken from
        ``record``. Raises ValueError if the consent is unknown or withdrawn,
        or if the record names another survey, version or set of statements.
        Nothing is written when the choices are the same as stored.
        """

    @abstractmethod
    def withdraw(self, pseudonym: str, *, at: str, audit: dict | None = None) -> dict:
        """Withdraw a participant: erase their answers and consent, keep a minimal record.

        Afterwards no file in the data folder holds their answers, drafts,
        choices or typed initials (damaged lines that mention them included);
        a ``withdrawn`` record (pseudonym, survey, time) remains for the
        researchers' counts, and answers for the pseudonym are refused from
        then on. ``audit`` holds :meth:`audit`'s keyword arguments: exactly one
        entry is written, with the erasure, by the call that withdraws, its
        details completed with ``responses_erased`` (every answer erased for
        this person, earlier interrupted attempts included) and
        ``damaged_lines_kept``. Returns ``{"responses": erased by this call,
        "consents": erased consent records, "damaged": damaged answer lines
        left in the store (they could not be read, so they may be anyone's),
        "audited": whether this call wrote the entry}``. Safe to call again
        (for instance after a failure): it finishes the erasure and adds
        nothing new.
        """

    @abstractmethod
    def consent_counts(self, survey_id: str) -> dict:
        """Return ``{"given", "active", "withdrawn", "agreed": {statement id: n}}`` for a survey.

        ``given`` counts every consent ever given, ``withdrawn`` those taken
        back (``active = given - withdrawn``); ``agreed`` counts only active
        consents, with their current choices.
        """

    # -- audit -------------------------------------------------------------------

    @abstractmethod
    def audit(self, *, actor: str, action: str, subject: str = "", details: dict | None = None) -> dict:
        """Append one entry to the hash-chained audit log, durably; return the entry.

        ``actor`` is who acted: a researcher's user name or a participant's
        pseudonym. ``action`` is what happened (e.g. ``"consent_given"``,
        ``"export"``), ``subject`` what it happened to (a survey id, a
        pseudonym) and ``details`` a small JSON dict. Never put answer content,
        names or contact details in any of them: the audit log is never
        rewritten, not even when a participant withdraws. The time is set here.
        """

    @abstractmethod
    def verify_audit(self) -> list[str]:
        """Check the audit log; return its problems in plain language (empty when intact).

        Detects a changed entry, a removed entry (middle or last) and a line
        that is not an entry.
        """

    @abstractmethod
    def iter_audit(self) -> Iterator[dict]:
        """Yield the audit entries in order (for showing them, never for changing them)."""

    @abstractmethod
    def close(self) -> None:
        """Release files and locks."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # -- sample answers (issue 22) ---------------------------------------------------------

    def add_sample_responses(self, responses: Iterable[Response]) -> int:
        """Store made-up sample answers (``source="sample"``, see ``consent_kit.results.samples``).

        Returns how many were stored. They are made up, so they belong to
        nobody: no consent goes with them and no audit entry per answer. The
        default adds them one at a time; a backend may write many in one go.
        """
        return sum(1 for response in responses if self.add_response(response)[1])

    def remove_sample_responses(self, survey_id: str) -> int:
        """Erase every sample answer of ``survey_id`` and nothing else; return how many.

        A sample is a response with ``source == "sample"`` or ``meta["sample"]``;
        real answers are never touched. The default erases them with
        :meth:`erase_responses`; a backend may drop them without tombstones.
        """
        ids = [r.id for r in self.iter_responses(survey_id)
               if r.source == "sample" or r.meta.get("sample")]
        return self.erase_responses(ids) if ids else 0
