"""The core's export formats: CSV and JSON."""

from __future__ import annotations

from ..export import csv_chunks, json_chunks
from ..hookspecs import hookimpl


class CsvExporter:
    name = "csv"
    label = "CSV (opens in any spreadsheet)"
    media_type = "text/csv"
    suffix = ".csv"

    def write(self, survey, responses, out):
        """Write the responses as CSV (UTF-8 with a BOM so spreadsheets read accents) to ``out``."""
        out.write("\ufeff".encode())
        for chunk in csv_chunks(survey, responses):
            out.write(chunk.encode("utf-8"))


class JsonExporter:
    name = "json"
    label = "JSON (for programs)"
    media_type = "application/json"
    suffix = ".json"

    def write(self, survey, responses, out):
        """Write the responses as one JSON document to ``out``."""
        for chunk in json_chunks(survey, responses):
            out.write(chunk.encode("utf-8"))


@hookimpl
def register_exporters(register):
    register(CsvExporter())
    register(JsonExporter())
