"""A question whose words hold an earlier answer (``${name}``) on the studio's and the public pages.

Findings, quotes, co-analysis and the import report show a question's words with a
stand-in, never a raw ``${name}``: on studio pages "[answer to club]", on the public
findings page "your answer to ‘Which club?’" (a chart is everyone's, never one person's).
"""

from __future__ import annotations

import html

import pytest
from test_findings import build, publish, signed_in

from consent_kit.testing import Participant, make_instance

PIPED_CLUB = """\
id: club
title: The youth club
description: Some questions about the club.
consent:
  information:
    - heading: What this is
      text: We ask about the club.
  statements:
    - id: take_part
      text: I want to take part.
    - id: quote
      text: You can use my words in the report.
      required: false
      allows_quotes: true
questions:
  - id: place
    type: short_text
    label: Which club do you go to?
  - id: fun
    type: single_choice
    label: "Is ${place} fun?"
    choices: [Yes, No]
  - id: words
    type: long_text
    label: "What should change at ${place}?"
    required: false
"""
EDIT = "/studio/surveys/club/findings"


@pytest.fixture
def app(tmp_path):
    app = build(make_instance(tmp_path / "instance", {"club.yaml": PIPED_CLUB}))
    for n in range(6):
        person = Participant(app.test_client())
        person.start("club")
        person.agree("club", statements=["take_part", "quote"])
        person.answer_until_check({"place": f"Club {n}", "fun": "Yes", "words": f"More trips {n}."})
        person.send()
    return app


def page(browser, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def test_findings_pages_say_whose_answer_never_the_code(app):
    rae = signed_in(app, "rae")
    studio = page(rae, EDIT)
    assert "${" not in studio and "Is [answer to place] fun?" in studio  # the chart list
    assert rae.post(EDIT, {"action": "counts", "question_id": "fun", "kind": "chart"}).status_code == 302
    quotes = page(rae, f"{EDIT}/quotes")
    assert "${" not in quotes and "What should change at [answer to place]?" in quotes
    publish(app, rae)
    public = page(Participant(app.test_client()).client, "/f/club")
    assert "${" not in public
    assert "Is your answer to ‘Which club do you go to?’ fun?" in public


def test_co_analysis_pages_say_whose_answer(app):
    rae = signed_in(app, "rae")
    for url in ("/studio/surveys/club/analysis", "/studio/surveys/club/analysis/words/code"):
        text = page(rae, url)
        assert "${" not in text, url
    assert "What should change at [answer to place]?" in text
