# Remakes the builder's pictures in docs/images (builder-*.png) for docs/builder.md:
# .venv/bin/python docs/images/make_builder_screenshots.py (needs Debian chromium).
import pathlib
import re
import tempfile
import threading

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from consent_kit import create_app
from consent_kit.testing import make_instance

PASSWORD = "orange river bicycle"
folder = make_instance(pathlib.Path(tempfile.mkdtemp()) / "i")
app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
accounts = app.extensions["consent_kit_studio"].accounts
accounts.create_user("sam", "researcher", PASSWORD)
accounts.create_project("Youth voice")
accounts.set_member("youth-voice", "sam", "researcher")
server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
out = pathlib.Path("docs/images")
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"])
    page = browser.new_context(viewport={"width": 900, "height": 700},
                               java_script_enabled=False).new_page()

    def shot(name):
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)

    page.goto(f"{base}/studio/login")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/studio/projects/youth-voice/surveys/new")
    page.get_by_label("Title").fill("Jobs and money")
    page.get_by_label("Description").fill("A few questions about work and money.")
    page.get_by_role("button", name="Start the survey").click()
    for label, kind in (("Do you have a job?", "Yes or no"), ("What is your job?", "Short answer")):
        page.get_by_role("link", name="Add a page", exact=True).click()
        page.get_by_label(kind, exact=True).check()
        page.get_by_label("The question (or, for information, the words people read)").fill(label)
        page.get_by_role("button", name="Add a page").click()
    page.get_by_role("link", name=re.compile(r"^Change\W+What is your job\?$")).click()
    page.get_by_label("Only show this if the answer to").select_option(label="Do you have a job?")
    page.get_by_label("this answer").select_option(label="Yes")
    page.locator("#show-if").screenshot(path=str(out / "builder-skip-logic.png"))
    page.get_by_role("button", name="Save").last.click()
    page.locator("#pages").scroll_into_view_if_needed()
    shot("builder-outline")
    page.get_by_role("link", name="Preview the survey as people will see it").click()
    page.set_viewport_size({"width": 390, "height": 700})
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("button", name="Continue").click()
    shot("builder-preview")
    browser.close()
server.shutdown()
print(sorted(p.name for p in out.glob("builder-*.png")))
