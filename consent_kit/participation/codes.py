"""Short codes people read aloud and type: references and "come back later" codes.

The alphabet leaves out letters and digits that look alike (0/O, 1/I/L), so
a code read over the phone or copied from paper is typed right. Ten
characters from 31 give about 49.5 bits: with rate limiting, guessing one is
hopeless.
"""

from __future__ import annotations

import hashlib
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10


def new_code() -> str:
    """A fresh random code, e.g. ``"K7QM3-XR2PA"`` without the hyphen."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def show_code(code: str) -> str:
    """The code in two groups of five, easier to read: ``K7QM3-XR2PA``."""
    return f"{code[:5]}-{code[5:]}"


def clean_code(typed: str) -> str | None:
    """What someone typed, as a code (spaces, hyphens and case forgiven), or None."""
    code = re.sub(r"[\s\-]", "", typed or "").upper()
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def code_key(code: str, *, purpose: str) -> str:
    """A storage key for a code, so the code itself is never written to disk."""
    return "k" + hashlib.sha256(f"{purpose}:{code}".encode()).hexdigest()[:47]
