"""Making sense of the answers in a real browser with JavaScript off, at 320 and 1280 px:
code an answer by keyboard, see agreement; axe (WCAG 2.2 A/AA) on every page, no sideways scroll."""

from __future__ import annotations

import pytest
from analysis_support import TALK, add_answers
from axe_playwright_python.sync_playwright import Axe
from browser_support import serving
from browser_walk import AXE_TAGS

from consent_kit.analysis.codebook import THEMES, Codebook
from consent_kit.analysis.coding import Coding
from consent_kit.app import create_app
from consent_kit.testing import PASSWORD, make_instance

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
@pytest.fixture
def analysis_server(tmp_path):
    """rae and kim, researchers in Alpha, with 12 answers, two themes and a blind sample."""
    folder = make_instance(tmp_path / "instance", {"talk.yaml": TALK}, examples=False)
    app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
    accounts = app.extensions["consent_kit_studio"].accounts
    accounts.create_project("Alpha")
    for name in ("rae", "kim"):
        accounts.create_user(name, "researcher", PASSWORD)
        accounts.set_member("alpha", name, "researcher")
    accounts.assign_survey("talk", "alpha")
    add_answers(app, [f"More trips out, and a later bus home ({i})" for i in range(12)])
    kit = app.extensions["consent_kit"]
    book = Codebook(kit.store.documents(THEMES))
    trips = book.save("talk", "Trips out", "Going places together", "a trip to the sea")
    bus = book.save("talk", "Getting home", "Buses and lifts")
    coding = Coding(kit.store)
    coding.make_sample("talk", "better", [], 0, ["rae", "kim"], "rae", "2026-12-01T10:00:00Z")
    ids = [f"r{i:02d}" for i in range(6)]
    kit.store.documents("analysis_samples").update({"response_ids": ids}, survey_id="talk")
    for n, response_id in enumerate(ids):
        coding.save("talk", "better", response_id, "kim", [trips.id] if n % 2 else [bus.id], "",
                    "2026-12-01T10:00:00Z")
        coding.save("talk", "better", response_id, "rae", [trips.id], "", "2026-12-01T10:00:00Z")
    with serving(app, "analysis server") as url:
        yield app, url


@pytest.mark.parametrize("width", [320, 1280])
def test_the_analysis_pages_pass_axe_and_fit_the_screen(new_context, analysis_server, width):
    app, base = analysis_server
    context = new_context(java_script_enabled=False, viewport={"width": width, "height": 800})
    page = context.new_page()
    axe, problems = Axe(), []

    def checked(what: str) -> None:
        seen = new_context(storage_state=context.storage_state(),
                           viewport={"width": width, "height": 800}).new_page()
        seen.goto(page.url)
        found = axe.run(seen, options=AXE_OPTIONS).response["violations"]
        problems.extend(f"{what}: {v['id']} ({len(v['nodes'])})" for v in found)
        overflow = seen.evaluate("document.documentElement.scrollWidth")
        if overflow > width:
            problems.append(f"{what}: {overflow} px wide at {width} px")
        seen.close()

    page.goto(f"{base}/studio/login")
    page.get_by_label("Username").fill("rae")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/studio/surveys/talk")
    page.get_by_role("link", name="Make sense of the answers together: themes and coding").click()
    checked("overview")
    page.get_by_role("link", name="Your themes (2)").click()
    checked("themes")
    page.get_by_role("link", name="Trips out").click()
    checked("one theme")
    page.goto(f"{base}/studio/surveys/talk/analysis/better/code")
    checked("coding")
    # Keyboard only: tick a theme with the space bar, then send the form with Enter.
    page.get_by_label("Getting home").focus()
    page.keyboard.press("Space")
    page.get_by_label("A note for the team (optional)").fill("Late buses again")
    page.get_by_role("button", name="Save and go to the next one").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Answer 8 of 12" in page.content()  # on to the next one rae hadn't looked at
    mine = Coding(app.extensions["consent_kit"].store).by_coder("talk", "better", "rae")
    assert mine["r06"]["memo"] == "Late buses again"
    page.goto(f"{base}/studio/surveys/talk/analysis/better/agreement")
    assert "Talk it through" in page.content()
    checked("agreement")
    assert problems == []
