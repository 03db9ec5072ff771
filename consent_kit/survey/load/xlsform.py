"""XLSForm (ODK, Kobo) to a consent-kit survey file, with a report of what couldn't come across.

Reads the ``survey``, ``choices`` and ``settings`` sheets of an ``.xlsx`` file
with openpyxl, or of an old ``.xls`` file with python-calamine. Groups become
pages (a ``field-list`` group is one page; otherwise each question has a page
of its own, so conditions can use any earlier answer), simple ``relevant`` and
``constraint`` expressions become ``show_if`` and ``validation``, and labels in
several languages become translated texts. The mapping itself is in
:mod:`consent_kit.survey.load.xlsform_rows`.
"""

from __future__ import annotations

import re
from pathlib import Path

from consent_kit.survey.load.imported import (
    ImportReport,
    language_code,
    say,
    slug,
    starting_parts,
    unreadable,
)
from consent_kit.survey.load.xlsform_rows import Builder

#: Rows about the device or the time, which consent-kit never records about people.
METADATA = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
            "username", "email", "audit", "start-geopoint", "background-audio", "imei",
            "background-geopoint"}


class XLSFormError(ValueError):
    """The file can't be read as an XLSForm at all (no survey sheet, not a workbook)."""


def read_sheets(path: str | Path) -> dict[str, list[tuple[int, dict]]]:
    """Each sheet as ``(row number, {column: value})`` pairs; columns lowercased, blank rows skipped.

    ``.xlsx`` files are read with openpyxl, old ``.xls`` files with python-calamine.
    """
    path = Path(path)
    grids = _xls_grids(path) if path.suffix.lower() == ".xls" else _xlsx_grids(path)
    sheets = {title: _rows_of(grid) for title, grid in grids}
    if "survey" not in sheets:
        raise XLSFormError(say("%(file)s: there is no 'survey' sheet, so this isn't an XLSForm.",
                               file=path.name))
    return sheets


def _xlsx_grids(path: Path):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that isn't a workbook
        raise XLSFormError(say("%(file)s: this isn't an Excel (.xlsx) file that can be read: "
                               "%(error)s", file=path.name, error=str(error))) from None
    try:
        return [(sheet.title.strip().lower(), list(sheet.iter_rows(values_only=True)))
                for sheet in book.worksheets]
    finally:
        book.close()


def _xls_grids(path: Path):
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        # Cells of an old .xls come back as text, numbers, true/false or dates, like openpyxl's.
        return [(name.strip().lower(), book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                for name in book.sheet_names]
    except Exception as error:  # calamine raises its own kinds (and OSError) for unreadable files
        raise XLSFormError(say("%(file)s: this isn't an old Excel (.xls) file that can be read "
                               "(%(error)s). Open it in a spreadsheet program, save it as .xlsx and "
                               "import that.", file=path.name, error=str(error))) from None


def _rows_of(grid) -> list[tuple[int, dict]]:
    rows = iter(grid)
    header = [_header(c) for c in next(rows, ())]
    found = []
    for number, values in enumerate(rows, start=2):
        row = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
        if any(row.values()):
            found.append((number, row))
    return found


def _header(cell) -> str:
    text = str(cell or "").strip()
    # Old forms write "bind:relevant" for "relevant" (pyxform reads both).
    text = re.sub(r"^bind\s*::?\s*(?:jr:)?", "", text, flags=re.I)
    # "label::English (en)" (and the older "label:English") name a language.
    if "::" in text:
        word, language = text.split("::", 1)
    elif ":" in text:
        word, language = text.split(":", 1)
    else:
        return text.lower()
    return f"{word.strip().lower()}::{language.strip()}"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def languages_of(sheets: dict) -> tuple[str, dict[str, str]]:
    """``(main code, {column language name: code})`` from the label columns and settings."""
    names = []
    for sheet in ("survey", "choices"):
        for _, row in sheets.get(sheet, []):
            for key in row:
                column, _, language = key.partition("::")
                if language and column in ("label", "hint") and language not in names:
                    names.append(language)
    settings = dict(sheets.get("settings", [(0, {})])[0][1]) if sheets.get("settings") else {}
    default = settings.get("default_language", "")
    codes = {name: language_code(name) for name in names}
    main = codes.get(default) or language_code(default) or next((c for c in codes.values() if c), "en")
    # "default" is pyxform's name for the form's own language.
    codes.update({name: main for name in names if name.lower() == "default"})
    return main, codes


def xlsform_to_definition(sheets: dict, source: str) -> tuple[dict, ImportReport]:
    """A survey file's contents (a dict) from an XLSForm's sheets, and the report."""
    settings = sheets.get("settings") or [(0, {})]
    settings = settings[0][1]
    main, codes = languages_of(sheets)
    report = ImportReport()
    builder = Builder(report, main, codes, _choice_lists(sheets, report, main, codes))
    for number, row in sheets.get("survey", []):
        kind = row.get("type", "").strip().lower()
        if kind in METADATA or kind.startswith("uri:"):
            report.add(number, kind, row.get("name", ""), say(
                "not imported — consent-kit never records the device, the time or who people are"),
                level="warning")
            continue
        try:
            builder.row(number, row)
        except Exception as error:  # noqa: BLE001  one odd row must not stop the whole import
            report.add(number, kind or "row", row.get("name", ""), unreadable(error))
    builder.finish()
    for name, code in codes.items():
        if not code:
            report.add(0, "language", name, say(
                "labels in this language aren't imported: its name isn't one consent-kit knows. Name "
                "it like 'Welsh (cy)' and import again"), level="changed")
    for key in ("submission_url", "public_key"):
        if settings.get(key):
            report.add(0, "settings", key, say("not imported — answers stay on your consent-kit server"))
    title = settings.get("form_title") or Path(source).stem.replace("_", " ")
    definition = {"id": slug(settings.get("form_id") or Path(source).stem), "title": title,
                  "language": main, **starting_parts(source), "pages": builder.pages}
    return definition, report


def _choice_lists(sheets: dict, report: ImportReport, main: str, codes: dict) -> dict[str, list]:
    lists: dict[str, list] = {}
    for number, row in sheets.get("choices", []):
        name = row.get("list_name") or row.get("list name") or ""
        if not name:
            continue
        labels = {codes.get(k.split("::")[1], main): v for k, v in row.items()
                  if k.startswith("label::") and codes.get(k.split("::")[1], main)}
        if row.get("label"):
            labels[main] = row["label"]
        lists.setdefault(name, []).append((number, row.get("name", ""), labels,
                                           any(row.get(k) for k in row if _is_media(k))))
    return lists


def _is_media(key: str) -> bool:
    return key.split("::")[0] in ("image", "audio", "video", "big-image", "media")


def import_xlsform(path: str | Path) -> tuple[dict, ImportReport]:
    """Read an XLSForm file: the survey file's contents and the report of what didn't come across."""
    return xlsform_to_definition(read_sheets(path), Path(path).name)
