"""A peer researcher tries their survey with sample answers, in a real browser on a phone (issue 22 §1).

Signed in on a 360 px screen with JavaScript off, from the survey's page in the studio:
add 1,000 sample answers, see them counted (and said to be samples) on the results page,
then take them away: four presses (a link, a button, a link, a button), no command line.
"""

from __future__ import annotations

import pytest
from conftest import serving

from consent_kit.app import create_app
from consent_kit.testing import PASSWORD, make_instance, populate

SURVEY = "have-your-say"


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    folder = make_instance(tmp_path_factory.mktemp("samples") / "instance")
    app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
    populate(app)  # rae: a researcher in alpha, the project of have-your-say
    with serving(app, "samples-test-server") as url:
        yield url, app.extensions["consent_kit"].store


def _go(page, locator) -> None:
    """Press a button or follow a link, and wait for the page it leads to."""
    with page.expect_navigation(wait_until="load"):
        locator.click()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"sideways on {page.url}"


def test_a_researcher_adds_and_takes_away_sample_answers_on_a_phone(new_context, studio):
    base, store = studio
    page = new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False).new_page()
    page.goto(f"{base}/studio/login")
    page.get_by_label("Username").fill("rae")
    page.get_by_label("Password").fill(PASSWORD)
    _go(page, page.get_by_role("button", name="Sign in"))
    page.goto(f"{base}/studio/surveys/{SURVEY}")

    _go(page, page.get_by_role("link", name="Try the results and downloads with sample answers"))
    _fits(page)
    assert page.get_by_role("heading", name="Try it with sample answers", level=1).is_visible()
    assert page.get_by_text("This survey has no sample answers.").is_visible()
    assert page.get_by_label("1,000").is_checked()  # the size most people want is chosen already
    page.get_by_label("10,000").check()
    page.get_by_label("1,000", exact=True).check()
    _go(page, page.get_by_role("button", name="Add sample answers"))

    assert page.url.endswith(f"/studio/surveys/{SURVEY}/results")
    _fits(page)
    assert page.get_by_text("1,000 sample answers added.").is_visible()
    assert page.get_by_text("These results include 1,000 sample answers.").is_visible()
    assert page.get_by_text("1,000 answers in total.").is_visible()
    assert store.count_responses(SURVEY) == 1000

    _go(page, page.get_by_role("link", name="Take away the sample answers"))
    _fits(page)
    assert page.get_by_text("This takes away all 1,000 sample answers.").is_visible()
    _go(page, page.get_by_role("button", name="Take away the sample answers"))
    _fits(page)
    assert page.get_by_text("The sample answers are taken away. Real answers were not touched.").is_visible()
    assert page.get_by_text("This survey has no sample answers.").is_visible()
    assert store.count_responses(SURVEY) == 0
