"""``show_if``: read a condition, then check it against the whole survey.

Part of :mod:`consent_kit.survey.load.survey_file`. Pages are shown one at a time without
JavaScript, so a condition can only use an answer given on an earlier page.
"""

from __future__ import annotations

from dataclasses import dataclass

from consent_kit.survey.load.common import (
    Context,
    check_keys,
    did_you_mean,
    is_scalar,
    key_line,
    plain_scalar,
    show,
    spell_list,
)
from consent_kit.survey.model import CONDITION_OPERATORS, PREFER_NOT_TO_SAY, Condition, Question
from consent_kit.survey.question_types import QuestionType, QuestionTypeRegistry

_KEYS = ("question", *CONDITION_OPERATORS)
_SYNONYMS = {"is": "equals", "value": "equals", "equal": "equals", "not": "not_equals",
             "is_not": "not_equals", "contains": "includes", "include": "includes",
             "id": "question", "answer": "equals"}
EXAMPLE = "show_if: {question: has_job, equals: \"yes\"}"


@dataclass
class Pending:
    """A condition read from the file, waiting to be checked against the other questions."""

    condition: Condition
    where: str
    page: int
    owner: str | None
    question_line: int
    value_line: int


def read_condition(ctx: Context, mapping: dict, where: str, *, page: int,
                   owner: str | None) -> tuple[Condition | None, Pending | None]:
    """Read ``mapping['show_if']`` (if any); report problems with its shape."""
    if "show_if" not in mapping:
        return None, None
    raw = mapping["show_if"]
    line = key_line(mapping, "show_if")
    if not isinstance(raw, dict):
        ctx.add(line, where, f"show_if should say which answer shows this, like {EXAMPLE}.")
        return None, None
    check_keys(ctx, raw, _KEYS, where, what="show_if", synonyms=_SYNONYMS)
    target = raw.get("question")
    if not isinstance(target, str) or not target.strip():
        ctx.add(key_line(raw, "question", line), where, "show_if needs 'question:' with the id "
                f"of an earlier question, like {EXAMPLE}.")
    used = [op for op in CONDITION_OPERATORS if op in raw]
    if not used:
        ctx.add(line, where, "show_if needs one of equals:, not_equals: or includes: to say "
                f"which answer shows this, like {EXAMPLE}.")
        return None, None
    if len(used) > 1:
        ctx.add(key_line(raw, used[1], line), where, f"show_if can use only one of equals:, "
                f"not_equals: or includes:, but this one has {' and '.join(used)}. Keep one.")
        return None, None
    operator = used[0]
    value = raw[operator]
    value_line = key_line(raw, operator, line)
    if not is_scalar(value) or (isinstance(value, str) and not value.strip()):
        ctx.add(value_line, where, f"show_if: '{operator}' needs one answer, not {show(value)}. "
                f"Write the value of one choice, like {EXAMPLE}.")
        return None, None
    if not isinstance(target, str) or not target.strip():
        return None, None
    condition = Condition(question=target.strip(), operator=operator,
                          value=plain_scalar(value).strip())
    return condition, Pending(condition, where, page, owner,
                              key_line(raw, "question", line), value_line)


@dataclass
class Known:
    """A question as the condition checks see it."""

    question: Question
    page: int
    type: QuestionType | None


def many_answers(question_type: QuestionType | None) -> bool:
    """True for types where people can pick more than one choice."""
    if question_type is None:
        return False
    return bool(question_type.needs_choices and (
        question_type.name == "multiple_choice" or getattr(question_type, "many_answers", False)))


def check_conditions(ctx: Context, pending: list[Pending], known: dict[str, Known],
                     types: QuestionTypeRegistry) -> None:
    """Check that every condition points at a suitable question on an earlier page."""
    order = list(known)
    for item in pending:
        target = known.get(item.condition.question)
        if target is None:
            _report_missing(ctx, item, order)
        elif _check_place(ctx, item, target):
            _check_operator(ctx, item, target)


def _report_missing(ctx: Context, item: Pending, order: list[str]) -> None:
    name = item.condition.question
    guess = did_you_mean(name, order)
    hint = f" — did you mean '{guess}'?" if guess else (
        ". Check the spelling: it must be the id of an earlier question.")
    ctx.add(item.question_line, item.where, f"show_if: there is no question '{name}' "
            f"in this survey{hint}")


def _check_place(ctx: Context, item: Pending, target: Known) -> bool:
    name = item.condition.question
    if name == item.owner:
        ctx.add(item.question_line, item.where, "show_if can't use this question's own answer. "
                "Point it at a question on an earlier page.")
        return False
    if target.page == item.page:
        whose = "this page" if item.owner is None else "the same page as this question"
        ctx.add(item.question_line, item.where, f"show_if uses question '{name}', which is on "
                f"{whose}. Its answer isn't known until the page is sent, so move it to an "
                "earlier page.")
        return False
    if target.page > item.page:
        ctx.add(item.question_line, item.where, f"show_if uses question '{name}', which comes "
                "later in the survey. Move it to an earlier page, or move this after it.")
        return False
    if target.type is not None and not target.type.takes_answer:
        ctx.add(item.question_line, item.where, f"show_if uses '{name}', which is information "
                "and takes no answer. Point it at a question people answer.")
        return False
    return True


def _check_operator(ctx: Context, item: Pending, target: Known) -> None:
    condition, name = item.condition, item.condition.question
    many = many_answers(target.type)
    if condition.operator == "includes" and not many and target.type is not None:
        ctx.add(item.value_line, item.where, f"show_if: 'includes' only works with questions "
                f"where people can pick more than one answer, and '{name}' isn't one. "
                "Use equals: or not_equals: instead.")
        return
    if condition.operator != "includes" and many:
        ctx.add(item.value_line, item.where, f"show_if: people can pick more than one answer "
                f"to '{name}', so use includes: instead of {condition.operator}:.")
        return
    values = [c.value for c in target.question.choices]
    if not values:
        return
    if target.question.prefer_not_to_say:
        values.append(PREFER_NOT_TO_SAY)
    if condition.value not in values:
        guess = did_you_mean(condition.value, values)
        hint = f" — did you mean '{guess}'?" if guess else f". Use one of: {spell_list(values)}."
        ctx.add(item.value_line, item.where, f"show_if: {show(condition.value)} isn't one of "
                f"the choices of question '{name}'{hint}")
