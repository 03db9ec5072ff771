""""Send" in a few round trips: consent, answers and the audit entry in one transaction.

Done one statement at a time, a submission waited for about a dozen replies
from the database. Here:

1. the pseudonym's and the id's advisory locks (the same ones a withdrawal
   and an erasure take);
2. the participant's data key, read (or made, in this transaction), and the
   answers and the personal parts of the consent sealed with it in Python;
3. one statement that inserts the consent (``ON CONFLICT DO NOTHING``), the
   answers (``ON CONFLICT DO NOTHING RETURNING``) and, only when the answers
   are new, the pending audit entry, and checks, after the locks, that the
   person hasn't withdrawn and the id wasn't erased.

If a check says no (a withdrawn person, an erased id, a withdrawal code
already in use), the whole transaction rolls back, so nothing it wrote
remains. The rare duplicate (a phone sending the same answers again) reads the
stored answers and compares. The audit entry is chained after the commit
(see ``audit.py``).
"""

from __future__ import annotations

import psycopg
from psycopg.errors import UniqueViolation
from psycopg.types.json import Json

from consent_kit import ConsentRecord, ErasedSubmission, Response, SubmissionConflict, WithdrawnConsent

from . import audit as audit_log
from .sql import ID_LOCK, PSEUDONYM_LOCK, id_hash, round_trip

_CODE_IN_USE = "This withdrawal code is already in use; make a new one."

_LOCKS = "SELECT pg_advisory_xact_lock(%s, hashtext(%s)), pg_advisory_xact_lock(%s, hashtext(%s))"

_STORE = """
WITH consent AS (
    INSERT INTO consents (pseudonym, survey_id, code_hash, record) VALUES (%s, %s, %s, %s)
    ON CONFLICT (pseudonym) DO NOTHING),
answers AS (
    INSERT INTO responses (id, survey_id, pseudonym, record) VALUES (%s, %s, %s, %s)
    ON CONFLICT (id) DO NOTHING RETURNING seq),
entry AS (
    INSERT INTO audit_pending (at, actor, action, subject, details)
    SELECT %s, %s, %s, %s, %s FROM answers WHERE %s RETURNING id)
SELECT (SELECT seq FROM answers), (SELECT id FROM entry),
       EXISTS (SELECT 1 FROM withdrawals WHERE pseudonym = %s),
       EXISTS (SELECT 1 FROM erased_ids WHERE id_sha256 = %s)
"""


def send(conn: psycopg.Connection, record: ConsentRecord, response: Response,
         audit: dict | None, sealer, keys) -> tuple[Response, bool, int | None]:
    """Store consent, answers and (for new answers) a pending audit entry; the caller commits.

    Returns ``(stored, created, pending audit id or None)``. Raises what
    :meth:`Store.add_submission` raises; on a raise the caller's transaction
    must roll back (the pool's connection block does).
    """
    audit = dict(audit or {})
    if audit:
        audit["details"] = audit.get("details") or {}
        audit_log.check(audit.get("actor"), audit.get("action"), audit.get("subject", ""), audit["details"])
    stored = response.to_record()
    with conn.pipeline():
        conn.execute(_LOCKS, (PSEUDONYM_LOCK, record.pseudonym, ID_LOCK, response.id))
        asked = keys.wrapped_of(conn, record.pseudonym)  # after the lock: a withdrawal has finished
    row = asked.fetchone()
    known = {record.pseudonym: None if row is None else bytes(row[0])}
    with conn.cursor() as cur, keys.within(cur, known):
        # The person's key is made (if new) in this transaction: flushed with what it seals.
        consent_line, answers_line = sealer.seal_consent(record.to_record()), sealer.seal_response(stored)
    params = (record.pseudonym, record.survey_id, record.code_hash, Json(consent_line),
              response.id, response.survey_id, response.pseudonym, Json(answers_line),
              audit_log.utc_now(), audit.get("actor", ""), audit.get("action", ""),
              audit.get("subject", ""), Json(audit.get("details") or {}), bool(audit),
              record.pseudonym, id_hash(response.id))
    try:
        result = conn.execute(_STORE, params)
    except UniqueViolation:
        raise ValueError(_CODE_IN_USE) from None  # the withdrawal code is someone else's
    seq, pending, withdrawn, erased = result.fetchone()
    if withdrawn:
        raise WithdrawnConsent()
    if erased:
        raise ErasedSubmission()
    if seq is None:
        return _existing(conn, response, stored, sealer), False, None
    return response, True, pending


def _existing(conn: psycopg.Connection, response: Response, stored: dict, sealer) -> Response:
    """The answers already stored under this id, if they are the same; else a conflict."""
    row = conn.execute("SELECT record FROM responses WHERE id = %s", (response.id,)).fetchone()
    opened = sealer.open_response(row[0])
    if opened is None:  # their key is gone: they were taken back
        raise SubmissionConflict()
    existing = Response.from_record(opened)
    # Compare with what would have been stored: a tuple in the answers comes back a list.
    if existing.same_content(Response.from_record(round_trip(stored))):
        return existing
    raise SubmissionConflict()
