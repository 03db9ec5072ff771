"""Signing in to the researchers' area over HTTP: first admin, sessions, limits, passwords, audit."""

from __future__ import annotations

import html
import json
import re
import stat

import pytest
from click.testing import CliRunner

from consent_kit.cli import cli
from consent_kit.studio.first_admin import setup_link
from consent_kit.testing import (
    PASSWORD,
    Browser,
    Participant,
    audit_entries,
    errors_in,
    populate,
)

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A clock the test moves by hand (seconds since the epoch)."""

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float = 0, hours: float = 0) -> None:
        self.now += minutes * 60 + hours * 3600


def studio_state(app):
    return app.extensions["consent_kit_studio"]


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(make_app, clock):
    app = make_app()
    studio_state(app).clock = clock
    return app


@pytest.fixture
def people(app):
    return populate(app)


# -- first admin ----------------------------------------------------------------------


def token_of(app) -> str:
    return studio_state(app).setup_token_path.read_text()


def test_setup_token_is_made_once_and_only_its_owner_can_read_it(app, make_app):
    path = studio_state(app).setup_token_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = path.read_text()
    assert len(token) >= 32
    # Another worker starting on the same folder uses the same token.
    again = make_app()
    assert token_of(again) == token
    assert setup_link(app, "http://x") == f"http://x/studio/setup?token={token}"


def test_setup_page_from_this_computer_or_with_the_token_only(app):
    token = token_of(app)
    assert Browser(app).get("/studio/setup").status_code == 200
    elsewhere = Browser(app, "203.0.113.9")
    assert elsewhere.get("/studio/setup").status_code == 403
    assert "setup link" in html.unescape(elsewhere.last.get_data(as_text=True))
    assert elsewhere.get("/studio/setup?token=wrong").status_code == 403
    assert elsewhere.get(f"/studio/setup?token={token}").status_code == 200
    # A web server on this computer passing requests on is not "this computer".
    proxied = Browser(app).get("/studio/setup", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403
    # Posting without the token from elsewhere makes nothing.
    refused = elsewhere.post("/studio/setup", {"username": "mallory", "password": PASSWORD,
                                               "confirm": PASSWORD})
    assert refused.status_code == 403 and not studio_state(app).accounts.users()


def test_local_setup_can_be_turned_off(make_app):
    app = make_app(config={"STUDIO_LOCAL_SETUP": False})
    assert Browser(app).get("/studio/setup").status_code == 403
    assert Browser(app).get(f"/studio/setup?token={token_of(app)}").status_code == 200


def test_first_admin_with_the_token_then_the_page_is_gone(app):
    token = token_of(app)
    browser = Browser(app, "203.0.113.9")
    browser.get(f"/studio/setup?token={token}")
    made = browser.post("/studio/setup", {"token": token, "username": "Ada",
                                          "password": PASSWORD, "confirm": PASSWORD})
    assert made.status_code == 302 and made.location.endswith("/studio/")
    ada = studio_state(app).accounts.get_user("ada")
    assert ada.role == "admin"
    assert browser.get("/studio/").status_code == 200  # signed in straight away
    assert not studio_state(app).setup_token_path.exists()
    assert setup_link(app, "http://x") is None
    for who in (Browser(app), browser):
        assert who.get("/studio/setup").status_code == 404
        assert who.get(f"/studio/setup?token={token}").status_code == 404
    second = Browser(app).post("/studio/setup", {"username": "eve", "password": PASSWORD,
                                                 "confirm": PASSWORD})
    assert second.status_code == 404 and studio_state(app).accounts.get_user("eve") is None
    created = audit_entries(app, "user_created")
    assert [(e["actor"], e["subject"], e["details"]["role"]) for e in created] == [
        ("user:ada", "ada", "admin")]


def test_setup_mistakes_are_listed_with_links_to_the_fields(app):
    browser = Browser(app)
    page = browser.post("/studio/setup", {"username": "ada", "password": PASSWORD,
                                          "confirm": PASSWORD + "!"})
    assert page.status_code == 400
    assert '<a href="#confirm">The two passwords are not the same.' in page.get_data(as_text=True)
    page = browser.post("/studio/setup", {"username": "a d a", "password": PASSWORD,
                                          "confirm": PASSWORD})
    assert page.status_code == 400 and 'href="#username"' in page.get_data(as_text=True)
    page = browser.post("/studio/setup", {"username": "ada", "password": "short",
                                          "confirm": "short"})
    assert errors_in(page) == [
        "Use at least 12 characters, or 3 or more words with spaces between them, like "
        "'orange river bicycle'."]
    assert studio_state(app).accounts.users() == []


def test_create_user_command(app):
    folder = app.instance_path
    result = CliRunner().invoke(cli, ["create-user", "--instance", folder, "Ada", "--role", "admin"],
                                input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Made the admin account 'ada'" in result.output
    assert PASSWORD not in result.output  # typed, never shown
    assert studio_state(app).accounts.get_user("ada").role == "admin"
    assert not studio_state(app).setup_token_path.exists()
    assert Browser(app).get("/studio/setup").status_code == 404
    again = CliRunner().invoke(cli, ["create-user", "--instance", folder, "ADA"],
                               input=f"{PASSWORD}\n{PASSWORD}\n")
    assert again.exit_code == 1 and "already an account called 'ada'" in again.output
    weak = CliRunner().invoke(cli, ["create-user", "--instance", folder, "bo"],
                              input="short\nshort\n")
    assert weak.exit_code == 1 and "at least 12 characters" in weak.output
    typo = CliRunner().invoke(cli, ["create-user", "--instance", folder, "bo"],
                              input=f"{PASSWORD}\n{PASSWORD}x\n")
    assert typo.exit_code != 0 and studio_state(app).accounts.get_user("bo") is None
    assert [e["actor"].startswith("cli:") for e in audit_entries(app, "user_created")] == [True]


# -- signing in and out ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_and_come_back(app, people):
    browser = Browser(app)
    page = browser.get("/studio/projects/alpha")
    assert page.status_code == 302
    assert page.location == "/studio/login?next=/studio/projects/alpha"
    browser.get(page.location)
    assert 'name="next" value="/studio/projects/alpha"' in browser.last.get_data(as_text=True)
    signed_in = browser.post("/studio/login", {"username": "rae", "password": PASSWORD,
                                               "next": "/studio/projects/alpha"})
    assert signed_in.location == "/studio/projects/alpha"


@pytest.mark.parametrize("target", ["https://evil.example/studio/", "//evil.example/studio/",
                                    "/\\evil.example", "/s/have-your-say", "javascript:alert(1)"])
def test_after_sign_in_never_leaves_the_researchers_area(app, people, target):
    page = Browser(app).post("/studio/login", {"username": "rae", "password": PASSWORD,
                                               "next": target})
    assert page.status_code == 302 and page.location == "/studio/"


def test_wrong_password_and_unknown_name_get_the_same_answer(app, people):
    wrong = Browser(app).login("rae", "not the password at all")
    unknown = Browser(app).login("nobody", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert errors_in(wrong) == errors_in(unknown) == [
        "The username or password is not right. Check them and try again."]
    failed = audit_entries(app, "login_failed")
    assert [(e["actor"], e["details"]["reason"]) for e in failed] == [
        ("user:rae", "wrong password"), ("anonymous", "unknown username")]
    log = (app.extensions["consent_kit"].store.data_dir / "audit.jsonl").read_text()
    assert "not the password at all" not in log and "nobody" not in log


def test_login_page_works_with_password_managers_and_paste(app):
    page = Browser(app).get("/studio/login").get_data(as_text=True)
    assert 'autocomplete="username"' in page and 'autocomplete="current-password"' in page
    assert 'type="password"' in page
    assert "onpaste" not in page and "maxlength" not in page and "<script" not in page


def test_sign_in_then_out_ends_the_session_on_the_server(app, people):
    browser = Browser(app)
    assert browser.login("rae").location == "/studio/"
    assert browser.get("/studio/").status_code == 200
    assert "Signed in as rae" in browser.text
    kept = browser.cookie  # as if someone copied the cookie
    # No sign-out by a link or image: a GET goes to the studio's home, still signed in.
    assert browser.get("/studio/logout").status_code == 303
    assert browser.get("/studio/").status_code == 200 and "Signed in as rae" in browser.text
    out = browser.logout()
    assert out.status_code == 302 and out.location == "/studio/login"
    assert browser.get("/studio/").status_code == 302
    thief = Browser(app)
    thief.set_cookie(kept)
    assert thief.get("/studio/").status_code == 302
    assert [e["action"] for e in audit_entries(app)] == ["login", "logout"]
    assert {e["actor"] for e in audit_entries(app)} == {"user:rae"}


def test_a_fresh_session_at_sign_in(app, people):
    browser = Browser(app)
    old_token = browser.csrf()
    before = browser.cookie
    assert before  # the sign-in page's session (it holds the form's CSRF token)
    browser.login("rae")
    assert browser.cookie != before
    # The cookie from before signing in is not signed in...
    stale = Browser(app)
    stale.set_cookie(before)
    assert stale.get("/studio/").status_code == 302
    # ...and nothing of the old session is kept: its form token no longer works.
    assert browser.post("/studio/password", {"current": PASSWORD}, token=old_token).status_code == 400


def test_signing_in_as_someone_else_ends_the_first_session(app, people):
    browser = Browser(app)
    browser.login("rae")
    kept = browser.cookie
    browser.post("/studio/login", {"username": "vic", "password": PASSWORD})
    assert browser.get("/studio/").status_code == 200 and "Signed in as vic" in browser.text
    assert people.get_user("rae").sessions == {}
    replay = Browser(app)
    replay.set_cookie(kept)
    assert replay.get("/studio/").status_code == 302


def test_two_devices_each_have_their_own_session(app, people):
    laptop, phone = Browser(app), Browser(app)
    laptop.login("rae")
    phone.login("rae")
    laptop.logout()
    assert phone.get("/studio/").status_code == 200
    assert laptop.get("/studio/").status_code == 302


def test_session_cookie_flags(make_app):
    app = make_app(config={"SESSION_COOKIE_SECURE": True})
    populate(app)
    response = Browser(app).login("rae")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("ck_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_local_serve_sends_the_cookie_over_plain_http(tmp_path):
    from consent_kit.cli import _app_for, init_instance
    from consent_kit.web.transport import BY_REQUEST, cookie_policy

    # https decides, not the listen address (issue 23 item 4; more in tests/test_transport.py)
    init_instance(tmp_path / "i")
    assert cookie_policy(_app_for(tmp_path / "i", "127.0.0.1").config) == BY_REQUEST
    assert cookie_policy(_app_for(tmp_path / "i", "0.0.0.0").config) == BY_REQUEST


def test_idle_timeout(app, people, clock):
    browser = Browser(app)
    browser.login("rae")
    clock.advance(minutes=29)
    assert browser.get("/studio/").status_code == 200
    clock.advance(minutes=29)  # 58 minutes after signing in, but only 29 since the last page
    assert browser.get("/studio/").status_code == 200
    kept = browser.cookie
    clock.advance(minutes=31)
    page = browser.get("/studio/")
    assert page.status_code == 302 and page.location.startswith("/studio/login")
    browser.get(page.location)
    assert "nothing happened for 30 minutes" in browser.text
    # Ended on the server too: going back in time with the old cookie doesn't help.
    clock.advance(minutes=-31)
    replay = Browser(app)
    replay.set_cookie(kept)
    assert replay.get("/studio/").status_code == 302


def test_idle_time_can_be_set(make_app, clock):
    app = make_app(config={"STUDIO_IDLE_MINUTES": 5})
    studio_state(app).clock = clock
    populate(app)
    browser = Browser(app)
    browser.login("rae")
    clock.advance(minutes=6)
    assert browser.get("/studio/").status_code == 302


def test_absolute_timeout_after_12_hours(app, people, clock):
    browser = Browser(app)
    browser.login("rae")
    for _ in range(35):  # busy all day: a page every 20 minutes
        clock.advance(minutes=20)
        assert browser.get("/studio/").status_code == 200
    clock.advance(minutes=20)  # 12 hours since signing in
    page = browser.get("/studio/", follow_redirects=True)
    assert "signed in a long time ago" in html.unescape(page.get_data(as_text=True))


# -- failed sign-ins are limited ------------------------------------------------------------


def test_eleventh_failure_from_one_address_is_refused_even_with_the_right_password(app, people, clock):
    browser = Browser(app, "198.51.100.7")
    for n in range(10):
        assert browser.login(["rae", "vic", "nobody"][n % 3], "wrong wrong wrong").status_code == 400
    refused = browser.login("rae")
    assert refused.status_code == 429
    assert "Please wait before trying again" in browser.text
    assert browser.get("/studio/").status_code == 302  # not signed in
    # A forged X-Forwarded-For does not make a new address.
    spoofed = browser.post("/studio/login", {"username": "rae", "password": PASSWORD},
                           headers={"X-Forwarded-For": "192.0.2.1"})
    assert spoofed.status_code == 429
    assert Browser(app, "198.51.100.8").login("ola").status_code == 302  # other address, other name
    clock.advance(minutes=15)
    assert browser.login("rae").status_code == 302


def test_failures_for_one_username_are_counted_across_addresses(app, people, clock):
    for n in range(10):
        assert Browser(app, f"10.0.0.{n}").login("rae", "wrong wrong wrong").status_code == 400
    assert Browser(app, "10.0.1.1").login("rae").status_code == 429
    assert Browser(app, "10.0.1.1").login("vic").status_code == 302
    clock.advance(minutes=15, hours=0)
    assert Browser(app, "10.0.1.2").login("rae").status_code == 302


def test_a_right_password_resets_that_username_count(app, people):
    browser = Browser(app, "10.0.0.1")
    for _ in range(9):
        browser.login("rae", "wrong wrong wrong")
    assert browser.login("rae").status_code == 302
    for n in range(9):
        assert Browser(app, f"10.0.2.{n}").login("rae", "wrong wrong wrong").status_code == 400
    assert Browser(app, "10.0.3.1").login("rae").status_code == 302


def test_login_form_without_a_csrf_token_is_refused_and_not_echoed(app, people):
    browser = Browser(app)
    page = browser.post("/studio/login", {"username": "rae", "password": PASSWORD}, token="")
    assert page.status_code == 400
    assert PASSWORD not in page.get_data(as_text=True)
    assert browser.get("/studio/").status_code == 302


def test_turned_off_account_cannot_sign_in_and_is_signed_out(app, people):
    browser = Browser(app)
    browser.login("rae")
    people.set_disabled("rae", True)
    assert browser.get("/studio/").status_code == 302
    page = browser.login("rae")
    assert page.status_code == 400 and "This account is turned off" in browser.text
    assert "turned off" not in Browser(app).login("rae", "a wrong password!").get_data(as_text=True)


# -- changing your password ------------------------------------------------------------------


def test_change_password_needs_the_current_one_and_signs_out_other_devices(app, people):
    laptop, phone = Browser(app), Browser(app)
    laptop.login("rae")
    phone.login("rae")
    before = laptop.cookie
    new = "a new passphrase for rae"
    wrong = laptop.post("/studio/password", {"current": "not my password", "password": new,
                                             "confirm": new})
    assert wrong.status_code == 400 and errors_in(laptop.last) == ["Your password now is not right."]
    typo = laptop.post("/studio/password", {"current": PASSWORD, "password": new,
                                            "confirm": new + "x"})
    assert typo.status_code == 400 and 'href="#confirm"' in laptop.text
    short = laptop.post("/studio/password", {"current": PASSWORD, "password": "rae",
                                             "confirm": "rae"})
    assert short.status_code == 400 and 'href="#password"' in laptop.text
    assert people.check_login("rae", PASSWORD) is not None  # nothing changed yet
    done = laptop.post("/studio/password", {"current": PASSWORD, "password": new, "confirm": new})
    assert done.status_code == 302
    assert laptop.get("/studio/").status_code == 200  # this device stays signed in...
    assert laptop.cookie != before  # ...with a new session
    assert phone.get("/studio/").status_code == 302  # the other is signed out
    stale = Browser(app)
    stale.set_cookie(before)
    assert stale.get("/studio/").status_code == 302
    assert Browser(app).login("rae", PASSWORD).status_code == 400
    assert Browser(app).login("rae", new).status_code == 302
    actions = [e["action"] for e in audit_entries(app) if e["actor"] == "user:rae"]
    assert actions.count("password_changed") == 1 and actions.count("password_change_failed") == 1


def test_wrong_current_passwords_are_limited_too(app, people):
    browser = Browser(app)
    browser.login("rae")
    for _ in range(10):
        browser.post("/studio/password", {"current": "guess guess guess", "password": "x" * 20,
                                          "confirm": "x" * 20})
    final = browser.post("/studio/password", {"current": PASSWORD, "password": "y" * 12 + "z",
                                              "confirm": "y" * 12 + "z"})
    assert final.status_code == 429
    assert people.check_login("rae", PASSWORD) is not None


def test_mass_assignment_role_and_username_in_the_password_form_are_ignored(app, people):
    browser = Browser(app)
    browser.login("vic")
    new = "vic has a new passphrase"
    page = browser.post("/studio/password", {"current": PASSWORD, "password": new, "confirm": new,
                                             "role": "admin", "username": "ada", "disabled": "",
                                             "sessions": "{}", "password_hash": "x"})
    assert page.status_code == 302
    vic, ada = people.get_user("vic"), people.get_user("ada")
    assert vic.role == "viewer" and ada.role == "admin"
    assert people.check_login("vic", new) and people.check_login("ada", PASSWORD)
    assert browser.get("/studio/users").status_code == 403


def test_mass_assignment_in_the_admin_forms_is_ignored(app, people):
    admin = Browser(app)
    admin.login("ada")
    reset = admin.post("/studio/users/rae", {"action": "password", "password": "new words for rae",
                                             "role": "admin", "disabled": "yes"})
    assert reset.status_code == 302
    rae = people.get_user("rae")
    assert rae.role == "researcher" and not rae.disabled
    made = admin.post("/studio/users", {"username": "new1", "role": "viewer", "password": PASSWORD,
                                        "password_hash": "x", "sessions": "{}", "created_at": "1"})
    assert made.status_code == 302
    user = people.get_user("new1")
    assert user.role == "viewer" and user.sessions == {} and user.password_hash.startswith("$argon2id$")


# -- the admin pages, with their audit entries -------------------------------------------------


def test_admin_manages_people_and_projects_and_every_change_is_audited(app, people):
    admin = Browser(app)
    admin.login("ada")
    steps = [
        ("/studio/users", {"username": "Kai", "role": "researcher", "password": PASSWORD,
                           "project": "alpha"}),
        ("/studio/users/kai", {"action": "role", "role": "viewer"}),
        ("/studio/projects/new", {"name": "Gamma Group", "project_id": ""}),
        ("/studio/projects/gamma-group/members", {"action": "add", "username": "kai",
                                                  "member_role": "viewer"}),
        ("/studio/projects/gamma-group/members", {"action": "remove", "username": "kai"}),
        ("/studio/users/kai", {"action": "add_to_project", "project": "beta",
                               "member_role": "viewer"}),
        ("/studio/users/kai", {"action": "remove_from_project", "project": "beta"}),
        ("/studio/surveys", {"project-have-your-say": "gamma-group",
                             "project-event-feedback": "beta"}),
        ("/studio/users/kai", {"action": "turn_off"}),
        ("/studio/users/kai", {"action": "turn_on"}),
        ("/studio/users/kai", {"action": "password", "password": "kai new pass phrase"}),
    ]
    for url, data in steps:
        page = admin.post(url, data)
        assert page.status_code == 302, (url, errors_in(page))
    entries = [e for e in audit_entries(app) if e["action"] != "login"]
    assert [(e["action"], e["subject"]) for e in entries] == [
        ("user_created", "kai"), ("member_added", "alpha"), ("role_changed", "kai"),
        ("project_created", "gamma-group"), ("member_added", "gamma-group"),
        ("member_removed", "gamma-group"), ("member_added", "beta"), ("member_removed", "beta"),
        ("survey_assigned", "have-your-say"), ("user_turned_off", "kai"),
        ("user_turned_on", "kai"), ("password_reset", "kai"),
    ]
    assert {e["actor"] for e in entries} == {"user:ada"}
    assert PASSWORD not in json.dumps(entries) and "kai new pass phrase" not in json.dumps(entries)
    assert app.extensions["consent_kit"].store.verify_audit() == []
    kai = people.get_user("kai")
    assert kai.role == "viewer" and not kai.disabled
    assert people.get_project("alpha").members["kai"] == "researcher"
    assert people.survey_project("have-your-say") == "gamma-group"


def test_admin_form_mistakes_are_listed_and_nothing_changes(app, people):
    admin = Browser(app)
    admin.login("ada")
    page = admin.post("/studio/users", {"username": "rae", "role": "viewer", "password": PASSWORD})
    assert page.status_code == 400
    assert errors_in(admin.last) == [
        "There is already an account called 'rae'. Choose another username."]
    assert 'href="#username"' in admin.text
    page = admin.post("/studio/users", {"username": "zed", "role": "boss", "password": PASSWORD})
    assert page.status_code == 400 and 'href="#role"' in admin.text and 'id="role"' in admin.text
    page = admin.post("/studio/projects/new", {"name": "New", "project_id": "new"})
    assert page.status_code == 400 and 'href="#project_id"' in admin.text
    page = admin.post("/studio/users/ada", {"action": "role", "role": "viewer"})
    assert page.status_code == 400 and "only admin" in admin.text
    page = admin.post("/studio/users/ada", {"action": "turn_off"})
    assert page.status_code == 400 and "your own account" in admin.text
    page = admin.post("/studio/surveys", {"project-have-your-say": "no-such"})
    assert page.status_code == 400 and 'href="#project-have-your-say"' in admin.text
    assert people.get_user("zed") is None and people.get_user("ada").role == "admin"
    assert people.survey_project("have-your-say") == "alpha"
    assert [e["action"] for e in audit_entries(app)] == ["login"]


def test_turning_an_account_off_signs_it_out_at_once(app, people):
    rae, admin = Browser(app), Browser(app)
    rae.login("rae")
    admin.login("ada")
    admin.post("/studio/users/rae", {"action": "turn_off"})
    assert rae.get("/studio/").status_code == 302


def test_dashboard_shows_only_your_projects_with_answer_counts(app, people):
    Participant(app.test_client()).complete("have-your-say", {
        "age_group": "14-16", "care_experience": "yes", "services_used": ["A youth club"],
        "visits": "4", "how_good": "4", "trusted_adult": "yes", "what_helps": "x",
        "make_better": "y"})
    rae = Browser(app)
    rae.login("rae")
    rae.get("/studio/")
    assert "Alpha" in rae.text and "Have your say about youth services" in rae.text
    assert re.search(r"Have your say about youth services</a></th><td>open</td>"
                     r'<td class="num">1</td>', rae.text)
    assert "Beta" not in rae.text and "Tell us about the event" not in rae.text
    ola = Browser(app)
    ola.login("ola")
    ola.get("/studio/")
    assert "Tell us about the event" in ola.text and "Have your say" not in ola.text
    admin = Browser(app)
    admin.login("ada")
    admin.get("/studio/")
    assert "Alpha" in admin.text and "Beta" in admin.text
    assert "Surveys not in a project yet" not in admin.text
    people.assign_survey("event-feedback", None)
    admin.get("/studio/")
    assert "Surveys not in a project yet" in admin.text
    ola.get("/studio/")
    assert "Tell us about the event" not in ola.text


def test_admins_see_plugins_their_failures_and_broken_survey_files(make_app):
    from consent_kit import hookimpl

    class Grumpy:
        @hookimpl
        def response_submitted(self, response):
            raise RuntimeError("the mail server is down")

    app = make_app(plugins=[Grumpy()], forms={"broken.yaml": "title: Broken\n"})
    populate(app)
    Participant(app.test_client()).complete("event-feedback", {
        "event_day": {"day": "1", "month": "11", "year": "2026"}, "event_name": "Quiz",
        "enjoyed": "4", "felt_welcome": "a-lot", "best_bit": "Pizza", "come_again": "yes"})
    admin = Browser(app)
    admin.login("ada")
    admin.get("/studio/plugins")
    assert admin.last.status_code == 200
    assert "question_types" in admin.text and "register_question_types" in admin.text
    assert "Grumpy" in admin.text and "the mail server is down" in admin.text
    assert "broken" in admin.text and "has no description" in admin.text
    researcher = Browser(app)
    researcher.login("rae")
    assert researcher.get("/studio/plugins").status_code == 403


def test_an_app_is_made_in_a_fresh_process_whatever_was_imported_first(tmp_path):
    # The tests import the first-admin module themselves; a server process doesn't, and the
    # setup page then had to be added to a blueprint already in use (AssertionError).
    import subprocess
    import sys

    script = ("import sys; from pathlib import Path; from consent_kit import create_app; "
              "from consent_kit.cli import init_instance; "
              "init_instance(Path(sys.argv[1])); app = create_app(instance=Path(sys.argv[1])); "
              "print(sorted(r.rule for r in app.url_map.iter_rules() if 'setup' in r.rule))")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "instance")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "/studio/setup" in done.stdout
