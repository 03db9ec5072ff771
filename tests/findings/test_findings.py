"""Findings pages: written in the studio, approved by a second member, read by people who took part."""

from __future__ import annotations

import html
import re

import pytest

from consent_kit import Response, SurveyError
from consent_kit.app import create_app
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.testing import PASSWORD, Browser, Participant, copy_instance, make_instance, populate

CLUB = """\
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
  - id: fun
    type: single_choice
    label:
      en: Is the club fun?
      cy: Ydy'r clwb yn hwyl?
      ar: هل النادي ممتع؟
    choices: [Yes, No]
  - id: rare
    type: single_choice
    label: Do you come on Sundays?
    required: false
    choices: [Yes, No]
  - id: words
    type: long_text
    label: What should change?
    required: false
"""
SETTINGS = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "CATALOG_CHECK_SECONDS": 0}
EDIT = "/studio/surveys/club/findings"
PUBLIC = "/f/club"


def build(folder, plugins=(), **settings):
    """rae and sam (researchers) and vic (viewer) in alpha, which has the club survey."""
    app = create_app({**SETTINGS, **settings}, instance=folder, load_entrypoints=False,
                     plugins=plugins)
    accounts = populate(app)
    accounts.create_user("sam", "researcher", PASSWORD)
    accounts.set_member("alpha", "sam", "researcher")
    accounts.assign_survey("club", "alpha")
    return app


@pytest.fixture
def app(tmp_path):
    return build(make_instance(tmp_path / "instance", {"club.yaml": CLUB}))


def take_part(app, answers: dict, *, quotes: bool = True) -> tuple[Participant, str]:
    """One person answers the club survey, agreeing to be quoted or not; returns them and their reference."""
    person = Participant(app.test_client())
    person.start("club")
    person.agree("club", statements=["take_part", "quote"] if quotes else ["take_part"])
    person.answer_until_check(answers)
    return person, person.send()


def signed_in(app, username: str) -> Browser:
    browser = Browser(app)
    assert browser.login(username).status_code == 302
    return browser


def store(app):
    return app.extensions["consent_kit"].store


def response_of(app, words: str):
    return next(r for r in store(app).iter_responses("club") if r.answers.get("words") == words)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def add(browser: Browser, **form):
    return browser.post(EDIT, form)


def add_quote(browser: Browser, response) -> object:
    return add(browser, action="quote", response_id=response.id, question_id="words")


def publish(app, writer: Browser):
    """sam approves what rae wrote, and publishes it."""
    sam = signed_in(app, "sam")
    assert sam.post(f"{EDIT}/publish", {"action": "approve"}).status_code == 302
    assert sam.post(f"{EDIT}/publish", {"action": "publish"}).status_code == 302
    return sam


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """Six people: four agreed to be quoted, two did not; two answered the Sunday question.

    Four more answers to "Is the club fun?" came on paper (no consent record),
    so both its counts are 5 or more. Returns the folder and the six references.
    """
    folder = make_instance(tmp_path_factory.mktemp("findings") / "instance", {"club.yaml": CLUB})
    app = build(folder)
    references = [take_part(app, answers, quotes=quotes)[1] for answers, quotes in (
        ({"fun": "Yes", "rare": "Yes", "words": "More trips to the sea."}, True),
        ({"fun": "Yes", "rare": "No", "words": "Longer opening hours."}, True),
        ({"fun": "No", "words": "A quiet room."}, True),
        ({"fun": "Yes", "words": "Cheaper food."}, True),
        ({"fun": "Yes", "words": "My name is Sam Jones."}, False),
        ({"fun": "No", "words": "Nothing."}, False))]
    kit = app.extensions["consent_kit"]
    survey = kit.catalog.get("club")
    for number, fun in enumerate(("No", "No", "No", "Yes")):
        kit.record_response(Response(
            id=f"paper-{number}", survey_id="club", survey_version=survey.version,
            answers={"fun": fun, "words": "Written on paper."},
            submitted_at="2026-11-20T10:00:00Z", reference="", source="paper"), survey)
    return folder, references


@pytest.fixture
def answered(template, tmp_path):
    folder, references = template
    copy = tmp_path / "instance"
    copy_instance(folder, copy)
    return create_app(SETTINGS, instance=copy, load_entrypoints=False), references


def take_back(app, reference: str) -> None:
    person = Participant(app.test_client())
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.get("/change-your-mind/take-back")
    person.post("/change-your-mind/take-back")


def test_a_findings_page_with_a_chart_a_table_and_two_quotes(answered):
    app, _ = answered
    rae = signed_in(app, "rae")
    assert add(rae, action="section", heading="What you told us",
               text="Most of you **like** the club.\n\n<script>alert(1)</script>").status_code == 302
    assert add(rae, action="counts", question_id="fun", kind="chart").status_code == 302
    assert add(rae, action="counts", question_id="fun", kind="table").status_code == 302
    assert add_quote(rae, response_of(app, "More trips to the sea.")).status_code == 302
    assert add_quote(rae, response_of(app, "A quiet room.")).status_code == 302
    studio_page = text_of(rae.get(EDIT))
    assert studio_page.count('<svg class="chart"') == 1 and "A quiet room." in studio_page
    publish(app, rae)

    page = Participant(app.test_client()).get(PUBLIC)
    text = text_of(page)
    assert page.status_code == 200
    assert "<strong>like</strong>" in page.get_data(as_text=True)
    assert "<script>" not in page.get_data(as_text=True)  # sanitised like consent text
    assert text.count('<svg class="chart"') == 1 and text.count("<table") == 2
    assert '>Yes</th><td class="num">5</td>' in text and '>No</th><td class="num">5</td>' in text
    assert "More trips to the sea." in text and "A quiet room." in text
    assert text.count("Someone who took part") == 2
    assert "<script" not in re.sub(r"<script src=[^>]+></script>", "", page.get_data(as_text=True))
    assert len(page.get_data()) <= 30 * 1024
    # Nothing that could point at a person: no reference, no time, no answer id.
    for response in [r for r in store(app).iter_responses("club") if r.reference]:
        assert response.id not in text and response.reference not in text
        assert response.submitted_at[:16] not in text


def test_a_quote_from_someone_who_did_not_agree_cannot_be_added(answered):
    app, _ = answered
    rae = signed_in(app, "rae")
    quotes_page = text_of(rae.get(f"{EDIT}/quotes"))
    assert "More trips to the sea." in quotes_page
    assert "My name is Sam Jones." not in quotes_page and "Nothing." not in quotes_page
    response = add_quote(rae, response_of(app, "My name is Sam Jones."))
    assert response.status_code == 400
    assert "did not agree to be quoted" in text_of(response)
    book = store(app).documents("findings").get(survey_id="club")
    assert book is None or not [i for i in book["items"] if i["kind"] == "quote"]


def test_taking_answers_back_removes_a_published_quote(answered):
    app, people = answered
    rae = signed_in(app, "rae")
    add(rae, action="section", heading="What you told us", text="Thank you.")
    add_quote(rae, response_of(app, "More trips to the sea."))
    add_quote(rae, response_of(app, "Longer opening hours."))
    publish(app, rae)
    assert "More trips to the sea." in text_of(Participant(app.test_client()).get(PUBLIC))

    take_back(app, people[0])

    text = text_of(Participant(app.test_client()).get(PUBLIC))
    assert "More trips to the sea." not in text
    assert "Longer opening hours." in text
    assert text.count("A quote was taken out because the person who said it changed their mind.") == 1
    # The plugin took it off the stored page too, not only the view.
    book = store(app).documents("findings").get(survey_id="club")
    assert [i["kind"] for i in book["published"]["items"]] == ["section", "removed_quote", "quote"]


def test_unticking_quotes_later_hides_the_quote(answered):
    app, people = answered
    rae = signed_in(app, "rae")
    add_quote(rae, response_of(app, "Longer opening hours."))
    publish(app, rae)
    person = Participant(app.test_client())
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": people[1]})
    person.post("/change-your-mind/change", {"statement-take_part": "yes"})  # "quote" unticked
    text = text_of(Participant(app.test_client()).get(PUBLIC))
    assert "Longer opening hours." not in text
    assert "A quote was taken out" in text


def test_a_chart_from_fewer_than_five_answers_shows_no_numbers(answered):
    app, _ = answered
    rae = signed_in(app, "rae")
    add(rae, action="counts", question_id="rare", kind="chart")  # only two people answered
    publish(app, rae)
    text = text_of(Participant(app.test_client()).get(PUBLIC))
    main = text[text.index("<main"):text.index("You said, we did")]
    assert "Fewer than 5 people answered this, so we don't show the numbers." in main
    assert "<svg" not in main and "<table" not in main
    assert not re.search(r">\s*[0-9]+\s*<", main)  # not a single count anywhere


def test_publishing_needs_a_second_members_approval(answered):
    app, _ = answered
    rae = signed_in(app, "rae")
    add(rae, action="section", heading="What you told us", text="Thank you.")
    refused = rae.post(f"{EDIT}/publish", {"action": "publish"})
    assert refused.status_code == 400 and "needs to approve" in text_of(refused)
    refused = rae.post(f"{EDIT}/publish", {"action": "approve"})
    assert refused.status_code == 400 and "You made the last change" in text_of(refused)
    assert "not finished yet" in text_of(Participant(app.test_client()).get(PUBLIC))

    sam = publish(app, rae)
    assert "What you told us" in text_of(Participant(app.test_client()).get(PUBLIC))
    # A change after approval needs approving again; the published page stays as approved.
    add(rae, action="section", heading="Something new", text="More.")
    refused = rae.post(f"{EDIT}/publish", {"action": "publish"})
    assert refused.status_code == 400
    assert "Something new" not in text_of(Participant(app.test_client()).get(PUBLIC))
    # sam approves rae's change; but sam can't approve sam's own.
    assert sam.post(f"{EDIT}/publish", {"action": "approve"}).status_code == 302
    sam.post(EDIT, {"action": "section", "heading": "From sam", "text": "Hello."})
    assert sam.post(f"{EDIT}/publish", {"action": "approve"}).status_code == 400
    actions = [e["action"] for e in store(app).iter_audit() if e["action"].startswith("findings_")]
    assert actions == ["findings_approve", "findings_publish", "findings_approve"]


def test_the_reference_shows_what_happened_to_your_answers(answered):
    app, people = answered
    rae = signed_in(app, "rae")
    add_quote(rae, response_of(app, "More trips to the sea."))
    publish(app, rae)

    reader = Participant(app.test_client())
    reader.get(PUBLIC)
    assert "Type your reference" in reader.text
    reader.post(PUBLIC, {"code": people[0]})
    assert "Your answers are in these findings." in reader.text
    assert "Some of your words are on this page." in reader.text
    assert people[0] not in reader.text  # the reference is not shown back

    reader.get(PUBLIC)
    reader.post(PUBLIC, {"code": people[3].lower().replace("-", " ")})  # typed loosely
    assert "Your answers are in these findings." in reader.text
    assert "Some of your words" not in reader.text

    reader.get(PUBLIC)
    wrong = reader.post(PUBLIC, {"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 400 and "We can't find that reference" in reader.text
    assert 'href="#code"' in reader.html  # the error summary leads to the box


def test_guessing_references_is_limited_per_address(answered):
    app, _ = answered
    rae = signed_in(app, "rae")
    add(rae, action="section", heading="What you told us", text="Thank you.")
    publish(app, rae)
    app.config["CODE_ATTEMPTS_PER_MINUTE"] = 3
    reader = Participant(app.test_client())
    reader.get(PUBLIC)
    token = reader.csrf_token()
    codes = [reader.client.post(PUBLIC, data={"csrf_token": token, "code": "AAAAA-AAAAA"}).status_code
             for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_you_said_we_did_is_dated_and_newest_first(answered):
    app, _ = answered
    rae = signed_in(app, "rae")
    add(rae, action="said_did", date="2026-10-01", said="The club shuts too early.",
        did="It stays open until 9 now.")
    add(rae, action="said_did", date="2026-11-20", said="The food costs too much.",
        did="Food is free on Fridays.")
    wrong = add(rae, action="said_did", date="next week", said="x", did="y")
    assert wrong.status_code == 400 and "Enter a date like 2026-11-26" in text_of(wrong)
    publish(app, rae)
    text = text_of(Participant(app.test_client()).get(PUBLIC))
    assert "20 November 2026" in text and "1 October 2026" in text
    assert text.index("Food is free on Fridays.") < text.index("It stays open until 9 now.")


def test_the_thank_you_page_says_where_findings_will_be(app):
    rae = signed_in(app, "rae")
    person, _ = take_part(app, {"fun": "Yes"})
    assert "/f/club" not in person.html  # no promise the team hasn't made
    add(rae, action="promise", promise="in the spring")
    person, _ = take_part(app, {"fun": "Yes"})
    assert "We will share what we found out here (in the spring):" in person.text
    assert 'href="/f/club"' in person.html
    person.get("/s/club/your-copy")  # the copy people keep has the whole address written out
    assert "We will share what we found out (in the spring) at http://localhost/f/club" in person.text


@pytest.mark.parametrize("lang, direction, label", [("cy", "ltr", "Ydy'r clwb yn hwyl?"),
                                                     ("ar", "rtl", "هل النادي ممتع؟")])
def test_welsh_and_arabic_findings_pages(answered, lang, direction, label):
    app, _ = answered
    rae = signed_in(app, "rae")
    add(rae, action="counts", question_id="fun", kind="table")
    publish(app, rae)
    text = text_of(Participant(app.test_client()).get(f"{PUBLIC}?lang={lang}"))
    assert f'<html lang="{lang}" dir="{direction}">' in text
    assert f"<caption>{label}</caption>" in text


def test_survey_files_mark_a_statement_as_allowing_quotes(app):
    types = app.extensions["consent_kit"].question_types
    survey = load_survey_text(CLUB, path="forms/club.yaml", question_types=types)
    assert [s.allows_quotes for s in survey.consent.statements] == [False, True]
    with pytest.raises(SurveyError) as error:
        load_survey_text(CLUB.replace("allows_quotes: true", "allows_quotes: please"),
                         path="forms/club.yaml", question_types=types)
    [problem] = error.value.problems
    line = next(n for n, text in enumerate(CLUB.splitlines(), 1) if "allows_quotes" in text)
    assert (problem.path, problem.line) == ("forms/club.yaml", line)
    assert "'allows_quotes' must be true or false" in problem.message


def test_the_survey_task_list_links_to_findings_for_researchers_only(app):
    rae_page = text_of(signed_in(app, "rae").get("/studio/surveys/club"))
    assert "Findings to share" in rae_page and 'href="/studio/surveys/club/findings"' in rae_page
    assert "Findings to share" not in text_of(signed_in(app, "vic").get("/studio/surveys/club"))


def test_without_a_quotes_statement_no_quote_can_be_added(tmp_path):
    app = build(make_instance(tmp_path / "instance",
                              {"club.yaml": CLUB.replace("      allows_quotes: true\n", "")}))
    take_part(app, {"fun": "Yes", "words": "More trips to the sea."})
    rae = signed_in(app, "rae")
    assert "lets you use people's words" in text_of(rae.get(EDIT))
    response = add_quote(rae, response_of(app, "More trips to the sea."))
    assert response.status_code == 400


def test_two_researchers_saving_at_once_keep_both_changes(app, monkeypatch):
    from consent_kit.findings import studio_views

    rae, sam = signed_in(app, "rae"), signed_in(app, "sam")
    add(rae, action="section", heading="First", text="One.")
    stale = studio_views.load(app.extensions["consent_kit"], "club")
    add(sam, action="section", heading="From sam", text="Two.")
    # rae's page was read before sam saved: rae's change must not write over sam's.
    monkeypatch.setattr(studio_views, "load", lambda kit, survey_id: stale)
    add(rae, action="section", heading="From rae", text="Three.")
    book = store(app).documents("findings").get(survey_id="club")
    assert [i["heading"] for i in book["items"]] == ["First", "From sam", "From rae"]
    assert book["changed_by"] == "rae" and book["revision"] == 3
