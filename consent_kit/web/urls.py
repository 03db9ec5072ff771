"""``url_for`` in templates, remembered: most links on a page are the same on every page.

A question page builds about ten links (the stylesheet, "Get support", "Carry on with a
saved survey", the survey's start page, ...) and building each one again cost about a
twentieth of the page's time. A link depends only on the endpoint, its values and the
address the app is served under (``SCRIPT_NAME``), so it is kept under exactly those.

Not kept: external links (they name the host), anchors, methods and schemes, blueprint
relative endpoints (``.start``), values that can't be a key, and everything when a plugin
registered ``url_defaults`` (then a link may depend on the request).
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request

#: Links kept per app at most; past it the memory starts again (``next=`` values vary).
MOST_KEPT = 4096
#: Values kept by what they are, not by who they are: a key of these types is the link.
_PLAIN = (str, int, float, bool, type(None))


def install_remembered_url_for(app: Flask) -> None:
    """Make the templates' ``url_for`` remember the links it built (same results as Flask's)."""
    app.extensions["ck_links"] = {}
    app.jinja_env.globals["url_for"] = remembered_url_for


def remembered_url_for(endpoint: str, **values) -> str:
    """``flask.url_for``, remembered per app when the link can't depend on the request.

    For links built on every page (templates use it as ``url_for``; plugins may call it).
    """
    app = current_app._get_current_object()
    kept = app.extensions.get("ck_links")
    if kept is None or not _keepable(endpoint, values) or any(app.url_default_functions.values()):
        return app.url_for(endpoint, **values)
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = kept.get(key)
    if url is None:
        url = app.url_for(endpoint, **values)
        if len(kept) >= MOST_KEPT:
            kept.clear()
        kept[key] = url
    return url


def _keepable(endpoint: str, values: dict) -> bool:
    """Whether the link for these can be kept: see the module's docstring."""
    return (has_request_context() and endpoint[:1] != "."
            and all(name[:1] != "_" and type(value) in _PLAIN for name, value in values.items()))
