"""A REDCap data dictionary (CSV) to a consent-kit survey file, with a report of what didn't come across.

Each field gets a page of its own (so branching logic can use any earlier
answer); a section header becomes the title of its first field's page.
Branching logic with one comparison (``[q] = '1'``, ``[q] <> '1'``,
``[q(2)] = '1'`` for a ticked checkbox) becomes ``show_if``. Fields marked
"Identifier?" are kept, with a warning: consent-kit surveys try not to
collect names, addresses or dates of birth.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from consent_kit.survey.load.import_pipes import pipe_to_ids, piped
from consent_kit.survey.load.imported import (
    N_,
    Ids,
    ImportReport,
    Known,
    say,
    show_ifs,
    slug,
    starting_parts,
    unreadable,
)

TAGS = re.compile(r"<[^>]+>")
#: An earlier answer in a label: [name] (not [name(2)], a ticked box, or [event][name]).
PIPE = r"\[([A-Za-z0-9_]+)\](?!\[)"
#: Field types consent-kit has no question for, and why.
LEFT_OUT = {
    "calc": N_("consent-kit has no calculations yet"),
    "file": N_("consent-kit doesn't take files or signatures"),
    "sql": N_("consent-kit doesn't read other databases"),
}
VALIDATION = {"integer": "number", "number": "number", "number_1dp": "number", "number_2dp": "number",
              "date_ymd": "date", "date_dmy": "date", "date_mdy": "date"}
PREFER_NOT = re.compile(r"prefer not to (say|answer)|rather not say", re.I)


def read_dictionary(path: str | Path) -> list[tuple[int, dict]]:
    """The rows of a data dictionary as ``(row number, {short column name: value})``."""
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        # A file, not a list of lines: a label written over several lines keeps its line breaks.
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:  # a NUL byte, a broken quote: say so rather than crash
        raise ValueError(say("%(file)s: this CSV file can't be read (%(error)s). Export the data "
                             "dictionary from REDCap again and import that.", file=Path(path).name,
                             error=str(error))) from None
    header = [_column(h) for h in (records[0] if records else [])]
    if "field_name" not in header or "field_type" not in header:
        raise ValueError(say("%(file)s: this isn't a REDCap data dictionary (it needs the columns "
                             "'Variable / Field Name' and 'Field Type').", file=Path(path).name))
    return [(number, dict(zip(header, (v.strip() for v in values), strict=False)))
            for number, values in enumerate(records[1:], start=2) if any(v.strip() for v in values)]


def _column(heading: str) -> str:
    words = heading.strip().lower()
    for start, name in (("variable", "field_name"), ("form", "form_name"), ("section", "section"),
                        ("field type", "field_type"), ("field label", "label"), ("choices", "choices"),
                        ("field note", "note"), ("text validation type", "validation"),
                        ("text validation min", "min"), ("text validation max", "max"),
                        ("identifier", "identifier"), ("branching", "branching"),
                        ("required", "required"), ("field annotation", "annotation")):
        if words.startswith(start):
            return name
    return words


def _choices(text: str) -> list[tuple[str, str]]:
    found = []
    for part in str(text).split("|"):
        value, _, label = part.partition(",")
        if value.strip():
            found.append((value.strip(), TAGS.sub("", label).strip() or value.strip()))
    return found


def to_condition(logic: str) -> str:
    """REDCap branching logic in XLSForm's words: ``[q(2)] = '1'`` is ``selected(${q}, '2')``."""
    text = re.sub(r"\[([A-Za-z0-9_]+)\((\w+)\)\]\s*=\s*['\"]?1['\"]?", r"selected(${\1}, '\2')", logic)
    return re.sub(r"\[([A-Za-z0-9_]+)\]", r"${\1}", text).replace("<>", "!=")


def import_redcap(path: str | Path) -> tuple[dict, ImportReport]:
    """Read a REDCap data dictionary: the survey file's contents and the report."""
    report, ids, known, pages = ImportReport(), Ids(), {}, []
    for number, row in read_dictionary(path):
        try:
            _field(report, ids, known, pages, number, row)
        except Exception as error:  # noqa: BLE001  one odd row must not stop the whole import
            report.add(number, row.get("field_type", "") or "row", row.get("field_name", ""),
                       unreadable(error))
    title = Path(path).stem.replace("DataDictionary", "").replace("_", " ").strip().capitalize() or "Imported"
    definition = {"id": slug(title), "title": title, "language": "en",
                  **starting_parts(Path(path).name), "pages": pages or _empty()}
    return definition, report


def _field(report: ImportReport, ids: Ids, known: dict, pages: list, number: int, row: dict) -> None:
    """Carry one field of the dictionary over as a page with one question, or report why not."""
    kind, name = row.get("field_type", "").lower(), row.get("field_name", "")
    report.question_rows += 1
    if number == 2 and kind == "text":  # REDCap's first field is always the record's number
        report.add(number, kind, name, say("not imported — it is REDCap's record number; consent-kit "
                                           "gives each response a code of its own"), level="warning")
        report.question_rows -= 1
        return
    if kind in LEFT_OUT or kind not in FIELD_TYPES:
        why = say(LEFT_OUT[kind]) if kind in LEFT_OUT else say("unknown field type")
        report.add(number, kind, name, say("not imported — %(why)s", why=why))
        return
    question = {"id": ids.make(name), "type": None}
    FIELD_TYPES[kind](report, number, row, question)
    if question["type"] is None:
        return
    _common(report, number, row, kind, question, (known, len(pages)))
    page = {"id": f"page-{len(pages) + 1}"}
    if row.get("section"):
        page["title"] = TAGS.sub("", row["section"]).strip()
    if row.get("branching"):
        found, why = show_ifs(to_condition(row["branching"]), known, len(pages))
        if len(found) == 2:
            page["show_if"], question["show_if"] = found
        elif found:
            question["show_if"] = found[0]
        else:
            report.add(number, kind, name, say("branching logic not imported — %(why)s: the question "
                                               "is shown to everyone", why=why), level="changed")
    pages.append({**page, "questions": [question]})
    report.kept_rows += 1
    values = tuple(c["value"] for c in question.get("choices", ()))
    values = ("yes", "no") if question["type"] == "yes_no" else values
    known[name] = Known(question["id"], question["type"], len(pages) - 1, values)


def _empty() -> list[dict]:
    from consent_kit.studio.builder.starter import MARK

    return [{"id": "page-1", "questions": [{"id": "start", "type": "info",
                                            "label": f"{MARK} No questions could be imported."}]}]


def _common(report: ImportReport, number: int, row: dict, kind: str, question: dict,
            earlier: tuple[dict, int]) -> None:
    label = _piped(report, number, row, kind, row.get("label", ""), earlier)
    question["label"] = label or f"[Change this] {row.get('field_name', '')}"
    if row.get("note"):
        question["help"] = _piped(report, number, row, kind, row["note"], earlier)
    if question["type"] != "info":
        question["required"] = row.get("required", "").lower() == "y"
    if row.get("identifier", "").lower() == "y":
        report.add(number, kind, row["field_name"], say(
            "is marked as an identifier (it can tell who someone is): ask only what you need, and think "
            "about leaving it out"), level="warning")
    if row.get("annotation"):
        report.add(number, kind, row["field_name"], say("action tags (%(tags)s) aren't imported",
                                                        tags=row["annotation"]), level="changed")


def _piped(report: ImportReport, number: int, row: dict, kind: str, words: str,
           earlier: tuple[dict, int]) -> str:
    """Words with earlier answers as consent-kit's ``${id}``, or marked for the researcher.

    REDCap pipes an answer as ``[name]``; ``${name}`` (XLSForm's way) is taken the same way, so
    no text comes through that consent-kit would read as piping it can't do.
    """
    text = TAGS.sub("", words).strip()
    redcap_names = re.findall(PIPE, text)
    text = re.sub(PIPE, r"${\1}", text)
    found, why = pipe_to_ids(text, *earlier)
    if not why:
        return found
    marked, names = piped(text)
    shown = f"[{names[0]}]" if names[0] in redcap_names else f"${{{names[0]}}}"
    report.add(number, kind, row["field_name"], say(
        "an earlier answer put into the words (%(pipe)s) isn't imported — %(why)s: the words are "
        "marked for you to change", pipe=shown, why=why), level="changed")
    return marked


def _text(report, number, row, question):
    validation = row.get("validation", "").lower()
    question["type"] = VALIDATION.get(validation, "short_text")
    if question["type"] == "number" and (row.get("min") or row.get("max")):
        question["validation"] = {k: _number(row[k]) for k in ("min", "max") if _number(row.get(k))
                                  is not None}
    elif validation and validation not in VALIDATION:
        report.add(number, "text", row["field_name"], say(
            "the '%(check)s' check isn't imported: any text is accepted", check=validation),
            level="changed")


def _number(text) -> float | int | None:
    try:
        value = float(str(text))
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _notes(report, number, row, question):
    question["type"] = "long_text"


def _choice(report, number, row, question):
    choices = _choices(row.get("choices", ""))
    if not choices:
        report.add(number, row["field_type"], row["field_name"], say("not imported — it has no choices"))
        return
    keep, seen = [], set()
    for value, label in choices:
        if value in seen:
            report.add(number, row["field_type"], row["field_name"], say(
                "the choice '%(choice)s' is left out: its code %(code)s is used twice", choice=label,
                code=value), level="changed")
        elif not PREFER_NOT.search(label):
            keep.append((value, label))
        seen.add(value)
    if not keep:
        report.add(number, row["field_type"], row["field_name"], say(
            "not imported — it has no choices besides \"Prefer not to say\""))
        return
    if any(PREFER_NOT.search(label) for _, label in choices):
        question["prefer_not_to_say"] = True
        report.add(number, row["field_type"], row["field_name"], say(
            "the 'Prefer not to say' choice became consent-kit's own \"Prefer not to say\" (stored as "
            "prefer_not_to_say)"), level="changed")
    question["type"] = "multiple_choice" if row["field_type"].lower() == "checkbox" else "single_choice"
    question["choices"] = [{"value": v, "label": label} for v, label in keep]


def _yesno(report, number, row, question):
    question["type"] = "yes_no"
    report.add(number, "yesno", row["field_name"], say(
        "answers are stored as yes and no (REDCap stores 1 and 0)"), level="changed")


def _truefalse(report, number, row, question):
    question["type"] = "single_choice"
    question["choices"] = [{"value": "1", "label": "True"}, {"value": "0", "label": "False"}]


def _descriptive(report, number, row, question):
    question["type"] = "info"


def _slider(report, number, row, question):
    ends = [label for _, label in _choices(row.get("choices", ""))] or [""]
    low, high = _number(row.get("min")) or 0, _number(row.get("max")) or 100
    question.update(type="number", validation={"min": low, "max": high})
    report.add(number, "slider", row["field_name"], say(
        "imported as a number box from %(low)s to %(high)s (ends: %(ends)s)", low=low, high=high,
        ends=" / ".join(ends)), level="changed")


FIELD_TYPES = {"text": _text, "notes": _notes, "radio": _choice, "dropdown": _choice,
               "checkbox": _choice, "yesno": _yesno, "truefalse": _truefalse,
               "descriptive": _descriptive, "slider": _slider}
