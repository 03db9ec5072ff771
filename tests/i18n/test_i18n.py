"""The toolkit's own words: complete catalogs, nothing outside gettext, pages wholly in one language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.support import Translations

from consent_kit.i18n.languages import compile_catalogs, native_name, text_direction, ui_languages
from consent_kit.testing import Participant

REPO = Path(__file__).resolve().parents[2]
LOCALES = REPO / "locales"
CATALOGS = sorted(LOCALES.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
TEMPLATE_FOLDERS = [
    *sorted((REPO / "consent_kit").glob("**/templates")),
    *sorted((REPO / "plugins").glob("*/templates")),
]


def read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name)


def source_messages() -> set:
    """Every msgid in the source, found the way `make translations` finds them (babel.cfg)."""
    from babel.messages.frontend import parse_mapping_cfg

    with (REPO / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
                "pgettext": ((1, "c"), 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), method_map, options_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_promised_languages_are_shipped():
    assert {"en", "cy", "ar", "pl"} <= {path.parent.parent.name for path in CATALOGS}
    assert ui_languages()[0] == "en" and {"cy", "ar", "pl"} <= set(ui_languages())


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_a_shipped_catalog_has_no_untranslated_or_fuzzy_entry(path):
    catalog = read(path)
    assert not catalog.fuzzy, f"{path}: the header is marked fuzzy"
    forms = get_plural(path.parent.parent.name).num_plurals
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        # English is the source language: an empty entry there means "as written".
        if not all(s and s.strip() for s in strings) and path.parent.parent.name != "en":
            problems.append(f"untranslated: {message.id!r}")
        if isinstance(message.id, tuple) and len(strings) != forms:
            problems.append(f"{len(strings)} plural forms, not {forms}: {message.id!r}")
        source = message.id if isinstance(message.id, str) else message.id[1]
        wanted = set(PLACEHOLDER.findall(source))
        if any(set(PLACEHOLDER.findall(s)) - wanted for s in strings):
            problems.append(f"unknown placeholder in the translation of {message.id!r}")
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_every_catalog_has_every_string_in_the_source():
    """A string added to a page or message but not to the catalogs fails here: run `make translations`."""
    wanted = source_messages()
    assert len(wanted) > 300
    for path in CATALOGS:
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in read(path) if m.id}
        missing = sorted(wanted - have)
        assert not missing, f"{path} lacks {len(missing)} strings, e.g. {missing[:5]}"


class _Text(HTMLParser):
    """The words of a page outside Jinja and outside tags, with each text's nearest `lang`."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self, page_lang: str = ""):
        super().__init__()
        self.langs = [page_lang]
        self.chunks: list[tuple[str, str]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        self.langs.append(attrs.get("lang") or self.langs[-1])
        if tag in ("script", "style", "code", "pre") or tag == "html":
            self.skip += tag != "html"

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if tag in ("script", "style", "code", "pre"):
            self.skip = max(0, self.skip - 1)
        if len(self.langs) > 1:
            self.langs.pop()

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.chunks.append((self.langs[-1], data.strip()))


JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
#: An attribute written by Jinja outside a tag (``{% if %} aria-describedby="..."{% endif %}``).
ATTRIBUTE_LEFT = re.compile(r'^(?:[\w-]+="[^"]*"\s*)+$')
WORDS_ATTRIBUTE = re.compile(r'\b(?:aria-label|alt|title|placeholder)="([^"]*)"')


def _outside_gettext(path: Path) -> list[str]:
    text = JINJA.sub(" ", path.read_text(encoding="utf-8"))
    parser = _Text()
    parser.feed(text)
    found = [words for _lang, words in parser.chunks
             if re.search(r"[A-Za-z]{2,}", words) and not ATTRIBUTE_LEFT.match(words)]
    found += [w for w in WORDS_ATTRIBUTE.findall(text) if re.search(r"[A-Za-z]{2,}", w)]
    return found


def test_the_scan_finds_a_string_outside_gettext(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<p>{{ _("Fine") }}</p>\n<p>Not wrapped</p><a aria-label="Also bare">x</a>'
                    '<code>consent-kit check</code>')
    assert _outside_gettext(page) == ["Not wrapped", "Also bare"]


def test_no_template_has_words_outside_gettext():
    found = {}
    for folder in TEMPLATE_FOLDERS:
        for path in sorted(folder.rglob("*.html")):
            words = _outside_gettext(path)
            if words:
                found[str(path.relative_to(REPO))] = words
    assert not found, f"Wrap these in {{{{ _('...') }}}}: {found}"


# -- pages in Arabic carry no English of the toolkit's own ------------------------------


def _english_phrases() -> tuple[list[str], set[str]]:
    """The fixed parts of every msgid long enough not to be a name or a code, and every short msgid."""
    phrases, whole = set(), set()
    for message in read(LOCALES / "en" / "LC_MESSAGES" / "messages.po"):
        if not message.id:
            continue
        for source in (message.id,) if isinstance(message.id, str) else message.id:
            if not PLACEHOLDER.search(source) and re.search(r"[A-Za-z]{2}", source):
                whole.add(source.strip())
            for part in PLACEHOLDER.split(source):
                part = part.strip(" .,:;‘’“”()")
                if len(part) >= 12 and " " in part:
                    phrases.add(part)
    return sorted(phrases), whole - {"PDF"}


def _arabic_words(html: str) -> list[str]:
    """The page's words that are meant to be in Arabic (not those marked lang="en")."""
    parser = _Text("ar")
    parser.feed(html)
    return [words for lang, words in parser.chunks if lang.startswith("ar")]


def english_on(html: str, phrases: list[str], whole: set[str]) -> list[str]:
    """The toolkit's English words on a page meant to be in Arabic: phrases within, or whole texts."""
    chunks = _arabic_words(html)
    text = "\n".join(chunks)
    return [p for p in phrases if p in text] + [c for c in chunks if c in whole]


def test_the_arabic_check_finds_english_words():
    phrases, whole = _english_phrases()
    page = ('<html lang="ar"><p>Yes</p><p lang="en">Back</p><p>أهلًا. You can stop at any time. '
            'If you stop before the end, your answers are not sent.</p></html>')
    found = english_on(page, phrases, whole)
    assert "Yes" in found and "Back" not in found
    assert "You can stop at any time. If you stop before the end, your answers are not sent" in found


def test_participant_pages_in_arabic_have_none_of_the_english_words(make_app):
    client = make_app().test_client()
    pages = {}

    def keep(name, html):
        assert '<html lang="ar" dir="rtl">' in html, name
        pages[name] = html

    client.get("/?lang=ar")
    for url in ("/", "/resume", "/withdraw/", "/s/have-your-say", "/s/no-such-survey",
                "/s/have-your-say/support"):
        keep(url, client.get(url).get_data(as_text=True))
    person = Participant(client)
    person.start("have-your-say")
    keep("consent", person.html)
    person.agree("have-your-say")
    keep("first questions", person.html)
    person.answer_page({})  # nothing answered: the error messages, in Arabic too
    keep("errors", person.html)
    person.answer_until_check({"age_group": "14-16", "care_experience": "yes", "how_good": "4",
                               "trusted_adult": "no"})
    keep("check", person.html)
    person.send()
    keep("thank you", person.html)
    phrases, whole = _english_phrases()
    found = {name: english_on(html, phrases, whole) for name, html in pages.items()}
    assert not any(found.values()), {k: v for k, v in found.items() if v}


# -- catalogs are built into .mo files -------------------------------------------------


def test_catalogs_compile_and_translate(tmp_path):
    written = compile_catalogs(LOCALES, tmp_path)
    assert {p.parent.parent.name for p in written} >= {"cy", "ar", "pl"}
    welsh = Translations.load(str(tmp_path), ["cy"])
    assert welsh.gettext("Continue") == "Parhau"
    arabic = Translations.load(str(tmp_path), ["ar"])
    assert arabic.ngettext("Saved. %(num)s survey moved.", "Saved. %(num)s surveys moved.", 2) \
        != arabic.ngettext("Saved. %(num)s survey moved.", "Saved. %(num)s surveys moved.", 11)
    assert compile_catalogs(LOCALES, tmp_path) == []  # up to date: nothing written again


def test_languages_are_named_in_themselves_with_their_direction():
    assert native_name("cy") == "Cymraeg" and native_name("ar") == "العربية"
    assert native_name("pl") == "Polski"
    assert text_direction("ar") == "rtl" and text_direction("cy") == "ltr"


def test_wtforms_messages_come_from_its_own_catalogs(make_app):
    from flask_wtf.i18n import translations

    app = make_app(examples=False)
    with app.test_request_context("/?lang=cy"):
        assert translations.gettext("This field is required.") == "Rhaid cwblhau'r maes hwn."


def test_studio_pages_follow_the_language_too(make_app):
    html = make_app().test_client().get("/studio/login?lang=cy").get_data(as_text=True)
    assert '<html lang="cy" dir="ltr">' in html and "Mewngofnodi" in html


def test_times_are_written_the_way_each_language_writes_them(make_app):
    from flask import render_template_string

    app = make_app(examples=False)
    # On the UK clock, the zone in words ("UK time", translated), never "UTC" (issue 15 item 8).
    for lang, expected in (("en", "7 March 2026, 08:30 UK time"), ("cy", "7 Mawrth 2026, 08:30 "),
                           ("pl", "7 marca 2026 08:30 ")):
        with app.test_request_context(f"/?lang={lang}"):
            shown = render_template_string("{{ '2026-03-07T08:30:00Z'|when }}")
            assert shown.startswith(expected) and "UTC" not in shown
    with app.test_request_context("/"):
        assert render_template_string("{{ 'not a time'|when }}") == "not a time"
