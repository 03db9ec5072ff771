"""Consent logic with no Flask and no files: safe rendering, versions, records and the rules."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consent_kit.consent.records import (
    ALLOWED_TAGS,
    URL_SCHEMES,
    ConsentRecord,
    ConsentText,
    change_optional,
    consent_text,
    decide,
    missing_required,
    new_pseudonym,
    render_markdown,
    wrong_answers,
)
from consent_kit.survey.model import (
    Choice,
    ConsentSection,
    ConsentStatement,
    ConsentVariant,
    InfoSection,
    UnderstandingCheck,
)

# -- safe rendering -------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><img src=x onerror=alert(1)>',
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](%6Aavascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[click]: javascript:alert(1)\n\n[click]",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://example.org/a.png)',
    "[x](https://example.org/\" onmouseover=\"alert(1))",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "<!-- <script>alert(1)</script> -->",
    "{{7*7}} =HYPERLINK(\"https://evil.example\")",
    "<div onclick=alert(1)>x</div>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "[]([click](javascript:alert(1)))",  # found by hypothesis: safe, and must stay so
]


class _Tags(HTMLParser):
    """Collects every tag and attribute of a piece of HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def assert_safe(rendered: str) -> None:
    """Only allowed tags; ``a`` has only href (http/https/mailto/tel or relative) and rel."""
    assert "<script" not in rendered.lower()
    parser = _Tags()
    parser.feed(rendered)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, rendered)
        names = {name for name, _ in attrs}
        assert not any(name.startswith("on") for name in names), rendered
        if tag != "a":
            assert names == set(), (tag, attrs)
            continue
        assert names <= {"href", "rel"}, attrs
        assert dict(attrs)["rel"] == "noopener noreferrer"
        href = dict(attrs).get("href")
        if href is not None:
            # The scheme a browser would use, not the text "javascript:" anywhere: a
            # relative link may hold those letters and run nothing (issue 21 §3).
            assert browser_scheme(href) in URL_SCHEMES | {""}, href


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def browser_scheme(href: str) -> str:
    """The scheme a browser parses from an ``href`` value ("" for a relative link).

    As the WHATWG URL parser does: character references decoded (by the HTML
    parser), C0 controls and spaces stripped from both ends, tabs and newlines
    removed everywhere, then a scheme only if the text *starts* with one.
    """
    url = html.unescape(href).strip("".join(map(chr, range(0x21))))
    url = re.sub(r"[\t\n\r]", "", url)
    found = _SCHEME.match(url)
    return found.group(1).lower() if found else ""


@pytest.mark.parametrize(("href", "scheme"), [
    ("javascript:alert(1)", "javascript"),
    ("  JaVa\tScRiPt:alert(1)", "javascript"),
    ("\x01javascript:alert(1)", "javascript"),
    ("java&#115;cript:alert(1)", "javascript"),
    ("[click](javascript:alert(1))", ""),  # relative: a path that merely contains the letters
    ("/s/x?next=javascript:1", ""),
    ("https://ok.example/p", "https"),
])
def test_the_checker_reads_the_scheme_as_a_browser_does(href, scheme):
    assert browser_scheme(href) == scheme


def test_the_example_hypothesis_found_is_a_harmless_relative_link():
    """``[]([click](javascript:alert(1)))`` once failed the old check (text anywhere) and then
    every run until .hypothesis/ was cleared; it renders a relative link, which runs nothing."""
    rendered = render_markdown("[]([click](javascript:alert(1)))")
    assert_safe(rendered)
    parser = _Tags()
    parser.feed(rendered)
    hrefs = [dict(attrs).get("href") for tag, attrs in parser.tags if tag == "a"]
    assert any("javascript:" in h for h in hrefs)  # the letters are there (the old check's trap)
    assert all(browser_scheme(h) == "" for h in hrefs if h is not None)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_fixed_payloads_never_survive(payload):
    rendered = render_markdown(f"Before {payload} after\n\n{payload}")
    assert_safe(rendered)
    assert "<img" not in rendered and "<iframe" not in rendered and "<svg" not in rendered


_FRAGMENTS = st.sampled_from(
    [*PAYLOADS, "#", "# ", "\n", "\n\n", "*", "_", "`", "[", "](", ")", "<", ">", '"', "'", "&",
     "&#", ";", "javascript:", "onerror=", "on", "=", " ", "https://ok.example/p", "mailto:a@b.c",
     "![i](", "> ", "- ", "1. ", "    ", "\\", "<a href=", "<img ", "data:", "%0a", "\t", "|"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join))
def test_no_markdown_makes_unsafe_html(text):
    assert_safe(render_markdown(text))


def test_markdown_basics_and_heading_levels():
    rendered = render_markdown(
        "# What happens\n\n## Next\n\n### Deeper\n\nWe keep **your words**, *not* your name.\n\n"
        "- one\n- two\n\n1. first\n\n> said\n\n[Childline](https://www.childline.org.uk) "
        "or [call](tel:08001111) or [email](mailto:help@example.org)"
    )
    assert "<h3>What happens</h3>" in rendered
    assert "<h4>Next</h4>" in rendered and "<h4>Deeper</h4>" in rendered  # h4 is the smallest
    assert "<h1>" not in rendered and "<h2>" not in rendered and "<h5>" not in rendered
    assert "<strong>your words</strong>" in rendered and "<em>not</em>" in rendered
    assert "<ul>" in rendered and "<ol>" in rendered and "<blockquote>" in rendered
    assert '<a href="https://www.childline.org.uk" rel="noopener noreferrer">Childline</a>' in rendered
    assert 'href="tel:08001111"' in rendered and 'href="mailto:help@example.org"' in rendered
    assert_safe(rendered)


def test_raw_html_is_shown_as_text_and_images_as_their_description():
    rendered = render_markdown("Say <b>hi</b> ![a smiling face](https://tracker.example/p.png)")
    assert "&lt;b&gt;hi&lt;/b&gt;" in rendered
    assert "a smiling face" in rendered and "tracker.example" not in rendered


@pytest.mark.parametrize(
    "link", ["[x](ftp://files.example/a)", "[x](data:image/png;base64,AAAA)", "<ssh://host.example>"]
)
def test_a_link_with_another_scheme_keeps_no_address(link):
    # markdown-it lets these through; the allow-list of schemes removes the address.
    rendered = render_markdown(link)
    assert "<a" in rendered and "href" not in rendered, rendered


# -- the text shown and its version ---------------------------------------------

def _consent(**changes) -> ConsentSection:
    fields = {
        "sections": (
            InfoSection("what", "What is this?", "A survey about **your** care."),
            InfoSection("keep", "What we keep", "Your answers, *not* your name."),
        ),
        "statements": (
            ConsentStatement("take_part", "I want to take part", required=True),
            ConsentStatement("quotes", "You can quote my words", required=False),
            ConsentStatement("contact", "You can contact me again", required=False),
        ),
        "checks": (
            UnderstandingCheck("stop", "Can you stop at any time?",
                               (Choice("yes", "Yes"), Choice("no", "No")), "yes", "keep"),
            UnderstandingCheck("name", "Do we keep your name?",
                               (Choice("yes", "Yes"), Choice("no", "No")), "no", "keep"),
        ),
        "variants": (
            ConsentVariant("under16", "Under 16", sections=(
                InfoSection("what", "What is this?", "A survey. Your carer knows."),
            )),
        ),
    }
    fields.update(changes)
    return ConsentSection(**fields)


def test_consent_text_renders_sections_and_keeps_statements():
    text = consent_text(_consent(), language="en")
    assert text.language == "en" and text.variant == ""
    assert text.sections[0] == ("what", "What is this?", "<p>A survey about <strong>your</strong> care.</p>")
    assert text.statements[1] == ("quotes", "You can quote my words", False)
    assert text.required_ids == ("take_part",)
    assert re.fullmatch(r"[0-9a-f]{16}", text.version)


def test_variant_falls_back_to_the_main_statements():
    text = consent_text(_consent(), variant="under16")
    assert [s[0] for s in text.sections] == ["what"]
    assert "Your carer knows" in text.sections[0][2]
    assert text.statements == consent_text(_consent()).statements


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="over18"):
        consent_text(_consent(), variant="over18")


def test_version_is_stable_and_survives_a_round_trip_through_json():
    text = consent_text(_consent())
    again = consent_text(_consent())
    assert again.version == text.version
    restored = ConsentText.from_dict(json.loads(json.dumps(text.to_dict())))
    assert restored == text
    assert restored.version == text.version


def _edited(section_text=None, heading=None, statement=None, required=None) -> ConsentSection:
    base = _consent()
    sections, statements = list(base.sections), list(base.statements)
    if section_text is not None:
        sections[1] = replace(sections[1], text=section_text)
    if heading is not None:
        sections[1] = replace(sections[1], heading=heading)
    if statement is not None:
        statements[1] = replace(statements[1], text=statement)
    if required is not None:
        statements[1] = replace(statements[1], required=required)
    return replace(base, sections=tuple(sections), statements=tuple(statements))


@pytest.mark.parametrize(
    "edit",
    [
        {"section_text": "Your answers, *not* your full name."},
        {"section_text": "Your answers, **not** your name."},  # same words, other emphasis
        {"heading": "What we store"},
        {"statement": "You can quote my exact words"},
        {"required": True},
    ],
)
def test_any_edit_makes_a_new_version(edit):
    assert consent_text(_edited(**edit)).version != consent_text(_consent()).version


def test_versions_differ_between_languages_and_variants():
    versions = {
        consent_text(_consent(), language="en").version,
        consent_text(_consent(), language="cy").version,
        consent_text(_consent(), variant="under16", language="en").version,
    }
    assert len(versions) == 3


def test_checks_and_source_lines_do_not_change_the_version():
    # The version covers exactly what is shown to agree to, nothing else.
    moved = replace(_consent(), checks=(), line=99)
    assert consent_text(moved).version == consent_text(_consent()).version


# -- records and rules ------------------------------------------------------------

def test_pseudonyms_are_128_random_bits():
    values = {new_pseudonym() for _ in range(1000)}
    assert len(values) == 1000
    assert all(re.fullmatch(r"[0-9a-f]{32}", v) for v in values)


def _record(**changes) -> ConsentRecord:
    fields = {
        "pseudonym": "a" * 32,
        "survey_id": "pilot",
        "consent_version": consent_text(_consent()).version,
        "agreed": ("take_part", "quotes"),
        "declined": ("contact",),
        "given_at": "2026-11-26T08:30:00Z",
    }
    fields.update(changes)
    return ConsentRecord(**fields)


def test_record_round_trip_ignores_unknown_keys_and_lists_become_tuples():
    record = _record(method="initials", confirmed_as="AB", helped=True, code_hash="kabc")
    data = json.loads(json.dumps(record.to_record()))
    assert data["agreed"] == ["take_part", "quotes"]
    assert ConsentRecord.from_record({**data, "kind": "given", "future": 1}) == record
    assert _record(agreed=["take_part", "quotes"]) == _record()


def test_agreed_to():
    record = _record()
    assert record.agreed_to("quotes") and not record.agreed_to("contact")
    assert not record.agreed_to("unknown")


def test_missing_required_in_statement_order():
    section = _consent(statements=(
        ConsentStatement("a", "A"), ConsentStatement("b", "B", required=False), ConsentStatement("c", "C"),
    ))
    text = consent_text(section)
    assert missing_required(text, set()) == ["a", "c"]
    assert missing_required(text, {"c", "b"}) == ["a"]
    assert missing_required(text, {"a", "c"}) == []


def test_wrong_answers_lists_missing_and_wrong_in_order():
    checks = _consent().checks
    assert wrong_answers(checks, {"stop": "yes", "name": "no"}) == []
    assert [c.id for c in wrong_answers(checks, {"stop": "no", "name": "no"})] == ["stop"]
    assert [c.id for c in wrong_answers(checks, {})] == ["stop", "name"]


def test_decide_splits_in_statement_order_and_ignores_unknown_ids():
    text = consent_text(_consent())
    agreed, declined = decide(text, {"contact", "take_part", "not-shown"})
    assert agreed == ("take_part", "contact")
    assert declined == ("quotes",)


def test_decide_refuses_a_missing_required_statement_unless_asked_not_to():
    text = consent_text(_consent())
    with pytest.raises(ValueError, match="take_part"):
        decide(text, {"quotes"})
    assert decide(text, {"quotes"}, require_required=False) == (("quotes",), ("take_part", "contact"))


def test_change_optional_changes_only_optional_statements():
    text = consent_text(_consent())
    record = _record()
    changed = change_optional(record, text, {"take_part", "contact"}, "2026-11-27T10:00:00Z")
    assert changed.agreed == ("take_part", "contact")
    assert changed.declined == ("quotes",)
    assert changed.changed_at == "2026-11-27T10:00:00Z"
    assert (changed.pseudonym, changed.given_at, changed.consent_version) == (
        record.pseudonym, record.given_at, record.consent_version)
    assert record.agreed == ("take_part", "quotes")  # the original is untouched


def test_change_optional_without_a_change_returns_the_same_record():
    record = _record()
    assert change_optional(record, consent_text(_consent()), {"take_part", "quotes"}, "later") is record


def test_change_optional_refuses_to_take_back_a_required_statement():
    with pytest.raises(ValueError, match="withdraw") as caught:
        change_optional(_record(), consent_text(_consent()), {"quotes"}, "2026-11-27T10:00:00Z")
    assert "take_part" in str(caught.value)


def test_change_optional_refuses_another_version_of_the_text():
    other = consent_text(_consent(), language="cy")
    with pytest.raises(ValueError, match="different version"):
        change_optional(_record(), other, {"take_part"}, "2026-11-27T10:00:00Z")
