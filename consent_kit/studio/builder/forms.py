"""Read the builder's web forms into the arguments of its operations (no Flask).

``form`` is anything with ``get(name, default)`` and ``getlist(name)``
(a Werkzeug ``MultiDict``). Nothing is copied wholesale: every value is
read by name and checked. Problems are :class:`~.ops.BuilderError` naming
the field, in words for the person filling the form in.
"""

from __future__ import annotations

import math
import re
from typing import Any

from consent_kit.studio.builder.choices import LIMITS, OPERATORS
from consent_kit.studio.builder.ops import BuilderError, _l

#: How many empty rows the choices form offers for new choices.
NEW_CHOICE_ROWS = 3
#: The separator between a question id and an answer in a skip-logic answer list.
PAIR = "::"
_INT = re.compile(r"^[-+]?\d+$")
_FLOAT = re.compile(r"^[-+]?(\d+\.\d*|\.\d+)$")


def words(form, name: str) -> str:
    """A text field, with Windows line ends made plain."""
    return str(form.get(name, "") or "").replace("\r\n", "\n").strip()


def ticked(form, name: str) -> bool:
    """A tick box (or yes/no radio) that was chosen."""
    return form.get(name, "") in ("yes", "on", "true", "1")


def number(form, name: str, *, whole: bool = False) -> int | float | None:
    """A number field: None when empty, BuilderError when it isn't a number."""
    text = words(form, name).replace(",", "")
    if not text:
        return None
    if _INT.match(text):
        return int(text)
    if not whole and _FLOAT.match(text) and math.isfinite(float(text)):
        return float(text)
    if whole:
        raise BuilderError(_l("Write a whole number, like 10, or leave it empty."), name)
    raise BuilderError(_l("Write a number, like 10, or leave it empty."), name)


def limits(form) -> dict[str, Any]:
    """The limits on an answer, from the fields the form showed (``min``, ``max``, …)."""
    found: dict[str, Any] = {}
    for name in LIMITS:
        if f"limit_{name}" in form:
            found[name] = number(form, f"limit_{name}", whole=name.endswith("length"))
    return found


def option_value(text: str) -> Any:
    """A question type's setting as typed: a number, true/false, or words."""
    text = (text or "").strip()
    if text.lower() in ("true", "yes"):
        return True
    if text.lower() in ("false", "no"):
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def options(form, names) -> dict[str, Any]:
    """The type's own settings (``option-<name>`` fields); empty ones are removed."""
    return {name: option_value(words(form, f"option-{name}")) if words(form, f"option-{name}")
            else None for name in names if f"option-{name}" in form}


def choice_rows(form) -> tuple[list[tuple[str | None, str, str]], tuple[str, int] | None]:
    """The choices as typed, in order, and the button pressed on one (``up``/``down``/``delete``).

    Each row has ``choice-N-value`` (hidden, empty for a new row),
    ``choice-N-label`` and ``choice-N-hint``; N counts from 0.
    """
    rows: list[tuple[str | None, str, str]] = []
    index = 0
    while f"choice-{index}-label" in form:
        value = str(form.get(f"choice-{index}-value", "") or "")
        rows.append((value or None, words(form, f"choice-{index}-label"),
                     words(form, f"choice-{index}-hint")))
        index += 1
    action = None
    pressed = str(form.get("choice_action", "") or "")
    kind, _, position = pressed.partition(":")
    if kind in ("up", "down", "delete") and position.isdigit() and int(position) < len(rows):
        action = (kind, int(position))
    return rows, action


def apply_choice_action(rows: list, action: tuple[str, int] | None) -> list:
    """The rows after a Move up / Move down / Delete button on one of them."""
    rows = list(rows)
    if action is None:
        return rows
    kind, index = action
    if kind == "delete":
        del rows[index]
    else:
        target = index + (-1 if kind == "up" else 1)
        if 0 <= target < len(rows):
            rows[index], rows[target] = rows[target], rows[index]
    return rows


def condition(form) -> tuple[str, str, str]:
    """Skip logic as chosen: (question id or "" for "always show", operator, answer).

    The answer list holds ``question-id::value`` pairs, so the question can be
    taken from the answer; a typed answer (for questions without choices)
    needs the question chosen too.
    """
    question = words(form, "show_if_question")
    operator = words(form, "show_if_operator") or "equals"
    chosen = words(form, "show_if_value")
    typed = words(form, "show_if_text")
    if operator not in OPERATORS:
        raise BuilderError(_l("Choose 'is', 'is not' or 'includes'."), "show_if_operator")
    if typed:
        if not question:
            raise BuilderError(_l("Choose the question whose answer shows this."),
                               "show_if_question")
        return question, operator, typed
    if not chosen:
        if question:
            raise BuilderError(_l("Choose the answer that shows this, or choose 'Always show "
                               "this'."), "show_if_value")
        return "", operator, ""
    owner, _, value = chosen.partition(PAIR)
    if question and owner != question:
        raise BuilderError(_l("The answer you chose belongs to another question. Choose an "
                           "answer of the question you picked."), "show_if_value")
    return owner, operator, value


def step(form) -> int:
    """Move up (-1) or down (+1)."""
    direction = words(form, "step")
    if direction not in ("up", "down"):
        raise BuilderError(_l("Choose whether to move it up or down."))
    return -1 if direction == "up" else 1
