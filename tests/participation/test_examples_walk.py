"""Both example surveys, walked end to end as a participant would (issue 15 item 14).

With the testing ``Participant`` helper: every page on the way has "Leave this
page" and a support link, the understanding check lets a wrong answer through,
the demo's words don't contradict its questions, and have-your-say has Easy
Read words that show when Easy Read is chosen.
"""

from __future__ import annotations

import re

import pytest

from consent_kit.testing import Participant

ANSWERS = {
    "have-your-say": {"age_group": "14-16", "care_experience": "prefer_not_to_say",
                      "services_used": ["A youth club"], "visits": "3", "how_good": "4",
                      "trusted_adult": "yes", "what_helps": "Listens", "make_better": "More clubs"},
    "event-feedback": {"enjoyed": "4", "felt_welcome": "a-bit", "welcome_better": "Name badges",
                       "come_again": "yes"},
}


@pytest.fixture
def app(make_app):
    return make_app()  # the example surveys, as `consent-kit init` makes them


def way_out_and_support(html: str) -> bool:
    top = re.search(r"<header>(.*?)</header>", html, re.S).group(1)
    return 'action="/leave"' in top and 'class="support-link"' in top


def walk(person, survey_id: str, answers: dict) -> list[str]:
    """Start, get every understanding question wrong, agree, answer, send; every page's path."""
    seen = []

    def keep():
        assert person.last.status_code == 200, (person.path, person.last.status_code)
        assert way_out_and_support(person.html), person.path
        seen.append(person.path)

    person.start(survey_id)
    keep()
    survey = person.client.application.extensions["consent_kit"].catalog.get(survey_id)
    if survey.consent is not None:
        if person.path.endswith("/consent/version"):
            person.post(person.path, {"variant": ""})
            keep()
        if survey.consent.checks:
            person.get(f"/s/{survey_id}/consent/check")
            wrong = {c.id: next(ch.value for ch in c.choices if ch.value != c.answer)
                     for c in survey.consent.checks}
            person.post(person.path, wrong)
            keep()
            person.post(person.path, {**wrong, "explained": "yes"})
        else:
            person.get(f"/s/{survey_id}/consent/agree")
        keep()
        boxes = re.findall(r'name="(statement-[^"]+)"', person.html)
        person.post(f"/s/{survey_id}/consent/agree", dict.fromkeys(boxes, "yes"))
    for _ in range(20):
        keep()
        if person.path.endswith("/check"):
            break
        before = person.path
        person.answer_page(answers)
        assert person.path != before, f"stuck on {before}"
    reference = person.send()
    keep()
    assert reference
    return seen


@pytest.mark.parametrize("survey_id", ["have-your-say", "event-feedback"])
def test_each_example_can_be_walked_to_thank_you(app, survey_id):
    person = Participant(app.test_client())
    seen = walk(person, survey_id, ANSWERS.get(survey_id, {}))
    assert seen[-1].endswith("/done") and any(p.endswith("/check") for p in seen)
    assert len(list(app.extensions["consent_kit"].store.iter_responses(survey_id))) == 1


def test_demo_never_promises_an_empty_answer_it_would_refuse(app):
    """The information says most questions can be left empty and the others have a way out."""
    survey = app.extensions["consent_kit"].catalog.get("have-your-say")
    information = " ".join(s.text for s in survey.consent.sections)
    assert "leave a question empty" not in information
    for question in survey.questions:
        if question.required and question.type != "info":
            assert question.prefer_not_to_say, question.id  # "For the others, pick Prefer not to say"


def test_have_your_say_has_easy_read_and_it_shows_when_chosen(app):
    survey = app.extensions["consent_kit"].catalog.get("have-your-say")
    assert [q.id for q in survey.questions if "easy_read" in q.media]
    assert [s.id for s in survey.consent.sections if "easy_read" in s.media]
    person = Participant(app.test_client())
    person.start("have-your-say")
    person.post(person.path, {"variant": ""})
    assert "It is your choice to take part." not in person.text
    person.get("/s/have-your-say/formats")
    person.post("/s/have-your-say/formats", {"option": ["easy"], "next": "/s/have-your-say/consent"})
    assert "It is your choice to take part." in person.text
    welsh = person.get("/s/have-your-say/consent?lang=cy").get_data(as_text=True)
    assert "Eich dewis chi yw cymryd rhan." in welsh
