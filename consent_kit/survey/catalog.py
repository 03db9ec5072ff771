"""The surveys of an instance: every file in its forms/ folder, loaded and checked.

A broken file never stops the others: it is kept with its problems, and its
link shows a plain "not available" page. Files are looked at again when they
change, so a researcher can fix a file without restarting the server.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from consent_kit.survey.model import Problem, Survey, SurveyError

log = logging.getLogger(__name__)


@dataclass
class Catalog:
    """Surveys by id, plus the files that could not be loaded and why.

    ``loaders`` maps a file suffix (``".yaml"``) to ``loader(path) -> Survey``.
    ``on_load`` is called with each survey the first time it is loaded, so
    the store can keep a copy of that exact version. ``sync``, when set, is
    called on each refresh before the folder is looked at: with several
    servers on one database it brings the folder in line with the surveys
    published in the store (see consent_kit/store/media.py); on one server it
    is None and costs nothing.
    """

    folder: Path
    loaders: dict[str, Callable[[Path], Survey]]
    on_load: Callable[[Survey], None] = lambda survey: None
    min_interval: float = 1.0
    sync: Callable[[], bool] | None = None
    surveys: dict[str, Survey] = field(default_factory=dict)
    broken: dict[str, list[Problem]] = field(default_factory=dict)
    _stamp: tuple = ()
    _checked_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, *, force: bool = False) -> None:
        """Reload when a file was added, changed or removed since the last look."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.min_interval:
            return
        with self._lock:
            self._checked_at = now
            if self.sync is not None:
                self._sync()
            stamp = self._current_stamp()
            if stamp != self._stamp or force:
                self._load_all(stamp)

    def _sync(self) -> None:
        try:
            self.sync()
        except Exception:  # the database is away: serve the copies this server has, try again later
            log.exception("Could not bring the survey files in line with the shared store")

    def get(self, survey_id: str) -> Survey | None:
        """The survey with this id, or None (missing or broken)."""
        self.refresh()
        return self.surveys.get(survey_id)

    def is_broken(self, survey_id: str) -> bool:
        """True when a file with this id exists but has errors."""
        return survey_id in self.broken

    def open_surveys(self) -> list[Survey]:
        """The surveys taking answers, sorted by title."""
        self.refresh()
        return sorted((s for s in self.surveys.values() if s.is_open), key=lambda s: s.title)

    def _files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.suffix in self.loaders and p.is_file())

    def _current_stamp(self) -> tuple:
        stamps = []
        for path in self._files():
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            stamps.append((path.name, info.st_mtime_ns, info.st_size))
        return tuple(stamps)

    def _load_all(self, stamp: tuple) -> None:
        surveys, broken = {}, {}
        for path in self._files():
            try:
                survey = self.loaders[path.suffix](path)
            except SurveyError as error:
                broken[path.stem] = error.problems
                log.warning("Survey file %s has problems:\n%s", path, error)
                continue
            if survey.id in surveys:
                where = surveys[survey.id].source
                broken[path.stem] = [Problem(str(path), 1, "", f"the survey id {survey.id!r} is "
                                     f"already used by {where}; give this survey another id")]
                continue
            surveys[survey.id] = survey
            self.on_load(survey)
        self.surveys, self.broken, self._stamp = surveys, broken, stamp


def instance_forms_folder(instance: str | os.PathLike) -> Path:
    """Where an instance keeps its own survey files."""
    return Path(instance) / "forms"
