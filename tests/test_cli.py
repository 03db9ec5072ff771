"""The consent-kit command: init, check, export, plugins."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from consent_kit.cli import cli
from consent_kit.testing import Participant, make_instance

BAD_SURVEY = """\
title: Youth survey
description: A test.
questions:
  - id: age
    type: nmber
    label: How old are you?
  - id: age
    type: short_text
    label: Again?
"""


def test_init_makes_a_working_folder(tmp_path):
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "config.toml").exists()
    assert sorted(p.name for p in (tmp_path / "new" / "forms").glob("*.yaml")) == [
        "event-feedback.yaml",
        "have-your-say.yaml",
    ]
    again = CliRunner().invoke(cli, ["init", str(tmp_path / "new")])
    assert again.exit_code == 1 and "already a consent-kit folder" in again.output


def test_check_passes_the_examples(tmp_path):
    folder = make_instance(tmp_path / "i")
    files = [str(p) for p in sorted((folder / "forms").glob("*.yaml"))]
    result = CliRunner().invoke(cli, ["check", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count(": OK") == 2


def test_check_lists_every_problem_with_file_and_line(tmp_path):
    bad = tmp_path / "youth.yaml"
    bad.write_text(BAD_SURVEY)
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:5: question 'age': unknown type 'nmber' — did you mean 'number'?" in result.output
    assert f"{bad}:7:" in result.output and "'age'" in result.output
    assert "1 file(s) need fixing" in result.output


def test_check_refuses_an_unknown_kind_of_file(tmp_path):
    other = tmp_path / "survey.docx"
    other.write_text("x")
    result = CliRunner().invoke(cli, ["check", str(other)])
    assert result.exit_code == 1 and "can't read .docx files" in result.output


def test_export_csv_neutralises_formulas(make_app, tmp_path):
    app = make_app()
    Participant(app.test_client()).complete(
        "event-feedback",
        {"event_day": {"day": "3", "month": "10", "year": "2026"}, "event_name": "=HYPERLINK(1)",
         "enjoyed": "4", "felt_welcome": "a-bit", "best_bit": "@everyone -1", "come_again": "no"},
    )
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        cli, ["export", "--instance", app.instance_path, "event-feedback", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["event_name"] == "'=HYPERLINK(1)"
    assert rows[0]["best_bit"] == "'@everyone -1"
    assert rows[0]["event_day"] == "2026-10-03"
    # The same columns as a download from the studio: where people came from, in words.
    assert rows[0]["source_group"] == "The survey link"
    assert "reference" not in rows[0]
    [entry] = [e for e in app.extensions["consent_kit"].store.iter_audit() if e["action"] == "export"]
    assert entry["subject"] == "event-feedback" and entry["details"] == {"format": "csv", "rows": 1}
    assert "HYPERLINK" not in str(entry)


def test_export_unknown_survey_says_which_exist(make_app):
    app = make_app()
    result = CliRunner().invoke(cli, ["export", "--instance", app.instance_path, "nope"])
    assert result.exit_code == 1
    assert "no survey called 'nope'" in result.output and "have-your-say" in result.output


def test_plugins_lists_hooks_as_json():
    result = CliRunner().invoke(cli, ["plugins", "--json"])
    assert result.exit_code == 0
    names = {row["name"]: row for row in json.loads(result.output)}
    assert "register_question_types" in names["question_types"]["hooks"]


def test_the_instance_variable_is_the_apps():
    # cli.py names it itself so that its options need no import of the app (issue 22).
    from consent_kit import app
    from consent_kit import cli as cli_module

    assert cli_module.INSTANCE_ENV == app.INSTANCE_ENV


def test_lazy_commands_show_the_real_commands_help_line():
    import click

    from consent_kit.cli import LazyCommand, add_plugin_commands, command_plugin_manager
    from consent_kit.plugins import make_plugin_manager

    group = click.Group()
    add_plugin_commands(group, command_plugin_manager())
    lazy = [c for c in [*cli.commands.values(), *group.commands.values()] if isinstance(c, LazyCommand)]
    assert {c.name for c in lazy} >= {"import", "qr"}
    for command in lazy:
        real = command.real()
        assert real.name == command.name
        for limit in (45, 60, 200):
            assert command.get_short_help_str(limit) == real.get_short_help_str(limit), command.name
    # The command line's plugin manager adds the same commands as the full one.
    full = click.Group()
    add_plugin_commands(full, make_plugin_manager())
    assert sorted(full.commands) == sorted(group.commands)


def test_a_lazy_command_runs_the_real_one_with_its_options(tmp_path):
    from consent_kit.cli import LazyCommand

    shown = CliRunner().invoke(cli, ["import", "--help"])
    assert shown.exit_code == 0 and "--format [xlsform|redcap]" in shown.output
    wrong = CliRunner().invoke(cli, ["import", str(tmp_path / "missing.xlsx")])
    assert wrong.exit_code == 2 and "does not exist" in wrong.output
    assert isinstance(cli.commands["import"], LazyCommand)


def test_a_blocked_plugin_adds_no_command(monkeypatch):
    import click

    from consent_kit.cli import add_plugin_commands, command_plugin_manager

    monkeypatch.setenv("CONSENT_KIT_BLOCK_PLUGINS", "qr_entry")
    group = click.Group()
    add_plugin_commands(group, command_plugin_manager())
    assert "qr" not in group.commands and "translations" in group.commands
