"""A participant's answers in progress, held on the server until they submit.

The browser's session cookie holds only a random draft id per survey. The
answers sit in the store's drafts folder and are deleted when the survey is
sent, or after ``DRAFT_HOURS`` if the participant just stops. "Save and come
back later" keeps them for ``SAVED_DAYS`` under a short code.
"""

from __future__ import annotations

import secrets
import time
import uuid

from flask import current_app, session

from consent_kit.consent.records import new_pseudonym
from consent_kit.participation.codes import code_key, new_code
from consent_kit.web.helpers import kit


def _expiry(saved: bool) -> float:
    config = current_app.config
    seconds = config["SAVED_DAYS"] * 86400 if saved else config["DRAFT_HOURS"] * 3600
    return time.time() + seconds


def start_draft(survey, *, source: str = "") -> dict:
    """A new, empty draft for ``survey``, remembered in this browser's session."""
    draft_id = secrets.token_urlsafe(24)
    draft = {
        "id": draft_id,
        "survey_id": survey.id,
        "survey_version": survey.version,
        "submission_id": uuid.uuid4().hex,
        # Made now, so a retried "Send" stores and shows the same ones.
        "pseudonym": new_pseudonym(),
        "reference": new_code(),
        "answers": {},
        "seen": [],
        "source": source,
        "saved": False,
    }
    session.permanent = True
    session.setdefault("drafts", {})[survey.id] = draft_id
    session.modified = True
    save_draft(draft)
    return draft


def current_draft(survey) -> dict | None:
    """This browser's draft for ``survey``, or None if it never started or it ran out."""
    draft_id = session.get("drafts", {}).get(survey.id)
    if not draft_id:
        return None
    draft = kit().store.load_draft(draft_id)
    if draft is None or draft.get("survey_id") != survey.id:
        return None
    return draft


def save_draft(draft: dict) -> None:
    """Write the draft back, keeping it longer once the participant chose to save it."""
    kit().store.save_draft(draft["id"], draft, expires_at=_expiry(draft["saved"]))


def forget_draft(survey, draft: dict | None) -> None:
    """Delete the draft from the server and from the session (after sending)."""
    if draft is not None:
        kit().store.delete_draft(draft["id"])
    drafts = session.get("drafts", {})
    if survey.id in drafts:
        drafts.pop(survey.id)
        session.modified = True


def save_for_later(draft: dict) -> str:
    """Keep the draft under a new short code and return the code.

    The draft moves to a key made from the code, so the code itself is never
    stored; the old key is deleted.
    """
    code = new_code()
    old_id = draft["id"]
    draft["id"] = code_key(code, purpose="resume")
    draft["saved"] = True
    save_draft(draft)
    if old_id != draft["id"]:
        kit().store.delete_draft(old_id)
    session.setdefault("drafts", {})[draft["survey_id"]] = draft["id"]
    session.modified = True
    return code


def resume_draft(code: str) -> dict | None:
    """The saved draft for ``code``, now also this browser's current draft; or None."""
    draft = kit().store.load_draft(code_key(code, purpose="resume"))
    if draft is None:
        return None
    session.permanent = True
    session.setdefault("drafts", {})[draft["survey_id"]] = draft["id"]
    session.modified = True
    return draft
