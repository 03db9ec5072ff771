"""The hello plugin's own tests. The fixtures (make_app) come from consent_kit.testing,
which consent-kit installs as a pytest plugin."""

import click
import consent_kit_hello
from click.testing import CliRunner

from consent_kit.testing import Participant

SURVEY = """\
title: How was the session?
description: One question about how you feel after today.
questions:
  - id: mood
    type: feelings
    label: How do you feel after today's session?
"""


def test_feelings_question_can_be_answered_from_start_to_finish(make_app):
    app = make_app(plugins=[consent_kit_hello], forms={"session.yaml": SURVEY}, examples=False)
    person = Participant(app.test_client())
    person.begin("session")
    assert "Neither happy nor unhappy" in person.text
    assert '<span aria-hidden="true">' in person.html  # faces are decoration; words are read
    person.answer_until_check({"mood": "4"})
    assert "Happy" in person.text  # "Check your answers" shows the words
    reference = person.send()
    assert reference
    [response] = app.extensions["consent_kit"].store.iter_responses("session")
    assert response.answers == {"mood": "4"}


def test_feelings_refuses_an_answer_that_is_not_shown(make_app):
    app = make_app(plugins=[consent_kit_hello], forms={"session.yaml": SURVEY}, examples=False)
    person = Participant(app.test_client())
    person.begin("session")
    person.answer_page({"mood": "9"})
    assert "/page/" in person.path and 'class="error-summary"' in person.html


def test_hello_page_says_hello_in_plain_words(make_app):
    app = make_app(plugins=[consent_kit_hello])
    page = app.test_client().get("/hello/")
    assert page.status_code == 200
    assert "<h1>Hello</h1>" in page.get_data(as_text=True)


def test_hello_command():
    group = click.Group("consent-kit")
    consent_kit_hello.register_commands(cli=group)
    result = CliRunner().invoke(group, ["hello"])
    assert result.exit_code == 0
    assert "Hello from the consent-kit-hello plugin." in result.output
