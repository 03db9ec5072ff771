"""Earlier answers in another tool's words (XLSForm ``${name}``, REDCap ``[name]``) on import.

Used by :mod:`.xlsform_rows` and :mod:`.redcap`. An answer from an earlier page
becomes consent-kit's own piping, ``${id}`` (:mod:`consent_kit.survey.piping`);
one that can't (a later question, one left out) is marked for the researcher.
"""

from __future__ import annotations

import re

from consent_kit.studio.builder.starter import MARK
from consent_kit.survey.load.imported import Known, say


def piped(text: str, pattern: str = r"\$\{([^}]+)\}") -> tuple[str, list[str]]:
    """Text with earlier answers put in it (``${name}``) marked for the researcher to reword.

    For an answer that can't be piped (see :func:`pipe_to_ids`): each one
    becomes ``[answer to name]`` and the text starts with the placeholder mark.
    """
    names = re.findall(pattern, text)
    if not names:
        return text, []
    replaced = re.sub(pattern, lambda m: f"[answer to {m.group(1)}]", text)
    return f"{MARK} {replaced}", names


def pipe_to_ids(text: str, known: dict[str, Known], page: int,
                pattern: str = r"\$\{([^}]+)\}") -> tuple[str, str]:
    """Text with each earlier answer (``${name}``) written as ``${id}`` of the imported question.

    Returns ``(text, "")``, or ``(text unchanged, why not)`` when a name isn't
    an answer from an earlier page (then :func:`piped` marks the words instead).
    """
    problems: list[str] = []

    def swap(match: re.Match) -> str:
        name = match.group(1).strip()
        target = known.get(name)
        if target is None:
            problems.append(say("'%(name)s' isn't an earlier imported question", name=name))
        elif target.page >= page:
            problems.append(say("'%(name)s' is on the same page, and its answer isn't known until "
                                "the page is sent", name=name))
        elif target.type == "info":
            problems.append(say("'%(name)s' takes no answer", name=name))
        else:
            return "${" + target.id + "}"
        return match.group(0)

    changed = re.sub(pattern, swap, text)
    return (text, problems[0]) if problems else (changed, "")
