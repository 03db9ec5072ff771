"""Big downloads: streamed while written (and stopped when the reader goes), XLSX past Excel's rows."""

from __future__ import annotations

import io
import threading

import openpyxl
import pytest

from consent_kit import Page, Question, Response, Survey
from consent_kit.results.streaming import stream
from consent_kit.results.xlsx import sheet_name, write_xlsx

SURVEY = Survey("demo", "Demo", "", (Page("p", "P", (Question("n", "number", "N?"),)),), "v1")


def responses(n: int):
    for i in range(n):
        yield Response(f"r{i}", "demo", "v1", {"n": i}, "2026-11-20T10:00:00Z", "REF")


def test_a_stream_gives_every_byte_then_says_how_many_rows():
    done = []

    def run(out):
        for i in range(5_000):
            out.write(b"row %d\n" % i)
        return 5_000

    body = b"".join(stream(run, done.append))
    assert body == b"".join(b"row %d\n" % i for i in range(5_000)) and done == [5_000]


def test_a_failed_export_cuts_the_download_and_is_not_on_record():
    done = []

    def run(out):
        out.write(b"x" * 200_000)
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        b"".join(stream(run, done.append))
    assert done == []


def test_a_reader_that_stops_early_stops_the_writer():
    stopped = threading.Event()

    def run(out):
        try:
            while True:
                out.write(b"y" * 65_536)
        finally:
            stopped.set()

    chunks = stream(run, lambda rows: None)
    next(chunks)
    chunks.close()  # the browser went away
    assert stopped.wait(5)


def test_xlsx_goes_on_in_a_new_sheet_when_one_is_full():
    out = io.BytesIO()
    write_xlsx(SURVEY, responses(10), out, max_rows=4)  # 3 answers a sheet, under the names
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    names = [sheet_name(n) for n in (1, 2, 3, 4)]
    assert book.sheetnames == [*names, "About the questions"]
    ids = []
    for name in names:
        rows = list(book[name].values)
        assert rows[0][0] == "response_id" and len(rows) <= 4
        ids += [row[0] for row in rows[1:]]
    assert ids == [f"r{i}" for i in range(10)]
    assert book["Answers 4"]["A2"].value == "r9"


def test_xlsx_within_the_limit_is_one_sheet_with_numbers_as_numbers():
    out = io.BytesIO()
    write_xlsx(SURVEY, responses(3), out)
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["Answers", "About the questions"]
    rows = list(book["Answers"].values)
    assert [r[rows[0].index("n")] for r in rows[1:]] == [0, 1, 2]
