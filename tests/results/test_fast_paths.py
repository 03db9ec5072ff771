"""The fast paths of issue 22 give exactly what the plain ones gave."""

from __future__ import annotations

import io
import math

from python_calamine import CalamineWorkbook

from consent_kit import Page, Question, Response, Survey
from consent_kit.results.export import csv_cell, flat_value, neutralise
from consent_kit.results.xlsx import write_xlsx
from consent_kit.results.xlsx_stream import column_letter
from consent_kit.store.journal import decode, encode

ODD_VALUES = ["plain", "", "=1+1", "-5", "-inf", "+3.5", "@me", "\tx", 0, -5, 3.25, float("nan"),
              True, None, ["a", "=b"], [], "ünïcode ☂", "a,b\n\"c\""]


def test_csv_cells_are_what_neutralise_and_flat_value_make():
    for value in ODD_VALUES:
        assert csv_cell(value) == neutralise(flat_value(value)), value


def test_journal_lines_read_back_exactly_whatever_the_decoder():
    for record in ({"n": 123456789012345678901234567890}, {"n": -(2**63)}, {"x": 0.1, "s": "é\u2028"},
                   {"deep": {"list": [1, 2.5, None, True, "x"]}}):
        raw = encode(record)
        assert decode(raw, where="test") == record
    assert type(decode(encode({"n": 10**30}), where="test")["n"]) is int  # not a float
    assert math.isnan(decode(b'{"a": NaN}', where="test")["a"])  # json takes what orjson refuses
    assert decode(b'{"a": 1', where="test") is None


def test_column_letters_go_past_z():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_a_second_reader_opens_the_workbook_too():
    survey = Survey("d", "D", "", (Page("p", "P", (Question("q", "short_text", "Q?"),
                                                   Question("n", "number", "N?"))),), "v1")
    rows = [Response(f"r{i}", "d", "v1", {"q": f"<b>&{i}</b> \x07bell", "n": i * 1.5},
                     "2026-11-20T10:00:00Z", "REF") for i in range(40)]
    out = io.BytesIO()
    write_xlsx(survey, rows, out)
    out.seek(0)
    book = CalamineWorkbook.from_filelike(out)
    assert book.sheet_names == ["Answers", "About the questions"]
    sheet = book.get_sheet_by_name("Answers").to_python()
    header = sheet[0]
    assert sheet[3][header.index("q")] == "<b>&2</b> bell" and sheet[3][header.index("n")] == 3.0
    assert len(sheet) == 41
