"""What a phone shows on the question pages (issue 15 items 7, 9, 10, 11).

Error messages that say what to do for each question (GOV.UK), a page count
that never goes up, exclusive answers ("None of these"), scales that don't
wrap, and a site name that is never the toolkit's.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from consent_kit.survey.fields import instruction_from_label
from consent_kit.testing import Participant, errors_on

ERRORS = """
id: errors
title: Errors
description: A page of questions to leave empty.
pages:
  - id: all
    title: About you
    questions:
      - id: age
        type: single_choice
        label: How old are you?
        choices: [Under 16, 16 or over]
      - id: visits
        type: number
        label: About how many times did you go?
      - id: services
        type: multiple_choice
        label: Which services have you used?
        choices: [A youth club, A sports club, None of these]
      - id: trusted
        type: yes_no
        label: Do you have a trusted adult?
      - id: name
        type: short_text
        label: What is your name?
      - id: postcode
        type: short_text
        label: Your postcode
      - id: own
        type: short_text
        label: Where do you live?
        validation:
          message: Tell us your town
      - id: count_a
        type: number
        label: How many brothers?
        required: false
      - id: count_b
        type: number
        label: How many sisters?
        required: false
  - id: last
    questions:
      - id: done
        type: short_text
        label: Anything else?
        required: false
"""


@pytest.fixture
def app(make_app):
    return make_app(forms={"errors.yaml": ERRORS}, examples=False)


def summary(person) -> list[str]:
    return [html.unescape(m) for m in errors_on(person.html)]


def test_each_error_says_what_to_do_for_its_own_question(app):
    person = Participant(app.test_client())
    person.start("errors")
    person.answer_page({"count_a": "lots", "count_b": "many"})
    assert person.last.status_code == 200
    assert summary(person) == [
        "Choose how old you are",
        "Enter a number for ‘About how many times did you go?’",
        "Choose which services you have used",
        "Choose yes if you have a trusted adult",
        "Enter your name",
        "Enter an answer to ‘Your postcode’",
        "Tell us your town",  # the researchers' own words win
        "Enter a number, like 16, for ‘How many brothers?’",
        "Enter a number, like 16, for ‘How many sisters?’",
    ]
    assert len(set(summary(person))) == len(summary(person))
    # Next to each question, the same instruction (bare where it stands by its question).
    assert 'id="age-error"><span class="visually-hidden">Error:</span> Choose how old you are' in person.html


@pytest.mark.parametrize(("label", "yes_no", "words"), [
    ("How old are you?", False, "how old you are"),
    ("Which of these have you been to in the last year?", False,
     "which of these you have been to in the last year"),
    ("What's your name?", False, "your name"),
    ("Who is your trusted adult?", False, "who your trusted adult is"),
    ("Where do you live?", False, "where you live"),
    ("How good was it?", False, "how good it was"),
    ("Do you have care experience?", True, "yes if you have care experience"),
    ("Are you in care now?", True, "yes if you are in care now"),
    # Shapes it can't turn round safely: the message quotes the question instead.
    ("What does that person do that helps you?", False, None),
    ("How many times did you go?", False, None),
    ("How good are youth services near you?", False, None),
    ("Your age", False, None),
    ("Did you go?", True, None),
    ("Is it fun? Tell us.", False, None),
])
def test_labels_turned_into_instructions(label, yes_no, words):
    assert instruction_from_label(label, yes_no=yes_no) == words


def test_errors_in_another_language_quote_the_question(app):
    person = Participant(app.test_client())
    person.get("/s/errors?lang=cy")
    person.post("/s/errors/start")
    person.answer_page({})
    messages = summary(person)
    assert not any(m.startswith("Choose how old") for m in messages), messages
    assert any("‘How old are you?’" in m for m in messages), messages


EXCLUSIVE = """
id: exclusive
title: Exclusive
description: Exclusive answers.
questions:
  - id: services
    type: multiple_choice
    label: Which services have you used?
    prefer_not_to_say: true
    choices:
      - A youth club
      - A sports club
      - None of these
  - id: clubs
    type: multiple_choice
    label: Which clubs do you go to?
    choices:
      - Football
      - label: I don't go to any
        value: no_clubs
        exclusive: true
  - id: pets
    type: multiple_choice
    label: Which pets do you have?
    choices:
      - Dog
      - label: None
        exclusive: false
"""


@pytest.fixture
def exclusive_app(make_app):
    return make_app(forms={"exclusive.yaml": EXCLUSIVE}, examples=False)


def test_none_of_these_is_exclusive_on_the_server(exclusive_app):
    person = Participant(exclusive_app.test_client())
    person.start("exclusive")
    page = person.html
    assert len(re.findall(r'<p class="or">', page)) == 1  # before "None of these", not again
    assert page.index('<p class="or">') < page.index("None of these") < page.index("Prefer not to say")
    person.answer_page({"services": ["A youth club", "None of these"]})
    assert summary(person) == ["Choose ‘None of these’ or other answers, not both"]
    assert 'value="A youth club" checked' in person.html  # what was ticked is kept
    person.answer_page({"services": ["None of these"]})
    assert person.path.endswith("/page/clubs")


def test_a_choice_marked_exclusive_in_the_file_stands_alone(exclusive_app):
    person = Participant(exclusive_app.test_client())
    person.start("exclusive")
    person.answer_page({"services": ["A sports club"]})
    assert '<p class="or">' in person.html
    person.answer_page({"clubs": ["Football", "no_clubs"]})
    assert summary(person) == ["Choose ‘I don't go to any’ or other answers, not both"]
    person.answer_page({"clubs": ["no_clubs"]})
    assert person.path.endswith("/page/pets")
    assert '<p class="or">' not in person.html  # 'exclusive: false' turns the guess off
    person.answer_page({"pets": ["Dog", "None"]})
    assert person.path.endswith("/check")


def test_exclusive_must_be_true_or_false_with_the_line(make_app):
    broken = EXCLUSIVE.replace("exclusive: true", "exclusive: sometimes").replace("id: exclusive", "id: bad")
    app = make_app(forms={"bad.yaml": broken}, examples=False)
    problems = [str(p) for p in app.extensions["consent_kit"].catalog.broken["bad"]]
    line = broken.splitlines().index("        exclusive: sometimes") + 1
    assert any("'exclusive' must be true or false" in p and f":{line}:" in p for p in problems), problems


SCALES = """
id: scales
title: Scales
description: Two scales.
pages:
  - id: both
    questions:
      - id: five
        type: scale
        label: How good was it?
      - id: eleven
        type: scale
        label: How likely are you to come again?
        min: 0
        max: 10
"""


def test_a_long_scale_is_a_list_on_a_phone_on_purpose(make_app):
    app = make_app(forms={"scales.yaml": SCALES}, examples=False)
    person = Participant(app.test_client())
    person.start("scales")
    assert person.html.count('<div class="scale">') == 1
    assert person.html.count('<div class="scale long">') == 1
    css = (Path(__file__).parents[2] / "consent_kit" / "web" / "static" / "ck.css").read_text()
    assert ".scale{display:flex;flex-wrap:nowrap" in css


def test_progress_shown_never_goes_up_on_the_example(ck_app):
    from test_participant import HAVE_YOUR_SAY

    person = Participant(ck_app.test_client())
    person.begin("have-your-say")
    totals = []
    answers = dict(HAVE_YOUR_SAY, trusted_adult="yes", services_used=["Sports or activities"])
    for _ in range(20):
        if person.path.endswith("/check"):
            break
        number, total = map(int, re.search(r"Page (\d+) of (\d+)", person.html).groups())
        assert number == len(totals) + 1
        totals.append(total)
        person.answer_page(answers)
    assert totals == sorted(totals, reverse=True) and totals[-1] == len(totals)


def test_the_site_name_people_see_is_never_the_toolkits(make_app):
    plain = make_app(examples=True)
    page = plain.test_client().get("/").get_data(as_text=True)
    assert "consent-kit" not in re.search(r"<header>.*?</header>", page, re.S).group(0)
    assert "consent-kit" not in re.search(r"<title>.*?</title>", page, re.S).group(0)


def test_the_organisations_name_is_shown_when_set(make_app):
    named = make_app(config={"SITE_NAME": "Youth Voice Leeds"})
    page = named.test_client().get("/").get_data(as_text=True)
    assert "Youth Voice Leeds" in re.search(r"<header>.*?</header>", page, re.S).group(0)
