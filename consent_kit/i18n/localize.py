"""A survey in another language: swap in the words a survey file gives for it.

Pure logic, no Flask. The loader keeps each text in the survey's own language
as a :class:`~consent_kit.survey.load.common.SurveyText` that carries its other
languages and a stable key. :func:`localize` returns a copy of the survey with
every text in the chosen language; a text with no words in that language keeps
the survey's own words, marked with their language (``text.lang``) so a page
can say ``lang="en"`` on it and screen readers switch voice.

The same texts feed the translator's tools: :func:`survey_texts` lists them,
:func:`completeness` says what is missing in each language.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from threading import Lock

from consent_kit.survey.load.common import SurveyText
from consent_kit.survey.model import Survey

#: Fields that hold names and stored values, never words: they stay as they are.
_KEEP = frozenset({"id", "value", "answer", "explained_in", "type", "version", "language",
                   "status", "source", "definition", "extra", "exit_url", "line", "phone", "url"})

_CACHE_SIZE = 256
_cache: OrderedDict[tuple[str, str, str], Survey] = OrderedDict()
_lock = Lock()


def normal(code: str | None) -> str:
    """A language code written the one way Babel writes it: 'pt-br' -> 'pt_BR'."""
    parts = str(code or "").strip().replace("-", "_").split("_")
    if not parts[0]:
        return ""
    return "_".join([parts[0].lower()] + [p.upper() if len(p) == 2 else p for p in parts[1:]])


def localize(survey: Survey, lang: str | None) -> Survey:
    """The survey with its words in ``lang``; texts with no words in it keep the survey's own.

    Names, values and answers never change, so answers given in any language
    are stored the same way. Kept per survey version and language (a survey
    never changes once built, so the copy never goes stale).
    """
    lang = normal(lang)
    own = normal(survey.language)
    if not lang or lang == own or survey is None:
        return survey
    key = (survey.id, survey.version, lang)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    made = _swap(survey, lang, own)
    with _lock:
        _cache[key] = made
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return made


def _swap(value, lang: str, own: str):
    """``value`` with every SurveyText in ``lang`` (dataclasses, tuples and dicts followed)."""
    if isinstance(value, SurveyText):
        return _word(value, lang, own)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if f.name in _KEEP:
                continue
            old = getattr(value, f.name)
            new = _swap(old, lang, own)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        swapped = tuple(_swap(v, lang, own) for v in value)
        return swapped if any(a is not b for a, b in zip(swapped, value, strict=True)) else value
    if isinstance(value, dict):
        swapped = {k: _swap(v, lang, own) for k, v in value.items()}
        return swapped if any(swapped[k] is not value[k] for k in value) else value
    return value


def _word(text: SurveyText, lang: str, own: str) -> SurveyText:
    words = text.translations.get(lang)
    if words is None:
        # Try the language without its region: a survey in 'cy' serves 'cy_GB'.
        words = text.translations.get(lang.split("_")[0])
    if words is not None:
        return SurveyText(words, text.key, text.translations, lang)
    return SurveyText(str(text), text.key, text.translations, own)


def fallback_lang(text, page_lang: str) -> str:
    """The language to mark on an element showing ``text``, or "" when it's the page's own.

    Only words that fell back to the survey's language (or another) are marked.
    """
    lang = getattr(text, "lang", "")
    if not lang:
        return ""
    return "" if normal(lang).split("_")[0] == normal(page_lang).split("_")[0] else lang.replace("_", "-")


@dataclass(frozen=True)
class Text:
    """One text of a survey for a translator: where it is, its own words, and its translations."""

    key: str
    source: str
    translations: dict


#: Settings read like words but naming files and links: a translation may swap them
#: (a picture per language), but a translator isn't asked for them.
_NOT_WORDS = frozenset({"image", "bsl", "url", "phone", "video", "audio"})


def survey_texts(survey: Survey) -> list[Text]:
    """Every text of the survey for a translator, in the order of the file, once each."""
    seen: dict[str, Text] = {}
    for text in _texts_in(survey):
        if text.key and text.key not in seen and text.key.rsplit(".", 1)[-1] not in _NOT_WORDS:
            seen[text.key] = Text(text.key, str(text), dict(text.translations))
    return list(seen.values())


def _texts_in(value) -> Iterator[SurveyText]:
    if isinstance(value, SurveyText):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in _KEEP:
                yield from _texts_in(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _texts_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts_in(item)


_languages: dict[tuple[str, str], tuple[str, ...]] = {}


def languages(survey: Survey) -> tuple[str, ...]:
    """The survey's own language first, then every language any of its texts is written in."""
    key = (survey.id, survey.version)
    found = _languages.get(key)
    if found is None:
        own = normal(survey.language)
        others = {lang for text in survey_texts(survey) for lang in text.translations}
        found = _languages[key] = (own, *sorted(others - {own}))
    return found


@dataclass(frozen=True)
class Completeness:
    """How much of a survey is in one language, and which texts are still missing."""

    language: str
    done: int
    total: int
    missing: tuple[Text, ...]

    @property
    def percent(self) -> int:
        """Whole percent done (100 only when nothing is missing)."""
        if not self.total:
            return 100
        return 100 if not self.missing else min(99, self.done * 100 // self.total)


def completeness(survey: Survey, lang: str | None = None) -> list[Completeness]:
    """What is translated, per language (or only ``lang``): every language but the survey's own."""
    texts = survey_texts(survey)
    own = normal(survey.language)
    wanted = [normal(lang)] if lang else [code for code in languages(survey) if code != own]
    report = []
    for code in wanted:
        missing = tuple(t for t in texts if code not in t.translations)
        report.append(Completeness(code, len(texts) - len(missing), len(texts), missing))
    return report
