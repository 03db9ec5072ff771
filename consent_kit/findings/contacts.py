""""Tell me when the findings are ready": contacts kept apart from answers, deleted once told.

Pure logic (no Flask). Each contact is one document in
``store.documents("findings_contacts")``: ``id``, ``survey_id``, ``contact``
(an email address or phone number as typed), ``way`` (``"email"`` or
``"phone"``), ``language`` (of the page it was typed on, so a message can be
in that language), ``added`` (a day, not a time: a time could be matched to
an answer sent the same minute) and ``ready`` (the findings are published and
the person is still to be told).

Nothing ties a contact to a person's answers, consent or reference: it is
never in an export, and taking answers back does not need to find it. It is
deleted as soon as the person is told (by a notifier plugin, or when a
researcher marks the list as told).
"""

from __future__ import annotations

import csv
import io
import re
import secrets

TABLE = "findings_contacts"
#: The same shapes as a thank-you payment's contact (consent_kit.incentives.claims).
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
#: At most this many waiting per survey: a flood of made-up contacts can't fill the disk.
MAX_WAITING = 20000


def clean_contact(text: str) -> tuple[str, str] | None:
    """``(contact, way)`` for an email address or phone number as typed, else None."""
    typed = (text or "").strip()
    if len(typed) > 254:
        return None
    if EMAIL.match(typed):
        return typed, "email"
    if PHONE.match(typed):
        return typed, "phone"
    return None


def add(documents, survey_id: str, typed: str, *, language: str, day: str) -> bool:
    """Keep a contact to tell when the survey's findings are ready; False if it isn't one.

    The same contact twice for one survey is kept once (and still answers True,
    so the page says the same to everyone, whoever typed it before).
    """
    cleaned = clean_contact(typed)
    if cleaned is None:
        return False
    contact, way = cleaned
    if documents.get(survey_id=survey_id, contact=contact) is not None:
        return True
    if documents.count(survey_id=survey_id) >= MAX_WAITING:
        return True  # said the same way: the page never tells how many are waiting
    documents.insert({"id": secrets.token_hex(6), "survey_id": survey_id, "contact": contact,
                      "way": way, "language": language, "added": day, "ready": False})
    return True


def waiting(documents, survey_id: str) -> list[dict]:
    """The people waiting to hear about a survey's findings, emails first, then phones."""
    found = documents.find(survey_id=survey_id)
    return sorted(found, key=lambda c: (c.get("way") != "email", c.get("contact", "").casefold()))


def mark_ready(documents, survey_id: str) -> int:
    """Note that the findings are out: everyone waiting for this survey is now due a message."""
    return documents.update({"ready": True}, survey_id=survey_id)


def forget(documents, survey_id: str, ids) -> int:
    """Delete these contacts of a survey (they have been told); returns how many went."""
    chosen = set(ids or ())
    if not chosen:
        return 0
    return documents.remove(lambda c: c.get("id") in chosen, survey_id=survey_id)


def for_notifier(contacts: list[dict], url: str) -> list[dict]:
    """What a notifier is given for each contact: ``id``, ``contact``, ``way``, ``language``, ``url``."""
    return [{"id": c["id"], "contact": c["contact"], "way": c.get("way", ""),
             "language": c.get("language", ""), "url": url} for c in contacts]


def as_csv(contacts: list[dict], headings: tuple[str, str, str], *, ways: dict[str, str] | None = None,
           language_name=lambda code: code) -> str:
    """The list to send by hand: contact, how (in words, from ``ways``), language (its name).

    No dates and no ids: nothing more than a researcher needs to send the message.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    for contact in contacts:
        way, language = contact.get("way", ""), contact.get("language", "")
        writer.writerow([_safe_cell(contact["contact"]), (ways or {}).get(way, way),
                         language_name(language) if language else ""])
    return out.getvalue()


def _safe_cell(text: str) -> str:
    """A cell a spreadsheet won't run as a formula (a phone number may start with + or -)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
