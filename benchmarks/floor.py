"""The floor: the least any submission must do on consent-kit's stack, and nothing else.

Flask's signed session cookie is read and written again, Flask-WTF checks the
CSRF token, the form is parsed, and one JSON line of about a response's size
is appended and flushed to disk (one ``fsync``) before a redirect to ``/done``.
No survey, no consent, no drafts, no templates. Its row in the table says how
close to hello world a submission *can* get on this machine with the stack
consent-kit must use; the gap between it and the real submit row is
consent-kit's own work.

``make_sessions`` writes its prepared sessions in the same format as
``prepare.py`` (``<cookie>\\t<body>`` per line) for ``submit.lua``.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import uuid
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, g, redirect, request, session
from flask_wtf.csrf import CSRFProtect, generate_csrf

app = Flask(__name__)
app.config.update(SECRET_KEY=os.environ.get("CK_FLOOR_SECRET", "floor-benchmark-only"),
                  SESSION_COOKIE_NAME="ck_session", SESSION_COOKIE_SECURE=True,
                  SESSION_COOKIE_SAMESITE="Lax", SESSION_REFRESH_EACH_REQUEST=False)
CSRFProtect(app)

_JOURNAL = Path(os.environ.get("CK_FLOOR_JOURNAL") or Path(tempfile.gettempdir(), "ck-floor.jsonl"))
_lock = threading.Lock()
_sync_lock = threading.Lock()
_fd: int | None = None
_written = _synced = 0  # lines written, and lines known to be on disk
#: About the size of a stored response line of have-your-say.
_ANSWERS = {"q": "x" * 600}


def _append(record: dict) -> None:
    """One O_APPEND write under a lock, then flushed to disk, as the journal does ("group commit").

    The flush is made after the lock is released, and one fsync covers every line
    written before it (see ``Journal.flush``), as a real Send's is. Until 2026-12-05
    this floor held its lock through each fsync, which no Send does: under waitress
    it then measured 106-147 requests a second in three runs, below the real Send;
    with group commit 177 and 447 in the next two (waitress's rows vary a lot from
    run to run, see benchmarks/README.md).
    """
    global _fd, _written, _synced
    data = (json.dumps(record, separators=(",", ":")) + "\n").encode()
    with _lock:
        if _fd is None:
            _fd = os.open(_JOURNAL, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(_fd, data)
        _written += 1
        mine = _written
    with _sync_lock:
        if _synced < mine:  # no other thread's fsync has covered this line yet
            upto = _written
            os.fsync(_fd)
            _synced = upto


@app.post("/submit")
def submit():
    """Store one line for this session's draft and go to /done."""
    draft = session.get("drafts", {}).get("floor")
    if not draft:
        return "session ended", 410
    _append({"id": request.form.get("submission_id", ""), "draft": draft, "answers": _ANSWERS})
    session["drafts"].pop("floor")
    session["done"] = {"floor": {"reference": "ABCDEFGHJK"}}
    session.modified = True
    return redirect("/done")


def make_sessions(path: Path, count: int) -> None:
    """Write ``count`` ready-to-send sessions for ``submit.lua``."""
    signer = app.session_interface.get_signing_serializer(app)
    with app.test_request_context(), open(path, "w", encoding="ascii") as out:
        for _ in range(count):
            session.clear()
            g.pop("csrf_token", None)  # generate_csrf keeps its token per request
            session.permanent = True
            session["drafts"] = {"floor": uuid.uuid4().hex}
            body = urlencode({"csrf_token": generate_csrf(), "submission_id": uuid.uuid4().hex})
            out.write(f"{app.config['SESSION_COOKIE_NAME']}={signer.dumps(dict(session))}\t{body}\n")
