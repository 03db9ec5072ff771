"""Make instance folders, pre-seeded responses and thousands of ready-to-send sessions, fast.

A real submission needs its own browser session: a signed Flask session
cookie naming a draft id, a CSRF token, and a draft file holding the answers
and a ``submission_id``. Walking the whole journey for each one costs many
requests, so the pieces are made directly:

* the draft: one participant walks the survey in-process (``journey.py``), and
  their draft, as the app filled it in (answers, pages seen, consent, ...), is
  the template. Each session gets the fields that ``web.drafts.start_draft``
  makes fresh every time (draft id, submission id, ...), found by comparing two
  fresh drafts, so a new field the app adds is handled without editing this file;
* the draft file is written in the drafts folder's format and a sample is read
  back through ``store.load_draft`` (``store.save_draft`` fsyncs the file and
  the folder, about 4 ms each here: 40,000 drafts would take minutes);
* the cookie is what Flask would send: ``start_draft`` fills the session,
  ``generate_csrf()`` adds the raw CSRF token, and the session interface's own
  serializer signs it.

Each session becomes one line ``<cookie header>\\t<urlencoded body>`` that
``submit.lua`` reads.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import journey
from flask import Flask, g, session
from flask_wtf.csrf import generate_csrf

from consent_kit import Response, create_app
from consent_kit.cli import init_instance
from consent_kit.participation import drafts as web_drafts
from consent_kit.store import EmbeddedStore

SURVEY_ID = journey.SURVEY_ID
RESPONSES_FILE = "responses.jsonl"
DRAFT_SECONDS = 24 * 3600


def make_instance(folder: Path) -> Flask:
    """A new instance folder with the example surveys, and the app built on it."""
    init_instance(folder)
    return create_app(instance=folder)


def data_dir(app: Flask) -> Path:
    """The instance's data folder."""
    return Path(app.config["DATA_DIR"])


def sample_answers(rng: random.Random) -> dict:
    """A complete, valid set of answers to ``have-your-say`` (every page shown)."""
    return {
        "age_group": rng.choice(["11-13", "14-16", "17-19", "20-25"]),
        "care_experience": rng.choice(["yes", "no"]),
        "services_used": rng.sample(["A youth club", "Sports or activities", "Online groups or chats"], 2),
        "visits": rng.randint(0, 60),
        "how_good": rng.randint(1, 5),
        "trusted_adult": "yes",
        "what_helps": journey.ANSWERS["what_helps"],
        "make_better": journey.ANSWERS["make_better"],
        "sport_ideas": rng.choice(["climbing", "boxing", "skating"]),
    }


def seed_responses(app: Flask, count: int, *, seed: int = 1) -> int:
    """Append ``count`` valid response records to the journal and return how many are stored.

    The lines are ``{"kind": "response", **Response.to_record()}``, one JSON
    object per line, written in one go (the store API fsyncs each one: minutes
    for 50,000). The result is checked by a fresh store reading the file back.
    """
    survey = app.extensions["consent_kit"].catalog.get(SURVEY_ID)
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        response = Response(
            id=uuid.uuid4().hex,
            survey_id=SURVEY_ID,
            survey_version=survey.version,
            answers=sample_answers(rng),
            submitted_at="2026-11-26T08:30:00Z",
            reference="".join(rng.choices("23456789ABCDEFGHJKMNPQRSTUVWXYZ", k=10)),
            meta={"language": "en"},
            pseudonym=uuid.uuid4().hex,
        )
        record = {"kind": "response", **response.to_record()}
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    with open(data_dir(app) / RESPONSES_FILE, "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return count_stored(app)


def count_stored(app: Flask) -> int:
    """How many responses a fresh store finds in the journal (the app's own count)."""
    with EmbeddedStore(data_dir(app)) as store:
        return store.count_responses(SURVEY_ID)


def count_lines(app: Flask) -> int:
    """How many lines the journal holds (responses, duplicates and tombstones alike)."""
    try:
        with open(data_dir(app) / RESPONSES_FILE, "rb") as handle:
            return sum(1 for _ in handle)
    except FileNotFoundError:
        return 0


def template_draft(folder: Path) -> dict:
    """The draft of a participant who walked to "Check your answers" on this instance."""
    app = journey.client_app(folder)
    person = journey.walk_to_check(app)
    return journey.current_draft(app, person)


class SessionMaker:
    """Makes sessions for one app: each a fresh draft from the template, a cookie and a body."""

    def __init__(self, app: Flask, template: dict):
        self.app, self.template = app, template
        self.kit = app.extensions["consent_kit"]
        self.survey = self.kit.catalog.get(SURVEY_ID)
        self.folder = data_dir(app) / "drafts"
        self.cookie_name = app.config["SESSION_COOKIE_NAME"]
        self.token_field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.signer = app.session_interface.get_signing_serializer(app)
        with app.test_request_context():
            first, second = self._fresh(), self._fresh()
        self.fresh_keys = sorted(k for k in first if first[k] != second.get(k))

    def _fresh(self) -> dict:
        """``start_draft`` as the app runs it, with the session it fills, minus the slow save."""
        session.clear()
        g.pop(self.token_field, None)  # generate_csrf caches its token per request
        saved = []
        self.kit.store.save_draft = lambda *args, **kwargs: saved.append(kwargs.get("expires_at"))
        try:
            draft = web_drafts.start_draft(self.survey)
        finally:
            del self.kit.store.save_draft  # back to the class's method
        draft["_expires_at"] = (saved and saved[0]) or time.time() + DRAFT_SECONDS
        return draft

    def write(self, path: Path, count: int, *, drafts: bool = True) -> None:
        """Write ``count`` sessions to ``path``.

        With ``drafts=False`` no draft file is written: the session names a
        draft that does not exist, so a submit answers "session ended" and
        stores nothing.
        """
        made = []
        store = self.kit.store
        # Keys made here are flushed once at the end, not once each (4 ms a flush here).
        with self.app.test_request_context(), open(path, "w", encoding="ascii") as out, \
                store._keyfile.deferred():
            for _ in range(count):
                fresh = self._fresh()
                draft = {**self.template, **{k: fresh[k] for k in self.fresh_keys if k != "_expires_at"}}
                if drafts:
                    self._write_draft(draft, fresh["_expires_at"])
                    made.append(draft)
                form = urlencode({self.token_field: generate_csrf(), "submission_id": draft["submission_id"]})
                cookie = self.signer.dumps(dict(session))
                out.write(f"{self.cookie_name}={cookie}\t{form}\n")
        store._keyfile.flush_deferred()
        self._check(made)

    def _write_draft(self, draft: dict, expires_at: float) -> None:
        """The draft file as the app saves it: sealed with the participant's own key.

        The app makes that key when the first page is saved, so "Send" finds it.
        Plain drafts (as before 2026-12-03) made every measured Send create the key
        and flush the key file: a second fsync no real Send pays, and no unsealing.
        """
        body = {"expires_at": expires_at, "data": draft}
        sealer = self.kit.store._drafts.sealer
        if sealer is not None:
            body = sealer.seal_draft(draft["id"], body)
        (self.folder / f"{draft['id']}.json").write_text(json.dumps(body, ensure_ascii=False))

    def _check(self, drafts: list[dict], sample: int = 20) -> None:
        """Read a sample of the drafts back through the store API: the file format must match."""
        for draft in drafts[:: max(1, len(drafts) // sample)]:
            if self.kit.store.load_draft(draft["id"]) != draft:
                raise RuntimeError(
                    "A prepared draft does not read back through store.load_draft: "
                    "the drafts folder format changed; update benchmarks/prepare.py."
                )


def new_instance(folder: Path) -> tuple[Flask, SessionMaker]:
    """A fresh instance, its app, and a session maker whose template was walked on it."""
    app = make_instance(folder)
    return app, SessionMaker(app, template_draft(folder))
