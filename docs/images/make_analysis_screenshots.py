"""Remakes the "make sense of the answers" pictures in docs/images (needs Debian chromium).

Run: .venv/bin/python docs/images/make_analysis_screenshots.py
Made-up answers only: 24 written answers to a one-question survey, two coders.
"""

import pathlib
import random
import tempfile
import threading

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from consent_kit import Response, create_app
from consent_kit.analysis.codebook import THEMES, Codebook
from consent_kit.analysis.coding import Coding
from consent_kit.testing import PASSWORD, make_instance

TALK = """\
id: talk
title: Tell us about the club
description: One question.
questions:
  - id: better
    type: long_text
    label: What would make the club better?
"""
WORDS = ["More trips out, like the beach day.", "A later bus home on Fridays.",
         "Staff who listen when you're upset.", "Cheaper food at the tuck shop.",
         "More trips and a bus that waits for us.", "Somewhere quiet to do homework."]

folder = make_instance(pathlib.Path(tempfile.mkdtemp()) / "instance", {"talk.yaml": TALK},
                       examples=False)
app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
accounts = app.extensions["consent_kit_studio"].accounts
accounts.create_project("Alpha")
for name in ("rae", "kim"):
    accounts.create_user(name, "researcher", PASSWORD)
    accounts.set_member("alpha", name, "researcher")
accounts.assign_survey("talk", "alpha")
kit = app.extensions["consent_kit"]
survey = kit.catalog.get("talk")
rng = random.Random(5)
for i in range(24):
    kit.record_response(Response(f"r{i:02d}", "talk", survey.version, {"better": rng.choice(WORDS)},
                                 "2026-12-01T10:00:00Z", "R", meta={"language": "en"}), survey)
book = Codebook(kit.store.documents(THEMES))
trips = book.save("talk", "Trips out", "Going places together", "a day at the beach")
travel = book.save("talk", "Getting home", "Buses, lifts and walking back late")
staff = book.save("talk", "Being listened to", "Staff who take time with you")
coding = Coding(kit.store)
sample_ids = [f"r{i:02d}" for i in range(8)]
kit.store.documents("analysis_samples").put(
    {"survey_id": "talk", "question_id": "better", "response_ids": sample_ids,
     "coders": ["kim", "rae"], "by": "rae", "at": "2026-12-01T10:00:00Z"},
    survey_id="talk", question_id="better")
for i in range(24):
    text = kit.store.get_response(f"r{i:02d}").answers["better"]
    themes = [t.id for t, word in ((trips, "trip"), (travel, "bus"), (staff, "listen")) if word in text]
    coding.save("talk", "better", f"r{i:02d}", "rae", themes, "", "2026-12-01T10:00:00Z")
    if i < 8:
        other = themes if i % 3 else themes[:1]
        coding.save("talk", "better", f"r{i:02d}", "kim", other, "", "2026-12-01T10:00:00Z")
server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
out = pathlib.Path(__file__).resolve().parent
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(base + "/studio/login")
    page.fill("#username", "kim")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(base + "/studio/surveys/talk/analysis")
    page.screenshot(path=str(out / "analysis-counts.png"), full_page=True)
    page.goto(base + "/studio/surveys/talk/analysis/better/code?answer=r09")
    page.screenshot(path=str(out / "analysis-coding.png"), full_page=True)
    page.goto(base + "/studio/surveys/talk/analysis/better/agreement")
    page.screenshot(path=str(out / "analysis-agreement.png"))
    browser.close()
server.shutdown()
