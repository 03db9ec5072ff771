"""Any XLSForm, however odd, imports without crashing and gives a survey that passes check (issue 18)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_interop_import import TYPES

from consent_kit.survey.load.imported import survey_file
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.survey.load.xlsform import xlsform_to_definition

NAMES = ["a", "b", "c", "age", "1st", "my name", "", "b"]
KINDS = ["text", "integer", "decimal", "date", "datetime", "note", "range", "select_one yn",
         "select_multiple fruit", "select_one fruit or_other", "select_one missing", "calculate",
         "begin group", "end group", "begin repeat", "end repeat", "geopoint", "start", "acknowledge",
         "select one from yn", "", "nonsense", "begin_group", "end_group"]
EXPRESSIONS = ["", "${a} = 'yes'", "${b} != 'x'", "selected(${c}, 'apple')", "${age} > 3",
               "${a} = 'yes' and ${b} = '2'", "${a} = 'yes' or ${b} = '2'", "not(selected(${c}, 'pear'))",
               "${nobody} = 'x'", "count(${a})", ". >= 1", ". <= 10 and . >= 2", "string-length(.) <= 5",
               "regex(., '^[A-Z]')", "yes", "no", "true()"]
WORDS = ["", "Hello", "About ${a}?", "${b} and ${age}", "${nobody}", "<b>bold</b>", "Prefer not to say",
         "${my name}", "Yes"]


@st.composite
def rows(draw):
    row = {"type": draw(st.sampled_from(KINDS)), "name": draw(st.sampled_from(NAMES)),
           "label": draw(st.sampled_from(WORDS))}
    for column in ("relevant", "constraint", "required"):
        row[column] = draw(st.sampled_from(EXPRESSIONS))
    row["hint"] = draw(st.sampled_from(WORDS))
    row["label::Cymraeg (cy)"] = draw(st.sampled_from(WORDS))
    row["appearance"] = draw(st.sampled_from(["", "field-list", "multiline", "minimal"]))
    row["parameters"] = draw(st.sampled_from(["", "start=1 end=5 step=1", "start=0 end=100 step=5",
                                              "start=5 end=1", "step=0"]))
    return row


CHOICES = [(2, {"list_name": "yn", "name": "yes", "label": "Yes"}),
           (3, {"list_name": "yn", "name": "no", "label": "No"}),
           (4, {"list_name": "fruit", "name": "apple", "label": "Apple"}),
           (5, {"list_name": "fruit", "name": "pear", "label": "Prefer not to say"}),
           (6, {"list_name": "fruit", "name": "apple", "label": "Apple again"})]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows(), max_size=12))
def test_any_xlsform_imports_and_passes_check(survey_rows):
    sheets = {"survey": list(enumerate(survey_rows, start=2)), "choices": CHOICES}
    definition, report = xlsform_to_definition(sheets, "odd form.xlsx")
    survey = load_survey_text(survey_file(definition, report), path="odd-form.yaml", question_types=TYPES)
    # Every question row is either kept or named in the report as left out: nothing vanishes.
    markers = ("begin group", "end group", "begin repeat", "end repeat", "begin_group", "end_group")
    questions = {n for n, row in sheets["survey"] if row["type"] and row["type"] not in (*markers, "start")}
    left_out = {n.row for n in report.notes if n.level == "left out" and n.kind != "choice"}
    assert report.question_rows == len(questions)
    assert report.kept_rows + len(left_out & questions) == report.question_rows
    assert len(survey.questions) >= report.kept_rows or report.kept_rows == 0


FIELD_TYPES = ["text", "notes", "radio", "dropdown", "checkbox", "yesno", "truefalse", "descriptive",
               "slider", "calc", "file", "sql", "", "nonsense"]
CHOICE_TEXTS = ["", "1, Yes | 2, No", "1, One|2, Two|3, Prefer not to say", "a, A | a, again", ",", "x"]
LOGIC = ["", "[a] = '1'", "[b] <> '2'", "[c(2)] = '1'", "[a] = '1' and [b] = '2'", "[a] = '1' or [b] = '1'",
         "[age] > 10", "[nobody] = '1'", "datediff([a], 'today')"]


@st.composite
def fields(draw):
    return [draw(st.sampled_from(NAMES)), "form", draw(st.sampled_from(["", "Section"])),
            draw(st.sampled_from(FIELD_TYPES)), draw(st.sampled_from([*WORDS, "About [a]?"])),
            draw(st.sampled_from(CHOICE_TEXTS)), draw(st.sampled_from(["", "A note", "About [b] and ${c}"])),
            draw(st.sampled_from(["", "integer", "date_ymd", "email"])),
            draw(st.sampled_from(["", "1", "x"])),
            draw(st.sampled_from(["", "y"])), draw(st.sampled_from(LOGIC)), draw(st.sampled_from(["", "y"]))]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(fields(), max_size=10))
def test_any_redcap_dictionary_imports_and_passes_check(tmp_path, dictionary):
    import csv
    import io

    from consent_kit.survey.load.redcap import import_redcap

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
                     "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show "
                     "Slider Number", "Text Validation Min", "Identifier?", "Branching Logic (Show field "
                     "only if...)", "Required Field?"])
    writer.writerows(dictionary)
    path = tmp_path / "odd_DataDictionary.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    definition, report = import_redcap(path)
    load_survey_text(survey_file(definition, report), path="odd.yaml", question_types=TYPES)
    left_out = {n.row for n in report.notes if n.level == "left out"}
    assert report.kept_rows + len(left_out) == report.question_rows
