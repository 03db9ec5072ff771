"""Tests for the survey-file loader (consent_kit/survey/load/survey_file.py and its loader_* parts).

The question types here are small stand-ins named like the core types, so
these tests don't depend on the real ones (written elsewhere).
"""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from consent_kit_plugins import plain_language
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent_kit.incentives import plugin as incentives_plugin
from consent_kit.survey.load.survey_file import (
    check_files,
    load_survey_file,
    load_survey_text,
    survey_version,
)
from consent_kit.survey.model import (
    DEFAULT_EXIT_URL,
    PREFER_NOT_TO_SAY,
    Choice,
    Problem,
    Survey,
    SurveyError,
)
from consent_kit.survey.question_types import QuestionType, QuestionTypeRegistry

ROOT = Path(__file__).resolve().parents[2]
FORMS = sorted((ROOT / "forms").glob("*.yaml"))
CORE_TYPES = {"short_text", "long_text", "number", "single_choice", "multiple_choice",
              "yes_no", "scale", "date", "info"}


# --- a registry of stand-in question types -------------------------------------------------

class ShortText(QuestionType):
    name = "short_text"


class LongText(QuestionType):
    name = "long_text"


class Number(QuestionType):
    name = "number"


class SingleChoice(QuestionType):
    name = "single_choice"
    needs_choices = True
    prefer_not_to_say_is_choice = True


class MultipleChoice(QuestionType):
    name = "multiple_choice"
    needs_choices = True
    many_answers = True


class YesNo(QuestionType):
    name = "yes_no"
    needs_choices = True

    def default_choices(self):
        return (Choice("yes", "Yes"), Choice("no", "No"))


class Scale(QuestionType):
    name = "scale"
    option_names = ("min", "max", "min_label", "max_label")

    def check_definition(self, question):
        low, high = question.options.get("min", 1), question.options.get("max", 5)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
            return ["a scale's min and max must be whole numbers, like 'min: 1' and 'max: 5'."]
        if low >= high:
            return [f"the scale's min ({low}) must be smaller than its max ({high}). Swap them."]
        return []


class Date(QuestionType):
    name = "date"
    option_names = ("not_in_future",)


class Info(QuestionType):
    name = "info"
    takes_answer = False


def make_registry(*extra: QuestionType) -> QuestionTypeRegistry:
    """Stand-in question types, with the survey settings the built-in plugins own.

    ``incentive`` and ``plain_language`` belong to plugins (``register_survey_settings``);
    the examples use them, so the registry the loader gets knows them, as a real app's does.
    """
    registry = QuestionTypeRegistry()
    for qtype in (ShortText(), LongText(), Number(), SingleChoice(), MultipleChoice(), YesNo(),
                  Scale(), Date(), Info(), *extra):
        registry.register(qtype, plugin="tests")
    for owner in (incentives_plugin, plain_language):
        owner.register_survey_settings(
            register=lambda setting, _name=owner.__name__: registry.settings.register(
                setting, plugin=_name))
    return registry


TYPES = make_registry()


# --- helpers ------------------------------------------------------------------------------

def src(text: str) -> str:
    """Dedent a YAML snippet (its first line is line 1)."""
    return textwrap.dedent(text).lstrip("\n")


def line_with(text: str, marker: str) -> int:
    """The 1-based line holding ``marker``, which must be on exactly one line."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if marker in line]
    assert len(found) == 1, f"marker {marker!r} is on lines {found}"
    return found[0]


def load(text: str, path: str = "forms/test.yaml", types=TYPES, **kwargs) -> Survey:
    return load_survey_text(text, path=path, question_types=types, **kwargs)


def problems(text: str, path: str = "forms/test.yaml", types=TYPES) -> list[Problem]:
    with pytest.raises(SurveyError) as caught:
        load(text, path, types)
    assert caught.value.problems, "a SurveyError must list at least one problem"
    return caught.value.problems


def the_problem(text: str, fragment: str, **kwargs) -> Problem:
    """The one problem whose message contains ``fragment``."""
    found = [p for p in problems(text, **kwargs) if fragment in p.message]
    assert len(found) == 1, f"{fragment!r} in {[str(p) for p in problems(text, **kwargs)]}"
    return found[0]


HEAD = "title: A test survey\ndescription: Just for tests.\n"


def with_questions(body: str) -> str:
    return HEAD + "questions:\n" + textwrap.indent(src(body), "  ")


def with_pages(body: str) -> str:
    return HEAD + "pages:\n" + textwrap.indent(src(body), "  ")


GOOD = src("""
    id: good-survey
    title: A good survey
    description: It works.
    pages:
      - id: first
        questions:
          - id: pets
            type: multiple_choice
            label: Which pets do you have?
            choices: [Dog, Cat, {value: fish, label: A fish, hint: Or any fish}]
          - id: has_job
            type: yes_no
            label: Do you have a job?
            prefer_not_to_say: true
      - title: More
        show_if: {question: has_job, equals: "yes"}
        questions:
          - id: job
            type: short_text
            label: What is your job?
            help: A few words.
            required: false
            validation: {min_length: 2, max_length: 50, message: Use 2 to 50 letters}
          - id: dog_name_ok
            type: yes_no
            label: Is your dog happy?
            show_if: {question: pets, includes: Dog}
          - id: feel
            type: scale
            label: How do you feel?
            min: 1
            max: 5
            min_label: Bad
            max_label: Good
          - id: note
            type: info
            label: Thank you.
    """)


# --- the example surveys ------------------------------------------------------------------

def test_there_are_at_least_two_example_surveys():
    names = {p.name for p in FORMS}
    assert {"have-your-say.yaml", "event-feedback.yaml"} <= names


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_example_loads_cleanly(path):
    survey = load_survey_file(path, question_types=TYPES, display_path=f"forms/{path.name}")
    assert survey.id == path.stem
    assert survey.source == f"forms/{path.name}"
    assert survey.title and survey.description and survey.questions
    assert check_files([path], question_types=TYPES) == {str(path): []}


def test_examples_together_use_every_core_type():
    used = {q.type for path in FORMS
            for q in load_survey_file(path, question_types=TYPES).questions}
    assert CORE_TYPES <= used


def test_examples_use_show_if_prefer_not_to_say_and_validation():
    questions = [q for path in FORMS for q in load_survey_file(path, question_types=TYPES).questions]
    pages = [p for path in FORMS for p in load_survey_file(path, question_types=TYPES).pages]
    assert any(q.prefer_not_to_say for q in questions)
    assert any(q.validation.min is not None for q in questions if q.type == "number")
    assert any(q.show_if for q in questions) and any(p.show_if for p in pages)
    assert any(q.show_if and q.show_if.operator == "includes" for q in questions)
    scale = next(q for q in questions if q.type == "scale")
    assert {"min", "max", "min_label", "max_label"} <= set(scale.options)


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_examples_avoid_jargon_about_people_and_collect_no_names(path):
    text = path.read_text(encoding="utf-8").lower()
    for word in ("placement", "looked-after", "looked after", "service user", "lac ",
                 "date of birth", "your name?", "email"):
        assert word not in text, f"{path.name} says {word!r}"


# --- what a good file becomes -------------------------------------------------------------

def test_good_survey_builds_the_model():
    survey = load(GOOD, path="forms/good.yaml")
    assert survey.id == "good-survey" and survey.language == "en" and survey.status == "open"
    assert [p.id for p in survey.pages] == ["first", "page-2"]
    assert survey.pages[1].title == "More" and survey.pages[0].title == ""
    pets = survey.question("pets")
    assert pets.choices == (Choice("Dog", "Dog"), Choice("Cat", "Cat"),
                            Choice("fish", "A fish", "Or any fish"))
    assert pets.required is True and pets.prefer_not_to_say is False
    assert pets.line == line_with(GOOD, "id: pets")
    assert survey.question("has_job").choices == (Choice("yes", "Yes"), Choice("no", "No"))
    job = survey.question("job")
    assert job.required is False and job.help == "A few words."
    assert (job.validation.min_length, job.validation.max_length) == (2, 50)
    assert job.validation.message == "Use 2 to 50 letters"
    assert survey.pages[1].show_if.question == "has_job"
    assert survey.pages[1].show_if.operator == "equals" and survey.pages[1].show_if.value == "yes"
    assert survey.question("feel").options == {"min": 1, "max": 5, "min_label": "Bad",
                                               "max_label": "Good"}
    note = survey.question("note")
    assert note.required is False and note.type == "info"
    assert survey.source == "forms/good.yaml"
    assert type(survey.definition) is dict and survey.definition["id"] == "good-survey"
    assert type(survey.definition["pages"][0]) is dict


def test_top_level_questions_each_get_a_page_named_after_them():
    survey = load(with_questions("""
        - id: first
          type: short_text
          label: One
        - id: second
          type: date
          label: Two
        """))
    assert [(p.id, [q.id for q in p.questions]) for p in survey.pages] == [
        ("first", ["first"]), ("second", ["second"])]


def test_id_defaults_to_file_name_then_survey_id_argument():
    text = with_questions("- {id: a, type: short_text, label: A}")
    assert load(text, path="forms/youth-voice.yaml").id == "youth-voice"
    assert load(text, path="forms/youth-voice.yml").id == "youth-voice"
    assert load(text, path="upload", survey_id="from-store").id == "from-store"
    assert load("id: own-id\n" + text, survey_id="from-store").id == "own-id"


def test_optional_top_level_settings_are_read():
    survey = load(src("""
        title: T
        description: D
        language: cy
        time_to_complete: about 5 minutes
        status: closed
        questions: [{id: a, type: short_text, label: A}]
        """))
    assert (survey.language, survey.time_to_complete, survey.status) == (
        "cy", "about 5 minutes", "closed")
    assert not survey.is_open


#: A valid incentive (consent_kit/incentives/rules.py checks it; tests/test_incentives.py in detail).
INCENTIVE = {"reward": "a voucher", "amount": 10, "ways": ["contact"]}


def test_other_features_keys_are_kept_in_extra():
    survey = load(HEAD + src("""
        incentive: {reward: a voucher, amount: 10, ways: [contact]}
        translations: {cy: {}}
        questions: [{id: a, type: short_text, label: A}]
        """))
    assert survey.extra == {"incentive": INCENTIVE, "translations": {"cy": {}}}
    # Leave this page is on unless switched off with a reason (issue 15 item 5).
    assert (survey.consent, survey.support, survey.exit_url) == (None, None, DEFAULT_EXIT_URL)


def test_consent_support_and_exit_page_are_read_not_kept_in_extra():
    # tests/test_loader_consent.py checks them in detail
    survey = load(HEAD + src("""
        consent:
          information: [{heading: About this survey, text: A survey.}]
          statements: [{id: take_part, text: I want to take part}]
        incentive: {reward: a voucher, amount: 10, ways: [contact]}
        support: {intro: You are not alone., contacts: [{name: Childline, phone: 0800 1111}]}
        exit_page: https://www.bbc.co.uk/weather
        questions: [{id: a, type: short_text, label: A}]
        """))
    assert survey.extra == {"incentive": INCENTIVE}
    assert survey.consent.statements[0].id == "take_part"
    assert survey.support.contacts[0].phone == "0800 1111"
    assert survey.exit_url == "https://www.bbc.co.uk/weather"
    assert {"consent", "support", "exit_page"} <= set(survey.definition)


def test_yes_no_and_dates_and_leading_zeros_stay_words():
    text = src("""
        title: T
        description: D
        pages:
          - questions:
              - {id: ok, type: yes_no, label: OK}
              - {id: club, type: single_choice, label: Club, choices: [01234, 2025-03-07, on]}
          - show_if: {question: ok, equals: yes}
            questions:
              - {id: why, type: short_text, label: Why}
        """)
    survey = load(text)
    assert survey.pages[1].show_if.value == "yes"
    assert [c.value for c in survey.question("club").choices] == ["01234", "2025-03-07", "on"]


def test_numbers_in_text_and_choice_values_become_text():
    survey = load(with_questions("- {id: n, type: single_choice, label: 42, choices: [1, 2.5]}"))
    question = survey.question("n")
    assert question.label == "42"
    assert [c.value for c in question.choices] == ["1", "2.5"]


def test_yes_no_without_needs_choices_still_gets_its_defaults():
    class LooseYesNo(YesNo):
        needs_choices = False

    registry = QuestionTypeRegistry()
    registry.register(LooseYesNo())
    survey = load(with_questions("- {id: q, type: yes_no, label: OK}"), types=registry)
    assert [c.value for c in survey.question("q").choices] == ["yes", "no"]
    own = load(with_questions("- {id: q, type: yes_no, label: OK, choices: [Yep, Nope]}"),
               types=registry)
    assert [c.label for c in own.question("q").choices] == ["Yep", "Nope"]


# --- the message format ---------------------------------------------------------------------

def test_problem_reads_like_the_example_in_the_brief():
    text = HEAD + "questions:\n" + "".join(
        f"  - id: q{n}\n    type: short_text\n    label: Q{n}\n" for n in range(1, 4)
    ) + "  - id: age\n    type: nmber\n    label: How old are you?\n"
    assert line_with(text, "type: nmber") == 14
    [problem] = problems(text, path="forms/youth.yaml")
    assert str(problem) == ("forms/youth.yaml:14: question 'age': unknown type 'nmber' "
                            "— did you mean 'number'?")


def test_every_problem_in_a_file_is_reported_in_line_order():
    text = src("""
        titel: Oops
        description: D
        questions:
          - id: age
            type: nmber
            label: How old?
          - id: age
            type: short_text
          - id: pets
            type: single_choice
            label: Pets?
        """)
    found = problems(text)
    lines = [p.line for p in found]
    assert lines == sorted(lines)
    messages = " | ".join(p.message for p in found)
    for expected in ("did you mean 'title'", "has no title", "did you mean 'number'",
                     "has no label", "also used by the question on line 4",
                     "needs choices"):
        assert expected in messages
    assert len(found) == 6


# --- survey-level rules ---------------------------------------------------------------------

def test_missing_title_and_description():
    text = "questions: [{id: a, type: short_text, label: A}]\n"
    title = the_problem(text, "has no title")
    assert title.line == 1 and "title:" in title.message and "Add" in title.message
    description = the_problem(text, "has no description")
    assert "Add 'description:'" in description.message


def test_empty_title_is_reported_on_its_line():
    text = "description: D\ntitle: '  '\nquestions: [{id: a, type: short_text, label: A}]\n"
    assert the_problem(text, "has no title").line == 2


def test_text_given_as_a_list_or_true_is_explained():
    text = src("""
        title: [a, b]
        description: true
        questions: [{id: a, type: short_text, label: A}]
        """)
    assert the_problem(text, "'title' should be words, not a list").line == 1
    problem = the_problem(text, "'description' should be words, not true")
    assert problem.line == 2 and "quotes" in problem.message


def test_unknown_top_level_setting_with_and_without_a_guess():
    text = HEAD + "langauge: en\nfavourite_colour: blue\nquestions: [{id: a, type: date, label: A}]\n"
    guess = the_problem(text, "'langauge'")
    assert guess.line == 3 and guess.message.endswith("did you mean 'language'?")
    unknown = the_problem(text, "'favourite_colour'")
    assert unknown.line == 4 and "remove it" in unknown.message and "title" in unknown.message


def test_synonym_suggests_the_right_setting():
    text = "name: T\ndescription: D\nquestions: [{id: a, type: date, label: A}]\n"
    assert "did you mean 'title'?" in the_problem(text, "'name'").message


@pytest.mark.parametrize("value, fragment", [
    ("Have Your Say", "Try 'have-your-say'"),
    ("youth_2024", "Try 'youth-2024'"),
    ("-start", "lowercase letters, digits and hyphens"),
])
def test_survey_id_format(value, fragment):
    text = HEAD + f"id: '{value}'\nquestions: [{{id: a, type: date, label: A}}]\n"
    problem = the_problem(text, "The survey id")
    assert problem.line == 3 and fragment in problem.message


def test_empty_survey_and_page_ids():
    text = HEAD + "id:\npages:\n  - id: ''\n    questions: [{id: a, type: date, label: A}]\n"
    survey_id = the_problem(text, "Write the survey's id")
    assert survey_id.line == 3 and survey_id.message.startswith("'id:' is empty")
    page_id = the_problem(text, "Write the page's id")
    assert page_id.line == 5 and page_id.where == "page 1"


def test_file_name_that_cannot_be_an_id():
    text = with_questions("- {id: a, type: date, label: A}")
    problem = the_problem(text, "file name", path="forms/My Survey.yaml")
    assert problem.line == 1 and "id: my-survey" in problem.message


@pytest.mark.parametrize("status, hint", [("opened", "did you mean 'open'?"),
                                          ("paused", "must be open or closed")])
def test_status_must_be_open_or_closed(status, hint):
    text = HEAD + f"status: {status}\nquestions: [{{id: a, type: date, label: A}}]\n"
    problem = the_problem(text, "'status'")
    assert problem.line == 3 and hint in problem.message


def test_language_must_be_a_code():
    text = HEAD + "language: English please\nquestions: [{id: a, type: date, label: A}]\n"
    problem = the_problem(text, "language code")
    assert problem.line == 3 and "'cy'" in problem.message


def test_both_pages_and_questions():
    text = HEAD + src("""
        pages:
          - questions: [{id: a, type: date, label: A}]
        questions: [{id: b, type: date, label: B}]
        """)
    problem = the_problem(text, "both 'pages:' and 'questions:'")
    assert problem.line == line_with(text, "questions: [{id: b") and "Use only one" in problem.message


def test_no_pages_and_no_questions():
    problem = the_problem(HEAD, "no questions")
    assert problem.line == 1 and "Add 'questions:'" in problem.message


@pytest.mark.parametrize("value", ["[]", "hello", "{a: 1}"])
def test_questions_must_be_a_list(value):
    problem = the_problem(HEAD + f"questions: {value}\n", "should be a list of questions")
    assert problem.line == 3


# --- pages ---------------------------------------------------------------------------------

def test_page_with_no_questions():
    text = with_pages("""
        - id: empty
          title: Nothing here
        - questions: [{id: a, type: date, label: A}]
        """)
    problem = the_problem(text, "this page has no questions")
    assert problem.where == "page 1" and problem.line == line_with(text, "id: empty")
    assert "or delete the page" in problem.message


def test_unknown_page_key():
    text = with_pages("""
        - heading: About you
          questions: [{id: a, type: date, label: A}]
        """)
    problem = the_problem(text, "'heading'")
    assert problem.where == "page 1" and problem.line == 4
    assert "did you mean 'title'?" in problem.message


def test_duplicate_page_ids():
    text = with_pages("""
        - id: about
          questions: [{id: a, type: date, label: A}]
        - id: about
          questions: [{id: b, type: date, label: B}]
        """)
    problem = the_problem(text, "already has the id 'about'")
    assert problem.where == "page 2" and problem.line == 6


def test_default_page_id_clashes_with_a_written_one():
    text = with_pages("""
        - id: page-2
          questions: [{id: a, type: date, label: A}]
        - questions: [{id: b, type: date, label: B}]
        """)
    problem = the_problem(text, "so it is called 'page-2'")
    assert problem.line == 6 and "another id" in problem.message


def test_page_id_format():
    text = with_pages("""
        - id: about you
          questions: [{id: a, type: date, label: A}]
        """)
    problem = the_problem(text, "the page id")
    assert problem.line == 4 and "no spaces" in problem.message


def test_page_that_is_not_a_mapping():
    text = with_pages("- just words\n- questions: [{id: a, type: date, label: A}]")
    assert the_problem(text, "each page should be").line == 4


# --- questions -----------------------------------------------------------------------------

def test_missing_id_type_and_label():
    text = with_questions("""
        - help: Nothing else
        """)
    found = {p.message.split(".")[0]: p for p in problems(text)}
    assert set(found) == {"this question has no id", "this question has no type",
                          "this question has no label"}
    assert all(p.line == 4 and p.where == "question 1" for p in found.values())
    assert "Add 'type:' with one of: date, info" in found["this question has no type"].message


def test_question_numbering_names_the_page_when_there_is_no_id():
    text = with_pages("""
        - questions:
            - {id: a, type: date, label: A}
        - questions:
            - {id: b, type: date, label: B}
            - {type: date, label: C}
        """)
    assert the_problem(text, "has no id").where == "question 2 on page 2"


@pytest.mark.parametrize("value", ["2age", "how old", "age!", "_age"])
def test_question_id_format(value):
    text = with_questions(f"- {{id: '{value}', type: date, label: A}}")
    problem = the_problem(text, "can't be used")
    assert problem.line == 4 and "starts with a letter" in problem.message


def test_question_id_suggestion():
    text = with_questions("- {id: 'how old', type: number, label: A}")
    assert "Try 'how_old'" in the_problem(text, "can't be used").message


def test_duplicate_question_ids_across_pages():
    text = with_pages("""
        - questions:
            - {id: age, type: number, label: A}
        - questions:
            - {id: other, type: number, label: B}
            - id: age
              type: number
              label: C
        """)
    problem = the_problem(text, "is also used")
    assert problem.line == line_with(text, "- id: age")
    assert "line 5" in problem.message and "change one" in problem.message


def test_unknown_type_did_you_mean():
    text = with_questions("- {id: a, type: single_chioce, label: A, choices: [x, y]}")
    problem = the_problem(text, "unknown type")
    assert problem.line == 4 and problem.message.endswith("did you mean 'single_choice'?")


@pytest.mark.parametrize("written, meant", [("radio", "single_choice"),
                                             ("Multiple choice", "multiple_choice"),
                                             ("yes-no", "yes_no"), ("rating", "scale"),
                                             ("Number", "number"), ("chioce", "single_choice"),
                                             ("chekbox", "multiple_choice"), ("dropdwon", "single_choice")])
def test_unknown_type_suggests_from_everyday_names(written, meant):
    text = with_questions(f"- {{id: a, type: '{written}', label: A}}")
    assert the_problem(text, "unknown type").message.endswith(f"did you mean '{meant}'?")


def test_unknown_type_with_nothing_close_lists_the_types():
    text = with_questions("- {id: a, type: hologram, label: A}")
    message = the_problem(text, "unknown type").message
    assert "did you mean" not in message
    for name in CORE_TYPES:
        assert name in message


def test_type_that_is_not_a_word():
    text = with_questions("- {id: a, type: [number], label: A}")
    assert "should be a word" in the_problem(text, "type").message


def test_unknown_question_key_did_you_mean():
    text = with_questions("""
        - id: a
          type: short_text
          label: A
          requird: false
        """)
    problem = the_problem(text, "'requird'")
    assert problem.line == 7 and problem.where == "question 'a'"
    assert problem.message.endswith("did you mean 'required'?")


def test_hint_on_a_question_means_help():
    text = with_questions("- {id: a, type: short_text, label: A, hint: Tell us}")
    assert "did you mean 'help'?" in the_problem(text, "'hint'").message


def test_setting_of_another_type_says_which_type():
    text = with_questions("- {id: a, type: number, label: A, min_label: Low}")
    problem = the_problem(text, "'min_label'")
    assert "setting for 'scale' questions" in problem.message and "change the type" in problem.message


def test_limit_on_the_question_belongs_under_validation():
    text = with_questions("""
        - id: age
          type: number
          label: How old?
          min: 11
        """)
    problem = the_problem(text, "'min'")
    assert problem.line == 7 and "validation:" in problem.message and "Move it" in problem.message


def test_optional_key_says_use_required_false():
    text = with_questions("- {id: a, type: short_text, label: A, optional: true}")
    assert "required: false" in the_problem(text, "optional").message


@pytest.mark.parametrize("key", ["required", "prefer_not_to_say"])
@pytest.mark.parametrize("value", ["maybe", "1", "yes"])
def test_flags_must_be_true_or_false(key, value):
    text = with_questions(f"""
        - id: a
          type: short_text
          label: A
          {key}: {value}
        """)
    problem = the_problem(text, f"'{key}' must be true or false")
    assert problem.line == 7 and f"'{key}: true'" in problem.message


def test_info_takes_no_answer_settings():
    text = with_questions("""
        - id: hello
          type: info
          label: Hello
          required: true
          prefer_not_to_say: true
        """)
    found = [p for p in problems(text) if "takes no answer" in p.message]
    assert [p.line for p in found] == [7, 8]
    assert all("Remove it" in p.message for p in found)


def test_info_may_say_required_false():
    survey = load(with_questions("- {id: hello, type: info, label: Hello, required: false}"))
    assert survey.question("hello").required is False


def test_type_check_definition_is_reported_at_the_question_line():
    text = with_questions("""
        - id: mood
          type: scale
          label: Mood?
          min: 5
          max: 1
        """)
    problem = the_problem(text, "must be smaller than its max")
    assert problem.line == 4 and problem.where == "question 'mood'"


def test_a_crashing_type_check_is_reported_not_raised():
    class Broken(QuestionType):
        name = "broken"

        def check_definition(self, question):
            raise ZeroDivisionError("oops")

    text = with_questions("- {id: b, type: broken, label: B}")
    problem = the_problem(text, "failed while checking", types=make_registry(Broken()))
    assert problem.line == 4 and "not in your file" in problem.message


# --- choices -------------------------------------------------------------------------------

def test_choices_missing_for_a_type_that_needs_them():
    text = with_questions("""
        - id: pets
          type: multiple_choice
          label: Pets?
        """)
    problem = the_problem(text, "needs choices")
    assert problem.line == 4 and "Add 'choices:'" in problem.message


def test_choices_given_to_a_type_that_has_none():
    text = with_questions("""
        - id: age
          type: number
          label: Age?
          choices: [1, 2]
        """)
    problem = the_problem(text, "doesn't have choices")
    assert problem.line == 7
    assert "Remove 'choices:'" in problem.message and "'single_choice'" in problem.message


def test_duplicate_choice_values():
    text = with_questions("""
        - id: pets
          type: single_choice
          label: Pets?
          choices:
            - Dog
            - Cat
            - {value: Dog, label: A dog}
        """)
    problem = the_problem(text, "same value 'Dog' as choice 1")
    assert problem.line == line_with(text, "{value: Dog")
    assert problem.where == "choice 3 of question 'pets'" and "own value" in problem.message


def test_empty_and_reserved_and_labelless_choices():
    text = with_questions("""
        - id: pets
          type: single_choice
          label: Pets?
          choices:
            - Dog
            -
            - prefer_not_to_say
            - {hint: Only a hint}
            - {value: cat, lable: Cat}
        """)
    assert the_problem(text, "this choice is empty").line == 9
    reserved = the_problem(text, "kept for the")
    assert reserved.line == 10 and "prefer_not_to_say: true" in reserved.message
    assert the_problem(text, "has no label").where == "choice 4 of question 'pets'"
    typo = the_problem(text, "'lable'")
    assert typo.line == 12 and "did you mean 'label'?" in typo.message


def test_choices_that_are_not_a_list():
    text = with_questions("- {id: p, type: single_choice, label: P, choices: Dog}")
    assert "should be a list" in the_problem(text, "'choices'").message


def test_choice_value_true_must_be_quoted():
    text = with_questions("- {id: p, type: single_choice, label: P, choices: [a, true]}")
    assert "quotes" in the_problem(text, "'choice' should be words").message


# --- validation ----------------------------------------------------------------------------

def test_validation_min_bigger_than_max():
    text = with_questions("""
        - id: age
          type: number
          label: Age?
          validation:
            min: 25
            max: 11
        """)
    problem = the_problem(text, "min (25) is bigger than max (11)")
    assert problem.line == 8 and "Swap them" in problem.message


def test_validation_lengths():
    text = with_questions("""
        - id: story
          type: long_text
          label: Story?
          validation:
            min_length: 50
            max_length: 10
        - id: other
          type: short_text
          label: Other?
          validation: {min_length: -1, max_length: lots}
        """)
    assert the_problem(text, "min_length (50) is bigger than max_length (10)").line == 8
    negative = the_problem(text, "'min_length' should be a whole number")
    assert negative.line == 13 and "0 or more" in negative.message
    assert the_problem(text, "'max_length' should be a whole number").where == "question 'other'"


def test_validation_min_must_be_a_number():
    text = with_questions("- {id: a, type: number, label: A, validation: {min: ten, max: .inf}}")
    assert "'min: 10'" in the_problem(text, "'min' should be a number").message
    assert the_problem(text, "'max' should be a number").line == 4


def test_validation_pattern_that_is_not_a_valid_regex():
    text = with_questions("""
        - id: code
          type: short_text
          label: Code?
          validation:
            pattern: '^[0-9+$'
        """)
    problem = the_problem(text, "doesn't work")
    assert problem.line == 8
    assert "'^[0-9+$'" in problem.message and "brackets" in problem.message


def test_validation_unknown_key_and_not_a_mapping():
    text = with_questions("""
        - id: a
          type: number
          label: A
          validation: {minimum: 1}
        - id: b
          type: number
          label: B
          validation: 5
        """)
    assert "did you mean 'min'?" in the_problem(text, "'minimum'").message
    assert the_problem(text, "validation should be a group").line == 11


def test_good_validation_is_kept():
    survey = load(with_questions(
        "- {id: a, type: short_text, label: A, validation: {pattern: '^[0-9]+$', message: Digits}}"))
    assert survey.question("a").validation.pattern == "^[0-9]+$"


# --- show_if -------------------------------------------------------------------------------

SHOW_IF_BASE = """
    - questions:
        - {id: has_job, type: yes_no, label: Job, prefer_not_to_say: true}
        - {id: pets, type: multiple_choice, label: Pets, choices: [Dog, Cat]}
        - {id: colour, type: single_choice, label: Colour, choices: [Red, Blue]}
        - {id: age, type: number, label: Age}
        - {id: intro, type: info, label: Hello}
    - questions:
        - id: follow_up
          type: short_text
          label: Tell us more
          show_if: %s
    - questions:
        - {id: later, type: short_text, label: Later}
    """


def show_if_problem(condition: str, fragment: str) -> Problem:
    text = with_pages(SHOW_IF_BASE % condition)
    problem = the_problem(text, fragment)
    assert problem.line == line_with(text, "show_if:")
    assert problem.where == "question 'follow_up'"
    return problem


@pytest.mark.parametrize("condition", [
    '{question: has_job, equals: "yes"}', "{question: has_job, not_equals: no}",
    "{question: pets, includes: Dog}", "{question: colour, equals: Red}",
    "{question: age, equals: 18}", "{question: has_job, equals: prefer_not_to_say}",
])
def test_good_conditions_load(condition):
    survey = load(with_pages(SHOW_IF_BASE % condition))
    assert survey.question("follow_up").show_if.question in condition


def test_show_if_needs_a_question():
    problem = show_if_problem("{equals: 'yes'}", "needs 'question:'")
    assert "earlier question" in problem.message


def test_show_if_needs_one_operator():
    assert "equals:" in show_if_problem("{question: has_job}", "needs one of").message
    problem = show_if_problem("{question: has_job, equals: 'yes', includes: 'no'}", "only one of")
    assert "Keep one" in problem.message


def test_show_if_unknown_key_did_you_mean():
    problem = show_if_problem("{question: has_job, equal: 'yes'}", "'equal'")
    assert "did you mean 'equals'?" in problem.message


def test_show_if_not_a_mapping_or_list_value():
    problem = show_if_problem("has_job is yes", "show_if should say")
    assert "{question: has_job" in problem.message
    problem = show_if_problem("{question: colour, equals: [Red, Blue]}", "needs one answer")
    assert "one choice" in problem.message


def test_show_if_unknown_question_did_you_mean():
    problem = show_if_problem("{question: has_jb, equals: 'yes'}", "there is no question")
    assert problem.message.endswith("did you mean 'has_job'?")


def test_show_if_question_on_the_same_page():
    text = with_pages("""
        - questions:
            - {id: has_job, type: yes_no, label: Job}
            - id: job
              type: short_text
              label: What job?
              show_if: {question: has_job, equals: "yes"}
        """)
    problem = the_problem(text, "same page")
    assert problem.line == line_with(text, "show_if:") and "move it to an earlier page" in problem.message


def test_page_show_if_on_its_own_question():
    text = with_pages("""
        - show_if: {question: has_job, equals: "yes"}
          questions:
            - {id: has_job, type: yes_no, label: Job}
        """)
    problem = the_problem(text, "on this page")
    assert problem.where == "page 1" and problem.line == 4 and "earlier page" in problem.message


def test_show_if_question_that_comes_later():
    problem = show_if_problem("{question: later, equals: x}", "comes later")
    assert "Move it to an earlier page" in problem.message


def test_show_if_on_itself():
    problem = show_if_problem("{question: follow_up, equals: x}", "own answer")
    assert "earlier page" in problem.message


def test_show_if_on_info():
    problem = show_if_problem("{question: intro, equals: x}", "takes no answer")
    assert "Point it at a question" in problem.message


def test_includes_only_for_many_answer_questions():
    problem = show_if_problem("{question: colour, includes: Red}", "'includes' only works")
    assert "Use equals:" in problem.message


def test_equals_on_a_many_answer_question_says_use_includes():
    problem = show_if_problem("{question: pets, equals: Dog}", "use includes:")
    assert "more than one answer" in problem.message


def test_many_answers_attribute_allows_includes():
    class Tags(QuestionType):
        name = "tags"
        needs_choices = True
        many_answers = True

    text = with_pages((SHOW_IF_BASE % "{question: tags, includes: a}").replace(
        "- {id: intro", "- {id: tags, type: tags, label: T, choices: [a, b]}\n        - {id: intro"))
    assert load(text, types=make_registry(Tags())).question("follow_up").show_if.value == "a"


def test_show_if_value_must_be_a_choice():
    problem = show_if_problem("{question: has_job, equals: 'Yes'}", "isn't one of the choices")
    assert problem.message.endswith("did you mean 'yes'?")
    problem = show_if_problem("{question: colour, equals: Green}", "isn't one of the choices")
    assert "Use one of: 'Red' or 'Blue'" in problem.message


# --- YAML problems -------------------------------------------------------------------------

def test_bad_yaml_gives_one_plain_problem_with_line_and_column():
    text = "title: Have your say\ndescription: Tell us: what do you think?\nquestions: []\n"
    [problem] = problems(text)
    assert problem.line == 2 and "column" in problem.message
    assert problem.message.startswith("The file isn't valid YAML near here")
    assert "in quotes" in problem.message


@pytest.mark.parametrize("text, line, fragment", [
    ("title: 'Hello\ndescription: x\n", 3, "never closed"),
    ("title: T\nquestions: [{id: a, type: date\n", 3, "bracket"),
    ("title: T\n  description: D\n", 2, "in quotes"),
    ("title: T\n---\ntitle: U\n", 2, "one survey in each file"),
    ("title: T\nlabel: @home\n", 2, "in quotes"),
    ("title: T\nquestions: [{id: a, label: How old?}]\n", 2, "question mark"),
    ("title: T\nquestions: [{id: a, label: At: 5pm}]\n", 2, "colon"),
])
def test_bad_yaml_is_explained(text, line, fragment):
    [problem] = problems(text)
    assert problem.line == line and fragment in problem.message


def test_tabs_for_indentation_name_every_tab_line():
    text = "title: T\ndescription: D\nquestions:\n\t- id: a\n\t  type: date\n"
    found = problems(text)
    assert [p.line for p in found] == [4, 5]
    assert all("tab" in p.message and "spaces" in p.message for p in found)


def test_empty_and_comment_only_files():
    [empty] = problems("   \n")
    assert "empty" in empty.message and "title:" in empty.message
    [comments] = problems("# just a comment\n")
    assert "only comments" in comments.message


@pytest.mark.parametrize("text, fragment", [("- a\n- b\n", "starts with a list"),
                                            ("just some words\n", "starts with 'just some")])
def test_top_of_file_must_be_settings(text, fragment):
    [problem] = problems(text)
    assert problem.line == 1 and fragment in problem.message


def test_duplicate_keys_are_reported():
    text = HEAD + "title: Again\nquestions: [{id: a, type: date, label: A}]\n"
    problem = the_problem(text, "written twice")
    assert problem.line == 3 and "first on line 1" in problem.message


def test_aliases_tags_and_hidden_characters_are_refused():
    [alias] = problems("title: &t T\ndescription: *t\n")
    assert alias.line == 2 and "alias" in alias.message and "in full" in alias.message
    [tag] = problems("title: T\ndescription: !!python/object:os.system x\n")
    assert tag.line == 2 and "can't use the YAML tag '!!python/object:os.system'" in tag.message
    hidden = problems("title: T\ndescription: D\x07\n")[0]
    assert hidden.line == 2 and "hidden character" in hidden.message


def test_deep_nesting_is_refused():
    [problem] = problems("title: T\ndescription: " + "[" * 200 + "]" * 200 + "\n")
    assert problem.line == 2 and "nested" in problem.message


# --- files ---------------------------------------------------------------------------------

def test_load_survey_file_uses_display_path_and_file_name(tmp_path):
    path = tmp_path / "my-survey.yaml"
    path.write_text(with_questions("- {id: a, type: date, label: A}"), encoding="utf-8")
    survey = load_survey_file(path, question_types=TYPES, display_path="forms/my-survey.yaml")
    assert survey.id == "my-survey" and survey.source == "forms/my-survey.yaml"
    path.write_text(with_questions("- {id: a, type: dat, label: A}"), encoding="utf-8")
    with pytest.raises(SurveyError) as caught:
        load_survey_file(path, question_types=TYPES, display_path="forms/my-survey.yaml")
    assert str(caught.value).startswith("forms/my-survey.yaml:4: question 'a': unknown type")


def test_load_survey_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + with_questions("- {id: a, type: date, label: A}").encode())
    assert load_survey_file(path, question_types=TYPES).title == "A test survey"


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(SurveyError) as caught:
        load_survey_file(tmp_path / "nope.yaml", question_types=TYPES)
    assert "no file here" in caught.value.problems[0].message
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"title: T\ndescription: caf\xe9\n")
    with pytest.raises(SurveyError) as caught:
        load_survey_file(latin, question_types=TYPES)
    [problem] = caught.value.problems
    assert problem.line == 2 and "UTF-8" in problem.message


def test_check_files_reports_each_file_and_expands_folders(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(HEAD, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a survey", encoding="utf-8")
    results = check_files([tmp_path], question_types=TYPES)
    assert set(results) == {str(good), str(tmp_path / "bad.yaml")}
    assert results[str(good)] == []
    assert [p.message.split(".")[0] for p in results[str(tmp_path / "bad.yaml")]] == [
        "The survey has no questions"]


def test_check_files_finds_two_surveys_with_the_same_id(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(GOOD, encoding="utf-8")
    second.write_text(GOOD, encoding="utf-8")
    results = check_files([first, second], question_types=TYPES)
    assert results[str(first)] == []
    [problem] = results[str(second)]
    assert problem.line == 1 and str(first) in problem.message and "own id" in problem.message


# --- the version hash ----------------------------------------------------------------------

def test_version_is_the_canonical_json_hash():
    survey = load(GOOD)
    canonical = json.dumps(survey.definition, sort_keys=True, separators=(",", ":"))
    assert survey.version == hashlib.sha256(canonical.encode()).hexdigest()[:16]
    assert survey.version == survey_version(yaml.safe_load(GOOD))
    assert re.fullmatch(r"[0-9a-f]{16}", survey.version)


def test_version_is_stable_across_layout_and_changes_with_wording():
    relaid = "# a comment\n" + GOOD.replace("choices: [Dog, Cat,", "choices: [ Dog,  Cat,")
    assert load(relaid).version == load(GOOD).version == load(GOOD).version
    reworded = GOOD.replace("What is your job?", "What job do you do?")
    assert load(reworded).version != load(GOOD).version


def test_version_does_not_depend_on_key_order():
    assert survey_version({"a": 1, "b": [1, {"c": 2, "d": 3}]}) == survey_version(
        {"b": [1, {"d": 3, "c": 2}], "a": 1})
    assert survey_version({"a": 1}) != survey_version({"a": 2})


# --- nothing but SurveyError, whatever the input -------------------------------------------

def assert_loads_or_explains(text: str) -> None:
    try:
        survey = load(text)
    except SurveyError as error:
        assert error.problems and all(isinstance(p, Problem) for p in error.problems)
        assert all(p.message and p.line >= 0 for p in error.problems)
        assert all(str(p).startswith("forms/test.yaml") for p in error.problems)
    else:
        assert isinstance(survey, Survey) and survey.questions
        assert re.fullmatch(r"[0-9a-f]{16}", survey.version)


YAMLISH = st.lists(st.sampled_from(list(" \t\n:-[]{},'\"#&*!|>?%@`~.\\") + [
    "title", "description", "questions", "pages", "id", "type", "label", "choices",
    "show_if", "question", "equals", "includes", "validation", "min", "max", "pattern",
    "yes", "no", "true", "1", "2025-01-01", "short_text", "info", "\x85", "\u2028", "é",
]), max_size=120).map("".join)

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats()
           | st.text(max_size=20) | st.sampled_from(sorted(CORE_TYPES)))
KEYS = st.sampled_from(["id", "title", "description", "questions", "pages", "type", "label",
                        "help", "required", "prefer_not_to_say", "choices", "validation",
                        "show_if", "question", "equals", "not_equals", "includes", "value",
                        "min", "max", "min_length", "max_length", "pattern", "message",
                        "status", "language", "consent", "hint"]) | st.text(max_size=8)
NESTED = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(KEYS | st.integers(), inner, max_size=6), max_leaves=40)
QUESTION = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b", "c", "2x", ""]),
     "type": st.sampled_from(sorted(CORE_TYPES) + ["nmber"]),
     "label": st.sampled_from(["Q", "", None])},
    optional={"choices": st.lists(NESTED, max_size=4), "validation": NESTED,
              "required": SCALARS, "show_if": st.fixed_dictionaries(
                  {"question": st.sampled_from(["a", "b", "c", "zz"])},
                  optional={"equals": SCALARS, "includes": SCALARS}),
              "min": SCALARS, "max": SCALARS})
SURVEYISH = st.fixed_dictionaries(
    {"title": st.sampled_from(["T", None]), "description": st.sampled_from(["D", ""])},
    optional={"questions": st.lists(QUESTION, max_size=5),
              "pages": st.lists(st.fixed_dictionaries(
                  {"questions": st.lists(QUESTION, max_size=3)},
                  optional={"id": SCALARS, "show_if": NESTED}), max_size=3),
              "id": SCALARS, "status": SCALARS, "extra": NESTED})

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text(max_size=300))
def test_any_text_gives_a_survey_or_survey_error(text):
    assert_loads_or_explains(text)


@FUZZ
@given(YAMLISH)
def test_yaml_like_text_gives_a_survey_or_survey_error(text):
    assert_loads_or_explains(text)


@FUZZ
@given(NESTED)
def test_any_nested_data_gives_a_survey_or_survey_error(data):
    assert_loads_or_explains(yaml.safe_dump(data, allow_unicode=True))


@FUZZ
@given(SURVEYISH)
def test_survey_shaped_data_gives_a_survey_or_survey_error(data):
    assert_loads_or_explains(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_prefer_not_to_say_constant_is_the_reserved_value():
    # the loader refuses this value as a choice; keep the test in step with the model
    text = with_questions(f"- {{id: p, type: single_choice, label: P, choices: [{PREFER_NOT_TO_SAY}]}}")
    assert the_problem(text, "kept for the").where == "choice 1 of question 'p'"


# --- the guide's examples ------------------------------------------------------------------

GUIDE = ROOT / "docs" / "survey-files.md"


def guide_examples() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_every_example_in_the_guide_is_valid_yaml():
    examples = guide_examples()
    assert len(examples) >= 10
    for example in examples:
        yaml.safe_load(example)


def test_the_guides_first_survey_and_pages_example_load():
    first = guide_examples()[0]
    survey = load(first, path="forms/my-first-survey.yaml")
    assert survey.id == "my-first-survey" and len(survey.pages) == 2
    pages_example = next(e for e in guide_examples() if e.startswith("pages:"))
    assert [p.title for p in load(HEAD + pages_example).pages] == ["About you", "What you use"]


def test_the_guides_example_messages_match_what_the_loader_says():
    guide = GUIDE.read_text(encoding="utf-8")
    text = with_pages("""
        - questions:
            - {id: age, type: nmber, label: Age}
            - {id: pets, type: single_choice, label: Pets, choices: [Dog, Cat, Dog]}
            - {id: has_job, type: yes_no, label: Job}
            - {id: job, type: short_text, label: What, show_if: {question: has_job, equals: "yes"}}
        """)
    found = problems(text)
    assert len(found) == 3
    for problem in found:
        assert f"{problem.where}: {problem.message}" in guide


def test_examples_load_with_the_real_core_types_when_they_are_there():
    # As the app builds it: every built-in plugin's question types and survey settings.
    from consent_kit.plugins import make_plugin_manager
    from consent_kit.registry import collect_question_types

    registry = collect_question_types(make_plugin_manager(load_entrypoints=False))
    assert CORE_TYPES <= set(registry.names())
    results = check_files(FORMS, question_types=registry)
    assert results == {str(path): [] for path in FORMS}
