"""Safe by default, checked before publishing (issue 14, §3).

A new survey starts kind and safe; its starting words are marked and can't go
live; "Check before you publish" lists what blocks and what is advice; the
page says what changes in words and asks to confirm; no studio address
answers GET with a bare 405.
"""

from __future__ import annotations

import pytest
from test_builder_web import (
    BUILD,
    _bytes,
    add_page,
    draft_of,
    new_survey,
    publish,
    send,
    signed_in,
    words_on,
    workspace,
)

from consent_kit.studio.builder.changes import changes
from consent_kit.studio.builder.starter import MARK, placeholders_in
from consent_kit.testing import PASSWORD, audit_entries, errors_in, populate


@pytest.fixture
def app(make_app):
    app = make_app()
    accounts = populate(app)
    accounts.create_user("ros", "researcher", PASSWORD)
    accounts.set_member("alpha", "ros", "researcher")
    return app


def published(app, survey_id: str):
    return app.extensions["consent_kit"].catalog.get(survey_id)


def write_own_words(browser, app, survey_id: str) -> None:
    """Change every marked starting section through its own page, as a researcher would."""
    build = BUILD.format(survey_id)
    for part, item in placeholders_in(draft_of(app, survey_id)):
        assert part == "consent"
        response = send(browser, build + f"/consent/section/{item}",
                        {"heading": f"About {item}", "text": f"Our own words about {item}."})
        assert response.status_code == 302, errors_in(response)


def test_a_new_survey_starts_safe_with_its_starting_words_marked(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    draft = draft_of(app, survey_id)
    assert draft["exit_page"].startswith("https://")
    assert [c["name"] for c in draft["support"]["contacts"]] == ["Childline", "Shout",
                                                                "Samaritans"]
    headings = [s["heading"] for s in draft["consent"]["information"]]
    assert "What happens to my answers?" in headings and "Can I change my mind?" in headings
    assert all(s["text"].startswith(MARK) for s in draft["consent"]["information"])
    page = words_on(rae.get(BUILD.format(survey_id)))
    assert page.count("Starting words: change them") == 4
    assert "Childline, Shout, Samaritans" in page


def test_starting_words_block_publishing_until_they_are_changed(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    add_page(rae, survey_id, "short_text", "What do you like about the club?")
    check = rae.get(BUILD.format(survey_id) + "/publish")
    assert check.status_code == 200
    text = words_on(check)
    assert "4 things stop this survey from being published." in text
    assert "‘What is this project?’ still has the starting words. Write your own." in text
    # Every section is fixed on one page, which comes back here after saving.
    assert ('href="/studio/surveys/youth-voice/build/consent/all?next=check#section-what"'
            in check.get_data(as_text=True))
    assert "disabled" in check.get_data(as_text=True)  # the button shows, but can't be used
    response = publish(rae, survey_id)
    assert response.status_code == 400
    assert "can't be published yet" in " ".join(errors_in(response))
    assert published(app, survey_id) is None
    write_own_words(rae, app, survey_id)
    assert "Nothing stops this survey from being published." in words_on(
        rae.get(BUILD.format(survey_id) + "/publish"))
    assert publish(rae, survey_id).status_code == 302
    assert published(app, survey_id) is not None


def test_publishing_asks_to_confirm(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    send(rae, build + "/details", {"title": "Your say", "description": "Words."})
    response = send(rae, build + "/publish", {}, page=build)  # the form without "Yes"
    assert response.status_code == 200 and "Check before you publish" in words_on(response)
    assert published(app, "have-your-say").title != "Your say"
    assert publish(rae, "have-your-say").status_code == 302
    assert published(app, "have-your-say").title == "Your say"


def test_answers_without_consent_need_a_reason_kept_in_the_audit_log(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    build = BUILD.format(survey_id)
    send(rae, build + "/consent", {"action": "remove"})
    add_page(rae, survey_id, "short_text", "Which day suits you?")
    blocked = "they are not asked to agree first"
    assert blocked in words_on(rae.get(build + "/publish"))
    response = send(rae, build + "/consent-needed", {"not_needed": "yes", "reason": ""})
    assert response.status_code == 400
    assert "Say why this survey doesn't need people to agree first." in errors_in(response)
    response = send(rae, build + "/consent-needed",
                    {"not_needed": "yes", "reason": "Only which day suits, no names."})
    assert response.status_code == 302
    assert blocked not in words_on(rae.get(build + "/publish"))
    [entry] = audit_entries(app, "consent_not_needed")
    assert entry["details"]["reason"] == "Only which day suits, no names."
    assert publish(rae, survey_id).status_code == 302


def test_no_support_contacts_and_an_unset_payment_block_publishing(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    build = BUILD.format(survey_id)
    write_own_words(rae, app, survey_id)
    send(rae, build + "/consent/section/what",
         {"heading": "What is this project?", "text": "You get a £10 voucher for taking part."})
    text = words_on(rae.get(build + "/publish"))
    assert "mention a payment or voucher, but no thank-you payment is set up" in text
    file = ("id: youth-voice\ntitle: Youth voice\ndescription: What young people think.\n"
            "questions:\n  - id: a\n    type: short_text\n    label: A?\n")
    rae.post(build + "/upload", {"survey_file": (_bytes(file), "youth-voice.yaml")},
             content_type="multipart/form-data")
    assert "The support page has no services on it." in words_on(rae.get(build + "/publish"))
    assert publish(rae, survey_id).status_code == 400


def test_the_check_page_says_what_changes_in_words(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    definition = draft_of(app, "have-your-say") or published(app, "have-your-say").definition
    first = next(q for page in definition["pages"] for q in page.get("questions", [])
                 if q["type"] in ("short_text", "long_text"))
    response = send(rae, build + f"/questions/{first['id']}",
                    {"type": first["type"], "label": "A new way to ask it?",
                     **({"required": "yes"} if first.get("required", True) else {})})
    assert response.status_code == 302, errors_in(response)
    add_page(rae, "have-your-say", "short_text", "Anything else?")
    text = words_on(rae.get(build + "/publish"))
    assert "Reworded ‘" in text and "’ to ‘A new way to ask it?’." in text
    assert "Added the question ‘Anything else?’." in text


def test_changes_in_words():
    old = {"language": "en", "title": "T", "consent": {"information": [{"text": "A"}],
                                                       "statements": [{"text": "S"}]},
           "pages": [{"id": "p", "questions": [{"id": "a", "type": "yes_no", "label": "A?"},
                                               {"id": "b", "type": "yes_no", "label": "B?"}]}]}
    new = {**old, "consent": {"information": [{"text": "A, changed"}],
                              "statements": [{"text": "S"}]},
           "pages": [{"id": "p", "questions": [{"id": "a", "type": "yes_no", "label": "A2?"},
                                               {"id": "c", "type": "yes_no", "label": "C?"}]}]}
    found = [message % params for message, params in changes(old, new)]
    assert found == ["Reworded ‘A?’ to ‘A2?’.", "Added the question ‘C?’.",
                     "Removed the question ‘B?’.",
                     "Changed what people read before they agree."]
    assert changes(old, dict(old, status="closed")) == []
    assert [m for m, _p in changes(None, new)] == [
        "This is the first version. Everything in it is new."]


def test_a_new_statement_asks_whether_people_have_to_agree_with_nothing_chosen(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    url = BUILD.format(survey_id) + "/consent/statement/new"
    page = rae.get(url).get_data(as_text=True)
    assert "Do people have to agree to this to take part?" in page
    assert 'name="required"' in page and "checked" not in page
    response = send(rae, url, {"text": "You can use my words in the report."})
    assert response.status_code == 400
    assert "Choose whether people have to agree to this to take part." in errors_in(response)
    assert send(rae, url, {"text": "You can use my words in the report.", "required": "no"}
                ).status_code == 302
    added = draft_of(app, survey_id)["consent"]["statements"][-1]
    assert added["required"] is False


def test_delete_and_close_are_red(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    page = rae.get(build).get_data(as_text=True)
    assert 'class="button warning" type="submit">Close the survey' in page
    confirm = send(rae, build + "/delete", {"what": "question", "id": "welcome_note"},
                   page=build).get_data(as_text=True)
    assert 'class="button warning" type="submit">Yes, delete it' in confirm


def test_no_studio_address_answers_get_with_a_bare_405(app):
    admin = signed_in(app, "ada")
    values = {"survey_id": "have-your-say", "project_id": "alpha", "code": "x",
              "entry_id": "1", "claim_id": "1"}
    tried = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/studio/") or "GET" in rule.methods:
            continue
        url = rule.rule
        for name, value in values.items():
            url = url.replace(f"<{name}>", value)
        response = admin.get(url)
        tried += 1
        # Another page may answer GET at the same address, or the address may be for
        # something that isn't there (the studio's own 404 page): never a bare 405.
        assert response.status_code in (200, 302, 303, 404), (url, response.status_code)
        if response.status_code in (302, 303):
            assert admin.get(response.location).status_code == 200, (url, response.location)
    assert tried >= 10
    response = admin.get(BUILD.format("have-your-say") + "/move")
    assert response.location.endswith("/studio/surveys/have-your-say/build")


def test_a_consent_section_without_an_id_can_be_changed(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    build = BUILD.format(survey_id)
    definition = draft_of(app, survey_id)
    del definition["consent"]["information"][0]["id"]  # as a file may leave it out
    workspace(app).save_draft(survey_id, definition, "rae")
    page = rae.get(build).get_data(as_text=True)
    assert '/consent/section/"' not in page and "/consent/section/at-0" in page
    assert rae.get(build + "/consent/section/at-0").status_code == 200
    response = send(rae, build + "/consent/section/at-0",
                    {"heading": "Who are we?", "text": "Young people with care experience."})
    assert response.status_code == 302, errors_in(response)
    assert draft_of(app, survey_id)["consent"]["information"][0]["heading"] == "Who are we?"
