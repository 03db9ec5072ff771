"""The Secure cookie follows https, not the listen address (issue 23 item 4, issue 21 §2);
Cache-Control on downloads and the studio's 413 page (issue 23 "Also"); the exact create-user command."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Response

from consent_kit.cli import create_user_command
from consent_kit.web.transport import ALWAYS, BY_REQUEST, NEVER, cookie_policy, no_store_on_downloads

REPO = Path(__file__).resolve().parents[2]
LAN = "http://192.168.1.5"  # a laptop at an event, no TLS


def _cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("ck_session="))


@pytest.mark.parametrize(("config", "policy"), [
    ({"BASE_URL": "https://survey.example.org"}, ALWAYS),
    ({"BASE_URL": "http://192.168.1.5:5000"}, NEVER),
    ({"BASE_URL": ""}, BY_REQUEST),
    ({"BASE_URL": "", "SESSION_COOKIE_SECURE": "auto"}, BY_REQUEST),
    ({"BASE_URL": "http://x", "SESSION_COOKIE_SECURE": True}, ALWAYS),
    ({"BASE_URL": "https://x", "SESSION_COOKIE_SECURE": "false"}, NEVER),
])
def test_the_rule_follows_base_url_unless_set(config, policy):
    assert cookie_policy(config) == policy


def test_plain_http_on_a_network_address_works_with_no_base_url(make_app):
    """The loop of issue 21 §2: gunicorn or serve --host 0.0.0.0 on plain http."""
    app = make_app(config={"SESSION_COOKIE_SECURE": "auto"})
    client = app.test_client()
    response = client.get("/studio/login", base_url=LAN)
    assert response.status_code == 200
    assert "Secure" not in _cookie(response)
    assert "Secure" in _cookie(app.test_client().get("/studio/login", base_url="https://192.168.1.5"))


def test_a_trusted_proxy_says_https_so_the_cookie_is_secure(make_app):
    """Behind a TLS proxy on 127.0.0.1: Secure (the old rule, by listen address, said not)."""
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    trusted = make_app(config={"SESSION_COOKIE_SECURE": "auto", "TRUSTED_PROXIES": 1})
    response = trusted.test_client().get("/studio/login", base_url="http://127.0.0.1:8000", headers=headers)
    assert "Secure" in _cookie(response)


def test_forwarded_headers_count_only_from_a_trusted_proxy(make_app):
    app = make_app(config={"SESSION_COOKIE_SECURE": "auto"})
    response = app.test_client().get("/studio/login", base_url=LAN, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in _cookie(response)  # anyone can send that header


def test_a_cookie_that_cannot_work_gets_a_plain_page_not_a_loop(make_app):
    app = make_app(config={"SESSION_COOKIE_SECURE": True})
    page = app.test_client().get("/s/have-your-say", base_url=LAN)
    text = page.get_data(as_text=True)
    assert page.status_code == 503
    assert "This survey can" in text and "tell the people running the survey" in text
    assert "<details>" in text  # the technical part is behind a disclosure
    assert "press Continue again" not in text
    # On this computer's own address browsers keep Secure cookies: no page in the way.
    assert app.test_client().get("/s/have-your-say").status_code == 200
    # Behind a proxy that is not trusted the browser may well be on https: not blocked.
    proxied = app.test_client().get("/s/have-your-say", base_url=LAN, headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200


@pytest.mark.parametrize(("config", "words"), [
    ({"SESSION_COOKIE_SECURE": True, "BASE_URL": ""}, "Secure-only"),
    ({"SESSION_COOKIE_SECURE": True, "BASE_URL": "http://192.168.1.5"}, "Secure-only"),
    ({"SESSION_COOKIE_SECURE": "auto", "BASE_URL": ""}, "base_url is not set"),
    ({"SESSION_COOKIE_SECURE": "auto", "BASE_URL": "http://192.168.1.5"}, "plain http"),
])
def test_start_up_says_what_to_change(make_app, caplog, config, words):
    with caplog.at_level(logging.WARNING, logger="consent_kit.web.transport"):
        make_app(config=config)
    assert any(words in r.getMessage() for r in caplog.records if r.name == "consent_kit.web.transport")


def test_start_up_is_quiet_with_an_https_address(make_app, caplog):
    with caplog.at_level(logging.WARNING, logger="consent_kit.web.transport"):
        make_app(config={"SESSION_COOKIE_SECURE": "auto", "BASE_URL": "https://survey.example.org"})
    assert not [r for r in caplog.records if r.name == "consent_kit.web.transport"]


def test_serve_no_longer_decides_by_listen_address(tmp_path):
    from consent_kit.cli import _app_for, init_instance

    init_instance(tmp_path / "i")
    for host in ("127.0.0.1", "0.0.0.0"):
        assert cookie_policy(_app_for(tmp_path / "i", host).config) == BY_REQUEST


# -- downloads and the 413 page -------------------------------------------------------

@pytest.mark.parametrize(("mimetype", "headers", "expected"), [
    ("text/csv", {}, "no-store"),
    ("application/pdf", {}, "no-store"),
    ("application/octet-stream", {"Content-Disposition": "attachment; filename=x.xlsx"}, "no-store"),
    ("text/html", {}, None),
    ("application/pdf", {"Cache-Control": "public, max-age=600"}, "public, max-age=600"),
])
def test_downloads_are_not_kept_by_caches(mimetype, headers, expected):
    response = no_store_on_downloads(Response(b"x", mimetype=mimetype, headers=headers))
    assert response.headers.get("Cache-Control") == expected


def test_a_real_download_says_no_store(make_app):
    app = make_app()
    response = app.test_client().get("/s/have-your-say/formats/paper.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"


def test_too_large_speaks_to_researchers_in_the_studio_and_participants_elsewhere(make_app):
    app = make_app(config={"MAX_CONTENT_LENGTH": 1024 * 1024})
    big = {"username": "x" * (1300 * 1024)}
    studio = app.test_client().post("/studio/login", data=big).get_data(as_text=True)
    assert "That file is too big" in studio and "1 MB" in studio
    assert "shorten your answer" not in studio
    participant = app.test_client().post("/s/have-your-say/start", data=big)
    assert participant.status_code == 413
    assert "shorten your answer" in participant.get_data(as_text=True)


# -- the create-user command printed after `make run` (issue 21 §2) -----------------------

def test_the_printed_create_user_command_works_as_printed(tmp_path, monkeypatch):
    from consent_kit.cli import init_instance

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: None)  # not on PATH, as after `make run`
    init_instance(tmp_path / ".demo")
    command = create_user_command(tmp_path / ".demo")
    assert command.endswith("create-user YOUR-NAME --role admin --instance .demo")
    program = command.split(" create-user")[0]
    assert program != "consent-kit" and Path(program).name == "consent-kit"
    env = {k: v for k, v in os.environ.items() if k != "CONSENT_KIT_INSTANCE"}
    env["PATH"] = "/usr/bin:/bin"  # no venv on PATH
    args = command.replace("YOUR-NAME", "rae").split() + ["--password", "correct horse battery staple 9"]
    if not Path(args[0]).is_absolute():
        args[0] = str(tmp_path / args[0])
    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Made the admin account 'rae'" in done.stdout
    assert Path(sys.executable).with_name("consent-kit").exists()


# -- links people keep: never from the Host header (issue 23 item 16) ----------------------

@pytest.mark.parametrize(("base", "expected"), [
    ("", "/change-your-mind/"),
    ("https://survey.example.org/", "https://survey.example.org/change-your-mind/"),
])
def test_links_people_keep_use_base_url_never_the_host_header(make_app, base, expected):
    from consent_kit.web.helpers import public_url

    app = make_app(config={"BASE_URL": base})
    with app.test_request_context("/", base_url="http://evil.example"):
        assert public_url("withdraw.start") == expected


def test_the_participants_copy_and_saved_link_never_name_a_forged_host(make_app):
    from consent_kit.participation.finish import copy_context
    from consent_kit.web.helpers import kit

    app = make_app(config={"BASE_URL": ""})
    with app.test_request_context("/", base_url="http://evil.example"):
        record = type("R", (), {"consent_version": "none", "survey_id": "have-your-say",
                                "agreed": (), "declined": ()})()
        context = copy_context(record, None)
        assert context["withdraw_url"] == "/change-your-mind/"
        assert kit() is not None
