"""Passwords and usernames: the rules people meet when they make an account, and the hashes kept.

Passwords follow NIST SP 800-63B: long rather than complicated (at least 12
characters not counting spaces at the ends or runs of spaces, or three or more
words), not one of the commonest (a shipped list of about 3,500), no rules about symbols or digits, up to
1,000 characters, pasting allowed. They are kept only as argon2id hashes
(OWASP's minimum: 19 MiB of memory, 2 passes, 1 lane).

Pure logic, no Flask: the messages are lazy strings, shown in the reader's
language when they are shown.
"""

from __future__ import annotations

import functools
import re
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MIN_WORDS = 3
MIN_WORD_LENGTH = 3
MAX_LENGTH = 1000
USERNAME = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,38}[a-z0-9])?$")
#: A few passwords that are long enough but guessed first (NIST: check against known ones).
COMMON_PASSWORDS = {
    "123456789012", "1234567890123", "12345678901234", "123456789123", "qwertyuiopas",
    "passwordpassword", "password1234", "password12345", "iloveyou1234", "qwerty123456",
    "abc123abc123", "letmeinletmein", "111111111111", "000000000000", "aaaaaaaaaaaa",
    "correct horse battery staple",
}

#: The shipped list of the commonest passwords (its first lines say where it comes from).
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The commonest passwords, lower case: the shipped list plus :data:`COMMON_PASSWORDS`."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#")) | COMMON_PASSWORDS


def is_common(password: str) -> bool:
    """Whether ``password`` (any case, spaces or not) is one of the first that people guess."""
    simple = password.strip().casefold()
    found = common_passwords()
    return simple in found or simple.replace(" ", "") in found


#: OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


# -- passwords --------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (with its own random salt)."""
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> tuple[bool, str | None]:
    """Check ``password``; return ``(matches, new_hash)``.

    ``new_hash`` is set when the password matches but the stored hash was made
    with weaker settings than today's: store it instead of the old one.
    """
    try:
        HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False, None
    if HASHER.check_needs_rehash(password_hash):
        return True, hash_password(password)
    return True, None


_DUMMY_HASH: list[str] = []


def waste_time_like_verify(password: str) -> None:
    """Check ``password`` against a made-up hash, so unknown names take as long as known ones."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    verify_password(_DUMMY_HASH[0], password)


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` can't be used, in plain words, or ``None`` when it is fine."""
    if not password:
        return _l("Enter a password.")
    if len(password) > MAX_LENGTH:
        longest = f"{MAX_LENGTH:,}"  # outside the call: message extraction skips f-strings in it
        return _l("Use a password of %(n)s characters or fewer.", n=longest)
    # Real length: spaces at the ends and runs of spaces inside don't count, so
    # twelve spaces (or "a" and eleven spaces) are not a 12-character password.
    real = " ".join(password.split())
    words = [word for word in password.split() if len(word) >= MIN_WORD_LENGTH]
    if len(real) < MIN_LENGTH and len(words) < MIN_WORDS:
        return _l("Use at least %(length)s characters, or %(words)s or more words with spaces "
                  "between them, like 'orange river bicycle'.", length=MIN_LENGTH, words=MIN_WORDS)
    simple = real.casefold()
    if username and simple == username.casefold():
        return _l("Your password can't be the same as your username.")
    if is_common(simple) or len(set(simple)) == 1:
        return _l("That password is one of the first that people guess. Choose another one.")
    return None


# -- names ------------------------------------------------------------------------


def normalise_username(username: str) -> str:
    """The stored form of a username: trimmed, lower case (so "Sam" and "sam" are one)."""
    return (username or "").strip().casefold()


def username_problem(username: str) -> str | None:
    """Why ``username`` can't be used, in plain words, or ``None``."""
    name = normalise_username(username)
    if not name:
        return _l("Enter a username.")
    if len(name) > 40:
        return _l("Use a username of 40 characters or fewer.")
    if not USERNAME.match(name):
        return _l("Use only letters, numbers, dots, dashes and underscores in a username, "
                  "starting and ending with a letter or number, like 'sam.k' or 'jo-2'.")
    return None
