"""Export formats: XLSX, the data dictionary, CSV/JSON safety, memory with many responses, CLI."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from consent_kit import Breakdown, Choice, Condition, Page, Question, Response, Survey, hookimpl
from consent_kit.cli import cli
from consent_kit.defaults.exporters import (
    CsvExporter,
    DictionaryExporter,
    JsonExporter,
    XlsxExporter,
)
from consent_kit.results.dictionary import DICTIONARY_COLUMNS, dictionary_rows
from consent_kit.results.export import write_export

QUESTIONS = (
    Question("colour", "single_choice", "Favourite colour?", prefer_not_to_say=True,
             choices=(Choice("red", "Red"), Choice("blue", "Blue"))),
    Question("hobbies", "multiple_choice", "Hobbies?",
             choices=(Choice("art", "Art"), Choice("music", "Music"))),
    Question("mood", "scale", "How are you?",
             options={"min": 1, "max": 3, "min_label": "Low", "max_label": "High"}),
    Question("ok", "yes_no", "All right?", required=False,
             show_if=Condition("colour", "equals", "red")),
    Question("age", "number", "How old are you?"),
    Question("note", "info", "Thanks!"),
    Question("why", "long_text", "Why?"),
)
SURVEY = Survey("demo", "Demo", "", (Page("p", "P", QUESTIONS),), "v123")


def responses(n: int):
    """``n`` responses made one at a time (never a list): what a streaming store gives."""
    for i in range(n):
        yield Response(f"id-{i:06d}", "demo", "v123",
                       {"colour": "red", "hobbies": ["art", "music"], "mood": 2, "ok": "yes",
                        "age": 15, "why": f"Answer number {i}, with a few more words in it."},
                       f"2026-11-20T10:{i % 60:02d}:00Z", "REF", "poster", {"language": "en"})


def test_the_dictionary_names_every_column_and_every_answer_code():
    rows = list(dictionary_rows(SURVEY))
    columns = [r["column"] for r in rows]
    assert columns[:6] == ["response_id", "submitted_at", "version", "survey_version", "source",
                           "language"]
    assert "note" not in columns  # information text takes no answer
    colour = [(r["value"], r["value_label"]) for r in rows if r["column"] == "colour"]
    assert colour == [("red", "Red"), ("blue", "Blue"), ("prefer_not_to_say", "Prefer not to say")]
    mood = [(r["value"], r["value_label"]) for r in rows if r["column"] == "mood"]
    assert mood == [("1", "1 (Low)"), ("2", "2"), ("3", "3 (High)")]
    [ok_yes, ok_no] = [r for r in rows if r["column"] == "ok"]
    assert (ok_yes["value"], ok_no["value_label"], ok_yes["required"]) == ("yes", "No", "no")
    assert ok_yes["shown_only_if"] == "colour equals red"
    assert {r["survey_version"] for r in rows} == {"v123"}
    [age] = [r for r in rows if r["column"] == "age"]
    assert (age["question"], age["type"], age["value"]) == ("How old are you?", "number", "")


def test_dictionary_export_is_csv_with_the_columns_in_order():
    out = io.BytesIO()
    DictionaryExporter().write(SURVEY, responses(3), out)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert tuple(rows[0]) == DICTIONARY_COLUMNS
    assert ["colour", "Favourite colour?", "single_choice", "blue", "Blue"] == rows[8][:5]


def test_dictionary_cells_that_look_like_formulas_are_neutralised():
    tricky = Survey("t", "T", "", (Page("p", "P", (Question("q", "short_text", "=cmd|'/c calc'!A1"),)),),
                    "v1")
    out = io.BytesIO()
    DictionaryExporter().write(tricky, [], out)
    assert "'=cmd|" in out.getvalue().decode("utf-8-sig")


def test_xlsx_keeps_numbers_as_numbers_and_formulas_as_words():
    odd = Response("x", "demo", "v123", {"colour": "=1+1", "why": "bell\x07 and tab\tok",
                                         "mood": 3, "hobbies": ["art"]},
                   "2026-11-20T10:00:00Z", "REF")
    out = io.BytesIO()
    XlsxExporter().write(SURVEY, [odd], out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    sheet = book["Answers"]
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["colour"].value == "=1+1" and row["colour"].data_type == "s"
    assert row["mood"].value == 3 and row["hobbies"].value == "art"
    assert row["why"].value == "bell and tab\tok"  # a control character a workbook can't hold
    assert book.sheetnames == ["Answers", "About the questions"]


def test_json_has_the_dictionary_and_the_version():
    out = io.BytesIO()
    JsonExporter().write(SURVEY, responses(2), out)
    document = json.loads(out.getvalue())
    assert document["version"] == "v123" and len(document["responses"]) == 2
    assert document["questions"][0]["column"] == "response_id"


class Sink:
    """A file that keeps only how many bytes it was given (the memory is the exporter's own)."""

    def __init__(self):
        self.size = 0

    def write(self, data):
        self.size += len(data)
        return len(data)

    def flush(self):
        pass


def peak_memory(exporter, n: int, out=None, tries: int = 1) -> int:
    """Peak bytes allocated (tracemalloc) while ``exporter`` writes ``n`` responses.

    tracemalloc counts every thread's allocations, and in the whole suite other tests'
    background threads (audit chainers, tally counters) may still run: with ``tries`` > 1
    the least of several peaks is the exporter's own (a real growth shows in every try).
    """
    peaks = []
    for _ in range(tries):
        tracemalloc.start()
        try:
            exporter.write(SURVEY, responses(n), out if out is not None else Sink())
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    return min(peaks)


@pytest.mark.parametrize("exporter", [CsvExporter(), JsonExporter()], ids=lambda e: e.name)
def test_text_exports_of_50000_responses_keep_memory_flat(exporter):
    small, large = peak_memory(exporter, 5_000, tries=2), peak_memory(exporter, 50_000, tries=2)
    print(f"{exporter.name}: peak {large / 1024:.0f} KiB for 50,000 (5,000: {small / 1024:.0f} KiB)")
    assert large < 2 * 1024 * 1024  # 50,000 responses of this survey are ~8 MB of CSV
    assert large < small * 1.5 + 64 * 1024


def test_xlsx_export_memory_does_not_grow_with_the_responses(tmp_path):
    # 50,000 take minutes under tracemalloc (benchmarks/export_memory.py measures them);
    # 1,000 and 5,000 show the same: rows go to a temporary file, not to memory.
    peak_memory(XlsxExporter(), 10, io.BytesIO())  # the first workbook pays for imports
    with open(tmp_path / "a.xlsx", "wb") as out_small:
        small = peak_memory(XlsxExporter(), 1_000, out_small)
    with open(tmp_path / "b.xlsx", "wb") as out_large:
        large = peak_memory(XlsxExporter(), 5_000, out_large)
    print(f"xlsx: peak {large / 1024:.0f} KiB for 5,000 (1,000: {small / 1024:.0f} KiB)")
    assert large < 2 * 1024 * 1024
    assert large < small * 1.25 + 64 * 1024
    book = openpyxl.load_workbook(tmp_path / "b.xlsx", read_only=True)
    try:
        assert sum(1 for _ in book["Answers"].iter_rows()) == 5_001
    finally:
        book.close()


def test_cli_exports_xlsx_and_puts_it_on_record(make_app, tmp_path):
    app = make_app()
    store = app.extensions["consent_kit"].store
    store.add_response(Response("r1", "event-feedback", "v", {"felt_welcome": "a-bit"},
                                "2026-11-20T10:00:00Z", "REF"))
    out = tmp_path / "answers.xlsx"
    result = CliRunner().invoke(cli, ["export", "--instance", app.instance_path, "event-feedback",
                                      "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out)["Answers"].values)
    assert rows[1][0] == "r1" and "a-bit" in rows[1]
    [entry] = [e for e in store.iter_audit() if e["action"] == "export"]
    assert entry["details"] == {"format": "xlsx", "rows": 1}


class PosterPlugin:
    """Names where people came from, as a QR plugin would."""

    @hookimpl
    def response_breakdowns(self, survey):
        return [Breakdown("poster", "Which poster", lambda r: {"lib": "Library poster"}.get(r.source, ""))]


def test_plugin_breakdowns_become_columns_in_every_format():
    poster = Breakdown("source", "Which poster", lambda r: "Library poster")
    csv_out, json_out, xlsx_out, about_out = (io.BytesIO() for _ in range(4))
    CsvExporter().write(SURVEY, responses(1), csv_out, breakdowns=[poster])
    JsonExporter().write(SURVEY, responses(1), json_out, breakdowns=[poster])
    XlsxExporter().write(SURVEY, responses(1), xlsx_out, breakdowns=[poster])
    DictionaryExporter().write(SURVEY, [], about_out, breakdowns=[poster])
    [row] = csv.DictReader(io.StringIO(csv_out.getvalue().decode("utf-8-sig")))
    assert (row["source"], row["source_group"]) == ("poster", "Library poster")
    assert json.loads(json_out.getvalue())["responses"][0]["source_group"] == "Library poster"
    sheet = list(openpyxl.load_workbook(io.BytesIO(xlsx_out.getvalue()))["Answers"].values)
    assert sheet[1][sheet[0].index("source_group")] == "Library poster"
    assert "source_group,Which poster,group" in about_out.getvalue().decode("utf-8-sig")


def test_an_exporter_that_takes_no_breakdowns_still_works():
    class Old:
        def write(self, survey, responses, out):
            out.write(b"".join(r.id.encode() for r in responses))

    out = io.BytesIO()
    write_export(Old(), SURVEY, responses(2), out, [Breakdown("b", "B", str)])
    assert out.getvalue() == b"id-000000id-000001"


def test_the_web_export_adds_the_plugins_groups(make_app):
    from consent_kit.testing import Browser, populate

    app = make_app(plugins=[PosterPlugin()])
    populate(app)
    app.extensions["consent_kit"].store.add_response(Response(
        "r1", "event-feedback", "v", {}, "2026-11-20T10:00:00Z", "REF", "lib"))
    browser = Browser(app)
    browser.login("ola")
    browser.get("/studio/surveys/event-feedback/export")
    response = browser.post("/studio/surveys/event-feedback/export", {"format": "csv"})
    [row] = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    assert (row["source"], row["poster"]) == ("lib", "Library poster")


MINI = """
id: mini
title: Mini
description: A small test survey.
questions:
  - id: colour
    type: single_choice
    label: Favourite colour?
    choices:
      - {value: red, label: Red}
      - {value: blue, label: Blue}
  - id: pet
    type: short_text
    label: What is your pet called?
"""


def test_answers_to_a_question_removed_later_are_still_exported(make_app):
    from consent_kit.testing import PASSWORD, Browser

    app = make_app(forms={"mini.yaml": MINI}, examples=False)
    # mini is in no project, so only an admin may export it.
    app.extensions["consent_kit_studio"].accounts.create_user("ada", "admin", PASSWORD)
    kit = app.extensions["consent_kit"]
    first = kit.catalog.get("mini")
    kit.store.add_response(Response("r1", "mini", first.version, {"colour": "red", "pet": "Rex"},
                                    "2026-11-20T10:00:00Z", "REF"))
    Path(app.config["FORMS_DIR"], "mini.yaml").write_text(MINI.split("  - id: pet")[0])
    second = kit.catalog.get("mini")
    assert second.version != first.version and second.question("pet") is None
    kit.store.add_response(Response("r2", "mini", second.version, {"colour": "blue"},
                                    "2026-11-21T10:00:00Z", "REF"))
    browser = Browser(app)
    browser.login("ada")
    browser.get("/studio/surveys/mini/export")
    data = browser.post("/studio/surveys/mini/export", {"format": "csv"}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(data.lstrip("\ufeff"))))
    assert [(r["colour"], r["pet"]) for r in rows] == [("red", "Rex"), ("blue", "")]
    about = browser.post("/studio/surveys/mini/export", {"format": "dictionary"}).get_data(as_text=True)
    [pet] = [r for r in csv.DictReader(io.StringIO(about.lstrip("\ufeff"))) if r["column"] == "pet"]
    assert pet["question"] == "What is your pet called?" and pet["survey_version"] == first.version


@pytest.mark.parametrize(("answer", "cell"), [
    (-5, "-5"),  # issue 23 item 14: a number is never turned into text
    (-2.5, "-2.5"),
    ("-5", "-5"),  # typed as text, still only a number: a spreadsheet runs nothing
    ("+3", "+3"),
    ("1e-3", "1e-3"),
    ("-1+2", "'-1+2"),  # a sum: a formula
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("=1+1", "'=1+1"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("+", "'+"),
    ("-", "'-"),
    ("\t-5", "'\t-5"),
])
def test_csv_neutralises_formula_looking_text_never_a_number(answer, cell):
    row = Response("x", "demo", "v123", {"age": answer}, "2026-11-20T10:00:00Z", "REF")
    out = io.BytesIO()
    CsvExporter().write(SURVEY, [row], out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert rows[0]["age"] == cell
