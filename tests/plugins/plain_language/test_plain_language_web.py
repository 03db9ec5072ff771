"""plugins/plain_language in the app: "Check my words", a project's own words, the hooks, the command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from consent_kit import Problem, hookimpl
from consent_kit.cli import cli
from consent_kit.plugin_calls import check_text, survey_advice
from consent_kit.plugins import make_plugin_manager
from consent_kit.registry import collect_loaders, collect_question_types
from consent_kit.survey.texts import TextPlace
from consent_kit.testing import Browser, populate

REPORT = "/studio/surveys/have-your-say/words"
WORDS = "/studio/projects/alpha/words"

WELSH = """\
title: Dweud eich dweud
description: Arolwg byr am wasanaethau ieuenctid.
language: cy
questions:
  - id: feel
    type: short_text
    label: Sut ydych chi'n teimlo am eich cartref?
"""

WORDY = """\
title: About your placement
description: A short survey.
plain_language:
  reading_age: 9 to 14
  words: our-words.yaml
questions:
  - id: home
    type: short_text
    label: Is your placement a good place for you to live?
    help: >-
      Participation in this investigation is entirely voluntary and you may discontinue
      participation at any juncture without providing justification.
  - id: worker
    type: short_text
    label: Does your key worker listen to you?
"""

OUR_WORDS = """\
entries:
  - term: key worker
    kind: ask
    reason: Some of us say "my worker", some use their name.
    source: Our group, March
remove: [placement]
"""


@pytest.fixture
def app(make_app):
    app = make_app()
    populate(app)
    return app


def signed_in(app, username: str) -> Browser:
    browser = Browser(app)
    assert browser.login(username).status_code == 302
    return browser


def _line_of(words: str) -> int:
    """The line of the example survey file where ``words`` are (advice points at its question)."""
    lines = (Path(__file__).parents[3] / "forms" / "have-your-say.yaml").read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if words in line)


def test_check_my_words_shows_the_advice_for_every_text(app):
    rae = signed_in(app, "rae")
    assert 'href="/studio/surveys/have-your-say/words">Check my words' in rae.get(
        "/studio/surveys/have-your-say").get_data(as_text=True)
    page = rae.get(REPORT)
    assert page.status_code == 200
    assert "<mark>foster carers</mark>" in rae.text
    assert "Reading age about 14; your aim is 11 or under" in rae.text
    assert "question 'care_experience', help" in rae.text
    assert f"line {_line_of('- id: care_experience')}" in rae.text
    assert "Nothing here stops you publishing" in rae.text
    assert "Too short to score" in rae.text  # answer choices get no reading age


def test_a_project_changes_its_words_in_the_browser(app):
    rae = signed_in(app, "rae")
    assert 'href="/studio/projects/alpha/words">Our words' in rae.get(
        "/studio/projects/alpha").get_data(as_text=True)
    sent = rae.post(WORDS, {"action": "save", "term": "Foster Carers", "kind": "ask",
                            "suggestions": "", "reason": "We use their names.", "source": ""})
    assert sent.status_code == 302
    rae.get(REPORT)
    assert "there is no agreed word for this" in rae.text and "We use their names." in rae.text
    assert "Our project" in rae.text

    rae.post(WORDS, {"action": "take_out", "term": "foster carers"})
    rae.get(REPORT)
    assert "<mark>" not in rae.text and "foster carers" in rae.text  # the text is still shown
    rae.get(WORDS)
    assert "Words this project took out" in rae.text

    rae.post(WORDS, {"action": "put_back", "term": "foster carers"})
    rae.get(REPORT)
    assert "<mark>foster carers</mark>" in rae.text and "many young people would say" in rae.text
    changes = [e for e in app.extensions["consent_kit"].store.iter_audit()
               if e["action"] == "words_changed"]
    assert [c["details"]["change"] for c in changes] == ["save", "take_out", "put_back"]


def test_one_projects_words_never_change_anothers(app):
    rae, ada = signed_in(app, "rae"), signed_in(app, "ada")
    rae.post(WORDS, {"action": "save", "term": "event", "kind": "suggest", "suggestions": "day"})
    ada.get("/studio/surveys/event-feedback/words")  # a survey of project beta
    assert "<mark>" not in ada.text
    ada.post("/studio/projects/beta/words", {"action": "save", "term": "event", "kind": "suggest",
                                             "suggestions": "day"})
    ada.get("/studio/surveys/event-feedback/words")
    assert "<mark>event</mark>" in ada.text or "<mark>Event</mark>" in ada.text


def test_a_mistake_in_the_form_is_explained_and_nothing_typed_is_lost(app):
    rae = signed_in(app, "rae")
    sent = rae.post(WORDS, {"action": "save", "term": "", "kind": "suggest",
                            "reason": "Because we said so."})
    assert sent.status_code == 400
    assert "There is a problem" in rae.text and "Type the word or phrase to look out for." in rae.text
    assert 'value="Because we said so."' in sent.get_data(as_text=True)
    sent = rae.post(WORDS, {"action": "save", "term": "x" * 81, "kind": "suggest"})
    assert sent.status_code == 400 and "80 characters or fewer" in rae.text


def test_words_go_out_and_come_back_as_a_file(app):
    rae = signed_in(app, "rae")
    rae.post(WORDS, {"action": "save", "term": "key worker", "kind": "ask", "reason": "Ask."})
    rae.post(WORDS, {"action": "take_out", "term": "siblings"})
    download = rae.get(WORDS + ".yaml")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    text = download.get_data(as_text=True)
    assert "key worker" in text and "siblings" in text

    changed = text.replace("key worker", "support worker").encode()
    import io

    sent = rae.post(WORDS, {"action": "upload", "file": (io.BytesIO(changed), "ours.yaml")},
                    content_type="multipart/form-data")
    assert sent.status_code == 302
    rae.get(WORDS)
    assert "support worker" in rae.text and "key worker" not in rae.text

    bad = rae.post(WORDS, {"action": "upload", "file": (io.BytesIO(b"entries: ["), "ours.yaml")},
                   content_type="multipart/form-data")
    assert bad.status_code == 400 and "ours.yaml, line" in rae.text
    rae.get(WORDS)
    assert "support worker" in rae.text  # a bad file changes nothing


def test_a_viewer_sees_the_words_but_no_way_to_change_them(app):
    vic = signed_in(app, "vic")
    vic.get(WORDS)
    assert "placement" in vic.text and "Save the word" not in vic.text


# -- the hooks -------------------------------------------------------------------------------------


class WelshCheck:
    """A throwaway plugin: a check for Welsh texts, through the check_text hook."""

    @hookimpl
    def check_text(self, text, context):
        if context.language != "cy":
            return []
        return [Problem(context.survey.source, context.line, context.label, "Welsh seen", "error")]


class Broken:
    @hookimpl
    def check_text(self, text):
        raise RuntimeError("boom")


def _load(pm, path):
    return collect_loaders(pm, collect_question_types(pm))[".yaml"](str(path))


def test_the_check_text_hook_lets_other_plugins_check_each_text(tmp_path):
    (tmp_path / "cy.yaml").write_text(WELSH)
    pm = make_plugin_manager(load_entrypoints=False, extra=[WelshCheck(), Broken()])
    survey = _load(pm, tmp_path / "cy.yaml")
    advice = survey_advice(pm, survey)
    welsh = [p for p in advice if p.message == "Welsh seen"]
    assert [p.where for p in welsh] == ["survey, title", "survey, description",
                                       "question 'feel', label"]
    assert welsh[0].line == 1 and welsh[2].line == 5  # the question starts on line 5
    assert all(p.severity == "warning" for p in advice)  # advice, whatever a plugin said
    assert any("we can't score this language yet" in p.message for p in advice)
    one = check_text(pm, "Sut wyt ti?", TextPlace(survey, "question 'x'", "label", 3, "cy"))
    assert [p.message for p in one] == ["Welsh seen"]


def test_the_plugin_is_built_in_and_can_be_turned_off(tmp_path):
    (tmp_path / "wordy.yaml").write_text(WORDY.replace("  words: our-words.yaml\n", ""))
    pm = make_plugin_manager(load_entrypoints=False)
    assert "plain_language" in dict(pm.list_name_plugin())
    assert survey_advice(pm, _load(pm, tmp_path / "wordy.yaml"))
    quiet = make_plugin_manager(load_entrypoints=False, blocked=["plain_language"])
    assert survey_advice(quiet, _load(quiet, tmp_path / "wordy.yaml")) == []


# -- consent-kit check -----------------------------------------------------------------------------


def test_check_prints_advice_as_warnings_that_never_fail(tmp_path):
    (tmp_path / "wordy.yaml").write_text(WORDY)
    (tmp_path / "our-words.yaml").write_text(OUR_WORDS)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "wordy.yaml")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("wordy.yaml: OK – 'About your placement', 2 questions")
    assert any(":13: question 'worker', label, characters 11 to 20: “key worker”: there is no "
               "agreed word" in line for line in lines)
    assert "placement" not in result.output.split("OK –")[1].split("\n", 1)[1]  # taken out
    assert "your aim is 14 or under" in result.output  # the survey's own aim
    assert "piece(s) of advice on wording. They never stop a survey" in result.output


def test_check_strict_counts_advice_as_mistakes_for_those_who_want_that(tmp_path):
    (tmp_path / "wordy.yaml").write_text(WORDY)
    (tmp_path / "our-words.yaml").write_text(OUR_WORDS)
    result = CliRunner().invoke(cli, ["check", "--strict", str(tmp_path / "wordy.yaml")])
    assert result.exit_code == 1
    assert "counted as mistakes (--strict)" in result.output and "advice:" in result.output
    plain = tmp_path / "plain.yaml"
    plain.write_text(WORDY.replace("  words: our-words.yaml\n", ""))
    calm = CliRunner().invoke(cli, ["check", "--strict", str(tmp_path / "plain.yaml")])
    assert ("advice:" in calm.output) == (calm.exit_code == 1)


def test_check_shows_mistakes_first_and_still_fails_on_them(tmp_path):
    (tmp_path / "a-wordy.yaml").write_text(WORDY.replace("  words: our-words.yaml\n", ""))
    (tmp_path / "b-broken.yaml").write_text("title: Broken\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "a-wordy.yaml"),
                                      str(tmp_path / "b-broken.yaml")])
    assert result.exit_code == 1
    output = result.output
    assert output.index("b-broken.yaml") < output.index("advice:") < output.index("need fixing")


def test_a_missing_words_file_is_advice_too(tmp_path):
    (tmp_path / "wordy.yaml").write_text(WORDY)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "wordy.yaml")])
    assert result.exit_code == 0
    assert "The words file our-words.yaml isn't there" in result.output


def test_the_report_says_plainly_when_it_cant_score_a_language(make_app):
    app = make_app(forms={"cy.yaml": WELSH})
    populate(app)
    ada = signed_in(app, "ada")
    assert ada.get("/studio/surveys/cy/words").status_code == 200
    assert "Texts in Welsh (cy): we can't score this language yet." in ada.text
    assert "We can't score this language yet" in ada.text and "Reading age about" not in ada.text
