"""Helpers shared by the store tests (imported by name; fixtures live in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from consent_kit.store import Response

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("store_worker.py")


def make_response(response_id: str, **changes) -> Response:
    """A valid Response; keyword arguments override fields."""
    fields = {
        "id": response_id,
        "survey_id": "pilot",
        "survey_version": "v1hash",
        "answers": {"q1": "yes", "q2": [1, 2]},
        "submitted_at": "2026-11-26T08:30:00Z",
        "reference": "REF-" + response_id[:6],
    }
    fields.update(changes)
    return Response(**fields)


def spawn_worker(*args: str, stdin=None) -> subprocess.Popen:
    """Start tests/store/store_worker.py in a new Python process (stdout piped, text)."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
