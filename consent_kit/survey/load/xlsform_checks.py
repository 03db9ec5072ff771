"""XLSForm question types and constraints to consent-kit question kinds and validation."""

from __future__ import annotations

import re

from consent_kit.survey.load.imported import ImportReport, _split, _strip_brackets, say, text_in

NUMBER = r"(-?\d+(?:\.\d+)?)"
BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*" + NUMBER + "$")
LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*(>=|<=|>|<)\s*(\d+)$")
REGEX = re.compile(r"""^regex\(\s*\.\s*,\s*(?:'(.*)'|"(.*)")\s*\)$""")
MAX_SCALE_POINTS = 11


def _text(builder, number, row, kind, question):
    multiline = "multiline" in row.get("appearance", "")
    question["type"] = "long_text" if multiline else "short_text"


def _number(builder, number, row, kind, question):
    question["type"] = "number"


def _date(builder, number, row, kind, question):
    question["type"] = "date"
    if kind.startswith("datetime"):
        builder.report.add(number, "datetime", row.get("name", ""), say(
            "imported as a date: the time of day is left out"), level="changed")


def _note(builder, number, row, kind, question):
    question["type"] = "info"


def _range(builder, number, row, kind, question):
    params = dict(re.findall(r"(\w+)\s*=\s*(-?[\d.]+)", row.get("parameters", "")))
    start, end, step = (float(params.get(k, d)) for k, d in (("start", 1), ("end", 10), ("step", 1)))
    whole = all(v.is_integer() for v in (start, end, step))
    if whole and step == 1 and start < end and end - start + 1 <= MAX_SCALE_POINTS:
        question.update(type="scale", min=int(start), max=int(end))
        return
    question["type"] = "number"
    question["validation"] = {"min": min(start, end), "max": max(start, end)}
    builder.report.add(number, "range", row.get("name", ""), say(
        "imported as a number box from %(start)s to %(end)s: a scale can have at most 11 points, in "
        "steps of 1", start=f"{start:g}", end=f"{end:g}"), level="changed")


def _select(builder, number, row, kind, question):
    words = kind.split()
    many = words[0] == "select_multiple"
    if len(words) < 2 or words[1] not in builder.lists:
        builder.report.add(number, words[0], row.get("name", ""), say(
            "not imported — its list of choices '%(list)s' isn't in the choices sheet",
            list=words[1] if len(words) > 1 else ""))
        return None
    choices, prefer = _choices(builder, builder.lists[words[1]], row.get("name", ""))
    if not choices:
        builder.report.add(number, words[0], row.get("name", ""),
                           say("not imported — its list has no choices"))
        return None
    other = len(words) > 2 and words[2] == "or_other"
    if other and "other" not in [c["value"] for c in choices]:
        choices.append({"value": "other", "label": "Other"})
    values = sorted(str(c["value"]).lower() for c in choices)
    if not many and values == ["no", "yes"] and not other:
        question["type"] = "yes_no"
        labels = {str(c["value"]).lower(): c["label"] for c in choices}
        if labels != {"yes": "Yes", "no": "No"}:
            question["choices"] = [{"value": "yes", "label": labels["yes"]},
                                   {"value": "no", "label": labels["no"]}]
    else:
        question["type"] = "multiple_choice" if many else "single_choice"
        question["choices"] = choices
    if prefer:
        question["prefer_not_to_say"] = True
        builder.report.add(number, words[0], row.get("name", ""), say(
            "the choice '%(choice)s' became consent-kit's own \"Prefer not to say\"", choice=prefer),
            level="changed")
    return ("includes" if many else "equals") if other else None


def _choices(builder, rows: list, name: str) -> tuple[list[dict], str]:
    from consent_kit.survey.load.xlsform_rows import PREFER_NOT

    found, seen, prefer = [], set(), ""
    for number, value, labels, media in rows:
        label = text_in(labels, builder.main) or value
        main_words = label if isinstance(label, str) else next(iter(label.values()))
        if PREFER_NOT.search(main_words) and not prefer:
            prefer = main_words
            continue
        if value in seen or not value:
            builder.report.add(number, "choice", value, say(
                "of '%(list)s' left out: it has no name", list=name) if not value else say(
                "of '%(list)s' left out: its name is used twice", list=name))
            continue
        seen.add(value)
        if media:
            builder.report.add(number, "choice", value, say("its picture or sound isn't imported"),
                               level="changed")
        found.append({"value": value, "label": label})
    return found, prefer


QUESTION_TYPES = {
    "text": _text, "integer": _number, "decimal": _number, "date": _date, "datetime": _date,
    "note": _note, "range": _range, "select_one": _select, "select_multiple": _select,
}


def validation(report: ImportReport, number: int, row: dict, base: str, question: dict) -> dict:
    """``validation`` settings from a simple constraint (limits on numbers, lengths, a pattern)."""
    rules = dict(question.pop("validation", {}))
    constraint = " ".join(row.get("constraint", "").split())
    if not constraint:
        return rules
    number_kind, text_kind = question["type"] == "number", question["type"] in ("short_text", "long_text")
    for part in _split(constraint, "and"):
        if not _one_rule(_strip_brackets(part), rules, number_kind, text_kind, base == "integer"):
            report.add(number, base, row.get("name", ""), say(
                "constraint '%(rule)s' not imported — consent-kit checks smallest and largest "
                "numbers, lengths and patterns", rule=part), level="changed")
    return rules


def _one_rule(part: str, rules: dict, number_kind: bool, text_kind: bool, whole: bool) -> bool:
    bound, length, regex = BOUND.match(part), LENGTH.match(part), REGEX.match(part)
    if bound and number_kind:
        value = float(bound.group(2))
        step = 1 if whole else 0  # "> 0" for whole numbers means at least 1
        if bound.group(1) in (">", ">="):
            rules["min"] = _tidy(value + (step if bound.group(1) == ">" else 0))
        else:
            rules["max"] = _tidy(value - (step if bound.group(1) == "<" else 0))
        return bound.group(1) in (">=", "<=") or whole
    if length and text_kind:
        value = int(length.group(2))
        if length.group(1) in (">", ">="):
            rules["min_length"] = value + (1 if length.group(1) == ">" else 0)
        else:
            rules["max_length"] = value - (1 if length.group(1) == "<" else 0)
        return True
    if regex and text_kind:
        rules["pattern"] = regex.group(1) if regex.group(1) is not None else regex.group(2)
        return True
    return False


def _tidy(value: float):
    return int(value) if float(value).is_integer() else value
