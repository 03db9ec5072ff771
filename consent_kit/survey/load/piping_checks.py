"""Check ``${name}`` (an earlier answer in a label or help text) against the whole survey.

Part of :mod:`consent_kit.survey.load.survey_file`; the piping itself is in
:mod:`consent_kit.survey.piping`. Pages are shown one at a time, so a question's
words can only use an answer given on an earlier page.
"""

from __future__ import annotations

from dataclasses import dataclass

from consent_kit.survey.load.common import Context, did_you_mean, value_line
from consent_kit.survey.load.conditions import Known
from consent_kit.survey.piping import ANY_PIPE, PIPE, PIPED_FIELDS, references

EXAMPLE = "${first_name}"


@dataclass(frozen=True)
class Pipe:
    """One ``${name}`` in a question's words: whose, which words, and on which line."""

    owner: str
    field: str
    name: str
    line: int
    page: int
    where: str


def find_pipes(ctx: Context, mapping: dict, *, owner: str, page: int, where: str) -> list[Pipe]:
    """Every ``${name}`` in a question's label and help (each language on its own line)."""
    found = []
    for field in PIPED_FIELDS:
        raw = mapping.get(field)
        if isinstance(raw, dict):  # {en: ..., cy: ...}: each language has its own line
            parts = [(str(words), value_line(raw, code)) for code, words in raw.items()
                     if isinstance(words, str)]
        else:
            parts = [(raw, value_line(mapping, field))] if isinstance(raw, str) else []
        for text, line in parts:
            _odd_pipes(ctx, text, field, line, where)
            found += [Pipe(owner, field, name, line, page, where) for name in references(text)]
    return found


def _odd_pipes(ctx: Context, text: str, field: str, line: int, where: str) -> None:
    for inside in dict.fromkeys(ANY_PIPE.findall(text)):
        if not PIPE.fullmatch("${" + inside + "}"):
            ctx.add(line, where, f"'{field}' has ${{{inside}}}, which can't be a question's id. "
                    f"Write the id of an earlier question between ${{ and }}, like {EXAMPLE}.")


def check_pipes(ctx: Context, pipes: list[Pipe], known: dict[str, Known]) -> None:
    """Each ``${name}`` must be a question people answer, on an earlier page."""
    order = list(known)
    for pipe in pipes:
        target = known.get(pipe.name)
        problem = _problem(pipe, target, order)
        if problem:
            ctx.add(pipe.line, pipe.where, f"'{pipe.field}' uses ${{{pipe.name}}}: {problem}")


def _problem(pipe: Pipe, target: Known | None, order: list[str]) -> str:
    name = pipe.name
    if target is None:
        guess = did_you_mean(name, order)
        hint = (f" Did you mean ${{{guess}}}?" if guess else
                f" Write the id of an earlier question between ${{ and }}, like {EXAMPLE}.")
        return f"there is no question '{name}' in this survey.{hint}"
    if name == pipe.owner:
        return ("a question can't show its own answer. Use the id of a question on an "
                "earlier page.")
    if target.page == pipe.page:
        return (f"question '{name}' is on the same page, and its answer isn't known until the "
                "page is sent. Move this question to a later page, or move that one earlier.")
    if target.page > pipe.page:
        return (f"question '{name}' comes later in the survey, so there is no answer to show "
                "yet. Move it to an earlier page, or move this question after it.")
    if target.type is not None and not target.type.takes_answer:
        return f"'{name}' is information and takes no answer. Use a question people answer."
    return ""
