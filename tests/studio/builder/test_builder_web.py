"""The survey builder over HTTP: build, preview, publish, approve, files, and who may do what.

Who may open each builder page (every role, anonymous, another project) is in
tests/test_route_rules.py; these tests follow what the pages do.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from consent_kit import Problem, QuestionType, hookimpl
from consent_kit.studio.builder import content_version, to_yaml
from consent_kit.studio.builder.ops import find_question
from consent_kit.studio.builder.texts import text_of
from consent_kit.testing import PASSWORD, Browser, Participant, audit_entries, errors_in, populate

_REVISION = re.compile(r'name="revision" value="([^"]+)"')
BUILD = "/studio/surveys/{}/build"


@pytest.fixture
def app(make_app):
    app = make_app()
    accounts = populate(app)
    accounts.create_user("ros", "researcher", PASSWORD)
    accounts.set_member("alpha", "ros", "researcher")
    return app


def signed_in(app, username: str) -> Browser:
    browser = Browser(app)
    assert browser.login(username).status_code == 302
    return browser


def send(browser: Browser, url: str, data: dict | None = None, *, page: str = ""):
    """Post a builder form the way the browser would: with the revision of the page it's on."""
    shown = browser.get(page or url).get_data(as_text=True)
    found = _REVISION.search(shown)
    form = {"revision": found.group(1)} if found else {}
    form.update(data or {})
    return browser.post(url, form)


def workspace(app):
    return app.extensions["consent_kit_builder"]


def draft_of(app, survey_id: str) -> dict | None:
    found = workspace(app).draft(survey_id)
    return found["definition"] if found else None


def words_on(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def new_survey(browser: Browser, title: str = "Youth voice") -> str:
    response = browser.post("/studio/projects/alpha/surveys/new",
                            {"title": title, "description": "What young people think."})
    assert response.status_code == 302, errors_in(response)
    return response.location.split("/")[3]


def publish(browser: Browser, survey_id: str):
    """Publish from "Check before you publish", confirming, as the button does."""
    build = BUILD.format(survey_id)
    return send(browser, build + "/publish", {"confirm": "yes"}, page=build)


def add_page(browser: Browser, survey_id: str, type_name: str, label: str, **extra) -> str:
    url = BUILD.format(survey_id) + "/pages/new"
    response = send(browser, url, {"type": type_name, "label": label, **extra})
    assert response.status_code == 302, errors_in(response)
    return response.location.rsplit("#q-", 1)[1]


def test_create_build_preview_and_publish(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    assert survey_id == "youth-voice"
    studio = app.extensions["consent_kit_studio"]
    assert studio.accounts.survey_project(survey_id) == "alpha"
    visitor = Participant(app.test_client())
    assert visitor.get(f"/s/{survey_id}").status_code == 404  # a draft is nobody's business
    job = add_page(rae, survey_id, "yes_no", "Do you have a job?", page_title="Work")
    what = add_page(rae, survey_id, "short_text", "What is your job?")
    response = send(rae, BUILD.format(survey_id) + f"/questions/{what}",
                    {"type": "short_text", "label": "What is your job?", "required": "yes",
                     "show_if_value": f"{job}::yes"})
    assert response.status_code == 302, errors_in(response)
    item = find_question(draft_of(app, survey_id), what)[2]
    assert item["show_if"] == {"question": job, "equals": "yes"}
    overview = rae.get(BUILD.format(survey_id))
    assert "Only shown if the answer to ‘Do you have a job?’ is ‘Yes’." in words_on(overview)
    # This one asks nothing that needs consent (its starting consent words would block it).
    assert send(rae, BUILD.format(survey_id) + "/consent", {"action": "remove"}
                ).status_code == 302
    assert send(rae, BUILD.format(survey_id) + "/consent-needed",
                {"not_needed": "yes", "reason": "Only job titles, no names."}).status_code == 302

    # Preview: the participant's pages with a banner; "no" skips the job question.
    store = app.extensions["consent_kit"].store
    assert rae.get(BUILD.format(survey_id) + "/preview").status_code == 200
    assert "Nothing you choose or type here is kept" in words_on(rae.last)
    response = rae.post(BUILD.format(survey_id) + "/preview", {})
    response = rae.post(response.location, {})  # the welcome page
    assert response.location.endswith("/preview/page/work")  # the page is named by its title
    page = rae.get(response.location)
    assert "Preview" in words_on(page) and "Do you have a job?" in words_on(page)
    response = rae.post(page.request.path, {job: "no"})
    assert response.location.endswith("/preview/check")
    check = rae.get(response.location)
    assert "What is your job?" not in words_on(check) and "Check your answers" in words_on(check)
    assert rae.post(BUILD.format(survey_id) + "/preview/end", {}).status_code == 200
    assert store.count_responses(survey_id) == 0

    response = publish(rae, survey_id)
    assert response.status_code == 302, errors_in(response)
    survey = app.extensions["consent_kit"].catalog.get(survey_id)
    assert survey is not None and survey.question(what).show_if.value == "yes"
    [version] = workspace(app).versions(survey_id)
    assert version["published_by"] == "rae" and version["version"] == content_version(
        survey.definition)
    assert [e["subject"] for e in audit_entries(app, "survey_published")] == [survey_id]
    reference = visitor.complete(survey_id, {job: "yes", what: "Baker"})
    assert reference and store.count_responses(survey_id) == 1


def test_preview_stores_nothing(app):
    rae = signed_in(app, "rae")
    store = app.extensions["consent_kit"].store
    drafts = list(store.table("builder_drafts").all())
    build = BUILD.format("have-your-say")
    rae.post(build + "/preview", {})
    assert rae.get(build + "/preview/consent").status_code == 200
    response = rae.post(build + "/preview/agree", {"statement-understood": "yes"})
    assert "To take part, tick ‘" in " ".join(errors_in(response))
    response = rae.post(build + "/preview/agree", {"statement-understood": "yes",
                                                   "statement-take_part": "yes"})
    assert response.status_code == 302
    assert rae.post(build + "/preview/page/welcome", {}).status_code == 302
    assert store.count_responses() == 0
    assert store.consent_counts("have-your-say")["given"] == 0
    assert list(store.table("builder_drafts").all()) == drafts
    assert list((store.data_dir / "drafts").glob("*")) == []  # no participant draft either
    assert audit_entries(app) == audit_entries(app, "login")


def test_editing_a_published_survey_works_on_a_draft(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    response = send(rae, build + "/details", {"title": "Your say", "description": "New words."})
    assert response.status_code == 302
    visitor = Participant(app.test_client())
    assert "Have your say about youth services" in visitor.get("/s/have-your-say").get_data(
        as_text=True)
    assert "Not published yet. They will be version 2. Last changed by rae" in words_on(
        rae.get(build))
    publish(rae, "have-your-say")
    assert "Your say" in visitor.get("/s/have-your-say").get_data(as_text=True)
    assert draft_of(app, "have-your-say") is None


def test_a_refused_change_says_why_keeps_what_was_typed_and_changes_nothing(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    response = send(rae, build + "/questions/care_experience", {
        "type": "yes_no", "label": "Are you care experienced, my typed words?",
        "show_if_question": "age_group", "show_if_value": "age_group::14-16"})
    assert response.status_code == 400
    assert any("which is on the same page as this question" in e for e in errors_in(response))
    assert "Are you care experienced, my typed words?" in words_on(response)
    assert draft_of(app, "have-your-say") is None
    response = send(rae, build + "/questions/welcome_note", {"type": "info", "label": ""})
    assert response.status_code == 400 and draft_of(app, "have-your-say") is None


def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten(app):
    rae, ros = signed_in(app, "rae"), signed_in(app, "ros")
    build = BUILD.format("have-your-say")
    old = _REVISION.search(rae.get(build + "/details").get_data(as_text=True)).group(1)
    send(ros, build + "/details", {"title": "Ros's title", "description": "D."})
    response = rae.post(build + "/details", {"revision": old, "title": "Rae's title",
                                             "description": "D."})
    assert response.status_code == 400
    assert "Someone else changed this survey" in " ".join(errors_in(response))
    assert text_of(draft_of(app, "have-your-say")["title"], "en") == "Ros's title"


def test_delete_asks_first(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    data = {"what": "question", "id": "care_experience"}
    response = send(rae, build + "/delete", data, page=build)
    assert response.status_code == 200 and "Are you sure?" in words_on(response)
    assert draft_of(app, "have-your-say") is None
    response = send(rae, build + "/delete", {**data, "confirm": "yes"}, page=build)
    assert response.status_code == 302
    with pytest.raises(Exception, match="isn't in this survey"):
        find_question(draft_of(app, "have-your-say"), "care_experience")


def test_move_buttons(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    send(rae, build + "/move", {"what": "page", "id": "about-you", "step": "up"}, page=build)
    assert [p["id"] for p in draft_of(app, "have-your-say")["pages"]][:2] == [
        "about-you", "welcome"]
    send(rae, build + "/move", {"what": "statement", "id": "take_part", "step": "up"},
         page=build)
    statements = draft_of(app, "have-your-say")["consent"]["statements"]
    assert [s["id"] for s in statements] == ["take_part", "understood", "use_words"]


def test_choices_change_and_their_buttons_work_without_javascript(app):
    rae = signed_in(app, "rae")
    url = BUILD.format("have-your-say") + "/questions/age_group"
    page = rae.get(url).get_data(as_text=True)
    rows = dict(re.findall(r'name="(choice-\d+-(?:value|label|hint))" value="([^"]*)"', page))
    assert rows["choice-0-value"] == "11-13" and rows["choice-0-label"] == "11 to 13"
    form = {"type": "single_choice", "label": "How old are you?", "prefer_not_to_say": "yes",
            "required": "yes", **rows}
    form["choice-0-label"] = "11, 12 or 13"
    form["choice-4-label"] = "Over 25"
    response = send(rae, url, {**form, "choice_action": "delete:1"})
    assert response.status_code == 302 and response.location.endswith("#choices")
    choices = find_question(draft_of(app, "have-your-say"), "age_group")[2]["choices"]
    assert [(c["value"], text_of(c["label"], "en")) if isinstance(c, dict) else c
            for c in choices] == [("11-13", "11, 12 or 13"), ("17-19", "17 to 19"),
                                  ("20-25", "20 to 25"), "Over 25"]
    before = find_question(app.extensions["consent_kit"].catalog.get("have-your-say").definition,
                           "age_group")[2]["choices"][0]["label"]
    if isinstance(before, dict):  # translations of a choice stay when its English changes
        assert {k: v for k, v in choices[0]["label"].items() if k != "en"} == {
            k: v for k, v in before.items() if k != "en"}


def test_limits_and_type_settings(app):
    rae = signed_in(app, "rae")
    url = BUILD.format("have-your-say") + "/questions/visits"
    if rae.get(url).status_code != 200:
        pytest.fail("the example survey has no 'visits' question any more")
    response = send(rae, url, {"type": "number", "label": "How many?", "required": "yes",
                               "limit_min": "0", "limit_max": "x"})
    assert response.status_code == 400
    assert "Write a number, like 10, or leave it empty." in errors_in(response)
    response = send(rae, url, {"type": "number", "label": "How many?", "required": "yes",
                               "limit_min": "0", "limit_max": "31",
                               "limit_message": "Up to 31, please."})
    assert response.status_code == 302, errors_in(response)
    item = find_question(draft_of(app, "have-your-say"), "visits")[2]
    assert item["validation"]["max"] == 31
    assert text_of(item["validation"]["message"], "en") == "Up to 31, please."


def test_consent_pages(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("event-feedback")
    app.extensions["consent_kit_studio"].accounts.assign_survey("event-feedback", "alpha")
    assert "consent" in app.extensions["consent_kit"].catalog.get("event-feedback").definition
    assert send(rae, build + "/consent", {"action": "remove"}).status_code == 302
    assert "consent" not in draft_of(app, "event-feedback")
    response = send(rae, build + "/consent", {"action": "add"})
    assert response.status_code == 302
    response = send(rae, build + "/consent/section/new",
                    {"heading": "Who sees it?", "text": "Only us."})
    assert response.status_code == 302, errors_in(response)
    response = send(rae, build + "/consent/statement/take_part",
                    {"text": "I'd like to take part.", "required": "no"})
    assert response.status_code == 400  # then nobody would have to agree to anything
    assert "none of the statements has to be agreed to" in " ".join(errors_in(response))
    response = send(rae, build + "/consent/statement/take_part",
                    {"text": "I'd like to take part.", "required": "yes"})
    assert response.status_code == 302, errors_in(response)
    consent = draft_of(app, "event-feedback")["consent"]
    assert [s["heading"] for s in consent["information"]][-1] == "Who sees it?"
    assert consent["statements"][0] == {"id": "take_part", "text": "I'd like to take part."}
    assert "statements" in " ".join(errors_in(send(
        rae, build + "/delete", {"what": "statement", "id": "take_part", "confirm": "yes"},
        page=build)))


def test_close_reopen_and_duplicate(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    visitor = Participant(app.test_client())
    send(rae, build + "/status", {"status": "closed"}, page=build)
    assert visitor.get("/s/have-your-say").status_code == 410
    send(rae, build + "/status", {"status": "open"}, page=build)
    assert visitor.get("/s/have-your-say").status_code == 200
    response = send(rae, build + "/duplicate", page=build)
    copy_id = response.location.split("/")[3]
    assert copy_id == "have-your-say-copy"
    assert text_of(draft_of(app, copy_id)["title"], "en") == (
        "Copy of Have your say about youth services")
    studio = app.extensions["consent_kit_studio"]
    assert studio.accounts.survey_project(copy_id) == "alpha"
    assert signed_in(app, "ola").get(BUILD.format(copy_id)).status_code == 404


def test_a_second_member_approves_before_a_version_goes_live(app):
    ada, rae, ros, vic = (signed_in(app, n) for n in ("ada", "rae", "ros", "vic"))
    build = BUILD.format("have-your-say")
    assert ada.post("/studio/projects/alpha/approval", {"require_approval": "yes"}
                    ).status_code == 302
    send(rae, build + "/details", {"title": "Your say", "description": "Words."})
    response = publish(rae, "have-your-say")
    assert response.status_code == 400
    assert "needs another member to approve" in " ".join(errors_in(response))
    response = send(rae, build + "/approve", page=build)
    assert "someone else in the project needs to approve" in " ".join(errors_in(response))
    assert vic.post(build + "/approve", {}).status_code == 403
    assert workspace(app).approvals("have-your-say") == []
    response = send(ros, build + "/approve", page=build)
    assert response.status_code == 302
    version = content_version(draft_of(app, "have-your-say"))
    [approval] = workspace(app).approvals("have-your-say")
    assert (approval["version"], approval["approved_by"]) == (version, "ros")
    assert re.search(r"Approved by ros, \d+ \w+ \d{4}, \d\d:\d\d UK time\.",
                     words_on(rae.get(build)))
    response = publish(rae, "have-your-say")
    assert response.status_code == 302, errors_in(response)
    assert app.extensions["consent_kit"].catalog.get("have-your-say").title == "Your say"
    # A new change is a new version: the old approval doesn't cover it.
    send(rae, build + "/details", {"title": "Your say again", "description": "Words."})
    assert publish(rae, "have-your-say").status_code == 400
    assert [e["subject"] for e in audit_entries(app, "survey_approved")] == ["have-your-say"]


def test_download_and_upload_the_survey_file(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    send(rae, build + "/details", {"title": "Your say", "description": "Words."})
    response = rae.get(build + "/download?which=draft")
    assert response.mimetype == "application/yaml"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text == to_yaml(draft_of(app, "have-your-say"))
    before = draft_of(app, "have-your-say")
    workspace(app).discard_draft("have-your-say")
    response = rae.post(build + "/upload", {"survey_file": (_bytes(text), "mine.yaml")},
                        content_type="multipart/form-data")
    assert response.status_code == 302
    assert draft_of(app, "have-your-say") == before
    broken = text.replace("type: single_choice", "type: singel_choice", 1)
    line = broken.splitlines().index("        type: singel_choice") + 1
    response = rae.post(build + "/upload", {"survey_file": (_bytes(broken), "mine.yaml")},
                        content_type="multipart/form-data")
    assert response.status_code == 400
    [message] = errors_in(response)
    assert message.startswith(f"mine.yaml:{line}: question 'age_group': unknown type")
    assert "did you mean 'single_choice'?" in message
    assert draft_of(app, "have-your-say") == before
    other = text.replace("id: have-your-say", "id: event-feedback")
    response = rae.post(build + "/upload", {"survey_file": (_bytes(other), "other.yaml")},
                        content_type="multipart/form-data")
    assert response.status_code == 400 and "This file is for the survey 'event-feedback'" in (
        " ".join(errors_in(response)))


def test_a_new_survey_from_a_file_cant_take_another_projects_survey(app):
    rae = signed_in(app, "rae")
    folder = app.config["FORMS_DIR"]
    with open(f"{folder}/event-feedback.yaml", encoding="utf-8") as handle:
        theirs = handle.read()
    response = rae.post("/studio/projects/alpha/surveys/new",
                        {"survey_file": (_bytes(theirs), "event-feedback.yaml")},
                        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "already a survey with the short name 'event-feedback'" in " ".join(
        errors_in(response))
    mine = theirs.replace("id: event-feedback", "id: alpha-feedback")
    if "id: alpha-feedback" not in mine:
        mine = "id: alpha-feedback\n" + mine
    response = rae.post("/studio/projects/alpha/surveys/new",
                        {"survey_file": (_bytes(mine), "alpha-feedback.yaml")},
                        content_type="multipart/form-data")
    assert response.status_code == 302, errors_in(response)
    assert app.extensions["consent_kit_studio"].accounts.survey_project("alpha-feedback") == (
        "alpha")


def test_new_survey_needs_a_title_and_a_description(app):
    rae = signed_in(app, "rae")
    response = rae.post("/studio/projects/alpha/surveys/new", {"title": "", "survey_id": "x"})
    assert response.status_code == 400
    assert errors_in(response) == ["Write a title for the survey.",
                                   "Write a sentence or two about what the survey is for."]
    response = rae.post("/studio/projects/alpha/surveys/new",
                        {"title": "T", "description": "D", "survey_id": "Has Spaces"})
    assert response.status_code == 400 and "small letters, digits and hyphens" in errors_in(
        response)[0]


class _Traffic(QuestionType):
    name = "traffic_light"
    label = "Traffic light"
    description = "People pick red, amber or green."

    def make_field(self, question, *, prefer_not_to_say_label=""):
        from wtforms import StringField

        return StringField(question.label)


class _Helper:
    @hookimpl
    def register_question_types(self, register):
        register(_Traffic())

    @hookimpl
    def survey_advice(self, survey):
        return [Problem(survey.source, 1, "question 'age_group'", "Say ‘how old’ more simply.",
                        severity="warning")]


def test_plugin_types_are_offered_and_plugin_advice_is_shown(make_app):
    app = make_app(plugins=[_Helper()])
    populate(app)
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    page = words_on(rae.get(build + "/pages/new"))
    assert "Traffic light" in page and "People pick red, amber or green." in page
    assert "Yes or no" in page and "People answer yes or no." in page
    assert "Say ‘how old’ more simply." in words_on(rae.get(build + "/questions/age_group"))
    assert "Say ‘how old’ more simply." not in words_on(rae.get(build + "/questions/visits"))
    assert "Say ‘how old’ more simply." in words_on(rae.get(build))


def _bytes(text: str):
    import io

    return io.BytesIO(text.encode("utf-8"))


def test_throw_changes_away(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    send(rae, build + "/details", {"title": "Not this", "description": "Words."})
    assert send(rae, build + "/discard", page=build).status_code == 302
    assert draft_of(app, "have-your-say") is None
    assert "Not this" not in words_on(rae.get(build))
    assert [e["subject"] for e in audit_entries(app, "survey_draft_discarded")] == [
        "have-your-say"]


def test_a_survey_in_no_project_is_not_copied_where_nobody_could_find_it(app):
    app.extensions["consent_kit_studio"].accounts.assign_survey("have-your-say", None)
    ada = signed_in(app, "ada")
    build = BUILD.format("have-your-say")
    response = send(ada, build + "/duplicate", page=build)
    assert response.status_code == 400 and "in a project first" in " ".join(errors_in(response))
    assert draft_of(app, "have-your-say-copy") is None


def test_changing_a_question_into_one_with_choices(app):
    rae = signed_in(app, "rae")
    url = BUILD.format("have-your-say") + "/questions/visits"
    form = {"type": "single_choice", "label": "How often?", "required": "yes"}
    response = send(rae, url, form)
    assert response.status_code == 400
    assert any("needs choices" in e for e in errors_in(response))
    assert 'name="choice-0-label"' in response.get_data(as_text=True)  # now there's room for them
    response = send(rae, url, {**form, "choice-0-label": "Often", "choice-1-label": "Never"})
    assert response.status_code == 302, errors_in(response)
    item = find_question(draft_of(app, "have-your-say"), "visits")[2]
    assert (item["type"], item["choices"]) == ("single_choice", ["Often", "Never"])


def test_a_survey_file_with_mistakes_is_fixed_by_uploading_it_again(app):
    forms = app.config["FORMS_DIR"]
    broken = ("id: broken-one\ntitle: Broken\ndescription: D.\n"
              "questions:\n  - id: a\n    type: txet\n    label: A?\n")
    with open(f"{forms}/broken-one.yml", "w", encoding="utf-8") as handle:
        handle.write(broken)
    app.extensions["consent_kit"].catalog.refresh(force=True)
    app.extensions["consent_kit_studio"].accounts.assign_survey("broken-one", "alpha")
    rae = signed_in(app, "rae")
    build = BUILD.format("broken-one")
    page = words_on(rae.get(build))
    assert "This survey file needs fixing" in page and "unknown type 'txet'" in page
    fixed = broken.replace("txet", "short_text") + (
        "support:\n  intro: Help is here.\n  contacts:\n    - name: Childline\n"
        "      phone: 0800 1111\n")
    response = rae.post(build + "/upload", {"survey_file": (_bytes(fixed), "broken-one.yml")},
                        content_type="multipart/form-data")
    assert response.status_code == 302, errors_in(response)
    send(rae, build + "/consent-needed", {"not_needed": "yes", "reason": "A test."})
    assert publish(rae, "broken-one").status_code == 302
    survey = app.extensions["consent_kit"].catalog.get("broken-one")
    assert survey is not None and survey.source.endswith("broken-one.yml")  # the same file
    assert sorted(p.name for p in Path(forms).glob("broken-one*")) == ["broken-one.yml"]


def test_a_survey_that_is_only_a_draft_is_listed_as_one_with_its_title(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae, "Music at the club")
    page = words_on(rae.get("/studio/projects/alpha"))
    assert "Music at the club" in page and "draft, not published yet" in page
    assert "file missing" not in page and survey_id


def test_easy_read_and_sign_language_are_set_beside_the_question(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae, "Feeling safe")
    safe = add_page(rae, survey_id, "yes_no", "Do you feel safe at the club?")
    url = BUILD.format(survey_id) + f"/questions/{safe}"
    question = {"type": "yes_no", "label": "Do you feel safe at the club?", "required": "yes"}
    # A picture needs words for people who can't see it: said in plain words, nothing lost.
    response = send(rae, url, {**question, "easy_read": "Are you safe at the club?",
                               "easy_read_image": "pictures/safe.png"})
    assert response.status_code == 400
    assert "Say what the picture shows, for people who can't see it." in words_on(response)
    assert "Are you safe at the club?" in words_on(response)
    response = send(rae, url, {**question, "easy_read": "Are you safe at the club?",
                               "bsl": "https://example.org/safe.mp4"})
    assert response.status_code == 302, errors_in(response)
    item = find_question(draft_of(app, survey_id), safe)[2]
    assert item["easy_read"] == {"label": "Are you safe at the club?"}
    assert item["bsl"] == "https://example.org/safe.mp4"
    # Emptied again: both go.
    assert send(rae, url, question).status_code == 302
    item = find_question(draft_of(app, survey_id), safe)[2]
    assert "easy_read" not in item and "bsl" not in item


def test_a_consent_section_gets_easy_read_words_too(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("event-feedback")
    app.extensions["consent_kit_studio"].accounts.assign_survey("event-feedback", "alpha")
    response = send(rae, build + "/consent/section/new",
                    {"heading": "Who sees it?", "text": "Only the research team sees your answers.",
                     "easy_read": "Only we see your answers."})
    assert response.status_code == 302, errors_in(response)
    section = draft_of(app, "event-feedback")["consent"]["information"][-1]
    assert section["easy_read"] == {"text": "Only we see your answers."}
    page = rae.get(build + f"/consent/section/{section['id']}")
    assert "Only we see your answers." in words_on(page)
