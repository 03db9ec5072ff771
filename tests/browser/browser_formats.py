"""Walks for the display modes, the accessible formats and the pages people rarely see.

``MODES`` are the display options a whole walk is done in. ``walk_formats``
goes through the formats-demo survey with Easy Read and Listen on (plus the
mode's own options); ``walk_edges`` reaches the pages people only see when
something is wrong: timed out, too many tries, unavailable, consent needed.
"""

from __future__ import annotations

import time

from browser_walk import Walker

FORMATS_DEMO = "formats-demo"
CLOSED_DEMO = "closed-demo"
#: Display options of each mode the walks run in.
MODES = {"default": (), "large text": ("large",), "high contrast": ("contrast",)}

CLOSED_SURVEY = """\
id: closed-demo
title: Last year's survey
description: This survey has finished.
status: closed
questions:
  - id: anything
    type: short_text
    label: Anything else?
"""


def set_options(w: Walker, names, survey: str | None = None) -> None:
    """Turn these display options on (and every other one off) with the no-JavaScript form."""
    w.goto(f"/s/{survey}/formats" if survey else "/formats/display")
    for box in w.page.locator("input[name=option]").all():
        box.set_checked(box.get_attribute("value") in names)
    w.submit(w.button("Save these choices"))


def walk_formats(w: Walker, mode: tuple[str, ...]) -> None:
    """Options, Easy Read, Listen, sign language, print and large print, in this mode."""
    page = w.page
    survey = f"/s/{FORMATS_DEMO}"
    w.goto("/formats/display")
    w.record("formats: display options")
    set_options(w, (*mode, "easy", "listen"), FORMATS_DEMO)
    assert page.get_by_text("Saved. Your choices are on for this visit.").is_visible()
    w.record("formats: choices saved, other formats")
    w.goto(survey)
    page.get_by_text("Make it easier to read or listen").click()  # open the <details>
    w.record("formats: start page, options open")
    w.submit(w.button("Start now"))
    w.expect_path(r"/consent$")
    assert page.locator(".af-easy img").first.is_visible()
    assert page.locator("audio").count() == 1
    w.record("formats: consent information, Easy Read and Listen")
    w.submit(w.link("Continue"))
    page.get_by_label("I want to take part.").check()
    w.submit(w.button("I agree, take part"))
    w.expect_path(r"/page/first$")
    assert page.get_by_role("link", name="Watch this question in sign language").is_visible()
    w.record("formats: question with Easy Read, Listen and sign language")
    w.submit(w.button("Continue"))
    w.record("formats: question with Easy Read, error", error=True)
    page.get_by_label("Often").check()
    w.submit(w.button("Continue"))
    w.expect_path(r"/page/second$")  # "Why not?" stays hidden after "Often"
    page.get_by_label("How many times did you go last month?").fill("3")
    w.submit(w.button("Continue"))
    w.expect_path(r"/check$")
    w.goto(f"{survey}/formats/print")
    w.record("formats: survey to print")
    w.goto(f"{survey}/formats/large-print")
    w.record("formats: information in large print")
    set_options(w, mode)


def forget_consent(app, context, survey_id: str) -> None:
    """Take the consent out of this browser's draft, as if it had been given to older words."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = next(c["value"] for c in context.cookies() if c["name"] == name)
    session = app.session_interface.get_signing_serializer(app).loads(cookie)
    store = app.extensions["consent_kit"].store
    draft_id = session["drafts"][survey_id]
    draft = store.load_draft(draft_id)
    draft.pop("consent")
    store.save_draft(draft_id, draft, expires_at=time.time() + 3600)


def walk_edges(w: Walker, app) -> None:
    """Timed out, too many tries, unavailable, consent needed (on a server allowing few tries)."""
    page = w.page
    w.goto(f"/s/{CLOSED_DEMO}")
    w.record("survey unavailable")
    w.goto("/s/have-your-say")
    # What an expired form sends: a token the server no longer accepts.
    page.locator("form[action$='/start'] input[name=csrf_token]").evaluate("e => e.value = 'old'")
    w.submit(w.button("Start now"))
    assert page.get_by_role("heading", name="Please press Continue again").is_visible()
    w.record("timed out: press Continue again")
    for _ in range(5):
        w.goto("/resume")
        page.get_by_label("Your save code").fill("nope")
        w.submit(w.button("Carry on"))
        if page.get_by_role("heading", name="Please wait a minute").is_visible():
            break
    else:
        raise AssertionError("five wrong codes did not reach 'Please wait a minute'")
    w.record("too many tries")
    w.goto(f"/s/{FORMATS_DEMO}")
    w.submit(w.button("Start now"))
    w.submit(w.link("Continue"))
    page.get_by_label("I want to take part.").check()
    w.submit(w.button("I agree, take part"))
    page.get_by_label("Often").check()
    w.submit(w.button("Continue"))
    page.get_by_label("How many times did you go last month?").fill("3")
    w.submit(w.button("Continue"))
    w.expect_path(r"/check$")
    forget_consent(app, page.context, FORMATS_DEMO)
    w.submit(w.button("Send"))
    assert "/submit" in page.url
    w.record("consent needed before sending")
