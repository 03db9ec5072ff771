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
