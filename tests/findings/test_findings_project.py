"""Findings across a project: what each survey's published page says, on one page."""

from __future__ import annotations

import test_findings
from test_findings import PUBLIC, add, publish, signed_in, text_of

from consent_kit.testing import Participant

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
    assert "What we found in our other surveys" not in text_of(
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
