"""What the consent readers share: lists, ids and how messages name a part.

Used by :mod:`.consent`, :mod:`.consent_checks` and :mod:`.support`; every
message names the line and says how to fix it, as the survey file's others do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from consent_kit.survey.load.common import (
    Context,
    is_scalar,
    key_line,
    line_of,
    plain_scalar,
    show,
    value_line,
)
from consent_kit.survey.load.questions import QUESTION_ID

ID_RULE = "An id starts with a letter and has only letters, digits, _ and - (no spaces)"
DELETE_HINT = " If you don't want any, delete '{}:'."


def group_message(key: str, raw, needs: str) -> str:
    """The message for a group (``key``) that is empty or not a group: what it ``needs``."""
    if raw is None:
        return (f"'{key}:' is empty. Under it, indented, add {needs}, or delete the line. "
                "See docs/consent.md.")
    return (f"'{key}' should be a group of settings with {needs}, indented under it, not "
            f"{show(raw)}. See docs/consent.md.")


def list_under(ctx: Context, mapping: dict, key: str, where: str, what: str, *,
          if_none: str) -> Sequence:
    """The non-empty list under ``key``, or () after reporting why it isn't one.

    ``if_none`` ends the message: what to do when there should be none.
    """
    if key not in mapping:
        return ()
    raw = mapping[key]
    if isinstance(raw, list) and raw:
        return raw
    line = key_line(mapping, key, line_of(mapping))
    if raw is None or raw == []:  # "statements:" with nothing under it, or "statements: []"
        ctx.add(line, where, f"'{key}' has nothing in it yet. Add the {what}, on new lines, "
                f"indented under it.{if_none}")
    else:
        ctx.add(line, where, f"'{key}' should be a list of {what}, on new lines, indented under "
                f"it.{if_none}")
    return ()


def where_named(item, kind: str, number: int) -> str:
    """How messages name a part: by its id when it has a good one, else by position."""
    raw = item.get("id") if isinstance(item, dict) else None
    if is_scalar(raw) and not isinstance(raw, bool) and plain_scalar(raw).strip():
        return f"{kind} '{plain_scalar(raw).strip()}'"
    return f"{kind} {number}"


def read_id(ctx: Context, item: dict, where: str, kind: str, seen: dict[str, int], *,
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
        ctx.add(line, where, f"the id {show(raw)} can't be used. {ID_RULE}.{try_this}")
    elif found in seen:
        ctx.add(line, where, f"the {kind} on line {seen[found]} already has the id "
                f"'{found}'. Each {kind} needs its own id: change one of them.")
    else:
        seen[found] = line
    return found
