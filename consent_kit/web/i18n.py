"""Template gettext that looks up the request's translations once, not once per string.

Flask-Babel's own template callables find the translations again for every
``_()``: a question page has a dozen, and that was a fifth of its time.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_translations


def _translations():
    translations = g.get("_ck_translations")
    if translations is None:
        translations = g._ck_translations = get_translations()
    return translations


def install_fast_gettext(app: Flask) -> None:
    """Replace the template gettext callables (after Flask-Babel installed its own)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )


def forget_translations() -> None:
    """Call after changing the locale within a request (e.g. flask_babel.refresh())."""
    g.pop("_ck_translations", None)
