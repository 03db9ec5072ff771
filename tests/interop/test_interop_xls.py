"""Old .xls XLSForms, read with python-calamine (issue 18, item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_interop_import import DATA, imported, notes

from consent_kit.survey.load.xlsform import XLSFormError, read_sheets

XLS = DATA / "xls-pyxform"


def test_an_xls_form_reads_like_its_xlsx_twin():
    # pyxform ships specify_other in both formats: the two must read the same.
    old = read_sheets(XLS / "specify_other.xls")
    assert old["survey"] == [(2, {"type": "select one from sexes or specify other", "name": "sex",
                                  "label::English": "What sex are you?"})]
    assert [row["name"] for _, row in old["choices"]] == ["male", "female"]


def test_xls_questions_groups_and_metadata_come_across(tmp_path):
    survey, definition, report = imported(XLS / "sms_info.xls", tmp_path)
    assert survey.id == "sms-info-form" and survey.title == "SMS Example"
    assert [q.id for q in survey.questions] == ["age", "has_children", "bday", "name", "web_browsers", "nope"]
    assert survey.question("age").type == "number" and survey.question("bday").type == "date"
    # Numbers typed in .xls cells come back as floats: choice names must still be "0" and "1".
    assert [c.value for c in survey.question("has_children").choices] == ["0", "1"]
    text = notes(report)
    assert "row 9, `image` picture: not imported" in text
    assert "row 20, `imei` imei: not imported — consent-kit never records" in text
    assert (report.kept_rows, report.question_rows) == (6, 8)


def test_old_bind_columns_are_read_and_repeats_reported(tmp_path):
    sheets = read_sheets(XLS / "tutorial.xls")
    row = dict(sheets["survey"])[9]
    assert row["relevant"] == "${older_than_five}='no'" and row["constraint"] == ". <= 72"
    survey, _, report = imported(XLS / "tutorial.xls", tmp_path)
    assert report.kept_rows == 0 and report.question_rows == 10
    assert "row 2, `begin repeat` member: not imported — consent-kit has no repeats yet" in notes(report)
    assert [q.type for q in survey.questions] == ["info"]  # a marked page, so the file still loads


def test_xls_conditions_on_left_out_rows_are_reported(tmp_path):
    survey, _, report = imported(XLS / "cascading_select_test_equivalent.xls", tmp_path)
    assert survey.question("mylga_state_in_zone_1").show_if.value == "zone_1"
    assert survey.question("mylga_lga_in_state_1").show_if is None
    assert ("row 6, `select_one` mylga_lga_in_state_1: relevant not imported — the condition uses "
            "'mylga_state', which isn't an earlier imported question") in notes(report)


@pytest.mark.parametrize("data", [b"not really", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, b""])
def test_a_broken_xls_gets_a_plain_message(data, tmp_path: Path):
    path = tmp_path / "form.xls"
    path.write_bytes(data)
    with pytest.raises(XLSFormError, match=r"form\.xls: this isn't an old Excel \(\.xls\) file"):
        read_sheets(path)
