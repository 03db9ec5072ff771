"""Importing a questionnaire in a real browser, on phones (360 and 320 px) and a desktop (issue 18 item 1).

A researcher goes from "Start a new survey" to the Import page, uploads an
XLSForm with JavaScript off, reads the report and opens the draft in the
builder. The form, a refused file and the report pass axe (WCAG 2.2 A/AA)
and nothing scrolls sideways.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import serving
from browser_walk import AXE_TAGS

from consent_kit.app import create_app
from consent_kit.testing import PASSWORD, make_instance, populate

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
PHONE = {"width": 360, "height": 740}
FORM = Path(__file__).parents[1] / "data" / "interop" / "own" / "youth-services.xlsx"


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    folder = make_instance(tmp_path_factory.mktemp("import") / "instance")
    app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
    populate(app)
    with serving(app, "import-test-server") as url:
        yield url


def _problems(page, checker, axe: Axe) -> list[str]:
    """axe violations (checked in a tab with JavaScript on, same cookies) and sideways scroll."""
    found = []
    checker.goto(page.url)
    assert checker.url == page.url, f"the axe tab landed on {checker.url}"
    for v in axe.run(checker, options=AXE_OPTIONS).response["violations"]:
        found.append(f"{page.url}: {v['id']} ({len(v['nodes'])}): {v['help']}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        found.append(f"{page.url}: scrolls sideways ({width} px wide)")
    return found


@pytest.mark.parametrize("width", [360, 320, 1280])
def test_import_without_javascript(new_context, studio, tmp_path, width):
    phone = {**PHONE, "width": width}
    context = new_context(viewport=phone, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{studio}/studio/login")
    page.get_by_label("Username").fill("rae")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    checker = new_context(viewport=phone, storage_state=context.storage_state()).new_page()
    axe, problems = Axe(), []

    page.goto(f"{studio}/studio/projects/alpha/surveys/new")
    page.get_by_role("link", name="Import a questionnaire from ODK, KoboToolbox or REDCap").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Import a questionnaire"
    problems += _problems(page, checker, axe)

    # A file of the wrong kind: refused, in words, with the form ready to try again.
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a questionnaire")
    page.get_by_label("Questionnaire file").set_input_files(wrong)
    page.get_by_role("button", name="Import").click()
    assert "Choose an XLSForm" in page.locator(".error-summary").inner_text()
    problems += _axe_on_copy(page, new_context, axe)

    page.get_by_label("Questionnaire file").set_input_files(FORM)
    page.get_by_role("button", name="Import").click()
    # Each run imports the same file again: it becomes another survey (youth-services-2...).
    found = re.search(r"/studio/surveys/(youth-services(?:-\d+)?)/imported$", page.url)
    assert found, page.url
    survey_id = found.group(1)
    assert page.get_by_role("heading", level=1).inner_text() == "What came in from youth-services.xlsx"
    assert "15 of 21 questions came in." in page.inner_text("main")
    assert "calculate ‘total_score’: not imported" in page.inner_text("main")
    problems += _problems(page, checker, axe)

    page.get_by_role("link", name="Open the survey in the builder").click()
    assert page.url.endswith(f"/studio/surveys/{survey_id}/build")
    assert problems == [], "\n".join(problems)


def _axe_on_copy(page, new_context, axe: Axe) -> list[str]:
    """axe on a page that answered a POST (it can't be opened again in the axe tab).

    JavaScript is off in the researcher's tab, so axe runs on a copy of the page's HTML in a
    fresh tab with scripts on, at the same width, with its stylesheet from the same server.
    """
    html = page.content().replace("<head>", f'<head><base href="{page.url}">', 1)
    tab = new_context(viewport=page.viewport_size).new_page()
    tab.set_content(html)
    found = [f"{page.url} (refused file): {v['id']}: {v['help']}"
             for v in axe.run(tab, options=AXE_OPTIONS).response["violations"]]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        found.append(f"{page.url} (refused file): scrolls sideways ({width} px wide)")
    return found
