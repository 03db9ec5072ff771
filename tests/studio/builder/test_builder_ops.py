"""The builder's operations on a survey definition (consent_kit/builder; no Flask, no app)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consent_kit.plugins import make_plugin_manager
from consent_kit.registry import collect_question_types
from consent_kit.studio.builder import (
    check,
    check_upload,
    consent_ops,
    content_version,
    normalise,
    ops,
    to_yaml,
)
from consent_kit.studio.builder import choices as choice_ops
from consent_kit.studio.builder.ops import BuilderError
from consent_kit.studio.builder.texts import set_text, text_of
from consent_kit.survey.load.survey_file import load_survey_file, load_survey_text
from consent_kit.survey.model import SurveyError

FORMS = Path(__file__).resolve().parents[3] / "forms"
TYPES = collect_question_types(make_plugin_manager(load_entrypoints=False))


def example(name: str = "have-your-say") -> dict:
    """An example survey's definition, as the builder starts from it."""
    survey = load_survey_file(FORMS / f"{name}.yaml", question_types=TYPES)
    return normalise(survey.definition)


def small() -> dict:
    """A survey with two pages: a job question, then a question shown only to people with one."""
    return normalise({
        "id": "jobs", "title": "Work", "description": "About work.",
        "pages": [
            {"id": "first", "questions": [
                {"id": "has_job", "type": "yes_no", "label": "Do you have a job?"},
                {"id": "colour", "type": "single_choice", "label": "Colour?",
                 "choices": ["Red", {"value": "g", "label": "Green"}]}]},
            {"id": "second", "title": "Your job", "questions": [
                {"id": "job", "type": "short_text", "label": "What is your job?"}]},
        ],
    })


def ok(definition: dict):
    """The survey the loader makes of ``definition`` (fails the test with its problems)."""
    return check(definition, TYPES, definition.get("id", "test"))


def refused(definition: dict) -> str:
    with pytest.raises(SurveyError) as caught:
        check(definition, TYPES, definition.get("id", "test"))
    return str(caught.value)


# -- the file ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["have-your-say", "event-feedback"])
def test_yaml_round_trip_of_the_example_files(name):
    definition = example(name)
    again = load_survey_text(to_yaml(definition), path=f"{name}.yaml", question_types=TYPES)
    assert again.definition == definition
    assert again.version == ok(definition).version


def test_round_trip_after_an_edit_keeps_the_edit_and_everything_else():
    definition = example()
    edited = ops.set_details(definition, title="Your say", description="New words.\nTwo lines.")
    text = to_yaml(edited)
    assert re.search(r"description:(\n  en:)? \|-\n +New words\.\n +Two lines\.\n", text)
    again = load_survey_text(text, path="x.yaml", question_types=TYPES).definition
    assert again == edited
    assert text_of(again["title"], "en") == "Your say" and again["consent"] == definition["consent"]
    assert content_version(again) != content_version(definition)
    if isinstance(definition["title"], dict):  # the example has translations: they stay
        assert {k: v for k, v in again["title"].items() if k != "en"} == {
            k: v for k, v in definition["title"].items() if k != "en"}


def test_words_that_yaml_would_misread_are_quoted():
    definition = small()
    edited = ops.set_details(definition, title="yes", description="Time: 5:30 on 2025-03-07")
    again = load_survey_text(to_yaml(edited), path="x.yaml", question_types=TYPES)
    assert again.title == "yes" and again.description == "Time: 5:30 on 2025-03-07"


def test_normalise_turns_a_question_list_into_pages_and_names_every_page():
    definition = normalise({"id": "s", "title": "T", "description": "D", "questions": [
        {"id": "a", "type": "short_text", "label": "A?"},
        {"id": "b", "type": "short_text", "label": "B?"}]})
    assert list(definition) == ["id", "title", "description", "pages"]
    assert [p["id"] for p in definition["pages"]] == ["a", "b"]
    assert [p.id for p in ok(definition).pages] == ["a", "b"]
    unnamed = normalise({"pages": [{"questions": []}, {"questions": []}]})
    assert [p["id"] for p in unnamed["pages"]] == ["page-1", "page-2"]


def test_closing_does_not_change_the_content_version():
    definition = small()
    assert content_version(ops.set_status(definition, "closed")) == content_version(definition)
    with pytest.raises(BuilderError):
        ops.set_status(definition, "paused")


def test_operations_never_change_what_they_were_given():
    definition = small()
    before = to_yaml(definition)
    ops.delete_page(definition, "second")
    choice_ops.set_choices(definition, "colour", [(None, "Blue", "")])
    consent_ops.add_consent(definition)
    assert to_yaml(definition) == before


# -- pages ---------------------------------------------------------------------------


def test_add_page_after_another_with_its_first_question():
    definition = small()
    question = ops.new_question(definition, type_name="info", label="Thanks!")
    changed, page_id = ops.add_page(definition, title="Thank you", first_question=question,
                                    after="first")
    assert page_id == "thank-you"
    assert [p["id"] for p in changed["pages"]] == ["first", "thank-you", "second"]
    survey = ok(changed)
    assert survey.pages[1].questions[0].label == "Thanks!" and survey.pages[1].title == "Thank you"


def test_page_ids_and_question_ids_are_never_reused():
    definition = small()
    first = ops.new_question(definition, type_name="info", label="Your job")
    changed, page_id = ops.add_page(definition, title="Your job", first_question=first)
    assert page_id == "your-job" and first["id"] == "your_job"
    second = ops.new_question(changed, type_name="info", label="Your job")
    changed, again = ops.add_page(changed, title="Your job", first_question=second)
    assert again == "your-job-2" and second["id"] == "your_job_2"
    assert ops.new_question(changed, type_name="info", label="123 go")["id"] == "q_123_go"
    ok(changed)


def test_edit_move_and_delete_a_page():
    definition = small()
    changed = ops.edit_page(definition, "second", title="About your job")
    assert ok(changed).page("second").title == "About your job"
    moved = ops.move_page(ops.add_page(changed, title="End", first_question=ops.new_question(
        changed, type_name="info", label="The end"))[0], "end", -1)
    assert [p["id"] for p in moved["pages"]] == ["first", "end", "second"]
    assert ops.move_page(moved, "first", -1) == moved  # already at the top
    assert [p["id"] for p in ops.delete_page(moved, "end")["pages"]] == ["first", "second"]
    with pytest.raises(BuilderError, match="isn't in this survey"):
        ops.delete_page(moved, "gone")


def test_deleting_the_page_a_condition_needs_is_refused_by_the_loader():
    definition = choice_ops.set_condition(small(), page_id="second", on="has_job",
                                          value="yes")
    assert "there is no question 'has_job'" in refused(ops.delete_page(definition, "first"))


# -- questions -----------------------------------------------------------------------


def test_add_and_delete_questions():
    definition = small()
    question = ops.new_question(definition, type_name="multiple_choice", label="Pets?",
                                choices=["Cat", " ", "Dog"])
    changed, question_id = ops.add_question(definition, "second", question)
    assert question_id == "pets" and question["choices"] == ["Cat", "Dog"]
    assert [c.value for c in ok(changed).question("pets").choices] == ["Cat", "Dog"]
    assert ok(ops.delete_question(changed, "pets")).question("pets") is None
    assert "this page has no questions" in refused(ops.delete_question(definition, "job"))


def test_move_a_question_within_its_page_and_over_to_the_next():
    definition = small()
    assert ops.question_ids(ops.move_question(definition, "colour", -1)) == [
        "colour", "has_job", "job"]
    over = ops.move_question(definition, "colour", +1)
    assert [[q["id"] for q in p["questions"]] for p in over["pages"]] == [
        ["has_job"], ["colour", "job"]]
    back = ops.move_question(over, "colour", -1)
    assert [[q["id"] for q in p["questions"]] for p in back["pages"]] == [
        ["has_job", "colour"], ["job"]]
    assert ops.move_question(definition, "has_job", -1) == definition  # the very first
    moved = ops.move_question_to_page(definition, "has_job", "second")
    assert ops.question_ids(moved) == ["colour", "job", "has_job"]


def test_edit_a_question_and_change_its_type():
    definition = small()
    changed = ops.edit_question(definition, "job", {
        "label": "Your work?", "help": "In a few words.", "required": False,
        "prefer_not_to_say": True, "type": "long_text"})
    question = ok(changed).question("job")
    assert (question.label, question.help, question.type) == ("Your work?", "In a few words.",
                                                               "long_text")
    assert question.required is False and question.prefer_not_to_say is True
    scale = ops.edit_question(definition, "job", {"type": "scale", "options": {
        "min": 1, "max": 5, "min_label": "Bad", "max_label": ""}})
    item = ops.find_question(scale, "job")[2]
    assert (item["min"], item["max"], "max_label" in item) == (1, 5, False)
    assert ok(scale).question("job").options["min_label"] == "Bad"
    # Back to text: the scale's settings and the choices go with the type.
    text = ops.edit_question(scale, "job", {"type": "short_text"},
                             drop_options=("min", "max", "min_label", "max_label"),
                             takes_choices=False)
    assert not {"min", "max", "min_label"} & set(ops.find_question(text, "job")[2])
    info = ops.edit_question(definition, "has_job", {"type": "info", "required": True},
                             takes_answer=False, takes_choices=False)
    assert "required" not in ops.find_question(info, "has_job")[2]


def test_renaming_a_question_moves_the_skip_logic_with_it():
    definition = choice_ops.set_condition(small(), question_id="job", on="has_job", value="yes")
    renamed = ops.edit_question(definition, "has_job", {"id": "working"})
    assert ops.find_question(renamed, "job")[2]["show_if"] == {"question": "working",
                                                               "equals": "yes"}
    ok(renamed)
    with pytest.raises(BuilderError, match="already has the short name 'job'"):
        ops.edit_question(definition, "has_job", {"id": "job"})


def test_a_question_type_from_a_plugin_is_just_a_name_here():
    definition = small()
    changed, _ = ops.add_question(definition, "second", ops.new_question(
        definition, type_name="mood_scale", label="Mood?"))
    assert "unknown type 'mood_scale'" in refused(changed)


# -- choices -------------------------------------------------------------------------


def test_changing_a_choices_words_keeps_its_stored_value():
    definition = small()
    rows = choice_ops.choice_rows(ops.find_question(definition, "colour")[2], "en")
    assert rows == [("Red", "Red", ""), ("g", "Green", "")]
    changed = choice_ops.set_choices(definition, "colour", [
        ("g", "Light green", "like grass"), ("Red", "Dark red", ""), (None, "Blue", ""),
        (None, "  ", "")])
    choices = ok(changed).question("colour").choices
    assert [(c.value, c.label, c.hint) for c in choices] == [
        ("g", "Light green", "like grass"), ("Red", "Dark red", ""), ("Blue", "Blue", "")]
    unchanged = choice_ops.set_choices(definition, "colour", rows)
    assert unchanged == definition


def test_no_choices_left_is_explained_by_the_loader():
    changed = choice_ops.set_choices(small(), "colour", [(None, "", "")])
    assert "needs choices" in refused(changed)


def test_two_choices_with_one_value_are_refused():
    changed = choice_ops.set_choices(small(), "colour", [(None, "Red", ""), ("Red", "Red", "")])
    assert "same value 'Red'" in refused(changed)


# -- skip logic and limits -----------------------------------------------------------


def test_skip_logic_on_a_page_and_a_question():
    definition = small()
    page_rule = choice_ops.set_condition(definition, page_id="second", on="has_job",
                                         value="yes")
    condition = ok(page_rule).page("second").show_if
    assert (condition.question, condition.operator, condition.value) == ("has_job", "equals",
                                                                          "yes")
    question_rule = choice_ops.set_condition(definition, question_id="job", on="colour",
                                             operator="not_equals", value="g")
    assert ok(question_rule).question("job").show_if.operator == "not_equals"
    cleared = choice_ops.set_condition(page_rule, page_id="second")
    assert "show_if" not in ops.find_page(cleared, "second")[1]


def test_skip_logic_the_loader_refuses():
    definition = small()
    same_page = choice_ops.set_condition(definition, question_id="colour", on="has_job",
                                         value="yes")
    assert "which is on the same page as this question" in refused(same_page)
    wrong_answer = choice_ops.set_condition(definition, page_id="second", on="colour",
                                            value="Blue")
    assert "isn't one of the choices of question 'colour'" in refused(wrong_answer)
    with pytest.raises(BuilderError):
        choice_ops.set_condition(definition, page_id="second", on="colour", operator="above",
                                 value="g")
    with pytest.raises(BuilderError):
        choice_ops.set_condition(definition, page_id="second", on="colour", value=" ")


def test_limits_on_an_answer():
    definition = ops.add_question(small(), "second", {"id": "age", "type": "number",
                                                     "label": "Age?"})[0]
    changed = choice_ops.set_limits(definition, "age", {"min": 11, "max": 25},
                                    "Between 11 and 25, please.")
    validation = ok(changed).question("age").validation
    assert (validation.min, validation.max, validation.message) == (11, 25,
                                                                    "Between 11 and 25, please.")
    removed = choice_ops.set_limits(changed, "age", {"min": None, "max": None}, "")
    assert "validation" not in ops.find_question(removed, "age")[2]
    backwards = choice_ops.set_limits(definition, "age", {"min": 30, "max": 5}, "")
    assert "min (30) is bigger than max (5)" in refused(backwards)


# -- consent -------------------------------------------------------------------------


def test_ask_for_consent_and_write_its_parts():
    definition = consent_ops.add_consent(small())
    assert ok(definition).consent is not None
    changed, section = consent_ops.add_item(definition, "section", {
        "heading": "What happens to my answers?", "text": "We keep them safe."})
    changed, statement = consent_ops.add_item(changed, "statement", {
        "text": "You can quote me.", "required": False})
    consent = ok(changed).consent
    assert [s.id for s in consent.sections] == ["what", section]
    assert section == "what-happens-to-my-answers"
    assert [(s.id, s.required) for s in consent.statements] == [("take_part", True),
                                                                  (statement, False)]
    edited = consent_ops.edit_item(changed, "statement", statement, {"text": "Quote me.",
                                                                    "required": True})
    assert ok(edited).consent.statements[1].required is True
    moved = consent_ops.move_item(edited, "section", section, -1)
    assert [s.id for s in ok(moved).consent.sections] == [section, "what"]
    deleted = consent_ops.delete_item(moved, "section", "what")
    assert [s.id for s in ok(deleted).consent.sections] == [section]
    options = consent_ops.set_consent_options(deleted, confirm_with="initials",
                                              ask_if_helped=False)
    assert (ok(options).consent.confirm, ok(options).consent.ask_helped) == ("initials", False)
    assert ok(consent_ops.remove_consent(options)).consent is None


def test_consent_parts_the_loader_needs_cant_all_go():
    definition = consent_ops.add_consent(small())
    assert "statements" in refused(consent_ops.delete_item(definition, "statement",
                                                           "take_part"))
    with pytest.raises(BuilderError, match="doesn't ask for consent"):
        consent_ops.add_item(small(), "statement", {"text": "Yes"})
    with pytest.raises(BuilderError):
        consent_ops.set_consent_options(definition, confirm_with="blood", ask_if_helped=True)


# -- what the builder doesn't know about --------------------------------------------


def test_translations_and_unknown_settings_pass_through_untouched():
    definition = small()
    definition["incentive"] = {"amount": 10, "budget": 500}
    definition["easy_read"] = {"pictures": True}
    question = ops.find_question(definition, "job")[2]
    question["label"] = {"en": "What is your job?", "cy": "Beth yw eich swydd?"}
    question["read_aloud"] = "job.mp3"
    changed = ops.edit_question(definition, "job", {"label": "Your job?", "help": "Any job."})
    changed = ops.move_page(ops.set_details(changed, title="Jobs", description="D"), "second", -1)
    item = ops.find_question(changed, "job")[2]
    assert item["label"] == {"en": "Your job?", "cy": "Beth yw eich swydd?"}
    assert item["read_aloud"] == "job.mp3" and item["help"] == "Any job."
    assert changed["incentive"] == {"amount": 10, "budget": 500}
    assert changed["easy_read"] == {"pictures": True}
    welsh = {**changed, "language": "cy"}
    set_text(ops.find_question(welsh, "job")[2], "label", "Eich swydd?", "cy")
    assert ops.find_question(welsh, "job")[2]["label"] == {"en": "Your job?",
                                                            "cy": "Eich swydd?"}
    assert text_of({"en": "Hi", "cy": "Helo"}, "cy") == "Helo"
    assert text_of({"en": "Hi"}, "fr") == "Hi"


# -- uploads -------------------------------------------------------------------------


def test_a_broken_upload_names_the_file_the_line_and_the_fix():
    text = to_yaml(small()).replace("type: short_text", "type: nmber")
    line = text.splitlines().index("        type: nmber") + 1
    with pytest.raises(SurveyError) as caught:
        check_upload(text.encode(), "C:\\Users\\sam\\work.yaml", TYPES, "jobs")
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("work.yaml", line)
    assert "unknown type 'nmber'" in problem.message and "did you mean" in problem.message


@pytest.mark.parametrize("data, words", [
    (b"title: !!python/object/apply:os.system ['echo hi']\n", "can't use the YAML tag"),
    (b"title: &t Hi\ndescription: *t\n", "can't copy parts"),
    (b"title: caf\xe9\n", "isn't saved as UTF-8"),
    (b"x" * 600_000, "too big"),
    (b"", "The file is empty"),
])
def test_an_upload_is_data_never_code(data, words):
    with pytest.raises(SurveyError) as caught:
        check_upload(data, "upload.yaml", TYPES, "jobs")
    assert words in str(caught.value)
