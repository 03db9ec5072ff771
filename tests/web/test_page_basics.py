"""Every participant page: lang, labels, no third-party resources, within the page budget.

The browser suite (axe-core in Chromium) checks far more; these run everywhere, fast.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from test_participant import HAVE_YOUR_SAY

from consent_kit.testing import Participant

BUDGET_BYTES = 30 * 1024
BUDGET_REQUESTS = 3


class PageFacts(HTMLParser):
    """Collects what the checks need from one page."""

    def __init__(self):
        super().__init__()
        self.html_attrs, self.ids, self.label_for = {}, [], set()
        self.inputs, self.resources, self.fieldset_depth = [], [], 0
        self.legend_count = self.fieldset_count = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_attrs = attrs
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and "for" in attrs:
            self.label_for.add(attrs["for"])
        if tag == "fieldset":
            self.fieldset_count += 1
        if tag == "legend":
            self.legend_count += 1
        if tag in ("input", "textarea", "select") and attrs.get("type") not in ("hidden", "submit"):
            self.inputs.append(attrs)
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.resources.append(attrs["href"])
        if tag in ("script", "img", "audio", "video", "iframe") and attrs.get("src"):
            self.resources.append(attrs["src"])


def journey_pages(client) -> dict[str, str]:
    """Walk the example survey and keep the HTML of every kind of participant page."""
    person = Participant(client)
    survey = client.application.extensions["consent_kit"].catalog.get("have-your-say")
    pages = {"index": person.get("/").get_data(as_text=True)}
    person.get("/s/have-your-say")
    pages["start"] = person.html
    person.post("/s/have-your-say/start")
    pages["consent version"] = person.html
    person.post(person.path, {"variant": ""})
    pages["consent information"] = person.html
    person.get("/s/have-your-say/consent/check")
    pages["understanding check"] = person.html
    person.post(person.path, {check.id: "wrong" for check in survey.consent.checks})
    pages["understanding check, try again"] = person.html
    person.post(person.path, {check.id: check.answer for check in survey.consent.checks})
    pages["consent statements"] = person.html
    person.post(person.path, {})
    pages["consent statements, error"] = person.html
    person.agree("have-your-say")
    person.answer_page({})
    person.answer_page({"age_group": ""})
    pages["error summary"] = person.html
    for _ in range(20):
        if person.path.endswith("/check"):
            break
        pages[person.path] = person.html
        person.answer_page(HAVE_YOUR_SAY)
    pages["check"] = person.html
    person.get("/s/have-your-say/save")
    pages["save"] = person.html
    person.post("/s/have-your-say/save")
    pages["saved"] = person.html
    person.get("/s/have-your-say/check")
    reference = person.send()
    pages["thank you"] = person.html
    pages["your copy"] = person.get("/s/have-your-say/your-copy").get_data(as_text=True)
    pages["support"] = person.get("/s/have-your-say/support").get_data(as_text=True)
    pages["resume"] = person.get("/resume").get_data(as_text=True)
    person.post("/resume", {"code": "wrong"})
    pages["resume error"] = person.html
    pages["change your mind"] = person.get("/change-your-mind/").get_data(as_text=True)
    person.post("/change-your-mind/", {"code": "wrong"})
    pages["change your mind, error"] = person.html
    person.post("/change-your-mind/", {"code": reference})
    pages["what you agreed to"] = person.html
    pages["take back, are you sure"] = person.get("/change-your-mind/take-back").get_data(as_text=True)
    person.post("/change-your-mind/take-back")
    pages["answers deleted"] = person.html
    pages["not found"] = person.get("/s/nope").get_data(as_text=True)
    return pages


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from consent_kit import create_app
    from consent_kit.testing import make_instance

    folder = make_instance(tmp_path_factory.mktemp("pages") / "instance")
    app = create_app({"TESTING": True, "SESSION_COOKIE_SECURE": False}, instance=folder,
                     load_entrypoints=False)
    client = app.test_client()
    found = journey_pages(client)
    css = {}
    for url in ["/static/ck.css", "/static/exit.js"]:
        with client.get(url) as response:
            css[url] = len(response.data)
    return found, css


def facts(html: str) -> PageFacts:
    parser = PageFacts()
    parser.feed(html)
    return parser


def test_every_page_was_visited(pages):
    found, _ = pages
    question_pages = [name for name in found if "/page/" in name]
    assert len(question_pages) >= 5
    assert {"start", "check", "thank you", "saved", "error summary", "consent statements",
            "what you agreed to", "answers deleted"} <= set(found)


def test_every_page_has_lang_and_dir(pages):
    for name, html in pages[0].items():
        attrs = facts(html).html_attrs
        assert attrs.get("lang") == "en", name
        assert attrs.get("dir") in ("ltr", "rtl"), name


def test_every_input_has_a_label_and_ids_are_unique(pages):
    for name, html in pages[0].items():
        page = facts(html)
        duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
        assert not duplicates, (name, duplicates)
        for field in page.inputs:
            assert field.get("id") in page.label_for, (name, field)
        assert page.legend_count == page.fieldset_count, name


def test_choice_groups_are_fieldsets_with_legends(pages):
    found, _ = pages
    about_you = found["/s/have-your-say/page/about-you"]
    assert about_you.count("<fieldset") == 2 and about_you.count("<legend>") == 2


def test_no_third_party_resources_and_within_budget(pages):
    found, css_sizes = pages
    for name, html in found.items():
        page = facts(html)
        for url in page.resources:
            assert not urlparse(url).netloc, (name, url)
        requests = 1 + len(page.resources)
        size = len(html.encode()) + sum(css_sizes.get(url, 0) for url in page.resources)
        assert requests <= BUDGET_REQUESTS, (name, requests)
        assert size <= BUDGET_BYTES, (name, size)
        # Nothing needs JavaScript: the only script is the optional "Leave this page" shortcut.
        scripts = re.findall(r"<script[^>]*>", html)
        assert all('src="/static/exit.js" defer' in tag for tag in scripts), (name, scripts)
