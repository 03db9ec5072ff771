"""Read a survey file's ``consent`` settings (``support`` and ``exit_page``: loader_support).

Part of :mod:`consent_kit.survey.load.survey_file`. ``consent`` is what people read and agree
to before they answer: short information sections, optional "check you
understood" questions, the statements they agree to, and optional versions
for groups such as "under 16". ``support`` is the support page, and
``exit_page`` is where the "Leave this page" button goes. docs/consent.md
describes what to write.
"""

from __future__ import annotations

from consent_kit.survey.load.common import (
    Context,
    check_keys,
    did_you_mean,
    item_line,
    key_line,
    line_of,
    read_flag,
    read_text,
    show,
    value_line,
)
from consent_kit.survey.load.consent_checks import check_explained_here, read_checks
from consent_kit.survey.load.consent_parts import (
    DELETE_HINT,
    group_message,
    list_under,
    read_id,
    where_named,
)
from consent_kit.survey.load.media import read_media
from consent_kit.survey.model import (
    ConsentSection,
    ConsentStatement,
    ConsentVariant,
    InfoSection,
    UnderstandingCheck,
)

CONSENT_KEYS = ("information", "check_understanding", "statements", "confirm_with",
                "ask_if_helped", "versions")
SECTION_KEYS = ("id", "heading", "text", "easy_read", "bsl")
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
_STATEMENT_SYNONYMS = {"label": "text", "statement": "text", "words": "text",
                       "mandatory": "required", "name": "id"}
_VERSION_SYNONYMS = {"name": "label", "title": "label", "text": "label", "info": "information",
                     "sections": "information", "agree": "statements",
                     "agreements": "statements"}
_CONFIRM_SYNONYMS = {"checkbox": "tick", "check": "tick", "tickbox": "tick", "box": "tick",
                     "name": "initials", "signature": "initials", "sign": "initials",
                     "initial": "initials", "type": "initials"}

_SAME_AS_MAIN = " To use the same {0} as the main version, delete '{0}:' here."


def read_consent(ctx: Context, data: dict) -> ConsentSection | None:
    """Read ``consent``; check every part of it and how the parts fit together."""
    if "consent" not in data:
        return None
    raw = data["consent"]
    line = key_line(data, "consent")
    where = "consent"
    if not isinstance(raw, dict):
        ctx.add(line, "", group_message(
            "consent", raw, "'information:' (what people read) and 'statements:' (what they "
            "agree to)"))
        return None
    check_keys(ctx, raw, CONSENT_KEYS, where, what="consent", synonyms=_CONSENT_SYNONYMS)
    sections = _read_sections(ctx, raw, where, "", line, required=True)
    checks = read_checks(ctx, raw, [s.id for s in sections])
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
    listed = list_under(ctx, mapping, "information", where, "short sections, each starting with "
                        "'- heading:' and with 'text:' under it",
                        if_none="" if required else _SAME_AS_MAIN.format("information"))
    sections: list[InfoSection] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(listed, start=1):
        item_where = where_named(item, "information section", number) + suffix
        if not isinstance(item, dict):
            ctx.add(item_line(listed, number - 1, line), item_where, "each section should be "
                    f"a group of settings with 'heading:' and 'text:', not {show(item)}. "
                    "Check the indentation.")
            continue
        check_keys(ctx, item, SECTION_KEYS, item_where, what="A section",
                   synonyms=_SECTION_SYNONYMS)
        section_id = read_id(ctx, item, item_where, "section", seen, example="rights",
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


def _read_statements(ctx: Context, mapping: dict, where: str, suffix: str, line: int, *,
                     required: bool) -> tuple[ConsentStatement, ...]:
    example = "'- id: take_part' with 'text: I want to take part' under it"
    if required and "statements" not in mapping:
        ctx.add(line, where, f"there is no 'statements:'. Add 'statements:' with what people "
                f"agree to, like {example}.")
        return ()
    listed = list_under(ctx, mapping, "statements", where, "things people agree to, each starting "
                        "with '- id:' and with 'text:' under it",
                        if_none="" if required else _SAME_AS_MAIN.format("statements"))
    statements: list[ConsentStatement] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(listed, start=1):
        item_where = where_named(item, "statement", number) + suffix
        if not isinstance(item, dict):
            ctx.add(item_line(listed, number - 1, line), item_where, "each statement should "
                    f"be a group of settings with 'id:' and 'text:', not {show(item)}. Check "
                    "the indentation.")
            continue
        check_keys(ctx, item, STATEMENT_KEYS, item_where, what="A statement",
                   synonyms=_STATEMENT_SYNONYMS, explain=_statement_explain)
        statement_id = read_id(ctx, item, item_where, "statement", seen, example="take_part")
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
    listed = list_under(ctx, mapping, "versions", "consent", "versions, each starting with "
                        "'- id:' and with 'label:' under it", if_none=DELETE_HINT.format("versions"))
    variants: list[ConsentVariant] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(listed, start=1):
        where = where_named(item, "version", number)
        line = item_line(listed, number - 1, line_of(mapping))
        if not isinstance(item, dict):
            ctx.add(line, where, "each version should be a group of settings with 'id:' and "
                    f"'label:', not {show(item)}. Check the indentation.")
            continue
        check_keys(ctx, item, VERSION_KEYS, where, what="A version",
                   synonyms=_VERSION_SYNONYMS, explain=_version_explain)
        variant_id = read_id(ctx, item, where, "version", seen, example="under-16")
        label = read_text(ctx, item, "label", where, required=True, missing=(
            "this version has no label. Add 'label:' with the words people choose it by, "
            "like 'label: I am under 16'."))
        suffix = f" of {where}"
        sections = _read_sections(ctx, item, where, suffix, line, required=False)
        statements = _read_statements(ctx, item, where, suffix, line, required=False)
        if sections:
            check_explained_here(ctx, item, where, checks, {s.id for s in sections})
        variants.append(ConsentVariant(id=variant_id, label=label, sections=sections,
                                       statements=statements, line=line_of(item, line)))
    return tuple(variants)


def _version_explain(key) -> str | None:
    if key in ("check_understanding", "confirm_with", "ask_if_helped", "versions"):
        return (f"'{key}' is the same for every version, so it can't go inside a version. "
                "Set it once under 'consent:', or remove it here.")
    return None
