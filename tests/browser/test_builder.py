"""The survey builder in a real browser with JavaScript off: create, add a question with skip
logic, preview, publish; axe (WCAG 2.2 A/AA) on each builder page on the way."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import serving
from browser_walk import AXE_TAGS

from consent_kit.app import create_app
from consent_kit.testing import make_instance

PASSWORD = "orange river bicycle"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


@pytest.fixture
def studio_server(tmp_path):
    """An app with rae, a researcher in the project Alpha, served on 127.0.0.1."""
    folder = make_instance(tmp_path / "instance")
    app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
    accounts = app.extensions["consent_kit_studio"].accounts
    accounts.create_user("rae", "researcher", PASSWORD)
    accounts.create_project("Alpha")
    accounts.set_member("alpha", "rae", "researcher")
    with serving(app, "studio server") as url:
        yield app, url


def test_build_a_survey_with_javascript_off(new_context, studio_server):
    app, base = studio_server
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    axe, problems = Axe(), []

    def checked(what: str) -> None:
        """axe the page as it is now. axe is a script, so it runs in a second browser tab
        with JavaScript on and the same cookies; the walk itself never runs any."""
        seen = new_context(storage_state=context.storage_state()).new_page()
        seen.goto(page.url)
        found = axe.run(seen, options=AXE_OPTIONS).response["violations"]
        problems.extend(f"{what}: {v['id']} ({len(v['nodes'])})" for v in found)
        seen.close()

    page.goto(f"{base}/studio/login")
    page.get_by_label("Username").fill("rae")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Create.
    page.goto(f"{base}/studio/projects/alpha/surveys/new")
    page.get_by_label("Title").fill("Jobs and money")
    page.get_by_label("Description").fill("A few questions about work.")
    page.get_by_role("button", name="Start the survey").click()
    assert page.url.endswith("/studio/surveys/jobs-and-money/build")
    checked("outline")

    # A page with a yes/no question, then one shown only after "Yes".
    for label, kind in (("Do you have a job?", "Yes or no"), ("What is your job?", "Short answer")):
        page.get_by_role("link", name="Add a page", exact=True).click()
        page.get_by_label(kind, exact=True).check()
        page.get_by_label("The question (or, for information, the words people read)").fill(label)
        page.get_by_role("button", name="Add a page").click()
    page.get_by_role("link", name=re.compile(r"^Change\W+What is your job\?$")).click()
    checked("question")
    page.get_by_label("Only show this if the answer to").select_option(label="Do you have a job?")
    page.get_by_label("this answer").select_option(label="Yes")
    page.get_by_role("button", name="Save").last.click()
    assert "Only shown if the answer to ‘Do you have a job?’ is ‘Yes’." in page.inner_text("main")

    # Check before you publish: the consent's starting words block it until they are changed.
    page.get_by_role("link", name="Check before you publish").click()
    checked("check before you publish")
    assert "4 things stop this survey from being published." in page.inner_text("main")
    assert page.get_by_role("button", name="Yes, publish this version").is_disabled()
    # Every section is on one page, which comes back here after saving.
    page.get_by_role("link", name=re.compile(r"^Fix it")).first.click()
    checked("what people read")
    for number in range(4):
        page.locator(f"#text-{number}").fill(f"Our own words, part {number + 1}.")
    page.get_by_role("button", name="Save").click()
    assert "Nothing stops this survey from being published." in page.inner_text("main")
    page.get_by_role("link", name="Not yet: go back to the survey").click()

    # Preview: "No" skips the job question; nothing is stored.
    page.get_by_role("link", name="Preview the survey as people will see it").click()
    assert "Preview" in page.inner_text("main")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("link", name="Continue").click()  # what people read
    page.get_by_label("I have read the information and I want to take part.").check()
    page.get_by_role("button", name="I agree, take part").click()
    page.get_by_role("button", name="Continue").click()  # the welcome page
    checked("preview question")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    assert "Check your answers" in page.inner_text("main")
    assert "What is your job?" not in page.inner_text("main")
    page.get_by_role("button", name="Send").click()
    assert "nothing was sent or kept" in page.inner_text("main")
    assert app.extensions["consent_kit"].store.count_responses() == 0

    # Publish: people can now open it.
    page.get_by_role("link", name="Back to the builder").last.click()
    page.get_by_role("link", name="Check before you publish").click()
    assert "Added the question ‘What is your job?’." in page.inner_text("main") or (
        "This is the first version" in page.inner_text("main"))
    page.get_by_role("button", name="Yes, publish this version").click()
    assert "Published version 1. People now see it." in page.inner_text("main")
    assert re.search(r"Version 1, published \d+ \w+ 20\d\d, \d\d:\d\d UK time by rae\.",
                     page.inner_text("main"))
    page.goto(f"{base}/s/jobs-and-money")
    assert page.get_by_role("heading", name="Jobs and money").is_visible()
    assert problems == [], problems


@pytest.mark.parametrize("width", [320, 1280])
def test_the_outline_and_the_check_page_fit_a_phone_and_pass_axe(new_context, studio_server,
                                                                 width):
    app, base = studio_server
    app.extensions["consent_kit_studio"].accounts.assign_survey("have-your-say", "alpha")
    context = new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{base}/studio/login")
    page.get_by_label("Username").fill("rae")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    problems = []
    build = "/studio/surveys/have-your-say/build"
    for path in (build, build + "/publish", build + "/support", "/studio/",
                 build + "/thank-you", build + "/languages?language=cy", build + "/consent/all",
                 build + "/easy-read", build + "/questions/age_group", "/studio/clock"):
        page.goto(base + path)
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if sideways > 0:
            problems.append(f"{path}: {sideways}px of sideways scrolling")
        found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
        problems += [f"{path}: {v['id']} ({len(v['nodes'])})" for v in found]
    assert problems == [], problems
