"""Walk the example surveys in a real browser and record every page state on the way.

At each state the walker records what the browser loaded for that page
(requests, statuses, body sizes), how wide the document is, and, if asked,
what axe-core finds. The tests then assert on the records, so one walk per
viewport serves the axe, page-budget and reflow tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# One axe run per state: the WCAG 2.2 A/AA rules, plus axe's best practices (landmarks,
# regions, heading structure), which the tests report separately.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": [*AXE_TAGS, "best-practice"]},
    "resultTypes": ["violations"],
}
# Something a person might type: a word far wider than a phone, with nowhere to break it.
LONG_WORD = "#OpenTheYouthClubLaterOnFridaysAndSaturdaysAndSundaysPlease"
HAVE_YOUR_SAY = "have-your-say"
EVENT_FEEDBACK = "event-feedback"
# The element with the focus, as its opening tag (its children left out).
_FOCUSED_TAG = "document.activeElement ? document.activeElement.cloneNode(false).outerHTML : ''"
_REFERENCE = re.compile(r"^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$")


@dataclass
class Loaded:
    """One request the browser made while loading a page."""

    method: str
    url: str
    resource_type: str
    status: int
    body_bytes: int

    @property
    def redirect(self) -> bool:
        return 300 <= self.status < 400


@dataclass
class State:
    """A page as a participant saw it, and what it cost."""

    name: str
    url: str
    title: str
    loaded: list[Loaded] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    scroll_width: int = 0
    viewport_width: int = 0
    error: bool = False  # a page sent with a mistake: it shows an error summary
    focused: str = ""  # the element that has the focus once the page has loaded

    @property
    def focus_on_error_summary(self) -> bool:
        return 'id="error-summary"' in self.focused.split(">", 1)[0]

    @property
    def wcag_violations(self) -> list[dict]:
        """Violations of WCAG 2.0/2.1/2.2 level A and AA rules."""
        return [v for v in self.violations if set(v["tags"]) & set(AXE_TAGS)]

    @property
    def practice_violations(self) -> list[dict]:
        """Violations of axe's best practices that are not WCAG A/AA rules."""
        return [v for v in self.violations if not set(v["tags"]) & set(AXE_TAGS)]

    @property
    def page_requests(self) -> list[Loaded]:
        """The requests of the page itself: redirect hops of the POST→redirect→GET are not."""
        return [r for r in self.loaded if not r.redirect]

    @property
    def redirects(self) -> list[Loaded]:
        return [r for r in self.loaded if r.redirect]

    @property
    def page_bytes(self) -> int:
        return sum(r.body_bytes for r in self.page_requests)

    def violation_report(self, violations: list[dict]) -> str:
        """Rule id, impact, help text and every failing element, for a failure message."""
        lines = [f"{self.name} ({self.url}) at {self.viewport_width}px:"]
        for v in violations:
            lines.append(f"  [{v['id']}] ({v['impact']}) {v['help']}  {v['helpUrl']}")
            for node in v["nodes"]:
                lines.append(f"      target {', '.join(map(str, node['target']))}: {node['html']}")
                if node.get("failureSummary"):
                    summary = " ".join(node["failureSummary"].split())
                    lines.append(f"        {summary}")
        return "\n".join(lines)


class Walker:
    """Drives one page through a survey and records a :class:`State` at each stop."""

    def __init__(self, page, base_url: str, guard, *, axe=None):
        self.page = page
        self.base = base_url
        self.guard = guard
        self.axe = axe
        self.states: list[State] = []
        self._requests: list = []
        page.on("request", self._on_request)

    def _on_request(self, request) -> None:
        self._requests.append(request)

    # Moving around -------------------------------------------------------

    def goto(self, path: str):
        self._requests.clear()
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None, f"no response for {path}"
        return response

    def submit(self, locator):
        """Press a button (or follow a link) and wait for the page it leads to."""
        self._requests.clear()
        with self.page.expect_navigation(wait_until="load"):
            locator.click()

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def link(self, name: str):
        return self.page.get_by_role("link", name=name, exact=True)

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def expect_path(self, pattern: str) -> None:
        assert re.search(pattern, self.path()), f"expected {pattern}, on {self.page.url}"

    # Recording ------------------------------------------------------------

    def record(self, name: str, *, error: bool = False) -> State:
        """Record the page as it is now; ``error`` marks a page that must show an error summary."""
        self.guard.check()
        page = self.page
        if error:
            assert page.locator("#error-summary").is_visible(), f"no error summary on {self.path()}"
        loaded = []
        for request in list(self._requests):
            if not request.url.startswith(("http:", "https:")):
                continue
            response = request.response()
            status = response.status if response else 0
            body = 0
            if response is not None and not 300 <= status < 400:
                body = len(response.body())
            loaded.append(Loaded(request.method, request.url, request.resource_type, status, body))
        state = State(
            name=name,
            url=page.url.replace(self.base, ""),
            title=page.title(),
            loaded=loaded,
            scroll_width=page.evaluate("document.documentElement.scrollWidth"),
            viewport_width=page.viewport_size["width"],
            error=error,
            focused=page.evaluate(_FOCUSED_TAG),
        )
        if self.axe is not None:
            state.violations = self.axe.run(page, options=AXE_OPTIONS).response["violations"]
        self.states.append(state)
        return state


# The walks -------------------------------------------------------------------


def walk_have_your_say(w: Walker) -> str:
    """Every participant page of the main example survey, error states included.

    Returns the reference shown on the Thank you page (it has been taken back
    by the end of the walk).
    """
    page = w.page
    survey = f"/s/{HAVE_YOUR_SAY}"

    w.goto("/")
    w.record("list of surveys")
    response = w.goto(f"{survey}/check")  # no answers in this browser yet
    assert response.status == 410
    w.record("sorry, we couldn't find your answers")
    w.goto(survey)
    w.record("start")
    w.submit(w.button("Start now"))
    w.expect_path(r"/consent/version$")
    w.record("consent: choose a version")
    w.submit(w.button("Continue"))
    w.record("consent: choose a version, error", error=True)
    page.get_by_label("The main information").check()
    w.submit(w.button("Continue"))
    w.expect_path(r"/consent$")
    w.record("consent: information")
    w.submit(w.link("Continue"))
    w.expect_path(r"/consent/check$")
    w.record("consent: check you understood")
    for question in ("Can you stop at any time?", "Will your name be on your answers?",
                     "Do you have to answer every question?"):
        page.get_by_role("group", name=question).get_by_label("Yes", exact=True).check()
    w.submit(w.button("Continue"))
    assert page.get_by_text("Not quite. That's OK.").is_visible()
    w.record("consent: check you understood, wrong answers", error=True)
    for question, answer in (("Can you stop at any time?", "Yes"),
                             ("Will your name be on your answers?", "No"),
                             ("Do you have to answer every question?", "No")):
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    w.submit(w.button("Continue"))
    w.expect_path(r"/consent/agree$")
    w.record("consent: statements")
    w.submit(w.button("I agree, take part"))
    w.record("consent: statements, error", error=True)
    for box in page.locator("input[name^=statement-]").all():
        box.check()
    page.get_by_label("Someone helped me fill this in").check()
    w.submit(w.button("I agree, take part"))

    w.expect_path(r"/page/welcome$")
    w.record("page: welcome (info)")
    w.submit(w.button("Continue"))
    w.expect_path(r"/page/about-you$")
    w.record("page: about you (radios, yes/no)")
    w.submit(w.button("Continue"))
    w.record("page: about you, error summary", error=True)
    page.get_by_label("14 to 16").check()
    page.get_by_role("group", name="Do you have care experience?").get_by_label("Yes").check()
    w.submit(w.button("Continue"))

    w.expect_path(r"/page/what-you-use$")
    w.record("page: what you use (checkboxes, number)")
    page.get_by_label("A youth club").check()
    page.get_by_label("Sports or activities").check()
    page.locator("#visits").fill("lots")
    w.submit(w.button("Continue"))
    w.record("page: what you use, number error", error=True)
    page.locator("#visits").fill("4")
    w.submit(w.button("Save and come back later"))
    w.expect_path(r"/save$")
    w.record("save for later")
    w.submit(w.button("Save my answers"))
    code = page.locator("strong.code").inner_text().strip()
    assert _REFERENCE.match(code), code
    w.record("save for later: your code")
    resume_link = page.locator("main a[href*='/resume/']").get_attribute("href")

    w.goto("/resume")
    w.record("carry on with a saved survey")
    page.get_by_label("Your save code").fill("nope")
    w.submit(w.button("Carry on"))
    w.record("carry on with a saved survey, error", error=True)
    w.goto(urlsplit(resume_link).path)
    w.record("carry on: link from the saved page")
    w.submit(w.button("Carry on"))
    w.expect_path(r"/page/what-works$")

    w.record("page: what works (scale, yes/no)")
    page.get_by_role("group", name="How good are youth services near you?").get_by_label(
        "4", exact=True).check()
    page.get_by_role("group", name="Is there an adult at a youth service you trust?").get_by_label(
        "Yes").check()
    w.submit(w.button("Continue"))
    w.expect_path(r"/page/trusted-adult-more$")
    w.record("page: the adult you trust (long text)")
    page.locator("#what_helps").fill(f"She listens and doesn't rush me. {LONG_WORD}")
    w.submit(w.button("Continue"))
    w.expect_path(r"/page/make-it-better$")
    w.record("page: what would make it better (long and short text)")
    page.locator("#make_better").fill("Open later on Fridays.")
    page.locator("#sport_ideas").fill("Climbing")
    w.submit(w.button("Continue"))
    w.expect_path(r"/check$")
    w.record("check your answers")
    w.submit(w.button("Send"))
    w.expect_path(r"/done$")
    reference = page.locator(".confirm strong.code").inner_text().strip()
    assert _REFERENCE.match(reference), reference
    w.record("thank you")
    w.submit(w.link("See what you agreed to"))
    w.record("your copy: what you agreed to")
    w.goto(f"{survey}/support")
    w.record("support")

    w.goto("/change-your-mind/")
    w.record("change your mind: your reference")
    page.get_by_label("Your reference").fill("ABCDE-FGHJK")
    w.submit(w.button("Continue"))
    w.record("change your mind: reference not found", error=True)
    page.get_by_label("Your reference").fill(reference)
    w.submit(w.button("Continue"))
    w.expect_path(r"/change-your-mind/yours$")
    w.record("change your mind: what you agreed to")
    page.get_by_label("You can use my words in the report, without my name.").uncheck()
    w.submit(w.button("Save my change"))
    assert page.get_by_text("Done. We've saved your change.").is_visible()
    w.record("change your mind: change saved")
    w.submit(w.link("Take back my answers"))
    w.record("change your mind: are you sure?")
    w.submit(w.button("Yes, delete my answers"))
    assert page.get_by_role("heading", name="Your answers have been deleted").is_visible()
    w.record("change your mind: answers deleted")

    response = w.goto("/no-such-page")
    assert response.status == 404
    w.record("page not found")
    return reference


def walk_event_feedback(w: Walker) -> str:
    """The one-question-a-page example: date, short text, scale, radios, yes/no, info."""
    page = w.page
    w.goto(f"/s/{EVENT_FEEDBACK}")
    w.submit(w.button("Start now"))
    w.expect_path(r"/consent$")
    w.record("event: information")
    w.submit(w.link("Continue"))
    w.expect_path(r"/consent/agree$")
    page.get_by_label("I want to take part.", exact=False).check()
    w.submit(w.button("I agree, take part"))
    w.record("event: date question")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2025")
    w.submit(w.button("Continue"))
    w.record("event: date question, error", error=True)
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("2")
    w.submit(w.button("Continue"))
    w.record("event: short text question")
    page.get_by_label("What was the event called?", exact=False).fill("Summer fun day")
    w.submit(w.button("Continue"))
    w.record("event: scale question")
    page.get_by_label("5", exact=True).check()
    w.submit(w.button("Continue"))
    w.record("event: radios question")
    page.get_by_label("Not really").check()
    w.submit(w.button("Continue"))
    w.record("event: follow-up question (long text)")
    w.submit(w.button("Continue"))
    w.submit(w.button("Continue"))  # the best bit, left empty
    w.record("event: yes/no question")
    page.get_by_label("Yes", exact=True).check()
    w.submit(w.button("Continue"))
    w.record("event: info page")
    w.submit(w.button("Continue"))
    w.expect_path(r"/check$")
    w.record("event: check your answers")
    w.submit(w.button("Send"))
    w.expect_path(r"/done$")
    reference = page.locator(".confirm strong.code").inner_text().strip()
    w.record("event: thank you")
    return reference
