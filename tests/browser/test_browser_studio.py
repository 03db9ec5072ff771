"""Every studio page on a phone and a desktop, after real activity (issue 14 §7 and "Done when").

A survey is changed, checked by a second member and published; people answer it; the budget
gets a ledger entry; the answers are exported; a theme is made and a findings page written.
Then a researcher and an admin each crawl every studio page they can reach by a link from the
home page (same-site /studio links, breadth-first, GET only, JavaScript off), at 320 and 1280
px. On each page: axe (WCAG 2.2 A/AA) finds nothing, nothing scrolls sideways, and the words
people see outside "Technical details" hold no long hex code, ISO time, raw ``user:`` id or
traceback. Every link followed answers 200 or a redirect, never 404 or 500.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_walk import AXE_TAGS
from conftest import serving

from consent_kit.app import create_app
from consent_kit.testing import PASSWORD, Browser, Participant, make_instance, populate

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
#: The crawl stops here, so it always ends. The admin, who sees both projects' three surveys,
#: reaches about 180 pages; the test fails if any link is left unvisited.
MAX_PAGES = 220
SURVEY = "have-your-say"
BUILD = f"/studio/surveys/{SURVEY}/build"
ANSWERS = {"age_group": "14-16", "care_experience": "yes", "services_used": ["A youth club"],
           "visits": "3", "how_good": "4", "trusted_adult": "yes",
           "what_helps": "They listen to me.", "make_better": "Open later.",
           "sport_ideas": "climbing"}
# A survey with a thank-you payment, so the budget has claims waiting to be paid.
THANKS = """\
id: thanks
title: A survey with a thank-you
description: One question, then a thank-you payment.
incentive:
  reward: a £10 voucher
  amount: 10
  ways: [voucher, contact, in_person]
  vouchers: [CODE-A, CODE-B]
questions:
  - id: mood
    type: short_text
    label: How are you?
"""
# Machine text nobody should have to read (outside a "Technical details" disclosure).
MACHINE_TEXT = {
    "hex code": re.compile(r"\b[0-9a-fA-F]{12,}\b"),
    "ISO time": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d"),
    "raw user id": re.compile(r"\buser:\S"),
    "traceback": re.compile(r"Traceback \(most recent call last\)"),
}
# The words on the page a person sees: hidden things and closed disclosures left out.
_VISIBLE_TEXT = """() => {
  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('details, script, style, template')) continue;
    if (!parent.checkVisibility()) continue;
    words.push(node.textContent);
  }
  return words.join(' ');
}"""
_LINKS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"


def _revision(browser: Browser, url: str) -> dict:
    found = re.search(r'name="revision" value="([^"]+)"', browser.get(url).get_data(as_text=True))
    return {"revision": found.group(1)} if found else {}


def _real_activity(app) -> None:
    """Publish (checked by ros), answers, claims, a ledger entry, a QR place, an export, a theme
    and a findings page."""
    accounts = populate(app)
    accounts.create_user("ros", "researcher", PASSWORD)
    accounts.set_member("alpha", "ros", "researcher")
    rae, ros, ada = Browser(app), Browser(app), Browser(app)
    for browser, name in ((rae, "rae"), (ros, "ros"), (ada, "ada")):
        assert browser.login(name).status_code == 302
    for _ in range(6):
        Participant(app.test_client()).complete(SURVEY, ANSWERS)
    assert ada.post("/studio/projects/alpha/approval", {"require_approval": "yes"}).status_code == 302
    rae.post(BUILD + "/details", {**_revision(rae, BUILD + "/details"), "title": "Your say",
                                  "description": "What young people think of local services."})
    assert ros.post(BUILD + "/approve", _revision(ros, BUILD)).status_code == 302
    published = rae.post(BUILD + "/publish", {**_revision(rae, BUILD), "confirm": "yes"})
    assert published.status_code == 302, published.get_data(as_text=True)[:2000]
    Participant(app.test_client()).complete(SURVEY, ANSWERS)
    assert rae.post("/studio/projects/alpha/budget", {"amount": "1500", "currency": "GBP",
                                                      "retention_days": "30"}).status_code == 302
    assert rae.post("/studio/projects/alpha/budget/entries", {
        "category": "food", "amount": "60", "status": "paid", "date": "2026-11-20",
        "note": "Pizza at the first meeting"}).status_code == 302
    accounts.assign_survey("thanks", "alpha")
    for way, contact in (("contact", "sam@example.org"), ("in_person", "")):
        person = Participant(app.test_client())
        person.complete("thanks", {"mood": "fine"})
        person.get("/s/thanks")  # a page with a form, for a CSRF token
        person.post("/s/thanks/claim", {"way": way, "contact": contact})
    assert rae.post(f"/studio/surveys/{SURVEY}/qr", {"action": "add", "language": "",
                                                     "name": "Youth club noticeboard"}).status_code == 302
    rae.get(f"/studio/surveys/{SURVEY}/export")
    assert rae.post(f"/studio/surveys/{SURVEY}/export", {"format": "csv"}).status_code == 200
    assert rae.post(f"/studio/surveys/{SURVEY}/analysis/themes",
                    {"name": "Being listened to"}).status_code == 302
    assert rae.post(f"/studio/surveys/{SURVEY}/findings", {
        "action": "section", "heading": "What you told us",
        "text": "Most of you like the youth club."}).status_code == 302


@pytest.fixture(scope="module")
def studio_after_activity(tmp_path_factory):
    folder = make_instance(tmp_path_factory.mktemp("studio") / "instance", {"thanks.yaml": THANKS})
    app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
    _real_activity(app)
    with serving(app, "studio-test-server") as url:
        yield url


def _same_studio(base: str, href: str) -> str | None:
    """The studio page a link goes to, or None for anything else (another site, a sign-out)."""
    url, _ = urldefrag(href)
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base or not parts.path.startswith("/studio"):
        return None
    if parts.path.startswith(("/studio/logout", "/studio/login")):
        return None
    return url


def crawl(new_context, base: str, username: str, width: int, axe: Axe) -> dict:
    """Sign in and visit every studio page reachable from the home page; return what was found."""
    context = new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/studio/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # axe is a script, so it runs in a second tab with JavaScript on and the same cookies.
    checker = new_context(viewport={"width": width, "height": 800},
                          storage_state=context.storage_state()).new_page()
    found: dict = {"pages": [], "broken": [], "violations": [], "sideways": [], "machine": []}
    queue, seen = deque([(f"{base}/studio/", "(home)")]), {f"{base}/studio/"}
    while queue and len(found["pages"]) < MAX_PAGES:
        url, came_from = queue.popleft()
        answer = context.request.get(url, max_redirects=5)
        if answer.status != 200:
            found["broken"].append(f"{url} ({answer.status}) from {came_from}")
            continue
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # a download: its status is all that matters here
        page.goto(url)
        found["pages"].append(url)
        wider = page.evaluate("document.documentElement.scrollWidth") - width
        if wider > 0:
            found["sideways"].append((wider, url))
        words = page.evaluate(_VISIBLE_TEXT)
        for what, pattern in MACHINE_TEXT.items():
            if match := pattern.search(words):
                found["machine"].append(f"{url}: {what} {match.group()!r}")
        checker.goto(url)
        if checker.url != page.url:  # axe must look at the page itself, not a sign-in page
            found["broken"].append(f"{url}: the axe tab landed on {checker.url}")
        for v in axe.run(checker, options=AXE_OPTIONS).response["violations"]:
            found["violations"].append(f"{url}: {v['id']} ({len(v['nodes'])}) "
                                       f"{v['nodes'][0]['html'][:120]}")
        for href in page.evaluate(_LINKS):
            target = _same_studio(base, href)
            if target and target not in seen:
                seen.add(target)
                queue.append((target, url))
    found["not visited"] = len(queue)
    return found


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("username", ["rae", "ada"])
def test_every_studio_page_fits_passes_axe_and_shows_no_machine_text(
        new_context, studio_after_activity, username, width):
    found = crawl(new_context, studio_after_activity, username, width, Axe())
    print(f"{username} at {width}px: {len(found['pages'])} pages ({found['not visited']} more "
          f"links not followed), {len(found['violations'])} axe violations, "
          f"widest {max(found['sideways'], default=0)}")
    assert len(found["pages"]) > 50 and found["not visited"] == 0  # it went everywhere
    assert found["broken"] == []
    assert found["violations"] == []
    assert found["sideways"] == []
    assert found["machine"] == []
