"""The team's codebook for a survey: themes with a name, a description, an example, a parent.

Kept as the store's documents (``analysis_themes``), one per theme. A theme's
id never changes, so codes keep pointing at it when it is renamed. No Flask.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import asdict, dataclass

THEMES = "analysis_themes"


def N_(message: str) -> str:
    """Mark words for translation; the pages translate them when they show them."""
    return message


NAME_MAX, TEXT_MAX = 80, 600
CSV_COLUMNS = ("name", "description", "example", "parent")


class ThemeError(ValueError):
    """A theme can't be saved as it is; ``field`` names the box to fix."""

    def __init__(self, message: str, field: str = "name"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Theme:
    """One theme of a survey's codebook."""

    id: str
    survey_id: str
    name: str
    description: str = ""
    example: str = ""
    parent: str = ""

    @classmethod
    def from_doc(cls, doc: dict) -> Theme:
        """A theme from its stored document."""
        return cls(**{k: doc.get(k, "") for k in ("id", "survey_id", "name", "description",
                                                  "example", "parent")})


def _clean(text: str) -> str:
    return " ".join(str(text or "").split())


class Codebook:
    """The themes of every survey, over ``store.documents(THEMES)``."""

    def __init__(self, documents):
        self.documents = documents

    def themes(self, survey_id: str) -> list[Theme]:
        """A survey's themes: each parent followed by its children, by name."""
        found = [Theme.from_doc(d) for d in self.documents.find(survey_id=survey_id)]
        tops = sorted((t for t in found if not t.parent), key=lambda t: t.name.casefold())
        ordered = []
        for top in tops:
            ordered.append(top)
            ordered += sorted((t for t in found if t.parent == top.id),
                              key=lambda t: t.name.casefold())
        return ordered + [t for t in found if t not in ordered]

    def get(self, survey_id: str, theme_id: str) -> Theme | None:
        """One theme of a survey, or None."""
        doc = self.documents.get(survey_id=survey_id, id=theme_id)
        return Theme.from_doc(doc) if doc else None

    def save(self, survey_id: str, name: str, description: str = "", example: str = "",
             parent: str = "", theme_id: str = "") -> Theme:
        """Add a theme, or change one (``theme_id``); ThemeError says what to fix."""
        theme = Theme(theme_id or secrets.token_hex(6), survey_id, _clean(name),
                      _clean(description), _clean(example), parent or "")
        self._check(theme)
        self.documents.put(asdict(theme), survey_id=survey_id, id=theme.id)
        return theme

    def remove(self, survey_id: str, theme_id: str) -> None:
        """Take a theme out; its children move up a level."""
        self.documents.remove(survey_id=survey_id, id=theme_id)
        self.documents.update({"parent": ""}, survey_id=survey_id, parent=theme_id)

    def _check(self, theme: Theme) -> None:
        if not theme.name:
            raise ThemeError(N_("Give the theme a name, like “Getting there”."))
        if len(theme.name) > NAME_MAX:
            raise ThemeError(N_("Make the name shorter: 80 letters at most."))
        for field in ("description", "example"):
            if len(getattr(theme, field)) > TEXT_MAX:
                raise ThemeError(N_("Make this shorter: 600 letters at most."), field)
        others = [t for t in self.themes(theme.survey_id) if t.id != theme.id]
        if any(t.name.casefold() == theme.name.casefold() for t in others):
            raise ThemeError(N_("There is a theme with this name already. Choose another name."))
        if theme.parent:
            parent = next((t for t in others if t.id == theme.parent), None)
            if parent is None or parent.parent:
                raise ThemeError(N_("Choose a main theme to put it under (themes go two levels "
                                    "deep)."), "parent")

    # -- a file the team can keep, share and bring back ---------------------------------------

    def as_csv(self, survey_id: str) -> str:
        """The codebook as CSV: name, description, example, parent (by name)."""
        themes = self.themes(survey_id)
        names = {t.id: t.name for t in themes}
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for t in themes:
            writer.writerow([_safe(t.name), _safe(t.description), _safe(t.example),
                             _safe(names.get(t.parent, ""))])
        return out.getvalue()

    def read_csv(self, survey_id: str, text: str, name: str = "codebook.csv") -> int:
        """Add the themes of a codebook file (same names are updated); returns how many.

        Checks the whole file first, so a mistake changes nothing; the message
        names the file and the line.
        """
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        if not rows or "name" not in rows[0]:
            raise ThemeError(f"{name}: the first line should name the columns: "
                             f"{', '.join(CSV_COLUMNS)}.", "file")
        wanted = {_clean(r.get("name")).casefold() for r in rows}
        for line, row in enumerate(rows, start=2):
            if not _clean(row.get("name")):
                raise ThemeError(f"{name}, line {line}: this theme has no name.", "file")
            parent = _clean(row.get("parent"))
            if parent and parent.casefold() not in wanted | self._names(survey_id):
                raise ThemeError(f"{name}, line {line}: there is no theme called “{parent}” "
                                 "to put it under.", "file")
        tops = [r for r in rows if not _clean(r.get("parent"))]
        for row in tops + [r for r in rows if r not in tops]:
            self._import(survey_id, row)
        return len(rows)

    def _names(self, survey_id: str) -> set[str]:
        return {t.name.casefold() for t in self.themes(survey_id)}

    def _import(self, survey_id: str, row: dict) -> None:
        by_name = {t.name.casefold(): t for t in self.themes(survey_id)}
        existing = by_name.get(_clean(row.get("name")).casefold())
        parent = by_name.get(_clean(row.get("parent")).casefold())
        self.save(survey_id, row.get("name", ""), row.get("description", ""),
                  row.get("example", ""), parent.id if parent else "",
                  existing.id if existing else "")


def _safe(cell: str) -> str:
    """Text a spreadsheet won't run as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
