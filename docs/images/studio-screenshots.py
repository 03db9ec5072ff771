# Remakes the studio's task pictures in docs/images (studio-*.png) for docs/builder.md:
# .venv/bin/python docs/images/studio-screenshots.py (needs Debian chromium).
import io
import pathlib
import re
import tempfile
import threading

from PIL import Image
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from consent_kit import create_app
from consent_kit.testing import make_instance

PASSWORD = "orange river bicycle"
work = pathlib.Path(tempfile.mkdtemp())
folder = make_instance(work / "i", examples=False)
app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
accounts = app.extensions["consent_kit_studio"].accounts
accounts.create_user("sam", "researcher", PASSWORD)
accounts.create_project("Youth voice")
accounts.set_member("youth-voice", "sam", "researcher")
server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
out = pathlib.Path("docs/images")
picture = work / "club.png"
Image.new("RGB", (200, 140), (40, 120, 200)).save(picture)
codes = work / "codes.csv"
codes.write_text("code\nGIFT-1\nGIFT-2\n")
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"])
    page = browser.new_context(viewport={"width": 390, "height": 700},
                               java_script_enabled=False).new_page()
    page.goto(f"{base}/studio/login")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/studio/projects/youth-voice/surveys/new")
    page.get_by_label("Title").fill("Our youth club")
    page.get_by_label("Description").fill("A few questions about the youth club.")
    page.get_by_role("button", name="Start the survey").click()
    page.get_by_role("link", name="Add a page", exact=True).click()
    page.get_by_label("Yes or no", exact=True).check()
    page.get_by_label("The question (or, for information, the words people read)").fill(
        "Do you go to a youth club?")
    page.get_by_role("button", name="Add a page").click()
    page.locator("ul.task-list").screenshot(path=str(out / "studio-tasks.png"))
    page.get_by_role("link", name=re.compile(r"^Change\W+Do you go to a youth club\?$")).click()
    page.get_by_label("Easy Read words").fill("Do you go to a club?")
    page.get_by_label("Picture (optional)").set_input_files(str(picture))
    page.get_by_label("What the picture shows, for people who can't see it (needed with a picture)").fill(
        "Young people playing table tennis")
    page.locator("#formats").screenshot(path=str(out / "studio-picture.png"))
    page.get_by_role("button", name="Save").last.click()
    page.get_by_role("link", name="Thank-you payments").click()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("What people get, in plain words").fill("a £10 shopping voucher")
    page.get_by_label("What one payment costs, for the budget").fill("10")
    page.get_by_label("A voucher code on the screen, from codes you upload").check()
    page.screenshot(path=str(out / "studio-thank-you.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Languages").click()
    page.get_by_label("Language to translate into").select_option("cy")
    page.get_by_role("button", name="Show the words").click()
    page.get_by_label(re.compile(r"^In Cymraeg \(Welsh\): Do you go to a youth club")).fill(
        "Wyt ti'n mynd i glwb ieuenctid?")
    page.get_by_role("button", name="Save").click()
    page.set_viewport_size({"width": 900, "height": 700})  # side by side on a wider screen
    page.goto(f"{base}/studio/surveys/our-youth-club/build/languages?language=cy")
    box = page.locator("ol.side-by-side").bounding_box()  # the first few texts are enough
    page.screenshot(path=str(out / "studio-languages.png"), full_page=True,
                    clip={"x": 0, "y": box["y"] - 60, "width": 900, "height": 640})
    browser.close()
server.shutdown()
for name in sorted(out.glob("studio-*.png")):  # smaller files for the docs
    with Image.open(name) as image:
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
    name.write_bytes(buffer.getvalue())
print(sorted(p.name for p in out.glob("studio-*.png")))
