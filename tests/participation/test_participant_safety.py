"""Participants can always leave and find support, on every page they can reach (issue 15 item 2).

Also: leaving and finishing end the participant's session, so the next person on
a shared phone sees nothing of theirs (issue 23 item 8), and the safe defaults
for surveys that don't say (issue 15 item 5).
"""

from __future__ import annotations

import re

import pytest

from consent_kit.survey.model import DEFAULT_EXIT_URL
from consent_kit.testing import Participant

OWN = """\
id: own
title: Our club survey
description: A short survey.
time_to_complete: about 2 minutes
exit_page: https://www.example.org/weather
support:
  intro: If this was hard, you are not alone.
  contacts:
    - name: Local helpline
      phone: "0800 000 000"
consent:
  information:
    - id: what
      heading: What is this?
      text: A survey about clubs.
  check_understanding:
    - id: stop
      question: Can you stop at any time?
      choices: ["Yes", "No"]
      answer: "Yes"
      explained_in: what
  statements:
    - id: take_part
      text: I want to take part
questions:
  - id: club
    type: short_text
    label: What is your favourite club?
    required: false
"""

BARE = """\
id: bare
title: A bare survey
description: No support, no exit page, no time.
questions:
  - id: club
    type: short_text
    label: What is your favourite club?
"""

OFF = """\
id: quiet
title: Opening times
description: About the club's opening times.
exit_page: off
exit_page_reason: The questions are only about opening times.
questions:
  - id: when
    type: short_text
    label: When should the club open?
"""

CLOSED = BARE.replace("id: bare", "id: gone").replace("description:", "status: closed\ndescription:")


@pytest.fixture
def app(make_app):
    return make_app(forms={"own.yaml": OWN, "bare.yaml": BARE, "quiet.yaml": OFF,
                           "gone.yaml": CLOSED}, examples=False)


def header(html: str) -> str:
    return re.search(r"<header>(.*?)</header>", html, re.S).group(1)


def exit_and_support(html: str) -> tuple[str | None, str | None]:
    """Where "Leave this page" goes and where the header's support link goes, on one page."""
    top = header(html)
    leave = re.search(r'<form method="post" action="/leave" data-exit="([^"]+)"', top)
    support = re.search(r'<a class="support-link" href="([^"]+)"', top)
    return (leave.group(1) if leave else None), (support.group(1) if support else None)


def check_page(response, *, exit_url=DEFAULT_EXIT_URL, support="/support", name=""):
    html = response.get_data(as_text=True)
    assert exit_and_support(html) == (exit_url, support), (name or response.request.path)
    footer = re.search(r"<footer>(.*?)</footer>", html, re.S).group(1)
    assert f'href="{support}"' in footer.replace("&amp;", "&")


def test_every_participant_page_has_a_way_out_and_support(app):
    """Walk every page a participant can reach; each has both, for the survey it knows."""
    own = {"exit_url": "https://www.example.org/weather", "support": "/s/own/support"}
    person = Participant(app.test_client())
    # Pages that know no survey: the instance's own support page and exit.
    for url in ("/", "/resume", "/change-your-mind/", "/support", "/no-such-page",
                "/s/no-such-survey", "/s/gone", "/formats/display", "/j/NOPE1"):
        check_page(person.get(url), name=url)
    person.get("/resume")
    check_page(person.post("/resume", {"code": "AAAAA-AAAAA"}), name="resume, wrong code")
    person.get("/change-your-mind/")
    check_page(person.post("/change-your-mind/", {"code": "AAAAA-AAAAA"}), name="withdraw, wrong")
    # The whole journey through a survey with its own exit page and support.
    check_page(person.get("/s/own"), **own)
    check_page(person.get("/s/own/formats"), **own)
    check_page(person.post("/s/own/start"), **own)  # the information
    check_page(person.get("/s/own/consent/check"), **own)
    check_page(person.post("/s/own/consent/check", {"stop": "No"}), **own)
    check_page(person.get("/s/own/consent/agree"), **own)
    check_page(person.post("/s/own/consent/agree", {}), **own)  # with an error
    check_page(person.post("/s/own/consent/agree", {"statement-take_part": "yes"}), **own)
    page = person.path
    check_page(person.get(page), **own)
    check_page(person.get("/s/own/save"), **own)
    check_page(person.post("/s/own/save"), **own)
    code = re.search(r'class="code">([^<]+)<', person.html).group(1)
    check_page(person.get(f"/resume/{code}"), **own)  # the code names the survey
    check_page(person.get(page), **own)
    person.answer_page({"club": "Chess"})
    check_page(person.last, **own)  # check your answers
    reference = person.send()
    check_page(person.last, **own)  # thank you
    check_page(person.get("/s/own/your-copy"), **own)
    check_page(person.get("/s/own/support"), **own)
    # Change your mind: once the reference is typed, the page knows the survey.
    person.get("/change-your-mind/")
    check_page(person.post("/change-your-mind/", {"code": reference}), **own)
    check_page(person.get("/change-your-mind/take-back"), **own)
    check_page(person.post("/change-your-mind/take-back"), **own)
    # A page that ran out ("we couldn't find your answers").
    stranger = Participant(app.test_client())
    check_page(stranger.get("/s/own/consent/check"), **own)


def test_a_survey_without_support_or_exit_page_gets_safe_defaults(app):
    person = Participant(app.test_client())
    check_page(person.get("/s/bare"), support="/support?s=bare")
    page = person.get("/support?s=bare").get_data(as_text=True)
    assert "Samaritans" in page and "116 123" in page and "Childline" in page
    assert "A bare survey" in header(page)  # still that survey's page
    assert 'tel:116123' in page


def test_leave_this_page_can_be_switched_off_only_with_a_reason(app):
    html = Participant(app.test_client()).get("/s/quiet").get_data(as_text=True)
    assert exit_and_support(html) == (None, "/support?s=quiet")
    assert "exit.js" not in html


def test_leave_this_page_works_without_javascript_and_forgets_the_answers(app):
    """The button posts (no CSRF token needed), answers typed so far are gone, then away."""
    client = app.test_client()
    person = Participant(client)
    person.start("bare")
    person.post(person.path, {"club": "The secret club"})
    store = app.extensions["consent_kit"].store
    draft_id = _session(client)["drafts"]["bare"]
    assert "The secret club" in str(store.load_draft(draft_id))
    left = client.post("/leave", data={"survey": "bare"})
    assert left.status_code == 303 and left.headers["Location"] == DEFAULT_EXIT_URL
    assert store.load_draft(draft_id) is None  # deleted, not just forgotten
    assert "drafts" not in _session(client)
    again = person.get("/s/bare").get_data(as_text=True)
    assert ">Start now<" in again and ">Carry on<" not in again
    person.start("bare")
    assert "The secret club" not in person.text


def _session(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def test_leave_goes_to_the_surveys_exit_page_never_one_from_the_form(app):
    client = app.test_client()
    left = client.post("/leave", data={"survey": "own", "exit": "https://evil.example"})
    assert left.headers["Location"] == "https://www.example.org/weather"
    assert client.post("/leave").headers["Location"] == DEFAULT_EXIT_URL
