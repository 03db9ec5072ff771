"""The shortcuts every request takes (issue 22 §5) give what the long way gave.

Remembered links, the one-pass security headers, the templates' one-step gettext and the
session serializer made once: each is checked against the behaviour it replaced.
"""

from __future__ import annotations

import re

import pytest
from flask import render_template_string, url_for
from itsdangerous import BadSignature

from consent_kit.web.urls import MOST_KEPT, remembered_url_for

START = "/s/have-your-say"


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|action|src)="(/[^"]*)"', html)


def test_links_follow_the_address_the_app_is_served_under(ck_client):
    plain = ck_client.get(START).get_data(as_text=True)
    assert "/resume" in _links(plain)
    under = ck_client.get(START, base_url="http://localhost/under").get_data(as_text=True)
    links = _links(under)
    outside = [link for link in links if not link.startswith("/under/")]
    assert links and not outside, outside
    # And back: the prefixed links were not kept for the plain address.
    assert _links(ck_client.get(START).get_data(as_text=True)) == _links(plain)


def test_a_remembered_link_is_the_link_flask_builds(ck_app):
    cases = [("participant.start", {"survey_id": "have-your-say"}), ("resume.resume", {}),
             ("static", {"filename": "ck.css"}), ("participant.start", {"survey_id": "a b/c"}),
             ("participant.start", {"survey_id": "have-your-say", "next": "/x?y=1"})]
    with ck_app.test_request_context("/"):
        for endpoint, values in cases:
            first = remembered_url_for(endpoint, **values)
            assert first == url_for(endpoint, **values)
            assert remembered_url_for(endpoint, **values) == first


def test_links_that_depend_on_the_request_are_built_each_time(ck_app):
    with ck_app.test_request_context("/", base_url="http://one.example"):
        assert remembered_url_for("resume.resume", _external=True) == "http://one.example/resume"
    with ck_app.test_request_context("/", base_url="https://two.example"):
        assert remembered_url_for("resume.resume", _external=True) == "https://two.example/resume"
        assert remembered_url_for("resume.resume", _anchor="top") == "/resume#top"


def test_a_value_that_is_not_plain_is_not_kept_by_who_it_is(ck_app):
    class Changing:
        def __init__(self):
            self.text = "first"

        def __str__(self):
            return self.text

    value = Changing()
    with ck_app.test_request_context("/"):
        assert remembered_url_for("participant.start", survey_id=value) == "/s/first"
        value.text = "second"
        assert remembered_url_for("participant.start", survey_id=value) == "/s/second"


def test_links_are_built_each_time_once_a_plugin_adds_url_defaults(make_app):
    app = make_app()

    @app.url_defaults
    def add_language(endpoint, values):
        if endpoint == "resume.resume":
            values.setdefault("lang", "cy")

    with app.test_request_context("/"):
        assert remembered_url_for("resume.resume") == "/resume?lang=cy"


def test_the_memory_of_links_stays_bounded(ck_app):
    with ck_app.test_request_context("/"):
        for number in range(MOST_KEPT + 10):
            remembered_url_for("participant.start", survey_id=f"s{number}")
        assert len(ck_app.extensions["ck_links"]) <= MOST_KEPT
        assert remembered_url_for("participant.start", survey_id="s1") == "/s/s1"


def test_a_view_keeps_its_own_security_header_and_none_is_sent_twice(make_app):
    app = make_app()

    @app.get("/own-headers")
    def own_headers():
        return "x", 200, {"Content-Security-Policy": "default-src 'none'",
                          "cache-control": "max-age=60", "Content-Type": "text/html"}

    client = app.test_client()
    headers = client.get("/own-headers").headers
    assert headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert headers.getlist("Cache-Control") == ["max-age=60"]
    assert headers.getlist("X-Frame-Options") == ["DENY"]
    page = client.get(START).headers
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                 "X-Frame-Options", "Permissions-Policy", "Cache-Control"):
        assert len(page.getlist(name)) == 1, name
    assert page["Cache-Control"] == "no-store"
    css = client.get("/static/ck.css")
    assert "no-store" not in css.headers.get("Cache-Control", "")  # not an HTML page
    css.close()


def test_template_gettext_escapes_formats_and_translates(ck_app):
    with ck_app.test_request_context("/"):
        html = render_template_string('{{ _("Get support") }}|{{ _("100%% sure") }}|'
                                      '{{ _("Hello %(name)s", name="<b>") }}|{{ gettext("Get support") }}')
        assert html == "Get support|100% sure|Hello &lt;b&gt;|Get support"
        plain = render_template_string('{% autoescape false %}{{ _("Hello %(name)s", name="<b>") }}'
                                       '{% endautoescape %}')
        assert plain == "Hello <b>"
    with ck_app.test_request_context("/?lang=cy"):
        welsh = render_template_string('{{ _("Get support") }}')
        assert welsh and welsh != "Get support"


def test_the_session_serializer_follows_the_secret_key(ck_app):
    interface = ck_app.session_interface
    first = interface.get_signing_serializer(ck_app)
    assert interface.get_signing_serializer(ck_app) is first
    cookie = first.dumps({"a": 1})
    ck_app.secret_key = "a-new-secret-for-this-test-only"
    renewed = interface.get_signing_serializer(ck_app)
    assert renewed is not first
    assert renewed.loads(renewed.dumps({"b": 2})) == {"b": 2}
    with pytest.raises(BadSignature):
        renewed.loads(cookie)
    ck_app.config["SECRET_KEY_FALLBACKS"] = [first.secret_keys[-1].decode()]
    assert interface.get_signing_serializer(ck_app).loads(cookie) == {"a": 1}

