"""Read a question's ``choices`` and ``validation`` from a survey file.

Part of :mod:`consent_kit.survey.load.survey_file`.
"""

from __future__ import annotations

import re

from consent_kit.survey.load.common import (
    Context,
    check_keys,
    is_number,
    item_line,
    key_line,
    line_of,
    plain_scalar,
    read_flag,
    read_text,
    show,
    spell_list,
    text_value,
)
from consent_kit.survey.model import PREFER_NOT_TO_SAY, Choice, Validation
from consent_kit.survey.question_types import QuestionType, QuestionTypeRegistry

CHOICE_KEYS = ("value", "label", "hint", "exclusive")
#: Choices that mean "none of the others" are exclusive unless the file says 'exclusive: false'.
_NONE_OF_THESE = re.compile(r"^\s*(none|none of (these|them|those|the above)|nothing)\s*[.!]?\s*$", re.I)


def none_of_these(label: object) -> bool:
    """True for a label like "None of these", which can't be ticked with other answers."""
    return bool(_NONE_OF_THESE.match(str(label or "")))
VALIDATION_KEYS = ("min", "max", "min_length", "max_length", "pattern", "message")
_CHOICE_SYNONYMS = {"text": "label", "help": "hint", "id": "value", "name": "label"}
_VALIDATION_SYNONYMS = {"minimum": "min", "maximum": "max", "regex": "pattern",
                        "error": "message", "error_message": "message", "minlength": "min_length",
                        "maxlength": "max_length"}


def default_choices(qtype: QuestionType | None) -> tuple[Choice, ...]:
    """The choices a type offers when a file gives none (yes/no), or ()."""
    make = getattr(qtype, "default_choices", None)
    if not callable(make):
        return ()
    try:
        made = tuple(make())
    except Exception:  # a plugin's bug: behave as if it had no defaults
        return ()
    return made if all(isinstance(c, Choice) for c in made) else ()


def read_choices(ctx: Context, mapping: dict, where: str, qtype: QuestionType | None,
                 types: QuestionTypeRegistry, qid: str) -> tuple[Choice, ...]:
    """Read ``choices``; check there are some when the type needs them, and none otherwise."""
    defaults = default_choices(qtype)
    raw = mapping.get("choices")
    line = key_line(mapping, "choices", line_of(mapping))
    if "choices" not in mapping:
        if qtype is not None and qtype.needs_choices and not defaults:
            ctx.add(line, where, f"a '{qtype.name}' question needs choices. Add 'choices:' and "
                    "then the answers people can pick, one on each line starting with '- '.")
        return defaults
    if qtype is not None and not qtype.needs_choices and not defaults:
        takers = [t.name for t in types if t.needs_choices]
        change = f", or change the type to {spell_list(takers)}" if takers else ""
        ctx.add(line, where, f"a '{qtype.name}' question doesn't have choices. "
                f"Remove 'choices:'{change}.")
        return ()
    if not isinstance(raw, list) or not raw:
        ctx.add(line, where, "'choices' should be a list of the answers people can pick, "
                "one on each line starting with '- '.")
        return ()
    owner = f"question '{qid}'" if qid else where
    choices: list[Choice] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(raw, start=1):
        choice_where = f"choice {number} of {owner}"
        choice_line = item_line(raw, number - 1, line)
        choice = read_choice(ctx, item, choice_where, choice_line)
        if choice is None:
            continue
        if choice.value == PREFER_NOT_TO_SAY:
            ctx.add(choice_line, choice_where, f"'{PREFER_NOT_TO_SAY}' is kept for the "
                    "\"Prefer not to say\" answer. Remove this choice and add "
                    "'prefer_not_to_say: true' to the question instead.")
        elif choice.value in seen:
            ctx.add(choice_line, choice_where, f"this choice has the same value "
                    f"{show(choice.value)} as choice {seen[choice.value]}. Each choice needs "
                    "its own value: change one of them, or delete one.")
        else:
            seen[choice.value] = number
            choices.append(choice)
    return tuple(choices)


def read_choice(ctx: Context, item, where: str, line: int) -> Choice | None:
    """Read one choice: a word, or a group with value, label and hint."""
    if isinstance(item, dict):
        return _read_choice_mapping(ctx, item, where)
    if item is None or isinstance(item, list):
        ctx.add(line, where, f"this choice is {'empty' if item is None else 'a list'}. Write the "
                "answer after '- ', or delete the line.")
        return None
    label = text_value(ctx, item, line, where, "choice", required=True)
    return Choice(value=label, label=label, exclusive=none_of_these(label)) if label else None


def _read_choice_mapping(ctx: Context, item: dict, where: str) -> Choice | None:
    check_keys(ctx, item, CHOICE_KEYS, where, what="A choice", synonyms=_CHOICE_SYNONYMS)
    line = line_of(item)
    label = read_text(ctx, item, "label", where)
    hint = read_text(ctx, item, "hint", where)
    raw = item.get("value")
    value = ""
    if isinstance(raw, str | int | float) and not isinstance(raw, bool):
        value = plain_scalar(raw).strip()
    elif raw is not None:
        ctx.add(key_line(item, "value", line), where, f"'value' should be a word or number, not "
                f"{show(raw)}. If you mean the word, put it in quotes.")
        return None
    if not value and not label:
        ctx.add(line, where, "this choice has no label. Add 'label:' with the words people "
                "will see.")
        return None
    exclusive = read_flag(ctx, item, "exclusive", where, default=none_of_these(label or value))
    return Choice(value=value or label, label=label or value, hint=hint, exclusive=exclusive)


def read_validation(ctx: Context, mapping: dict, where: str) -> Validation:
    """Read ``validation``: limits on the answer, checked for sense."""
    raw = mapping.get("validation")
    if raw is None:
        return Validation()
    if not isinstance(raw, dict):
        ctx.add(key_line(mapping, "validation"), where, "validation should be a group of "
                "settings, like 'validation: {min: 11, max: 25}'.")
        return Validation()
    check_keys(ctx, raw, VALIDATION_KEYS, where, what="validation",
               synonyms=_VALIDATION_SYNONYMS)
    low, high = _number(ctx, raw, "min", where), _number(ctx, raw, "max", where)
    shortest = _length(ctx, raw, "min_length", where)
    longest = _length(ctx, raw, "max_length", where)
    if low is not None and high is not None and low > high:
        ctx.add(key_line(raw, "min"), where, f"validation: min ({plain_scalar(low)}) is bigger "
                f"than max ({plain_scalar(high)}). Swap them, or change one of them.")
    if shortest is not None and longest is not None and shortest > longest:
        ctx.add(key_line(raw, "min_length"), where, f"validation: min_length ({shortest}) is "
                f"bigger than max_length ({longest}). Swap them, or change one of them.")
    return Validation(min=low, max=high, min_length=shortest, max_length=longest,
                      pattern=_pattern(ctx, raw, where),
                      message=read_text(ctx, raw, "message", where))


def _number(ctx: Context, raw: dict, key: str, where: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if is_number(value):
        return value
    ctx.add(key_line(raw, key), where, f"validation: '{key}' should be a number, like "
            f"'{key}: 10', not {show(value)}.")
    return None


def _length(ctx: Context, raw: dict, key: str, where: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    ctx.add(key_line(raw, key), where, f"validation: '{key}' should be a whole number of "
            f"letters, 0 or more, like '{key}: 100', not {show(value)}.")
    return None


def _pattern(ctx: Context, raw: dict, where: str) -> str | None:
    value = raw.get("pattern")
    if value is None:
        return None
    line = key_line(raw, "pattern")
    if not isinstance(value, str):
        ctx.add(line, where, f"validation: 'pattern' should be text in quotes, like "
                f"pattern: '^[0-9]+$', not {show(value)}.")
        return None
    try:
        re.compile(value)
    except (re.error, OverflowError, RecursionError) as error:
        at = f" at character {error.pos + 1}" if getattr(error, "pos", None) is not None else ""
        reason = getattr(error, "msg", str(error))
        ctx.add(line, where, f"validation: the pattern {show(value)} doesn't work ({reason}{at}). "
                "Check its brackets and backslashes, or remove the pattern and use "
                "min_length and max_length instead.")
        return None
    return value
