"""Every page of the researchers' area, for every kind of visitor (ASVS 8.2, 8.3: IDOR).

The table below is the contract. A new page under /studio fails here until it
declares who may open it (``login_required``/``public``) AND gets a row in
EXPECTED saying what each visitor gets. Personas:

* ``anonymous``: not signed in → sent to sign in (302) on every non-public page
* ``viewer``: vic, a viewer in project alpha
* ``researcher``: rae, a researcher in project alpha
* ``admin``: ada
* ``outsider``: ola, a researcher in project beta → "not found" (404) for alpha's things

Wrong role → 403 ("You can't open this page"); another project's objects → 404.
"""

from __future__ import annotations

import shutil

import pytest
from flask import Blueprint
from test_auth import PASSWORD, Browser, populate

from consent_kit import hookimpl
from consent_kit.app import create_app
from consent_kit.testing import make_instance
from consent_kit.web.rules import ensure_rules, rule_for, studio_endpoints

PERSONAS = {"anonymous": None, "viewer": "vic", "researcher": "rae", "admin": "ada",
            "outsider": "ola"}
SIGN_IN = "/studio/login"


def row(anonymous, viewer, researcher, admin, outsider):
    return dict(zip(PERSONAS, (anonymous, viewer, researcher, admin, outsider), strict=True))


#: (endpoint, method) -> (URL, form data, expected status by persona).
#: 302 for a signed-in persona means the action was done (sent on to the next page);
#: for anonymous it must be a redirect to the sign-in page (checked below).
EXPECTED = {
    ("auth.setup", "GET"): ("/studio/setup", None, row(404, 404, 404, 404, 404)),
    ("auth.setup", "POST"): ("/studio/setup", {"username": "eve", "password": PASSWORD,
                                               "confirm": PASSWORD}, row(404, 404, 404, 404, 404)),
    ("auth.login", "GET"): ("/studio/login", None, row(200, 302, 302, 302, 302)),
    ("auth.login", "POST"): ("/studio/login", {"username": "rae", "password": "not right at all"},
                             row(400, 400, 400, 400, 400)),
    ("auth.logout", "POST"): ("/studio/logout", {}, row(302, 302, 302, 302, 302)),
    ("auth.password", "GET"): ("/studio/password", None, row(302, 200, 200, 200, 200)),
    ("auth.password", "POST"): ("/studio/password", {"current": "wrong"},
                                row(302, 400, 400, 400, 400)),
    ("studio.dashboard", "GET"): ("/studio/", None, row(302, 200, 200, 200, 200)),
    ("studio.project", "GET"): ("/studio/projects/alpha", None, row(302, 200, 200, 200, 404)),
    ("studio.project_members", "POST"): ("/studio/projects/alpha/members",
                                         {"action": "add", "username": "ola",
                                          "member_role": "viewer"},
                                         row(302, 403, 403, 302, 404)),
    ("studio.project_new", "GET"): ("/studio/projects/new", None, row(302, 403, 403, 200, 403)),
    ("studio.project_new", "POST"): ("/studio/projects/new", {"name": "Gamma"},
                                     row(302, 403, 403, 302, 403)),
    ("studio.survey", "GET"): ("/studio/surveys/have-your-say", None, row(302, 200, 200, 200, 404)),
    ("studio.surveys", "GET"): ("/studio/surveys", None, row(302, 403, 403, 200, 403)),
    ("studio.surveys", "POST"): ("/studio/surveys", {"project-have-your-say": "beta"},
                                 row(302, 403, 403, 302, 403)),
    ("studio.users", "GET"): ("/studio/users", None, row(302, 403, 403, 200, 403)),
    ("studio.plugins", "GET"): ("/studio/plugins", None, row(302, 403, 403, 200, 403)),
    ("studio.users", "POST"): ("/studio/users", {"username": "new1", "role": "admin",
                                                 "password": PASSWORD},
                               row(302, 403, 403, 302, 403)),
    ("studio.user", "GET"): ("/studio/users/rae", None, row(302, 403, 403, 200, 403)),
    ("studio.user", "POST"): ("/studio/users/rae", {"action": "role", "role": "admin"},
                              row(302, 403, 403, 302, 403)),
}

#: Other objects of a project, and things that don't exist: never 200 for the wrong person.
OTHER_OBJECTS = [
    # URL, expected by persona
    ("/studio/projects/beta", row(302, 404, 404, 200, 200)),
    ("/studio/surveys/event-feedback", row(302, 404, 404, 200, 200)),
    ("/studio/projects/no-such-project", row(302, 404, 404, 404, 404)),
    ("/studio/surveys/no-such-survey", row(302, 404, 404, 404, 404)),
    ("/studio/users/no-such-person", row(302, 403, 403, 404, 403)),
]


SETTINGS = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "CATALOG_CHECK_SECONDS": 0}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """An instance folder with the people and projects of :func:`populate`, made once."""
    folder = make_instance(tmp_path_factory.mktemp("route-rules") / "instance")
    populate(create_app(SETTINGS, instance=folder, load_entrypoints=False))
    return folder


@pytest.fixture
def fresh_app(template, tmp_path):
    """A new app on a copy of the template folder (changes stay in this test)."""

    def build(plugins=()):
        folder = tmp_path / f"instance-{len(list(tmp_path.iterdir()))}"
        shutil.copytree(template, folder)
        return create_app(SETTINGS, instance=folder, load_entrypoints=False, plugins=tuple(plugins))

    return build


@pytest.fixture
def app(fresh_app):
    return fresh_app()


def visitor(app, persona: str) -> Browser:
    browser = Browser(app)
    if PERSONAS[persona]:
        assert browser.login(PERSONAS[persona]).status_code == 302
    return browser


def studio_routes(app) -> list[tuple[str, str]]:
    found = []
    for endpoint, rules in studio_endpoints(app).items():
        for url_rule in rules:
            found += [(endpoint, m) for m in sorted(url_rule.methods - {"HEAD", "OPTIONS"})]
    return sorted(set(found))


def test_every_studio_page_declares_who_may_open_it(app):
    missing = ensure_rules(app)
    assert missing == [], f"Add @login_required(...) or @public to: {missing}"
    assert len(studio_endpoints(app)) >= 12


def test_every_studio_page_and_method_has_a_row_in_the_table(app):
    routes = studio_routes(app)
    missing = [route for route in routes if route not in EXPECTED]
    assert missing == [], f"Add rows to EXPECTED in {__file__} for: {missing}"
    stale = [route for route in EXPECTED if route not in routes]
    assert stale == [], f"EXPECTED has rows for pages that are gone: {stale}"


#: Admin last: the admin's allowed changes happen after everyone else was refused.
ORDER = ("anonymous", "viewer", "researcher", "outsider", "admin")


@pytest.mark.parametrize("endpoint, method", sorted(EXPECTED), ids=lambda v: str(v))
def test_route_by_persona(app, endpoint, method):
    url, data, expected = EXPECTED[(endpoint, method)]
    rule = rule_for(app, endpoint)
    store = app.extensions["consent_kit"].store
    problems = []
    for persona in ORDER:
        browser = visitor(app, persona)
        before = [e["action"] for e in store.iter_audit()]
        response = browser.get(url) if method == "GET" else browser.post(url, data)
        got, wanted = response.status_code, expected[persona]
        if got != wanted:
            problems.append(f"{persona}: got {got}, expected {wanted} ({response.location or ''})")
            continue
        if persona == "anonymous" and rule.role != "public":
            sign_in = f"{SIGN_IN}?next={url}" if method == "GET" else SIGN_IN
            if response.location != sign_in:
                problems.append(f"anonymous: sent to {response.location}, not {sign_in}")
        if got == 403 and "You can't open this page" not in browser.text:
            problems.append(f"{persona}: the 403 page is not the plain 'can't open' page")
        after = [e["action"] for e in store.iter_audit()]
        if got in (403, 404) and after[len(before):]:
            problems.append(f"{persona}: refused, yet {after[len(before):]} went on record")
    assert problems == [], f"{method} {url} ({endpoint}, rule {rule}):\n" + "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
def test_other_projects_objects(app, persona):
    browser = visitor(app, persona)
    for url, expected in OTHER_OBJECTS:
        response = browser.get(url)
        assert response.status_code == expected[persona], (url, persona)
        if response.status_code == 404 and persona != "anonymous":
            assert "Page not found" in browser.text


@pytest.mark.parametrize("persona", ["viewer", "researcher"])
def test_a_forbidden_change_changes_nothing(app, persona):
    browser = visitor(app, persona)
    browser.post("/studio/users", {"username": "sneaky", "role": "admin", "password": PASSWORD})
    browser.post("/studio/users/rae", {"action": "role", "role": "admin"})
    browser.post("/studio/projects/alpha/members", {"action": "add", "username": "ola",
                                                    "member_role": "researcher"})
    browser.post("/studio/surveys", {"project-have-your-say": "beta"})
    accounts = app.extensions["consent_kit_studio"].accounts
    assert accounts.get_user("sneaky") is None and accounts.get_user("rae").role == "researcher"
    assert "ola" not in accounts.get_project("alpha").members
    assert accounts.survey_project("have-your-say") == "alpha"


def test_a_project_viewer_who_is_a_researcher_elsewhere_is_still_a_viewer_there(app):
    accounts = app.extensions["consent_kit_studio"].accounts
    accounts.set_member("alpha", "ola", "viewer")
    ola = visitor(app, "outsider")
    assert ola.get("/studio/projects/alpha").status_code == 200
    assert ola.get("/studio/surveys/have-your-say").status_code == 200
    ola.get("/studio/")
    assert "You are a viewer here" in ola.text and "You are a researcher here." in ola.text


def test_surveys_in_no_project_are_for_admins_only(app):
    app.extensions["consent_kit_studio"].accounts.assign_survey("have-your-say", None)
    assert visitor(app, "admin").get("/studio/surveys/have-your-say").status_code == 200
    for persona in ("viewer", "researcher", "outsider"):
        assert visitor(app, persona).get("/studio/surveys/have-your-say").status_code == 404


def _unruled_plugin():
    bp = Blueprint("forgotten", __name__, url_prefix="/studio/forgotten")

    @bp.get("/")
    def page():
        return "secret results"

    class Plugin:
        @hookimpl
        def register_blueprints(self, app):
            return bp

    return Plugin()


def test_a_page_without_a_rule_is_refused_to_everyone_and_caught_here(fresh_app):
    app = fresh_app(plugins=[_unruled_plugin()])
    assert ensure_rules(app) == ["forgotten.page"]
    assert ("forgotten.page", "GET") in studio_routes(app)
    assert ("forgotten.page", "GET") not in EXPECTED  # the table test would fail for this app
    for persona in PERSONAS:
        response = visitor(app, persona).get("/studio/forgotten/")
        assert response.status_code == 403 and b"secret results" not in response.data
