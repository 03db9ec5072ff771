# Remakes the findings pictures in docs/images (needs Debian chromium):
#   .venv/bin/python docs/images/make_findings_screenshots.py
# Uses the club survey of the findings tests (tests/findings/test_findings.py): eleven people, a
# published page with Easy Read, an Arabic translation, a chart, quotes and "You said, we did".
import io
import pathlib
import sys
import tempfile
import threading

from PIL import Image, ImageDraw
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "findings"))
sys.path.insert(0, str(ROOT / "tests"))
from test_findings import (  # noqa: E402
    CLUB,
    EDIT,
    PUBLIC,
    add,
    add_quote,
    build,
    publish,
    response_of,
    signed_in,
    store,
    take_part,
)

from consent_kit.testing import PASSWORD, make_instance  # noqa: E402


def pictogram() -> io.BytesIO:
    """A simple drawing for the Easy Read part: a club house and three people."""
    image = Image.new("RGB", (480, 320), "white")
    draw = ImageDraw.Draw(image)
    draw.polygon([(60, 150), (200, 40), (340, 150)], fill=(200, 60, 40))
    draw.rectangle([85, 150, 315, 290], fill=(240, 200, 90))
    draw.rectangle([175, 200, 225, 290], fill=(90, 60, 30))
    for n, colour in enumerate([(30, 110, 200), (40, 160, 80), (150, 60, 170)]):
        x = 370 + n * 35
        draw.ellipse([x - 14, 170, x + 14, 198], fill=colour)
        draw.rectangle([x - 12, 200, x + 12, 270], fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out


folder = make_instance(pathlib.Path(tempfile.mkdtemp()) / "instance", {"club.yaml": CLUB})
app = build(folder)
app.config["SESSION_COOKIE_SECURE"] = False
for fun, words in [("Yes", "More trips to the sea."), ("Yes", "Longer opening hours."),
                   ("No", "A quiet room to do homework."), ("Yes", "Cheaper food."),
                   ("Yes", "Nothing, it is great."), ("No", "More staff."), ("Yes", "Music nights."),
                   ("No", "Free wifi."), ("Yes", "Cooking classes."), ("No", "A later bus."),
                   ("Yes", "More football."), ("No", "Somewhere to sit outside.")]:
    take_part(app, {"fun": fun, "words": words})
rae = signed_in(app, "rae")
add(rae, action="promise", promise="in the spring")
rae.get(EDIT)
rae.post(EDIT, {"action": "section", "heading": "What you told us",
                "text": "Most of you **like** the club. You want it open for longer, and a quiet room.",
                "easy_read": "You like the club.\nYou want it open for longer.\nYou want a quiet room.",
                "picture_alt": "The club house and three young people",
                "picture": (pictogram(), "club.png")}, content_type="multipart/form-data")
add(rae, action="counts", question_id="fun", kind="chart")
add_quote(rae, response_of(app, "A quiet room to do homework."))
add_quote(rae, response_of(app, "Longer opening hours."))
add(rae, action="said_did", date="2026-11-20", said="The club shuts too early.",
    did="It is open until 9 on Fridays now.")
item_id = store(app).documents("findings").get(survey_id="club")["items"][0]["id"]
rae.get(f"{EDIT}/translate/ar")
rae.post(f"{EDIT}/translate/ar", {f"heading-{item_id}": "ما قلتموه لنا",
                                  f"text-{item_id}": "معظمكم يحب النادي. "
                                                     "تريدون أن يفتح لوقت أطول، وغرفة هادئة.",
                                  f"easy_read-{item_id}": "أنت تحب النادي.\nتريد أن يفتح لوقت أطول."})
publish(app, rae)
# Two people asked to be told before it was published.
kit = app.extensions["consent_kit"]
from consent_kit.findings import contacts  # noqa: E402

for contact in ("sam@example.org", "07700 900123"):
    contacts.add(kit.store.documents(contacts.TABLE), "club", contact, language="en", day="2026-11-20")

server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
out = ROOT / "docs" / "images"

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"])
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()

    def shot(page, name, full=True):
        page.screenshot(path=str(out / f"findings-{name}.png"), full_page=full)

    phone.goto(base + PUBLIC + "?lang=en")
    shot(phone, "page")
    phone.goto(base + PUBLIC + "?format=easy")
    shot(phone, "easy-read", full=False)
    phone.goto(base + PUBLIC + "?lang=ar")
    shot(phone, "arabic", full=False)
    phone.goto(base + PUBLIC + "?lang=en")

    desk = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
    desk.goto(base + "/studio/login")
    desk.get_by_label("Username").fill("rae")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.goto(base + EDIT + "#new-part")
    desk.locator("#heading").fill("Next steps")
    desk.locator("#text").fill("Notwithstanding the aforementioned considerations, the organisational "
                               "infrastructure necessitated comprehensive reconfiguration of the "
                               "placement arrangements for looked after children.")
    desk.get_by_role("button", name="Check the words").click()
    desk.locator("#new-part").scroll_into_view_if_needed()
    shot(desk, "advice", full=False)
    desk.goto(base + EDIT + "/translate/ar")
    shot(desk, "translate", full=False)
    desk.goto(base + EDIT + "/waiting")
    shot(desk, "waiting", full=False)
    desk.goto(base + EDIT + "/share")
    shot(desk, "share", full=False)
    browser.close()
server.shutdown()
print(sorted(p.name for p in out.glob("findings-*.png")))
