"""Two apps, separate instance folders, one PostgreSQL database: nothing lives only on one disk.

Issue 16 item 1: a participant whose requests alternate between servers keeps
their session (the signing key is derived from the instance key they share, never
stored); published
surveys and uploaded media come from the database too.
"""

from __future__ import annotations

import io
import re

import pytest
from pg_testdb import TEST_STORE_KEY, temporary_schema
from PIL import Image
from serverutil import QUICK_SURVEY

from consent_kit.app import create_app
from consent_kit.testing import Browser, Participant, errors_in, make_instance, populate

SESSION = "ck_session"


@pytest.fixture
def pg():
    with temporary_schema("ck_shared") as where:
        yield where


@pytest.fixture
def two_apps(tmp_path, pg):
    """``make(name, **config)`` builds an app on instance folder ``name``, all on one schema."""
    url, schema = pg
    made = []

    def make(name: str, forms: dict | None = None, **config):
        folder = make_instance(tmp_path / name, forms, examples=False)
        settings = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "CATALOG_CHECK_SECONDS": 0,
                    "DATABASE_URL": url, "DATABASE_SCHEMA": schema, "STORE_KEY": TEST_STORE_KEY}
        settings.update(config)
        app = create_app(settings, instance=folder, load_entrypoints=False)
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["consent_kit"].store.close()


def move_to(person: Participant, app) -> None:
    """The person's next request reaches the other server, with the same cookies."""
    cookie = person.client.get_cookie(SESSION)
    assert cookie is not None, "no session cookie to carry"
    person.client = app.test_client()
    person.client.set_cookie(SESSION, cookie.value)


def test_servers_on_one_database_sign_sessions_with_one_key_kept_nowhere(two_apps, tmp_path):
    one = two_apps("one", {"quick.yaml": QUICK_SURVEY})
    two = two_apps("two", {"quick.yaml": QUICK_SURVEY})
    assert one.secret_key == two.secret_key
    assert len(one.secret_key) == 64
    assert not (tmp_path / "one" / "secret_key").exists()  # nothing on the server's own disk
    store = one.extensions["consent_kit"].store
    schema = store.schema or "public"
    # Not in the database either (a backup of it can't be used to forge sessions).
    with store._pool.connection("test") as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}'")
        tables = cur.fetchone()[0]
        hits = 0
        for (name,) in cur.execute(
                f"SELECT tablename FROM pg_tables WHERE schemaname = '{schema}'").fetchall():
            cur.execute(f'SELECT count(*) FROM "{schema}"."{name}" AS t '
                        f"WHERE t::text LIKE %s", (f"%{one.secret_key}%",))
            hits += cur.fetchone()[0]
    assert tables > 3 and hits == 0

    person = Participant(one.test_client())
    person.begin("quick")  # start on the first server...
    move_to(person, two)   # ...and carry on with the second
    person.answer_until_check({"word": "hopped", "colour": "red"})
    reference = person.send()
    assert reference
    store = two.extensions["consent_kit"].store
    assert [r.answers["word"] for r in store.iter_responses("quick")] == ["hopped"]


def test_an_explicit_secret_key_still_wins(two_apps):
    one = two_apps("one")
    two = two_apps("two", SECRET_KEY="set-by-hand")
    assert two.secret_key == "set-by-hand"
    assert one.secret_key != "set-by-hand"


# -- published surveys and their pictures ------------------------------------------------------

BUILD = "/studio/surveys/{}/build"
_REVISION = re.compile(r'name="revision" value="([^"]+)"')


def send_form(browser: Browser, url: str, data: dict | None = None, *, page: str = "", **kwargs):
    """Post a builder form with the revision of the page it is on, as the browser does."""
    found = _REVISION.search(browser.get(page or url).get_data(as_text=True))
    form = {"revision": found.group(1)} if found else {}
    form.update(data or {})
    return browser.post(url, form, **kwargs)


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_a_survey_published_on_one_server_opens_on_the_other_and_closes_there_too(two_apps, tmp_path):
    one, two = two_apps("one"), two_apps("two")
    populate(one)  # the accounts are in the database: the same team on both servers
    rae = Browser(one)
    assert rae.login("rae").status_code == 302
    made = rae.post("/studio/projects/alpha/surveys/new", {"title": "Youth voice", "description": "Views."})
    assert made.status_code == 302, errors_in(made)
    survey_id = made.location.split("/")[3]
    build = BUILD.format(survey_id)
    assert send_form(rae, build + "/pages/new", {"type": "short_text", "label": "Say a word"}
                     ).status_code == 302
    draft = one.extensions["consent_kit_builder"].draft(survey_id)["definition"]
    question = draft["pages"][-1]["questions"][0]["id"]
    url = f"{build}/questions/{question}"
    easy = {"type": "short_text", "label": "Say a word", "easy_read": "Say a word",
            "easy_read_alt": "A red square", "easy_read_picture": (io.BytesIO(picture()), "red.png")}
    response = send_form(rae, url, easy, content_type="multipart/form-data")
    assert response.status_code == 302, errors_in(response)
    assert send_form(rae, build + "/consent", {"action": "remove"}).status_code == 302
    assert send_form(rae, build + "/consent-needed", {"not_needed": "yes", "reason": "No names."}
                     ).status_code == 302
    assert send_form(rae, build + "/publish", {"confirm": "yes"}, page=build).status_code == 302
    assert one.extensions["consent_kit"].catalog.get(survey_id) is not None

    assert one.extensions["consent_kit_builder"].draft(survey_id) is None  # published
    assert not list((tmp_path / "two" / "forms").glob(f"{survey_id}.y*ml"))  # not there yet...
    person = Participant(two.test_client())
    assert person.get(f"/s/{survey_id}").status_code == 200  # ...until the other server looks
    on_two = two.extensions["consent_kit"].catalog.get(survey_id)
    kept = on_two.definition["pages"][-1]["questions"][0]["easy_read"]["image"]
    copied = (tmp_path / "two" / "forms" / kept).read_bytes()
    assert copied == (tmp_path / "one" / "forms" / kept).read_bytes()
    assert on_two.is_open

    assert send_form(rae, build + "/status", {"status": "closed"}, page=build).status_code == 302
    assert two.extensions["consent_kit"].catalog.get(survey_id).is_open is False
    assert send_form(rae, build + "/status", {"status": "open"}, page=build).status_code == 302
    assert two.extensions["consent_kit"].catalog.get(survey_id).is_open is True


def test_a_file_placed_by_hand_stays_on_its_own_server(two_apps, tmp_path):
    one = two_apps("one", {"quick.yaml": QUICK_SURVEY})
    two = two_apps("two")
    assert one.extensions["consent_kit"].catalog.get("quick") is not None
    assert two.extensions["consent_kit"].catalog.get("quick") is None
    assert not (tmp_path / "two" / "forms" / "quick.yaml").exists()


# -- uploaded files ----------------------------------------------------------------------------------


def test_a_recording_uploaded_on_one_server_plays_on_the_other_until_deleted(two_apps, tmp_path):
    from consent_kit_plugins.accessible_formats.recordings import Recordings

    one, two = two_apps("one"), two_apps("two")
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(32))
    Recordings(one).save("quick", "question", "word", wav)
    found = Recordings(two).find("quick", "question", "word")
    assert found is not None and found.read_bytes() == wav
    assert found.is_relative_to(tmp_path / "two")  # a copy in the second server's own folder
    mp3 = b"ID3" + bytes(40)
    Recordings(two).save("quick", "question", "word", mp3)  # a new one, of another kind
    assert Recordings(one).find("quick", "question", "word").read_bytes() == mp3
    assert Recordings(one).delete("quick", "question", "word") is True
    assert Recordings(two).find("quick", "question", "word") is None
    assert one.extensions["consent_kit"].store.media().list() == {}


def test_a_findings_picture_kept_on_one_server_is_shown_on_the_other(two_apps, tmp_path):
    from consent_kit.findings import pictures

    one, two = two_apps("one"), two_apps("two")
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 30)).save(out, "PNG")
    kept = pictures.save(out.getvalue(), pictures.folder(one.instance_path, "quick"), "abcd1234")
    on_two = pictures.folder(two.instance_path, "quick")
    assert not (on_two / kept["name"]).exists()
    found = pictures.path_of(on_two, kept["name"])
    assert found == on_two / kept["name"]
    assert found.read_bytes() == (pictures.folder(one.instance_path, "quick") / kept["name"]).read_bytes()
    assert pictures.data_uri(on_two, kept["name"]).startswith("data:image/jpeg;base64,")
    assert pictures.forget(pictures.folder(one.instance_path, "quick"), kept["name"]) is True
    assert pictures.path_of(on_two, kept["name"]) is None  # gone from the store: not shown anywhere
