"""Operations on what a question asks for: its choices, its skip logic and its limits.

Same rules as :mod:`consent_kit.studio.builder.ops`: each returns a changed deep
copy, keeps what it doesn't know about, and leaves judging the result to the
loader. No Flask here.
"""

from __future__ import annotations

from typing import Any

from consent_kit.studio.builder.ops import BuilderError, _l, find_page, find_question
from consent_kit.studio.builder.texts import clone, language_of, normalise_words, set_text, text_of

#: How the builder says "is", "is not" and "includes" (the file's show_if operators).
OPERATORS = ("equals", "not_equals", "includes")
#: The limits a researcher can set in the builder (``pattern`` is kept, not edited).
LIMITS = ("min", "max", "min_length", "max_length")


# -- choices -------------------------------------------------------------------------


def set_choices(definition: dict, question_id: str, rows: list[tuple[str | None, str, str]]
                ) -> dict:
    """Replace a question's choices with ``rows`` of (value or None for a new one, label, hint).

    A choice keeps its stored value when its words change, so answers already
    given still count; a new choice is stored as its words. Rows with no
    words are left out.
    """
    changed = clone(definition)
    _, _, question = find_question(changed, question_id)
    language = language_of(changed)
    old = {_choice_value(item): item for item in question.get("choices") or []}
    made: list = []
    for value, label, hint in rows:
        label, hint = normalise_words(label), normalise_words(hint)
        if not label:
            continue
        made.append(_choice_item(old.get(value) if value is not None else None, value, label,
                                 hint, language))
    if made:
        question["choices"] = made
    else:
        question.pop("choices", None)
    return changed


def _choice_value(item: Any) -> str:
    if isinstance(item, dict):
        value = item.get("value")
        return str(value) if value not in (None, "") else str(item.get("label", ""))
    return "" if item is None else str(item)


def _choice_item(old: Any, value: str | None, label: str, hint: str, language: str) -> Any:
    if isinstance(old, dict):
        item = dict(old)
        set_text(item, "label", label, language, keep_empty=True)
        set_text(item, "hint", hint, language)
        return item
    if value is None or (old is not None and label == value and not hint):
        return label if not hint else {"label": label, "hint": hint}
    item = {"value": value, "label": label}
    if hint:
        item["hint"] = hint
    return item


def choice_rows(question: dict, language: str) -> list[tuple[str, str, str]]:
    """A question's choices as (value, label, hint) rows for a form."""
    rows = []
    for item in question.get("choices") or []:
        if isinstance(item, dict):
            rows.append((_choice_value(item), text_of(item.get("label", item.get("value")),
                                                       language), text_of(item.get("hint"),
                                                                          language)))
        elif item is not None:
            rows.append((str(item), str(item), ""))
    return rows


# -- skip logic and limits -----------------------------------------------------------


def set_condition(definition: dict, *, page_id: str = "", question_id: str = "",
                  on: str = "", operator: str = "equals", value: str = "") -> dict:
    """Show a page or question only when an earlier answer matches; ``on=""`` removes it."""
    changed = clone(definition)
    owner = find_page(changed, page_id)[1] if page_id else find_question(changed,
                                                                         question_id)[2]
    if not on:
        owner.pop("show_if", None)
        return changed
    if operator not in OPERATORS:
        raise BuilderError(_l("Choose 'is', 'is not' or 'includes'."), "show_if_operator")
    if not normalise_words(value):
        raise BuilderError(_l("Choose the answer that shows this."), "show_if_value")
    owner["show_if"] = {"question": on, operator: normalise_words(value)}
    return changed


def set_limits(definition: dict, question_id: str, limits: dict[str, Any], message: str
               ) -> dict:
    """Set the limits on an answer (``min``, ``max``, ``min_length``, ``max_length``) and the
    message people see when an answer is outside them. ``None`` removes a limit."""
    changed = clone(definition)
    _, _, question = find_question(changed, question_id)
    validation = dict(question.get("validation") or {})
    for name in LIMITS:
        if name in limits:
            if limits[name] is None:
                validation.pop(name, None)
            else:
                validation[name] = limits[name]
    set_text(validation, "message", message, language_of(changed))
    if validation:
        question["validation"] = validation
    else:
        question.pop("validation", None)
    return changed
