"""The shared extension points: page slots, result breakdowns and wording advice."""

from __future__ import annotations

import logging

import pytest
from markupsafe import Markup

from consent_kit import Breakdown, Problem, hookimpl
from consent_kit.plugin_calls import response_breakdowns, survey_advice
from consent_kit.plugins import PluginError
from consent_kit.testing import Participant

HAVE_YOUR_SAY = {
    "age_group": "14-16", "care_experience": "yes", "services_used": ["A youth club"], "visits": "4",
    "how_good": "4", "trusted_adult": "yes", "what_helps": "Listening.", "make_better": "Later hours.",
    "sport_ideas": "Climbing",
}

SLOTS = ("header", "start", "done", "saved", "copy")


class SlotFiller:
    """Marks every slot with its name, and shows that plugin HTML is placed as it is."""

    @hookimpl
    def page_parts(self, slot, template, survey):
        name = survey.id if survey else "none"
        return Markup(f'<p class="slot-{slot}">{slot} on {template} for {name}</p>')


class Escaper:
    @hookimpl
    def page_parts(self, slot):
        return None if slot != "header" else Markup("<b>{}</b>").format("<script>")


def _kit(app):
    return app.extensions["consent_kit"]


def test_header_and_start_slots_are_filled_on_the_start_page(make_app):
    app = make_app(plugins=[SlotFiller()])
    html = app.test_client().get("/s/have-your-say").get_data(as_text=True)
    assert '<p class="slot-header">header on participant.start for have-your-say</p>' in html
    assert '<p class="slot-start">start on participant.start for have-your-say</p>' in html
    assert "slot-done" not in html


def test_done_slot_is_on_the_thank_you_page(make_app):
    app = make_app(plugins=[SlotFiller()])
    person = Participant(app.test_client())
    person.complete("have-your-say", HAVE_YOUR_SAY)
    assert 'class="slot-done"' in person.html


def test_no_plugin_leaves_no_trace(make_app):
    html = make_app().test_client().get("/s/have-your-say").get_data(as_text=True)
    assert "slot-" not in html and "None" not in html


def test_returned_markup_is_placed_as_it_is_and_escaping_is_the_plugins_job(make_app):
    html = make_app(plugins=[Escaper()]).test_client().get("/").get_data(as_text=True)
    assert "<b>&lt;script&gt;</b>" in html


class BySource:
    @hookimpl
    def response_breakdowns(self, survey):
        return [Breakdown("day-part", "Time of day", lambda r: "morning")]


class AlsoBySource:
    @hookimpl
    def response_breakdowns(self, survey):
        return [Breakdown("day-part", "Part of the day", lambda r: "")]


def test_breakdowns_are_collected_in_order(make_app):
    app = make_app(plugins=[BySource()])
    survey = _kit(app).catalog.get("have-your-say")
    found = response_breakdowns(_kit(app).pm, survey)
    assert [b.id for b in found if b.id == "day-part"] == ["day-part"]


def test_two_breakdowns_with_one_id_name_both_plugins(make_app):
    app = make_app(plugins=[BySource(), AlsoBySource()])
    survey = _kit(app).catalog.get("have-your-say")
    with pytest.raises(PluginError, match="split results by 'day-part'"):
        response_breakdowns(_kit(app).pm, survey)


class Advice:
    @hookimpl
    def survey_advice(self, survey):
        return [Problem(survey.source, 3, "title", "Shorter is kinder.", severity="error")]


class BrokenAdvice:
    @hookimpl
    def survey_advice(self, survey):
        raise RuntimeError("boom")


def test_advice_is_always_a_warning_and_a_failing_adviser_is_skipped(make_app, caplog):
    app = make_app(plugins=[Advice(), BrokenAdvice()])
    survey = _kit(app).catalog.get("have-your-say")
    with caplog.at_level(logging.ERROR):
        advice = survey_advice(_kit(app).pm, survey)
    assert [(a.message, a.severity) for a in advice if a.message == "Shorter is kinder."] == [
        ("Shorter is kinder.", "warning")
    ]
    assert "'BrokenAdvice' failed in survey_advice" in caplog.text
    assert [(f.plugin, f.hook, f.error) for f in _kit(app).plugin_failures] == [
        ("BrokenAdvice", "survey_advice", "boom")]
