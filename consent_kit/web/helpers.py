"""Small helpers the blueprints share."""

from __future__ import annotations

from flask import current_app


def kit():
    """The consent-kit state of the current app (plugins, store, surveys)."""
    return current_app.extensions["consent_kit"]
