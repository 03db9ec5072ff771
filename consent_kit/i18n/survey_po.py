"""A survey's words as a gettext .po file for a translator, and back into the survey.

Pure logic, no Flask. :func:`export_po` writes one message per text: the
context (``msgctxt``) is the text's stable key (``questions.age.label``), the
``msgid`` the survey's own words, the ``msgstr`` the translation so far. Any
translation tool (Poedit, Weblate, Lokalize) can open it. :func:`import_po`
reads it back into the survey's definition; :func:`definition_yaml` writes
that as a survey file.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

from consent_kit.i18n.localize import normal, survey_texts
from consent_kit.survey.load.common import is_language, plain_scalar
from consent_kit.survey.model import Survey


class PoImportError(ValueError):
    """A .po file that can't be read; the message says what is wrong, in plain words."""


@dataclass
class ImportResult:
    """What an import did: the new definition, and what it left alone and why."""

    definition: dict
    language: str
    added: int = 0
    changed_since: list[str] = field(default_factory=list)  # the survey's words changed since export
    unknown: list[str] = field(default_factory=list)  # keys the survey doesn't have (any more)


def export_po(survey: Survey, lang: str) -> bytes:
    """The survey's texts as a .po file for translating into ``lang`` (with what is done so far)."""
    lang = normal(lang)
    catalog = Catalog(locale=lang.replace("-", "_"), project=survey.title, version=survey.version,
                      fuzzy=False, charset="utf-8")
    catalog.domain = survey.id
    for text in survey_texts(survey):
        catalog.add(text.source, text.translations.get(lang, ""), context=text.key,
                    auto_comments=[f"{survey.id}: {text.key}"])
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False, include_lineno=False)
    return out.getvalue()


def read_catalog(data: bytes) -> Catalog:
    """Parse a .po file, or raise :class:`PoImportError` with a plain message."""
    if not data or not data.strip():
        raise PoImportError("The file is empty. Choose the .po file your translator sent back.")
    try:
        return read_po(io.BytesIO(data), abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError, IndexError) as error:
        line = getattr(error, "lineno", 0)
        where = f" (near line {line})" if line else ""
        raise PoImportError(f"This file can't be read as a .po translation file{where}. Check it is "
                            "the file exported from consent-kit, saved as UTF-8 text.") from None


def import_po(survey: Survey, data: bytes, lang: str | None = None) -> ImportResult:
    """Put the translations of a .po file into a copy of the survey's definition.

    ``lang`` defaults to the file's own language. A text whose words changed
    since the file was made is left alone (the translation may no longer
    fit), and so is a key the survey no longer has; both are listed.
    """
    catalog = read_catalog(data)
    lang = normal(lang or (str(catalog.locale) if catalog.locale else ""))
    if not lang or not is_language(lang):
        raise PoImportError("This file doesn't say which language it is in. Choose the language, "
                            "or export a new file from consent-kit for your translator.")
    if lang == normal(survey.language):
        raise PoImportError(f"'{lang}' is the survey's own language. Import a translation into "
                            "another language.")
    sources = {text.key: text.source for text in survey_texts(survey)}
    result = ImportResult(copy.deepcopy(survey.definition), lang)
    for message in catalog:
        if not message.id or not message.context:
            continue
        key, words = message.context, message.string
        if isinstance(words, tuple | list):
            words = words[0] if words else ""
        if key not in sources:
            result.unknown.append(key)
        elif sources[key] != message.id:
            result.changed_since.append(key)
        elif words and words.strip() and not message.fuzzy:
            _put(result.definition, key, survey.language, lang, words.strip())
            result.added += 1
    return result


def _put(definition: dict, key: str, own: str, lang: str, words: str) -> None:
    """Set the words in ``lang`` of the text at ``key``, turning a plain text into a group."""
    parts = key.split(".")
    parent = _find(definition, parts[:-1])
    if parent is None or not isinstance(parent, dict):
        return
    name = parts[-1]
    current = parent.get(name)
    if not isinstance(current, dict):
        current = {normal(own): plain_scalar(current).strip() if current is not None else ""}
    current = {normal(k): v for k, v in current.items()}
    current[lang] = words
    parent[name] = current


def _find(data, parts: list[str]):
    for part in parts:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list):
            data = next((item for n, item in enumerate(data) if _name(item, n) == part), None)
        else:
            return None
    return data


def _name(item, number: int) -> str:
    if isinstance(item, dict):
        for name in ("id", "value"):
            value = item.get(name)
            if isinstance(value, str | int | float) and str(value).strip():
                return plain_scalar(value).strip()
    return str(number)


def definition_yaml(definition: dict) -> str:
    """A survey definition written out as a survey file (comments in the old file are not kept)."""
    return yaml.safe_dump(definition, allow_unicode=True, sort_keys=False, width=100)
