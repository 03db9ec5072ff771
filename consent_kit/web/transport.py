"""How the app meets the network: the Secure cookie rule, trusted proxies, download caching.

The Secure cookie flag follows HTTPS, not the address the server listens on
(issue 23 item 4). ``session_cookie_secure`` in config.toml:

* ``"auto"`` (the default): Secure when ``base_url`` starts with ``https://``;
  not Secure when it starts with ``http://`` (plain http: a Secure cookie would
  never come back); with no ``base_url``, Secure exactly when the request came
  over HTTPS, as the browser saw it (``X-Forwarded-Proto`` counts only from a
  proxy you trust: ``trusted_proxies = 1`` puts werkzeug's ProxyFix in front).
* ``true`` / ``false``: always / never, whatever the address.

A browser drops a Secure cookie sent over plain http (except on this
computer's own address), so every form would fail and ask people to press
Continue again, for ever. When that is certain to happen the participant
sees a plain page saying the organiser must change a setting, and the server
says so in its log at start-up.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

AUTO, ALWAYS, NEVER, BY_REQUEST = "auto", "always", "never", "by-request"
#: Browsers keep Secure cookies on plain http for these hosts (a "secure context").
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
#: Answers and consent copies leave as these: nothing in between may keep a copy.
DOWNLOAD_TYPES = {"application/pdf", "text/csv", "application/json", "application/zip",
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def cookie_policy(config) -> str:
    """Decide the Secure flag's rule from the settings: ALWAYS, NEVER or BY_REQUEST."""
    setting = config.get("SESSION_COOKIE_SECURE", AUTO)
    if isinstance(setting, str) and setting.strip().lower() in ("true", "yes", "1"):
        setting = True
    if isinstance(setting, str) and setting.strip().lower() in ("false", "no", "0"):
        setting = False
    if isinstance(setting, bool):
        return ALWAYS if setting else NEVER
    base_url = str(config.get("BASE_URL") or "").strip().lower()
    if base_url.startswith("https://"):
        return ALWAYS
    if base_url.startswith("http://"):
        return NEVER
    return BY_REQUEST


def startup_warning(config) -> str | None:
    """The warning to log at start-up about the cookie and the address, or ``None``."""
    policy = cookie_policy(config)
    base_url = str(config.get("BASE_URL") or "").strip()
    if policy == ALWAYS and not base_url.lower().startswith("https://"):
        return ("The session cookie is Secure-only, but base_url is "
                f"{base_url or 'not set'}: on plain http, browsers drop the cookie and every form "
                "fails. Set base_url to the https address people use, or set "
                'session_cookie_secure = "auto" in config.toml.')
    if policy == NEVER and base_url.lower().startswith("http://"):
        return (f"base_url is {base_url} (plain http): answers travel unencrypted and the session "
                "cookie is not Secure. Use an https address for real participants.")
    if policy == BY_REQUEST:
        proxies = int(config.get("TRUSTED_PROXIES") or 0)
        return ("base_url is not set: the session cookie is Secure only on https requests"
                + ("" if proxies else " (behind an https proxy, also set trusted_proxies = 1)")
                + ", and printed links and QR codes are refused. Set base_url in config.toml "
                "to the address people use, e.g. https://survey.example.org.")
    return None


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with the Secure flag decided by :func:`cookie_policy`."""

    def __init__(self, policy: str):
        self.policy = policy
        self._serializer: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, made once per set of keys rather than twice per request.

        It holds nothing but the keys and settings, so every thread can share it; a
        changed ``SECRET_KEY`` or ``SECRET_KEY_FALLBACKS`` makes a new one.
        """
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made_for, serializer = self._serializer
        if made_for != keys or serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializer = (keys, serializer)
        return serializer

    def get_cookie_secure(self, app: Flask) -> bool:
        if self.policy == BY_REQUEST:
            return request.is_secure
        return self.policy == ALWAYS


def cookie_cannot_work() -> bool:
    """Whether the browser will drop this request's Secure cookie (plain http, not loopback).

    Only when that is certain: behind a proxy that is not trusted, the
    request may look like http while the browser used https.
    """
    if request.is_secure or request.host.rsplit(":", 1)[0].lower() in LOOPBACK_HOSTS:
        return False
    if request.headers.get("X-Forwarded-Proto") and not current_proxies():
        return False  # an untrusted proxy: the browser's scheme is unknown
    return True


def current_proxies() -> int:
    """How many proxies in front of the app are trusted (``trusted_proxies``)."""
    from flask import current_app

    return int(current_app.config.get("TRUSTED_PROXIES") or 0)


def init_transport(app: Flask) -> None:
    """Install the cookie rule, ProxyFix (only when configured) and the download headers."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    policy = cookie_policy(app.config)
    app.session_interface = _SessionInterface(policy)
    if not app.config.get("QUIET_START_UP") and (warning := startup_warning(app.config)):
        log.warning(warning)

    if policy == ALWAYS:
        @app.before_request
        def explain_insecure_connection():
            if request.endpoint != "static" and cookie_cannot_work():
                return render_template("connection.html", base_url=app.config.get("BASE_URL", "")), 503
            return None

    app.after_request(no_store_on_downloads)


def no_store_on_downloads(response):
    """``Cache-Control: no-store`` on files people download (exports, PDFs, copies).

    They hold answers or consent: no browser cache or proxy on a shared
    computer may keep a copy. A view that sets its own Cache-Control keeps it.
    """
    if "Cache-Control" in response.headers:
        return response  # the view chose (a blank form may be cached, for slow connections)
    if response.headers.get("Content-Disposition") or response.mimetype in DOWNLOAD_TYPES:
        response.headers["Cache-Control"] = "no-store"
    return response


def too_large_for_studio(app: Flask) -> str:
    """The studio's page for an upload over ``MAX_CONTENT_LENGTH``, in researchers' words."""
    limit = app.config.get("MAX_CONTENT_LENGTH") or 0
    back = request.path if request.method == "POST" else "/studio/"
    return render_template("studio_too_large.html", limit_mb=f"{limit / (1024 * 1024):g}", back=back)
