"""Drafts that can't fill the disk (issue 23 items 2 and 10).

Pressing Start writes nothing; starts and new drafts are limited per address;
the drafts folder has a ceiling; and a full disk while saving progress shows
the store's plain message with what was typed still on the page.
"""

from __future__ import annotations

import errno
import html
import re

import pytest

from consent_kit.testing import Participant

SURVEY = """
id: drafts
title: Drafts
description: A short survey for tests.
questions:
  - id: name
    type: short_text
    label: What is your name?
  - id: age
    type: number
    label: How old are you?
"""


def draft_files(app) -> list:
    return sorted((app.extensions["consent_kit"].store.data_dir / "drafts").glob("*.json"))


@pytest.fixture
def app(make_app):
    return make_app(forms={"drafts.yaml": SURVEY}, examples=False)


def send(person) -> str:
    """Press Send and return the reference shown on Thank you."""
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', person.html).group(1)
    person.post(person.path.rsplit("/", 1)[0] + "/submit", {"submission_id": submission_id})
    return re.search(r'class="code"[^>]*>([^<]+)<', person.html).group(1)


def _token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_500_starts_from_one_client_write_no_draft_and_are_limited(app):
    client = app.test_client()
    token = _token(client, "/s/drafts")
    statuses = [client.post("/s/drafts/start", data={"csrf_token": token}).status_code
                for _ in range(500)]
    assert statuses[:30] == [302] * 30
    assert set(statuses[30:]) == {429}
    assert draft_files(app) == []


def test_starts_write_nothing_even_when_the_limit_is_high(make_app):
    app = make_app(forms={"drafts.yaml": SURVEY}, examples=False, config={"STARTS_PER_MINUTE": 1000})
    client = app.test_client()
    token = _token(client, "/s/drafts")
    for _ in range(500):
        assert client.post("/s/drafts/start", data={"csrf_token": token}).status_code == 302
    assert draft_files(app) == []


def test_draft_is_written_with_the_first_answers_and_the_journey_goes_on(app):
    person = Participant(app.test_client())
    person.start("drafts")
    assert person.path.endswith("/page/name") and draft_files(app) == []
    person.answer_page({"name": "Sam"})
    assert len(draft_files(app)) == 1
    person.answer_page({"age": "15"})
    assert person.path.endswith("/check")
    assert "Sam" in person.text
    assert send(person)
    assert draft_files(app) == []


def test_a_survey_with_no_questions_can_still_be_sent(make_app):
    empty = ("id: nothing\ntitle: Nothing\ndescription: Nothing to answer.\n"
             "questions:\n  - id: note\n    type: info\n    label: Hello\n")
    app = make_app(forms={"nothing.yaml": empty}, examples=False)
    person = Participant(app.test_client())
    person.start("nothing")
    person.answer_until_check({})
    assert send(person)
    assert len(list(app.extensions["consent_kit"].store.iter_responses())) == 1


def test_new_drafts_per_address_are_limited_and_what_was_typed_is_kept(make_app):
    app = make_app(forms={"drafts.yaml": SURVEY}, examples=False,
                   config={"NEW_DRAFTS_PER_MINUTE": 2})
    for _ in range(2):
        person = Participant(app.test_client())
        person.start("drafts")
        person.answer_page({"name": "Kept"})
        assert person.path.endswith("/page/age")
    third = Participant(app.test_client())
    third.start("drafts")
    third.answer_page({"name": "Robin Typed"})
    assert third.last.status_code == 503
    assert "a lot of people have started this survey from here" in third.text
    assert 'value="Robin Typed"' in third.html
    assert len(draft_files(app)) == 2


def test_a_full_drafts_folder_refuses_new_drafts_plainly_but_not_people_part_way(app):
    app.extensions["consent_kit"].store._drafts.max_drafts = 1
    first = Participant(app.test_client())
    first.start("drafts")
    first.answer_page({"name": "First"})
    second = Participant(app.test_client())
    second.start("drafts")
    second.answer_page({"name": "Second Typed"})
    assert second.last.status_code == 503
    assert "a lot of people are using this survey" in second.text
    assert 'value="Second Typed"' in second.html
    first.answer_page({"age": "15"})  # someone part-way through carries on
    assert first.path.endswith("/check")
    assert len(draft_files(app)) == 1


@pytest.fixture
def disk_full(monkeypatch):
    """Every write through the store's atomic writer fails with ENOSPC while on."""
    from consent_kit.store import files

    state = {"full": True}
    real = files.write_all

    def write_all(fd, data):
        if state["full"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(files, "write_all", write_all)
    return state


def test_disk_full_on_a_question_page_shows_the_plain_message_and_keeps_the_typing(app, disk_full):
    person = Participant(app.test_client())
    person.start("drafts")
    person.answer_page({"name": "Alex Typed"})
    assert person.last.status_code == 503
    assert person.path.endswith("/page/name")
    text = html.unescape(person.html)
    assert "run out of space" in text
    assert 'value="Alex Typed"' in person.html
    assert "<title>Error:" in person.html
    assert draft_files(app) == []
    disk_full["full"] = False
    person.answer_page({"name": "Alex Typed"})
    assert person.path.endswith("/page/age")


def test_disk_full_on_a_later_page_keeps_earlier_answers(app, disk_full):
    disk_full["full"] = False
    person = Participant(app.test_client())
    person.start("drafts")
    person.answer_page({"name": "Jo"})
    disk_full["full"] = True
    person.answer_page({"age": "17"})
    assert person.last.status_code == 503
    assert 'value="17"' in person.html
    disk_full["full"] = False
    person.get("/s/drafts/page/name")
    assert 'value="Jo"' in person.html


def test_disk_full_during_consent_is_a_plain_page_not_a_crash(ck_app, disk_full):
    person = Participant(ck_app.test_client())
    person.start("have-your-say")
    assert "/consent" in person.path
    person.agree("have-your-say")
    assert person.last.status_code == 503
    assert "run out of space" in person.text



def test_start_page_says_carry_on_only_once_something_is_kept(app):
    person = Participant(app.test_client())
    person.start("drafts")
    assert ">Start now<" in person.get("/s/drafts").get_data(as_text=True)
    person.post("/s/drafts/start")
    person.answer_page({"name": "Sam"})
    assert ">Carry on<" in person.get("/s/drafts").get_data(as_text=True)


def test_someone_part_way_can_get_a_save_code_when_the_folder_is_full(app):
    app.extensions["consent_kit"].store._drafts.max_drafts = 1
    person = Participant(app.test_client())
    person.start("drafts")
    person.answer_page({"name": "Sam"}, extra={"save": "1"})
    person.post(person.path)  # "Save my answers"
    assert person.last.status_code == 200
    code = re.search(r'class="code"[^>]*>([^<]+)<', person.html).group(1)
    assert len(draft_files(app)) == 1
    other = Participant(app.test_client())
    other.get("/resume")
    other.post("/resume", {"code": code})
    assert other.path.endswith("/page/age")
