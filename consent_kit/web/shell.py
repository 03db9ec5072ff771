"""Everything web: blueprints, security headers, friendly error pages, template extras."""

from __future__ import annotations

import logging
import threading
import time

import pluggy
from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError

from consent_kit.consent import views as consent
from consent_kit.participation import finish, resume, withdraw
from consent_kit.participation import views as participant
from consent_kit.participation.questions import question_html
from consent_kit.plugin_calls import (
    core_stylesheet,
    item_parts,
    page_parts,
    project_actions,
    survey_tasks,
)
from consent_kit.plugins import STOP, call_each
from consent_kit.results import samples_views
from consent_kit.results import views as results_views
from consent_kit.studio import auth, first_admin, method_pages  # noqa: F401 (their pages are on auth's and studio's blueprints)
from consent_kit.studio import views as studio
from consent_kit.studio.builder import views as builder_views
from consent_kit.web.helpers import kit
from consent_kit.web.ratelimit import limit_posts
from consent_kit.web.transport import init_transport, too_large_for_studio
from consent_kit.web.urls import install_remembered_url_for

log = logging.getLogger(__name__)

#: No inline script, nothing from other sites, no framing, no referrer (QR links carry codes).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def init_web(app: Flask, pm: pluggy.PluginManager) -> None:
    """Register the core blueprints, then every plugin's, plus headers and error pages."""
    init_transport(app)  # the Secure cookie rule and trusted proxies, before any request
    for blueprint in (participant.bp, consent.bp, finish.bp, resume.bp, withdraw.bp, auth.bp, studio.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(results_views.bp)
    app.register_blueprint(samples_views.bp)
    app.register_blueprint(builder_views.bp)
    for _, result in call_each(pm, "register_blueprints", policy=STOP, oldest_first=True, app=app):
        for blueprint in result if isinstance(result, list | tuple) else [result]:
            app.register_blueprint(blueprint)
    _rate_limits(app)
    install_remembered_url_for(app)
    app.before_request(_DraftSweeper(app.config["DRAFT_PURGE_SECONDS"]))
    app.after_request(_security_headers)
    app.context_processor(lambda: _template_extras(pm))
    app.add_template_global(question_html)
    # The studio's pages list what plugins add to a survey's tasks and a project's page.
    app.add_template_global(
        lambda survey_id: survey_tasks(pm, survey_id, kit().current_user()), "plugin_survey_tasks")
    app.add_template_global(
        lambda project: project_actions(pm, project, kit().current_user()), "plugin_project_actions")
    _error_pages(app)


def _rate_limits(app: Flask) -> None:
    """Limit guesses at codes ("come back later", "change your mind"), counted in the store."""
    for endpoint, name in (("resume.resume", "resume_codes"), ("withdraw.start", "withdraw_codes")):
        app.view_functions[endpoint] = limit_posts(app.view_functions[endpoint], name,
                                                   "CODE_ATTEMPTS_PER_MINUTE")


class _DraftSweeper:
    """Delete unsent answers past their time, at most every ``interval`` seconds.

    Drafts are also checked when they are opened, but someone who just stops
    never opens theirs again; this makes sure it goes anyway.
    """

    def __init__(self, interval: float):
        self.interval = interval
        self.next_run = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> None:
        now = time.monotonic()
        if now < self.next_run or not self.lock.acquire(blocking=False):
            return
        try:
            self.next_run = now + self.interval
            removed = kit().store.purge_expired_drafts()
            if removed:
                log.info("Deleted %d unsent drafts past their time", removed)
        finally:
            self.lock.release()


#: Sent on every response unless a view set its own value.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def _security_headers(response):
    headers = response.headers
    # One look at the names already set (six setdefaults scanned the list six times, on every request).
    present = {name.lower() for name in headers.keys()}
    wanted = list(SECURITY_HEADERS)
    if response.mimetype == "text/html":
        # Answers are on these pages: never keep them in a shared computer's cache.
        wanted.append(("Cache-Control", "no-store"))
    headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
    return response


def _template_extras(pm: pluggy.PluginManager) -> dict:
    template = request.endpoint or ""
    extra: dict = {}
    for _, result in call_each(pm, "extra_template_vars", template=template, request=request):
        extra.update(result)
    stylesheet, css = core_stylesheet(
        call_each(pm, "extra_css_urls", template=template, request=request))
    survey = g.get("survey")

    def parts(slot: str, link: str = ""):
        return page_parts(pm, slot, template=template, request=request, survey=survey, link=link)

    def one_item(kind: str, item_id: str):
        return item_parts(pm, kind, item_id, template=template, request=request, survey=survey)

    return {"stylesheet_url": stylesheet, "extra_css_urls": css, "survey": survey,
            "page_parts": parts, "item_parts": one_item, **extra}


def _error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_expired(error):
        # Keep what the participant typed: post it again with a fresh token.
        kept = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
        action = request.full_path.rstrip("?")
        return render_template("participant/timed_out.html", kept=kept, action=action), 400

    @app.errorhandler(404)
    def not_found(error):
        return render_template("participant/not_found.html"), 404

    @app.errorhandler(410)
    def unavailable(error):
        return render_template("participant/unavailable.html"), 410

    @app.errorhandler(413)
    def too_large(error):
        if request.path.startswith("/studio"):  # researchers sending a file, not participants
            return too_large_for_studio(app), 413
        return render_template("participant/error.html", too_large=True), 413

    @app.errorhandler(429)
    def too_many(error):
        return render_template("participant/too_many.html"), 429

    @app.errorhandler(500)
    def server_error(error):
        log.error("Server error on %s", request.path)
        return render_template("participant/error.html"), 500
