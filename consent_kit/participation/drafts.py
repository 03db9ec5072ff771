"""A participant's answers in progress, held on the server until they submit.

The browser's session cookie holds only a random draft id per survey. The
answers sit in the store's drafts folder and are deleted when the survey is
sent, or after ``DRAFT_HOURS`` if the participant just stops. "Save and come
back later" keeps them for ``SAVED_DAYS`` under a short code.

Pressing Start writes nothing: the draft exists only as an id in the session
("unsaved") until there is something to keep (a consent choice, a page of
answers, a save code). So pressing Start over and over can't fill the disk,
and each address may begin only so many new drafts a minute.
"""

from __future__ import annotations

import secrets
import time
import uuid

from flask import current_app, request, session
from flask_babel import gettext

from consent_kit.consent.records import new_pseudonym
from consent_kit.participation.codes import code_key, new_code
from consent_kit.store.base import StoreError
from consent_kit.web.helpers import kit
from consent_kit.web.ratelimit import attempts_for

#: New drafts one address may write a minute (a whole venue may share one address).
NEW_DRAFTS_PER_MINUTE = 30


def _expiry(saved: bool) -> float:
    config = current_app.config
    seconds = config["SAVED_DAYS"] * 86400 if saved else config["DRAFT_HOURS"] * 3600
    return time.time() + seconds


def start_draft(survey, *, source: str = "") -> dict:
    """A new, empty draft for ``survey``, remembered in this browser's session.

    Nothing is written to the store yet (see :func:`save_draft`).
    """
    draft_id = secrets.token_urlsafe(24)
    forget_who_finished_here()
    session.permanent = True
    session.setdefault("drafts", {})[survey.id] = draft_id
    session.setdefault("unsaved", {})[survey.id] = source
    session.modified = True
    return _unsaved_draft(survey, draft_id, source)


def forget_who_finished_here() -> None:
    """Someone is starting: this browser forgets whoever finished a survey on it before.

    After Thank you, the copy of consent and an unclaimed thank-you payment stay
    reachable for a short while so their owner can use them. On a shared phone or
    library computer the next person's first step is to start (or carry on with a
    save code): from then on, the last person's copy, reference and payment are
    out of reach here, whatever the clock says. Someone who only just sent their
    answers and hasn't seen Thank you yet keeps it.
    """
    finished = session.get("done") or {}
    gone = [sid for sid, done in finished.items() if not isinstance(done, dict) or "shown_at" in done]
    for survey_id in gone:
        finished.pop(survey_id, None)
    held = session.get("incentive") or {}
    for survey_id in list(held):
        if survey_id in gone or (isinstance(held[survey_id], dict)
                                 and held[survey_id].get("via") in ("later", "stop")):
            held.pop(survey_id)
    if session.pop("withdraw", None) is not None or gone:
        session.modified = True


def _unsaved_draft(survey, draft_id: str, source: str) -> dict:
    """A draft not written yet. Its ids are made afresh each time until it is
    written: only a written draft can be sent, so they never reach the store unkept."""
    return {
        "id": draft_id,
        "survey_id": survey.id,
        "survey_version": survey.version,
        "submission_id": uuid.uuid4().hex,
        # Kept with the draft once written, so a retried "Send" stores and shows the same ones.
        "pseudonym": new_pseudonym(),
        "reference": new_code(),
        "answers": {},
        "seen": [],
        "source": source,
        "saved": False,
        "unsaved": True,
    }


def current_draft(survey) -> dict | None:
    """This browser's draft for ``survey``, or None if it never started or it ran out."""
    draft_id = session.get("drafts", {}).get(survey.id)
    if not draft_id:
        return None
    draft = kit().store.load_draft(draft_id)
    if draft is None:
        unsaved = session.get("unsaved", {})
        if survey.id in unsaved:
            return _unsaved_draft(survey, draft_id, unsaved[survey.id])
        return None
    if draft.get("survey_id") != survey.id:
        return None
    return draft


def is_unsaved(draft: dict) -> bool:
    """True for a draft that has not been written to the store yet."""
    return bool(draft.get("unsaved"))


def save_draft(draft: dict) -> None:
    """Write the draft back, keeping it longer once the participant chose to save it.

    The first write of a new draft counts against the address's limit. Raises
    :class:`~consent_kit.store.base.StoreError` (with a message for
    participants) when the draft can't be kept; the draft is left as it was.
    """
    new = is_unsaved(draft)
    if new and not attempts_for("new_drafts", NEW_DRAFTS_PER_MINUTE).allow(request.remote_addr or "?"):
        raise StoreError(gettext("We can't save your progress just now because a lot of people have "
                                 "started this survey from here. Please wait a minute, then try again."),
                         reason="busy")
    body = {key: value for key, value in draft.items() if key != "unsaved"}
    kit().store.save_draft(draft["id"], body, expires_at=_expiry(draft["saved"]))
    if new:
        draft.pop("unsaved")
        _forget_unsaved(draft["survey_id"])


def _forget_unsaved(survey_id: str) -> None:
    unsaved = session.get("unsaved", {})
    if survey_id in unsaved:
        unsaved.pop(survey_id)
        session.modified = True


def forget_draft(survey, draft: dict | None) -> None:
    """Delete the draft from the server and from the session (after sending)."""
    if draft is not None:
        kit().store.delete_draft(draft["id"])
    drafts = session.get("drafts", {})
    if survey.id in drafts:
        drafts.pop(survey.id)
        session.modified = True
    _forget_unsaved(survey.id)


def save_for_later(draft: dict) -> str:
    """Keep the draft under a new short code and return the code.

    The draft moves to a key made from the code, so the code itself is never
    stored; the old key is deleted.
    """
    code = new_code()
    old_id, was_unsaved = draft["id"], is_unsaved(draft)
    draft["id"] = code_key(code, purpose="resume")
    draft["saved"] = True
    try:
        save_draft(draft)
    except StoreError as error:
        if error.reason != "full" or was_unsaved:
            raise
        _move_when_full(draft, old_id)
    if old_id != draft["id"]:
        kit().store.delete_draft(old_id)
    session.setdefault("drafts", {})[draft["survey_id"]] = draft["id"]
    session.modified = True
    return code


def _move_when_full(draft: dict, old_id: str) -> None:
    """Move a written draft to its save code's key when the drafts folder is full.

    Someone part-way through already has a place, so the old file goes first
    to make room; if the new one can't be written, the old one is put back.
    """
    kit().store.delete_draft(old_id)
    try:
        save_draft(draft)
    except StoreError:
        save_draft(dict(draft, id=old_id, saved=False))
        raise


def resume_draft(code: str) -> dict | None:
    """The saved draft for ``code``, now also this browser's current draft; or None."""
    draft = kit().store.load_draft(code_key(code, purpose="resume"))
    if draft is None:
        return None
    forget_who_finished_here()
    session.permanent = True
    session.setdefault("drafts", {})[draft["survey_id"]] = draft["id"]
    session.modified = True
    _forget_unsaved(draft["survey_id"])
    return draft
