"""The core's export formats: CSV, JSON, Excel (XLSX) and the data dictionary.

Each ``write`` also takes the plugins' ``breakdowns`` (see
:func:`consent_kit.results.export.write_export`) and adds a column for each.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consent_kit.hookspecs import hookimpl
from consent_kit.results.export import csv_chunks, dictionary_csv_chunks, json_chunks
from consent_kit.results.xlsx import write_xlsx


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
        for chunk in json_chunks(survey, responses, breakdowns):
            out.write(chunk.encode("utf-8"))


class XlsxExporter:
    name = "xlsx"
    label = _l("Excel (XLSX), with a sheet about the questions")
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    suffix = ".xlsx"

    def write(self, survey, responses, out, breakdowns=()):
        """Write the responses and the data dictionary as an Excel workbook to ``out``."""
        write_xlsx(survey, responses, out, breakdowns)


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
        for chunk in dictionary_csv_chunks(survey, breakdowns):
            out.write(chunk.encode("utf-8"))


@hookimpl
def register_exporters(register):
    register(CsvExporter())
    register(JsonExporter())
    register(XlsxExporter())
    register(DictionaryExporter())
