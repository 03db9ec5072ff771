"""Two apps, separate instance folders, one PostgreSQL database: nothing lives only on one disk.

Issue 16 item 1: a participant whose requests alternate between servers keeps
their session (the signing key is made once, in the database); published
surveys and uploaded media come from the database too.
"""

from __future__ import annotations

import pytest
from pg_testdb import TEST_STORE_KEY, temporary_schema
from serverutil import QUICK_SURVEY

from consent_kit.app import create_app
from consent_kit.testing import Participant, make_instance

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


def test_servers_on_one_database_sign_sessions_with_one_key_made_once(two_apps, tmp_path):
    one = two_apps("one", {"quick.yaml": QUICK_SURVEY})
    two = two_apps("two", {"quick.yaml": QUICK_SURVEY})
    assert one.secret_key == two.secret_key
    assert len(one.secret_key) == 64
    assert not (tmp_path / "one" / "secret_key").exists()  # nothing on the server's own disk

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
