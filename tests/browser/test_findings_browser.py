"""The findings page in a real browser at 320 and 1280 px, in English and Arabic: axe (WCAG 2.2
A/AA), no sideways scroll, and light (the page and what it loads)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_walk import AXE_TAGS
from conftest import serving
from test_findings import (
    CLUB,
    PUBLIC,
    add,
    add_quote,
    build,
    publish,
    response_of,
    signed_in,
    take_back,
    take_part,
)

from consent_kit.testing import make_instance

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
    add(rae, action="section", heading="What you told us", text="Most of you **like** the club.")
    add(rae, action="counts", question_id="fun", kind="chart")
    add(rae, action="counts", question_id="rare", kind="table")
    add_quote(rae, response_of(app, "Words number 1."))
    add_quote(rae, response_of(app, "Words number 2."))
    add(rae, action="said_did", date="2026-11-20", said="The food costs too much.",
        did="Food is free on Fridays.")
    publish(app, rae)
    take_back(app, references[2])
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
