"""Studio times on the reader's own clock (issue 14 §4): a time zone per account, else the site's
``TIME_ZONE`` (UK time), always in words; participants keep the survey's clock."""

from __future__ import annotations

import re

import pytest

from consent_kit.studio.builder.workspace import Workspace
from consent_kit.testing import Browser, audit_entries, errors_in, populate


@pytest.fixture
def app(make_app):
    app = make_app()
    populate(app)
    return app


def published_line(app, browser) -> str:
    """The outline's line about the draft: it has a time in words."""
    ws: Workspace = app.extensions["consent_kit_builder"]
    ws.now = lambda: "2026-07-02T06:58:00Z"  # summer: UK time is UTC+1
    build = "/studio/surveys/have-your-say/build"
    page = browser.get(build).get_data(as_text=True)
    revision = re.search(r'name="revision" value="([^"]+)"', page).group(1)
    browser.post(build + "/details", {"revision": revision, "title": "Your say",
                                      "description": "Words."})
    text = re.sub(r"<[^>]+>", " ", browser.get(build).get_data(as_text=True))
    return " ".join(re.search(r"Last changed by rae, ([^.]+)\.", text).group(1).split())


def test_studio_times_follow_the_readers_clock_else_the_sites(app):
    rae = Browser(app)
    rae.login("rae")
    assert published_line(app, rae) == "2 July 2026, 07:58 UK time"
    response = rae.post("/studio/clock", {"zone": "America/New_York"})
    assert response.status_code == 302
    assert published_line(app, rae) == "2 July 2026, 02:58 United States (New York) Time"
    assert "T06:58" not in rae.get("/studio/surveys/have-your-say/build").get_data(as_text=True)
    # Someone else's pages, and participants' pages, are not on rae's clock.
    ros = Browser(app)
    ros.login("ada")
    assert "07:58 UK time" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", ros.get(
        "/studio/surveys/have-your-say/build").get_data(as_text=True)))
    assert rae.post("/studio/clock", {"zone": ""}).status_code == 302
    assert published_line(app, rae) == "2 July 2026, 07:58 UK time"
    assert [e["details"]["zone"] for e in audit_entries(app, "clock_chosen")] == [
        "America/New_York", "site"]


def test_a_time_zone_that_does_not_exist_is_refused(app):
    rae = Browser(app)
    rae.login("rae")
    response = rae.post("/studio/clock", {"zone": "", "other": "Europe/Narnia"})
    assert response.status_code == 400
    assert errors_in(response) == ["There is no time zone called ‘Europe/Narnia’. Write it like "
                                   "Europe/London."]
    assert rae.post("/studio/clock", {"other": "Europe/Lisbon"}).status_code == 302
    assert 'value="Europe/Lisbon" checked' in rae.get("/studio/clock").get_data(as_text=True)
