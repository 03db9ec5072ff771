"""The display options page only ever sends people back to a page of this site (issue 23, item 3)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from accessible_support import formats_instance
from consent_kit_plugins.accessible_formats.views import safe_next

from consent_kit.app import create_app
from consent_kit.testing import Participant

SURVEY = "/s/formats-demo"
SETTINGS = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "CATALOG_CHECK_SECONDS": 0}
_BACK = re.compile(r'<a class="back" href="([^"]*)">')

# Each of these leaves the site in some browser, or crashed the page (a line break).
HOSTILE = [
    "/%09/evil.example/phish",  # the tab arrives decoded: Chromium drops it, leaving //evil.example
    "/\t/evil.example/phish",
    "/\n/x",
    "/\r\n/x",
    "//evil.example/x",
    "///evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "/\\/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5C/evil.example",
    "https://evil.example/",
    "HTTPS://evil.example/",
    "javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,hi",
    " //evil.example",
    "\x00//evil.example",
    "evil.example",
    "page/first",
    "//",
    "/ /evil.example",
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app(SETTINGS, instance=formats_instance(tmp_path_factory.mktemp("instance")),
                      load_entrypoints=False)


@pytest.fixture
def person(app):
    return Participant(app.test_client())


def _stays_here(location: str) -> bool:
    resolved = urlsplit(urljoin("http://localhost/s/formats-demo/formats", location))
    return resolved.netloc == "localhost" and resolved.scheme == "http"


@pytest.mark.parametrize("target", HOSTILE)
def test_a_foreign_or_broken_next_is_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", [f"{SURVEY}/page/first", "/", f"{SURVEY}?lang=cy",
                                    "/s/caf%C3%A9/page/a%2Fb?x=1"])
def test_a_path_on_this_site_is_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", HOSTILE)
def test_back_link_falls_back_to_the_survey_start(person, target):
    response = person.client.get(f"{SURVEY}/formats", query_string={"next": target})
    assert response.status_code == 200
    assert _BACK.findall(response.get_data(as_text=True)) == [SURVEY]


@pytest.mark.parametrize("target", HOSTILE)
def test_saving_sends_people_to_the_survey_start(person, target):
    person.get(f"{SURVEY}/formats")
    response = person.post(f"{SURVEY}/formats", {"option": ["large"], "next": target}, follow=False)
    assert response.status_code == 302
    assert response.headers["Location"] == SURVEY and _stays_here(response.headers["Location"])


def test_a_good_next_is_followed_both_ways(person):
    back = f"{SURVEY}/page/first"
    page = person.client.get(f"{SURVEY}/formats", query_string={"next": back})
    assert _BACK.findall(page.get_data(as_text=True)) == [back]
    person.get(f"{SURVEY}/formats")
    response = person.post(f"{SURVEY}/formats", {"option": ["large"], "next": back}, follow=False)
    assert response.headers["Location"] == back


def test_without_a_survey_the_home_page_is_the_way_back(person):
    page = person.client.get("/formats/display", query_string={"next": "/%09/evil.example/phish"})
    assert _BACK.findall(page.get_data(as_text=True)) == ["/"]
