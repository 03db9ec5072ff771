"""Every hook, through a throwaway plugin registered on one app: it is called, with ``kit``.

A hook with no ``test_hook_<name>`` test anywhere in tests/ fails the last test
here, so a new hook can't arrive untested.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Blueprint, render_template_string
from markupsafe import Markup

from consent_kit import (
    Breakdown,
    PaymentProvider,
    Problem,
    StudioTask,
    SurveySetting,
    current_kit,
    hookimpl,
    hookspecs,
)
from consent_kit.plugin_calls import check_text, survey_advice
from consent_kit.plugins import PluginError
from consent_kit.results.export import csv_chunks
from consent_kit.store import EmbeddedStore
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.survey.texts import text_places
from consent_kit.testing import Browser, Participant, populate

CLUB = """\
id: club
title: The youth club
description: Two quick questions.
consent:
  information:
    - heading: What this is
      text: We ask two questions about the club.
  statements:
    - id: take_part
      text: I want to take part.
    - id: quote
      text: You can use my words in the report.
      required: false
questions:
  - id: mood
    type: short_text
    label: How is the club?
"""
ANSWERS = {"mood": "Good"}


class Recorder:
    """A plugin that notes each call and the kit it was given."""

    def __init__(self):
        self.calls: list[tuple] = []


def kit_of(app):
    return app.extensions["consent_kit"]


def finish(app, survey_id="club", answers=ANSWERS) -> tuple[Participant, str]:
    person = Participant(app.test_client())
    reference = person.complete(survey_id, answers)
    return person, reference


# -- start-up and registration -------------------------------------------------------------------


def test_hook_startup_gets_the_app_and_its_kit_and_a_failure_names_the_plugin(make_app):
    class Start(Recorder):
        @hookimpl
        def startup(self, app, kit):
            self.calls.append((app, kit))

    plugin = Start()
    app = make_app(plugins=[plugin])
    assert plugin.calls == [(app, kit_of(app))]

    class Broken:
        @hookimpl
        def startup(self):
            raise RuntimeError("no settings")

    with pytest.raises(PluginError, match="'Broken'.*no settings"):
        make_app(plugins=[Broken()])


def test_hook_register_survey_loaders_reads_another_kind_of_file(make_app):
    class JsonSurveys:
        @hookimpl
        def register_survey_loaders(self, register):
            def load(path, question_types):
                text = json.dumps(json.loads(Path(path).read_text()))  # JSON is YAML too
                return load_survey_text(text, path=str(path), question_types=question_types,
                                        survey_id=Path(path).stem)
            register(".json", load)

    survey = {"title": "From JSON", "description": "A survey file in JSON.",
              "questions": [{"id": "q", "type": "short_text", "label": "Hello?"}]}
    app = make_app(plugins=[JsonSurveys()], forms={"from-json.json": json.dumps(survey)})
    assert kit_of(app).catalog.get("from-json").title == "From JSON"


def test_hook_register_exporters_adds_a_format_and_refuses_a_second_with_one_name(make_app):
    class Tsv:
        name, label, media_type, suffix = "tsv", "Tab-separated", "text/tab-separated-values", ".tsv"

        def write(self, survey, responses, out):
            out.write(b"\t".join(r.id.encode() for r in responses))

    class TsvPlugin:
        @hookimpl
        def register_exporters(self, register):
            register(Tsv())

    app = make_app(plugins=[TsvPlugin()])
    assert isinstance(kit_of(app).exporters["tsv"], Tsv)
    with pytest.raises(PluginError, match="'tsv'"):
        make_app(plugins=[TsvPlugin(), type("Again", (TsvPlugin,), {})()])


def test_hook_register_blueprints_adds_pages_that_reach_the_kit(make_app):
    bp = Blueprint("hello_kit", __name__)

    @bp.get("/hello-kit")
    def hello():
        return "same kit" if current_kit() is seen[0] else "another kit"

    seen = []

    class Pages:
        @hookimpl
        def register_blueprints(self, app, kit):
            seen.append(kit)
            return bp

    app = make_app(plugins=[Pages()])
    assert app.test_client().get("/hello-kit").get_data(as_text=True) == "same kit"


def test_hook_register_commands_adds_a_command_line_command():
    import click

    from consent_kit.cli import add_plugin_commands
    from consent_kit.plugins import make_plugin_manager

    @click.command("wave")
    def wave():
        click.echo("hello from a plugin")

    class Commands:
        @hookimpl
        def register_commands(self, cli):
            cli.add_command(wave)

    group = click.Group("test")
    add_plugin_commands(group, make_plugin_manager(load_entrypoints=False, extra=[Commands()]))
    result = CliRunner().invoke(group, ["wave"])
    assert result.output == "hello from a plugin\n"


def test_hook_register_survey_settings_owns_a_key_with_file_and_line_errors(make_app):
    def check(reader):
        if reader.value not in ("calm", "busy"):
            reader.problem("'mood' should be calm or busy.")

    class Mood:
        @hookimpl
        def register_survey_settings(self, register):
            register(SurveySetting("mood", "How the event feels.", check=check))

    good = CLUB.replace("questions:", "mood: calm\nquestions:")
    bad = CLUB.replace("questions:", "mood: loud\nquestions:")
    app = make_app(plugins=[Mood()], forms={"club.yaml": good, "bad.yaml": bad}, examples=False)
    assert kit_of(app).catalog.get("club").extra["mood"] == "calm"
    [problem] = kit_of(app).catalog.broken["bad"]
    assert (problem.line, problem.message) == (14, "'mood' should be calm or busy.")
    nobody = make_app(forms={"club.yaml": good}, examples=False)
    assert "mood" in str(kit_of(nobody).catalog.broken["club"][0])


def test_a_blocked_built_in_plugins_setting_doesnt_break_survey_files(make_app):
    survey = CLUB.replace("questions:", "plain_language:\n  reading_age: 11\nquestions:")
    app = make_app(forms={"club.yaml": survey}, examples=False,
                   config={"BLOCKED_PLUGINS": ["plain_language"]})
    assert kit_of(app).catalog.get("club") is not None


def test_hook_storage_backend_replaces_the_embedded_store(make_app, tmp_path):
    class OwnStore(EmbeddedStore):
        pass

    class Backend:
        @hookimpl
        def storage_backend(self, config):
            return OwnStore(tmp_path / "elsewhere")

    app = make_app(plugins=[Backend()])
    assert isinstance(kit_of(app).store, OwnStore)
    finish(make_app(plugins=[Backend()], forms={"club.yaml": CLUB}, examples=False))
    assert any((tmp_path / "elsewhere").iterdir())


# -- pages ---------------------------------------------------------------------------------------


def test_hook_extra_template_vars_reach_every_template(make_app):
    bp = Blueprint("show_var", __name__)

    @bp.get("/show-var")
    def show():
        return render_template_string("{{ greeting }}")

    class Vars:
        @hookimpl
        def extra_template_vars(self, template, request, kit):
            return {"greeting": f"hi from {template} with {type(kit).__name__}"}

        @hookimpl
        def register_blueprints(self):
            return bp

    app = make_app(plugins=[Vars()])
    assert app.test_client().get("/show-var").get_data(as_text=True) == "hi from show_var.show with Kit"


def test_hook_extra_css_urls_adds_a_stylesheet_or_replaces_the_core_one(make_app):
    class Css:
        def __init__(self, urls):
            self.urls = urls

        @hookimpl
        def extra_css_urls(self, template, request):
            return self.urls

    page = make_app(plugins=[Css(["/static/more.css"])]).test_client().get("/s/have-your-say")
    html = page.get_data(as_text=True)
    assert html.index('href="/static/ck.css"') < html.index('href="/static/more.css"')
    instead = make_app(plugins=[Css([{"url": "/static/all.css", "instead_of_core": True}])])
    html = instead.test_client().get("/s/have-your-say").get_data(as_text=True)
    assert 'href="/static/all.css"' in html and "ck.css" not in html


def test_hook_locale_from_request_chooses_the_language(make_app):
    class Welsh:
        @hookimpl
        def locale_from_request(self, request, survey, kit):
            return "cy" if survey is not None and kit is not None else None

    app = make_app(plugins=[Welsh()])
    assert '<html lang="cy"' in app.test_client().get("/s/have-your-say").get_data(as_text=True)


def test_hook_page_parts_fills_a_slot_and_a_failing_part_is_left_out(make_app):
    class Part:
        @hookimpl
        def page_parts(self, slot, survey, kit):
            return Markup("<p id='made-by-plugin'>Hi</p>") if slot == "start" else None

    class BrokenPart:
        @hookimpl
        def page_parts(self, slot):
            raise RuntimeError("broken part")

    app = make_app(plugins=[Part(), BrokenPart()])
    page = app.test_client().get("/s/have-your-say")
    assert page.status_code == 200 and "made-by-plugin" in page.get_data(as_text=True)
    assert {(f.plugin, f.hook) for f in kit_of(app).plugin_failures} == {("BrokenPart", "page_parts")}


def test_hook_survey_tasks_and_project_actions_appear_in_the_studio(make_app):
    class Tasks:
        @hookimpl
        def survey_tasks(self, survey_id, user, kit):
            return [StudioTask(f"Print {survey_id} for {user.username}", "/print", StudioTask.DONE)]

        @hookimpl
        def project_actions(self, project, user):
            return [StudioTask(f"Photos of {project.name}", "/photos")]

    app = make_app(plugins=[Tasks()])
    populate(app)
    rae = Browser(app)
    rae.login("rae")
    rae.get("/studio/surveys/have-your-say")
    assert "Print have-your-say for rae" in rae.text and "done" in rae.text
    rae.get("/studio/projects/alpha")
    assert "Photos of Alpha" in rae.text


# -- events --------------------------------------------------------------------------------------


class Events(Recorder):
    @hookimpl
    def response_submitted(self, response, survey, kit):
        self.calls.append(("submitted", response.survey_id, kit is not None))

    @hookimpl
    def consent_given(self, record, survey, kit):
        self.calls.append(("given", record.survey_id, kit is not None))

    @hookimpl
    def consent_changed(self, record, survey, kit):
        self.calls.append(("changed", tuple(record.agreed), kit is not None))

    @hookimpl
    def consent_withdrawn(self, pseudonym, survey_id, kit):
        self.calls.append(("withdrawn", survey_id, kit is not None))

    @hookimpl
    def erase_participant_data(self, pseudonym, response_ids, kit):
        self.calls.append(("erase", len(response_ids), kit is not None))


@pytest.fixture
def events(make_app):
    plugin = Events()
    app = make_app(plugins=[plugin], forms={"club.yaml": CLUB}, examples=False)
    return app, plugin


def test_hook_response_submitted_and_consent_given_follow_a_send(events):
    app, plugin = events
    finish(app)
    assert ("submitted", "club", True) in plugin.calls and ("given", "club", True) in plugin.calls


def test_hook_consent_changed_when_an_optional_statement_is_unticked(events):
    app, plugin = events
    person, reference = finish(app)
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.post("/change-your-mind/change", {})
    assert ("changed", ("take_part",), True) in plugin.calls


def test_hook_consent_withdrawn_and_erase_participant_data_on_taking_answers_back(events):
    app, plugin = events
    person, reference = finish(app)
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.get("/change-your-mind/take-back")
    person.post("/change-your-mind/take-back")
    assert ("withdrawn", "club", True) in plugin.calls and ("erase", 1, True) in plugin.calls


THANKS = CLUB.replace("questions:", """incentive:
  reward: a £10 voucher
  amount: 10
  ways: [postcard]
questions:""")


class Postcard(PaymentProvider):
    name = "postcard"
    label = "A voucher by post"
    needs_contact = True

    def give(self, survey_id, claim, incentives):
        return ""


def test_hook_register_payment_providers_and_incentive_claimed(make_app):
    class Payments(Recorder):
        @hookimpl
        def register_payment_providers(self, register):
            register(Postcard())

        @hookimpl
        def incentive_claimed(self, claim, survey, kit):
            self.calls.append((claim["way"], "contact" in claim, kit is not None))

    plugin = Payments()
    app = make_app(plugins=[plugin], forms={"club.yaml": THANKS}, examples=False)
    person, _ = finish(app)
    assert "A voucher by post" in person.text
    person.post("/s/club/claim", {"way": "postcard", "contact": "sam@example.org"})
    assert plugin.calls == [("postcard", False, True)]


def test_hook_payment_recorded_when_the_budget_gets_an_entry(make_app):
    class Ledger(Recorder):
        @hookimpl
        def payment_recorded(self, entry, project_id, kit):
            self.calls.append((project_id, str(entry.amount), kit is not None))

    plugin = Ledger()
    app = make_app(plugins=[plugin])
    populate(app)
    rae = Browser(app)
    rae.login("rae")
    rae.post("/studio/projects/alpha/budget", {"amount": "100", "currency": "GBP",
                                               "retention_days": "30"})
    rae.post("/studio/projects/alpha/budget/entries", {
        "category": "food", "amount": "12.50", "status": "paid", "date": "2026-11-20",
        "note": "Pizza"})
    assert plugin.calls == [("alpha", "12.50", True)]


def test_hook_findings_ready_tells_people_and_their_contacts_go(make_app):
    class Notifier(Recorder):
        @hookimpl
        def findings_ready(self, kit, survey_id, contacts):
            self.calls.append((survey_id, sorted((c["contact"], c["way"]) for c in contacts),
                               kit is not None))
            return [c["id"] for c in contacts if c["way"] == "email"]  # it only sends emails

    plugin = Notifier()
    app = make_app(plugins=[plugin])
    accounts = populate(app)
    accounts.set_member("alpha", "ola", "researcher")
    person = Participant(app.test_client())
    for contact in ("sam@example.org", "07700 900123"):
        person.get("/f/have-your-say")
        person.post("/f/have-your-say/tell-me", {"contact": contact})
    rae, ola = Browser(app), Browser(app)
    rae.login("rae")
    ola.login("ola")
    rae.post("/studio/surveys/have-your-say/findings",
             {"action": "section", "heading": "What we found", "text": "The club is fun."})
    ola.post("/studio/surveys/have-your-say/findings/publish", {"action": "approve"})
    assert plugin.calls == []  # approving is not publishing
    rae.post("/studio/surveys/have-your-say/findings/publish", {"action": "publish"})
    assert plugin.calls == [("have-your-say", [("07700 900123", "phone"),
                                               ("sam@example.org", "email")], True)]
    left = kit_of(app).store.documents("findings_contacts").find(survey_id="have-your-say")
    assert [c["contact"] for c in left] == ["07700 900123"]  # the phone is still to be told


# -- results and advice --------------------------------------------------------------------------


def test_hook_response_breakdowns_add_a_column_to_exports(make_app):
    class ByLength:
        @hookimpl
        def response_breakdowns(self, survey, kit):
            return [Breakdown("answer_length", "Long or short",
                              lambda r: "long" if len(r.answers.get("mood", "")) > 5 else "short")]

    app = make_app(plugins=[ByLength()], forms={"club.yaml": CLUB}, examples=False)
    finish(app)
    kit = kit_of(app)
    survey = kit.catalog.get("club")
    from consent_kit.plugin_calls import response_breakdowns

    text = "".join(csv_chunks(survey, kit.store.iter_responses("club"),
                              response_breakdowns(kit.pm, survey)))
    header, row = (line.split(",") for line in text.splitlines()[:2])
    assert row[header.index("answer_length")] == "short"


def test_hook_survey_advice_and_check_text_give_warnings_with_the_kit(make_app):
    class Advice(Recorder):
        @hookimpl
        def survey_advice(self, survey, kit):
            return [Problem(survey.source, 0, "", "Say how long it takes.", "error")]

        @hookimpl
        def check_text(self, text, context, kit):
            return [Problem(context.survey.source, context.line, context.label, "Shorter?",
                            "warning")] if "quick" in text else []

    app = make_app(plugins=[Advice()], forms={"club.yaml": CLUB}, examples=False)
    kit = kit_of(app)
    survey = kit.catalog.get("club")
    advice = survey_advice(kit.pm, survey)
    messages = {(a.message, a.severity) for a in advice}
    assert ("Say how long it takes.", "warning") in messages and ("Shorter?", "warning") in messages
    text, place = next((t, p) for t, p in text_places(survey) if "quick" in t)
    assert [a.message for a in check_text(kit.pm, text, place)].count("Shorter?") == 1


# -- every hook has its test -----------------------------------------------------------------------


def test_every_hook_has_a_test_hook_test():
    hooks = {name for name in dir(hookspecs) if hasattr(getattr(hookspecs, name), "consent_kit_spec")}
    assert len(hooks) >= 27
    tested = set()
    for path in Path(__file__).parent.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_hook_"):
                tested.update(h for h in hooks if node.name.startswith(f"test_hook_{h}"))
                tested.update(h for h in hooks if f"_and_{h}" in node.name)
    assert sorted(hooks - tested) == []
