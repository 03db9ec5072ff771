"""The core's export formats: CSV, JSON, Excel (XLSX) and the data dictionary.

Each ``write`` also takes the plugins' ``breakdowns`` (see
:func:`consent_kit.results.export.write_export`) and adds a column for each.
"""

from __future__ import annotations

from dataclasses import replace

from flask_babel import lazy_gettext as _l

from consent_kit.hookspecs import hookimpl
from consent_kit.results.codes import CHOICE_CODES, load_history, with_codes
from consent_kit.results.export import csv_chunks, dictionary_csv_chunks, json_chunks
from consent_kit.results.rexport import write_r
from consent_kit.results.spss import write_dta, write_sav
from consent_kit.results.xlsx import write_xlsx


def coded(survey):
    """``survey`` with numeric codes for its answers, stable across its versions.

    The codes come from the survey's history (every version the app has
    loaded); outside an app (a test, a script) from the survey alone.
    """
    from flask import has_app_context

    if CHOICE_CODES in survey.extra:  # worked out already (by a caller that has the history)
        return survey
    if not has_app_context():
        return with_codes(survey)
    from consent_kit.kit import current_kit

    kit = current_kit()
    rows = kit.store.documents("survey_versions").find()
    return with_codes(survey, load_history(rows, survey, kit.question_types))


class CsvExporter:
    name = "csv"
    label = _l("CSV (opens in any spreadsheet)")
    media_type = "text/csv"
    suffix = ".csv"

    def write(self, survey, responses, out, breakdowns=()):
        """Write the responses as CSV (UTF-8 with a BOM so spreadsheets read accents) to ``out``."""
        out.write("\ufeff".encode())
        for chunk in csv_chunks(survey, responses, breakdowns):
            out.write(chunk.encode("utf-8"))


class JsonExporter:
    name = "json"
    label = _l("JSON (for programs)")
    media_type = "application/json"
    suffix = ".json"

    def write(self, survey, responses, out, breakdowns=()):
        """Write the responses as one JSON document to ``out``."""
        for chunk in json_chunks(coded(survey), responses, breakdowns):
            out.write(chunk.encode("utf-8"))


class XlsxExporter:
    name = "xlsx"
    label = _l("Excel (XLSX), with a sheet about the questions")
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    suffix = ".xlsx"

    def write(self, survey, responses, out, breakdowns=()):
        """Write the responses and the data dictionary as an Excel workbook to ``out``."""
        write_xlsx(coded(survey), responses, out, breakdowns)


class DictionaryExporter:
    """What each column means: question id, wording, type, answer values and labels, version.

    It takes no answers: ``responses`` is not read, so it counts 0 rows.
    """

    name = "dictionary"
    label = _l("Data dictionary (CSV): what each column and answer code means")
    media_type = "text/csv"
    suffix = "-dictionary.csv"

    def write(self, survey, responses, out, breakdowns=()):
        """Write the data dictionary as CSV to ``out``."""
        out.write("\ufeff".encode())
        for chunk in dictionary_csv_chunks(coded(survey), breakdowns):
            out.write(chunk.encode("utf-8"))


class SpssExporter:
    """SPSS: value labels, codes that stay the same across versions, labelled missing values."""

    name = "sav"
    label = _l("SPSS (.sav), with labels and missing-value codes")
    media_type = "application/x-spss-sav"
    suffix = ".sav"

    def write(self, survey, responses, out, breakdowns=()):
        """Write the responses as an SPSS .sav file to ``out``."""
        write_sav(coded(survey), responses, out, breakdowns)


class StataExporter:
    """Stata: value labels, and missing answers as .a (not asked), .b (left blank), .c (prefer not to say)."""

    name = "dta"
    label = _l("Stata (.dta), with labels and missing-value codes")
    media_type = "application/x-stata-dta"
    suffix = ".dta"

    def write(self, survey, responses, out, breakdowns=()):
        """Write the responses as a Stata .dta file to ``out``."""
        write_dta(coded(survey), responses, out, breakdowns)


class RExporter:
    """R: a CSV of codes and an R script that reads it with labels, in a .zip."""

    name = "r"
    label = _l("R (a CSV and an R script that adds the labels, in a .zip)")
    media_type = "application/zip"
    suffix = "-r.zip"

    def write(self, survey, responses, out, breakdowns=()):
        """Write the responses as a CSV and an R script in one .zip to ``out``."""
        write_r(coded(survey), responses, out, breakdowns)


class XlsformExporter:
    """The survey itself (no answers) as an XLSForm, for ODK Collect or Kobo fieldwork offline."""

    name = "xlsform"
    label = _l("XLSForm (the questions, without answers, for ODK or Kobo)")
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    suffix = "-xlsform.xlsx"

    def write(self, survey, responses, out, breakdowns=()):
        """Write the survey's questions as an XLSForm to ``out`` (``responses`` is not read)."""
        from consent_kit.results.export_versions import EARLIER_PAGE
        from consent_kit.survey.load.xlsform_out import write_xlsform

        pages = tuple(p for p in survey.pages if p.id != EARLIER_PAGE)  # only today's questions
        write_xlsform(replace(survey, pages=pages), out)


@hookimpl
def register_exporters(register):
    register(CsvExporter())
    register(JsonExporter())
    register(XlsxExporter())
    register(DictionaryExporter())
    register(SpssExporter())
    register(StataExporter())
    register(RExporter())
    register(XlsformExporter())
