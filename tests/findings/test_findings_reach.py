"""Reaching people: "tell me when the findings are ready", "People waiting to hear", the QR code."""

from __future__ import annotations

import test_findings
from test_findings import EDIT, PUBLIC, add, publish, signed_in, take_part, text_of

from consent_kit.findings import contacts
from consent_kit.testing import Participant, audit_entries

# The findings tests' survey and people (fixtures are found by these names).
app = test_findings.app

WAITING = f"{EDIT}/waiting"


def ask(app, contact: str, *, where: str = PUBLIC):
    """Someone leaves an email or phone number on the findings page (or the page named)."""
    person = Participant(app.test_client())
    person.get(where)
    return person.post(f"{PUBLIC}/tell-me", {"contact": contact}, follow=False), person


def waiting_in(app) -> list[dict]:
    return app.extensions["consent_kit"].store.documents(contacts.TABLE).find(survey_id="club")


def test_clean_contact_takes_emails_and_phones_only():
    assert contacts.clean_contact(" sam@example.org ") == ("sam@example.org", "email")
    assert contacts.clean_contact("+44 7700 900123") == ("+44 7700 900123", "phone")
    assert contacts.clean_contact("Sam from the club") is None
    assert contacts.clean_contact("a@b.c" + "x" * 260) is None


def test_the_csv_list_cannot_run_as_a_spreadsheet_formula():
    body = contacts.as_csv([{"contact": "=HYPERLINK(1)", "way": "email", "language": "cy"},
                            {"contact": "+44 7700 900123", "way": "phone", "language": ""}],
                           ("Contact", "How", "Language"), ways={"email": "Email"},
                           language_name={"cy": "Cymraeg"}.get)
    assert body.splitlines() == ["Contact,How,Language", "'=HYPERLINK(1),Email,Cymraeg",
                                 "'+44 7700 900123,phone,"]


def test_a_person_asks_to_be_told_and_is_kept_once_apart_from_answers(app):
    answer, _ = ask(app, "sam@example.org")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("?asked=1#tell")
    ask(app, "sam@example.org")  # twice: kept once
    kept = waiting_in(app)
    assert [(c["contact"], c["way"], c["ready"]) for c in kept] == [("sam@example.org", "email",
                                                                     False)]
    assert set(kept[0]) == {"id", "survey_id", "contact", "way", "language", "added", "ready"}
    page = Participant(app.test_client()).get(f"{PUBLIC}?asked=1")
    assert "We will tell you when the findings are ready" in text_of(page)


def test_a_mistyped_contact_is_said_plainly_and_kept_typed(app):
    answer, _ = ask(app, "sam at the club")
    text = text_of(answer)
    assert answer.status_code == 400 and "Type an email address, like name@example.com" in text
    assert 'value="sam at the club"' in text and 'href="#contact"' in text
    assert waiting_in(app) == []


def test_the_thank_you_page_offers_tell_me_until_the_findings_are_out(app):
    rae = signed_in(app, "rae")
    add(rae, action="promise", promise="in the spring")
    person, _ = take_part(app, {"fun": "Yes", "words": "Great."})
    assert "Tell me when they are ready" in person.text
    person.post(f"{PUBLIC}/tell-me", {"contact": "07700 900123"})
    assert [c["contact"] for c in waiting_in(app)] == ["07700 900123"]


def test_the_contact_never_appears_in_exports_and_is_erased_after_use(app):
    take_part(app, {"fun": "Yes", "words": "Great."})
    ask(app, "hidden-contact@example.org")
    ask(app, "07700 900999")
    rae = signed_in(app, "rae")
    for kind in ("csv", "json"):
        rae.get("/studio/surveys/club/export")
        export = rae.post("/studio/surveys/club/export", {"format": kind})
        assert export.status_code == 200 and "Great." in export.get_data(as_text=True)
        assert "hidden-contact" not in export.get_data(as_text=True)
        assert "900999" not in export.get_data(as_text=True)
    page = rae.get(WAITING)
    assert "Email addresses" in text_of(page) and "hidden-contact" not in text_of(page)
    add(rae, action="section", heading="What we found", text="The club is fun.")
    publish(app, rae)
    assert all(c["ready"] for c in waiting_in(app))  # the built-in notifier: due, told by hand
    listed = rae.get(f"{WAITING}.csv")
    assert listed.headers["Cache-Control"] == "no-store"
    assert "hidden-contact@example.org,Email,English" in listed.get_data(as_text=True)
    assert audit_entries(app, "findings_contacts_downloaded")[-1]["details"] == {"count": 2}
    rae.get(WAITING)
    ask(app, "late@example.org")  # asked after the list was read: not marked as told
    rae.post(WAITING, {"contact_id": [c["id"] for c in waiting_in(app)
                                      if c["contact"] != "late@example.org"]})
    assert [c["contact"] for c in waiting_in(app)] == []  # published: the late one was refused
    assert audit_entries(app, "findings_contacts_told")[-1]["details"]["deleted"] == 2


def test_once_published_no_one_is_added_to_the_list(app):
    rae = signed_in(app, "rae")
    add(rae, action="section", heading="What we found", text="The club is fun.")
    publish(app, rae)
    answer, _ = ask(app, "sam@example.org", where=PUBLIC)
    assert answer.status_code == 302 and waiting_in(app) == []


def test_viewers_cannot_see_who_is_waiting(app):
    ask(app, "sam@example.org")
    vic = signed_in(app, "vic")
    assert vic.get(WAITING).status_code in (403, 404)
    assert vic.get(f"{WAITING}.csv").status_code in (403, 404)


def test_the_findings_link_has_a_qr_code(app):
    rae = signed_in(app, "rae")
    page = rae.get(f"{EDIT}/share")
    text = text_of(page)
    assert page.status_code == 200 and "http://localhost/f/club" in text
    assert '<svg' in text and 'role="img"' in text and 'aria-label="QR code for the findings page"' in text
    svg = rae.get(f"{EDIT}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and svg.get_data(as_text=True).startswith("<svg")
