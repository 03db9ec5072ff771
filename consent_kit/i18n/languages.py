"""The languages of the toolkit's own words: which there are, their names, direction, catalogs.

Pure logic, no Flask. The catalogs are gettext ``.po`` files in ``locales/``
(committed); the ``.mo`` files Flask-Babel reads are built from them by the
install (setup.py), and again here on first use when they are missing or
older than the ``.po`` (a fresh checkout, an editable install), so a clone,
an editable install and a wheel all work.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from consent_kit import paths

log = logging.getLogger(__name__)

DOMAIN = "messages"


def catalog_files(folder: Path | None = None) -> list[Path]:
    """Every shipped ``.po`` catalog, e.g. ``locales/cy/LC_MESSAGES/messages.po``."""
    folder = Path(folder or paths.LOCALES)
    return sorted(folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@cache
def ui_languages() -> tuple[str, ...]:
    """The languages the toolkit's own words are in (English first)."""
    found = {po.parent.parent.name for po in catalog_files()}
    return ("en",) + tuple(sorted(found - {"en"}))


def native_name(code: str) -> str:
    """The language's name in itself: 'cy' -> 'Cymraeg', 'ar' -> 'العربية'."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name() or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:] if name[:1].isascii() or name[:1].islower() else name


def text_direction(code: str) -> str:
    """'rtl' for right-to-left languages (Arabic, Urdu, ...), else 'ltr'."""
    try:
        return Locale.parse(str(code).replace("-", "_")).text_direction
    except (UnknownLocaleError, ValueError):
        return "ltr"


def html_lang(code: str) -> str:
    """A language code as HTML writes it: 'pt_BR' -> 'pt-BR'."""
    return str(code).replace("_", "-")


def compile_catalogs(source: Path | None = None, target: Path | None = None) -> list[Path]:
    """Write a ``.mo`` beside (or under ``target``) each ``.po`` that is newer than its ``.mo``.

    Returns the files written. setup.py calls this to build a wheel.
    """
    source = Path(source or paths.LOCALES)
    written = []
    for po in catalog_files(source):
        mo_path = (Path(target) / po.relative_to(source) if target else po).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        part = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
        with part.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        os.replace(part, mo_path)  # whole or not at all, even with several workers at once
        written.append(mo_path)
    return written


@cache
def translation_directory() -> str:
    """The folder Flask-Babel reads ``.mo`` files from, built first if needed.

    The shipped folder when it can be written (or is already up to date),
    else a folder in the system's temporary space.
    """
    source = paths.LOCALES
    try:
        compile_catalogs(source)
        return str(source)
    except OSError:
        pass
    digest = hashlib.sha256(str(source).encode()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / f"consent-kit-locales-{digest}"
    compile_catalogs(source, target)
    return str(target)
