"""Every participant page in a real browser: axe (WCAG 2.2 AA), page budget, reflow at 320 px.

One walk per display mode (default, large text, high contrast) and viewport
(320×640 and 1280×800) goes through both example surveys, error states
included, and the accessible formats (Easy Read, Listen, sign language,
print, large print), recording each state once; a second, smaller walk on a
server that allows few code tries reaches "timed out", "too many tries" and
"unavailable". The tests below assert on those records. A walk is done the
first time a test asks for it.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_formats import MODES, set_options, walk_edges, walk_formats
from browser_support import LOOPBACK, NARROW, WIDE, close_and_check, guarded_context
from browser_walk import Walker, walk_event_feedback, walk_have_your_say

MAX_REQUESTS = 3  # HTML, CSS, JS
#: With a display option on, its one stylesheet may come on top (HTML, ck.css, exit.js, options).
MAX_REQUESTS_WITH_OPTIONS = 3  # the options come inside the one stylesheet
MAX_BYTES = 30 * 1024  # HTML + CSS + JS, uncompressed
MAX_REDIRECTS = 2  # POST → redirect → GET, once more when the consent steps hand over
BUDGETED = ("document", "stylesheet", "script")  # pictures and sound are content people chose
# Every state the walks must reach, so that a shortened walk can't pass quietly.
EXPECTED_STATES = 45 + 8 + 4
ERROR_STATES = 8 + 1
VIEWPORTS = pytest.mark.parametrize("viewport", [NARROW, WIDE], ids=["320x640", "1280x800"])
ALL_MODES = pytest.mark.parametrize("mode", list(MODES))


class Walks:
    """Runs each (mode, viewport) walk once, on first use, and keeps its states and its time."""

    def __init__(self, browser, base_url, edge_url):
        self.browser = browser
        self.base = base_url
        self.edge = edge_url
        self.done: dict[tuple[str, int], list] = {}
        self.seconds: dict[tuple[str, int], float] = {}
        self.contexts: list = []

    def _walker(self, base: str, viewport: dict, mode: str) -> Walker:
        context = guarded_context(self.browser, viewport=viewport)
        self.contexts.append(context)
        walker = Walker(context.new_page(), base, context.guard, axe=Axe())
        if MODES[mode]:
            set_options(walker, MODES[mode])
        return walker

    def states(self, viewport: dict, mode: str = "default") -> list:
        key = (mode, viewport["width"])
        if key not in self.done:
            self.done[key] = None
            started = time.monotonic()
            walker = self._walker(self.base, viewport, mode)
            walk_have_your_say(walker)
            walk_event_feedback(walker)
            walk_formats(walker, MODES[mode])
            edges = self._walker(self.edge.url, viewport, mode)
            walk_edges(edges, self.edge.app)
            states = walker.states + edges.states
            assert len(states) == EXPECTED_STATES, [s.name for s in states]
            self.done[key] = states
            self.seconds[key] = time.monotonic() - started
        if self.done[key] is None:
            pytest.fail(f"the walk in {mode} mode at {key[1]}px failed in an earlier test",
                        pytrace=False)
        return self.done[key]


@pytest.fixture(scope="module")
def walks(browser, live_server, edge_server):
    walks = Walks(browser, live_server, edge_server)
    yield walks
    if walks.seconds:
        print("\nBrowser walks (seconds): " + ", ".join(
            f"{mode} {width}px {seconds:.1f}" for (mode, width), seconds in walks.seconds.items()))
    close_and_check(walks.contexts)


def _budgeted(state) -> list:
    return [r for r in state.page_requests if r.resource_type in BUDGETED]


@ALL_MODES
@VIEWPORTS
def test_no_axe_wcag_violations_on_any_participant_page(walks, viewport, mode):
    states = walks.states(viewport, mode)
    failing = [s for s in states if s.wcag_violations]
    if failing:
        pytest.fail("axe found WCAG 2.2 A/AA violations:\n" + "\n".join(
            s.violation_report(s.wcag_violations) for s in failing), pytrace=False)


@ALL_MODES
@VIEWPORTS
def test_no_axe_best_practice_violations(walks, viewport, mode):
    """Landmarks, regions and headings: axe's best practices that WCAG rules don't cover."""
    states = walks.states(viewport, mode)
    failing = [s for s in states if s.practice_violations]
    if failing:
        pytest.fail("axe found best-practice violations:\n" + "\n".join(
            s.violation_report(s.practice_violations) for s in failing), pytrace=False)


@ALL_MODES
@VIEWPORTS
def test_error_summary_has_the_focus_after_a_mistake(walks, viewport, mode):
    """WCAG 3.3.1, 2.4.3: a page sent with a mistake opens with the focus on its summary."""
    errors = [s for s in walks.states(viewport, mode) if s.error]
    assert len(errors) == ERROR_STATES, [s.name for s in errors]
    unfocused = [f"{s.name} ({s.url}): focus on {s.focused[:120]}"
                 for s in errors if not s.focus_on_error_summary]
    if unfocused:
        pytest.fail("The error summary did not get the focus:\n" + "\n".join(unfocused), pytrace=False)


@ALL_MODES
def test_page_budget_in_the_browser(walks, mode):
    """≤ 3 requests (display options too) and ≤ 30 KB of HTML+CSS+JS per page, all local."""
    limit = MAX_REQUESTS_WITH_OPTIONS if MODES[mode] else MAX_REQUESTS
    problems = []
    states = walks.states(NARROW, mode) + walks.states(WIDE, mode)
    for state in states:
        where = f"{state.name} ({state.url}) at {state.viewport_width}px"
        for request in state.loaded:
            if urlsplit(request.url).hostname != LOOPBACK:
                problems.append(f"{where}: request to {request.url}")
        budgeted = _budgeted(state)
        if len(budgeted) > limit:
            listed = ", ".join(r.url for r in budgeted)
            problems.append(f"{where}: {len(budgeted)} requests ({listed})")
        if sum(r.body_bytes for r in budgeted) > MAX_BYTES:
            problems.append(f"{where}: {sum(r.body_bytes for r in budgeted)} bytes")
        if len(state.redirects) > MAX_REDIRECTS:
            problems.append(f"{where}: {len(state.redirects)} redirects before the page")
        if not state.page_requests or state.page_requests[0].resource_type != "document":
            problems.append(f"{where}: no document request recorded")
    largest = max(states, key=lambda s: sum(r.body_bytes for r in _budgeted(s)))
    print(
        f"\nLargest page in the browser ({mode}): {largest.name} ({largest.url}), "
        f"{sum(r.body_bytes for r in _budgeted(largest))} bytes in {len(_budgeted(largest))} "
        "requests: " + ", ".join(f"{r.url.rsplit('/', 1)[-1] or '/'} {r.body_bytes}"
                                 for r in _budgeted(largest))
    )
    busiest = max(states, key=lambda s: len(_budgeted(s)))
    print(f"Most requests ({mode}): {len(_budgeted(busiest))} on {busiest.name} ({busiest.url})")
    if problems:
        pytest.fail("Over the page budget:\n" + "\n".join(problems), pytrace=False)


@ALL_MODES
def test_no_horizontal_scrolling_at_320px(walks, mode):
    """WCAG 1.4.10 Reflow: nothing is wider than a 320 px screen, in bigger text too."""
    states = walks.states(NARROW, mode)
    too_wide = [f"{s.name} ({s.url}): {s.scroll_width}px" for s in states if s.scroll_width > 320]
    assert all(s.viewport_width == 320 for s in states)
    if too_wide:
        pytest.fail("Pages scroll sideways at 320px:\n" + "\n".join(too_wide), pytrace=False)


@pytest.mark.parametrize("mode", [m for m in MODES if MODES[m]])
def test_a_display_mode_reaches_every_page(walks, mode):
    """The mode's stylesheet is on every participant page of the walk (the option stuck)."""
    missing = [s.name for s in walks.states(WIDE, mode)
               if not any("/formats/style/" in r.url for r in s.loaded)]
    assert missing == [], missing
