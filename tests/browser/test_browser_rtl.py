"""Right to left: the pages anyone can open, in Arabic, pass axe at 320 and 1280 px and don't overflow.

The language is chosen once with ``?lang=ar`` (kept for the visit); the walk
then opens each page by its address, as the words on buttons are in Arabic.
The display options are on too (bigger text, Easy Read), so their layout is
checked right to left.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_formats import FORMATS_DEMO
from browser_support import NARROW, WIDE
from browser_walk import Walker

PAGES = ["/", "/s/have-your-say", "/s/have-your-say/support", "/resume", "/change-your-mind/",
         f"/s/{FORMATS_DEMO}/formats", f"/s/{FORMATS_DEMO}/formats/print",
         f"/s/{FORMATS_DEMO}/formats/large-print"]


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["320x640", "1280x800"])
def test_arabic_pages_pass_axe_right_to_left(new_context, live_server, viewport):
    context = new_context(viewport=viewport)
    walker = Walker(context.new_page(), live_server, context.guard, axe=Axe())
    walker.goto(f"/s/{FORMATS_DEMO}/formats?lang=ar")
    for box in walker.page.locator("input[name=option]").all():
        box.set_checked(box.get_attribute("value") in ("large", "easy"))
    walker.submit(walker.page.locator("form.af-options button[type=submit]"))
    problems = []
    for path in PAGES:
        walker.goto(path)
        direction = walker.page.evaluate("document.documentElement.dir")
        state = walker.record(f"arabic {path}")
        if direction != "rtl":
            problems.append(f"{path}: dir={direction!r}")
        if state.wcag_violations:
            problems.append(state.violation_report(state.wcag_violations))
        if state.scroll_width > viewport["width"]:
            problems.append(f"{path}: {state.scroll_width}px wide")
        if not any("/formats/style/large-easy" in r.url for r in state.loaded):  # -paper on print
            problems.append(f"{path}: the display options were not applied")
    assert problems == [], "\n".join(problems)


# A whole survey in Arabic -------------------------------------------------------------------
# The buttons' words are in Arabic, so this walk doesn't read them: on each page it answers
# whatever is asked (first choice, every box before an "or" ticked, "3" typed) and presses the page's main
# button. A "check you understood" answer that was wrong gets its next choice.

# The page's main action: a form's first button, or the "Continue" link on the information page.
MAIN_BUTTON = "main form:not(.af-options) button[type=submit], main a.button"
_RADIO_GROUPS = "els => [...new Set(els.map(e => e.name))]"


def _answer_everything(page, tries: dict[str, int]) -> None:
    """Answer what the page asks; a choice marked wrong (its explanation shown) moves to the next one."""
    for name in page.eval_on_selector_all("main input[type=radio]", _RADIO_GROUPS):
        if page.locator(f"#{name}-explain").count():
            tries[name] = tries.get(name, 0) + 1
        radios = page.locator(f"main input[type=radio][name='{name}']")
        radios.nth(min(tries.get(name, 0), radios.count() - 1)).check()
    # Every box, but none after an "or": those answers ("None of these") go alone.
    for box in page.locator("main form:not(.af-options) div.choice:not(p.or ~ div.choice) "
                            "> input[type=checkbox]").all():
        box.check()
    for field in page.locator("main input[type=text], main input[type=number], main textarea").all():
        name = field.get_attribute("name") or ""
        if not field.input_value():
            field.fill("2020" if name.endswith("year") else "AB" if "initial" in name else "3")


def _walk_to_thank_you(walker: Walker, problems: list[str]) -> None:
    walker.goto("/s/have-your-say?lang=ar")
    tries: dict[str, int] = {}
    for step in range(40):
        state = walker.record(f"arabic walk {step} {walker.path()}")
        _check_page(walker, state, problems)
        if walker.path().endswith("/done"):
            return
        _answer_everything(walker.page, tries)
        walker.submit(walker.page.locator(MAIN_BUTTON).first)
    problems.append(f"never reached Thank you; stopped on {walker.path()}")


def _check_page(walker: Walker, state, problems: list[str]) -> None:
    direction = walker.page.evaluate("document.documentElement.dir")
    if direction != "rtl":
        problems.append(f"{state.url}: dir={direction!r}")
    if state.wcag_violations:
        problems.append(state.violation_report(state.wcag_violations))
    if state.scroll_width > state.viewport_width:
        problems.append(f"{state.url}: {state.scroll_width}px wide")


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["320x640", "1280x800"])
def test_a_whole_survey_in_arabic_passes_axe_right_to_left(new_context, live_server, viewport):
    context = new_context(viewport=viewport)
    walker = Walker(context.new_page(), live_server, context.guard, axe=Axe())
    problems: list[str] = []
    walker.goto("/s/have-your-say?lang=ar")
    walker.submit(walker.page.locator(MAIN_BUTTON).first)  # the consent information
    walker.submit(walker.page.locator(MAIN_BUTTON).first)  # straight on: nothing ticked or chosen
    _check_page(walker, walker.record("arabic error summary", error=True), problems)
    _walk_to_thank_you(walker, problems)
    for path in ("/s/have-your-say/your-copy", "/change-your-mind/"):
        walker.goto(path)
        _check_page(walker, walker.record(f"arabic {path}"), problems)
    visited = {state.url.split("?")[0] for state in walker.states}
    assert problems == [], "\n".join(problems)
    # The walk went through consent, every question page and check your answers.
    assert any("/consent" in url for url in visited) and any(url.endswith("/check") for url in visited)
    assert sum("/page/" in url for url in visited) >= 3, sorted(visited)
