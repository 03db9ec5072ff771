"""Findings across a project: what each survey's published page says, on one page."""

from __future__ import annotations

import re

import test_findings
from test_findings import PUBLIC, add, publish, signed_in, text_of

from consent_kit.testing import Participant, audit_entries

app = test_findings.app  # the club survey in project alpha (a fixture, found by this name)

TRIPS = """\
id: trips
title: Our trips
description: Some questions about trips.
consent:
  information:
    - heading: What this is
      text: We ask about trips.
  statements:
    - id: take_part
      text: I want to take part.
questions:
  - id: where
    type: short_text
    label: Where should we go?
"""
PROJECT = "/f/project/alpha"


def with_trips(app):
    """A second survey in alpha, its folder read again."""
    kit = app.extensions["consent_kit"]
    (kit.catalog.folder / "trips.yaml").write_text(TRIPS, encoding="utf-8")
    kit.catalog.refresh(force=True)
    app.extensions["consent_kit_studio"].accounts.assign_survey("trips", "alpha")


def test_the_project_page_gathers_published_findings_only(app):
    rae = signed_in(app, "rae")
    assert Participant(app.test_client()).get(PROJECT).status_code == 404  # nothing out yet
    add(rae, action="section", heading="The club", text="You like the club.")
    add(rae, action="said_did", date="2026-11-20", said="Too early.", did="Open later.")
    add(rae, action="counts", question_id="fun", kind="chart")
    publish(app, rae)
    with_trips(app)
    trips = "/studio/surveys/trips/findings"
    rae.get(trips)
    rae.post(trips, {"action": "section", "heading": "The trips", "text": "You want the sea."})
    page = text_of(Participant(app.test_client()).get(PROJECT))
    assert "The club" in page and "The trips" not in page  # trips isn't published
    assert "What we found across the whole project" not in text_of(
        Participant(app.test_client()).get(PUBLIC))  # only one survey's findings are out
    sam = signed_in(app, "sam")
    sam.post(f"{trips}/publish", {"action": "approve"})
    sam.post(f"{trips}/publish", {"action": "publish"})
    rae.post(trips, {"action": "said_did", "date": "2026-12-01", "said": "Sea!", "did": "Booked."})
    page = text_of(Participant(app.test_client()).get(PROJECT))
    assert page.index("The trips") < page.index("The club")  # by title: "Our trips", "The youth club"
    assert "Is the club fun?" not in page  # charts stay on the survey's page
    assert "Booked." not in page  # not approved yet
    assert f'href="{PUBLIC}"' in page and 'href="/f/trips"' in page
    assert f'href="{PROJECT}"' in text_of(Participant(app.test_client()).get(PUBLIC))
    assert "What we found, across the project" in text_of(rae.get("/studio/projects/alpha"))


def test_another_projects_page_shows_nothing_of_alpha(app):
    rae = signed_in(app, "rae")
    add(rae, action="section", heading="The club", text="You like the club.")
    publish(app, rae)
    assert Participant(app.test_client()).get("/f/project/beta").status_code == 404


# -- the project's own words, written by its members --------------------------------------------

OWN = "/studio/projects/alpha/findings"


def test_members_write_the_projects_own_words_published_after_a_second_approval(app):
    rae, sam = signed_in(app, "rae"), signed_in(app, "sam")
    project_page = text_of(rae.get("/studio/projects/alpha"))
    assert f'href="{OWN}"' in project_page  # the entry, through project_actions
    assert rae.get(OWN).status_code == 200
    saved = rae.post(OWN, {"action": "section", "heading": "About the project",
                           "text": "We are **young people** who asked <script>x()</script> questions.",
                           "easy_read": "We asked you questions."})
    assert saved.status_code == 302
    assert Participant(app.test_client()).get(PROJECT).status_code == 404  # not approved yet
    refused = rae.post(f"{OWN}/publish", {"action": "approve"})
    assert refused.status_code == 400 and "someone else in the project" in text_of(refused)
    assert sam.post(f"{OWN}/publish", {"action": "publish"}).status_code == 400  # approve first
    assert sam.post(f"{OWN}/publish", {"action": "approve"}).status_code == 302
    assert sam.post(f"{OWN}/publish", {"action": "publish"}).status_code == 302
    raw = Participant(app.test_client()).get(PROJECT).get_data(as_text=True)
    assert "About the project" in raw and "<strong>young people</strong>" in raw
    assert "<script>x()" not in raw  # sanitised as survey findings are
    # Shown above the surveys' findings once those are out too.
    add(rae, action="section", heading="The club", text="You like the club.")
    publish(app, rae)
    page = text_of(Participant(app.test_client()).get(PROJECT))
    assert page.index("About the project") < page.index("The club")
    # The one survey's page links to the project's, which has more (its own words).
    assert f'href="{PROJECT}"' in text_of(Participant(app.test_client()).get(PUBLIC))
    # A change waits for approval again; the published words stay until then.
    rae.post(OWN, {"action": "section", "heading": "Something new", "text": "New words."})
    page = text_of(Participant(app.test_client()).get(PROJECT))
    assert "Something new" not in page and "About the project" in page
    assert [e["subject"] for e in audit_entries(app, "findings_project_publish")] == ["alpha"]
    assert [e["actor"] for e in audit_entries(app, "findings_project_approve")] == ["sam"]


def test_the_projects_own_words_get_the_same_advice(app):
    rae = signed_in(app, "rae")
    hard = ("Notwithstanding the aforementioned considerations, the organisational infrastructure "
            "necessitated comprehensive reconfiguration of institutional accountability mechanisms.")
    checked = text_of(rae.post(OWN, {"action": "check", "heading": "About", "text": hard}))
    assert "Reading age about" in checked and hard in checked
    assert app.extensions["consent_kit"].store.documents("findings_projects").get(
        project_id="alpha") is None  # checking saves nothing
    rae.post(OWN, {"action": "section", "heading": "About", "text": hard})
    assert "Reading age about" in text_of(rae.get(OWN))


def test_viewers_and_other_projects_cannot_write_the_projects_words(app):
    vic = signed_in(app, "vic")
    assert vic.get(OWN).status_code == 403
    assert vic.post(OWN, {"action": "section", "heading": "x", "text": "y"}).status_code == 403
    assert f'href="{OWN}"' not in text_of(vic.get("/studio/projects/alpha"))


def own_words_written(app, **more) -> str:
    """rae writes one part of the project's own words (not approved yet). Returns its id."""
    rae = signed_in(app, "rae")
    rae.post(OWN, {"action": "section", "heading": "About the project", "text": "We are a youth club.",
                   "easy_read": "We are young people.", **more})
    item_id = app.extensions["consent_kit"].store.documents("findings_projects").get(
        project_id="alpha")["items"][0]["id"]
    return item_id


def approve_and_publish(app):
    sam = signed_in(app, "sam")
    assert sam.post(f"{OWN}/publish", {"action": "approve"}).status_code == 302
    assert sam.post(f"{OWN}/publish", {"action": "publish"}).status_code == 302


def test_the_projects_own_words_in_welsh_and_in_easy_read(app):
    rae = signed_in(app, "rae")
    item_id = own_words_written(app)
    edit = text_of(rae.get(OWN))
    assert f'href="{OWN}/translate/cy"' in edit and f'href="{OWN}/translate/ar"' in edit
    assert rae.get(f"{OWN}/translate/pl").status_code == 404  # no survey of the project is in Polish
    form = text_of(rae.get(f"{OWN}/translate/cy"))
    assert "We are a youth club." in form and f'name="heading-{item_id}"' in form
    assert rae.post(f"{OWN}/translate/cy", {f"heading-{item_id}": "Amdanom ni",
                                            f"text-{item_id}": "Clwb ieuenctid ydyn ni."}).status_code == 302
    approve_and_publish(app)
    welsh = text_of(Participant(app.test_client()).get(f"{PROJECT}?lang=cy"))
    assert "Amdanom ni" in welsh and "Clwb ieuenctid ydyn ni." in welsh
    assert "We are a youth club." not in welsh
    arabic = Participant(app.test_client()).get(f"{PROJECT}?lang=ar").get_data(as_text=True)
    assert 'lang="en" dir="ltr"' in arabic and "We are a youth club." in arabic  # shown as written, marked
    person = Participant(app.test_client())
    full = text_of(person.get(PROJECT))
    assert "We are young people." not in full
    easy_link = re.search(r'<a href="([^"]+)">Easy Read version</a>', full).group(1)
    easy = text_of(person.get(easy_link))
    assert "<p>We are young people.</p>" in easy and "The full version" in easy


# -- the language menu offers the languages the page's words are in ---------------------------


def test_the_page_offers_its_own_language_and_the_ones_its_words_are_translated_into(app):
    from consent_kit.findings.project_views import offer_languages

    own = {"items": [{"kind": "section", "id": "a1", "heading": "About", "text": "Words.",
                      "translations": {"cy": {"heading": "Amdanom", "text": "Geiriau."},
                                       "pl": {"heading": "O nas", "text": ""}}}]}  # not finished
    with app.test_request_context(PROJECT):
        assert offer_languages("en", own, []) == ("en", "cy")
        kit = app.extensions["consent_kit"]
        assert kit.request_state("languages")["offered"] == ("en", "cy")
        assert offer_languages("en", None, []) == ("en",)


def test_the_language_menu_offers_no_language_the_projects_words_are_not_in(app):
    rae = signed_in(app, "rae")
    item_id = own_words_written(app)
    rae.post(f"{OWN}/translate/cy", {f"heading-{item_id}": "Amdanom ni",
                                     f"text-{item_id}": "Clwb ieuenctid ydyn ni."})
    approve_and_publish(app)
    page = text_of(Participant(app.test_client()).get(PROJECT))
    menu = re.search(r'<nav class="languages".*?</nav>', page, re.S).group(0)
    assert 'hreflang="cy"' in menu and 'hreflang="pl"' not in menu and 'hreflang="ar"' not in menu
    polish_browser = app.test_client()
    got = text_of(polish_browser.get(PROJECT, headers={"Accept-Language": "pl"}))
    assert '<html lang="en"' in got  # Polish menus over English words helps no one
