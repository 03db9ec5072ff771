"""The "words matter" glossary: loading it, a project's changes to it, and finding its words.

No Flask here. The built-in glossary is ``glossary.yaml`` beside this file; a
project's own list (from the studio or a file) adds entries, rewords them
(same term) and removes them (``remove:``), and always wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from consent_kit import SurveyError, read_yaml

BUILT_IN = Path(__file__).with_name("glossary.yaml")
KINDS = ("suggest", "explain", "ask")


class GlossaryError(ValueError):
    """A glossary file or form has a mistake; the message says where and how to fix it."""


@dataclass(frozen=True)
class Source:
    """Where an entry comes from: a published glossary (with its address) or a project."""

    name: str
    url: str = ""


@dataclass(frozen=True)
class Entry:
    """One word or phrase to look out for, and what to do about it."""

    term: str
    kind: str
    reason: str
    suggestions: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    #: "built-in" or "project": where the entry in force came from.
    origin: str = "built-in"

    @property
    def key(self) -> str:
        """The term as compared: case and spacing don't matter."""
        return term_key(self.term)

    def to_dict(self) -> dict:
        """The entry as a file or the store keeps it."""
        return {"term": self.term, "kind": self.kind, "reason": self.reason,
                "suggestions": list(self.suggestions), "variants": list(self.variants),
                "source": "; ".join(s.name for s in self.sources)}


@dataclass(frozen=True)
class Match:
    """A glossary word found in a text: the entry, the words as written and where."""

    entry: Entry
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Glossary:
    """The entries in force (built-in changed by a project), in a stable order."""

    entries: tuple[Entry, ...]
    removed: tuple[str, ...] = field(default=())

    def get(self, term: str) -> Entry | None:
        """The entry for ``term`` (any case), or None."""
        key = term_key(term)
        return next((e for e in self.entries if e.key == key), None)


def term_key(term: str) -> str:
    """How terms are compared: lower case, single spaces, straight apostrophes."""
    return " ".join(term.replace("’", "'").casefold().split())


@lru_cache(maxsize=1)
def built_in() -> Glossary:
    """The glossary shipped with the plugin (read once)."""
    return parse(BUILT_IN.read_text(encoding="utf-8"), BUILT_IN.name)


def parse(text: str, name: str, *, origin: str = "built-in") -> Glossary:
    """Read a glossary file: ``sources`` (optional), ``entries`` and ``remove`` (optional)."""
    data = _read_yaml(text, name) or {}
    if not isinstance(data, dict):
        raise GlossaryError(f"{name}: start the file with 'entries:' and list the words under it.")
    sources = {str(k): Source(str(v.get("name", k)), str(v.get("url", "")))
               for k, v in (data.get("sources") or {}).items() if isinstance(v, dict)}
    entries = [entry_from_dict(item, name, i + 1, sources, origin)
               for i, item in enumerate(data.get("entries") or [])]
    removed = tuple(term_key(str(t)) for t in data.get("remove") or [])
    return Glossary(tuple(entries), removed)


def _read_yaml(text: str, name: str):
    """The data of a words file, read as strictly as a survey file is.

    The survey files' reader refuses ``*aliases`` (a 449-byte file of them once grew into
    72 MB of stored words), tags and nesting deeper than a file needs (which ran Python out
    of stack: a server error). Its messages name survey files; here they name this file.
    """
    try:
        return read_yaml(text, name)
    except SurveyError as error:
        first = error.problems[0]
        line = f", line {first.line}" if first.line else ""
        message = first.message.replace("Survey files", "Words files").replace("survey files",
                                                                               "words files")
        raise GlossaryError(f"{name}{line}: {message}") from None


def entry_from_dict(item, name: str, number: int, sources: dict[str, Source] | None = None,
                    origin: str = "project") -> Entry:
    """One entry from a file or a form; a mistake names the file and the entry's number."""
    where = f"{name}, entry {number}"
    if not isinstance(item, dict) or not str(item.get("term") or "").strip():
        raise GlossaryError(f"{where}: each entry needs 'term:' (the word to look out for).")
    kind = str(item.get("kind") or "suggest").strip()
    if kind not in KINDS:
        raise GlossaryError(f"{where} ('{item['term']}'): 'kind' must be suggest, explain or ask, "
                            f"not '{kind}'.")
    return Entry(
        term=" ".join(str(item["term"]).split()), kind=kind,
        reason=str(item.get("reason") or "").strip(),
        suggestions=_strings(item.get("suggestions")), variants=_strings(item.get("variants")),
        sources=_sources(item, sources or {}), origin=origin,
    )


def _strings(value) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else str(value).split(",")
    return tuple(s for s in (" ".join(str(v).split()) for v in items) if s)


def _sources(item: dict, known: dict[str, Source]) -> tuple[Source, ...]:
    names = item.get("sources") or []
    found = [known.get(str(n), Source(str(n))) for n in names]
    if item.get("source"):
        found.append(Source(str(item["source"]).strip()))
    return tuple(found)


def merged(base: Glossary, project: Glossary | None) -> Glossary:
    """``base`` changed by ``project``: its entries replace or add, its ``removed`` take away."""
    if project is None:
        return base
    theirs = {e.key: e for e in project.entries}
    gone = set(project.removed) - set(theirs)
    kept = [theirs.pop(e.key, e) for e in base.entries if e.key not in gone]
    return Glossary(tuple(kept) + tuple(theirs.values()), tuple(sorted(gone)))


def find(text: str, glossary: Glossary) -> list[Match]:
    """Every glossary word in ``text`` (whole words, any case, plurals), longest first at a place.

    A match inside a longer one ("care" in "children in care") is left out, so
    each place is reported once, with the most specific entry.
    """
    found = [Match(entry, m.group(0), m.start(), m.end())
             for entry in glossary.entries for m in _pattern(entry).finditer(text)]
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for match in found:
        if not any(k.start <= match.start and match.end <= k.end for k in kept):
            kept.append(match)
    return kept


def _pattern(entry: Entry) -> re.Pattern:
    return _compile((entry.term, *entry.variants))


@lru_cache(maxsize=1024)
def _compile(phrases: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted({_phrase(p) for p in phrases if p.strip()}, key=len, reverse=True)
    return re.compile(r"(?<![\w'’-])(?:" + "|".join(alternatives) + r")(?![\w-]|['’]\w{2})",
                      re.IGNORECASE)


def _phrase(phrase: str) -> str:
    """A regex for a phrase: any spacing or hyphen between words, a plural or 's on the last."""
    words = re.split(r"[\s-]+", phrase.strip())
    parts = [_word(w) for w in words[:-1]] + [_last_word(words[-1])]
    return r"[\s-]+".join(parts)


def _word(word: str) -> str:
    return re.escape(word).replace("'", "['’]").replace("’", "['’]")


def _last_word(word: str) -> str:
    """The last word with its plurals: LACs, placements, families, sanctions', boxes."""
    low = word.lower()
    if word.isupper():
        return _word(word) + r"(?:s|['’]s)?"
    if re.search(r"[^aeiou]y$", low):
        return _word(word[:-1]) + r"(?:y|ies)(?:['’]s?)?"
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return _word(word) + r"(?:es)?(?:['’]s?)?"
    return _word(word) + r"(?:s|['’]s|s['’])?"
