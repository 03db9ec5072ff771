"""Versions in words for the studio's pages: "Version 3, published 2 December 2026 by sam".

The numbers come from :mod:`consent_kit.results.versions` (every version the
catalog has loaded, oldest first); who published and who checked a version
come from the builder's records. Codes (hashes) are only for a "Technical
details" disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from consent_kit.results.versions import numbers_by_words, version_numbers, words_version
from consent_kit.web.helpers import kit


@dataclass
class VersionInfo:
    """One version of a survey as the studio shows it."""

    number: int | None
    code: str
    published_by: str = ""
    published_at: str = ""
    checked_by: str = ""
    checked_at: str = ""


def _rows(survey_id: str) -> list[dict]:
    return [r for r in kit().store.documents("survey_versions").find()
            if r.get("survey_id") == survey_id]


def numbers_of(survey_id: str) -> dict[str, int]:
    """Version code (as responses carry it) -> number."""
    return version_numbers(_rows(survey_id), survey_id)


def history(survey_id: str) -> list[VersionInfo]:
    """Every version published from the builder, newest first, with who checked it."""
    workspace = current_app.extensions["consent_kit_builder"]
    by_words = numbers_by_words(_rows(survey_id), survey_id)
    approvals = workspace.approvals(survey_id)
    found = []
    for record in workspace.versions(survey_id):
        words = words_version(record.get("definition") or {})
        approval = next((a for a in approvals if a["version"] == record["version"]), None)
        found.append(VersionInfo(by_words.get(words), record["version"],
                                 record.get("published_by", ""), record.get("published_at", ""),
                                 (approval or {}).get("approved_by", ""),
                                 (approval or {}).get("approved_at", "")))
    return found


def live_version(survey_id: str, survey) -> VersionInfo | None:
    """The version people see now: its number, and who published and checked it (if known)."""
    if survey is None:
        return None
    words = words_version(survey.definition)
    number = numbers_by_words(_rows(survey_id), survey_id).get(words)
    known = next((v for v in history(survey_id)
                  if v.code == words), None)
    return known or VersionInfo(number, words)


def next_number(survey_id: str) -> int:
    """The number the draft gets when it is published."""
    return len(numbers_by_words(_rows(survey_id), survey_id)) + 1


def number_of_words(survey_id: str, words: str) -> int | None:
    """The number of the version whose words code (content version) is ``words``."""
    return numbers_by_words(_rows(survey_id), survey_id).get(words)
