"""One participant walking ``have-your-say`` in-process, keeping every page they were shown.

Used twice: to weigh each participant page (``pages.py``), and to get a draft
exactly as the app fills it in, as the template of every prepared session
(``prepare.py``). Whatever steps the app adds (consent, say), the walk goes
through them with :class:`consent_kit.testing.Participant`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from consent_kit import create_app
from consent_kit.testing import Participant

SURVEY_ID = "have-your-say"
#: Answers that show every page and question of have-your-say.
ANSWERS = {
    "age_group": "14-16",
    "care_experience": "yes",
    "services_used": ["A youth club", "Sports or activities"],
    "visits": "3",
    "how_good": "4",
    "trusted_adult": "yes",
    "what_helps": "They listen and they remember what I said last time.",
    "make_better": "Open later in the evening, and somewhere quiet to do homework.",
    "sport_ideas": "climbing",
}


class Walker(Participant):
    """A Participant that keeps the first HTML page it was shown at each path."""

    def __init__(self, client):
        super().__init__(client)
        self.pages: dict[str, bytes] = {}

    def get(self, url: str, **kwargs):
        """GET, and keep the page."""
        return self._keep(super().get(url, **kwargs))

    def post(self, url: str, data: dict | None = None, *, follow: bool = True):
        """POST, and keep the page it leads to."""
        return self._keep(super().post(url, data, follow=follow))

    def _keep(self, response):
        if response.status_code == 200 and response.mimetype == "text/html":
            self.pages.setdefault(self.path, response.get_data())
        return response


def client_app(folder: Path) -> Flask:
    """An app on ``folder`` whose cookies the test client sends over plain http."""
    return create_app({"SESSION_COOKIE_SECURE": False, "CATALOG_CHECK_SECONDS": 0}, instance=folder)


def walk_to_check(app: Flask, max_pages: int = 50) -> Walker:
    """Start, go through any consent steps, answer every page; stop at "Check your answers"."""
    person = Walker(app.test_client())
    person.start(SURVEY_ID)
    if "/consent" in person.path:
        person.agree(SURVEY_ID)
    for _ in range(max_pages):
        if person.last.status_code != 200:
            raise RuntimeError(f"The walk got {person.last.status_code} at {person.path}")
        if person.path.endswith("/check"):
            return person
        before = person.path
        person.answer_page(ANSWERS)
        if person.path == before:
            raise RuntimeError(f"The walk got stuck on {before} (status {person.last.status_code})")
    raise RuntimeError("The walk did not reach 'Check your answers'")


def current_draft(app: Flask, person: Walker) -> dict:
    """The draft this participant's browser session names, read through the store API."""
    with person.client.session_transaction() as session:
        draft_id = session["drafts"][SURVEY_ID]
    draft = app.extensions["consent_kit"].store.load_draft(draft_id)
    if draft is None:
        raise RuntimeError("The walk left no draft behind")
    return draft
