"""accessible_formats in the researchers' area: recordings and typing in paper answers."""

from __future__ import annotations

import html
import io

import pytest
from accessible_support import formats_instance

from consent_kit.app import create_app
from consent_kit.testing import Browser, populate

SETTINGS = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "CATALOG_CHECK_SECONDS": 0}
BASE = "/studio/surveys/formats-demo/formats"
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)


@pytest.fixture
def app(tmp_path):
    app = create_app(SETTINGS, instance=formats_instance(tmp_path / "instance"),
                     load_entrypoints=False)
    populate(app).assign_survey("formats-demo", "alpha")
    return app


@pytest.fixture
def rae(app):
    browser = Browser(app)
    assert browser.login("rae").status_code == 302
    return browser


def store(app):
    return app.extensions["consent_kit"].store


def actions(app) -> list[str]:
    return [entry["action"] for entry in store(app).iter_audit()]


def test_formats_page_lists_every_question_and_section(rae):
    page = rae.get(BASE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for words in ("What is this?", "Do you like the club?", "Why not?", "Type in answers from paper"):
        assert words in text


def upload(browser, data: bytes, item="likes"):
    return browser.post(f"{BASE}/recording", {
        "kind": "question", "item_id": item, "action": "upload",
        "recording": (io.BytesIO(data), "my voice.wav")}, follow=True,
        content_type="multipart/form-data")


def test_a_recording_is_kept_and_put_on_record(rae, app):
    page = upload(rae, WAV)
    assert "Saved. People who choose Listen now hear your recording." in page.get_data(as_text=True)
    kept = app.instance_path + "/accessible_formats/recordings/formats-demo/question-likes.wav"
    with open(kept, "rb") as file:
        assert file.read() == WAV
    assert "recording_added" in actions(app)


def test_a_file_that_is_not_a_recording_is_refused_plainly(rae, app):
    page = upload(rae, b"<script>alert(1)</script>")
    assert "That file isn't a recording we can play." in html.unescape(page.get_data(as_text=True))
    assert "recording_added" not in actions(app)


def test_a_recording_for_something_not_in_the_survey_is_not_found(rae):
    assert upload(rae, WAV, item="../../etc").status_code == 404


def paper_form(extra: dict | None = None) -> dict:
    return {"agreed_on_paper": "yes", "likes": "Often", "visits": "3", **(extra or {})}


def test_paper_answers_are_stored_with_source_paper(rae, app):
    assert rae.get(f"{BASE}/paper").status_code == 200
    done = rae.post(f"{BASE}/paper", paper_form(), follow=True)
    assert "stored as from paper" in done.get_data(as_text=True)
    [response] = store(app).iter_responses("formats-demo")
    assert response.source == "paper"
    assert response.answers == {"likes": "Often", "visits": 3}
    assert "paper_answers_entered" in actions(app)


def test_paper_answers_are_checked_like_online_answers(rae, app):
    page = rae.post(f"{BASE}/paper", paper_form({"visits": "lots", "likes": ""}))
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert 'id="error-summary"' in text
    assert "Enter a number" in text and "Choose an answer" in text
    assert 'value="lots"' in text  # nothing typed is lost
    assert list(store(app).iter_responses("formats-demo")) == []


def test_paper_answers_need_the_paper_consent(rae, app):
    page = rae.post(f"{BASE}/paper", paper_form({"agreed_on_paper": ""}))
    assert page.status_code == 400
    assert "agreed on the paper form" in page.get_data(as_text=True)
    assert list(store(app).iter_responses("formats-demo")) == []


def test_answers_the_paper_skip_rule_hides_are_not_kept(rae, app):
    rae.post(f"{BASE}/paper", paper_form({"why": "Too far away"}), follow=True)
    [response] = store(app).iter_responses("formats-demo")
    assert "why" not in response.answers  # only asked after "Not really"
    rae.post(f"{BASE}/paper", paper_form({"likes": "Not really", "why": "Too far away"}), follow=True)
    kept = [r.answers.get("why") for r in store(app).iter_responses("formats-demo")]
    assert "Too far away" in kept


def test_the_survey_page_in_the_studio_links_to_other_formats(rae):
    page = rae.get("/studio/surveys/formats-demo").get_data(as_text=True)
    assert f'href="{BASE}"' in page
