"""A project's own words: its changes to the glossary, kept in the store (no Flask).

One record per project in the ``plain_language_words`` table: the entries the
project added or reworded, and the built-in terms it took out. The same shape
is the file people can download, edit and send back (see docs/plain-language.md).
"""

from __future__ import annotations

import yaml
from flask_babel import gettext as _

from consent_kit import Store

from .glossary import KINDS, Entry, Glossary, entry_from_dict, parse, term_key

TABLE = "plain_language_words"


class ProjectWords:
    """Read and change the glossaries of projects."""

    def __init__(self, store: Store):
        self.documents = store.documents(TABLE)

    def glossary(self, project_id: str) -> Glossary | None:
        """The project's changes (None when it has made none)."""
        doc = self.documents.get(project=project_id)
        if not doc:
            return None
        entries = tuple(entry_from_dict(e, "project", n + 1)
                        for n, e in enumerate(doc.get("entries", [])))
        return Glossary(entries, tuple(doc.get("remove", [])))

    def save_entry(self, project_id: str, entry: Entry) -> None:
        """Add an entry, or reword one (same term, any case): the project's version wins."""
        entries, removed = self._read(project_id)
        entries = [e for e in entries if term_key(e["term"]) != entry.key] + [entry.to_dict()]
        self._write(project_id, entries, [r for r in removed if r != entry.key])

    def take_out(self, project_id: str, term: str) -> None:
        """Stop looking for ``term`` in this project's surveys."""
        entries, removed = self._read(project_id)
        key = term_key(term)
        entries = [e for e in entries if term_key(e["term"]) != key]
        self._write(project_id, entries, sorted({*removed, key}))

    def put_back(self, project_id: str, term: str) -> None:
        """Undo the project's change to ``term``: the built-in entry (if any) is used again."""
        entries, removed = self._read(project_id)
        key = term_key(term)
        self._write(project_id, [e for e in entries if term_key(e["term"]) != key],
                    [r for r in removed if r != key])

    def replace(self, project_id: str, glossary: Glossary) -> None:
        """Make the project's changes exactly those of ``glossary`` (read from a file)."""
        self._write(project_id, [e.to_dict() for e in glossary.entries], sorted(glossary.removed))

    def as_file(self, project_id: str, name: str) -> str:
        """The project's changes as a YAML file that :meth:`read_file` reads back."""
        entries, removed = self._read(project_id)
        header = (f"# The words of the project '{name}' (consent-kit plain_language).\n"
                  "# entries: words to add or reword. remove: built-in words to stop looking for.\n")
        body = yaml.safe_dump({"entries": entries, "remove": removed}, allow_unicode=True,
                              sort_keys=False, width=100)
        return header + body

    @staticmethod
    def read_file(data: bytes, name: str) -> Glossary:
        """A project's file (see :meth:`as_file`); raises GlossaryError with a plain message."""
        return parse(data.decode("utf-8", errors="replace"), name, origin="project")

    def _read(self, project_id: str) -> tuple[list[dict], list[str]]:
        doc = self.documents.get(project=project_id) or {}
        return list(doc.get("entries", [])), list(doc.get("remove", []))

    def _write(self, project_id: str, entries: list[dict], removed: list[str]) -> None:
        self.documents.put({"project": project_id, "entries": entries, "remove": removed},
                           project=project_id)


#: Longest answers the words form takes (a glossary entry is short by nature).
LIMITS = {"term": 80, "reason": 400, "source": 200, "suggestions": 600}


def entry_from_form(form) -> tuple[Entry | None, list[tuple[str, str, str]]]:
    """An entry from the words form, or the problems as (field, label, message) to show.

    Suggestions are one per line (or separated by commas). Nothing typed is
    lost: the page shows the form again with what was sent.
    """
    values = {name: str(form.get(name, "")).strip() for name in (*LIMITS, "kind")}
    labels = {"term": _("Word or phrase"), "reason": _("Why it matters"),
              "source": _("Where it comes from"), "suggestions": _("Better words")}
    errors = []
    if not values["term"]:
        errors.append(("term", labels["term"], _("Type the word or phrase to look out for.")))
    for name, most in LIMITS.items():
        if len(values[name]) > most:
            errors.append((name, labels[name], _("This is too long: use %(most)d characters or "
                                                 "fewer.", most=most)))
    if values["kind"] not in KINDS:
        errors.append(("kind", _("What to do"), _("Choose what to do when the word is used.")))
    if errors:
        return None, errors
    suggestions = [s.strip() for s in values["suggestions"].replace(",", "\n").splitlines()]
    return entry_from_dict({"term": values["term"], "kind": values["kind"],
                            "reason": values["reason"], "suggestions": [s for s in suggestions if s],
                            "source": values["source"] or _("Our project")}, "form", 1), []
