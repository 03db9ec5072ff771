"""A consent-kit survey as an XLSForm (.xlsx), for ODK Collect or Kobo fieldwork offline.

Each page becomes a ``field-list`` group (one screen, as in consent-kit),
``show_if`` becomes ``relevant``, ``validation`` becomes ``constraint``.
What XLSForm has no place for (the consent section, the support page, ends of
a scale's labels, exclusive choices) is listed in a ``notes`` sheet.
"""

from __future__ import annotations

from openpyxl import Workbook

from consent_kit.survey.model import PREFER_NOT_TO_SAY, Condition, Question, Survey

SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "relevant", "constraint",
                  "constraint_message", "appearance", "parameters")
TYPES = {"short_text": "text", "long_text": "text", "number": "decimal", "date": "date", "info": "note",
         "single_choice": "select_one", "yes_no": "select_one", "multiple_choice": "select_multiple",
         "scale": "range"}


def relevant(condition: Condition | None) -> str:
    """A ``show_if`` as an XLSForm expression."""
    if condition is None:
        return ""
    value = condition.value.replace("'", "")
    if condition.operator == "includes":
        return f"selected(${{{condition.question}}}, '{value}')"
    sign = "=" if condition.operator == "equals" else "!="
    return f"${{{condition.question}}} {sign} '{value}'"


def constraint(question: Question) -> str:
    """A question's ``validation`` as an XLSForm constraint (numbers, lengths, a pattern)."""
    rules, check = [], question.validation
    if check.min is not None:
        rules.append(f". >= {check.min:g}")
    if check.max is not None:
        rules.append(f". <= {check.max:g}")
    if check.min_length is not None:
        rules.append(f"string-length(.) >= {check.min_length}")
    if check.max_length is not None:
        rules.append(f"string-length(.) <= {check.max_length}")
    if check.pattern:
        rules.append(f"regex(., '{check.pattern}')")
    return " and ".join(rules)


def _choices(question: Question) -> list[tuple[str, str]]:
    if question.type == "yes_no":
        found = [(c.value, str(c.label)) for c in question.choices] or [("yes", "Yes"), ("no", "No")]
    else:
        found = [(c.value, str(c.label)) for c in question.choices]
    if question.prefer_not_to_say:
        found.append((PREFER_NOT_TO_SAY, "Prefer not to say"))
    return found


def _row(question: Question, notes: list[str]) -> tuple[list, list]:
    kind = TYPES.get(question.type)
    if kind is None:
        notes.append(f"{question.id}: a '{question.type}' question has no XLSForm type, so it is left out")
        return [], []
    choices, params, appearance = [], "", ""
    if kind.startswith("select"):
        choices = [(f"{question.id}_list", value, label) for value, label in _choices(question)]
        kind = f"{kind} {question.id}_list"
        if any(c.exclusive for c in question.choices):
            notes.append(f"{question.id}: 'None of these' answers aren't checked in XLSForm")
    elif question.type == "scale":
        params = f"start={question.options.get('min', 1)} end={question.options.get('max', 5)} step=1"
        notes.append(f"{question.id}: the words at the ends of the scale aren't in XLSForm")
    if question.type == "long_text":
        appearance = "multiline"
    if question.prefer_not_to_say and not kind.startswith("select"):
        notes.append(f"{question.id}: 'Prefer not to say' needs a choice question in XLSForm")
    row = [kind, question.id, str(question.label), str(question.help or ""),
           "" if question.type == "info" else ("yes" if question.required else "no"),
           relevant(question.show_if), constraint(question), str(question.validation.message or ""),
           appearance, params]
    return row, choices


def write_xlsform(survey: Survey, out) -> None:
    """Write ``survey`` as an XLSForm workbook to binary file ``out``."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(list(SURVEY_COLUMNS))
    choices_sheet = book.create_sheet("choices")
    choices_sheet.append(["list_name", "name", "label"])
    notes = ["The consent section, the support page and 'Leave this page' aren't in XLSForm: "
             "ask for consent in ODK in your own way, and keep it as careful as in consent-kit."]
    for page in survey.pages:
        group = page.id
        sheet.append(["begin group", group, str(page.title or ""), "", "", relevant(page.show_if), "",
                      "", "field-list", ""])
        for question in page.questions:
            row, choices = _row(question, notes)
            if row:
                sheet.append(row)
            for choice in choices:
                choices_sheet.append(list(choice))
        sheet.append(["end group", group])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([survey.title, survey.id, survey.version, survey.language])
    about = book.create_sheet("notes")
    about.append(["What consent-kit couldn't put in this XLSForm"])
    for note in notes:
        about.append([note])
    book.save(out)
