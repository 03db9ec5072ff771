"""No studio address answers a browser with a bare "405 Method Not Allowed".

Buttons post to addresses that only take a form (publish, delete, export...).
A browser can still land on one with GET: reloading after a refused form,
going back, a link copied from the address bar. Instead of an unstyled 405
page, the studio then goes to the nearest page above that address that can
be opened (``/studio/surveys/x/build/move`` → ``/studio/surveys/x/build``),
and says why. Other addresses (the participants' pages) keep the app's own
handling.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from consent_kit.studio.rules import PREFIX
from consent_kit.studio.views import bp


@bp.app_errorhandler(405)
def method_not_allowed(error):
    """A GET of a form-only studio address goes to the page it belongs to."""
    if request.method not in ("GET", "HEAD") or not request.path.startswith(PREFIX + "/"):
        return error
    flash(_("That address only works from a button. This is the page it belongs to."), "info")
    return redirect(nearest_page(request.path), 303)


def nearest_page(path: str) -> str:
    """The longest address above ``path`` that answers GET (the studio's home at worst)."""
    adapter = current_app.url_map.bind("localhost")
    parts = path.rstrip("/").split("/")
    while len(parts) > 3:  # "", "studio", and at least one more
        parts.pop()
        candidate = "/".join(parts)
        try:
            adapter.match(candidate, method="GET")
        except RequestRedirect:
            continue
        except HTTPException:
            continue
        return candidate
    return url_for("studio.dashboard")
