"""Test helpers for consent-kit and its plugins: an app on a temporary folder, and a participant.

Installing consent-kit installs this module as a pytest plugin (entry point
``pytest11: consent_kit``), so the fixtures ``make_app``, ``ck_app``,
``ck_client`` and ``participant`` are there in any test, with no conftest.py::

    import my_plugin
    from consent_kit.testing import Participant

    def test_my_question_type(make_app):
        app = make_app(plugins=[my_plugin], forms={"demo.yaml": SURVEY}, examples=False)
        person = Participant(app.test_client())
        reference = person.complete("demo", {"colour": "green"})

For the studio, :class:`Browser` is one browser with its own cookies that
signs in and posts forms with their CSRF tokens, :func:`populate` makes a
small team (ada the admin; rae, a researcher, and vic, a viewer, in project
"alpha"; ola, a researcher, in "beta") and :func:`audit_entries` reads the
audit log::

    def test_my_page(make_app):
        app = make_app(plugins=[my_plugin])
        populate(app)
        rae = Browser(app)
        rae.login("rae")
        assert rae.get("/studio/surveys/have-your-say/my-page").status_code == 200

A storage backend proves itself with the Store contract: subclass
:class:`StoreContract` as ``TestMyStore`` and give it a ``store_factory``
fixture (see :mod:`consent_kit.store.contract`).

``make_app(plugins=[...])`` registers a plugin (a module or an object) on that
one app only: nothing is global, so there is no "register for this test"
fixture to undo. Installed entry-point plugins are not loaded unless you pass
``load_entrypoints=True``.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

from consent_kit.app import create_app
from consent_kit.cli import init_instance
from consent_kit.results.tallies import PENDING
from consent_kit.store.contract import StoreContract  # noqa: F401 - re-exported for backends' tests

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
#: The password of every account :func:`populate` makes.
PASSWORD = "orange river bicycle"
_FORM_ACTION = re.compile(r'<form method="post"(?: action="([^"]*)")?')


class Participant:
    """Walks a survey through HTTP the way a person does, with real CSRF tokens.

    ``answers`` maps question ids to what a person would send: a string, a
    list for multiple choice, or ``{"day": "1", "month": "2", "year": "2026"}``
    for a date.
    """

    def __init__(self, client):
        self.client = client
        self.last = None

    def get(self, url: str, **kwargs):
        """GET a page and keep it as ``last``."""
        self.last = self.client.get(url, **kwargs)
        return self.last

    def post(self, url: str, data: dict | None = None, *, follow: bool = True):
        """POST a form with the CSRF token of the last page."""
        form = {"csrf_token": self.csrf_token()}
        form.update(data or {})
        self.last = self.client.post(url, data=form, follow_redirects=follow)
        return self.last

    def csrf_token(self) -> str:
        """The CSRF token on the last page (fetch a page first)."""
        match = _CSRF.search(self.last.get_data(as_text=True)) if self.last else None
        if not match:
            raise AssertionError("The last page has no form with a CSRF token.")
        return match.group(1)

    @property
    def html(self) -> str:
        """The last page's HTML."""
        return self.last.get_data(as_text=True)

    @property
    def text(self) -> str:
        """The last page's HTML with entities decoded, for looking for words."""
        return html.unescape(self.html)

    @property
    def path(self) -> str:
        """The path of the last page after redirects."""
        return self.last.request.path

    def start(self, survey_id: str):
        """Open the start page and press Start.

        A survey that isn't available fails here with the reasons, such as a
        mistake in its file, rather than later with a puzzling message.
        """
        self.get(f"/s/{survey_id}")
        if self.last.status_code != 200:
            catalog = self.client.application.extensions["consent_kit"].catalog
            reasons = [str(p) for p in catalog.broken.get(survey_id, [])] or [
                f"there is no survey called {survey_id!r}; surveys: {sorted(catalog.surveys)}"
            ]
            raise AssertionError(f"Survey {survey_id!r} isn't available:\n" + "\n".join(reasons))
        return self.post(f"/s/{survey_id}/start")

    def begin(self, survey_id: str):
        """Start, and agree to everything in the consent steps if there are any."""
        self.start(survey_id)
        if "/consent" in self.path:
            self.agree(survey_id)
        return self.last

    def agree(self, survey_id: str, *, version: str = "", statements=None, helped: bool = False):
        """Walk the consent steps: choose ``version``, read, answer the checks right, agree.

        ``statements`` are the ids to tick; by default every statement, so
        optional ones too. Initials, when asked for, are "AB".
        """
        survey = self.client.application.extensions["consent_kit"].catalog.get(survey_id)
        consent = survey.consent
        if self.path.endswith("/consent/version"):
            self.post(self.path, {"variant": version})
        if consent.checks:
            self.get(f"/s/{survey_id}/consent/check")
            self.post(self.path, {check.id: check.answer for check in consent.checks})
        else:
            self.get(f"/s/{survey_id}/consent/agree")
        chosen = statements
        if chosen is None:
            chosen = re.findall(r'name="statement-([^"]+)"', self.html)
        data = {f"statement-{sid}": "yes" for sid in chosen}
        if consent.confirm == "initials":
            data["confirmed_as"] = "AB"
        if helped:
            data["helped"] = "yes"
        return self.post(f"/s/{survey_id}/consent/agree", data)

    def answer_page(self, answers: dict, *, extra: dict | None = None):
        """Fill in the current page from ``answers`` (unknown ids are ignored) and continue."""
        data = {}
        for name, value in answers.items():
            if isinstance(value, dict):
                data.update({f"{name}-{part}": v for part, v in value.items()})
            elif f'name="{name}"' in self.html or f'name="{name}-' in self.html:
                data[name] = value
        data.update(extra or {})
        return self.post(self.path + _query(self.last), data)

    def complete(self, survey_id: str, answers: dict, *, max_pages: int = 50) -> str:
        """Answer every page, send, and return the reference from the Thank you page."""
        self.begin(survey_id)
        self.answer_until_check(answers, max_pages=max_pages)
        return self.send()

    def answer_until_check(self, answers: dict, *, max_pages: int = 50):
        """Answer page after page from ``answers`` until "Check your answers"."""
        for _ in range(max_pages):
            if self.path.endswith("/check"):
                return self.last
            before = self.path
            self.answer_page(answers)
            if self.path == before:
                raise AssertionError(f"Stuck on {before}: {errors_on(self.html)}")
        raise AssertionError("The survey did not reach 'Check your answers'.")

    def send(self) -> str:
        """Press Send on "Check your answers" and return the reference."""
        submission_id = re.search(r'name="submission_id" value="([^"]+)"', self.html).group(1)
        self.post(self.path.rsplit("/", 1)[0] + "/submit", {"submission_id": submission_id})
        match = re.search(r'class="code">([^<]+)<', self.html)
        if not match:
            raise AssertionError(f"No reference on the page after sending: {self.path}")
        return match.group(1)


def _query(response) -> str:
    query = response.request.query_string.decode() if response.request else ""
    return f"?{query}" if query else ""


def errors_on(html: str) -> list[str]:
    """The messages in a page's error summary."""
    summary = re.search(r'class="error-summary".*?</div>', html, re.S)
    return re.findall(r'<a href="#[^"]+">([^<]+)<', summary.group(0)) if summary else []


class Browser:
    """One browser on one address, with its own cookies, posting forms with CSRF tokens (the studio)."""

    def __init__(self, app, address: str = "127.0.0.1"):
        self.app = app
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        self.last = None

    def get(self, url: str, **kwargs):
        """GET a page and keep it as ``last``."""
        self.last = self.client.get(url, **kwargs)
        return self.last

    def csrf(self) -> str:
        """A CSRF token of this browser's session (the sign-in page, or the header when signed in)."""
        page = self.client.get("/studio/login", follow_redirects=True).get_data(as_text=True)
        return _CSRF.search(page).group(1)

    def post(self, url: str, data: dict | None = None, *, token: str | None = None,
             follow: bool = False, **kwargs):
        """POST a form with this session's CSRF token (or ``token``), keeping the answer as ``last``."""
        form = {"csrf_token": self.csrf() if token is None else token, **(data or {})}
        self.last = self.client.post(url, data=form, follow_redirects=follow, **kwargs)
        return self.last

    def login(self, username: str, password: str = PASSWORD, **kwargs):
        """Sign in to the studio."""
        return self.post("/studio/login", {"username": username, "password": password}, **kwargs)

    def logout(self):
        """Sign out."""
        return self.post("/studio/logout")

    @property
    def text(self) -> str:
        """The last page's HTML with entities decoded."""
        return html.unescape(self.last.get_data(as_text=True))

    @property
    def cookie(self) -> str | None:
        """The session cookie's value, or None."""
        found = self.client.get_cookie(self.app.config["SESSION_COOKIE_NAME"])
        return found.value if found else None

    def set_cookie(self, value: str) -> None:
        """Put a session cookie in this browser (e.g. one copied from another)."""
        self.client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], value)


def populate(app):
    """ada (admin); rae (researcher) and vic (viewer) in alpha; ola (researcher) in beta.

    The example surveys go to the projects: have-your-say to alpha, event-feedback
    to beta. Returns the studio's accounts.
    """
    accounts = app.extensions["consent_kit_studio"].accounts
    accounts.create_user("ada", "admin", PASSWORD)
    accounts.create_user("rae", "researcher", PASSWORD)
    accounts.create_user("vic", "viewer", PASSWORD)
    accounts.create_user("ola", "researcher", PASSWORD)
    accounts.create_project("Alpha")
    accounts.create_project("Beta")
    accounts.set_member("alpha", "rae", "researcher")
    accounts.set_member("alpha", "vic", "viewer")
    accounts.set_member("beta", "ola", "researcher")
    accounts.assign_survey("have-your-say", "alpha")
    accounts.assign_survey("event-feedback", "beta")
    return accounts


def audit_entries(app, action: str | None = None) -> list[dict]:
    """The audit log's entries, all or those of one ``action``."""
    entries = list(app.extensions["consent_kit"].store.iter_audit())
    return [e for e in entries if action is None or e["action"] == action]


def errors_in(page) -> list[str]:
    """The messages in the error summary of a page (a response or its text), entities decoded."""
    text = page if isinstance(page, str) else page.get_data(as_text=True)
    return [html.unescape(message) for message in errors_on(text)]


def copy_instance(source: Path, copy: Path) -> Path:
    """Copy a consent-kit folder that an app may still be writing to (a test's template); ``copy``.

    Answers still waiting to be counted into the results are counted first. Every write is a
    temporary file renamed into place, so each real file is copied whole, old or new; the
    temporary ``*.tmp`` files themselves are left out (one could vanish while it was copied).
    """
    PENDING.flush()
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("*.tmp"))
    return copy


def make_instance(folder: Path, forms: dict[str, str] | None = None, examples: bool = True) -> Path:
    """A consent-kit folder for tests: the example surveys (optional) plus ``forms`` texts."""
    init_instance(folder)
    if not examples:
        for path in (folder / "forms").glob("*.yaml"):
            path.unlink()
    for name, text in (forms or {}).items():
        (folder / "forms" / name).write_text(text)
    return folder


@pytest.fixture
def make_app(tmp_path):
    """Build an app on a fresh temporary folder: ``make_app(plugins=[...], forms={...})``."""

    def build(
        *,
        plugins: Iterable = (),
        forms: dict[str, str] | None = None,
        examples: bool = True,
        config: dict | None = None,
        load_entrypoints: bool = False,
    ):
        folder = make_instance(tmp_path / "instance", forms, examples)
        settings = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "CATALOG_CHECK_SECONDS": 0}
        settings.update(config or {})
        return create_app(
            settings, instance=folder, plugins=tuple(plugins), load_entrypoints=load_entrypoints
        )

    return build


@pytest.fixture
def ck_app(make_app):
    """An app with the example surveys on a temporary folder."""
    return make_app()


@pytest.fixture
def ck_client(ck_app):
    """A test client for :func:`ck_app`."""
    return ck_app.test_client()


@pytest.fixture
def participant(ck_client):
    """A :class:`Participant` using :func:`ck_client`."""
    return Participant(ck_client)
