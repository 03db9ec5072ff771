"""``consent-kit serve`` and ``demo`` when they can't listen: plain words, never a traceback.

``make run`` is often the first thing a peer researcher types. Port 5000 may be taken
(a demo still running in another window, a Mac's AirPlay receiver): the demo then uses
the next free port and says so; ``serve`` and an explicit ``--port`` stop with what to do.
"Running at" is printed only once the server listens. All sockets are on 127.0.0.1.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from flask import Flask

from consent_kit.cli import cli, running
from consent_kit.cli.running import init_instance, listen


@contextmanager
def held_port():
    """A port on 127.0.0.1 that another program is listening on."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        yield holder.getsockname()[1]
    finally:
        holder.close()


def tiny_app() -> Flask:
    app = Flask(__name__)
    app.get("/")(lambda: "hello from the demo")
    return app


def test_the_demo_moves_to_the_next_free_port_and_says_so(capsys):
    app = tiny_app()
    with held_port() as taken:
        server, port = listen(app, "127.0.0.1", taken, 1, command="demo", spare_ports=10)
        try:
            assert port != taken and taken < port <= taken + 10
            said = capsys.readouterr().out
            assert f"Port {taken} is in use on this computer" in said
            assert f"so this one uses port {port}" in said
            # Listening: a connection is taken. (Not served here: waitress's select() loop can't
            # watch a descriptor numbered past 1023, and late in the suite the process has that many.)
            socket.create_connection(("127.0.0.1", port), timeout=10).close()
        finally:
            server.close()


def test_serve_on_a_taken_port_says_what_to_do_and_nothing_else(tmp_path):
    init_instance(tmp_path / "site")
    with held_port() as taken:
        result = CliRunner().invoke(cli, ["serve", "--instance", str(tmp_path / "site"),
                                          "--port", str(taken)])
    assert result.exit_code == 1
    assert f"Port {taken} is already in use on this computer" in result.output
    assert f"consent-kit serve --port {taken + 1}" in result.output
    assert "is running at" not in result.output  # that would be untrue
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit


def test_a_port_the_demo_is_told_to_use_is_not_swapped_for_another(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with held_port() as taken:
        result = CliRunner().invoke(cli, ["demo", "--port", str(taken)])
    assert result.exit_code == 1
    assert f"Port {taken} is already in use" in result.output
    assert f"consent-kit demo --port {taken + 1}" in result.output
    assert "is running at" not in result.output


def test_a_taken_port_leaves_nothing_running():
    """No waitress threads or sockets are left behind (waitress alone starts its threads first)."""
    before = threading.active_count()
    with held_port() as taken, pytest.raises(running.click.ClickException):
        listen(tiny_app(), "127.0.0.1", taken, 4, command="serve")
    assert threading.active_count() == before


def _refuse(code: int):
    def listening_sockets(host, port):
        raise OSError(code, errno.errorcode.get(code, "refused"))
    return listening_sockets


def test_when_every_spare_port_is_taken_the_range_is_named(monkeypatch):
    monkeypatch.setattr(running, "listening_sockets", _refuse(errno.EADDRINUSE))
    with pytest.raises(running.click.ClickException) as stopped:
        listen(tiny_app(), "127.0.0.1", 5000, 1, command="demo", spare_ports=10)
    assert "Ports 5000 to 5010 are all in use" in stopped.value.message


@pytest.mark.parametrize(("code", "words"), [
    (errno.EACCES, "only lets administrators use port 80. Choose a port above 1023"),
    (errno.EADDRNOTAVAIL, "could not listen at 127.0.0.1 port 80"),
])
def test_other_refusals_are_explained(monkeypatch, code, words):
    monkeypatch.setattr(running, "listening_sockets", _refuse(code))
    with pytest.raises(running.click.ClickException) as stopped:
        listen(tiny_app(), "127.0.0.1", 80, 1, command="serve")
    assert words in stopped.value.message


def test_a_host_that_does_not_exist_is_named(tmp_path):
    init_instance(tmp_path / "site")
    result = CliRunner().invoke(cli, ["serve", "--instance", str(tmp_path / "site"),
                                      "--host", "no-such-host.invalid"])
    assert result.exit_code == 1
    assert "could not listen at no-such-host.invalid: this computer has no such address" in result.output
    assert "Traceback" not in result.output


def test_a_port_out_of_range_is_refused_before_starting(tmp_path):
    result = CliRunner().invoke(cli, ["serve", "--instance", str(tmp_path), "--port", "70000"])
    assert result.exit_code == 2 and "70000 is not in the range" in result.output


# -- what the commands say when they start ----------------------------------------------

def serve_nothing(monkeypatch, ran: list | None = None) -> None:
    """``serve`` and ``demo`` print everything, then return instead of serving (the port run is noted)."""
    class Server:
        def __init__(self, port):
            self.port = port

        def run(self):
            if ran is not None:
                ran.append(self.port)

    monkeypatch.setattr(running, "listen", lambda app, host, port, threads, **_: (Server(port), port))


def _advice(caplog) -> list[str]:
    """The start-up advice logged: the address warning, the first-admin hint."""
    return [r.getMessage()[:40] for r in caplog.records
            if "base_url" in r.getMessage() or "no admin account yet" in r.getMessage()]


def test_a_command_that_only_uses_the_folder_gives_no_server_advice(tmp_path, caplog):
    """create-user, export, sample-answers…: the address warning and first-admin hint are noise there."""
    init_instance(tmp_path / "site")
    with caplog.at_level(logging.WARNING):
        result = CliRunner().invoke(cli, ["sample-answers", "have-your-say", "--count", "3",
                                          "--instance", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert _advice(caplog) == []
    assert "base_url" not in result.output


def test_an_app_made_for_a_server_still_gives_the_advice(tmp_path, caplog):
    """gunicorn's create_app(): its log is the only place the advice can go.

    Even after create-user ran in this process (it once silenced the studio's logger for good).
    """
    from consent_kit import create_app

    init_instance(tmp_path / "made")
    with caplog.at_level(logging.WARNING):
        made = CliRunner().invoke(cli, ["create-user", "sam", "--role", "admin", "--instance",
                                        str(tmp_path / "made")],
                                  input="orange river bicycle\norange river bicycle\n")
    assert made.exit_code == 0, made.output
    assert _advice(caplog) == []  # making the first admin: no "there is no admin yet"
    init_instance(tmp_path / "site")
    with caplog.at_level(logging.WARNING):
        create_app(instance=tmp_path / "site")
    assert len(_advice(caplog)) == 2


def test_serve_says_the_address_advice_once_and_in_its_own_words(tmp_path, monkeypatch, caplog):
    """The app logs nothing at start; serve prints the note itself, then the first-admin link."""
    init_instance(tmp_path / "site")
    caplog.set_level(logging.WARNING)
    ran = []
    serve_nothing(monkeypatch, ran)
    result = CliRunner().invoke(cli, ["serve", "--instance", str(tmp_path / "site"), "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert ran == [5123]
    assert result.output.count("base_url is not set") == 1
    assert "Note: base_url is not set" in result.output
    assert "No researcher admin account yet. Make the first one at http://127.0.0.1:5123" in result.output
    assert _advice(caplog) == []  # not said twice


def test_the_demo_on_this_computer_gives_no_address_advice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    serve_nothing(monkeypatch)
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "base_url" not in result.output
    assert "consent-kit is running at http://127.0.0.1:5000/" in result.output


# -- the links serve prints -------------------------------------------------------------

def test_links_never_name_every_address_and_give_the_network_one(monkeypatch):
    monkeypatch.setattr(running, "lan_address", lambda: "192.168.1.20")
    assert running.link_bases("", "0.0.0.0", 5000) == ("http://127.0.0.1:5000", "http://192.168.1.20:5000")
    assert running.link_bases("", "::", 8080) == ("http://127.0.0.1:8080", "http://192.168.1.20:8080")
    assert running.link_bases("https://survey.example.org/", "0.0.0.0", 5000) == (
        "https://survey.example.org", None)
    assert running.link_bases("", "127.0.0.1", 5000) == ("http://127.0.0.1:5000", None)
    monkeypatch.setattr(running, "lan_address", lambda: None)  # no network at all
    assert running.link_bases("", "0.0.0.0", 5000) == ("http://127.0.0.1:5000", None)


def test_serve_on_every_address_prints_links_that_open(tmp_path, monkeypatch):
    init_instance(tmp_path / "site")
    monkeypatch.setattr(running, "lan_address", lambda: "192.168.1.20")
    serve_nothing(monkeypatch)
    result = CliRunner().invoke(cli, ["serve", "--instance", str(tmp_path / "site"),
                                      "--host", "0.0.0.0", "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert "0.0.0.0" not in result.output
    assert "running at http://127.0.0.1:5123/" in result.output
    assert "same network may reach it at http://192.168.1.20:5123/" in result.output
    assert 'set base_url = "http://192.168.1.20:5123"' in result.output


def test_the_network_address_is_found_without_sending_anything():
    """An IPv4 address that isn't this computer's loopback, or None (a machine with no network)."""
    import ipaddress

    found = running.lan_address()
    if found is not None:
        address = ipaddress.IPv4Address(found)
        assert not address.is_loopback and not address.is_unspecified
