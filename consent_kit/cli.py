"""The ``consent-kit`` command: init, serve, demo, check, export, plugins (and plugins' own).

Start-up is kept light (issue 22: ``consent-kit --help`` in under half a second):
Flask, the app, the store and the survey loaders are imported inside the
commands that use them, never at the top of this module
(tests/test_lazy_imports.py checks it).
"""

from __future__ import annotations

import getpass
import importlib
import json
import logging
import shlex
import shutil
import sys
from pathlib import Path

import click

from consent_kit import paths
from consent_kit.plugins import (
    BUILTIN_PLUGINS,
    DEFAULT_PLUGINS,
    STOP,
    KitPluginManager,
    PluginError,
    call_each,
    plugin_name,
)

#: The same as consent_kit.app.INSTANCE_ENV (tests/test_cli.py checks), named here so
#: that the options below need no import of the app and Flask.
INSTANCE_ENV = "CONSENT_KIT_INSTANCE"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

CONFIG_TEMPLATE = """\
# consent-kit settings for this folder. Lines starting with # are notes.
site_name = "consent-kit"

# How long unsent answers are kept while someone is answering (hours),
# and how long "save and come back later" keeps them (days).
draft_hours = 24
saved_days = 30

# Turn plugins off by name, e.g. blocked_plugins = ["qr_entry"]
blocked_plugins = []

# The address people use to reach this server, used in printed links and QR codes,
# e.g. base_url = "https://survey.example.org"
base_url = ""
"""

instance_option = click.option(
    "--instance",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=INSTANCE_ENV,
    default="instance",
    show_default=True,
    help=f"The consent-kit folder (or set {INSTANCE_ENV}).",
)


@click.group()
@click.version_option(package_name="consent-kit")
def cli():
    """consent-kit: surveys and consent for research done with people, not to them."""


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path):
    """Make a new consent-kit folder with settings, example surveys and a data folder."""
    if (folder / "config.toml").exists():
        raise click.ClickException(f"{folder} is already a consent-kit folder. Nothing was changed.")
    init_instance(folder)
    click.echo(f"Made a new consent-kit folder at {folder}")
    click.echo(f"  surveys: {folder / 'forms'} (edit these, or add your own)")
    click.echo(f"  start it with: consent-kit serve --instance {folder}")


def init_instance(folder: Path) -> None:
    """Create the folder layout: config.toml, forms/ with the examples, data/."""
    (folder / "forms").mkdir(parents=True, exist_ok=True)
    (folder / "data").mkdir(mode=0o700, exist_ok=True)
    for example in sorted(paths.FORMS.glob("*.yaml")):
        target = folder / "forms" / example.name
        if not target.exists():
            shutil.copyfile(example, target)
    (folder / "config.toml").write_text(CONFIG_TEMPLATE)


@cli.command()
@instance_option
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, help="Requests handled at once.")
def serve(instance: Path, host: str, port: int, threads: int):
    """Run the survey server (waitress), ready for a crowd scanning a QR code."""
    app = _app_for(instance, host)
    _print_links(app, host, port, qr=False)
    _run_waitress(app, host, port, threads)


@cli.command()
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=".demo",
              show_default=True, help="Where to keep the demo's folder.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
def demo(instance: Path, port: int):
    """Set up a demo folder (first time only) and serve the example surveys on this computer."""
    if not (instance / "config.toml").exists():
        init_instance(instance)
        click.echo(f"Made a demo folder at {instance}")
    app = _app_for(instance, DEFAULT_HOST)
    _print_links(app, DEFAULT_HOST, port, qr=True)
    _run_waitress(app, DEFAULT_HOST, port, 8)


def _app_for(instance: Path, host: str):
    # The listen address does not decide the Secure cookie flag: https does
    # (consent_kit/web/transport.py), so a TLS proxy on 127.0.0.1 still gets a
    # Secure cookie and plain http on 0.0.0.0 still works. ``host`` stays for callers.
    del host
    from consent_kit.app import create_app

    try:
        return create_app({}, instance=instance)
    except Exception as error:
        raise click.ClickException(str(error)) from None


def _print_links(app, host: str, port: int, *, qr: bool) -> None:
    kit = app.extensions["consent_kit"]
    base = app.config["BASE_URL"].rstrip("/") or f"http://{host}:{port}"
    surveys = kit.catalog.open_surveys()
    click.echo(f"consent-kit is running at {base}/")
    if not surveys:
        click.echo("No surveys are open. Add a survey file to the forms folder.")
    for survey in surveys:
        link = f"{base}/s/{survey.id}"
        click.echo(f"  {survey.title}: {link}")
    for name, problems in kit.catalog.broken.items():
        click.echo(f"  Not available, needs fixing: {name}", err=True)
        for problem in problems:
            click.echo(f"    {problem}", err=True)
    if qr and surveys:
        _print_qr(f"{base}/s/{surveys[0].id}")
    from consent_kit.studio.first_admin import setup_link

    if link := setup_link(app, base):
        click.echo(f"No researcher admin account yet. Make the first one at {link}")
        click.echo(f"  or type: {create_user_command(Path(app.instance_path))}")
    click.echo("Press Ctrl+C to stop.")


def create_user_command(instance: Path) -> str:
    """The exact create-user command that works from the current folder (issue 21 §2).

    ``make run`` does not put the command on PATH, so a bare ``consent-kit``
    would fail: name the script next to this Python, and the folder.
    """
    if shutil.which("consent-kit") == str(Path(sys.executable).with_name("consent-kit")):
        program = "consent-kit"
    else:
        program = _relative(Path(sys.executable).with_name("consent-kit"))
    return f"{program} create-user YOUR-NAME --role admin --instance {shlex.quote(_relative(instance))}"


def _relative(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it (shorter to type)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _print_qr(link: str) -> None:
    import qrcode

    code = qrcode.QRCode(border=2)
    code.add_data(link)
    click.echo(f"The QR code below holds {link}")
    click.echo("(a phone can open it only if it can reach this computer: see docs/running-a-survey.md)")
    code.print_ascii(out=sys.stdout, invert=True)


def _run_waitress(app, host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    # waitress logs a line per queued request under load; that costs CPU at the worst moment.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    # 200+ phones may connect at once after a QR code goes up; waitress's default is 100.
    waitress_serve(app, host=host, port=port, threads=threads, connection_limit=1000,
                   channel_timeout=60, ident="consent-kit")


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
    survey = kit.catalog.get(survey_id)
    if survey is None:
        known = ", ".join(sorted(kit.catalog.surveys)) or "none"
        raise click.ClickException(f"There is no survey called {survey_id!r}. Surveys: {known}")
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


class LazyCommand(click.Command):
    """A command whose module is imported only when it runs (or its own ``--help`` is asked for).

    The group's ``--help`` needs only the name and the first line of the help, given
    here (tests/test_cli.py checks it matches the real command's).
    """

    def __init__(self, name: str, target: str, first_line: str):
        super().__init__(name, help=first_line, add_help_option=False)
        self.target = target

    def real(self) -> click.Command:
        """The command itself: ``module:attribute`` of ``target``, imported now."""
        module, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def make_context(self, info_name, args, parent=None, **extra):
        # click runs ``sub_ctx.command.invoke(sub_ctx)``: the real command parses and runs.
        return self.real().make_context(info_name, args, parent=parent, **extra)


# XLSForm, REDCap (issue 18): the importers load YAML, Babel and the builder's starter parts.
cli.add_command(LazyCommand("import", "consent_kit.survey.load.imported:import_command",
                            "Turn an XLSForm or a REDCap data dictionary into a survey file, "
                            "and say what didn't come across."))

from consent_kit.results.samples_cli import sample_answers_command  # noqa: E402  (issue 22)

cli.add_command(sample_answers_command)


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

    # Not "there is no admin yet, here is how to make one": that is what this command does.
    logging.getLogger("consent_kit.studio.auth").setLevel(logging.ERROR)
    app = _app_for(instance, DEFAULT_HOST)
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


def add_plugin_commands(group: click.Group, pm) -> None:
    """Let every plugin add its commands to ``group`` (a failure stops, naming the plugin)."""
    call_each(pm, "register_commands", policy=STOP, oldest_first=True, cli=group)


def command_plugin_manager() -> KitPluginManager:
    """A plugin manager holding only the plugins that may add commands, for the command line.

    ``make_plugin_manager`` imports every plugin, and with them Flask, the
    store and the plugins' pages (0.6 s of CPU). Adding commands needs only the
    plugins whose module names ``register_commands``: a built-in plugin that
    doesn't is not imported here (its source is read, not run). Third-party
    plugins are all loaded, as blocked ones are left out, in the same order as
    ``make_plugin_manager``. Commands that need every plugin make the full manager.
    """
    from consent_kit import hookspecs
    from consent_kit.plugins import _check_pending, _load_entrypoints, blocked_names

    pm = KitPluginManager("consent_kit")
    pm.add_hookspecs(hookspecs)
    block = blocked_names()
    for dotted in DEFAULT_PLUGINS + BUILTIN_PLUGINS:
        name = plugin_name(dotted)
        if name in block and dotted in BUILTIN_PLUGINS:
            continue
        if _may_add_commands(dotted):
            pm.register(importlib.import_module(dotted), name=name)
    for name in block:
        pm.set_blocked(name)
    _load_entrypoints(pm)
    _check_pending(pm)
    return pm


def _may_add_commands(dotted: str) -> bool:
    """Whether a built-in plugin's source mentions ``register_commands`` (or can't be read)."""
    import importlib.util

    spec = importlib.util.find_spec(dotted)
    try:
        return "register_commands" in Path(spec.origin).read_text(encoding="utf-8")
    except (AttributeError, TypeError, OSError, UnicodeDecodeError):
        return True  # can't tell: import it, as make_plugin_manager would


def main() -> None:
    """Entry point: add plugins' commands, then run."""
    try:
        pm = command_plugin_manager()
    except Exception as error:  # a broken plugin must not hide behind a traceback
        click.echo(f"consent-kit could not start: {error}", err=True)
        sys.exit(2)
    try:
        add_plugin_commands(cli, pm)
    except PluginError as error:
        click.echo(f"consent-kit could not start: {error}", err=True)
        sys.exit(2)
    cli(prog_name="consent-kit")


if __name__ == "__main__":  # pragma: no cover
    main()
