"""Commands on a folder's surveys and records: check, export, plugins, audit, create-user, new-plugin."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click

from consent_kit.cli.group import DEFAULT_HOST, DEFAULT_PORT, cli, instance_option
from consent_kit.cli.running import _app_for, survey_or_stop


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--strict", is_flag=True,
              help="Treat advice on wording as mistakes: exit 1 when there is any.")
def check(files, strict: bool):
    """Check survey files and list every problem with its line and how to fix it.

    Advice on wording (from plugins such as plain_language) is printed after
    the mistakes and never fails the check, unless you ask for ``--strict``.
    """
    from consent_kit.plugin_calls import survey_advice
    from consent_kit.plugins import make_plugin_manager
    from consent_kit.registry import collect_loaders, collect_question_types

    pm = make_plugin_manager()
    loaders = collect_loaders(pm, collect_question_types(pm))
    failed = 0
    advice = []
    for name in files:
        loader = loaders.get(Path(name).suffix)
        if loader is None:
            click.echo(f"{name}: consent-kit can't read {Path(name).suffix or 'these'} files. "
                       f"Use one of: {', '.join(sorted(loaders))}", err=True)
            failed += 1
            continue
        from consent_kit.survey.load.promises import safety_advice
        from consent_kit.survey.model import SurveyError

        try:
            survey = loader(name)
        except SurveyError as error:
            failed += 1
            for problem in error.problems:
                click.echo(str(problem), err=True)
            continue
        click.echo(f"{name}: OK – '{survey.title}', {len(survey.questions)} questions")
        advice += survey_advice(pm, survey) + safety_advice(survey)  # safe defaults, said
    # Advice comes after the mistakes and fails the check only when asked (--strict): researchers decide.
    for problem in advice:
        click.echo(f"advice: {problem}")
    if advice and strict:
        click.echo(f"{len(advice)} piece(s) of advice on wording, counted as mistakes (--strict).", err=True)
        sys.exit(1)
    if advice:
        click.echo(f"{len(advice)} piece(s) of advice on wording. They never stop a survey: "
                   "you decide what to change.")
    if failed:
        click.echo(f"{failed} file(s) need fixing.", err=True)
        sys.exit(1)


@cli.command()
@instance_option
@click.argument("survey_id")
@click.option("--format", "fmt", default="csv", show_default=True,
              help="csv, json, xlsx, dictionary, sav (SPSS), dta (Stata), r or xlsform (or a plugin's)")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: print).")
@click.option("--include-samples", is_flag=True,
              help="Add the made-up sample answers (left out unless you ask; see sample-answers).")
def export(instance: Path, survey_id: str, fmt: str, out: Path | None, include_samples: bool):
    """Export a survey's responses."""
    from consent_kit.results.export_versions import export_survey

    app = _app_for(instance, DEFAULT_HOST)
    kit = app.extensions["consent_kit"]
    survey = survey_or_stop(kit, survey_id)
    exporter = kit.exporters.get(fmt)
    if exporter is None:
        raise click.ClickException(f"Unknown format {fmt!r}. Use one of: {', '.join(kit.exporters)}")
    with app.test_request_context():
        if out is None:
            count = export_survey(kit, survey, exporter, sys.stdout.buffer,
                                  include_samples=include_samples)
        else:
            with open(out, "wb") as handle:
                count = export_survey(kit, survey, exporter, handle, include_samples=include_samples)
            click.echo(f"Wrote {count} responses to {out}", err=True)
    # Taking answers away is a researcher action on personal data: it goes on record.
    kit.store.audit(actor=f"cli:{getpass.getuser()}", action="export", subject=survey.id,
                    details={"format": fmt, "rows": count, **({"samples": True} if include_samples else {})})


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def plugins(as_json: bool):
    """List the loaded plugins, their versions, where they come from and their hooks."""
    from consent_kit.plugins import make_plugin_manager, plugin_info

    rows = plugin_info(make_plugin_manager())
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']} {row['version']} ({row['origin']})")
        click.echo(f"    hooks: {', '.join(row['hooks']) or '-'}")


@cli.group()
def audit():
    """Check and read the audit log (consent given, changed, withdrawn; researcher actions)."""


def _audit_store(instance: Path):
    return _app_for(instance, DEFAULT_HOST).extensions["consent_kit"].store


@audit.command("verify")
@instance_option
def audit_verify(instance: Path):
    """Check that no audit entry was changed or removed (exit code 1 if one was)."""
    store = _audit_store(instance)
    problems = store.verify_audit()
    if problems:
        click.echo(f"The audit log has {len(problems)} problem(s):", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    entries = sum(1 for _ in store.iter_audit())
    click.echo(f"The audit log is complete: {entries} entries, none changed.")


@audit.command("show")
@instance_option
@click.option("--last", type=click.IntRange(min=1), default=None, help="Show only the last N entries.")
def audit_show(instance: Path, last: int | None):
    """Print the audit log, one entry per line: number, time, who, what, about what, details."""
    from collections import deque

    entries = _audit_store(instance).iter_audit()
    shown = deque(entries, maxlen=last) if last else entries
    count = 0
    for entry in shown:
        count += 1
        details = ", ".join(
            f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in sorted(entry["details"].items())
        )
        subject = f" {entry['subject']}" if entry["subject"] else ""
        line = f"{entry['seq']:>6}  {entry['at']}  {entry['actor']}  {entry['action']}{subject}"
        click.echo(f"{line}  ({details})" if details else line)
    if not count:
        click.echo("The audit log is empty.")


@cli.command("create-user")
@instance_option
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "researcher", "viewer"]), default="researcher",
              show_default=True, help="admin: accounts and every project; researcher: runs the "
              "surveys of their projects; viewer: sees results only.")
@click.password_option("--password", prompt="Password (it won't show as you type)",
                       confirmation_prompt="Type the password again",
                       help="Leave this out to be asked for it (safer: it stays out of your shell history).")
def create_user(instance: Path, username: str, role: str, password: str):
    """Make an account for the researchers' area (/studio), for example the first admin."""
    from consent_kit.studio.accounts import AccountError, Accounts

    app = _app_for(instance, DEFAULT_HOST)  # quiet: no "there is no admin yet" while making one
    store = app.extensions["consent_kit"].store
    try:
        user = Accounts(store).create_user(username, role, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    if role == "admin":
        (Path(app.instance_path) / "setup_token").unlink(missing_ok=True)
    store.audit(actor=f"cli:{getpass.getuser()}", action="user_created", subject=user.username,
                details={"role": user.role, "via": "consent-kit create-user"})
    click.echo(f"Made the {user.role} account '{user.username}'. Sign in at /studio/login "
               f"(for example http://{DEFAULT_HOST}:{DEFAULT_PORT}/studio/login with consent-kit serve).")


@cli.command("new-plugin")
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Where to make the consent-kit-NAME folder.")
def new_plugin(name: str, parent: Path):
    """Write a plugin skeleton (consent-kit-NAME) with one question type, a test and a README."""
    from consent_kit.scaffold import NewPluginError, write_skeleton

    try:
        root = write_skeleton(name, parent)
    except NewPluginError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Made a plugin skeleton at {root}")
    click.echo(f"  next: cd {root} && pip install -e . && pytest && consent-kit plugins")
    click.echo(f"  then read {root / 'README.md'}")
