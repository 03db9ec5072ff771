"""Which answers a results view counts: between two days and in one group (pure, no Flask).

The results page's query (``from``, ``to``, ``only``) becomes :class:`Filters`;
a wrong value is dropped with a note of what was wrong, and the rest kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Filters:
    """Which responses a view counts: sent between two days, and in one group of a breakdown."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    split: str = ""  # a breakdown id
    group: str = ""  # a group of that breakdown

    @property
    def active(self) -> bool:
        """True when the view shows only some of the responses."""
        return bool(self.date_from or self.date_to or self.split)

    def by_date(self, response) -> bool:
        """Whether a response was sent within the chosen days."""
        day = response.submitted_at[:10]
        return not ((self.date_from and day < self.date_from.isoformat())
                    or (self.date_to and day > self.date_to.isoformat()))


def parse_day(text: str) -> dt.date | None:
    """A day typed as YYYY-MM-DD (what a date box sends), or ``None``; raises ValueError if wrong."""
    text = (text or "").strip()
    return dt.date.fromisoformat(text) if text else None


def filters_from(args: Mapping[str, str], breakdown_ids: Iterable[str]) -> tuple[Filters, list]:
    """Filters from a page's query (``from``, ``to``, ``only``), and what was wrong with it.

    ``only`` is ``"<breakdown id>=<group>"``. Problems are ``(field, what)`` with
    what in ``{"date", "order", "group"}``; a wrong value is dropped and the rest
    kept, so a typo never loses the other choices.
    """
    problems: list[tuple[str, str]] = []
    days: dict[str, dt.date | None] = {}
    for name in ("from", "to"):
        try:
            days[name] = parse_day(args.get(name, ""))
        except ValueError:
            days[name] = None
            problems.append((name, "date"))
    if days["from"] and days["to"] and days["from"] > days["to"]:
        problems.append(("to", "order"))
        days["to"] = None
    split, _, group = str(args.get("only", "")).partition("=")
    if split and split not in set(breakdown_ids):
        problems.append(("only", "group"))
        split = group = ""
    return Filters(days["from"], days["to"], split, group), problems
