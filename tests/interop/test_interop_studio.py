"""The studio's Import page: a questionnaire becomes a draft survey, with its report (issue 18 item 1)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from test_interop_import import DATA

from consent_kit.studio.builder.starter import MARK, placeholders_in
from consent_kit.studio.importing import REPORTS, ImportRefused, read_upload, safe_name
from consent_kit.testing import PASSWORD, Browser, audit_entries, errors_in, populate

IMPORT = "/studio/projects/alpha/surveys/import"


@pytest.fixture
def app(make_app):
    app = make_app()
    populate(app)
    return app


def signed_in(app, username: str = "rae") -> Browser:
    browser = Browser(app)
    assert browser.login(username, PASSWORD).status_code == 302
    return browser


def upload(browser: Browser, data: bytes, name: str):
    return browser.post(IMPORT, {"questionnaire": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")


def words(browser: Browser) -> str:
    """The last page's words, without tags and with single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", browser.text).replace(" ,", ",").split())


def draft_of(app, survey_id: str) -> dict | None:
    found = app.extensions["consent_kit_builder"].draft(survey_id)
    return found["definition"] if found else None


def test_the_new_survey_page_links_to_import_and_the_form_takes_spreadsheets(app):
    rae = signed_in(app)
    page = rae.get("/studio/projects/alpha/surveys/new").get_data(as_text=True)
    assert f'href="{IMPORT}"' in page
    form = rae.get(IMPORT)
    assert form.status_code == 200
    assert 'accept=".xlsx,.xls,.csv"' in rae.text and 'enctype="multipart/form-data"' in rae.text


def test_an_xlsform_becomes_a_draft_with_its_report(app):
    rae = signed_in(app)
    response = upload(rae, (DATA / "own" / "youth-services.xlsx").read_bytes(), "youth-services.xlsx")
    assert response.status_code == 302, errors_in(response)
    assert response.location == "/studio/surveys/youth-services/imported"
    definition = draft_of(app, "youth-services")
    assert definition["title"] == "Youth services"
    # The consent section is the builder's template, its words marked for the researcher.
    assert ("consent", "what") in placeholders_in(definition)
    assert app.extensions["consent_kit_studio"].accounts.survey_projects()["youth-services"] == "alpha"
    [entry] = audit_entries(app, "survey_imported")
    assert entry["details"] == {"project": "alpha", "rows": 21, "kept": 15}
    report = rae.get(response.location)
    assert report.status_code == 200
    text = words(rae)
    assert "What came in from youth-services.xlsx" in text and "15 of 21 questions came in." in text
    assert "Row 18, calculate ‘total_score’: not imported — consent-kit has no calculations yet" in text
    assert "What couldn’t come in, and why" in text and "What changed on the way" in text
    assert "What should we call you?" in text and MARK in text
    assert 'href="/studio/surveys/youth-services/build"' in rae.text
    # The builder opens it as a draft.
    assert rae.get("/studio/surveys/youth-services/build").status_code == 200


@pytest.mark.parametrize(("path", "survey_id", "kept"), [
    (DATA / "xls-pyxform" / "sms_info.xls", "sms-info-form", 6),
    (DATA / "redcap" / "wellbeing_DataDictionary.csv", "wellbeing", None),
])
def test_old_xls_forms_and_redcap_dictionaries_import_too(app, path: Path, survey_id, kept):
    rae = signed_in(app)
    response = upload(rae, path.read_bytes(), path.name)
    assert response.status_code == 302, errors_in(response)
    record = app.extensions["consent_kit"].store.documents(REPORTS).get(survey_id=survey_id)
    assert record["file"] == path.name and draft_of(app, survey_id)
    if kept is not None:
        assert record["kept"] == kept
    rae.get(response.location)
    assert "Things to think about" in rae.text or "What couldn’t come in" in rae.text


def test_importing_the_same_file_twice_makes_a_second_survey(app):
    rae = signed_in(app)
    data = (DATA / "own" / "event-feedback.xlsx").read_bytes()
    first = upload(rae, data, "event-feedback.xlsx").location
    second = upload(rae, data, "event-feedback.xlsx").location
    # event-feedback is another project's survey: neither import may take its id.
    assert first != second and "/event-feedback/" not in first + second
    assert draft_of(app, first.split("/")[3]) and draft_of(app, second.split("/")[3])


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("xl/worksheets/sheet1.xml", b"\0" * (41 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(("data", "name", "words"), [
    (b"%PDF-1.4", "form.pdf", "REDCap data dictionary (a .csv file). form.pdf is neither."),
    (b"", "form.xlsx", "form.xlsx is empty"),
    (b"just words", "form.xlsx", "form.xlsx isn't an Excel file that can be read"),
    (b"PK\x03\x04broken", "form.xlsx", "form.xlsx is damaged"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls",
     "old.xls: this isn't an old Excel (.xls) file"),
    ("Field Type,Variable\ntext,é".encode("latin-1"), "dd.csv", "dd.csv isn't saved as UTF-8 text"),
    (b"name,age\nAmy,12\n", "people.csv", "people.csv: this isn't a REDCap data dictionary"),
    (b"type,name\n\0\0,x\n", "odd.csv", "odd.csv"),
    (_zip_bomb(), "big.xlsx", "big.xlsx is too big to import once opened"),
])
def test_a_bad_file_is_refused_in_plain_words_and_nothing_is_kept(app, data, name, words):
    rae = signed_in(app)
    response = upload(rae, data, name)
    assert response.status_code == 400
    [message] = errors_in(response)
    assert words in message
    assert "Traceback" not in rae.text
    assert not app.extensions["consent_kit"].store.documents(REPORTS).find()
    assert not audit_entries(app, "survey_imported")


def test_no_file_chosen(app):
    rae = signed_in(app)
    response = rae.post(IMPORT, {}, content_type="multipart/form-data")
    assert response.status_code == 400 and errors_in(response) == ["Choose the file to import."]


def test_an_xlsform_without_a_survey_sheet_says_so(app, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "questions"
    book.active.append(["type", "name"])
    book.save(tmp_path / "mine.xlsx")
    response = upload(signed_in(app), (tmp_path / "mine.xlsx").read_bytes(), "mine.xlsx")
    assert errors_in(response) == ["mine.xlsx: there is no 'survey' sheet, so this isn't an XLSForm."]


def test_a_row_that_breaks_the_importer_is_named_and_the_rest_comes_in(app, tmp_path, monkeypatch):
    from openpyxl import Workbook

    from consent_kit.survey.load import xlsform_checks

    def broken(*args):
        raise KeyError("parameters")

    monkeypatch.setitem(xlsform_checks.QUESTION_TYPES, "range", broken)
    book = Workbook()
    book.active.title = "survey"
    for row in (["type", "name", "label"], ["text", "first", "First?"], ["range", "odd", "Odd?"]):
        book.active.append(row)
    book.save(tmp_path / "form.xlsx")
    rae = signed_in(app)
    response = upload(rae, (tmp_path / "form.xlsx").read_bytes(), "form.xlsx")
    assert response.status_code == 302, errors_in(response)
    assert [q["id"] for p in draft_of(app, "form")["pages"] for q in p["questions"]] == ["first"]
    rae.get(response.location)
    assert "Row 3, range ‘odd’: not imported — this row couldn't be read (KeyError" in words(rae)


def test_the_report_page_is_only_for_imported_surveys_and_their_project(app):
    rae = signed_in(app)
    assert rae.get("/studio/surveys/have-your-say/imported").status_code == 404
    upload(rae, (DATA / "own" / "event-feedback.xlsx").read_bytes(), "fb.xlsx")
    [record] = app.extensions["consent_kit"].store.documents(REPORTS).find()
    url = f"/studio/surveys/{record['survey_id']}/imported"
    assert signed_in(app, "ola").get(url).status_code == 404
    assert signed_in(app, "vic").get(url).status_code == 403


def test_read_upload_never_uses_the_uploaded_name_as_a_path():
    assert safe_name("../../etc/passwd.xlsx") == "passwd.xlsx"
    assert safe_name("C:\\Users\\amy\\My form (2).xlsx") == "My form _2_.xlsx"
    assert safe_name("") == "questionnaire"
    with pytest.raises(ImportRefused, match="too big"):
        read_upload(b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024), "big.xlsx")
