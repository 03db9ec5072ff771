"""The first admin account: a page shown only while there is no admin.

It opens from this computer (127.0.0.1, not through a web server) or with a
one-time setup link whose token is kept in the instance folder, readable by
its owner only, and printed by ``consent-kit serve``.
"""

from __future__ import annotations

import hmac
import os
import secrets

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from consent_kit.studio.accounts import AccountError
from consent_kit.studio.auth import (
    LOOPBACK,
    PROXY_HEADERS,
    StudioState,
    _errors_from,
    audit,
    bp,
    log,
    not_found,
    start_session,
    state,
)
from consent_kit.studio.rules import PREFIX, public


def prepare_setup(studio: StudioState, *, announce: bool = False) -> str | None:
    """While there is no admin, make sure there is a one-time setup token; return it.

    ``announce``: log how to make the first admin when the token is new (at start-up,
    where the server's log is the only place a gunicorn user looks).
    """
    if studio.accounts.has_admin():
        studio.setup_token_path.unlink(missing_ok=True)
        return None
    token = read_setup_token(studio)
    if token:
        return token
    token = secrets.token_urlsafe(24)
    try:
        fd = os.open(studio.setup_token_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker made it first: use theirs
        return read_setup_token(studio)
    except OSError as error:
        log.warning("Could not keep a setup link (%s); use 'consent-kit create-user'.", error)
        return None
    with os.fdopen(fd, "w") as handle:
        handle.write(token)
    if announce:
        log.warning("There is no admin account yet. Make one with 'consent-kit create-user NAME "
                    "--role admin --instance %s', or open /studio/setup on this computer, or the "
                    "setup link printed by 'consent-kit serve' (its token is in %s).",
                    studio.setup_token_path.parent, studio.setup_token_path)
    return token


def read_setup_token(studio: StudioState) -> str | None:
    """The setup token kept in the instance folder, or None."""
    try:
        return studio.setup_token_path.read_text().strip() or None
    except OSError:
        return None


def setup_link(app: Flask, base: str) -> str | None:
    """The first-admin link with its token while there is no admin (for the terminal)."""
    studio = app.extensions.get("consent_kit_studio")
    token = prepare_setup(studio) if studio else None
    return f"{base}{PREFIX}/setup?token={token}" if token else None


def _is_local() -> bool:
    """The request came from this computer directly (not passed on by a web server)."""
    if not current_app.config["STUDIO_LOCAL_SETUP"]:
        return False
    if any(header in request.headers for header in PROXY_HEADERS):
        return False
    return request.remote_addr in LOOPBACK


def _token_ok(given: str) -> bool:
    known = read_setup_token(state())
    return bool(known and given) and hmac.compare_digest(known.encode(), given.encode())


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup():
    """Make the first admin account: only while there is none, from here or with the link."""
    studio = state()
    if studio.accounts.has_admin():
        return not_found()
    token = request.values.get("token", "")
    if not (_is_local() or _token_ok(token)):
        return render_template("auth/setup_locked.html"), 403
    errors: list = []
    form = {"username": request.form.get("username", "")}
    labels = {"username": _("Username"), "password": _("Password"),
              "confirm": _("Type the password again")}
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("confirm", ""):
            errors = [("confirm", labels["confirm"], _("The two passwords are not the same."))]
        else:
            try:
                user = studio.accounts.create_user(form["username"], "admin", password)
            except AccountError as error:
                errors = _errors_from(error, labels)
            else:
                studio.setup_token_path.unlink(missing_ok=True)
                start_session(user)
                audit("user_created", user.username, {"role": "admin", "via": "first-run page"})
                audit("login", user.username)
                flash(_("Your admin account is ready and you are signed in."), "success")
                return redirect(url_for("studio.dashboard"))
    return render_template("auth/setup.html", errors=errors, form=form, token=token,
                           labels=labels), (400 if errors else 200)
