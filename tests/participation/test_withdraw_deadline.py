"""Every page says the real last day for taking answers back, and keeps to it (issue 15 item 3).

Also: the reference is shown once on Thank you, and this browser forgets the
finished survey after ``DONE_MINUTES`` (issue 23 item 8, shared phones).
"""

from __future__ import annotations

import datetime
import io
import re
import time

import pypdf
import pytest
from babel.dates import format_date

from consent_kit.testing import Participant

SURVEY = """\
id: youth
title: Youth voice
description: A short survey.
withdraw_until: {until}
contact: "Email research@example.org"
questions:
  - id: club
    type: short_text
    label: What is your favourite club?
"""

FUTURE = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=60)
PAST = datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=1)


def app_until(make_app, until):
    return make_app(forms={"youth.yaml": SURVEY.format(until=until.isoformat())}, examples=False)


def words(day, locale="en_GB") -> str:
    return format_date(day, "long", locale=locale)


def test_every_page_says_the_real_date_never_at_any_time(make_app):
    app = app_until(make_app, FUTURE)
    person = Participant(app.test_client())
    reference = person.complete("youth", {"club": "Chess"})
    date = words(FUTURE)
    assert date in person.text and "at any time" not in person.text  # Thank you
    copy = person.get("/s/youth/your-copy").get_data(as_text=True)
    assert date in copy and "at any time" not in copy
    pdf = pypdf.PdfReader(io.BytesIO(person.get("/s/youth/your-copy.pdf").data))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert date in re.sub(r"\s+", " ", text) and "at any time" not in text
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    assert date in person.text and "at any time" not in person.text
    assert "Take back my answers" in person.text


def test_the_date_is_in_the_participants_language(make_app):
    app = app_until(make_app, FUTURE)
    person = Participant(app.test_client())
    person.complete("youth", {"club": "Chess"})
    welsh = person.get("/s/youth/your-copy?lang=cy").get_data(as_text=True)
    assert words(FUTURE, "cy") in welsh


def test_after_the_last_day_taking_back_is_explained_kindly_and_refused(make_app):
    app = app_until(make_app, PAST)
    person = Participant(app.test_client())
    reference = person.complete("youth", {"club": "Chess"})
    assert "You could take back your answers until" in person.text
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    assert "too late to take back your answers" in person.text
    assert words(PAST) in person.text and "research@example.org" in person.text
    assert 'href="/change-your-mind/take-back"' not in person.html
    person.get("/resume")  # any page with a form, for a CSRF token
    refused = person.client.post("/change-your-mind/take-back",
                                 data={"csrf_token": person.csrf_token()})
    assert refused.status_code == 403 and "research@example.org" in refused.get_data(as_text=True)
    assert len(list(app.extensions["consent_kit"].store.iter_responses("youth"))) == 1


def test_without_a_deadline_the_promise_is_any_time(make_app):
    app = make_app(forms={"youth.yaml": SURVEY.replace("withdraw_until: {until}\n", "")},
                   examples=False)
    person = Participant(app.test_client())
    person.complete("youth", {"club": "Chess"})
    assert "take back your answers at any time" in person.text


def test_the_reference_is_shown_once_and_forgotten_after_a_while(make_app, monkeypatch):
    app = app_until(make_app, FUTURE)
    person = Participant(app.test_client())
    reference = person.complete("youth", {"club": "Chess"})
    again = person.get("/s/youth/done").get_data(as_text=True)
    assert "Thank you" in again and reference not in again  # the next person can't read it
    assert reference in person.get("/s/youth/your-copy").get_data(as_text=True)  # copy: a while
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert person.get("/s/youth/your-copy").status_code == 302
    assert person.get("/s/youth/done").status_code == 302
    with person.client.session_transaction() as session:
        assert "youth" not in session.get("done", {})


def test_i_have_finished_clears_this_device(make_app):
    app = app_until(make_app, FUTURE)
    person = Participant(app.test_client())
    person.complete("youth", {"club": "Chess"})
    assert "I've finished, clear this page" in person.text
    person.client.post("/leave", data={"survey": "youth", "to": "start"})
    assert person.get("/s/youth/your-copy").status_code == 302
    assert person.get("/s/youth/done").status_code == 302


@pytest.mark.parametrize("until", [FUTURE])
def test_thank_you_cookie_ends_with_the_browser(make_app, until):
    app = app_until(make_app, until)
    client = app.test_client()
    person = Participant(client)
    person.complete("youth", {"club": "Chess"})
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None and cookie.expires is None  # not kept for a day


def test_a_typed_reference_is_forgotten_after_a_while(make_app, monkeypatch):
    """The next person on a shared phone can't see, change or take back someone's answers."""
    app = app_until(make_app, FUTURE)
    person = Participant(app.test_client())
    reference = person.complete("youth", {"club": "Chess"})
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    assert person.path == "/change-your-mind/yours"
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert person.get("/change-your-mind/yours").status_code == 302
    assert person.get("/change-your-mind/take-back").status_code == 302
