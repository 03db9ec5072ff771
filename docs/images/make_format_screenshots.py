# Remakes the accessible-formats pictures in docs/images (needs Debian chromium):
#   .venv/bin/python docs/images/make_format_screenshots.py
# Uses the small demo survey of the tests (tests/accessible_support.py), with its picture.
import pathlib
import sys
import tempfile
import threading

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from consent_kit import create_app

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tests"))
from accessible_support import formats_instance  # noqa: E402

folder = formats_instance(pathlib.Path(tempfile.mkdtemp()) / "i")
app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
out = pathlib.Path("docs/images")


def choose(page, names):
    page.goto(base + "/s/formats-demo/formats")
    for box in page.locator("input[name=option]").all():
        box.set_checked(box.get_attribute("value") in names)
    page.get_by_role("button", name="Save these choices").click()


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"])
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()

    def shot(name):
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)

    page.goto(base + "/s/formats-demo/formats")
    shot("formats-options")
    choose(page, ("contrast", "easy", "listen"))
    page.goto(base + "/s/formats-demo")
    page.get_by_role("button", name="Start now").click()
    page.get_by_role("link", name="Continue").click()
    page.get_by_label("I want to take part.").check()
    page.get_by_role("button", name="I agree, take part").click()
    shot("formats-easy-read-high-contrast")
    choose(page, ())
    page.goto(base + "/s/formats-demo/formats/print")
    shot("formats-print")
    browser.close()
server.shutdown()
print(sorted(p.name for p in out.glob("formats-*.png")))
