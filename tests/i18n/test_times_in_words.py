"""Times in words, on a real clock: the ``when`` filter and the ``time_zone:`` setting (issue 15 item 8).

Participants never see "UTC" or an ISO time. Surveys may say which clock their
people read (``time_zone: Europe/Dublin``); otherwise the instance's ``TIME_ZONE``
(UK time by default). A zone name that doesn't exist is a mistake with its file and line.
"""

from __future__ import annotations

import pytest
from flask import render_template_string

from consent_kit.i18n.gettext import when
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.survey.model import SurveyError

SUMMER = "2026-07-02T06:58:00Z"
WINTER = "2026-12-02T06:58:00Z"
HEAD = "title: A test survey\ndescription: Just for tests.\n"
QUESTIONS = "questions: [{id: a, type: short_text, label: A}]\n"


@pytest.fixture
def app(make_app):
    return make_app(examples=False)


def shown(app, stamp, zone=None, lang="en") -> str:
    with app.test_request_context(f"/?lang={lang}"):
        return when(stamp, zone)


def test_uk_time_in_words_summer_and_winter(app):
    assert shown(app, SUMMER) == "2 July 2026, 07:58 UK time"
    assert shown(app, WINTER) == "2 December 2026, 06:58 UK time"


def test_the_surveys_zone_and_the_instances_zone(app, make_app):
    assert shown(app, SUMMER, "America/New_York").startswith("2 July 2026, 02:58 ")
    assert "UTC" not in shown(app, SUMMER, "America/New_York")
    berlin = make_app(examples=False, config={"TIME_ZONE": "Europe/Berlin"})
    assert shown(berlin, SUMMER).startswith("2 July 2026, 08:58 Germany")


def test_in_the_pages_language_never_utc(app):
    arabic = shown(app, WINTER, lang="ar")
    assert "ديسمبر" in arabic and "UTC" not in arabic and "2026-12-02" not in arabic
    assert "Rhagfyr" in shown(app, WINTER, lang="cy")


def test_the_filter_takes_a_zone_in_templates(app):
    with app.test_request_context("/"):
        text = render_template_string("{{ t|when('Asia/Tokyo') }}", t=SUMMER)
    assert text.startswith("2 July 2026, 15:58")


def test_anything_else_is_shown_as_it_is(app):
    assert shown(app, "not a time") == "not a time"


@pytest.fixture
def registry(app):
    """The question types (and plugin settings) a real app's loader gets."""
    return app.extensions["consent_kit"].question_types


def test_time_zone_in_a_survey_file(registry):
    survey = load_survey_text(HEAD + "time_zone: Europe/Dublin\n" + QUESTIONS,
                              path="forms/test.yaml", question_types=registry)
    assert survey.time_zone == "Europe/Dublin"
    plain = load_survey_text(HEAD + QUESTIONS, path="forms/test.yaml", question_types=registry)
    assert plain.time_zone == ""


@pytest.mark.parametrize("zone", ["Europe/Londn", "UK time", "../../etc/passwd"])
def test_an_unknown_zone_is_a_mistake_with_file_and_line(registry, zone):
    with pytest.raises(SurveyError) as caught:
        load_survey_text(HEAD + f"time_zone: {zone}\n" + QUESTIONS, path="forms/test.yaml",
                         question_types=registry)
    found = [str(p) for p in caught.value.problems]
    assert any("forms/test.yaml:3: 'time_zone' should be a time zone name" in p for p in found), found
