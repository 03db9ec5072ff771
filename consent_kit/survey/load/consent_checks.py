"""Read ``check_understanding``: the optional "check you understood" questions of consent.

Part of :mod:`consent_kit.survey.load.consent`. Each check has a question, at
least two choices, the right answer, and may point to the information section
that explains it (shown again to someone who picks another answer; a check
never stops anyone taking part). docs/consent.md describes what to write.
"""

from __future__ import annotations

from consent_kit.survey.load.common import (
    Context,
    check_keys,
    did_you_mean,
    is_scalar,
    item_line,
    key_line,
    line_of,
    plain_scalar,
    read_text,
    show,
    spell_list,
    value_line,
)
from consent_kit.survey.load.consent_parts import DELETE_HINT, list_under, read_id, where_named
from consent_kit.survey.load.values import read_choice
from consent_kit.survey.model import Choice, UnderstandingCheck

CHECK_KEYS = ("id", "question", "choices", "answer", "explained_in")
_CHECK_SYNONYMS = {"label": "question", "text": "question", "ask": "question",
                   "options": "choices", "answers": "choices", "correct": "answer",
                   "right_answer": "answer", "correct_answer": "answer",
                   "section": "explained_in", "see": "explained_in", "explained": "explained_in",
                   "explain": "explained_in", "name": "id"}


def read_checks(ctx: Context, mapping: dict, section_ids: list[str]
                ) -> tuple[UnderstandingCheck, ...]:
    """Read the checks under ``mapping``; ``section_ids`` are the main information's sections."""
    listed = list_under(ctx, mapping, "check_understanding", "consent", "questions, each "
                        "starting with '- question:'", if_none=DELETE_HINT.format("check_understanding"))
    checks: list[UnderstandingCheck] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(listed, start=1):
        where = where_named(item, "check", number)
        if not isinstance(item, dict):
            ctx.add(item_line(listed, number - 1, line_of(mapping)), where, "each check should "
                    "be a group of settings with 'question:', 'choices:' and 'answer:', not "
                    f"{show(item)}. Check the indentation.")
            continue
        check_keys(ctx, item, CHECK_KEYS, where, what="A check", synonyms=_CHECK_SYNONYMS)
        check_id = read_id(ctx, item, where, "check", seen, example="can-stop",
                           default=f"check-{number}")
        question = read_text(ctx, item, "question", where, required=True, missing=(
            "this check has no question. Add 'question:' with what to ask, like "
            "'question: Can you stop at any time?'."))
        choices = _read_check_choices(ctx, item, where)
        answer = _read_answer(ctx, item, where, choices)
        explained_in = _read_explained_in(ctx, item, where, section_ids)
        checks.append(UnderstandingCheck(id=check_id, question=question, choices=choices,
                                         answer=answer, explained_in=explained_in,
                                         line=line_of(item)))
    return tuple(checks)


def _read_check_choices(ctx: Context, item: dict, where: str) -> tuple[Choice, ...]:
    example = "'choices: [Yes, No]'"
    if "choices" not in item:
        ctx.add(line_of(item), where, f"this check has no choices. Add 'choices:' with at "
                f"least 2 answers to pick from, like {example}.")
        return ()
    raw = item["choices"]
    line = key_line(item, "choices")
    if not isinstance(raw, list) or not raw:
        ctx.add(line, where, f"'choices' should be a list of at least 2 answers to pick "
                f"from, like {example}.")
        return ()
    if len(raw) < 2:
        ctx.add(line, where, f"a check needs at least 2 choices to pick from, but this one "
                f"has 1. Add another, like {example}.")
    choices: list[Choice] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(raw, start=1):
        choice_where = f"choice {number} of {where}"
        choice_line = item_line(raw, number - 1, line)
        choice = read_choice(ctx, entry, choice_where, choice_line)
        if choice is None:
            continue
        if choice.value in seen:
            ctx.add(choice_line, choice_where, f"this choice has the same value "
                    f"{show(choice.value)} as choice {seen[choice.value]}. Each choice needs "
                    "its own value: change one of them, or delete one.")
            continue
        seen[choice.value] = number
        choices.append(choice)
    return tuple(choices)


def _read_answer(ctx: Context, item: dict, where: str, choices: tuple[Choice, ...]) -> str:
    if "answer" not in item:
        ctx.add(line_of(item), where, "this check has no answer. Add 'answer:' with the "
                "right choice, like 'answer: Yes'.")
        return ""
    raw = item["answer"]
    line = value_line(item, "answer")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        ctx.add(line, where, "'answer:' is empty. Write the right choice after it, like "
                "'answer: Yes'.")
        return ""
    if isinstance(raw, bool) or not is_scalar(raw):
        ctx.add(line, where, f"'answer' should be one of the choices, not {show(raw)}. If you "
                "mean the word, put it in quotes, like 'answer: \"true\"'.")
        return ""
    answer = plain_scalar(raw).strip()
    values = [c.value for c in choices]
    if not choices or answer in values:
        return answer
    by_label = next((c for c in choices if c.label == answer), None)
    if by_label is not None:
        ctx.add(line, where, f"{show(answer)} is the label of a choice. Write that choice's "
                f"value instead: 'answer: {by_label.value}'.")
        return answer
    guess = did_you_mean(answer, values)
    hint = f" — did you mean '{guess}'?" if guess else f". The choices are {spell_list(values)}."
    ctx.add(line, where, f"the answer {show(raw)} isn't one of the choices{hint}")
    return answer


def _read_explained_in(ctx: Context, item: dict, where: str, section_ids: list[str]) -> str:
    if "explained_in" not in item:
        return ""
    raw = item["explained_in"]
    line = value_line(item, "explained_in")
    target = plain_scalar(raw).strip() if is_scalar(raw) and not isinstance(raw, bool) else ""
    if not target:
        ctx.add(line, where, f"'explained_in' should be the id of the information section "
                f"that explains the answer, like 'explained_in: rights', not {show(raw)}. Or "
                "delete the line.")
        return ""
    if target in section_ids or not section_ids:
        return target
    guess = did_you_mean(target, section_ids)
    hint = (f" — did you mean '{guess}'?" if guess else
            f". The sections are {spell_list(section_ids)}: give the section that explains "
            "the answer an 'id:' and write that id here.")
    ctx.add(line, where, f"'explained_in' says {show(raw)}, but no information section has "
            f"that id{hint}")
    return target


def check_explained_here(ctx: Context, item: dict, where: str,
                         checks: list[UnderstandingCheck], ids: set[str]) -> None:
    """A version with its own information must still have the sections checks point to."""
    for check in checks:
        if check.explained_in and check.explained_in not in ids:
            ctx.add(key_line(item, "information"), where, f"check '{check.id}' shows the "
                    f"section '{check.explained_in}' to people who pick a wrong answer, but "
                    "this version's information has no section with that id. Give the "
                    f"section that explains it 'id: {check.explained_in}'.")
