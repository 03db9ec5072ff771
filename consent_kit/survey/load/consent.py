"""Read a survey file's ``consent`` settings (``support`` and ``exit_page``: loader_support).

Part of :mod:`consent_kit.survey.load.survey_file`. ``consent`` is what people read and agree
to before they answer: short information sections, optional "check you
understood" questions, the statements they agree to, and optional versions
for groups such as "under 16". ``support`` is the support page, and
``exit_page`` is where the "Leave this page" button goes. docs/consent.md
describes what to write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from consent_kit.survey.load.common import (
    Context,
    check_keys,
    did_you_mean,
    is_scalar,
    item_line,
    key_line,
    line_of,
    plain_scalar,
    read_flag,
    read_text,
    show,
    spell_list,
    value_line,
)
from consent_kit.survey.load.media import read_media
from consent_kit.survey.load.questions import QUESTION_ID
from consent_kit.survey.load.values import read_choice
from consent_kit.survey.model import (
    Choice,
    ConsentSection,
    ConsentStatement,
    ConsentVariant,
    InfoSection,
    UnderstandingCheck,
)

CONSENT_KEYS = ("information", "check_understanding", "statements", "confirm_with",
                "ask_if_helped", "versions")
SECTION_KEYS = ("id", "heading", "text", "easy_read", "bsl")
CHECK_KEYS = ("id", "question", "choices", "answer", "explained_in")
STATEMENT_KEYS = ("id", "text", "required", "allows_quotes")
VERSION_KEYS = ("id", "label", "information", "statements")
#: How people confirm: tick a box, or type their first name or initials.
CONFIRM_WITH = ("tick", "initials")

_CONSENT_SYNONYMS = {
    "info": "information", "information_sheet": "information", "sections": "information",
    "sheet": "information", "pages": "information",
    "checks": "check_understanding", "check": "check_understanding",
    "quiz": "check_understanding", "understanding": "check_understanding",
    "questions": "check_understanding",
    "agree": "statements", "agreements": "statements", "items": "statements",
    "consent_items": "statements", "statement": "statements",
    "confirm": "confirm_with", "confirmation": "confirm_with", "sign_with": "confirm_with",
    "signature": "confirm_with",
    "helped": "ask_if_helped", "ask_helped": "ask_if_helped",
    "someone_helped": "ask_if_helped",
    "variants": "versions", "groups": "versions", "version": "versions",
}
_SECTION_SYNONYMS = {"title": "heading", "name": "heading", "body": "text", "content": "text",
                     "words": "text", "description": "text", "label": "heading",
                     "sign_language": "bsl", "video": "bsl", "sign_language_video": "bsl"}
_CHECK_SYNONYMS = {"label": "question", "text": "question", "ask": "question",
                   "options": "choices", "answers": "choices", "correct": "answer",
                   "right_answer": "answer", "correct_answer": "answer",
                   "section": "explained_in", "see": "explained_in", "explained": "explained_in",
                   "explain": "explained_in", "name": "id"}
_STATEMENT_SYNONYMS = {"label": "text", "statement": "text", "words": "text",
                       "mandatory": "required", "name": "id"}
_VERSION_SYNONYMS = {"name": "label", "title": "label", "text": "label", "info": "information",
                     "sections": "information", "agree": "statements",
                     "agreements": "statements"}
_CONFIRM_SYNONYMS = {"checkbox": "tick", "check": "tick", "tickbox": "tick", "box": "tick",
                     "name": "initials", "signature": "initials", "sign": "initials",
                     "initial": "initials", "type": "initials"}

_ID_RULE = "An id starts with a letter and has only letters, digits, _ and - (no spaces)"
_DELETE = " If you don't want any, delete '{}:'."
_SAME_AS_MAIN = " To use the same {0} as the main version, delete '{0}:' here."


# --- exit_page and web addresses -----------------------------------------------------------

def read_consent(ctx: Context, data: dict) -> ConsentSection | None:
    """Read ``consent``; check every part of it and how the parts fit together."""
    if "consent" not in data:
        return None
    raw = data["consent"]
    line = key_line(data, "consent")
    where = "consent"
    if not isinstance(raw, dict):
        ctx.add(line, "", _group_message(
            "consent", raw, "'information:' (what people read) and 'statements:' (what they "
            "agree to)"))
        return None
    check_keys(ctx, raw, CONSENT_KEYS, where, what="consent", synonyms=_CONSENT_SYNONYMS)
    sections = _read_sections(ctx, raw, where, "", line, required=True)
    checks = _read_checks(ctx, raw, [s.id for s in sections])
    statements = _read_statements(ctx, raw, where, "", line, required=True)
    confirm = _read_confirm(ctx, raw, where)
    ask_helped = read_flag(ctx, raw, "ask_if_helped", where, default=True)
    main_ids = {s.id for s in sections}
    variants = _read_versions(ctx, raw, [c for c in checks if c.explained_in in main_ids])
    return ConsentSection(sections=sections, statements=statements, checks=checks,
                          variants=variants, confirm=confirm, ask_helped=ask_helped,
                          line=line)


def _read_sections(ctx: Context, mapping: dict, where: str, suffix: str, line: int, *,
                   required: bool) -> tuple[InfoSection, ...]:
    if required and "information" not in mapping:
        ctx.add(line, where, "there is no 'information:'. Add 'information:' with the short "
                "sections people read before they agree, each with 'heading:' and 'text:'. "
                "See docs/consent.md.")
        return ()
    listed = _list(ctx, mapping, "information", where, "short sections, each starting with "
                   "'- heading:' and with 'text:' under it",
                   if_none="" if required else _SAME_AS_MAIN.format("information"))
    sections: list[InfoSection] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(listed, start=1):
        item_where = _where(item, "information section", number) + suffix
        if not isinstance(item, dict):
            ctx.add(item_line(listed, number - 1, line), item_where, "each section should be "
                    f"a group of settings with 'heading:' and 'text:', not {show(item)}. "
                    "Check the indentation.")
            continue
        check_keys(ctx, item, SECTION_KEYS, item_where, what="A section",
                   synonyms=_SECTION_SYNONYMS)
        section_id = _read_id(ctx, item, item_where, "section", seen, example="rights",
                              default=f"section-{number}")
        heading = read_text(ctx, item, "heading", item_where, required=True, missing=(
            "this section has no heading. Add 'heading:' with a short title, like "
            "'heading: What is this project?'."))
        text = read_text(ctx, item, "text", item_where, required=True, missing=(
            "this section has no text. Add 'text:' with what people need to know, in short "
            "sentences (use 'text: |' and the lines below for more than one line)."))
        sections.append(InfoSection(id=section_id, heading=heading, text=text,
                                    line=line_of(item),
                                    media=read_media(ctx, item, item_where, text_key="text",
                                                     bsl=True)))
    return tuple(sections)


def _read_checks(ctx: Context, mapping: dict, section_ids: list[str]
                 ) -> tuple[UnderstandingCheck, ...]:
    listed = _list(ctx, mapping, "check_understanding", "consent", "questions, each "
                   "starting with '- question:'", if_none=_DELETE.format("check_understanding"))
    checks: list[UnderstandingCheck] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(listed, start=1):
        where = _where(item, "check", number)
        if not isinstance(item, dict):
            ctx.add(item_line(listed, number - 1, line_of(mapping)), where, "each check should "
                    "be a group of settings with 'question:', 'choices:' and 'answer:', not "
                    f"{show(item)}. Check the indentation.")
            continue
        check_keys(ctx, item, CHECK_KEYS, where, what="A check", synonyms=_CHECK_SYNONYMS)
        check_id = _read_id(ctx, item, where, "check", seen, example="can-stop",
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


def _read_statements(ctx: Context, mapping: dict, where: str, suffix: str, line: int, *,
                     required: bool) -> tuple[ConsentStatement, ...]:
    example = "'- id: take_part' with 'text: I want to take part' under it"
    if required and "statements" not in mapping:
        ctx.add(line, where, f"there is no 'statements:'. Add 'statements:' with what people "
                f"agree to, like {example}.")
        return ()
    listed = _list(ctx, mapping, "statements", where, "things people agree to, each starting "
                   "with '- id:' and with 'text:' under it",
                   if_none="" if required else _SAME_AS_MAIN.format("statements"))
    statements: list[ConsentStatement] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(listed, start=1):
        item_where = _where(item, "statement", number) + suffix
        if not isinstance(item, dict):
            ctx.add(item_line(listed, number - 1, line), item_where, "each statement should "
                    f"be a group of settings with 'id:' and 'text:', not {show(item)}. Check "
                    "the indentation.")
            continue
        check_keys(ctx, item, STATEMENT_KEYS, item_where, what="A statement",
                   synonyms=_STATEMENT_SYNONYMS, explain=_statement_explain)
        statement_id = _read_id(ctx, item, item_where, "statement", seen, example="take_part")
        text = read_text(ctx, item, "text", item_where, required=True, missing=(
            "this statement has no text. Add 'text:' with what people agree to, like "
            "'text: I want to take part'."))
        needed = read_flag(ctx, item, "required", item_where, default=True)
        quotes = read_flag(ctx, item, "allows_quotes", item_where, default=False)
        statements.append(ConsentStatement(id=statement_id, text=text, required=needed,
                                           line=line_of(item), allows_quotes=quotes))
    if statements and not any(s.required for s in statements):
        ctx.add(key_line(mapping, "statements", line), where, "none of the statements has to "
                "be agreed to, so people could take part without agreeing to anything. Add a "
                "statement people must agree to, like 'I want to take part' (statements are "
                "'required: true' unless you say 'required: false').")
    return tuple(statements)


def _statement_explain(key) -> str | None:
    if key == "optional":
        return "write 'required: false' instead of 'optional'."
    return None


def _read_confirm(ctx: Context, mapping: dict, where: str) -> str:
    if "confirm_with" not in mapping:
        return "tick"
    raw = mapping["confirm_with"]
    if isinstance(raw, str) and raw.strip() in CONFIRM_WITH:
        return raw.strip()
    guess = did_you_mean(raw, CONFIRM_WITH, _CONFIRM_SYNONYMS)
    hint = f" — did you mean '{guess}'?" if guess else "."
    ctx.add(value_line(mapping, "confirm_with"), where, f"'confirm_with' must be tick (people "
            f"tick a box) or initials (people type their first name or initials), not "
            f"{show(raw)}{hint}")
    return "tick"


def _read_versions(ctx: Context, mapping: dict, checks: list[UnderstandingCheck]
                   ) -> tuple[ConsentVariant, ...]:
    """Read ``versions``; ``checks`` are those whose ``explained_in`` works for the main one."""
    listed = _list(ctx, mapping, "versions", "consent", "versions, each starting with "
                   "'- id:' and with 'label:' under it", if_none=_DELETE.format("versions"))
    variants: list[ConsentVariant] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(listed, start=1):
        where = _where(item, "version", number)
        line = item_line(listed, number - 1, line_of(mapping))
        if not isinstance(item, dict):
            ctx.add(line, where, "each version should be a group of settings with 'id:' and "
                    f"'label:', not {show(item)}. Check the indentation.")
            continue
        check_keys(ctx, item, VERSION_KEYS, where, what="A version",
                   synonyms=_VERSION_SYNONYMS, explain=_version_explain)
        variant_id = _read_id(ctx, item, where, "version", seen, example="under-16")
        label = read_text(ctx, item, "label", where, required=True, missing=(
            "this version has no label. Add 'label:' with the words people choose it by, "
            "like 'label: I am under 16'."))
        suffix = f" of {where}"
        sections = _read_sections(ctx, item, where, suffix, line, required=False)
        statements = _read_statements(ctx, item, where, suffix, line, required=False)
        if sections:
            _check_explained_here(ctx, item, where, checks, {s.id for s in sections})
        variants.append(ConsentVariant(id=variant_id, label=label, sections=sections,
                                       statements=statements, line=line_of(item, line)))
    return tuple(variants)


def _version_explain(key) -> str | None:
    if key in ("check_understanding", "confirm_with", "ask_if_helped", "versions"):
        return (f"'{key}' is the same for every version, so it can't go inside a version. "
                "Set it once under 'consent:', or remove it here.")
    return None


def _check_explained_here(ctx: Context, item: dict, where: str,
                          checks: list[UnderstandingCheck], ids: set[str]) -> None:
    """A version with its own information must still have the sections checks point to."""
    for check in checks:
        if check.explained_in and check.explained_in not in ids:
            ctx.add(key_line(item, "information"), where, f"check '{check.id}' shows the "
                    f"section '{check.explained_in}' to people who pick a wrong answer, but "
                    "this version's information has no section with that id. Give the "
                    f"section that explains it 'id: {check.explained_in}'.")


# --- shared ---------------------------------------------------------------------------------

def _group_message(key: str, raw, needs: str) -> str:
    if raw is None:
        return (f"'{key}:' is empty. Under it, indented, add {needs}, or delete the line. "
                "See docs/consent.md.")
    return (f"'{key}' should be a group of settings with {needs}, indented under it, not "
            f"{show(raw)}. See docs/consent.md.")


def _list(ctx: Context, mapping: dict, key: str, where: str, what: str, *,
          if_none: str) -> Sequence:
    """The non-empty list under ``key``, or () after reporting why it isn't one.

    ``if_none`` ends the message: what to do when there should be none.
    """
    if key not in mapping:
        return ()
    raw = mapping[key]
    if isinstance(raw, list) and raw:
        return raw
    ctx.add(key_line(mapping, key, line_of(mapping)), where, f"'{key}' should be a list of "
            f"{what}, on new lines, indented under it.{if_none}")
    return ()


def _where(item, kind: str, number: int) -> str:
    """How messages name a part: by its id when it has a good one, else by position."""
    raw = item.get("id") if isinstance(item, dict) else None
    if is_scalar(raw) and not isinstance(raw, bool) and plain_scalar(raw).strip():
        return f"{kind} '{plain_scalar(raw).strip()}'"
    return f"{kind} {number}"


def _read_id(ctx: Context, item: dict, where: str, kind: str, seen: dict[str, int], *,
             example: str, default: str | None = None) -> str:
    """Read an id (``default`` when it may be left out); report bad and repeated ids.

    ``seen`` maps the ids read so far to the line they were on.
    """
    line = value_line(item, "id", line_of(item))
    if "id" not in item:
        if default is None:
            ctx.add(line, where, f"this {kind} has no id. Add 'id:' with a short name for it, "
                    f"like 'id: {example}' (people never see it; the results use it).")
            return ""
        if default in seen:
            ctx.add(line, where, f"this {kind} has no id, so it is called '{default}', but "
                    f"the {kind} on line {seen[default]} already uses that id. Give one of "
                    "them another id.")
        seen.setdefault(default, line)
        return default
    raw = item["id"]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        instead = f", or delete the line to call it '{default}'" if default else ""
        ctx.add(line, where, f"'id:' is empty. Write a short name after it, like "
                f"'id: {example}'{instead}.")
        return default or ""
    found = plain_scalar(raw).strip() if is_scalar(raw) and not isinstance(raw, bool) else ""
    if not QUESTION_ID.match(found):
        fixed = re.sub(r"[^A-Za-z0-9_-]+", "_", found).strip("_-")
        try_this = f" Try '{fixed}'." if QUESTION_ID.match(fixed) else f" Like '{example}'."
        ctx.add(line, where, f"the id {show(raw)} can't be used. {_ID_RULE}.{try_this}")
    elif found in seen:
        ctx.add(line, where, f"the {kind} on line {seen[found]} already has the id "
                f"'{found}'. Each {kind} needs its own id: change one of them.")
    else:
        seen[found] = line
    return found
