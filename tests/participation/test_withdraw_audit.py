"""Through the web: one true audit entry per withdrawal, honest words about damaged lines
(issue 23 items 9 and 13), and a good retry after a failed flush fires the plugin events once
(issue 21 §2)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from test_hooks import ANSWERS, CLUB, Events, finish

from consent_kit.testing import Participant


@pytest.fixture
def events(make_app):
    plugin = Events()
    app = make_app(plugins=[plugin], forms={"club.yaml": CLUB}, examples=False)
    return app, plugin


def store_of(app):
    return app.extensions["consent_kit"].store


def withdrawals(app) -> list[dict]:
    return [e for e in store_of(app).iter_audit() if e["action"] == "consent_withdrawn"]


def take_back(person: Participant, reference: str):
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.get("/change-your-mind/take-back")
    return person.post("/change-your-mind/take-back")


def test_one_true_entry_per_withdrawal(events):
    app, _plugin = events
    person, reference = finish(app)
    take_back(person, reference)
    assert "Your answers have been deleted" in person.html
    assert "could not be deleted straight away" not in person.html
    [entry] = withdrawals(app)
    assert entry["details"] == {"incomplete": [], "responses_erased": 1, "damaged_lines_kept": 0}
    # The same code again (another tab): it finds nothing any more, and writes no new entry.
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    assert person.last.status_code == 400
    assert len(withdrawals(app)) == 1
    assert store_of(app).verify_audit() == []


def test_a_damaged_line_that_may_be_theirs_is_said_not_hidden(events):
    app, _plugin = events
    person, reference = finish(app)
    other, _ = finish(app)
    journal = Path(store_of(app).data_dir) / "responses.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b'"pseudonym":"', b'"pseudonym":"?', 1)  # nobody can tell whose now
    journal.write_bytes(b"".join(lines))
    take_back(person, reference)
    assert "could not be deleted straight away" in person.html
    [entry] = withdrawals(app)
    assert entry["details"]["damaged_lines_kept"] == 1
    assert entry["details"]["responses_erased"] == 1


def test_a_good_retry_after_a_failed_flush_fires_the_events_once(events, monkeypatch):
    app, plugin = events
    person = Participant(app.test_client())
    person.begin("club")
    person.answer_until_check(ANSWERS)
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', person.html).group(1)
    real = os.fsync
    failures = [1]

    def flaky(fd):
        if failures and os.readlink(f"/proc/self/fd/{fd}").endswith("responses.jsonl"):
            failures.pop()
            raise OSError(5, "Input/output error")
        return real(fd)

    monkeypatch.setattr(os, "fsync", flaky)
    first = person.post("/s/club/submit", {"submission_id": submission_id})
    assert first.status_code == 503  # "not saved, try again": nobody was told it was stored
    assert ("submitted", "club", True) not in plugin.calls
    person.post("/s/club/submit", {"submission_id": submission_id})
    assert person.path == "/s/club/done"
    assert plugin.calls.count(("submitted", "club", True)) == 1
    assert plugin.calls.count(("given", "club", True)) == 1
