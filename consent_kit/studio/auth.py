"""Signing in to the researchers' area (/studio): first admin, sign in and out, passwords.

Who may open which page is decided in one place, :func:`_guard`, from the
rule each view declares with :func:`login_required` or :func:`public`. A view
under /studio without a rule is refused (403), and tests/test_route_rules.py
fails, so a new page can't be left open by mistake.

Sessions (ASVS 7): a fresh session on sign-in (the old one is cleared), ended
after ``STUDIO_IDLE_MINUTES`` without activity and ``STUDIO_MAX_HOURS`` after
signing in. The cookie is signed and carries a random session id; the account
keeps only the id's hash, so signing out, a new password or an account turned
off ends the session on the server too, even if someone kept a copy of the
cookie.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from consent_kit.studio.accounts import (
    AccountError,
    Accounts,
    Project,
    User,
    role_at_least,
    role_in_project,
)
from consent_kit.studio.rules import PREFIX, login_required, public, rule_for
from consent_kit.web.helpers import kit
from consent_kit.web.ratelimit import SharedAttempts, shared_attempts

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__, url_prefix="/studio")

SESSION_KEY = "studio"
SETUP_TOKEN_FILE = "setup_token"
LOOPBACK = {"127.0.0.1", "::1"}
#: Headers a proxy in front of the app adds: a request carrying one came from elsewhere.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto",
                 "X-Real-IP", "X-Client-IP")
#: How often (seconds) the "last seen" time in the cookie is renewed.
SEEN_GRANULARITY = 60

CONFIG_DEFAULTS = {
    "STUDIO_IDLE_MINUTES": 30,
    "STUDIO_MAX_HOURS": 12,
    "STUDIO_LOGIN_FAILURES": 10,
    "STUDIO_LOGIN_WINDOW_MINUTES": 15,
    # Allow the first-admin page from this computer without the setup link.
    # Turn off if a web server on this computer passes requests on without proxy headers.
    "STUDIO_LOCAL_SETUP": True,
}


# -- per-app state ------------------------------------------------------------------


@dataclass
class StudioState:
    """What the researchers' area keeps per app, in ``app.extensions["consent_kit_studio"]``."""

    accounts: Accounts
    #: Failed sign-ins per address and per username, counted in the store (every worker shares them).
    failures: SharedAttempts
    setup_token_path: Path
    #: Seconds since the epoch; tests replace it to move time on.
    clock: Callable[[], float] = field(default=time.time)


def state() -> StudioState:
    return current_app.extensions["consent_kit_studio"]


@bp.record_once
def _init_app(setup_state) -> None:
    app = setup_state.app
    for key, value in CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    window = app.config["STUDIO_LOGIN_WINDOW_MINUTES"] * 60
    studio = StudioState(
        accounts=Accounts(app.extensions["consent_kit"].store),
        failures=shared_attempts(app, "sign_in_failures", app.config["STUDIO_LOGIN_FAILURES"], window),
        setup_token_path=Path(app.instance_path) / SETUP_TOKEN_FILE,
    )
    app.extensions["consent_kit_studio"] = studio
    from consent_kit.studio.first_admin import prepare_setup  # it registers its page on this blueprint

    prepare_setup(studio, announce=not app.config.get("QUIET_START_UP"))


# -- who is signed in ---------------------------------------------------------------


def current_user() -> User | None:
    """The signed-in account of this request, or ``None``."""
    return g.get("studio_user")


def current_project() -> Project | None:
    """The project the URL names, once the rule let the request through."""
    return g.get("studio_project")


def _signed_in_user() -> User | None:
    """Check the session cookie against the account; end it when it timed out or was ended."""
    info = session.get(SESSION_KEY)
    if not isinstance(info, dict):
        return None
    studio, config = state(), current_app.config
    now = studio.clock()
    user = studio.accounts.get_user(str(info.get("user", "")))
    sid = str(info.get("sid", ""))
    if user is None or user.disabled or not studio.accounts.has_session(user, sid):
        session.pop(SESSION_KEY, None)
        return None
    seen, started = float(info.get("seen", 0)), float(info.get("started", 0))
    idle = config["STUDIO_IDLE_MINUTES"] * 60
    if now - seen >= idle or now - started >= config["STUDIO_MAX_HOURS"] * 3600:
        studio.accounts.end_session(user.username, sid)
        session.pop(SESSION_KEY, None)
        if now - seen >= idle:
            minutes = config["STUDIO_IDLE_MINUTES"]
            flash(_("You were signed out because nothing happened for %(minutes)s minutes. "
                    "Please sign in again.", minutes=minutes), "info")
        else:
            flash(_("You were signed out because you signed in a long time ago. "
                    "Please sign in again."), "info")
        return None
    if now - seen >= SEEN_GRANULARITY:
        session[SESSION_KEY] = {**info, "seen": now}
    return user


def start_session(user: User) -> None:
    """A fresh session for ``user``: nothing kept from before, a new random id."""
    studio = state()
    now = studio.clock()
    before = session.get(SESSION_KEY)
    if isinstance(before, dict) and before.get("user"):  # signed in as someone: end that first
        studio.accounts.end_session(str(before["user"]), str(before.get("sid", "")))
    session.clear()
    sid = secrets.token_urlsafe(32)
    studio.accounts.add_session(user.username, sid, now,
                                current_app.config["STUDIO_MAX_HOURS"] * 3600)
    session[SESSION_KEY] = {"user": user.username, "sid": sid, "started": now, "seen": now}
    g.studio_user = user


@bp.before_app_request
def _guard():
    """Let a request through only if its view's rule allows it (every request, every view)."""
    if request.url_rule is None:
        return None
    rule = rule_for(current_app, request.endpoint)
    in_studio = request.url_rule.rule == PREFIX or request.url_rule.rule.startswith(PREFIX + "/")
    if rule is None:
        if in_studio:
            log.error("The page %s has no rule saying who may open it; refused.", request.endpoint)
            return forbidden()
        return None
    user = _signed_in_user()
    g.studio_user = user
    if rule.role == "public":
        return None
    if user is None:
        # Back to this page after signing in (a form sent while signed out can't be resent).
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=back))
    if rule.scope is None:
        return None if role_at_least(user.role, rule.role) else forbidden()
    project = _scoped_project(rule.scope, request.view_args or {})
    role = role_in_project(user, project) if project else None
    if role is None:
        return not_found()
    if not role_at_least(role, rule.role):
        return forbidden()
    g.studio_project, g.studio_role = project, role
    return None


def _scoped_project(scope: str, view_args: dict) -> Project | None:
    accounts = state().accounts
    if scope == "project":
        return accounts.get_project(str(view_args.get("project_id", "")))
    survey_id = str(view_args.get("survey_id", ""))
    project_id = accounts.survey_project(survey_id)
    if project_id is None:
        # Not in a project yet: only admins see it (as a project of its own).
        known = kit().catalog.get(survey_id) is not None or kit().catalog.is_broken(survey_id)
        return Project(id="", name="") if known else None
    return accounts.get_project(project_id)


def require_project(project_id: str, role: str = "viewer") -> tuple[Project, str]:
    """The project and the signed-in user's role in it; stop with 404 or 403 otherwise.

    For views that take a project from a form rather than the URL.
    """
    user = current_user()
    project = state().accounts.get_project(project_id) if project_id else None
    found = role_in_project(user, project) if (user and project) else None
    if found is None:
        abort(not_found())
    if not role_at_least(found, role):
        abort(forbidden())
    return project, found


def forbidden():
    return make_response(render_template("studio/forbidden.html"), 403)


def not_found():
    return make_response(render_template("studio/not_found.html"), 404)


def audit(action: str, subject: str = "", details: dict | None = None, actor: str = "") -> None:
    """Put a researcher action on record (never a password, never answers)."""
    user = current_user()
    who = actor or (f"user:{user.username}" if user else "anonymous")
    kit().store.audit(actor=who, action=action, subject=subject, details=details or {})


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only a page of the researchers' area of this site."""
    target = target or ""
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith(PREFIX + "/")
            or target.startswith("//") or "\\" in target):
        return url_for("studio.dashboard")
    return target


def _errors_from(error: AccountError, labels: dict) -> list[tuple[str, str, str]]:
    name = error.field if error.field in labels else next(iter(labels))
    return [(name, labels[name], str(error))]


@bp.app_template_global("studio_user")
def _template_user():
    return current_user()


@bp.errorhandler(CSRFError)
def _csrf_expired(error):
    # Unlike participants' pages, nothing typed is sent back: it may be a password.
    return render_template("studio/timed_out.html"), 400


# -- first admin ----------------------------------------------------------------------


# -- signing in and out ---------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in. The same message for an unknown name and a wrong password."""
    studio = state()
    next_url = safe_next(request.values.get("next"))
    if current_user() is not None and request.method == "GET":
        return redirect(next_url)
    username = request.form.get("username", "").strip()
    errors: list = []
    if request.method == "POST":
        password = request.form.get("password", "")
        now = studio.clock()
        address_key = f"address:{request.remote_addr or '?'}"
        user_key = f"user:{username.casefold()[:100]}"
        # Each try is counted before the password is checked (and given back when it is right),
        # so tries sent all at once to several workers can't slip past the limit together.
        if not (studio.failures.allow(address_key, now) and studio.failures.allow(user_key, now)):
            log.warning("Sign-in refused: too many failed tries")
            return render_template("auth/too_many.html",
                                   minutes=current_app.config["STUDIO_LOGIN_WINDOW_MINUTES"]), 429
        user = studio.accounts.check_login(username, password) if username and password else None
        if user is not None and not user.disabled:
            studio.failures.give_back(address_key, now)
            studio.failures.clear(user_key)
            start_session(user)
            audit("login", user.username)
            return redirect(next_url)
        if user is not None:  # the right password for an account that is turned off
            audit("login_failed", user.username, {"reason": "account turned off"},
                  actor=f"user:{user.username}")
            errors = [("username", _("Username"), _("This account is turned off. Ask an admin of "
                                                    "this site to turn it back on."))]
        else:
            known = studio.accounts.get_user(username) if username else None
            if known:
                audit("login_failed", known.username, {"reason": "wrong password"},
                      actor=f"user:{known.username}")
            else:
                # The typed name isn't kept: people sometimes type a password there.
                audit("login_failed", "", {"reason": "unknown username"}, actor="anonymous")
            if not username:
                errors = [("username", _("Username"), _("Enter your username."))]
            elif not password:
                errors = [("password", _("Password"), _("Enter your password."))]
            else:
                errors = [("username", _("Username"), _("The username or password is not right. "
                                                        "Check them and try again."))]
    # A fresh site: the way in is first-time setup (its page says who may use it).
    return render_template("auth/login.html", errors=errors, username=username,
                           next_url=next_url, no_admin_yet=not studio.accounts.has_admin()
                           ), (400 if errors else 200)


@bp.post("/logout")
@login_required("viewer")
def logout():
    """Sign out: this session ends here and on the server."""
    user = current_user()
    info = session.get(SESSION_KEY) or {}
    state().accounts.end_session(user.username, str(info.get("sid", "")))
    audit("logout", user.username)
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required("viewer")
def password():
    """Change your own password (needs the current one); other devices are signed out."""
    studio, user = state(), current_user()
    labels = {"current": _("Your password now"), "password": _("New password"),
              "confirm": _("Type the new password again")}
    errors: list = []
    if request.method == "POST":
        now = studio.clock()
        user_key = f"user:{user.username}"
        if not studio.failures.allow(user_key, now):  # counted now, given back when right
            return render_template("auth/too_many.html",
                                   minutes=current_app.config["STUDIO_LOGIN_WINDOW_MINUTES"]), 429
        current = request.form.get("current", "")
        new, confirm = request.form.get("password", ""), request.form.get("confirm", "")
        right = studio.accounts.check_login(user.username, current) is not None
        if right:
            studio.failures.give_back(user_key, now)
        if not right:
            audit("password_change_failed", user.username, {"reason": "wrong current password"})
            errors = [("current", labels["current"], _("Your password now is not right."))]
        elif new != confirm:
            errors = [("confirm", labels["confirm"], _("The two new passwords are not the same."))]
        else:
            try:
                user = studio.accounts.set_password(user.username, new)
            except AccountError as error:
                errors = _errors_from(error, labels)
            else:
                start_session(user)
                audit("password_changed", user.username)
                flash(_("Your password is changed. You are signed out on other devices."), "success")
                return redirect(url_for("studio.dashboard"))
    return render_template("auth/password.html", errors=errors, labels=labels), (
        400 if errors else 200)

