"""Commands that make a consent-kit folder and run its server: init, serve, demo.

Flask, the app and waitress are imported inside the functions that use them
(``consent-kit --help`` stays light, issue 22).
"""

from __future__ import annotations

import logging
import shlex
import shutil
import sys
from pathlib import Path

import click

from consent_kit import paths
from consent_kit.cli.group import DEFAULT_HOST, DEFAULT_PORT, cli, instance_option

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


def survey_or_stop(kit, survey_id: str):
    """The survey called ``survey_id``, or a plain error naming the ones there are."""
    survey = kit.catalog.get(survey_id)
    if survey is None:
        known = ", ".join(sorted(kit.catalog.surveys)) or "none"
        raise click.ClickException(f"There is no survey called {survey_id!r}. Surveys: {known}")
    return survey


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
