"""Uploaded files every app server can read: ``store.media()``, and a folder kept in line with it.

``store.media()`` gives a :class:`Media`: bytes by name (``put``, ``get``,
``delete``, ``list``), names and sizes checked here. Where the bytes go is
the backend's :meth:`Store.media_storage`; the default keeps each file as one
document in the ``media`` table, base64 in JSON: simple, and fine for the
small files it is for (Easy Read pictures, findings pictures, recordings,
published survey files; at most :data:`MAX_BYTES` each). PostgreSQL keeps
them in a ``bytea`` column (plugins/postgresql/media.py).

:class:`MediaMirror` is what the features use. On one server (the embedded
store) the folder *is* the place files are kept, exactly as before: nothing
goes into the store and nothing is slower. With a shared store
(``store.shared``: several servers, one database) the store is the source of
truth and the folder a copy: a write goes to the store first, then the
folder; a read makes sure the folder's copy is the store's (fetching it, or
answering None when the store has no such file: deleted on another server);
:meth:`MediaMirror.sync`
brings the whole folder in line (the survey catalog calls it on refresh).
Files nobody put through the mirror (placed by hand) are left alone.

No Flask here.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Protocol

from consent_kit.store.files import atomic_write

log = logging.getLogger(__name__)

#: The biggest file kept (the site takes nothing over 2 MB in one go; a little room on top).
MAX_BYTES = 4 * 1024 * 1024
#: The documents table of the default :class:`DocumentMedia`.
TABLE = "media"
#: Names are relative paths: parts between single ``/``, none of them ``.`` or ``..``, no
#: backslash or control character (a hand-placed "Our survey (v2).yaml" is fine).
_NAME = re.compile(r"^(?!.*(?:^|/)\.\.?(?:/|$))[^/\\\x00-\x1f]+(?:/[^/\\\x00-\x1f]+)*$")


def check_name(name: str) -> str:
    """``name`` if it is a safe relative name for a kept file, else ValueError."""
    if not isinstance(name, str) or len(name) > 400 or not _NAME.match(name):
        raise ValueError(f"invalid media name: {name!r}")
    return name


def digest(data: bytes) -> str:
    """The sha256 of ``data`` (hex): how servers tell whether their copy is the current one."""
    return hashlib.sha256(data).hexdigest()


class MediaStorage(Protocol):
    """Where a backend keeps the bytes (names already checked): what ``Store.media_storage()`` gives."""

    def put(self, name: str, data: bytes, sha256: str) -> None:
        """Keep ``data`` (whose sha256 is given) under ``name``, replacing what was there."""

    def get(self, name: str) -> bytes | None:
        """The bytes kept under ``name``, or None."""

    def delete(self, name: str) -> bool:
        """Forget ``name``; True if it was there."""

    def list(self, prefix: str) -> dict[str, str]:
        """``{name: sha256}`` of every file whose name starts with ``prefix`` (no bytes read)."""


class Media:
    """Bytes by name, shared by every server of a store: ``store.media()``.

    Checks names and sizes and works out each file's sha256, then hands the
    bytes to the backend's :class:`MediaStorage`.
    """

    def __init__(self, storage: MediaStorage):
        self._storage = storage

    def put(self, name: str, data: bytes) -> str:
        """Keep ``data`` under ``name`` (replacing what was there); return its sha256."""
        check_name(name)
        if len(data) > MAX_BYTES:
            raise ValueError(f"{name}: {len(data)} bytes is more than a kept file may have")
        sha = digest(data)
        self._storage.put(name, bytes(data), sha)
        return sha

    def get(self, name: str) -> bytes | None:
        """The bytes kept under ``name``, or None."""
        return self._storage.get(check_name(name))

    def delete(self, name: str) -> bool:
        """Forget ``name``; True if it was there."""
        return self._storage.delete(check_name(name))

    def list(self, prefix: str = "") -> dict[str, str]:
        """``{name: sha256}`` of every file whose name starts with ``prefix`` (no bytes read)."""
        return self._storage.list(prefix)


class DocumentStorage:
    """:class:`MediaStorage` over a documents table: one document per file, base64 in JSON."""

    def __init__(self, documents):
        self._docs = documents

    def put(self, name: str, data: bytes, sha256: str) -> None:
        """Keep ``data`` under ``name``."""
        self._docs.put({"name": name, "sha256": sha256, "data": base64.b64encode(data).decode("ascii")},
                       name=name)

    def get(self, name: str) -> bytes | None:
        """The bytes kept under ``name``, or None."""
        found = self._docs.get(name=name)
        return None if found is None else base64.b64decode(found["data"])

    def delete(self, name: str) -> bool:
        """Forget ``name``; True if it was there."""
        return self._docs.remove(name=name) > 0

    def list(self, prefix: str) -> dict[str, str]:
        """``{name: sha256}`` of the files whose names start with ``prefix``."""
        return {d["name"]: d["sha256"] for d in self._docs.find(where=lambda d: d["name"].startswith(prefix))}


class MediaMirror:
    """A folder of files under one name prefix, kept in line with a shared store's media.

    ``relative`` names are paths inside ``folder`` (``pictures/quick/q1-ab12cd34.png``);
    in the store they are ``prefix + relative``.
    """

    def __init__(self, store, prefix: str, folder: str | os.PathLike):
        self.store, self.prefix, self.folder = store, prefix, Path(folder)
        self.shared = bool(getattr(store, "shared", False))
        #: What this process knows of its copies: relative -> (mtime_ns, size, sha256), so a check
        #: doesn't read every file again.
        self._known: dict[str, tuple[int, int, str]] = {}

    def _path(self, relative: str) -> Path:
        return self.folder / check_name(relative)

    def write(self, relative: str, data: bytes, *, what: str = "the file") -> Path:
        """Keep ``data`` as ``relative``: in the store first (when shared), then in the folder."""
        path = self._path(relative)
        if self.shared:
            self.store.media().put(self.prefix + relative, data)
        self._write_local(relative, path, data, what)
        return path

    def remove(self, relative: str) -> bool:
        """Delete ``relative`` from the store (when shared) and the folder; True if it was anywhere."""
        path = self._path(relative)
        gone = self.store.media().delete(self.prefix + relative) if self.shared else False
        try:
            path.unlink()
            gone = True
        except FileNotFoundError:
            pass
        self._known.pop(relative, None)
        return gone

    def names(self, start: str = "") -> dict[str, str]:
        """``{relative: sha256}`` of the store's files whose relative names start with ``start``."""
        if not self.shared:
            return {}
        cut = len(self.prefix)
        return {name[cut:]: sha for name, sha in self.store.media().list(self.prefix + start).items()}

    def path(self, relative: str, sha: str | None = None) -> Path | None:
        """The folder's copy of ``relative`` when it exists (in the store, when shared), or None.

        With a shared store the copy is brought in line first: fetched when missing or
        different, removed when the store no longer has it (deleted on another server).
        ``sha`` is the store's sha256 when the caller has just listed it.
        """
        path = self._path(relative)
        if not self.shared:
            return path if path.is_file() else None
        if sha is None:
            sha = self.names(relative).get(relative)
        if sha is None:  # deleted on another server (or never shared): the folder's copy is not
            return None  # served, but left alone: it may be a file from before the store was shared
        return path if self._bring(relative, path, sha) is not None else None

    def sync(self) -> bool:
        """Bring the folder in line with every file of the store under the prefix; True if any changed."""
        if not self.shared:
            return False
        changed = False
        for relative, sha in self.names().items():
            try:
                path = self._path(relative)
            except ValueError:
                continue
            changed |= self._bring(relative, path, sha) == "written"
        return changed

    def _bring(self, relative: str, path: Path, sha: str) -> str | None:
        """Make the folder's copy the store's ``sha``: "same", "written" or None (gone meanwhile)."""
        if self._local_sha(relative, path) == sha:
            return "same"
        data = self.store.media().get(self.prefix + relative)
        if data is None:
            return None
        self._write_local(relative, path, data, "a copy of a shared file")
        return "written"

    def _local_sha(self, relative: str, path: Path) -> str | None:
        try:
            info = path.stat()
        except FileNotFoundError:
            return None
        known = self._known.get(relative)
        if known and known[:2] == (info.st_mtime_ns, info.st_size):
            return known[2]
        sha = digest(path.read_bytes())
        self._known[relative] = (info.st_mtime_ns, info.st_size, sha)
        return sha

    def _write_local(self, relative: str, path: Path, data: bytes, what: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data, what=what)
        info = path.stat()
        self._known[relative] = (info.st_mtime_ns, info.st_size, digest(data))
