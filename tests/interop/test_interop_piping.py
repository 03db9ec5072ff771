"""``${name}``: earlier answers in the words of later questions (issue 18 item 2)."""

from __future__ import annotations

import re

import pytest
from test_interop_import import TYPES

from consent_kit.survey.load.common import SurveyText
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.survey.model import Question, SurveyError
from consent_kit.survey.piping import BLANK, fill, has_pipes, pipe_question, references
from consent_kit.testing import Participant

PIPED = """\
id: piped
title: Clubs
description: About the clubs you go to.
pages:
  - id: first
    questions:
      - id: club
        type: short_text
        label: Which club do you go to most?
      - id: mood
        type: single_choice
        label: How do you feel there?
        prefer_not_to_say: true
        choices:
          - {value: good, label: Good}
          - {value: bad, label: Not good}
      - id: sport
        type: yes_no
        label: Do you play sport?
  - id: second
    questions:
      - id: likes
        type: long_text
        label: "What do you like most about ${club}?"
        help: "You said you feel ${mood} there."
  - id: sports
    show_if: {question: sport, equals: "yes"}
    questions:
      - id: which_sport
        type: short_text
        label: Which sport?
  - id: third
    questions:
      - id: more
        type: short_text
        label: "Anything else about ${which_sport}?"
        required: false
"""


def test_references_fill_and_blank():
    assert references("About ${club} and ${ mood } and ${club}") == ["club", "mood"]
    assert references("It costs $5 {each}") == []
    assert fill("About ${club}?", {"club": "Judo"}.get) == "About Judo?"
    assert fill("About ${club}?", lambda name: "") == f"About {BLANK}?"
    assert fill("About ${club}?", lambda name: None) == f"About {BLANK}?"
    # Words from a survey file keep their language (for lang="..." on a fallback).
    text = fill(SurveyText("Am ${club}?", "questions.x.label", {"en": "About ${club}"}, "cy"), "Judo".format)
    assert isinstance(text, SurveyText) and text.lang == "cy" and str(text) == "Am Judo?"
    question = Question(id="x", type="short_text", label="Hi ${a}", help="Bye")
    assert has_pipes(question) and not has_pipes(Question(id="y", type="short_text", label="Hi"))
    assert pipe_question(question, "A".format).label == "Hi A"
    plain = Question(id="y", type="short_text", label="Hi")
    assert pipe_question(plain, "A".format) is plain


def test_a_survey_with_piping_loads():
    survey = load_survey_text(PIPED, path="piped.yaml", question_types=TYPES)
    assert str(survey.question("likes").label) == "What do you like most about ${club}?"


@pytest.mark.parametrize(("change", "line", "message"), [
    (("${club}?", "${clubb}?"), 24, "'label' uses ${clubb}: there is no question 'clubb' in this survey. "
                                    "Did you mean ${club}?"),
    (("${club}?", "${later}?"), 24, "there is no question 'later'"),
    (("${which_sport}", "${more}"), 36, "'label' uses ${more}: a question can't show its own answer"),
    (("Do you play sport?", "Sport, ${club}?"), 19, "question 'club' is on the same page, and its "
                                                     "answer isn't known until the page is sent"),
    (("Which sport?", "Which sport, ${more}?"), 31, "question 'more' comes later in the survey"),
    (("${mood} there", "${my mood} there"), 25, "'help' has ${my mood}, which can't be a question's id"),
])
def test_check_names_the_file_line_and_what_to_do(change, line, message):
    with pytest.raises(SurveyError) as caught:
        load_survey_text(PIPED.replace(*change), path="forms/piped.yaml", question_types=TYPES)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("forms/piped.yaml", line)
    assert message in str(problem)


def test_piping_in_another_language_is_checked_on_its_own_line():
    text = PIPED.replace('label: "What do you like most about ${club}?"',
                         'label:\n          en: "What do you like most about ${club}?"\n'
                         '          cy: "Beth wyt ti\'n hoffi am ${clwb}?"').replace(
                             "id: piped\n", "id: piped\nlanguage: en\n")
    with pytest.raises(SurveyError) as caught:
        load_survey_text(text, path="piped.yaml", question_types=TYPES)
    [problem] = caught.value.problems
    assert problem.line == 27 and "${clwb}" in problem.message


@pytest.fixture
def person(make_app):
    app = make_app(forms={"piped.yaml": PIPED})
    return Participant(app.test_client())


def _label(person: Participant, question_id: str) -> str:
    found = re.search(rf'<label for="{question_id}">(.*?)</label>', person.html, re.S)
    return found.group(1).strip()


def test_participants_see_their_earlier_answers_escaped(person):
    person.begin("piped")
    person.answer_page({"club": "<b>Judo</b> & Co", "mood": "bad", "sport": "no"})
    assert person.path.endswith("/page/second")
    # Escaped like every label: the answer can never become HTML on the page.
    assert _label(person, "likes").startswith("What do you like most about &lt;b&gt;Judo&lt;/b&gt; &amp; Co?")
    assert "<b>Judo</b>" not in person.html
    assert "You said you feel Not good there." in person.text
    assert "<title>What do you like most about &lt;b&gt;Judo" in person.html
    # The page with which_sport is skipped, so its place in a later label is a plain blank.
    person.answer_page({"likes": "The people."})
    assert _label(person, "more").startswith(f"Anything else about {BLANK}?")
    person.answer_page({"more": ""})
    assert person.path.endswith("/check")
    assert "What do you like most about &lt;b&gt;Judo&lt;/b&gt; &amp; Co?" in person.html


def test_prefer_not_to_say_and_a_missing_answer_show_a_blank(person):
    person.begin("piped")
    person.answer_page({"club": "Judo", "mood": "prefer_not_to_say", "sport": "yes"})
    assert f"You said you feel {BLANK} there." in person.text
    person.answer_page({"likes": "x"})
    person.answer_page({"which_sport": "Climbing"})
    assert _label(person, "more").startswith("Anything else about Climbing?")


def test_a_changed_answer_changes_the_words_and_nothing_is_kept_between_people(make_app):
    app = make_app(forms={"piped.yaml": PIPED})
    first, second = Participant(app.test_client()), Participant(app.test_client())
    for person, club in ((first, "Judo"), (second, "Chess")):
        person.begin("piped")
        person.answer_page({"club": club, "mood": "good", "sport": "no"})
    assert "about Judo?" in first.text and "about Chess?" in second.text
    assert not any("Judo" in str(html) or "Chess" in str(html)
                   for html in app.extensions["consent_kit"].question_html.values())


def _xlsform(tmp_path, rows, name="form.xlsx"):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "survey"
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / name)
    return tmp_path / name


def test_xlsform_piping_comes_across_by_the_questions_ids(tmp_path):
    from test_interop_import import imported, notes

    path = _xlsform(tmp_path, [
        ["type", "name", "label::English (en)", "label::Cymraeg (cy)", "hint::English (en)", "appearance"],
        ["text", "first name", "What should we call you?", "Beth yw dy enw?", "", ""],
        ["note", "hello", "Hello ${first name}!", "Helo ${first name}!", "Hi, ${first name}", ""],
        ["begin group", "more", "More", "", "", "field-list"],
        ["text", "town", "Where do you live?", "", "", ""],
        ["text", "why", "Why ${town}?", "", "", ""],
        ["end group", "", "", "", "", ""],
        ["text", "later", "And after ${town}, ${nothing}?", "", "", ""],
    ])
    survey, definition, report = imported(path, tmp_path)
    hello = survey.question("hello")
    assert str(hello.label) == "Hello ${first_name}!"
    assert hello.label.translations == {"cy": "Helo ${first_name}!"}
    assert str(hello.help) == "Hi, ${first_name}"
    # On the same page (a field-list group), or naming no question: marked for the researcher.
    assert str(survey.question("why").label) == "[Change this] Why [answer to town]?"
    assert str(survey.question("later").label).startswith("[Change this] And after [answer to town]")
    text = notes(report)
    assert ("row 6, `text` why: an earlier answer put into the words (${town}) isn't imported — 'town' is "
            "on the same page") in text
    assert ("row 8, `text` later: an earlier answer put into the words (${town}) isn't imported — "
            "'nothing'") in text
    assert "row 3" not in text


def test_piping_round_trips_through_xlsform_export(tmp_path):
    import io

    from test_interop_import import imported

    from consent_kit.defaults.exporters import XlsformExporter

    survey = load_survey_text(PIPED, path="piped.yaml", question_types=TYPES)
    out = io.BytesIO()
    XlsformExporter().write(survey, [], out)
    (tmp_path / "piped.xlsx").write_bytes(out.getvalue())
    again, _, report = imported(tmp_path / "piped.xlsx", tmp_path)
    assert str(again.question("likes").label) == "What do you like most about ${club}?"
    assert str(again.question("likes").help) == "You said you feel ${mood} there."
    assert str(again.question("more").label) == "Anything else about ${which_sport}?"
    assert not [line for line in report.lines() if "earlier answer" in line]


def test_redcap_piping_comes_across(tmp_path):
    from test_interop_import import imported, notes

    path = tmp_path / "club_DataDictionary.csv"
    path.write_text(
        '"Variable / Field Name","Form Name","Section Header","Field Type","Field Label","Choices, '
        'Calculations, OR Slider Labels"\n'
        "record_id,club,,text,Record ID,\n"
        "club,club,,text,Which club?,\n"
        'likes,club,,notes,"What do you like about [club]?",\n'
        'odd,club,,notes,"And [nowhere]?",\n', encoding="utf-8")
    survey, _, report = imported(path, tmp_path)
    assert str(survey.question("likes").label) == "What do you like about ${club}?"
    assert str(survey.question("odd").label) == "[Change this] And [answer to nowhere]?"
    assert ("`notes` odd: an earlier answer put into the words ([nowhere]) isn't imported — "
            "'nowhere'") in notes(report)


def test_the_builder_preview_shows_the_words_with_the_answers_in(make_app):
    from consent_kit.testing import PASSWORD, Browser, populate

    app = make_app(forms={"piped.yaml": PIPED})
    populate(app).assign_survey("piped", "alpha")
    rae = Browser(app)
    rae.login("rae", PASSWORD)
    preview = "/studio/surveys/piped/build/preview"
    response = rae.post(preview, {})
    while not response.location.endswith("/page/first"):
        response = rae.post(response.location, {})
    response = rae.post(response.location, {"club": "<i>Judo</i>", "mood": "good", "sport": "no"})
    assert response.location.endswith("/page/second")
    rae.get(response.location)
    assert "What do you like most about &lt;i&gt;Judo&lt;/i&gt;?" in rae.last.get_data(as_text=True)


def test_an_error_message_names_the_question_with_the_answer_in(person):
    person.begin("piped")
    person.answer_page({"club": "Judo", "mood": "good", "sport": "no"})
    person.answer_page({"likes": ""})  # required, left empty
    assert person.path.endswith("/page/second") and person.last.status_code == 200
    from consent_kit.testing import errors_in

    [message] = errors_in(person.html)
    assert "Judo" in message and "${" not in person.html


def test_consent_kit_check_names_the_file_and_line(tmp_path):
    from click.testing import CliRunner

    from consent_kit.cli import cli

    path = tmp_path / "clubs.yaml"
    path.write_text(PIPED.replace("${club}?", "${clubb}?"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code != 0
    assert (f"{path}:24: question 'likes': 'label' uses ${{clubb}}: there is no question 'clubb' in this "
            "survey. Did you mean ${club}?") in result.output
