"""Where the builder keeps drafts, versions and approvals, and how it reads its forms (no Flask)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from consent_kit.plugins import make_plugin_manager
from consent_kit.registry import collect_question_types
from consent_kit.store import EmbeddedStore
from consent_kit.studio.builder import Workspace, content_version, to_yaml
from consent_kit.studio.builder import forms as form_read
from consent_kit.studio.builder.ops import BuilderError, new_definition
from consent_kit.survey.load.survey_file import load_survey_file

TYPES = collect_question_types(make_plugin_manager(load_entrypoints=False))


@pytest.fixture
def workspace(tmp_path):
    times = iter(f"2026-11-26T10:00:{n:02d}Z" for n in range(60))
    with EmbeddedStore(tmp_path / "data") as store:
        yield Workspace(store, tmp_path / "forms", now=lambda: next(times))


def test_a_draft_is_kept_and_thrown_away(workspace):
    definition = new_definition("youth", "Youth voice", "About youth.")
    assert workspace.draft("youth") is None and not workspace.has_draft_or_file("youth")
    workspace.save_draft("youth", definition, "rae")
    kept = workspace.draft("youth")
    assert kept["definition"] == definition and kept["updated_by"] == "rae"
    assert workspace.has_draft_or_file("youth") and workspace.draft_ids() == {"youth"}
    workspace.discard_draft("youth")
    assert workspace.draft("youth") is None


def test_publish_writes_the_survey_file_and_records_the_version(workspace):
    definition = new_definition("youth", "Youth voice", "About youth.")
    workspace.save_draft("youth", definition, "rae")
    path = workspace.file_for("youth")
    record = workspace.publish("youth", definition, "rae", path)
    assert path == workspace.forms / "youth.yaml" and path.read_text() == to_yaml(definition)
    assert load_survey_file(path, question_types=TYPES).definition == definition
    assert workspace.draft("youth") is None
    assert record["version"] == content_version(definition)
    [stored] = workspace.versions("youth")
    assert (stored["published_by"], stored["published_at"]) == ("rae", record["published_at"])
    assert not list(workspace.forms.glob("*.tmp"))  # written whole, through a temporary file


def test_a_survey_keeps_the_file_it_was_loaded_from(workspace, tmp_path):
    workspace.forms.mkdir()
    own = workspace.forms / "old-name.yml"
    own.write_text("title: x\n")
    assert workspace.file_for("youth", str(own)) == own
    assert workspace.file_for("old-name") == own  # a broken file: found by its name
    elsewhere = tmp_path / "youth.yaml"
    assert workspace.file_for("youth", str(elsewhere)) == workspace.forms / "youth.yaml"


def test_approvals_say_who_approved_which_version_and_when(workspace):
    assert workspace.approval_for("youth", "v1") is None
    workspace.approve("youth", "v1", "ola")
    workspace.approve("youth", "v2", "rae")
    assert workspace.approval_for("youth", "v1", not_by="rae")["approved_by"] == "ola"
    assert workspace.approval_for("youth", "v2", not_by="rae") is None
    assert [(a["version"], a["approved_by"]) for a in workspace.approvals("youth")] == [
        ("v2", "rae"), ("v1", "ola")]
    assert all(a["approved_at"].endswith("Z") for a in workspace.approvals("youth"))


def test_the_approval_rule_is_per_project(workspace):
    assert not workspace.requires_approval("alpha")
    workspace.set_requires_approval("alpha", True)
    assert workspace.requires_approval("alpha") and not workspace.requires_approval("beta")
    assert not workspace.requires_approval("")  # a survey in no project
    workspace.set_requires_approval("alpha", False)
    assert not workspace.requires_approval("alpha")


# -- reading the forms ---------------------------------------------------------------


def test_skip_logic_from_the_form():
    read = form_read.condition
    assert read(MultiDict({"show_if_question": ""})) == ("", "equals", "")
    assert read(MultiDict({"show_if_value": "has_job::yes"})) == ("has_job", "equals", "yes")
    assert read(MultiDict({"show_if_question": "age", "show_if_operator": "not_equals",
                           "show_if_text": "12"})) == ("age", "not_equals", "12")
    with pytest.raises(BuilderError) as caught:
        read(MultiDict({"show_if_question": "age", "show_if_value": "has_job::yes"}))
    assert caught.value.field == "show_if_value"
    with pytest.raises(BuilderError):
        read(MultiDict({"show_if_question": "age"}))
    with pytest.raises(BuilderError):
        read(MultiDict({"show_if_text": "12"}))
    with pytest.raises(BuilderError):
        read(MultiDict({"show_if_operator": "like", "show_if_value": "a::b"}))


def test_choice_rows_and_their_buttons():
    form = MultiDict({"choice-0-value": "r", "choice-0-label": "Red", "choice-0-hint": "",
                      "choice-1-value": "", "choice-1-label": " Blue\r\n", "choice-1-hint": "sky",
                      "choice_action": "up:1"})
    rows, action = form_read.choice_rows(form)
    assert rows == [("r", "Red", ""), (None, "Blue", "sky")] and action == ("up", 1)
    assert form_read.apply_choice_action(rows, action) == [(None, "Blue", "sky"),
                                                           ("r", "Red", "")]
    assert form_read.apply_choice_action(rows, ("delete", 0)) == [(None, "Blue", "sky")]
    assert form_read.apply_choice_action(rows, ("down", 1)) == rows
    assert form_read.choice_rows(MultiDict({**form, "choice_action": "delete:7"}))[1] is None


def test_numbers_and_settings_from_the_form():
    form = MultiDict({"limit_min": "1,000", "limit_max": "", "limit_min_length": "2.5"})
    with pytest.raises(BuilderError) as caught:
        form_read.limits(form)
    assert caught.value.field == "limit_min_length" and "whole number" in str(caught.value)
    assert form_read.limits(MultiDict({"limit_min": "1,000", "limit_max": ""})) == {
        "min": 1000, "max": None}
    assert form_read.options(MultiDict({"option-min": "1", "option-min_label": "Bad",
                                        "option-not_in_future": "true", "option-max": ""}),
                             ["min", "min_label", "not_in_future", "max", "other"]) == {
        "min": 1, "min_label": "Bad", "not_in_future": True, "max": None}
    with pytest.raises(BuilderError):
        form_read.number(MultiDict({"n": "nan"}), "n")
