"""Approvals that work (issue 14, §5), and the admin's first screens.

The rule is on the project's page; whoever's check is waiting sees it on
their home page; Publish is disabled with the reason until approved.
"""

from __future__ import annotations

import pytest
from test_builder_web import BUILD, publish, send, signed_in, words_on

from consent_kit.testing import PASSWORD, Browser, populate


@pytest.fixture
def app(make_app):
    app = make_app()
    accounts = populate(app)
    accounts.create_user("ros", "researcher", PASSWORD)
    accounts.set_member("alpha", "ros", "researcher")
    accounts.assign_survey("have-your-say", "alpha")
    return app


def test_the_approval_rule_is_on_the_projects_page_not_a_surveys(app):
    ada = signed_in(app, "ada")
    project = ada.get("/studio/projects/alpha").get_data(as_text=True)
    assert 'action="/studio/projects/alpha/approval"' in project
    assert "for every survey in this project" in project
    outline = ada.get(BUILD.format("have-your-say")).get_data(as_text=True)
    assert 'action="/studio/projects/alpha/approval"' not in outline
    assert "/studio/projects/alpha#approval-rule" in outline
    ada.post("/studio/projects/alpha/approval", {"require_approval": "yes"})
    text = words_on(signed_in(app, "rae").get("/studio/projects/alpha"))
    assert "another member must approve each version of a survey before it goes live" in text


def test_a_waiting_check_is_on_the_home_page_and_publish_says_why_it_cant(app):
    ada, rae, ros = (signed_in(app, n) for n in ("ada", "rae", "ros"))
    ada.post("/studio/projects/alpha/approval", {"require_approval": "yes"})
    build = BUILD.format("have-your-say")
    assert "Waiting for your check" not in words_on(ros.get("/studio/"))
    send(rae, build + "/details", {"title": "Your say", "description": "Words."})
    home = " ".join(words_on(ros.get("/studio/")).split())
    assert "Waiting for your check" in home and "Your say (changed by rae)" in home
    assert "Waiting for your check" not in words_on(rae.get("/studio/"))  # not their own
    check = rae.get(build + "/publish").get_data(as_text=True)
    assert "You can publish once another member has approved this version." in check
    assert 'type="button" disabled aria-describedby="publish-why"' in check
    assert send(ros, build + "/approve", page=build).status_code == 302
    assert "Waiting for your check" not in words_on(ros.get("/studio/"))
    assert 'name="confirm" value="yes"' in rae.get(build + "/publish").get_data(as_text=True)
    assert publish(rae, "have-your-say").status_code == 302


def test_an_admin_with_no_projects_is_told_to_make_one(make_app):
    app = make_app()
    app.extensions["consent_kit_studio"].accounts.create_user("ada", "admin", PASSWORD)
    app.extensions["consent_kit_studio"].accounts.create_project("Alpha")
    ada = Browser(app)
    ada.login("ada")
    project = words_on(ada.get("/studio/projects/alpha"))
    assert "Everyone with an account is in this project already" not in project
    assert "There are no other accounts yet." in project


def test_a_fresh_sign_in_page_links_to_first_time_setup(make_app):
    app = make_app()
    page = app.test_client().get("/studio/login").get_data(as_text=True)
    assert 'href="/studio/setup"' in page
    app.extensions["consent_kit_studio"].accounts.create_user("ada", "admin", PASSWORD)
    page = app.test_client().get("/studio/login").get_data(as_text=True)
    assert 'href="/studio/setup"' not in page
