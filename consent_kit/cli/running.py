"""Commands that make a consent-kit folder and run its server: init, serve, demo.

Flask, the app and waitress are imported inside the functions that use them
(``consent-kit --help`` stays light, issue 22).
"""

from __future__ import annotations

import errno
import logging
import shlex
import shutil
import socket
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


#: The ports ``serve`` and ``demo`` accept (click says so before anything starts).
PORTS = click.IntRange(1, 65535)


@cli.command()
@instance_option
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=PORTS)
@click.option("--threads", default=8, show_default=True, help="Requests handled at once.")
def serve(instance: Path, host: str, port: int, threads: int):
    """Run the survey server (waitress), ready for a crowd scanning a QR code."""
    app = _app_for(instance, host)
    server, port = listen(app, host, port, threads, command="serve")
    from consent_kit.web.transport import startup_warning

    if warning := startup_warning(app.config):  # the demo, on this computer only, needs none
        click.echo(f"Note: {warning}", err=True)
    _print_links(app, host, port, qr=False)
    server.run()


@cli.command()
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path), default=".demo",
              show_default=True, help="Where to keep the demo's folder.")
@click.option("--port", type=PORTS,
              help=f"The port to listen on.  [default: {DEFAULT_PORT}, or the next free one]")
def demo(instance: Path, port: int | None):
    """Set up a demo folder (first time only) and serve the example surveys on this computer."""
    if not (instance / "config.toml").exists():
        init_instance(instance)
        click.echo(f"Made a demo folder at {instance}")
    app = _app_for(instance, DEFAULT_HOST)
    # `make run` names no port: when 5000 is taken (another demo still running, or a Mac's
    # AirPlay receiver), the next free one does, rather than a traceback.
    server, port = listen(app, DEFAULT_HOST, port or DEFAULT_PORT, 8, command="demo",
                          spare_ports=0 if port else SPARE_PORTS)
    _print_links(app, DEFAULT_HOST, port, qr=True)
    server.run()


def _app_for(instance: Path, host: str):
    # The listen address does not decide the Secure cookie flag: https does
    # (consent_kit/web/transport.py), so a TLS proxy on 127.0.0.1 still gets a
    # Secure cookie and plain http on 0.0.0.0 still works. ``host`` stays for callers.
    del host
    from consent_kit.app import create_app

    try:
        return create_app({"QUIET_START_UP": True}, instance=instance)
    except Exception as error:
        raise click.ClickException(str(error)) from None


def survey_or_stop(kit, survey_id: str):
    """The survey called ``survey_id``, or a plain error naming the ones there are."""
    survey = kit.catalog.get(survey_id)
    if survey is None:
        known = ", ".join(sorted(kit.catalog.surveys)) or "none"
        raise click.ClickException(f"There is no survey called {survey_id!r}. Surveys: {known}")
    return survey


#: Listening on every address: a link can't name these, it names 127.0.0.1 and the network's.
EVERY_ADDRESS = {"0.0.0.0", "::", ""}


def link_bases(base_url: str, host: str, port: int) -> tuple[str, str | None]:
    """The address to print links with, and the local network's one when it is worth saying.

    ``base_url`` wins. Listening on every address, "http://0.0.0.0:5000" would open nothing
    on a phone: links use this computer's own address, and the network's is given beside
    them (a laptop at an event).
    """
    if base_url:
        return base_url.rstrip("/"), None
    if host in EVERY_ADDRESS:
        network = lan_address()
        return f"http://127.0.0.1:{port}", f"http://{network}:{port}" if network else None
    return f"http://{host}:{port}", None


def _print_links(app, host: str, port: int, *, qr: bool) -> None:
    kit = app.extensions["consent_kit"]
    base, network = link_bases(app.config["BASE_URL"], host, port)
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
    if network:
        click.echo(f"Phones and computers on the same network may reach it at {network}/")
        click.echo(f'  For QR codes and posters with that address, set base_url = "{network}"'
                   f" in {Path(app.instance_path) / 'config.toml'} and start again.")
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


def lan_address() -> str | None:
    """This computer's IPv4 address on its local network, or None; nothing is sent.

    Connecting a UDP socket only chooses the route (no packet leaves), and the
    address it would send from is the one other devices on the network can use.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 9))
        address = probe.getsockname()[0]
    except OSError:  # no network at all
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def _print_qr(link: str) -> None:
    import qrcode

    code = qrcode.QRCode(border=2)
    code.add_data(link)
    click.echo(f"The QR code below holds {link}")
    click.echo("(a phone can open it only if it can reach this computer: see docs/running-a-survey.md)")
    code.print_ascii(out=sys.stdout, invert=True)


#: How many ports after the default the demo tries when the default is taken.
SPARE_PORTS = 10


def listen(app, host: str, port: int, threads: int, *, command: str, spare_ports: int = 0):
    """A waitress server for ``app``, already listening, and its port; or a plain error.

    Call the server's ``run()`` to serve. Listening comes before "consent-kit is running
    at …" is printed, so that line is only ever printed when it is true. With
    ``spare_ports``, a taken port is skipped and the next one tried (the demo); otherwise
    a taken port stops with what to do.
    """
    for candidate in range(port, port + spare_ports + 1):
        try:
            sockets = listening_sockets(host, candidate)
        except socket.gaierror:
            raise click.ClickException(f"consent-kit could not listen at {host}: this computer "
                                       f"has no such address. {_ADDRESSES}") from None
        except OSError as error:
            if error.errno == errno.EADDRINUSE and candidate < port + spare_ports:
                continue
            if error.errno == errno.EADDRINUSE and spare_ports:
                raise click.ClickException(
                    f"Ports {port} to {candidate} are all in use on this computer (perhaps by "
                    f"demos still running in other windows). Stop some of them, or choose a "
                    f"port: consent-kit {command} --port 8080") from None
            raise click.ClickException(cannot_listen(error, host, candidate, command)) from None
        if candidate != port:
            click.echo(f"Port {port} is in use on this computer (perhaps the demo is already "
                       f"running in another window), so this one uses port {candidate}.")
        return waitress_server(app, sockets, threads), candidate
    raise AssertionError("unreachable: the loop returns or raises")


def cannot_listen(error: OSError, host: str, port: int, command: str) -> str:
    """Why the server could not listen on ``host:port``, and what to do, in plain words."""
    if error.errno == errno.EADDRINUSE:
        return (f"Port {port} is already in use on this computer: another program is listening "
                f"there (perhaps consent-kit, still running in another window). Stop that "
                f"program, or choose another port: consent-kit {command} --port {port + 1}")
    if error.errno == errno.EACCES:
        return (f"This computer only lets administrators use port {port}. Choose a port "
                f"above 1023: consent-kit {command} --port 8080")
    return (f"consent-kit could not listen at {host} port {port} ({error.strerror or error}). "
            f"{_ADDRESSES}")


_ADDRESSES = "Check the address: 127.0.0.1 is this computer only, 0.0.0.0 every network it is on."


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to each address of ``host`` at ``port``, as waitress binds them.

    Raises ``OSError`` (``socket.gaierror`` for an unknown host) with nothing left open.
    Bound here rather than by waitress, which starts its threads before binding and
    leaves them running when the port is taken.
    """
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    made: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(found):
            bound = socket.socket(family, kind, proto)
            made.append(bound)
            bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                bound.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            bound.bind(address)
    except OSError:
        for bound in made:
            bound.close()
        raise
    return made


def waitress_server(app, sockets: list[socket.socket], threads: int):
    """waitress as ``serve`` and ``demo`` run it, on ``sockets`` (from :func:`listening_sockets`).

    The benchmarks serve with this too, so their waitress rows are the real settings.
    """
    from waitress import create_server

    # waitress logs a line per queued request under load; that costs CPU at the worst moment.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    # 200+ phones may connect at once after a QR code goes up; waitress's default is 100.
    return create_server(app, sockets=sockets, threads=threads, connection_limit=1000,
                         channel_timeout=60, ident="consent-kit")
