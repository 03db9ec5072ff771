# Remakes the findings pictures in docs/images (needs Debian chromium):
#   .venv/bin/python docs/images/make_findings_screenshots.py [name ...] [--out=folder]
# With names (like "listen project project-studio") only those pictures are made; --out puts them
# in another folder (to look at them before they replace the ones in docs/images).
# Uses the club survey of the findings tests (tests/findings/test_findings.py): twelve people, a
# published page with Easy Read, an Arabic translation, a chart, quotes and "You said, we did";
# a second survey of the same project (trips) with a published page, and the project's own words.
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
from test_findings_project import OWN, PROJECT, with_trips  # noqa: E402

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

# A second survey of the project with its own published page, so the project page gathers two.
with_trips(app)
TRIPS = "/studio/surveys/trips/findings"
rae.get(TRIPS)
saved = [rae.post(TRIPS, {"action": "section", "heading": "Where to go",
                          "text": "Most of you want a day at the sea. Some want to go camping.",
                          "easy_read": "You want to go to the sea."}),
         rae.post(TRIPS, {"action": "said_did", "date": "2026-11-28", "said": "We want a trip to the sea.",
                          "did": "We booked a coach to Brighton for March."})]
sam = signed_in(app, "sam")
saved += [sam.post(f"{TRIPS}/publish", {"action": step}) for step in ("approve", "publish")]
# The project's own words: rae writes them; sam (pictured on the studio page) approves them later.
rae.get(OWN)
OWN_PARTS = [
    ("Who we are", "We are young people who have been in care. This year we asked people at the youth "
                   "club two sets of questions: about the club, and about trips.",
     "We are young people.\nWe asked you about the club and about trips."),
    ("What happens next", "We will tell the club's staff what you said in January. "
                          "We will write here what they do about it.",
     "We will tell the staff what you said.\nWe will tell you what they do."),
]
saved += [rae.post(OWN, {"action": "section", "heading": heading, "text": text, "easy_read": easy,
                         **({"picture": (pictogram(), "club.png"),
                             "picture_alt": "The youth club and three young people"} if n == 0 else {})},
                   content_type="multipart/form-data")
          for n, (heading, text, easy) in enumerate(OWN_PARTS)]
assert [r.status_code for r in saved] == [302] * 6, "a step of the setup was refused"

server = make_server("127.0.0.1", 0, app, threaded=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_port}"
out = ROOT / "docs" / "images"
wanted = {arg for arg in sys.argv[1:] if not arg.startswith("--out=")}
for arg in sys.argv[1:]:
    if arg.startswith("--out="):
        out = pathlib.Path(arg.removeprefix("--out="))

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"])
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()

    def shot(page, name, full=True, clip=None):
        """Save the page (or the part in ``clip``) in 256 colours: a third of the size, as clear."""
        if wanted and name not in wanted:
            return
        picture = Image.open(io.BytesIO(page.screenshot(full_page=full or clip is not None, clip=clip)))
        picture.convert("RGB").quantize(256).save(out / f"findings-{name}.png", optimize=True)

    def around(page, first, last):
        """The part of a page from the top of ``first`` to the bottom of ``last`` (CSS selectors)."""
        top, bottom = page.locator(first).first.bounding_box(), page.locator(last).first.bounding_box()
        width = page.viewport_size["width"]
        return {"x": 0, "y": max(top["y"] - 12, 0), "width": width,
                "height": bottom["y"] + bottom["height"] + 12 - max(top["y"] - 12, 0)}

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

    # The newer pictures are taken on a small phone, 360 pixels wide.
    small = browser.new_context(viewport={"width": 360, "height": 740})
    reader = small.new_page()
    reader.goto(base + PUBLIC + "?lang=en")
    reader.get_by_role("link", name="Listen to this page").click()  # as someone would press it
    reader.wait_for_selector("audio")
    shot(reader, "listen", full=False)

    studio = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    studio.goto(base + "/studio/login")
    studio.get_by_label("Username").fill("sam")
    studio.get_by_label("Password").fill(PASSWORD)
    studio.get_by_role("button", name="Sign in").click()
    studio.goto(base + OWN)
    shot(studio, "project-studio", clip=around(studio, "a.back", ".finding-item"))
    studio.get_by_role("button", name="Approve this version").click()
    studio.get_by_role("button", name="Publish").click()
    studio.get_by_role("button", name="Take the page down").wait_for()  # published

    reader.goto(base + PROJECT + "?lang=en")
    shot(reader, "project")
    reader.goto(base + PROJECT + "?format=easy&lang=en")
    shot(reader, "project-easy", full=False)
    browser.close()
server.shutdown()
print(sorted(p.name for p in out.glob("findings-*.png")))
