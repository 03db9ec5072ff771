"""A task list per survey (issue 14, §1): each part with Not started / In progress / Done /
Needs attention, the core's tasks and then the plugins'."""

from __future__ import annotations

import re

import pytest
from test_builder_safety import write_own_words
from test_builder_web import BUILD, add_page, new_survey, publish, send, signed_in

from consent_kit import hookimpl
from consent_kit.plugin_calls import StudioTask
from consent_kit.testing import PASSWORD, populate


def tasks_on(page: str) -> dict[str, str]:
    block = page.split('<ul class="task-list">', 1)[1].split("</ul>", 1)[0]
    return dict(re.findall(r'<a href="[^"]*">([^<]+)</a> <strong class="tag [^"]*">([^<]+)</strong>',
                           block))


class Posters:
    @hookimpl
    def survey_tasks(self, kit, survey_id, user):
        return [StudioTask("Where people find it", f"/studio/surveys/{survey_id}/qr",
                           StudioTask.NOT_STARTED)]


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[Posters()])
    accounts = populate(app)
    accounts.create_user("ros", "researcher", PASSWORD)
    return app


def test_a_new_survey_shows_what_is_left_to_do_and_the_list_follows_the_work(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    build = BUILD.format(survey_id)
    assert tasks_on(rae.get(build).get_data(as_text=True)) == {
        "Questions and pages": "Not started", "Information and consent": "Needs attention",
        "Support and leaving safely": "Done", "Thank-you payments": "Not started",
        "Languages": "Not started", "Easy Read, pictures and sign language": "Not started",
        "Publish": "Needs attention"}
    add_page(rae, survey_id, "short_text", "What do you like?")
    write_own_words(rae, app, survey_id)
    assert tasks_on(rae.get(build).get_data(as_text=True)) == {
        "Questions and pages": "Done", "Information and consent": "Done",
        "Support and leaving safely": "Done", "Thank-you payments": "Not started",
        "Languages": "Not started", "Easy Read, pictures and sign language": "Not started",
        "Publish": "Not started"}
    assert publish(rae, survey_id).status_code == 302
    found = tasks_on(rae.get(build).get_data(as_text=True))
    assert found["Publish"] == "Done"
    assert found["Where people find it"] == "Not started"  # a plugin's task, after the core's
    assert list(found)[-1] == "Where people find it"
    send(rae, build + "/details", {"title": "Changed", "description": "Words."})
    assert tasks_on(rae.get(build).get_data(as_text=True))["Publish"] == "In progress"
