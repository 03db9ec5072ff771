"""A whole survey built, checked, approved, published, answered and exported in a real browser
(issue 14, "Done when").

Entirely in the browser, at 360 px wide with JavaScript off: a peer researcher signs in and
builds a survey with a yes/no question, a single choice shown only after "Yes" (skip logic), a
scale and a free-text question; the consent starts from the kind template, gets an optional
statement that lets people be quoted, and its starting words block "Check before you publish"
until they are replaced; the support page gets a local service; a thank-you voucher is set up
with codes uploaded; a question gets a Welsh label and an Easy Read picture. A second member
approves; the researcher publishes. A participant answers (leaving the optional statement
unticked), and the researcher's export says which version they answered: Version 1.

The page loads from sign-in to published are counted and printed (issue 14 asked for 25 or
fewer; a smaller survey took 34 before).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from conftest import serving
from PIL import Image

from consent_kit.app import create_app
from consent_kit.testing import PASSWORD, make_instance

PHONE = {"width": 360, "height": 740}
#: Page loads from the sign-in page to "Published version 1" (issue 14 aimed at 25 or fewer).
MOST_PAGE_LOADS = 25
TITLE = "Our youth club"
QUESTIONS = (("Yes or no", "Do you go to a youth club?", ""),
             ("Choose one", "How often do you go?", "Every week\nEvery month\nLess often"),
             ("Scale", "How much do you like it?", ""),
             ("Long answer", "What would make it better?", ""))


@pytest.fixture
def studio(tmp_path):
    """rae and ros, researchers in Alpha, which needs a second member's approval."""
    folder = make_instance(tmp_path / "instance", examples=False)
    app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
    accounts = app.extensions["consent_kit_studio"].accounts
    accounts.create_project("Alpha")
    for name in ("rae", "ros"):
        accounts.create_user(name, "researcher", PASSWORD)
        accounts.set_member("alpha", name, "researcher")
    app.extensions["consent_kit_builder"].set_requires_approval("alpha", True)
    with serving(app, "whole-survey-server") as url:
        yield app, url


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/studio/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def files(tmp_path):
    """A phone photo with where it was taken in it, and a file of voucher codes."""
    picture = tmp_path / "club.jpg"
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    Image.new("RGB", (120, 80), (30, 120, 200)).save(picture, "JPEG", exif=exif.tobytes())
    codes = tmp_path / "codes.csv"
    codes.write_text("code\nTHANKS-1\nTHANKS-2\nTHANKS-3\n")
    return picture, codes


def build(page, base: str, tmp_path) -> str:
    """Everything up to "Check before you publish"; returns the survey's id."""
    page.get_by_role("link", name="Alpha").first.click()
    page.get_by_role("link", name="Start a new survey").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill("A few questions about the youth club.")
    page.get_by_role("button", name="Start the survey").click()
    survey_id = re.search(r"/surveys/([^/]+)/build$", page.url).group(1)

    # Four questions, one page each, without going back to the outline in between.
    page.get_by_role("link", name="Add a page", exact=True).click()
    for number, (kind, label, choices) in enumerate(QUESTIONS):
        page.get_by_label(kind, exact=True).check()
        page.get_by_label("The question (or, for information, the words people read)").fill(label)
        if choices:
            page.get_by_label("Choices, one on each line (for questions with choices)").fill(choices)
        last = number == len(QUESTIONS) - 1
        page.get_by_role("button", name="Add a page" if last else
                         "Add it, then add another page").click()

    # Skip logic and an Easy Read picture, on one question's page.
    picture, codes = files(tmp_path)
    page.get_by_role("link", name=re.compile(r"^Change\W+How often do you go\?$")).click()
    page.get_by_label("Only show this if the answer to").select_option(
        label="Do you go to a youth club?")
    page.get_by_label("this answer").select_option(label="Yes")
    page.get_by_label("Easy Read words").fill("How often do you go to the club?")
    page.get_by_label("Picture (optional)").set_input_files(str(picture))
    page.get_by_label(re.compile("What the picture shows")).fill("A calendar with weeks ticked")
    page.get_by_role("button", name="Save").last.click()
    assert "Only shown if the answer to ‘Do you go to a youth club?’ is ‘Yes’." in (
        page.inner_text("main"))

    # A local service on the support page.
    page.get_by_role("link", name="Support and leaving safely").click()
    page.locator("#contact-3-name").fill("Our youth club's support worker")
    page.locator("#contact-3-phone").fill("01234 567890")
    page.get_by_role("button", name="Save").click()

    # A thank-you voucher, with codes.
    page.get_by_role("link", name="Thank-you payments").click()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("What people get, in plain words").fill("a £10 voucher")
    page.get_by_label("What one payment costs, for the budget").fill("10")
    page.get_by_label("A voucher code on the screen, from codes you upload").check()
    page.get_by_label("Upload voucher codes").set_input_files(str(codes))
    page.get_by_role("button", name="Save").click()
    assert "3 voucher codes added." in page.inner_text("main")

    # A Welsh label, beside the English words.
    page.get_by_role("link", name="Languages").click()
    page.get_by_label("Language to translate into").select_option("cy")
    page.get_by_role("button", name="Show the words").click()
    page.get_by_label(re.compile(r"^In Cymraeg \(Welsh\): Do you go to a youth club")).fill(
        "Wyt ti'n mynd i glwb ieuenctid?")
    page.get_by_role("button", name="Save").click()
    return survey_id


def check_fix_and_publish(page, approve) -> None:
    """The check blocks on the starting words, passes once fixed; approved, then published."""
    page.get_by_role("link", name="Check before you publish").click()
    main = page.inner_text("main")
    assert "‘What is this project?’ still has the starting words. Write your own." in main
    assert page.get_by_role("button", name="Yes, publish this version").is_disabled()
    page.get_by_role("link", name=re.compile(r"^Fix it")).first.click()
    for number in range(4):
        page.locator(f"#text-{number}").fill(f"Our own words for part {number + 1}. We keep "
                                             "your answers safe.")
    page.get_by_label("What people agree to").fill(
        "You can use my words in the report, without my name.")
    page.get_by_label("No: people can say no and still take part").check()
    page.get_by_label("People who agree to this may be quoted").check()
    page.get_by_role("button", name="Save").click()
    main = page.inner_text("main")  # back on the check page
    assert "Nothing stops this survey from being published." in main
    assert page.get_by_role("button", name="Yes, publish this version").is_disabled()
    approve()
    page.reload()
    page.get_by_role("button", name="Yes, publish this version").click()
    assert "Published version 1. People now see it." in page.inner_text("main")


def answer(page, base: str, survey_id: str) -> None:
    """A participant on a phone: agrees to take part but not to be quoted, and answers."""
    page.goto(f"{base}/s/{survey_id}")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("I have read the information and I want to take part.").check()
    page.get_by_role("button", name="I agree, take part").click()
    page.get_by_role("button", name="Continue").click()  # the welcome page
    # The question in Welsh, from the language list at the top, then back to English.
    page.get_by_role("link", name="Cymraeg").click()
    assert "Wyt ti'n mynd i glwb ieuenctid?" in page.inner_text("main")
    page.get_by_role("link", name="English").click()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Every week").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What would make it better?").fill("Open on Sundays.")
    page.get_by_role("button", name="Continue").click()
    assert "Check your answers" in page.inner_text("main")
    page.get_by_role("button", name="Send").click()
    assert "a £10 voucher" in page.inner_text("main")


def test_a_whole_survey_built_checked_published_answered_and_exported_in_the_browser(
        new_context, studio, tmp_path):
    app, base = studio
    context = new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    loads = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and loads.append(frame.url))

    sign_in(page, base, "rae")
    survey_id = build(page, base, tmp_path)

    def approve() -> None:
        """ros, on a phone too, approves from the survey's outline."""
        other = new_context(viewport=PHONE, java_script_enabled=False).new_page()
        sign_in(other, base, "ros")
        other.goto(f"{base}/studio/surveys/{survey_id}/build")
        other.get_by_role("button", name="Approve version 1").click()
        assert "approved" in other.inner_text("main").lower()

    check_fix_and_publish(page, approve)
    print(f"\nPage loads from sign-in to published: {len(loads)}")
    assert len(loads) <= MOST_PAGE_LOADS, loads
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    live = app.extensions["consent_kit"].catalog.get(survey_id)
    first, often = live.questions[1], live.questions[2]
    assert first.label.translations["cy"] == "Wyt ti'n mynd i glwb ieuenctid?"
    picture = often.media["easy_read"]["image"]
    assert picture.startswith(f"pictures/{survey_id}/") and often.media["easy_read"]["alt"]
    [quotes] = [s for s in live.consent.statements if s.allows_quotes]
    assert quotes.required is False
    assert len(live.support.contacts) == 4

    participant = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    answer(participant, base, survey_id)
    served = participant.request.get(f"{base}/s/{survey_id}/formats/picture/{picture}")
    assert served.status == 200 and served.headers["content-type"] == "image/jpeg"
    assert b"SecretCam" not in served.body()

    page.goto(f"{base}/studio/surveys/{survey_id}/export")
    page.get_by_label(re.compile("CSV")).first.check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    with open(download.value.path(), encoding="utf-8-sig") as exported:
        rows = list(csv.DictReader(io.StringIO(exported.read())))
    assert [row["version"] for row in rows] == ["1"]  # "Version 1", the one that was approved
