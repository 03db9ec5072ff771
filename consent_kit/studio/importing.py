"""The studio's "Import" page: an XLSForm or a REDCap data dictionary becomes a draft survey.

A researcher uploads a questionnaire they already have (an XLSForm from ODK or
Kobo, ``.xlsx`` or ``.xls``, or a REDCap data dictionary, ``.csv``). The
importers in :mod:`consent_kit.survey.load` turn it into a survey definition
and a report of every row that couldn't come across; the definition is checked
by the real loader and kept as a draft in the builder, with the builder's
consent template marked as needing the researcher's own words. The report is
kept too, so its page can be opened again from the link.

A bad file never breaks the page: it is refused with a plain message that says
what is wrong (and which row, when one row is the trouble).
"""

from __future__ import annotations

import io
import logging
import re
import tempfile
import zipfile
from pathlib import Path

from flask import redirect, request, url_for
from flask_babel import gettext as _

from consent_kit.studio.auth import audit, current_project, not_found, state
from consent_kit.studio.builder.checks import check
from consent_kit.studio.builder.ops import make_id
from consent_kit.studio.builder.texts import text_of
from consent_kit.studio.builder.view_support import bp, me, problem_words, render, workspace
from consent_kit.studio.rules import login_required
from consent_kit.survey.load.imported import ImportReport, import_file
from consent_kit.survey.model import SurveyError
from consent_kit.web.helpers import kit

log = logging.getLogger(__name__)

FIELD = "questionnaire"
#: Biggest file accepted (the request limit, MAX_CONTENT_LENGTH, stops bigger ones first).
MAX_IMPORT_BYTES = 2 * 1024 * 1024
#: An .xlsx is a zip: refuse one that unpacks to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
SUFFIXES = (".xlsx", ".xls", ".csv")
XLSX_START, XLS_START = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Where the report of each import is kept (by survey id), for its page.
REPORTS = "import_reports"


class ImportRefused(Exception):
    """The file can't be imported; ``message`` says why in plain words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def safe_name(filename: str) -> str:
    """The uploaded file's own name, without folders or odd characters (it names a temporary file)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = re.sub(r"[^A-Za-z0-9._ -]+", "_", name).strip(" .")[:100]
    return name or "questionnaire"


def read_upload(data: bytes, filename: str) -> tuple[dict, ImportReport]:
    """The survey definition and report from an uploaded file, or :class:`ImportRefused`."""
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportRefused(_("Choose an XLSForm (a .xlsx or .xls file) or a REDCap data "
                              "dictionary (a .csv file). %(name)s is neither.", name=name))
    if not data.strip():
        raise ImportRefused(_("%(name)s is empty. Check you chose the right file.", name=name))
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(_("%(name)s is too big to import (the most is 2 MB). Check you "
                              "chose the right file.", name=name))
    name = _name_for_content(data, name, suffix)
    with tempfile.TemporaryDirectory(prefix="consent-kit-import-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            return import_file(path)
        except UnicodeDecodeError:
            raise ImportRefused(_("%(name)s isn't saved as UTF-8 text, so some letters can't be "
                                  "read. Open it in a spreadsheet program and save it again as "
                                  "‘CSV UTF-8’.", name=name)) from None
        except ValueError as error:  # the importers' own plain messages
            raise ImportRefused(str(error)) from None
        except Exception:  # noqa: BLE001  a file shaped in a way nobody expected: say so, don't crash
            log.exception("Could not import %s", name)
            raise ImportRefused(_("%(name)s couldn't be read. Check it opens in a spreadsheet "
                                  "program and has a ‘survey’ sheet (XLSForm) or the columns of a "
                                  "REDCap data dictionary.", name=name)) from None


def _name_for_content(data: bytes, name: str, suffix: str) -> str:
    """The name to read the file under: its suffix follows what is really in it."""
    stem = name[: -len(suffix)] or "questionnaire"
    if data.startswith(XLSX_START):
        _check_zip(data, name)
        return f"{stem}.xlsx"
    if data.startswith(XLS_START):
        return f"{stem}.xls"
    if suffix != ".csv":
        raise ImportRefused(_("%(name)s isn't an Excel file that can be read. Open it in a "
                              "spreadsheet program, save it as .xlsx and import that.", name=name))
    return name


def _check_zip(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as packed:
            unpacked = sum(info.file_size for info in packed.infolist())
    except zipfile.BadZipFile:
        raise ImportRefused(_("%(name)s is damaged: it can't be opened. Save it again from your "
                              "spreadsheet program and import that.", name=name)) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused(_("%(name)s is too big to import once opened. Check you chose the "
                              "right file.", name=name))


# -- pages ------------------------------------------------------------------------------


@bp.route("/projects/<project_id>/surveys/import", methods=["GET", "POST"])
@login_required("researcher", scope="project")
def import_survey(project_id):
    """Upload an XLSForm or REDCap data dictionary; it becomes a draft survey of this project."""
    errors = []
    if request.method == "POST":
        upload = request.files.get(FIELD)
        try:
            if upload is None or not upload.filename:
                raise ImportRefused(_("Choose the file to import."))
            survey_id = _import(upload.stream.read(MAX_IMPORT_BYTES + 1), upload.filename)
        except ImportRefused as error:
            errors = [(FIELD, _("Questionnaire file"), error.message)]
        else:
            return redirect(url_for(".import_report", survey_id=survey_id))
    return render("studio/import.html", None, errors=errors, field=FIELD, report=None)


def _import(data: bytes, filename: str) -> str:
    """Import the file as a new draft survey in the current project; its id."""
    definition, report = read_upload(data, filename)
    definition.pop("_comment", None)  # only for the file's heading; the report is kept below
    project = current_project()
    survey_id = _free_id(str(definition.get("id") or ""), str(definition.get("title") or ""))
    definition["id"] = survey_id
    try:
        survey = check(definition, kit().question_types, survey_id)
    except SurveyError as error:  # an importer fault: say what the check found, keep nothing
        log.error("An imported survey failed its check: %s", error)
        raise ImportRefused(_("The survey made from %(name)s has a problem, so it wasn't kept: "
                              "%(problem)s", name=safe_name(filename),
                              problem=problem_words(error.problems)[0])) from None
    workspace().save_draft(survey_id, survey.definition, me())
    state().accounts.assign_survey(survey_id, project.id)
    kit().store.documents(REPORTS).put(_report_record(survey_id, filename, survey, report),
                                       survey_id=survey_id)
    audit("survey_imported", survey_id, {"project": project.id, "rows": report.question_rows,
                                         "kept": report.kept_rows})
    return survey_id


def _free_id(wanted: str, title: str) -> str:
    from consent_kit.studio.builder.publish_views import _ids_in_use

    taken = _ids_in_use()
    if wanted and wanted not in taken and not workspace().has_draft_or_file(wanted):
        return wanted
    taken |= {p.stem for p in workspace().forms.glob("*.y*ml")}
    return make_id(wanted or title, taken, prefix="survey", sep="-")


def _report_record(survey_id: str, filename: str, survey, report: ImportReport) -> dict:
    """What the report page shows, kept as it was at import (the draft changes afterwards)."""
    language = survey.language
    return {
        "survey_id": survey_id, "file": safe_name(filename), "by": me(),
        "rows": report.question_rows, "kept": report.kept_rows,
        "questions": [{"label": text_of(q.label, language), "type": q.type}
                      for q in survey.questions],
        "notes": [{"row": n.row, "kind": n.kind, "name": n.name, "message": n.message,
                   "level": n.level} for n in report.notes],
    }


@bp.get("/surveys/<survey_id>/imported")
@login_required("researcher", scope="survey")
def import_report(survey_id):
    """What came in from the imported file, what didn't and why, and a way into the builder."""
    record = kit().store.documents(REPORTS).get(survey_id=survey_id)
    if record is None:
        return not_found()
    notes = sorted(record["notes"], key=lambda n: n["row"])
    by_level = {level: [n for n in notes if n["level"] == level]
                for level in ("left out", "changed", "warning")}
    types = {t.name: str(t.label or t.name) for t in kit().question_types}
    return render("studio/import.html", None, report=record, notes=by_level, type_words=types,
                  survey_id=survey_id, has_draft=workspace().draft(survey_id) is not None)
