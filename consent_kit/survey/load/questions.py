"""Read one question of a survey file: its type, words, choices and limits.

Part of :mod:`consent_kit.survey.load.survey_file`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consent_kit.survey.load.common import (
    Context,
    check_keys,
    did_you_mean,
    key_line,
    line_of,
    plain,
    read_flag,
    read_text,
    show,
    value_line,
)
from consent_kit.survey.load.conditions import Pending, read_condition
from consent_kit.survey.load.media import read_media
from consent_kit.survey.load.piping_checks import Pipe, find_pipes
from consent_kit.survey.load.values import read_choices, read_validation
from consent_kit.survey.model import Question, Validation
from consent_kit.survey.question_types import QuestionType, QuestionTypeRegistry

QUESTION_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
QUESTION_KEYS = ("id", "type", "label", "help", "required", "prefer_not_to_say", "choices",
                 "validation", "show_if", "easy_read", "bsl")
_VALIDATION_KEYS = ("min", "max", "min_length", "max_length", "pattern")
_KEY_SYNONYMS = {"hint": "help", "text": "label", "question": "label", "title": "label",
                 "options": "choices", "answers": "choices", "name": "id",
                 "condition": "show_if", "when": "show_if", "if": "show_if",
                 "mandatory": "required", "validate": "validation", "rules": "validation"}
_TYPE_SYNONYMS = {
    "text": "short_text", "string": "short_text", "short": "short_text",
    "textarea": "long_text", "paragraph": "long_text", "long": "long_text",
    "int": "number", "integer": "number", "numeric": "number",
    "radio": "single_choice", "choice": "single_choice", "select": "single_choice",
    "dropdown": "single_choice", "checkbox": "multiple_choice",
    "checkboxes": "multiple_choice", "multi": "multiple_choice",
    "bool": "yes_no", "boolean": "yes_no", "yesno": "yes_no",
    "rating": "scale", "likert": "scale", "slider": "scale",
    "note": "info", "message": "info", "statement": "info", "heading": "info",
    "calendar": "date", "day": "date",
}


@dataclass
class ReadQuestion:
    """A question read from the file, with what the later checks need."""

    question: Question
    type: QuestionType | None
    pending: Pending | None
    id_line: int = 0
    #: Each ``${name}`` in its words, checked once every question is known.
    pipes: tuple[Pipe, ...] = ()


def question_where(mapping, number: int, page: int | None) -> str:
    """How messages name a question: by its id when it has one, else by position."""
    qid = mapping.get("id") if isinstance(mapping, dict) else None
    if isinstance(qid, str) and qid.strip():
        return f"question '{qid.strip()}'"
    return f"question {number}" + (f" on page {page}" if page else "")


def read_question(ctx: Context, mapping, where: str, *, page: int,
                  types: QuestionTypeRegistry) -> ReadQuestion | None:
    """Read one question mapping; report every problem in it."""
    line = line_of(mapping)
    if not isinstance(mapping, dict):
        ctx.add(line, where, f"each question should be a group of settings starting with "
                f"'- id:', not {show(mapping)}. Check the indentation.")
        return None
    qid = _read_id(ctx, mapping, where)
    qtype = _read_type(ctx, mapping, where, types)
    takes_answer = qtype.takes_answer if qtype else True
    _check_question_keys(ctx, mapping, where, qtype, types)
    label = read_text(ctx, mapping, "label", where, required=True, missing=(
        "this question has no label. Add 'label:' with the question people will read."))
    help_text = read_text(ctx, mapping, "help", where)
    required = read_flag(ctx, mapping, "required", where, default=takes_answer)
    prefer = read_flag(ctx, mapping, "prefer_not_to_say", where, default=False)
    if not takes_answer:
        _no_answer_settings(ctx, mapping, where, qtype)
        required, prefer = False, False
    choices = read_choices(ctx, mapping, where, qtype, types, qid)
    validation = read_validation(ctx, mapping, where) if takes_answer else Validation()
    condition, pending = read_condition(ctx, mapping, where, page=page, owner=qid or None)
    options = {}
    if qtype is not None:
        # Options named *_label are words people read (a scale's ends): they can be translated.
        options = {k: read_text(ctx, mapping, k, where) if k.endswith("_label") else plain(mapping[k])
                   for k in qtype.option_names if k in mapping}
    question = Question(id=qid, type=qtype.name if qtype else "", label=label, help=help_text,
                        required=required, prefer_not_to_say=prefer, choices=choices,
                        validation=validation, show_if=condition, options=options, line=line,
                        media=read_media(ctx, mapping, where, text_key="label", bsl=True))
    if qtype is not None:
        _type_checks(ctx, qtype, question, where)
    pipes = find_pipes(ctx, mapping, owner=qid, page=page, where=where)
    return ReadQuestion(question, qtype, pending, value_line(mapping, "id", line), tuple(pipes))


def _read_id(ctx: Context, mapping: dict, where: str) -> str:
    raw = mapping.get("id")
    line = value_line(mapping, "id", line_of(mapping))
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        ctx.add(line, where, "this question has no id. Add 'id:' with a short name for it, "
                "like 'age' or 'likes_music' (people never see it; the results use it).")
        return ""
    text = str(raw).strip() if isinstance(raw, str | int | float) else ""
    if not QUESTION_ID.match(text):
        fixed = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_-")
        try_this = f" Try '{fixed}'." if QUESTION_ID.match(fixed) else ""
        ctx.add(line, where, f"the id {show(raw)} can't be used. An id starts with a letter and "
                f"has only letters, digits, _ and - (no spaces).{try_this}")
    return text


def _read_type(ctx: Context, mapping: dict, where: str,
               types: QuestionTypeRegistry) -> QuestionType | None:
    raw = mapping.get("type")
    line = value_line(mapping, "type", line_of(mapping))
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        ctx.add(line, where, f"this question has no type. Add 'type:' with one of: "
                f"{', '.join(types.names())}.")
        return None
    if not isinstance(raw, str):
        ctx.add(line, where, f"the type should be a word like 'short_text', not {show(raw)}.")
        return None
    found = types.get(raw.strip())
    if found is not None:
        return found
    guess = did_you_mean(raw, types.names(), _TYPE_SYNONYMS)
    if guess:
        ctx.add(line, where, f"unknown type {show(raw)} — did you mean '{guess}'?")
    else:
        ctx.add(line, where, f"unknown type {show(raw)}. The types you can use are: "
                f"{', '.join(types.names())}.")
    return None


def _check_question_keys(ctx: Context, mapping: dict, where: str, qtype: QuestionType | None,
                         types: QuestionTypeRegistry) -> None:
    owners: dict[str, list[str]] = {}
    for other in types:
        for name in other.option_names:
            owners.setdefault(name, []).append(other.name)
    own = tuple(qtype.option_names) if qtype else tuple(owners)

    def explain(key):
        if not isinstance(key, str):
            return None
        if key in _VALIDATION_KEYS:
            return (f"'{key}' goes under validation:, like 'validation: {{{key}: …}}'. "
                    "Move it there.")
        if key in owners:
            kinds = " or ".join(f"'{k}'" for k in owners[key])
            return (f"'{key}' is a setting for {kinds} questions, not '{qtype.name}'. "
                    "Remove it, or change the type.")
        if key == "optional":
            return "write 'required: false' instead of 'optional'."
        return None

    check_keys(ctx, mapping, QUESTION_KEYS + own, where, what="A question",
               synonyms=_KEY_SYNONYMS, explain=explain)


def _no_answer_settings(ctx: Context, mapping: dict, where: str, qtype: QuestionType) -> None:
    for key in ("required", "prefer_not_to_say", "validation"):
        if key in mapping and mapping[key] not in (False, None):
            ctx.add(key_line(mapping, key), where, f"a '{qtype.name}' question shows "
                    f"information and takes no answer, so it can't have '{key}'. Remove it.")


def _type_checks(ctx: Context, qtype: QuestionType, question: Question, where: str) -> None:
    """Let the question type check its own settings; a crash is reported, not raised."""
    try:
        messages = list(qtype.check_definition(question) or [])
    except Exception as error:  # a plugin's fault must not stop the whole check
        messages = [f"the '{qtype.name}' question type failed while checking this question "
                    f"({type(error).__name__}: {error}). This is a fault in the plugin that "
                    "adds this type, not in your file: tell whoever looks after it."]
    for message in messages:
        ctx.add(question.line, where, str(message))
