"""The findings page in a real browser at 320 and 1280 px, in English and Arabic: axe (WCAG 2.2
A/AA), no sideways scroll, and light (the page and what it loads)."""

from __future__ import annotations

import io
import random
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_support import serving
from browser_walk import AXE_TAGS
from PIL import Image
from test_findings import (
    CLUB,
    EDIT,
    PUBLIC,
    add,
    add_quote,
    build,
    publish,
    response_of,
    signed_in,
    store,
    take_back,
    take_part,
)

from consent_kit.testing import PASSWORD, make_instance


def picture() -> io.BytesIO:
    """A picture for the Easy Read version, with detail everywhere: the heaviest it can be once kept."""
    out = io.BytesIO()
    Image.frombytes("RGB", (400, 300), random.Random(3).randbytes(400 * 300 * 3)).save(out, format="PNG")
    out.seek(0)
    return out


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


@pytest.fixture(scope="module")
def findings_app(tmp_path_factory):
    """A published page: words, a chart, a table, two quotes (one taken out), "You said, we did"."""
    app = build(make_instance(tmp_path_factory.mktemp("findings-browser") / "instance",
                              {"club.yaml": CLUB}))
    app.config["SESSION_COOKIE_SECURE"] = False
    references = [take_part(app, {"fun": fun, "words": f"Words number {n}."})[1]
                  for n, fun in enumerate(["Yes"] * 5 + ["No"] * 5)]
    rae = signed_in(app, "rae")
    rae.get(EDIT)
    rae.post(EDIT, {"action": "section", "heading": "What you told us",
                    "text": "Most of you **like** the club.",
                    "easy_read": "You like the club.\nWe will keep it open.",
                    "picture_alt": "Young people at the club", "picture": (picture(), "club.png")},
             content_type="multipart/form-data")
    item_id = store(app).documents("findings").get(survey_id="club")["items"][0]["id"]
    rae.get(f"{EDIT}/translate/ar")
    rae.post(f"{EDIT}/translate/ar", {f"heading-{item_id}": "ما قلتموه لنا",
                                      f"text-{item_id}": "معظمكم يحب النادي.",
                                      f"easy_read-{item_id}": "أنت تحب النادي."})
    add(rae, action="counts", question_id="fun", kind="chart")
    add(rae, action="counts", question_id="rare", kind="table")
    add_quote(rae, response_of(app, "Words number 1."))
    add_quote(rae, response_of(app, "Words number 2."))
    add(rae, action="said_did", date="2026-11-20", said="The food costs too much.",
        did="Food is free on Fridays.")
    publish(app, rae)
    take_back(app, references[2])
    # The project's own words, above the surveys' findings on the project page.
    rae.get("/studio/projects/alpha/findings")
    rae.post("/studio/projects/alpha/findings", {"action": "section", "heading": "About the project",
                                                 "text": "We are young people from the club.",
                                                 "easy_read": "We are young people.",
                                                 "picture_alt": "Young people playing pool",
                                                 "picture": (picture(), "pool.png")},
             content_type="multipart/form-data")
    sam = signed_in(app, "sam")
    sam.post("/studio/projects/alpha/findings/publish", {"action": "approve"})
    sam.post("/studio/projects/alpha/findings/publish", {"action": "publish"})
    return app, references


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_findings_page_passes_axe_fits_and_is_light(new_context, findings_app, width, lang):
    app, references = findings_app
    with serving(app, "findings server") as base:
        # axe needs JavaScript to run; the page itself has none (tests/test_findings.py checks).
        context = new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        loaded = []
        page.on("response", lambda response: loaded.append(response))
        page.goto(f"{base}{PUBLIC}?lang={lang}")
        problems = [f"{v['id']} ({len(v['nodes'])})"
                    for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]]
        assert problems == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert len(loaded) <= 3
        assert sum(len(r.body()) for r in loaded) <= 30 * 1024
        page.fill("#code", references[0])
        page.click("button[type=submit]")
        assert "Your answers are in these findings." in page.content() or lang != "en"
        problems = [v["id"] for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]]
        assert problems == []


def axe_problems(page) -> list[str]:
    return [f"{v['id']} ({len(v['nodes'])})"
            for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]]


@pytest.mark.parametrize("width", [320, 360, 1280])
@pytest.mark.parametrize(("path", "alt"), [(PUBLIC, "Young people at the club"),
                                           ("/f/project/alpha", "Young people playing pool")])
def test_the_easy_read_version_passes_axe_fits_and_is_light(new_context, findings_app, width, path,
                                                            alt):
    app, _ = findings_app
    with serving(app, "findings server") as base:
        context = new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        loaded = []
        page.on("response", lambda response: loaded.append(response))
        page.goto(f"{base}{path}?format=easy")
        assert page.locator(f".easy-read img[alt='{alt}']").count() == 1
        assert axe_problems(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert len(loaded) <= 3  # the picture travels inside the page
        assert sum(len(r.body()) for r in loaded) <= 30 * 1024


def test_formats_work_without_javascript(new_context, findings_app):
    """Easy Read, the full version and the Arabic translation are links; the PDF is a download."""
    app, _ = findings_app
    with serving(app, "findings server") as base:
        page = new_context(viewport={"width": 360, "height": 800},
                           java_script_enabled=False).new_page()
        page.goto(f"{base}{PUBLIC}")
        page.get_by_role("link", name="Easy Read version").click()
        assert "You like the club." in page.content()
        page.get_by_role("link", name="The full version").click()
        assert "You like the club." not in page.content()
        answer = page.request.get(f"{base}{PUBLIC}/findings.pdf?size=large")
        assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
        page.goto(f"{base}{PUBLIC}?lang=ar")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert "معظمكم يحب النادي." in page.content()


@pytest.fixture(scope="module")
def waiting_app(tmp_path_factory):
    """Findings promised "in the spring", not published yet."""
    app = build(make_instance(tmp_path_factory.mktemp("findings-waiting") / "instance",
                              {"club.yaml": CLUB}))
    app.config["SESSION_COOKIE_SECURE"] = False
    add(signed_in(app, "rae"), action="promise", promise="in the spring")
    return app


@pytest.mark.parametrize("width", [320, 1280])
def test_tell_me_works_without_javascript_and_passes_axe(new_context, waiting_app, width):
    with serving(waiting_app, "findings server") as base:
        page = new_context(viewport={"width": width, "height": 800},
                           java_script_enabled=False).new_page()
        checker = new_context(viewport={"width": width, "height": 800}).new_page()
        page.goto(f"{base}{PUBLIC}")
        page.get_by_label("Email or phone number").fill("not a contact")
        page.get_by_role("button", name="Tell me").click()
        assert "Type an email address" in page.content()
        checker.set_content(page.content(), wait_until="domcontentloaded")  # the error page, as sent
        page.get_by_label("Email or phone number").fill(f"sam{width}@example.org")
        page.get_by_role("button", name="Tell me").click()
        assert "We will tell you when the findings are ready" in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for url in (f"{base}{PUBLIC}", f"{base}{PUBLIC}?asked=1"):
            checker.goto(url)
            assert axe_problems(checker) == []
            assert checker.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [320, 1280])
def test_the_studio_findings_pages_pass_axe_and_fit(new_context, findings_app, width):
    """Writing (with word advice), translating side by side, the QR code and the waiting list."""
    app, _ = findings_app
    with serving(app, "findings server") as base:
        context = new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
        page = context.new_page()
        page.goto(f"{base}/studio/login")
        page.get_by_label("Username").fill("rae")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{base}{EDIT}")
        page.locator("#text").fill("Notwithstanding the aforementioned considerations, the "
                                   "organisational infrastructure necessitated comprehensive "
                                   "reconfiguration of institutional accountability mechanisms.")
        page.get_by_role("button", name="Check the words").click()
        assert "Reading age about" in page.content()
        checker = new_context(viewport={"width": width, "height": 800},
                              storage_state=context.storage_state()).new_page()
        for path in (EDIT, f"{EDIT}/translate/ar", f"{EDIT}/share", f"{EDIT}/waiting",
                     "/studio/projects/alpha/findings", "/studio/projects/alpha/findings/translate/ar"):
            checker.goto(f"{base}{path}")
            assert axe_problems(checker) == [], path
            assert checker.evaluate("document.documentElement.scrollWidth") <= width, path


@pytest.mark.parametrize("width", [320, 1280])
def test_the_project_findings_page_passes_axe_fits_and_is_light(new_context, findings_app, width):
    app, _ = findings_app
    with serving(app, "findings server") as base:
        page = new_context(viewport={"width": width, "height": 800}).new_page()
        loaded = []
        page.on("response", lambda response: loaded.append(response))
        page.goto(f"{base}/f/project/alpha")
        assert "What you told us" in page.content() and "About the project" in page.content()
        assert axe_problems(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert len(loaded) <= 3 and sum(len(r.body()) for r in loaded) <= 30 * 1024


def answer_the_club_survey(page, base: str) -> None:
    """Take part in the club survey with JavaScript off: agree, pick the first answers, send."""
    page.goto(f"{base}/s/club")
    page.get_by_role("button", name="Start now").click()
    for _step in range(12):
        if page.url.endswith("/done"):
            return
        agree = page.get_by_role("button", name="I agree, take part")
        if agree.count():
            for box in page.locator("input[name^=statement-]").all():
                box.check()
            agree.click()
            continue
        for group in page.locator("fieldset").all():
            radios = group.locator("input[type=radio]")
            if radios.count():
                radios.first.check()
        send = page.get_by_role("button", name="Send")
        (send if send.count() else page.get_by_role("link", name="Continue").or_(
            page.get_by_role("button", name="Continue")).first).click()
    raise AssertionError(f"did not reach the Thank you page: {page.url}")


@pytest.mark.parametrize("width", [320, 1280])
def test_tell_me_on_the_thank_you_page_passes_axe_and_works_without_javascript(new_context,
                                                                              waiting_app, width):
    with serving(waiting_app, "findings server") as base:
        context = new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
        page = context.new_page()
        answer_the_club_survey(page, base)
        assert "We will share what we found out here (in the spring):" in page.content()
        checker = new_context(viewport={"width": width, "height": 800},
                              storage_state=context.storage_state()).new_page()
        checker.goto(page.url)
        checker.get_by_text("Tell me when they are ready").click()  # open the disclosure
        assert axe_problems(checker) == []
        assert checker.evaluate("document.documentElement.scrollWidth") <= width
        page.get_by_text("Tell me when they are ready").click()  # <details> opens without script
        page.get_by_label("Email or phone number").fill(f"thanks{width}@example.org")
        page.get_by_role("button", name="Tell me").click()
        assert "We will tell you when the findings are ready" in page.content()
    kept = store(waiting_app).documents("findings_contacts").find(survey_id="club")
    assert f"thanks{width}@example.org" in {c["contact"] for c in kept}


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("how, path", [("link", PUBLIC), ("chosen", f"{PUBLIC}?format=easy"),
                                       ("chosen", f"{PUBLIC}?lang=ar"), ("chosen", "/f/project/alpha"),
                                       ("link", "/f/project/alpha?format=easy&lang=ar")])
def test_listen_passes_axe_fits_is_light_and_plays(new_context, findings_app, width, how, path):
    """Listen from the page's own link or chosen in the display options: a player for each part."""
    app, _ = findings_app
    with serving(app, "findings server") as base:
        context = new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
        page = context.new_page()
        if how == "link":
            page.goto(f"{base}{path}")
            # Found by its address: its words are in the page's language (Arabic here too).
            page.locator('a[href*="listen=1"]').click()
        else:  # the display options form, as a participant sends it (no script)
            page.goto(f"{base}/formats/display?next={quote(path, safe='/')}")
            page.locator("#af-listen").check()
            page.get_by_role("button", name="Save these choices").click()
        players = page.locator("audio[controls]")
        parts = 2 if "project" in path else 1  # the project's own words, and the club's part
        assert players.count() == parts, page.url
        sound = page.request.get(base + players.first.get_attribute("src"))
        assert sound.status == 200 and sound.headers["content-type"] == "audio/mpeg"
        checker = new_context(viewport={"width": width, "height": 800},
                              storage_state=context.storage_state()).new_page()
        loaded = []
        checker.on("response", lambda response: loaded.append(response))
        checker.goto(page.url)
        assert checker.locator("audio[controls]").count() == parts
        assert axe_problems(checker) == []
        assert checker.evaluate("document.documentElement.scrollWidth") <= width
        assert len(loaded) <= 3 and sum(len(r.body()) for r in loaded) <= 30 * 1024
