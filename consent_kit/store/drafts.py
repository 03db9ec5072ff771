"""In-progress answers: one small JSON file per draft, replaced atomically.

A draft file is ``{"expires_at": <epoch seconds>, "data": {...}}``, or, sealed
with the participant's key (see :mod:`consent_kit.store.sealing`),
``{"expires_at": ..., "key": <key name>, "sealed": "ck1:..."}``. Drafts are
written often and read by id only, so one file each keeps every write small
and independent of how many other people are half-way through.

The draft id comes from a cookie or a form field, so it is checked before it
goes anywhere near a path: an id that does not look like one of ours is
treated as missing.

Anyone on the internet can start a survey, so the folder has a ceiling: at
most ``max_drafts`` files and ``max_bytes`` bytes. Only a *new* draft is
refused when the folder is full (after expired ones are cleared out); someone
already part-way through can always keep saving.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from consent_kit.store.base import StoreError
from consent_kit.store.files import atomic_write, ensure_dir, read_whole, remove_quietly
from consent_kit.store.sealing import SHARED_DRAFTS_KEY

if TYPE_CHECKING:
    from consent_kit.store.sealing import Sealer

log = logging.getLogger(__name__)

_DRAFT_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: A temporary file older than this belongs to a crashed write, not a running one.
STALE_TEMP_SECONDS = 3600
#: Ceilings for the drafts folder (a few KB each, so about 200 MB at most).
MAX_DRAFTS = 20_000
MAX_DRAFT_BYTES = 200 * 1024 * 1024
#: How long a count of the folder is trusted before it is made again. Other
#: worker processes add drafts too, so each process looks afresh now and then.
RECOUNT_SECONDS = 60.0

_FULL = (
    "We can't save your progress just now because a lot of people are using this survey. "
    "Please try again later. If it keeps happening, please tell the researchers."
)


class DraftsFull(StoreError):
    """The drafts folder is at its ceiling, so a new draft can't be started."""

    def __init__(self, message: str = _FULL):
        super().__init__(message, reason="full")


def valid_draft_id(draft_id: object) -> bool:
    """Whether ``draft_id`` is a URL-safe token of 16–64 characters."""
    return isinstance(draft_id, str) and _DRAFT_ID.fullmatch(draft_id) is not None


class Drafts:
    """The ``drafts/`` folder of a data directory."""

    def __init__(self, folder: Path, *, max_drafts: int = MAX_DRAFTS,
                 max_bytes: int = MAX_DRAFT_BYTES, sealer: Sealer | None = None):
        self.folder = ensure_dir(Path(folder))
        self.sealer = sealer  # None: plain drafts (tests of the folder's rules)
        self.max_drafts, self.max_bytes = max_drafts, max_bytes
        self._lock = threading.Lock()
        self._count = self._bytes = 0
        self._counted_at = float("-inf")

    def save(self, draft_id: str, data: dict, *, expires_at: float) -> None:
        """Store ``data`` under ``draft_id``; raises ValueError for an invalid id.

        Raises :class:`DraftsFull` when ``draft_id`` is new and the folder is
        at its ceiling, and :class:`StoreError` when the disk fails or is full.
        """
        if not valid_draft_id(draft_id):
            raise ValueError("invalid draft id")
        if not isinstance(data, dict):
            raise TypeError("draft data must be a dict")
        body = {"expires_at": float(expires_at), "data": data}
        if self.sealer is not None:
            body = self.sealer.seal_draft(draft_id, body)
        encoded = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
        path = self._path(draft_id)
        new = not path.exists()
        if new:
            self._make_room(len(encoded))
        atomic_write(path, encoded, what="your progress")
        if new:
            with self._lock:
                self._count += 1
                self._bytes += len(encoded)

    def usage(self, *, recount: bool = False) -> tuple[int, int]:
        """``(drafts, bytes)`` in the folder, counted at most every RECOUNT_SECONDS."""
        now = time.monotonic()
        with self._lock:
            if recount or now - self._counted_at >= RECOUNT_SECONDS:
                self._count, self._bytes = _measure(self.folder)
                self._counted_at = now
            return self._count, self._bytes

    def _make_room(self, size: int) -> None:
        """Refuse a new draft of ``size`` bytes when the folder is full, after clearing expired ones."""
        count, used = self.usage()
        if count < self.max_drafts and used + size <= self.max_bytes:
            return
        self.purge_expired()
        count, used = self.usage(recount=True)
        if count >= self.max_drafts or used + size > self.max_bytes:
            log.warning("The drafts folder is full (%d drafts, %d bytes): a new draft was refused",
                        count, used)
            raise DraftsFull()

    def load(self, draft_id: str, *, now: float | None = None) -> dict | None:
        """Return the draft's data, or ``None`` if invalid, missing or expired.

        An expired draft is deleted on the way: it holds answers nobody may use.
        """
        if not valid_draft_id(draft_id):
            return None
        path = self._path(draft_id)
        body = _read(path)
        if body is None:
            return None
        if _expired(body, time.time() if now is None else now):
            remove_quietly(path)
            return None
        opened = self._open(draft_id, body)
        return None if opened is None else opened["data"]

    def _open(self, draft_id: str, body: dict) -> dict | None:
        """The body with its data unsealed; ``None`` when its key was destroyed."""
        if self.sealer is None or "sealed" not in body:
            return body
        return self.sealer.open_draft(draft_id, body)

    def delete(self, draft_id: str) -> None:
        """Delete a draft; an invalid or unknown id is silently ignored."""
        if valid_draft_id(draft_id) and remove_quietly(self._path(draft_id)):
            self._forget(1)

    def purge_expired(self, now: float | None = None) -> int:
        """Delete expired drafts and leftovers of crashed writes; return drafts deleted."""
        return self.sweep(now)[0]

    def sweep(self, now: float | None = None) -> tuple[int, set[str]]:
        """:meth:`purge_expired` and :meth:`key_names` of the drafts left, reading each file once.

        The sweep runs inside a request every few minutes; with 15,000 drafts in the
        folder, reading them all twice took that request about a second of CPU.
        """
        now = time.time() if now is None else now
        purged, names = 0, set()
        for path in self.folder.iterdir():
            if path.suffix == ".tmp":
                _remove_stale_temp(path, now)
            elif path.suffix == ".json":
                body = _read(path)
                if body is None:
                    continue
                if _expired(body, now):
                    purged += remove_quietly(path)
                elif name := _key_name(body):
                    names.add(name)
        self._forget(purged)
        return purged, names

    def _forget(self, deleted: int) -> None:
        """Count drafts deleted (their bytes are found at the next recount)."""
        with self._lock:
            self._count = max(0, self._count - deleted)

    def delete_mentioning(self, words: Iterable[str], *, owners: Iterable[str] | None = None) -> int:
        """Delete drafts whose file or data contains any of ``words``; return how many.

        Used by erasure with the erased submission ids: a draft that carries one
        (under whatever key the web layer chose) holds that participant's answers.
        A sealed draft is matched on its key name (the pseudonym) and on its
        opened data; one whose key is gone can't be read by anyone and is left
        to expire. ``owners`` (key names, e.g. the pseudonyms of the erased
        answers) limits which sealed drafts are opened: every other draft
        belongs to someone else, so an erasure under a lock stays quick.
        """
        needles = [w.encode("utf-8") for w in words if w]
        opened_for = None if owners is None else {*owners, SHARED_DRAFTS_KEY}
        deleted = 0
        for path in self.folder.glob("*.json"):
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            mentioned = any(n in raw for n in needles) or self._mentions(path, needles, opened_for)
            if mentioned and remove_quietly(path):
                deleted += 1
        return deleted

    def _mentions(self, path: Path, needles: list[bytes], owners: set[str] | None) -> bool:
        """Whether a sealed draft's opened data contains any of ``needles``."""
        body = _read(path) if self.sealer is not None else None
        if body is None or "sealed" not in body:
            return False
        if owners is not None and body.get("key") not in owners:
            return False
        try:
            opened = self._open(path.stem, body)
        except StoreError:
            return False  # unreadable with the current keys: it can't be anyone's answers now
        if opened is None:
            return False
        text = json.dumps(opened["data"], ensure_ascii=False).encode("utf-8")
        return any(n in text for n in needles)

    def key_names(self) -> set[str]:
        """The key names of every draft in the folder (a plain draft: its data's pseudonym)."""
        names = set()
        for path in self.folder.glob("*.json"):
            body = _read(path)
            if body is not None and (name := _key_name(body)):
                names.add(name)
        return names

    def _path(self, draft_id: str) -> Path:
        return self.folder / f"{draft_id}.json"


def _read(path: Path) -> dict | None:
    """Read a draft file; ``None`` if it is missing or not a draft."""
    try:
        body = json.loads(read_whole(path))
    except FileNotFoundError:
        return None
    except ValueError:
        # Atomic writes make this unlikely; a damaged draft is not worth a crash.
        log.warning("Ignoring a damaged draft file %s", path.name)
        return None
    if not isinstance(body, dict):
        return None
    if not isinstance(body.get("data"), dict) and not isinstance(body.get("sealed"), str):
        return None
    return body


def _key_name(body: dict) -> str | None:
    """The key a draft is sealed with (a plain draft: its data's pseudonym), if any."""
    name = body.get("key") if "sealed" in body else body["data"].get("pseudonym")
    return name if isinstance(name, str) and name else None


def _measure(folder: Path) -> tuple[int, int]:
    """How many draft files ``folder`` holds and their total size."""
    count = size = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".json"):
                try:
                    size += entry.stat().st_size
                except FileNotFoundError:
                    continue
                count += 1
    return count, size


def _expired(body: dict, now: float) -> bool:
    expires_at = body.get("expires_at")
    return not isinstance(expires_at, int | float) or expires_at <= now


def _remove_stale_temp(path: Path, now: float) -> None:
    try:
        age = now - path.stat().st_mtime
    except FileNotFoundError:
        return
    if age > STALE_TEMP_SECONDS:
        remove_quietly(path)
