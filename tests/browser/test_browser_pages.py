"""Every participant page in a real browser: axe (WCAG 2.2 AA), page budget, reflow at 320 px.

One walk per viewport (320×640 and 1280×800) goes through both example
surveys, error states included, and records each state once; the tests below
assert on those records. A walk is done the first time a test asks for it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import LOOPBACK, NARROW, WIDE, close_and_check, guarded_context
from browser_walk import Walker, walk_event_feedback, walk_have_your_say

MAX_REQUESTS = 3  # HTML, CSS, JS
MAX_BYTES = 30 * 1024  # HTML + CSS + JS, uncompressed
MAX_REDIRECTS = 2  # POST → redirect → GET, once more when the consent steps hand over
# Every state the walk must reach, so that a shortened walk can't pass quietly.
EXPECTED_STATES = 45
ERROR_STATES = 8


class Walks:
    """Runs each viewport's walk once, on first use, and keeps its states."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base = base_url
        self.done: dict[int, list] = {}
        self.contexts: list = []

    def states(self, viewport: dict) -> list:
        width = viewport["width"]
        if width not in self.done:
            self.done[width] = None
            context = guarded_context(self.browser, viewport=viewport)
            self.contexts.append(context)
            walker = Walker(context.new_page(), self.base, context.guard, axe=Axe())
            walk_have_your_say(walker)
            walk_event_feedback(walker)
            assert len(walker.states) == EXPECTED_STATES, [s.name for s in walker.states]
            self.done[width] = walker.states
        if self.done[width] is None:
            pytest.fail(f"the walk at {width}px failed in an earlier test", pytrace=False)
        return self.done[width]


@pytest.fixture(scope="module")
def walks(browser, live_server):
    walks = Walks(browser, live_server)
    yield walks
    close_and_check(walks.contexts)


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["320x640", "1280x800"])
def test_no_axe_wcag_violations_on_any_participant_page(walks, viewport):
    states = walks.states(viewport)
    failing = [s for s in states if s.wcag_violations]
    if failing:
        pytest.fail("axe found WCAG 2.2 A/AA violations:\n" + "\n".join(
            s.violation_report(s.wcag_violations) for s in failing), pytrace=False)


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["320x640", "1280x800"])
def test_no_axe_best_practice_violations(walks, viewport):
    """Landmarks, regions and headings: axe's best practices that WCAG rules don't cover."""
    states = walks.states(viewport)
    failing = [s for s in states if s.practice_violations]
    if failing:
        pytest.fail("axe found best-practice violations:\n" + "\n".join(
            s.violation_report(s.practice_violations) for s in failing), pytrace=False)


@pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["320x640", "1280x800"])
def test_error_summary_has_the_focus_after_a_mistake(walks, viewport):
    """WCAG 3.3.1, 2.4.3: a page sent with a mistake opens with the focus on its summary."""
    errors = [s for s in walks.states(viewport) if s.error]
    assert len(errors) == ERROR_STATES, [s.name for s in errors]
    unfocused = [f"{s.name} ({s.url}): focus on {s.focused[:120]}"
                 for s in errors if not s.focus_on_error_summary]
    if unfocused:
        pytest.fail("The error summary did not get the focus:\n" + "\n".join(unfocused), pytrace=False)


def test_page_budget_in_the_browser(walks):
    """≤ 3 requests and ≤ 30 KB (HTML+CSS+JS bodies) per page load, all to 127.0.0.1."""
    problems = []
    states = walks.states(NARROW) + walks.states(WIDE)
    for state in states:
        where = f"{state.name} ({state.url}) at {state.viewport_width}px"
        for request in state.loaded:
            if urlsplit(request.url).hostname != LOOPBACK:
                problems.append(f"{where}: request to {request.url}")
        if len(state.page_requests) > MAX_REQUESTS:
            listed = ", ".join(r.url for r in state.page_requests)
            problems.append(f"{where}: {len(state.page_requests)} requests ({listed})")
        if state.page_bytes > MAX_BYTES:
            problems.append(f"{where}: {state.page_bytes} bytes")
        if len(state.redirects) > MAX_REDIRECTS:
            problems.append(f"{where}: {len(state.redirects)} redirects before the page")
        if not state.page_requests or state.page_requests[0].resource_type != "document":
            problems.append(f"{where}: no document request recorded")
    largest = max(states, key=lambda s: s.page_bytes)
    print(
        f"\nLargest page in the browser: {largest.name} ({largest.url}), "
        f"{largest.page_bytes} bytes in {len(largest.page_requests)} requests: "
        + ", ".join(f"{r.url.rsplit('/', 1)[-1] or '/'} {r.body_bytes}" for r in largest.page_requests)
    )
    if problems:
        pytest.fail("Over the page budget:\n" + "\n".join(problems), pytrace=False)


def test_no_horizontal_scrolling_at_320px(walks):
    """WCAG 1.4.10 Reflow: nothing is wider than a 320 px screen."""
    states = walks.states(NARROW)
    too_wide = [f"{s.name} ({s.url}): {s.scroll_width}px" for s in states if s.scroll_width > 320]
    assert all(s.viewport_width == 320 for s in states)
    if too_wide:
        pytest.fail("Pages scroll sideways at 320px:\n" + "\n".join(too_wide), pytrace=False)
