"""Importing XLSForms and REDCap data dictionaries, exporting XLSForm, and the corpus (issue 18)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from consent_kit.cli import cli
from consent_kit.defaults.exporters import XlsformExporter
from consent_kit.plugins import make_plugin_manager
from consent_kit.registry import collect_question_types
from consent_kit.studio.builder.starter import MARK, placeholders_in
from consent_kit.survey.load.imported import Comparison, import_file, parse_condition, write_survey_file
from consent_kit.survey.load.survey_file import load_survey_file
from consent_kit.survey.load.xlsform import XLSFormError, read_sheets

DATA = Path(__file__).parents[1] / "data" / "interop"
TYPES = collect_question_types(make_plugin_manager())


def imported(path: Path, tmp_path: Path):
    """Import, write, and load the survey file as `consent-kit check` does."""
    definition, report = import_file(path)
    written = write_survey_file(definition, report, tmp_path)
    return load_survey_file(written, question_types=TYPES), definition, report


def notes(report) -> str:
    return "\n".join(report.lines())


def test_xlsform_features_come_across(tmp_path):
    survey, definition, report = imported(DATA / "own" / "youth-services.xlsx", tmp_path)
    q = survey.question
    assert survey.id == "youth-services" and survey.title == "Youth services" and survey.language == "en"
    assert definition["pages"][1]["questions"][0]["label"] == {"en": "What should we call you?",
                                                               "cy": "Beth yw dy enw?"}
    assert q("name").help == "A first name is fine" and q("name").required
    age = q("age").validation
    assert (age.min, age.max, age.message) == (11, 25, "Enter an age from 11 to 25")
    assert q("care").type == "yes_no" and q("care").prefer_not_to_say
    assert q("used").type == "multiple_choice" and not q("used").required
    assert [c.value for c in q("used").choices] == ["club", "sport", "online", "other"]
    assert (q("used").show_if.operator, q("used").show_if.value) == ("equals", "yes")
    other = q("used_other")
    assert other.type == "short_text"
    assert (other.show_if.operator, other.show_if.value) == ("includes", "other")
    # A field-list group is one page, with the group's condition.
    club = survey.page("about-club")
    assert [x.id for x in club.questions] == ["rating", "better"] and club.title == "About the club"
    assert (club.show_if.question, club.show_if.operator, club.show_if.value) == ("used", "includes", "club")
    assert q("rating").type == "scale" and q("rating").options["max"] == 5
    assert q("better").type == "long_text" and q("better").validation.max_length == 200
    assert q("visit").type == "date" and q("when_started").type == "date"
    # "and" of two comparisons: one on the page, one on the question.
    page = next(p for p in survey.pages if p.questions[0].id == "club_kind")
    assert (page.show_if.operator, q("club_kind").show_if.operator) == ("not_equals", "includes")
    assert q("hours").type == "number" and (q("hours").validation.min, q("hours").validation.max) == (0, 40)
    assert q("postcode").validation.pattern == "^[A-Z]{1,2}[0-9]"
    assert str(q("intro").label).startswith(MARK) and "[answer to name]" in str(q("intro").label)


def test_xlsform_report_names_every_row_left_out(tmp_path):
    _, definition, report = imported(DATA / "own" / "youth-services.xlsx", tmp_path)
    text = notes(report)
    for expected in (
        "row 18, `calculate` total_score: not imported — consent-kit has no calculations yet",
        "row 19, `begin repeat` kids: not imported", "row 20, `text` kid_name: not imported — it is inside",
        "`geopoint` where: not imported", "`image` photo: not imported", "`time` time_of_day: not imported",
        "`select_one` broken: not imported — its list of choices 'missing_list'",
        "`start` start: not imported", "`deviceid` deviceid: not imported",
        "`choice` online: of 'used' left out: its name is used twice",
        "settings submission_url: not imported", "`decimal` spend: relevant not imported — 'or'",
        "`decimal` spend: constraint '. > 0' not imported", "`date` visit: default:",
        "`note` pic: pictures and sounds", "`text` sometimes: required only sometimes",
        "`range` hours: imported as a number box", "`datetime` when_started: imported as a date",
        "`note` intro: an earlier answer put into the words (${name})",
        "the choice 'Prefer not to say' became consent-kit's own",
    ):
        assert expected in text
    assert (report.kept_rows, report.question_rows) == (15, 21)
    # The consent section is the builder's, with its words marked for the researcher.
    assert ("consent", "what") in placeholders_in(definition)
    assert definition["consent"]["statements"]


def test_old_type_names_and_plain_labels(tmp_path):
    survey, _, report = imported(DATA / "own" / "event-feedback.xlsx", tmp_path)
    assert [q.type for q in survey.questions] == ["single_choice", "multiple_choice", "short_text",
                                                  "single_choice", "short_text", "info"]
    assert survey.question("why").show_if.operator == "includes"
    assert survey.question("again_other").show_if.value == "other"
    assert report.kept_rows == report.question_rows == 5


def test_languages_by_name_and_group_conditions(tmp_path):
    survey, definition, report = imported(DATA / "own" / "wellbeing-checkin.xlsx", tmp_path)
    first = definition["pages"][0]["questions"][0]
    assert set(first["label"]) == {"en", "cy", "pl"}
    calm = survey.question("calm")
    assert calm.prefer_not_to_say and [c.value for c in calm.choices] == ["never", "sometimes", "often"]
    feelings = [p for p in survey.pages if p.title == "How you feel"]
    assert len(feelings) == 3 and all(p.show_if.question == "consent_ok" for p in feelings)


def test_redcap_fields_branching_and_identifiers(tmp_path):
    survey, _, report = imported(DATA / "redcap" / "wellbeing_DataDictionary.csv", tmp_path)
    q = survey.question
    assert survey.question("record_id") is None
    assert q("intro").type == "info" and str(q("intro").label) == "Thank you for taking part."
    assert q("age").type == "number" and (q("age").validation.min, q("age").validation.max) == (11, 25)
    assert q("gender").prefer_not_to_say and [c.value for c in q("gender").choices] == ["1", "2", "3"]
    assert q("supports").type == "multiple_choice" and not q("supports").required
    assert (q("counsellor_ok").type, q("counsellor_ok").show_if.operator,
            q("counsellor_ok").show_if.value) == ("yes_no", "includes", "2")
    text = notes(report)
    assert "row 10, `calc` total: not imported — consent-kit has no calculations yet" in text
    assert "`text` name: is marked as an identifier" in text
    assert "`notes` why: branching logic not imported — 'or'" in text
    assert "`notes` why: action tags (@HIDDEN)" in text


def test_redcap_dates_dropdowns_and_not_equals(tmp_path):
    survey, _, report = imported(DATA / "redcap" / "youth_voice_DataDictionary.csv", tmp_path)
    q = survey.question
    assert q("last_visit").type == "date" and q("area").type == "single_choice"
    assert (q("school_year").show_if.question, q("school_year").show_if.value) == ("in_school", "1")
    assert q("ideas").show_if.operator == "not_equals"
    assert survey.pages[0].title == "Where you live"
    assert "`file` upload: not imported" in notes(report)


def test_conditions_parse_only_simple_expressions():
    assert parse_condition("${a} = 'x'") == ("and", [Comparison("a", "=", "x")])
    assert parse_condition("not(selected(${b}, 'y'))") == ("and", [Comparison("b", "not selected", "y")])
    assert parse_condition("${a} = 'x or y'")[1][0].value == "x or y"
    assert parse_condition("${a} = 'x' and (${b} = '1' or ${c} = '2')") is None
    assert parse_condition("count-selected(${x}) > 2") is None


def test_old_xls_files_get_a_plain_message(tmp_path):
    path = tmp_path / "form.xls"
    path.write_bytes(b"not really")
    with pytest.raises(XLSFormError, match="save it as .xlsx"):
        read_sheets(path)


def test_import_command_writes_a_file_check_accepts(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(DATA / "own" / "youth-services.xlsx"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "row 18, `calculate` total_score: not imported" in result.output
    assert "15 of 21 question rows kept" in result.output
    checked = runner.invoke(cli, ["check", str(tmp_path / "youth-services.yaml")])
    assert checked.exit_code == 0, checked.output
    redcap = runner.invoke(cli, ["import", str(DATA / "redcap" / "wellbeing_DataDictionary.csv"),
                                 "--format", "redcap", "--out", str(tmp_path)])
    assert redcap.exit_code == 0 and (tmp_path / "wellbeing.yaml").exists()


def _shape(survey):
    return [(q.id, q.type, str(q.label), str(q.help), q.required, [c.value for c in q.choices], q.show_if,
             q.validation, q.prefer_not_to_say if q.type != "scale" else None) for q in survey.questions]


@pytest.mark.parametrize("name", ["have-your-say.yaml", "event-feedback.yaml"])
def test_round_trip_through_xlsform(name, tmp_path):
    survey = load_survey_file(Path("forms") / name, question_types=TYPES)
    out = io.BytesIO()
    XlsformExporter().write(survey, [], out)
    (tmp_path / "form.xlsx").write_bytes(out.getvalue())
    again, _, report = imported(tmp_path / "form.xlsx", tmp_path)
    assert _shape(again) == _shape(survey)
    assert [p.id for p in again.pages] == [p.id for p in survey.pages]
    assert [p.show_if for p in again.pages] == [p.show_if for p in survey.pages]
    assert report.kept_rows == report.question_rows == len(survey.questions)


def corpus_figures(tmp_path) -> tuple[int, int, int, int]:
    files = sorted(p for p in DATA.rglob("*") if p.suffix in (".xlsx", ".xls", ".csv"))
    passed = kept = rows = 0
    for path in files:
        _, _, report = imported(path, tmp_path)  # raises if the file fails consent-kit check
        passed += 1
        kept, rows = kept + report.kept_rows, rows + report.question_rows
    return passed, len(files), kept, rows


def test_every_corpus_form_imports_and_passes_check(tmp_path):
    passed, total, kept, rows = corpus_figures(tmp_path)
    assert total >= 24 and passed == total
    assert kept / rows > 0.55  # 175 of 287 question rows (24 files) when this test was last changed


@pytest.mark.parametrize(("kind", "reason"), [
    ("calculate", "no calculations yet"), ("hidden", "no hidden values"), ("geotrace", "map"),
    ("audio", "recordings"), ("file", "files"), ("barcode", "barcode"), ("rank", "ranking"),
    ("acknowledge", "'OK' tick"), ("select_one_from_file places.csv", "another file"),
    ("select_one_external places", "doesn't know the type"), ("xml-external", "other files"),
    ("trigger", "triggers"), ("osm", "doesn't know the type 'osm'"), ("end", "never records"),
])
def test_each_type_left_out_is_reported_and_the_survey_still_loads(kind, reason, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "survey"
    for row in (["type", "name", "label", "required"], ["text", "first", "First?", "yes"],
                [kind, "thing", "Thing?"]):
        book.active.append(row)
    book.save(tmp_path / "form.xlsx")
    survey, _, report = imported(tmp_path / "form.xlsx", tmp_path)
    assert [q.id for q in survey.questions] == ["first"]
    [line] = [n for n in report.lines() if "thing" in n]
    assert "row 3" in line and reason in line


def test_redcap_slider_and_comparisons_left_out(tmp_path):
    survey, _, report = imported(DATA / "redcap" / "wellbeing_DataDictionary.csv", tmp_path)
    mood = survey.question("mood")
    assert mood.type == "number" and (mood.validation.min, mood.validation.max) == (0, 100)
    text = notes(report)
    assert "`slider` mood: imported as a number box from 0 to 100" in text
    assert "`text` email: branching logic not imported — '>' isn't carried over" in text
    assert survey.question("email").show_if is None


def test_xlsform_export_lists_what_it_cannot_hold():
    from openpyxl import load_workbook

    survey = load_survey_file(Path("forms") / "have-your-say.yaml", question_types=TYPES)
    out = io.BytesIO()
    XlsformExporter().write(survey, [], out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    said = " ".join(str(r[0]) for r in book["notes"].iter_rows(values_only=True))
    assert "consent section" in said and "how_good: the words at the ends of the scale" in said
    assert [c.value for c in book["settings"][2]][:2] == [survey.title, survey.id]


def test_a_redcap_label_over_several_lines_keeps_its_line_breaks(tmp_path):
    path = tmp_path / "lines_DataDictionary.csv"
    path.write_text('"Variable / Field Name","Form Name","Section Header","Field Type","Field Label"\n'
                    "record_id,f,,text,Record ID\n"
                    'intro,f,,descriptive,"Thank you for coming.\nIt takes five minutes."\n',
                    encoding="utf-8")
    survey, _, report = imported(path, tmp_path)
    assert str(survey.question("intro").label) == "Thank you for coming.\nIt takes five minutes."
    assert report.kept_rows == 1
