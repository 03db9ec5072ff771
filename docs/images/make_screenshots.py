# Remakes the pictures in docs/images: .venv/bin/python docs/images/make_screenshots.py (needs Debian chromium).
import tempfile, pathlib, threading, re
from werkzeug.serving import make_server
from playwright.sync_api import sync_playwright
from consent_kit import create_app
from consent_kit.testing import make_instance
d = make_instance(pathlib.Path(tempfile.mkdtemp()) / "i")
app = create_app({"SESSION_COOKIE_SECURE": False}, instance=d, load_entrypoints=False)
srv = make_server("127.0.0.1", 0, app, threaded=True); port = srv.server_port
threading.Thread(target=srv.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{port}"
out = pathlib.Path("docs/images")
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox","--disable-gpu","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run"])
    page = b.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1).new_page()
    def shot(name): page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    page.goto(base + "/s/have-your-say"); shot("start")
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("The main information").check(); page.get_by_role("button", name="Continue").click()
    shot("consent-information")
    page.goto(base + "/s/have-your-say/consent/check")
    page.get_by_role("button", name="Continue").click(); shot("understanding-check")
    page.goto(base + "/s/have-your-say/consent/agree"); shot("consent-statements")
    for cb in page.locator("input[name^=statement-]").all(): cb.check()
    page.get_by_role("button", name="I agree, take part").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click(); shot("error-summary")
    page.get_by_label("14 to 16").check(); page.locator("#care_experience-0").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.locator("#how_good-3").check(); page.locator("#trusted_adult-1").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click(); shot("check-your-answers")
    page.get_by_role("button", name="Send").click(); shot("thank-you")
    b.close()
srv.shutdown()
print(sorted(p.name for p in out.iterdir()))
