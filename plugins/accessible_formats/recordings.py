"""The researchers' own recordings of questions and consent sections, kept in the instance folder.

A recording replaces the synthetic voice for that one item (no views here). Files are checked
by their first bytes (WAV, MP3 or Ogg), never by the name they came with, and
stored under a name made from the survey, the kind and the item's id.

With several servers on one database (a ``shared`` store) each recording is
kept in the store too (``store.mirror``): a server that hasn't got it yet
copies it into its folder when it is first asked for, and one deleted on
another server is no longer found here. The spoken audio made by espeak-ng
(:func:`cache_folder`) stays a cache of each server's own.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from weakref import WeakKeyDictionary

from flask import current_app, has_app_context

from consent_kit import current_kit

#: Where recordings and the spoken-audio cache live, inside the instance folder.
FOLDER = "accessible_formats"
#: Where recordings are kept in a shared store's media.
PREFIX = "recordings/"
#: Each app's recordings folder kept in line with its store (see Recordings).
_MIRRORS: WeakKeyDictionary = WeakKeyDictionary()
#: The app refuses any upload over 2 MB (MAX_CONTENT_LENGTH) before a view sees it.
MAX_BYTES = 2 * 1024 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,80}$")
SUFFIXES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg"}


class RecordingError(ValueError):
    """An upload that can't be used. ``reason`` is one of: unknown, empty, too_big, not_audio."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def sniff(data: bytes) -> str | None:
    """The file type of an audio file from its first bytes (".wav", ".mp3", ".ogg"), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return ".wav"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return ".mp3"
    if data[:4] == b"OggS":
        return ".ogg"
    return None


class Recordings:
    """Recordings of one app (kept under ``<instance>/accessible_formats/recordings``)."""

    def __init__(self, app):
        self.root = Path(app.instance_path) / FOLDER / "recordings"
        real = app._get_current_object() if hasattr(app, "_get_current_object") else app  # current_app
        self._mirror = _MIRRORS.get(real)
        if self._mirror is None:  # once per app: pages make a Recordings for every item they show
            self._mirror = _MIRRORS[real] = _store(real).mirror(PREFIX, self.root)

    @staticmethod
    def _stem(survey_id: str, kind: str, item_id: str) -> str:
        if kind not in ("question", "section") or not (_SAFE_ID.match(survey_id)
                                                       and _SAFE_ID.match(item_id)):
            raise RecordingError("unknown")
        return f"{kind}-{item_id}"

    def find(self, survey_id: str, kind: str, item_id: str) -> Path | None:
        """The recording for this item, or None."""
        try:
            stem = self._stem(survey_id, kind, item_id)
        except RecordingError:
            return None
        if self._mirror.shared:  # the store says which there is; this folder holds copies
            kept = self._mirror.names(f"{survey_id}/{stem}.")
            for suffix in SUFFIXES:
                name = f"{survey_id}/{stem}{suffix}"
                if name in kept:
                    return self._mirror.path(name, kept[name])
            return None
        for suffix in SUFFIXES:
            path = self.root / survey_id / (stem + suffix)
            if path.is_file():
                return path
        return None

    def save(self, survey_id: str, kind: str, item_id: str, data: bytes) -> Path:
        """Keep ``data`` as this item's recording, replacing any other."""
        stem = self._stem(survey_id, kind, item_id)
        if not data:
            raise RecordingError("empty")
        if len(data) > MAX_BYTES:
            raise RecordingError("too_big")
        suffix = sniff(data)
        if suffix is None:
            raise RecordingError("not_audio")
        if self._mirror.shared:
            self.delete(survey_id, kind, item_id)
            return self._mirror.write(f"{survey_id}/{stem}{suffix}", data, what="the recording")
        folder = self.root / survey_id
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        self.delete(survey_id, kind, item_id)
        target = folder / (stem + suffix)
        os.replace(temporary, target)
        return target

    def delete(self, survey_id: str, kind: str, item_id: str) -> bool:
        """Remove this item's recording; True if there was one."""
        if self._mirror.shared:
            stem = self._stem(survey_id, kind, item_id)
            return any([self._mirror.remove(f"{survey_id}/{stem}{suffix}") for suffix in SUFFIXES])
        found = self.find(survey_id, kind, item_id)
        if found is not None:
            found.unlink()
        return found is not None


def _store(app):
    """The app's store (no new app context when already in one)."""
    if has_app_context() and current_app._get_current_object() is app:
        return current_kit().store
    with app.app_context():
        return current_kit().store


def cache_folder(app) -> Path:
    """Where spoken audio made by espeak-ng is kept."""
    return Path(app.instance_path) / FOLDER / "spoken"
