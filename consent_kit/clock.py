"""Times as the store keeps them: UTC, to the second, ISO 8601 with a Z."""

from __future__ import annotations

import datetime


def utc_now() -> str:
    """Now, e.g. ``"2026-11-26T08:30:00Z"``."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")
