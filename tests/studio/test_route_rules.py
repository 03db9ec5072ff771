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

import pytest
from flask import Blueprint

from consent_kit import hookimpl
from consent_kit.app import create_app
from consent_kit.studio.rules import ensure_rules, rule_for, studio_endpoints
from consent_kit.testing import PASSWORD, Browser, copy_instance, make_instance, populate

PERSONAS = {"anonymous": None, "viewer": "vic", "researcher": "rae", "admin": "ada",
            "outsider": "ola"}
SIGN_IN = "/studio/login"


def row(anonymous, viewer, researcher, admin, outsider):
    return dict(zip(PERSONAS, (anonymous, viewer, researcher, admin, outsider), strict=True))


#: The budget pages of project alpha.
BUDGET = "/studio/projects/alpha/budget"
#: The "make sense of the answers" pages for a survey of project alpha.
ANALYSIS = "/studio/surveys/have-your-say/analysis"
#: The survey builder's pages for a survey of project alpha.
BUILD = "/studio/surveys/have-your-say/build"

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
    ("results.results", "GET"): ("/studio/surveys/have-your-say/results", None,
                                 row(302, 200, 200, 200, 404)),
    ("results.export_page", "GET"): ("/studio/surveys/have-your-say/export", None,
                                     row(302, 403, 200, 200, 404)),
    ("results.export", "POST"): ("/studio/surveys/have-your-say/export", {"format": "csv"},
                                 row(302, 403, 200, 200, 404)),
    ("samples.samples_page", "GET"): ("/studio/surveys/have-your-say/sample-answers", None,
                                      row(302, 403, 200, 200, 404)),
    ("samples.change_samples", "POST"): ("/studio/surveys/have-your-say/sample-answers",
                                         {"action": "add", "count": "100"},
                                         row(302, 403, 302, 302, 404)),
    ("qr_entry.sources", "GET"): ("/studio/surveys/have-your-say/qr", None,
                                  row(302, 403, 200, 200, 404)),
    ("qr_entry.sources", "POST"): ("/studio/surveys/have-your-say/qr",
                                   {"action": "words", "invitation": "Come and have your say."},
                                   row(302, 403, 302, 302, 404)),
    # No place has this code: the rule is checked first, then "not found" for those let in.
    ("qr_entry.source", "POST"): ("/studio/surveys/have-your-say/qr/abcdef", {"action": "close"},
                                  row(302, 403, 404, 404, 404)),
    ("qr_entry.poster", "GET"): ("/studio/surveys/have-your-say/qr/abcdef/poster", None,
                                 row(302, 403, 404, 404, 404)),
    ("qr_entry.poster_as_pdf", "GET"): ("/studio/surveys/have-your-say/qr/abcdef/poster.pdf", None,
                                        row(302, 403, 404, 404, 404)),
    ("qr_entry.qr_svg", "GET"): ("/studio/surveys/have-your-say/qr/abcdef/qr.svg", None,
                                 row(302, 403, 404, 404, 404)),
    # Translations (plugins/translation/views.py): anyone in the project sees what is missing;
    # researchers download and upload .po files (an empty upload is a 400 "there is a problem").
    ("translation.report", "GET"): ("/studio/surveys/have-your-say/translations", None,
                                    row(302, 200, 200, 200, 404)),
    ("translation.download", "GET"): ("/studio/surveys/have-your-say/translations/cy.po", None,
                                      row(302, 403, 200, 200, 404)),
    ("translation.upload", "POST"): ("/studio/surveys/have-your-say/translations", {},
                                     row(302, 403, 400, 400, 404)),
    # Findings to share (consent_kit/findings/studio_views.py): researchers in the survey's project.
    ("findings_studio.edit", "GET"): ("/studio/surveys/have-your-say/findings", None,
                                      row(302, 403, 200, 200, 404)),
    ("findings_studio.change", "POST"): ("/studio/surveys/have-your-say/findings",
                                         {"action": "promise", "promise": "in the spring"},
                                         row(302, 403, 302, 302, 404)),
    ("findings_studio.quotes", "GET"): ("/studio/surveys/have-your-say/findings/quotes", None,
                                        row(302, 403, 200, 200, 404)),
    ("findings_studio.publish", "POST"): ("/studio/surveys/have-your-say/findings/publish",
                                          {"action": "unpublish"}, row(302, 403, 302, 302, 404)),
    ("findings_studio.picture", "GET"): (
        "/studio/surveys/have-your-say/findings/pictures/nosuch.jpg", None,
        row(302, 403, 404, 404, 404)),
    ("findings_translate.translate", "GET"): ("/studio/surveys/have-your-say/findings/translate/cy",
                                              None, row(302, 403, 200, 200, 404)),
    ("findings_translate.save", "POST"): ("/studio/surveys/have-your-say/findings/translate/cy",
                                          {"heading-nosuch": "Pennawd"},
                                          row(302, 403, 302, 302, 404)),
    ("findings_translate.share", "GET"): ("/studio/surveys/have-your-say/findings/share", None,
                                          row(302, 403, 200, 200, 404)),
    ("findings_translate.qr_file", "GET"): ("/studio/surveys/have-your-say/findings/qr.svg", None,
                                            row(302, 403, 200, 200, 404)),
    # People waiting to hear (contacts): project researchers only, never viewers.
    ("findings_waiting.waiting", "GET"): ("/studio/surveys/have-your-say/findings/waiting", None,
                                          row(302, 403, 200, 200, 404)),
    ("findings_waiting.download", "GET"): ("/studio/surveys/have-your-say/findings/waiting.csv",
                                           None, row(302, 403, 200, 200, 404)),
    ("findings_waiting.mark_told", "POST"): ("/studio/surveys/have-your-say/findings/waiting",
                                             {"contact_id": "nosuch"},
                                             row(302, 403, 302, 302, 404)),
    # The project's own findings (consent_kit/findings/project_studio_views.py): its researchers.
    ("findings_project_studio.edit", "GET"): ("/studio/projects/alpha/findings", None,
                                              row(302, 403, 200, 200, 404)),
    ("findings_project_studio.change", "POST"): ("/studio/projects/alpha/findings",
                                                 {"action": "section", "heading": "About us",
                                                  "text": "We are a youth club."},
                                                 row(302, 403, 302, 302, 404)),
    ("findings_project_studio.publish", "POST"): ("/studio/projects/alpha/findings/publish",
                                                  {"action": "unpublish"},
                                                  row(302, 403, 302, 302, 404)),
    ("findings_project_studio.translate", "GET"): ("/studio/projects/alpha/findings/translate/cy",
                                                   None, row(302, 403, 200, 200, 404)),
    ("findings_project_studio.save_translation", "POST"): (
        "/studio/projects/alpha/findings/translate/cy", {"heading-nosuch": "Pennawd"},
        row(302, 403, 302, 302, 404)),
    ("findings_project_studio.picture", "GET"): (
        "/studio/projects/alpha/findings/pictures/nosuch.jpg", None, row(302, 403, 404, 404, 404)),
    ("studio.surveys", "GET"): ("/studio/surveys", None, row(302, 403, 403, 200, 403)),
    ("studio.surveys", "POST"): ("/studio/surveys", {"project-have-your-say": "beta"},
                                 row(302, 403, 403, 302, 403)),
    ("studio.clock", "GET"): ("/studio/clock", None, row(302, 200, 200, 200, 200)),
    ("studio.clock", "POST"): ("/studio/clock", {"zone": ""}, row(302, 302, 302, 302, 302)),
    ("studio.users", "GET"): ("/studio/users", None, row(302, 403, 403, 200, 403)),
    ("studio.plugins", "GET"): ("/studio/plugins", None, row(302, 403, 403, 200, 403)),
    ("studio.users", "POST"): ("/studio/users", {"username": "new1", "role": "admin",
                                                 "password": PASSWORD},
                               row(302, 403, 403, 302, 403)),
    ("studio.user", "GET"): ("/studio/users/rae", None, row(302, 403, 403, 200, 403)),
    ("studio.user", "POST"): ("/studio/users/rae", {"action": "role", "role": "admin"},
                              row(302, 403, 403, 302, 403)),
    # Budget and thank-you payments (consent_kit/incentives/budget_views.py): project researchers.
    # Entries need a budget first, so adding one is sent back to set it (302) in this table.
    ("budget.page", "GET"): (BUDGET, None, row(302, 403, 200, 200, 404)),
    ("budget.set_budget", "POST"): (BUDGET, {"amount": "100", "currency": "GBP",
                                             "retention_days": "30"}, row(302, 403, 302, 302, 404)),
    ("budget.add_entry", "POST"): (BUDGET + "/entries", {"category": "food", "amount": "5",
                                                         "status": "planned"},
                                   row(302, 403, 302, 302, 404)),
    ("budget.add_work", "POST"): (BUDGET + "/work", {"person": "Sam", "hours": "2", "rate": "12",
                                                     "status": "planned"},
                                  row(302, 403, 302, 302, 404)),
    ("budget.correct_entry", "POST"): (BUDGET + "/entries/no-such-entry", {"status": "paid"},
                                       row(302, 403, 404, 404, 404)),
    ("budget.export", "GET"): (BUDGET + "/export.csv", None, row(302, 403, 200, 200, 404)),
    ("budget.claims", "GET"): (BUDGET + "/claims", None, row(302, 403, 200, 200, 404)),
    ("budget.claim_action", "POST"): (BUDGET + "/claims/no-such-claim", {"action": "paid"},
                                      row(302, 403, 404, 404, 404)),
    ("budget.vouchers", "POST"): (BUDGET + "/vouchers", {"survey": "have-your-say"},
                                  row(302, 403, 400, 400, 404)),
    # The survey builder (consent_kit/web/builder*.py): researchers in the survey's project.
    ("builder.overview", "GET"): (BUILD, None, row(302, 403, 200, 200, 404)),
    ("builder.details", "GET"): (BUILD + "/details", None, row(302, 403, 200, 200, 404)),
    ("builder.details", "POST"): (BUILD + "/details", {"title": "Your say", "description": "Words."},
                                  row(302, 403, 302, 302, 404)),
    ("builder.page_new", "GET"): (BUILD + "/pages/new", None, row(302, 403, 200, 200, 404)),
    ("builder.page_new", "POST"): (BUILD + "/pages/new", {"type": "info", "label": "Hello"},
                                   row(302, 403, 302, 302, 404)),
    ("builder.page", "GET"): (BUILD + "/pages/about-you", None, row(302, 403, 200, 200, 404)),
    ("builder.page", "POST"): (BUILD + "/pages/about-you", {"page_title": "You"},
                               row(302, 403, 302, 302, 404)),
    ("builder.question_new", "GET"): (BUILD + "/pages/about-you/questions/new", None,
                                      row(302, 403, 200, 200, 404)),
    ("builder.question_new", "POST"): (BUILD + "/pages/about-you/questions/new",
                                       {"type": "short_text", "label": "Your town"},
                                       row(302, 403, 302, 302, 404)),
    ("builder.question", "GET"): (BUILD + "/questions/age_group", None, row(302, 403, 200, 200, 404)),
    ("builder.question", "POST"): (BUILD + "/questions/care_experience",
                                   {"type": "yes_no", "label": "Do you have care experience?"},
                                   row(302, 403, 302, 302, 404)),
    ("builder.move", "POST"): (BUILD + "/move", {"what": "page", "id": "about-you", "step": "down"},
                               row(302, 403, 302, 302, 404)),
    # Without confirm=yes, "Are you sure?" (nothing is deleted).
    ("builder.delete", "POST"): (BUILD + "/delete", {"what": "question", "id": "welcome_note"},
                                 row(302, 403, 200, 200, 404)),
    ("builder.consent", "GET"): (BUILD + "/consent", None, row(302, 403, 200, 200, 404)),
    ("builder.consent", "POST"): (BUILD + "/consent", {"action": "options", "confirm_with": "tick"},
                                  row(302, 403, 302, 302, 404)),
    ("builder.consent_item", "GET"): (BUILD + "/consent/statement/take_part", None,
                                      row(302, 403, 200, 200, 404)),
    ("builder.consent_item", "POST"): (BUILD + "/consent/statement/take_part",
                                       {"text": "I want to take part.", "required": "yes"},
                                       row(302, 403, 302, 302, 404)),
    ("builder.consent_all", "GET"): (BUILD + "/consent/all", None, row(302, 403, 200, 200, 404)),
    ("builder.consent_all", "POST"): (BUILD + "/consent/all", {}, row(302, 403, 302, 302, 404)),
    ("builder.easy_read", "GET"): (BUILD + "/easy-read", None, row(302, 403, 200, 200, 404)),
    # Only a picture the draft uses is sent: have-your-say's draft uses none.
    ("builder.picture", "GET"): (BUILD + "/picture/pictures/none.png", None,
                                 row(302, 403, 404, 404, 404)),
    ("builder.thank_you", "GET"): (BUILD + "/thank-you", None, row(302, 403, 200, 200, 404)),
    ("builder.thank_you", "POST"): (BUILD + "/thank-you", {"offer": "no"},
                                    row(302, 403, 302, 302, 404)),
    ("builder.languages", "GET"): (BUILD + "/languages", None, row(302, 403, 200, 200, 404)),
    ("builder.languages", "POST"): (BUILD + "/languages", {"language": "cy"},
                                    row(302, 403, 302, 302, 404)),
    ("builder.new", "GET"): ("/studio/projects/alpha/surveys/new", None,
                             row(302, 403, 200, 200, 404)),
    ("builder.new", "POST"): ("/studio/projects/alpha/surveys/new",
                              {"title": "Youth voice", "description": "What you think."},
                              row(302, 403, 302, 302, 404)),
    ("builder.import_survey", "GET"): ("/studio/projects/alpha/surveys/import", None,
                                       row(302, 403, 200, 200, 404)),
    ("builder.import_survey", "POST"): ("/studio/projects/alpha/surveys/import", {},
                                        row(302, 403, 400, 400, 404)),
    ("builder.import_report", "GET"): (BUILD.removesuffix("/build") + "/imported", None,
                                       row(302, 403, 404, 404, 404)),
    ("builder.download", "GET"): (BUILD + "/download", None, row(302, 403, 200, 200, 404)),
    ("builder.upload", "POST"): (BUILD + "/upload", {}, row(302, 403, 400, 400, 404)),
    ("builder.publish", "GET"): (BUILD + "/publish", None, row(302, 403, 200, 200, 404)),
    ("builder.publish", "POST"): (BUILD + "/publish", {}, row(302, 403, 302, 302, 404)),
    ("builder.support", "GET"): (BUILD + "/support", None, row(302, 403, 200, 200, 404)),
    ("builder.support", "POST"): (BUILD + "/support", {"rows": "0", "intro": "Help is here."},
                                  row(302, 403, 302, 302, 404)),
    ("builder.consent_needed", "GET"): (BUILD + "/consent-needed", None,
                                        row(302, 403, 302, 302, 404)),
    ("builder.consent_needed", "POST"): (BUILD + "/consent-needed", {},
                                         row(302, 403, 302, 302, 404)),
    ("builder.approve", "POST"): (BUILD + "/approve", {}, row(302, 403, 400, 400, 404)),
    ("builder.status", "POST"): (BUILD + "/status", {"status": "closed"}, row(302, 403, 302, 302, 404)),
    ("builder.duplicate", "POST"): (BUILD + "/duplicate", {}, row(302, 403, 302, 302, 404)),
    ("builder.discard", "POST"): (BUILD + "/discard", {}, row(302, 403, 302, 302, 404)),
    ("builder.approval_rule", "POST"): ("/studio/projects/alpha/approval",
                                        {"require_approval": "yes"},
                                        row(302, 403, 403, 302, 404)),
    ("builder.preview", "GET"): (BUILD + "/preview", None, row(302, 403, 200, 200, 404)),
    ("builder.preview_begin", "POST"): (BUILD + "/preview", {}, row(302, 403, 302, 302, 404)),
    ("builder.preview_information", "GET"): (BUILD + "/preview/consent", None,
                                             row(302, 403, 200, 200, 404)),
    ("builder.preview_agree", "GET"): (BUILD + "/preview/agree", None, row(302, 403, 200, 200, 404)),
    ("builder.preview_agree", "POST"): (BUILD + "/preview/agree", {}, row(302, 403, 200, 200, 404)),
    ("builder.preview_page", "GET"): (BUILD + "/preview/page/welcome", None,
                                      row(302, 403, 200, 200, 404)),
    ("builder.preview_page", "POST"): (BUILD + "/preview/page/welcome", {},
                                       row(302, 403, 302, 302, 404)),
    ("builder.preview_check", "GET"): (BUILD + "/preview/check", None, row(302, 403, 302, 302, 404)),
    ("builder.preview_end", "POST"): (BUILD + "/preview/end", {}, row(302, 403, 200, 200, 404)),
    # plugins/accessible_formats: print versions, recordings, typing in paper answers.
    ("accessible_formats_studio.formats", "GET"): ("/studio/surveys/have-your-say/formats", None,
                                                   row(302, 200, 200, 200, 404)),
    ("accessible_formats_studio.recording", "POST"): (
        "/studio/surveys/have-your-say/formats/recording",
        {"kind": "question", "item_id": "age_group", "action": "delete"},
        row(302, 403, 302, 302, 404)),
    ("accessible_formats_studio.paper", "GET"): ("/studio/surveys/have-your-say/formats/paper", None,
                                                 row(302, 403, 200, 200, 404)),
    ("accessible_formats_studio.paper", "POST"): ("/studio/surveys/have-your-say/formats/paper", {},
                                                  row(302, 403, 400, 400, 404)),
    # plugins/plain_language: "Check my words" per survey, and each project's own words.
    ("plain_language.report", "GET"): ("/studio/surveys/have-your-say/words", None,
                                       row(302, 200, 200, 200, 404)),
    ("plain_language.words", "GET"): ("/studio/projects/alpha/words", None,
                                      row(302, 200, 200, 200, 404)),
    ("plain_language.change_words", "POST"): ("/studio/projects/alpha/words",
                                              {"action": "save", "term": "clients",
                                               "kind": "suggest", "suggestions": "people"},
                                              row(302, 403, 302, 302, 404)),
    ("plain_language.words_download", "GET"): ("/studio/projects/alpha/words.yaml", None,
                                               row(302, 200, 200, 200, 404)),
    # consent_kit/analysis: themes, coding and agreement for a survey of project alpha.
    ("analysis.overview", "GET"): (ANALYSIS, None, row(302, 200, 200, 200, 404)),
    ("analysis.themes", "GET"): (ANALYSIS + "/themes", None, row(302, 403, 200, 200, 404)),
    # The researcher adds the theme first, so for the admin its name is taken: a plain 400.
    ("analysis.themes", "POST"): (ANALYSIS + "/themes", {"name": "Getting there"},
                                  row(302, 403, 302, 400, 404)),
    ("analysis.theme", "GET"): (ANALYSIS + "/themes/nosuch", None, row(302, 403, 404, 404, 404)),
    ("analysis.theme", "POST"): (ANALYSIS + "/themes/nosuch", {"name": "x"},
                                 row(302, 403, 404, 404, 404)),
    ("analysis.themes_csv", "GET"): (ANALYSIS + "/themes.csv", None, row(302, 403, 200, 200, 404)),
    ("analysis.themes_upload", "POST"): (ANALYSIS + "/themes/upload", {},
                                         row(302, 403, 302, 302, 404)),
    ("analysis.code", "GET"): (ANALYSIS + "/what_helps/code", None, row(302, 403, 200, 200, 404)),
    ("analysis.code", "POST"): (ANALYSIS + "/what_helps/code", {"response_id": "nosuch"},
                                row(302, 403, 404, 404, 404)),
    ("analysis.agreement_page", "GET"): (ANALYSIS + "/what_helps/agreement", None,
                                         row(302, 403, 200, 200, 404)),
    ("analysis.make_sample", "POST"): (ANALYSIS + "/what_helps/sample", {"size": "0"},
                                       row(302, 403, 302, 302, 404)),
    ("analysis.settle", "POST"): (ANALYSIS + "/what_helps/settle/nosuch", {},
                                  row(302, 403, 404, 404, 404)),
    ("analysis.export", "GET"): (ANALYSIS + "/export.csv", None, row(302, 403, 200, 200, 404)),
}

#: Other objects of a project, and things that don't exist: never 200 for the wrong person.
OTHER_OBJECTS = [
    # URL, expected by persona
    ("/studio/projects/beta", row(302, 404, 404, 200, 200)),
    ("/studio/surveys/event-feedback", row(302, 404, 404, 200, 200)),
    ("/studio/surveys/event-feedback/build", row(302, 404, 404, 200, 200)),
    ("/studio/surveys/event-feedback/build/preview", row(302, 404, 404, 200, 200)),
    ("/studio/surveys/no-such-survey/build", row(302, 404, 404, 404, 404)),
    ("/studio/surveys/event-feedback/words", row(302, 404, 404, 200, 200)),
    ("/studio/projects/beta/words", row(302, 404, 404, 200, 200)),
    ("/studio/projects/beta/words.yaml", row(302, 404, 404, 200, 200)),
    ("/studio/surveys/event-feedback/results", row(302, 404, 404, 200, 200)),
    ("/studio/surveys/event-feedback/export", row(302, 404, 404, 200, 200)),
    ("/studio/surveys/no-such-survey/results", row(302, 404, 404, 404, 404)),
    ("/studio/projects/no-such-project", row(302, 404, 404, 404, 404)),
    ("/studio/projects/beta/budget", row(302, 404, 404, 200, 200)),
    ("/studio/projects/beta/budget/claims", row(302, 404, 404, 200, 200)),
    ("/studio/projects/beta/budget/export.csv", row(302, 404, 404, 200, 200)),
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
        copy_instance(template, folder)
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
