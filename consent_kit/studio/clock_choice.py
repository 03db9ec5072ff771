"""Each researcher's clock: studio times in words on their own time zone (issue 14 §4).

Studio pages write times in words ("2 December 2026, 21:40 UK time") with the
``when`` filter. Its zone is the reader's own when they chose one on "Your
clock", else the instance's ``TIME_ZONE`` (``timezone`` in config.toml; UK
time unless changed). The choice is kept per account, apart from the
account record, in the ``studio_clocks`` documents. Participant pages never
use it: they show times on the survey's clock.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from consent_kit.studio.auth import audit, current_user
from consent_kit.studio.rules import login_required
from consent_kit.web.helpers import kit

CLOCKS = "studio_clocks"
#: Offered first; any other name from the time zone database can be typed.
COMMON_ZONES = ("Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Warsaw",
                "Europe/Bucharest", "America/New_York", "Asia/Karachi", "Africa/Mogadishu")


def zone_of(username: str) -> str:
    """The time zone this researcher chose ("" when they didn't)."""
    doc = kit().store.documents(CLOCKS).get(username=username)
    return str((doc or {}).get("zone", ""))


def reader_zone() -> str:
    """The zone for the signed-in researcher on a studio page ("" elsewhere, or not chosen)."""
    user = current_user()
    if user is None or not request.path.startswith("/studio"):
        return ""
    if "reader_zone" not in g:  # once per request: a history page writes many times
        g.reader_zone = zone_of(user.username)
    return g.reader_zone


def known_zone(name: str) -> bool:
    """True for a name in the time zone database, like ``Europe/London``."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name in available_timezones()


def register(bp) -> None:
    """Put "Your clock" on the studio blueprint ``bp`` and let the ``when`` filter ask for the zone."""
    bp.record_once(_init_app)
    bp.add_url_rule("/clock", view_func=clock, methods=["GET", "POST"])


def _init_app(setup_state) -> None:
    # The ``when`` filter asks this for the reader's zone (consent_kit.i18n.gettext.time_zone).
    setup_state.app.extensions["consent_kit_reader_zone"] = reader_zone


@login_required("viewer")
def clock():
    """Choose the time zone studio times are written in, for this account."""
    user, errors = current_user(), []
    chosen = zone_of(user.username)
    if request.method == "POST":
        typed = (request.form.get("other") or request.form.get("zone") or "").strip()
        if typed and not known_zone(typed):
            errors = [("other", _("Another time zone"), _(
                "There is no time zone called ‘%(name)s’. Write it like Europe/London.",
                name=typed))]
        else:
            store = kit().store.documents(CLOCKS)
            if typed:
                store.put({"username": user.username, "zone": typed}, username=user.username)
            else:
                store.remove(username=user.username)
            audit("clock_chosen", user.username, {"zone": typed or "site"})
            flash(_("Saved. Times are now shown on your clock."), "success")
            return redirect(url_for(".clock"))
    zones = list(dict.fromkeys([*COMMON_ZONES, *([chosen] if chosen else [])]))
    return render_template("studio/clock.html", errors=errors, chosen=chosen, zones=zones,
                           site_zone=current_app.config.get("TIME_ZONE") or "Europe/London"), (
        400 if errors else 200)
