"""Where people came from: the sources of a survey (a place or a batch of posters).

A source has a short random code used in its link (``/j/<code>``), a name
researchers choose ("Youth club, Tuesdays"), and may set the language the
survey opens in. A source names a place, never a person, and its code holds
nothing about anyone: it is the same for everyone who scans the poster.

Pure logic over a store table: no Flask here.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

TABLE = "qr_sources"
#: Letters and digits that can't be mistaken for each other when typed from a poster.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 6
NAME_MAX = 60
_CODE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")


def N_(message: str) -> str:
    """Mark a message for translation; the page shows it through gettext."""
    return message


class SourceError(ValueError):
    """A researcher's mistake in a source's details, said plainly; ``field`` names the box."""

    def __init__(self, message: str, field: str = "name"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Source:
    """A place or batch of posters people come from, with its short link code."""

    code: str
    survey_id: str
    name: str
    language: str = ""
    created_at: str = ""
    closed: bool = False

    @classmethod
    def from_doc(cls, doc: dict) -> Source:
        """Build a Source from a stored row, ignoring keys it does not know."""
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in doc.items() if key in known})


def clean_code(text: str) -> str | None:
    """The code as stored (lower case, no spaces), or None when it can't be a code."""
    code = (text or "").strip().lower()
    return code if _CODE.match(code) else None


def clean_language(text: str) -> str:
    """A language code such as "cy" or "pt-BR", or "" for none; SourceError when it isn't one."""
    language = (text or "").strip().replace("_", "-")
    if language and not _LANGUAGE.match(language):
        raise SourceError(N_("Write the language as a short code, like cy for Welsh, or leave it empty."),
                          "language")
    return language


def new_code() -> str:
    """A random short code for a link (about 29 bits: hard to guess, easy to type)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


class Sources:
    """The sources of every survey, kept as the store's documents."""

    def __init__(self, documents):
        self.documents = documents

    def create(self, survey_id: str, name: str, language: str = "") -> Source:
        """Add a source to a survey; SourceError explains a missing, long or repeated name."""
        name = " ".join((name or "").split())
        if not name:
            raise SourceError(N_("Give the place a name, like “Library poster”."))
        if len(name) > NAME_MAX:
            raise SourceError(N_("Make the name shorter: 60 letters at most."))
        if any(s.name.casefold() == name.casefold() for s in self.for_survey(survey_id)):
            raise SourceError(N_("This survey already has a place with that name. Choose another name."))
        source = Source(code=self._unused_code(), survey_id=survey_id, name=name,
                        language=clean_language(language),
                        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        self.documents.insert(asdict(source))
        return source

    def _unused_code(self) -> str:
        while True:
            code = new_code()
            if self.get(code) is None:
                return code

    def get(self, code: str) -> Source | None:
        """The source with this code (any survey), or None."""
        cleaned = clean_code(code)
        doc = self.documents.get(code=cleaned) if cleaned else None
        return Source.from_doc(doc) if doc else None

    def find(self, survey_id: str, code: str) -> Source | None:
        """The source with this code if it belongs to ``survey_id``, else None."""
        source = self.get(code)
        return source if source is not None and source.survey_id == survey_id else None

    def by_name(self, survey_id: str, name: str) -> Source | None:
        """The survey's source with this name (any case), or None."""
        wanted = " ".join(name.split()).casefold()
        return next((s for s in self.for_survey(survey_id) if s.name.casefold() == wanted), None)

    def for_survey(self, survey_id: str) -> list[Source]:
        """A survey's sources, oldest first."""
        docs = self.documents.find(survey_id=survey_id)
        return sorted((Source.from_doc(d) for d in docs), key=lambda s: (s.created_at, s.name))

    def set_closed(self, source: Source, closed: bool) -> None:
        """Close a source's link (it then says it isn't working any more), or open it again."""
        self.documents.update({"closed": closed}, code=source.code)

    def names(self, survey_id: str) -> dict[str, str]:
        """Code → name for a survey's sources, to label responses."""
        return {s.code: s.name for s in self.for_survey(survey_id)}


POSTERS_TABLE = "qr_posters"
WORDS_MAX = 200


@dataclass(frozen=True)
class PosterWords:
    """What a survey's posters say besides its title: an invitation and who to contact."""

    invitation: str = ""
    contact: str = ""


class Posters:
    """The poster words of every survey, kept as the store's documents."""

    def __init__(self, documents):
        self.documents = documents

    def get(self, survey_id: str) -> PosterWords:
        """The survey's poster words ("" where the researchers wrote none yet)."""
        doc = self.documents.get(survey_id=survey_id) or {}
        return PosterWords(doc.get("invitation", ""), doc.get("contact", ""))

    def save(self, survey_id: str, invitation: str, contact: str) -> PosterWords:
        """Keep new poster words; SourceError when one is too long for a poster."""
        words = PosterWords(" ".join((invitation or "").split()), " ".join((contact or "").split()))
        for field in ("invitation", "contact"):
            if len(getattr(words, field)) > WORDS_MAX:
                raise SourceError(N_("Make this shorter: 200 letters at most, so it fits on a flyer."),
                                  field)
        self.documents.put({"survey_id": survey_id, **asdict(words)}, survey_id=survey_id)
        return words
