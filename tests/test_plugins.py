"""The plugin system: registering, blocking, misspellings, duplicates, failing events."""

from __future__ import annotations

import pytest
from example_plugins import misspelled, noisy_events, second_number, traffic_light

from consent_kit import hookimpl
from consent_kit.plugins import PluginError, make_plugin_manager, plugin_info
from consent_kit.testing import Participant

TRAFFIC_SURVEY = """\
title: How is the youth club going?
description: Three quick questions.
questions:
  - id: club
    type: traffic_light
    label: How is the youth club going?
  - id: why
    type: long_text
    label: Why?
    required: false
"""


def test_hook_register_question_types_plugin_type_completes_end_to_end(make_app):
    app = make_app(plugins=[traffic_light], forms={"club.yaml": TRAFFIC_SURVEY}, examples=False)
    person = Participant(app.test_client())
    person.start("club")
    assert "Some problems" in person.html and 'type="radio"' in person.html
    person.answer_page({"club": "amber"})
    person.answer_page({"why": "It closes too early."})
    assert "Some problems" in person.html  # check your answers uses describe_answer
    person.send()
    [response] = app.extensions["consent_kit"].store.iter_responses("club")
    assert response.answers == {"club": "amber", "why": "It closes too early."}


def test_hook_register_question_types_unknown_answer_is_refused(make_app):
    app = make_app(plugins=[traffic_light], forms={"club.yaml": TRAFFIC_SURVEY}, examples=False)
    person = Participant(app.test_client())
    person.start("club")
    person.answer_page({"club": "purple"})
    assert "/page/" in person.path
    assert "Choose one of the answers shown" in person.html
    assert 'class="error-summary"' in person.html


def test_survey_with_plugin_type_is_broken_without_the_plugin(make_app):
    app = make_app(forms={"club.yaml": TRAFFIC_SURVEY}, examples=False)
    problems = app.extensions["consent_kit"].catalog.broken["club"]
    assert any("traffic_light" in str(p) for p in problems)


def test_two_plugins_with_the_same_type_name_stop_startup_naming_both(make_app):
    with pytest.raises(PluginError) as error:
        make_app(plugins=[second_number])
    assert "'number'" in str(error.value)
    assert "question_types" in str(error.value) and "second_number" in str(error.value)


def test_misspelled_hook_fails_loudly_with_the_plugin_name():
    with pytest.raises(PluginError) as error:
        make_plugin_manager(load_entrypoints=False, extra=[misspelled])
    assert "register_question_typos" in str(error.value)
    assert "misspelled" in str(error.value)


def test_block_plugin_by_config_and_by_environment(monkeypatch):
    pm = make_plugin_manager(load_entrypoints=False, extra=[traffic_light])
    assert pm.get_plugin(traffic_light.__name__) is not None
    pm = make_plugin_manager(blocked=["some_plugin"], load_entrypoints=False)
    assert pm.is_blocked("some_plugin")
    monkeypatch.setenv("CONSENT_KIT_BLOCK_PLUGINS", "qr_entry, other")
    pm = make_plugin_manager(load_entrypoints=False)
    assert pm.is_blocked("qr_entry") and pm.is_blocked("other")


def test_core_defaults_cannot_be_blocked():
    with pytest.raises(PluginError) as error:
        make_plugin_manager(blocked=["question_types"], load_entrypoints=False)
    assert "can't be turned off" in str(error.value)


def test_plugin_info_lists_core_plugins_and_their_hooks():
    rows = {row["name"]: row for row in plugin_info(make_plugin_manager(load_entrypoints=False))}
    assert rows["question_types"]["origin"] == "core"
    assert rows["question_types"]["hooks"] == ["register_question_types"]
    assert rows["exporters"]["hooks"] == ["register_exporters"]


def test_failing_event_hook_does_not_lose_the_answers(make_app, caplog):
    noisy_events.SEEN.clear()
    app = make_app(plugins=[noisy_events.Broken(), noisy_events.Recorder()])
    reference = Participant(app.test_client()).complete(
        "event-feedback",
        {"event_day": {"day": "1", "month": "11", "year": "2026"}, "event_name": "Film night",
         "enjoyed": "5", "felt_welcome": "a-lot", "best_bit": "The popcorn", "come_again": "yes"},
    )
    kit = app.extensions["consent_kit"]
    assert reference and kit.store.count_responses("event-feedback") == 1
    assert len(noisy_events.SEEN) == 1  # the other plugin still heard about it
    [(plugin_name, error)] = kit.plugin_failures
    assert plugin_name == "Broken"
    assert "mail server" in str(error)
    assert "response_submitted" in caplog.text


class ClashingExporter:
    """Claims the core's "csv" export name."""

    name = "csv"

    @hookimpl
    def register_exporters(self, register):
        register(self)


def test_two_exports_with_one_name_stop_startup_naming_both(make_app):
    with pytest.raises(PluginError) as error:
        make_app(plugins=[ClashingExporter()])
    assert "an export called 'csv'" in str(error.value)
    assert "'exporters'" in str(error.value) and "'ClashingExporter'" in str(error.value)
