"""What a survey file can say, the browser can say (issue 14, §2): support page, dates, contact.

Saving a page without changing it leaves the survey exactly as it was, translations included,
so a file downloaded and uploaded again is the same survey.
"""

from __future__ import annotations

import pytest
from test_builder_web import BUILD, draft_of, send, signed_in

from consent_kit.studio.builder import normalise
from consent_kit.testing import PASSWORD, errors_in, populate


@pytest.fixture
def app(make_app):
    app = make_app()
    accounts = populate(app)
    accounts.create_user("ros", "researcher", PASSWORD)
    return app


def live(app, survey_id="have-your-say") -> dict:
    return normalise(app.extensions["consent_kit"].catalog.get(survey_id).definition)


def form_of(page: str) -> dict:
    """Every text input and textarea of a page with its value, as a browser would send them."""
    import html
    import re

    found = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        found[name] = html.unescape(value)
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page,
                                  flags=re.S):
        found[name] = html.unescape(value)
    found.pop("csrf_token", None)
    return found


def test_saving_the_support_and_details_pages_unchanged_changes_nothing(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    for url in (build + "/support", build + "/details"):
        response = rae.post(url, form_of(rae.get(url).get_data(as_text=True)))
        assert response.status_code == 302, errors_in(response)
        assert draft_of(app, "have-your-say") == live(app)


def test_support_services_are_changed_added_and_taken_off_in_the_browser(app):
    rae = signed_in(app, "rae")
    url = BUILD.format("have-your-say") + "/support"
    page = rae.get(url).get_data(as_text=True)
    assert 'value="Childline"' in page and 'name="contact-3-name"' in page  # 3 + 2 empty rows
    form = form_of(page)
    form.update({"contact-1-name": "",  # Shout off the page
                 "contact-3-name": "Local youth hub", "contact-3-phone": "01234 567890",
                 "contact-3-url": "https://example.org/hub",
                 "intro": "Talking can help. In an emergency, call 999."})
    response = rae.post(url, form)
    assert response.status_code == 302, errors_in(response)
    support = draft_of(app, "have-your-say")["support"]
    names = [c["name"] if isinstance(c["name"], str) else c["name"]["en"]
             for c in support["contacts"]]
    assert names == ["Childline", "Samaritans", "Local youth hub"]
    assert support["contacts"][0]["name"]["cy"] == "Childline"  # translations kept
    assert support["intro"]["en"] == "Talking can help. In an emergency, call 999."
    form["contact-3-url"] = "example.org"  # the loader's own check, in its words
    response = rae.post(url, form)
    assert response.status_code == 400 and errors_in(response)


def test_dates_and_contact_are_set_on_the_details_page(app):
    rae = signed_in(app, "rae")
    url = BUILD.format("have-your-say") + "/details"
    form = form_of(rae.get(url).get_data(as_text=True))
    form.update({"closes": "2027-01-31", "withdraw_until": "90 days after closing",
                 "contact": "youthvoice@example.org"})
    response = rae.post(url, form)
    assert response.status_code == 302, errors_in(response)
    draft = draft_of(app, "have-your-say")
    assert (draft["closes"], draft["withdraw_until"], draft["contact"]) == (
        "2027-01-31", "90 days after closing", "youthvoice@example.org")
    form.update({"withdraw_until": "2027-01-01"})  # before it closes: the loader says why
    form.pop("revision")  # the page as it is now gives it
    response = send(rae, url, form)
    assert response.status_code == 400
    assert any("before the survey closes" in m for m in errors_in(response)), errors_in(response)
