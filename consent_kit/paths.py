"""Where the files shipped with consent-kit are: example surveys and catalogs.

In an installed wheel they sit inside the package (``consent_kit/forms``,
``consent_kit/locales``); in a checkout they are the top-level ``forms/`` and
``locales/`` folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


#: The example surveys that ``consent-kit init`` copies into a new instance.
FORMS = _shipped("forms")
#: The gettext catalogs of the toolkit's own words.
LOCALES = _shipped("locales")
