"""Versions people can read (issue 14, §4): "Version 2, published 2 December 2026 by rae".

The number is on the outline, in exports (a ``version`` column beside the
code) and in the data dictionary; codes only inside "Technical details".
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from test_builder_web import BUILD, publish, send, signed_in, words_on

from consent_kit.results.dictionary import dictionary_rows
from consent_kit.results.versions import version_numbers
from consent_kit.survey.model import Condition, Page, Question, Survey
from consent_kit.testing import PASSWORD, Participant, audit_entries, populate

HEX = re.compile(r"\b[0-9a-f]{16}\b")
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


@pytest.fixture
def app(make_app):
    app = make_app()
    accounts = populate(app)
    accounts.create_user("ros", "researcher", PASSWORD)
    accounts.set_member("alpha", "ros", "researcher")
    return app


def outside_details(html: str) -> str:
    """The words people see without opening "Technical details" (no tags, no attributes)."""
    return re.sub(r"<[^>]+>", " ", re.sub(r"<details.*?</details>", "", html, flags=re.S))


def test_the_outline_names_versions_in_words_and_keeps_codes_in_technical_details(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    text = words_on(rae.get(build))
    assert "Version 1. It is open for answers." in text  # loaded from its file: no publisher
    send(rae, build + "/details", {"title": "Your say", "description": "Words."})
    assert "They will be version 2." in words_on(rae.get(build))
    assert publish(rae, "have-your-say").status_code == 302
    page = rae.get(build).get_data(as_text=True)
    assert re.search(r"Version 2, published \d+ \w+ \d{4}, \d\d:\d\d UK time by rae\.",
                     words_on(rae.get(build)))
    assert not HEX.search(outside_details(page)) and not ISO.search(outside_details(page))
    assert HEX.search(page)  # still there for whoever needs it, behind the disclosure
    assert [e["details"]["number"] for e in audit_entries(app, "survey_published")] == [2]


def test_closing_and_opening_again_is_not_a_new_version(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    send(rae, build + "/status", {"status": "closed"}, page=build)
    send(rae, build + "/status", {"status": "open"}, page=build)
    store = app.extensions["consent_kit"].store
    numbers = version_numbers(store.table("survey_versions").all(), "have-your-say")
    assert len(numbers) == 2 and set(numbers.values()) == {1}
    assert "Version 1. It is open for answers." in words_on(rae.get(build))


def test_exports_have_the_version_number_beside_its_code(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    app.extensions["consent_kit_studio"].accounts.assign_survey("have-your-say", "alpha")
    answers = {"age_group": "14-16", "care_experience": "yes",
               "services_used": ["A youth club"], "visits": "3", "how_good": "4",
               "trusted_adult": "yes", "what_helps": "They listen.",
               "make_better": "Open later.", "sport_ideas": "climbing"}
    Participant(app.test_client()).complete("have-your-say", answers)
    send(rae, build + "/details", {"title": "Your say", "description": "Words."})
    assert publish(rae, "have-your-say").status_code == 302
    Participant(app.test_client()).complete("have-your-say", answers)
    rae.get("/studio/surveys/have-your-say/export")
    response = rae.post("/studio/surveys/have-your-say/export", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["version"] for r in rows] == ["1", "2"]
    assert rows[0]["survey_version"] != rows[1]["survey_version"]
    response = rae.post("/studio/surveys/have-your-say/export", {"format": "dictionary"})
    dictionary = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["version"] for r in dictionary} == {"2"}
    assert any(r["column"] == "version" for r in dictionary)


def test_the_dictionary_states_page_level_skip_logic():
    shown = Condition("job", "equals", "yes")
    survey = Survey("s", "S", "", (
        Page("p1", "P1", (Question("job", "yes_no", "Job?"),)),
        Page("p2", "P2", (Question("pay", "number", "Pay?",
                                   show_if=Condition("job", "not_equals", "no")),),
             show_if=shown)), "v1")
    [pay] = [r for r in dictionary_rows(survey) if r["column"] == "pay"]
    assert pay["shown_only_if"] == "page: job equals yes; job not_equals no"


def test_studio_pages_after_real_activity_show_no_machine_text(app):
    rae, ros, ada = (signed_in(app, n) for n in ("rae", "ros", "ada"))
    ada.post("/studio/projects/alpha/approval", {"require_approval": "yes"})
    app.extensions["consent_kit_studio"].accounts.assign_survey("have-your-say", "alpha")
    build = BUILD.format("have-your-say")
    send(rae, build + "/details", {"title": "Your say", "description": "Words."})
    send(ros, build + "/approve", page=build)
    assert publish(rae, "have-your-say").status_code == 302
    send(rae, build + "/details", {"title": "Your say again", "description": "Words."})
    pages = ["/studio/", "/studio/projects/alpha", build, build + "/publish", build + "/details",
             build + "/support", build + "/consent", "/studio/surveys/have-your-say",
             "/studio/surveys/have-your-say/results", "/studio/surveys/have-your-say/export"]
    for who in (rae, ros):
        for path in pages:
            response = who.get(path)
            assert response.status_code == 200, path
            shown = outside_details(response.get_data(as_text=True).split("<main", 1)[1])
            assert not HEX.search(shown), (path, HEX.search(shown).group())
            assert not ISO.search(shown), (path, ISO.search(shown).group())
            assert "user:" not in shown and "Traceback" not in shown, path
