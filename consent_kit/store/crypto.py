"""Crypto-shredding: each participant's data is sealed with their own key, erased with it.

What is sealed with a person's *data key* (AES-256-GCM, 256 random bits) can
only be read while that key exists. Taking answers back destroys the key, so
every copy of the sealed data left behind (an old backup, a WAL archive, a
replica) turns into noise at that moment, without anyone having to find it.

Data keys are kept in their own place (a file, a table), each *wrapped*
(sealed) with the *instance key*, so the place where keys are kept is useless
without the instance key, which can be kept apart from backups (see
:func:`instance_key`).

Backend-neutral. A backend provides a :class:`KeyStorage` (three methods over
its own file or table) and uses:

* :class:`ParticipantKeys` – ``get_or_create(name)``, ``get(name)``,
  ``destroy(name)`` (and ``destroy_all``) of data keys;
* :func:`seal` / :func:`unseal` – a JSON value to a text token and back, bound
  to *associated data* (for example the response id), so a token copied onto
  another record is refused.

Every failure to read is a :class:`~consent_kit.store.base.StoreError` whose
message can be shown as it is; nothing here logs a key or a plaintext.

The API (names, arguments, token and wrapped-key formats) is stable: stored
data depends on it. A new format gets a new prefix; old prefixes keep opening.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from consent_kit.store.base import StoreError
from consent_kit.store.files import FILE_MODE, fsync_dir, remove_quietly, write_all
from consent_kit.store.journal import _loads

#: Bytes in a data key and in the instance key (AES-256).
KEY_BYTES = 32
#: Bytes of the random nonce in front of every ciphertext (the size GCM is made for).
NONCE_BYTES = 12
#: What every sealed token starts with: format version 1 (nonce + AES-256-GCM ciphertext).
TOKEN_PREFIX = "ck1:"
#: Name of the default instance key file, inside the data folder.
INSTANCE_KEY_FILE = "store.key"
#: Environment variables that give the instance key (base64) or the path of its file.
ENV_KEY, ENV_KEY_FILE = "CONSENT_KIT_STORE_KEY", "CONSENT_KIT_STORE_KEY_FILE"
#: The name of the key that proves the instance key is the one the stored keys were wrapped with.
CHECK_NAME = "~instance-key-check"

_UNREADABLE = (
    "We couldn't read some saved answers because the key that unlocks them is wrong or "
    "damaged. Nothing has been deleted. Please tell the researchers."
)
_WRONG_INSTANCE_KEY = (
    "The key that unlocks saved answers is not the one they were locked with, so nothing can be "
    "read or saved. Please tell the researchers."
)
_BAD_INSTANCE_KEY = (
    "The key that unlocks saved answers is set but is not a valid key, so nothing can be read "
    "or saved. Please tell the researchers."
)


class UnreadableData(StoreError):
    """A sealed value could not be opened: a wrong key, a damaged or moved token."""

    def __init__(self, message: str = _UNREADABLE):
        super().__init__(message, reason="unreadable")


class KeyStorage(Protocol):
    """Where a backend keeps wrapped data keys, by name. Each call is atomic on its own.

    Names are strings of at most 200 characters. Wrapped keys are opaque bytes
    (under 100); a backend stores them exactly.
    """

    def load(self, name: str) -> bytes | None:
        """The wrapped key kept under ``name``, or ``None``."""

    def add(self, name: str, wrapped: bytes) -> bytes:
        """Keep ``wrapped`` under ``name`` unless a key is kept there already; return the kept one.

        Durable before it returns (data sealed with the key may be
        acknowledged right after). Two processes adding at once: one wins and
        both get the winner's key.
        """

    def delete(self, names: Iterable[str]) -> int:
        """Remove the keys of ``names`` from the current storage durably; return how many went.

        After it returns, no current file or row holds them (a file is
        rewritten, not marked).
        """

    # Optional: ``load_many(names) -> dict[str, bytes]`` (the names that have a key), one
    # round trip for many keys. ParticipantKeys.get_many uses it when the storage has it.


# -- sealing values ----------------------------------------------------------------------


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return secrets.token_bytes(KEY_BYTES)


def seal(key: bytes, value: Any, *, aad: str) -> str:
    """Seal a JSON-ready ``value`` with ``key``; return a text token (``ck1:`` + base64).

    ``aad`` (associated data, e.g. ``"response:<id>"``) is not stored in the
    token but must be given again to open it: a token moved to another record
    does not open there.
    """
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return TOKEN_PREFIX + _b64(encrypt_bytes(key, plain.encode("utf-8"), aad=aad.encode("utf-8")))


def unseal(key: bytes, token: str, *, aad: str) -> Any:
    """Open a token made by :func:`seal` with the same key and ``aad``; raise UnreadableData otherwise."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        raise UnreadableData()
    try:
        blob = base64.urlsafe_b64decode(token[len(TOKEN_PREFIX):])
    except (binascii.Error, ValueError):
        raise UnreadableData() from None
    plain = decrypt_bytes(key, blob, aad=aad.encode("utf-8"))
    try:
        return _loads(plain)  # orjson where it reads the same as json (exports unseal every answer)
    except ValueError:
        raise UnreadableData() from None


def is_sealed(value: Any) -> bool:
    """Whether ``value`` looks like a token made by :func:`seal`."""
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


def encrypt_bytes(key: bytes, data: bytes, *, aad: bytes) -> bytes:
    """Nonce + AES-256-GCM ciphertext (with its tag) of ``data``."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, aad)


def decrypt_bytes(key: bytes, blob: bytes, *, aad: bytes) -> bytes:
    """Open :func:`encrypt_bytes` output; raise UnreadableData when the key, aad or bytes are wrong."""
    if len(blob) < NONCE_BYTES + 16:
        raise UnreadableData()
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError):
        raise UnreadableData() from None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


# -- data keys ---------------------------------------------------------------------------------


def _wrap_aad(name: str) -> bytes:
    # The name is bound to the wrapped key: a key line moved to another name won't open.
    return b"consent-kit data key\0" + name.encode("utf-8")


class ParticipantKeys:
    """Each participant's data key, kept wrapped in a :class:`KeyStorage`.

    ``name`` is whose key it is: the embedded store uses the participant's
    pseudonym (and ``"response:<id>"`` for answers sent without one). A small
    cache of unwrapped keys saves unwrapping on every read; an entry is used
    only while the storage still holds the same wrapped key, so a key
    destroyed by another process is never used again.
    """

    CACHE_SIZE = 4096

    def __init__(self, storage: KeyStorage, instance_key: bytes):
        if not isinstance(instance_key, bytes) or len(instance_key) != KEY_BYTES:
            raise StoreError(_BAD_INSTANCE_KEY, reason="bad_key")
        self.storage = storage
        self._instance_key = instance_key
        self._cache: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def derive(self, purpose: str) -> bytes:
        """A key for ``purpose`` made from the instance key (HKDF-SHA256), never stored.

        Every server given the same instance key derives the same key, so a secret the
        servers must share (the session signing key) needs no copy in the database or
        its backups; a different ``purpose`` gives an unrelated key.
        """
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                    info=f"consent-kit {purpose}".encode()).derive(self._instance_key)

    def get_or_create(self, name: str) -> bytes:
        """The data key of ``name``, made (random) and kept durably the first time."""
        _check_name(name)
        wrapped = self.storage.load(name)
        if wrapped is None:
            key = new_key()
            wrapped = self.storage.add(name, encrypt_bytes(self._instance_key, key, aad=_wrap_aad(name)))
        return self._unwrap(name, wrapped)

    def get(self, name: str) -> bytes | None:
        """The data key of ``name``, or ``None`` if it was never made or was destroyed."""
        _check_name(name)
        wrapped = self.storage.load(name)
        return None if wrapped is None else self._unwrap(name, wrapped)

    def get_many(self, names: Iterable[str]) -> dict[str, bytes]:
        """The data keys of those ``names`` that have one, in one call (for exports)."""
        wanted = list(dict.fromkeys(names))
        for name in wanted:
            _check_name(name)
        load_many = getattr(self.storage, "load_many", None)
        if load_many is not None:
            found = load_many(wanted)
        else:
            found = {name: w for name in wanted if (w := self.storage.load(name)) is not None}
        return {name: self._unwrap(name, wrapped) for name, wrapped in found.items()}

    def destroy(self, name: str) -> bool:
        """Destroy the data key of ``name``: what it sealed can never be read again."""
        return self.destroy_all([name]) > 0

    def destroy_all(self, names: Iterable[str]) -> int:
        """Destroy the data keys of ``names`` in one step; return how many existed."""
        names = [n for n in names if isinstance(n, str) and n]
        with self._lock:
            for name in names:
                self._cache.pop(name, None)
        return self.storage.delete(names) if names else 0

    def check(self) -> None:
        """Raise StoreError if the instance key is not the one the stored keys were wrapped with.

        Call when the store opens: the first start keeps a check key, and a
        changed or mistyped instance key is then reported at once, instead of
        as unreadable answers later.
        """
        try:
            self.get_or_create(CHECK_NAME)
        except UnreadableData:
            raise StoreError(_WRONG_INSTANCE_KEY, reason="bad_key") from None

    def _unwrap(self, name: str, wrapped: bytes) -> bytes:
        with self._lock:
            hit = self._cache.get(name)
            if hit is not None and hit[0] == wrapped:
                self._cache.move_to_end(name)
                return hit[1]
        key = decrypt_bytes(self._instance_key, wrapped, aad=_wrap_aad(name))
        with self._lock:
            self._cache[name] = (wrapped, key)
            if len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        return key


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not 0 < len(name) <= 200:
        raise ValueError("a key name must be a non-empty string of at most 200 characters")


# -- the instance key --------------------------------------------------------------------------


def new_key_text() -> str:
    """A new instance key as text, for ``CONSENT_KIT_STORE_KEY`` or a key file."""
    return base64.b64encode(new_key()).decode("ascii")


def parse_key_text(text: str) -> bytes:
    """The 32 bytes of a key written as base64 (standard or URL-safe); StoreError otherwise."""
    cleaned = "".join(str(text).split())
    try:
        key = base64.b64decode(cleaned.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise StoreError(_BAD_INSTANCE_KEY, reason="bad_key") from None
    if len(key) != KEY_BYTES:
        raise StoreError(_BAD_INSTANCE_KEY, reason="bad_key")
    return key


def instance_key(data_dir: str | Path, *, key: str | None = None,
                 key_file: str | Path | None = None) -> bytes:
    """The instance key: given, from the environment, or from a key file (made on first use).

    In order: ``key`` (base64 text, e.g. config ``STORE_KEY``), the variable
    ``CONSENT_KIT_STORE_KEY``, the file at ``key_file`` or
    ``CONSENT_KIT_STORE_KEY_FILE``, else ``<data_dir>/store.key``. A key file
    that does not exist yet is created with a new random key, readable by its
    owner only. Several servers sharing one database must be given the same key.
    """
    text = key or os.environ.get(ENV_KEY)
    if text:
        return parse_key_text(text)
    path = Path(key_file or os.environ.get(ENV_KEY_FILE) or Path(data_dir) / INSTANCE_KEY_FILE)
    return read_or_create_key_file(path)


def read_or_create_key_file(path: Path) -> bytes:
    """Read the key in ``path``, or create the file with a new key if it is missing.

    Created complete or not at all (a temporary file linked into place), so
    two processes starting at once end up with the same key.
    """
    try:
        return parse_key_text(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(_BAD_INSTANCE_KEY, reason="bad_key") from exc
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            write_all(fd, (new_key_text() + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # fails if another process made the file first: theirs wins
        except FileExistsError:
            pass
        fsync_dir(path.parent)
    except OSError as exc:
        raise StoreError.from_os_error(exc, what="the key that locks answers") from exc
    finally:
        remove_quietly(tmp)
    return parse_key_text(path.read_text(encoding="ascii"))
