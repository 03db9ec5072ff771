"""Which glossary applies to a survey: built-in, then the survey's words file, then its project's.

The words file is named in the survey file (``plain_language: words:
our-words.yaml``, beside the survey file), so ``consent-kit check`` uses it
too. The project's words (changed in the studio) apply when running inside the
app. A words file with a mistake never stops advice: the built-in words are
used and the mistake is reported once as advice.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from flask import has_app_context

from consent_kit import Survey, current_kit

from .glossary import Glossary, GlossaryError, built_in, merged, parse
from .projects import ProjectWords

log = logging.getLogger(__name__)


def words_file(survey: Survey) -> Path | None:
    """The survey's own words file, if it names one (a path beside the survey file)."""
    settings = survey.extra.get("plain_language")
    name = settings.get("words") if isinstance(settings, dict) else None
    if not name or not survey.source:
        return None
    return Path(survey.source).parent / str(name)


def file_glossary(survey: Survey) -> tuple[Glossary | None, str]:
    """The survey's words file read, and "" or the plain reason it couldn't be read."""
    path = words_file(survey)
    if path is None:
        return None, ""
    try:
        return _read(str(path), os.stat(path).st_mtime_ns), ""
    except OSError:
        return None, f"The words file {path.name} isn't there. Check its name after 'words:'."
    except GlossaryError as error:
        return None, str(error)


@lru_cache(maxsize=64)
def _read(path: str, _changed: int) -> Glossary:
    """A words file, read again only when it changes (``_changed`` is its modification time)."""
    return parse(Path(path).read_text(encoding="utf-8"), Path(path).name, origin="project")


def project_of(survey_id: str) -> str | None:
    """The project a survey belongs to, inside the app (None outside it or when in none)."""
    return (current_kit().project_of(survey_id) or None) if has_app_context() else None


def project_glossary(project_id: str) -> Glossary | None:
    """A project's own words from the app's store (None outside the app)."""
    if not has_app_context() or not project_id:
        return None
    return ProjectWords(current_kit().store).glossary(project_id)


def glossary_for(survey: Survey) -> Glossary:
    """The glossary in force for ``survey``, kept for the rest of a request (many texts ask)."""
    cache = current_kit().request_state("plain_language") if has_app_context() else {}
    key = (survey.id, survey.version)
    if key not in cache:
        glossary = merged(built_in(), file_glossary(survey)[0])
        project = project_of(survey.id)
        cache[key] = merged(glossary, project_glossary(project) if project else None)
    return cache[key]
