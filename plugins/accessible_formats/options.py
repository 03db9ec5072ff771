"""Display options a participant can turn on, and the stylesheet each choice adds (no Flask).

The choices are kept for the visit as a short list of names; the page then
links one stylesheet made of the parts for those names, so a page with
options on still costs one extra request, and a page with none costs nothing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"

#: Every option, in the order their styles are combined (high contrast after the cream page).
NAMES = ("large", "dyslexia", "contrast", "motion", "easy", "listen")


def clean(names) -> tuple[str, ...]:
    """Only known option names, once each, in the standard order."""
    chosen = {str(n) for n in names or ()}
    return tuple(n for n in NAMES if n in chosen)


def css_key(names, *, paper: bool = False) -> str:
    """The stylesheet name for these options, plus the paper layout on print pages ("" = none)."""
    return "-".join(clean(names) + (("paper",) if paper else ()))


def names_from_key(key: str) -> tuple[tuple[str, ...], bool] | None:
    """``(options, paper)`` of a stylesheet name, or None when :func:`css_key` can't make it."""
    parts = tuple(key.split("-")) if key else ()
    paper = parts[-1:] == ("paper",)
    names = parts[:-1] if paper else parts
    if not parts or css_key(names, paper=paper) != key:
        return None
    return names, paper


@lru_cache(maxsize=128)
def stylesheet(key: str, core_css: str = "") -> str:
    """The CSS for a stylesheet name: ``core_css``, the shared parts, each option's part, then paper."""
    found = names_from_key(key)
    if found is None:
        raise KeyError(key)
    names, paper = found
    files = ["parts", *names] + (["paper"] if paper else [])
    ours = "\n".join((STATIC / f"{name}.css").read_text(encoding="utf-8") for name in files)
    return core_css + "\n" + ours
