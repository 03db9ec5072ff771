"""Remakes the results pictures in docs/images (needs Debian chromium).

Run: .venv/bin/python docs/images/make_results_screenshots.py
Made-up answers only: 60 responses to the example survey event-feedback, then 1,000 sample
answers added from the studio's "Try it with sample answers" page.
"""

import pathlib
import random
import tempfile
import threading

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from consent_kit import Response, create_app
from consent_kit.testing import PASSWORD, make_instance, populate

folder = make_instance(pathlib.Path(tempfile.mkdtemp()) / "instance")
app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
populate(app)
store = app.extensions["consent_kit"].store
rng = random.Random(3)
for i in range(60):
    store.add_response(Response(
        f"r{i}", "event-feedback", "v",
        {"enjoyed": rng.choice([2, 3, 4, 4, 5, 5, 5]),
         "felt_welcome": rng.choice(["a-lot"] * 5 + ["a-bit"] * 3 + ["not-really"]),
         "best_bit": rng.choice(["The music", "Meeting new people", "The food", "Dancing"]),
         "come_again": rng.choice(["yes"] * 6 + ["no", "prefer_not_to_say"])},
        f"2026-11-{18 + i % 5:02d}T10:00:00Z", "R", rng.choice(["", "", "library", "youth-club"]),
        {"language": rng.choice(["en", "en", "cy"])}))
server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
out = pathlib.Path(__file__).resolve().parent
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(base + "/studio/login")
    page.fill("#username", "ola")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(base + "/studio/surveys/event-feedback/results")
    page.screenshot(path=str(out / "results-filters.png"))
    page.locator(".question-result").nth(3).screenshot(path=str(out / "results-question.png"))
    page.goto(base + "/studio/surveys/event-feedback/export")
    page.screenshot(path=str(out / "export.png"), full_page=True)
    page.goto(base + "/studio/surveys/event-feedback/sample-answers")
    page.screenshot(path=str(out / "sample-answers.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Add sample answers").click()
    page.screenshot(path=str(out / "results-samples.png"))
    browser.close()
server.shutdown()
