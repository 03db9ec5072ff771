"""Tests for the consent, support and exit_page settings (consent_kit/survey/load/consent.py).

Uses the stand-in question types and helpers of tests/test_loader.py.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from test_loader import (
    FORMS,
    FUZZ,
    HEAD,
    NESTED,
    SCALARS,
    TYPES,
    assert_loads_or_explains,
    line_with,
    load,
    problems,
    src,
    the_problem,
)

from consent_kit.survey.load.common import Context, plain
from consent_kit.survey.load.support import url_problem
from consent_kit.survey.load.survey_file import load_survey_file, load_survey_text
from consent_kit.survey.load.yaml_reader import parse_yaml
from consent_kit.survey.model import (
    DEFAULT_EXIT_URL,
    Choice,
    ConsentSection,
    ConsentStatement,
    ConsentVariant,
    InfoSection,
    SupportContact,
    SupportInfo,
    UnderstandingCheck,
)

ROOT = Path(__file__).resolve().parents[2]
CONSENT_GUIDE = ROOT / "docs" / "consent.md"
QUESTIONS = "questions: [{id: a, type: short_text, label: A}]\n"


def survey(body: str) -> str:
    """A survey file: title and description (lines 1–2), ``body`` from line 3, one question."""
    return HEAD + src(body) + QUESTIONS


GOOD = """\
exit_page: https://www.bbc.co.uk/weather
support:
  intro: You don't have to deal with it alone.
  contacts:
    - name: Childline
      description: Free, private help for anyone under 19.
      phone: "0800 1111"
      url: https://www.childline.org.uk
      text: ""
    - name: Shout
      text: Text SHOUT to 85258
consent:
  information:
    - id: what
      heading: What is this project?
      text: |
        We are young people with care experience.

        We want youth services to be better.
    - heading: Your rights
      text: You can stop at any time.
  check_understanding:
    - id: stop
      question: Can you stop at any time?
      choices: [Yes, No]
      answer: "Yes"
      explained_in: section-2
    - question: Will your name be on your answers?
      choices:
        - {value: y, label: "Yes"}
        - {value: n, label: "No", hint: We never ask your name}
      answer: n
  statements:
    - id: take_part
      text: I want to take part
    - id: use_words
      text: You can use my words in the report. We won't use your name.
      required: false
  confirm_with: initials
  ask_if_helped: false
  versions:
    - id: under-16
      label: I am under 16
      information:
        - id: what
          heading: What is this?
          text: A survey about youth clubs.
        - id: section-2
          heading: It's your choice
          text: You can stop.
    - id: easy
      label: Short words, please
      statements:
        - id: take_part
          text: Yes, I want to do this
        - id: ask_again
          text: You can ask me again next year
"""


def good(**changes: str) -> str:
    """GOOD with some lines replaced: ``changes`` maps an exact line to its new text."""
    text = GOOD
    for old, new in changes.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def with_good(*replacements: tuple[str, str]) -> str:
    """A survey with GOOD, each ``old`` (found once, at the start of a line) made ``new``."""
    text = GOOD
    for old, new in replacements:
        starts = [m.start() for m in re.finditer(re.escape(old), text)
                  if m.start() == 0 or text[m.start() - 1] == "\n"]
        assert len(starts) == 1, f"{old!r} starts {len(starts)} lines"
        text = text[:starts[0]] + new + text[starts[0] + len(old):]
    return survey(text)


def line_is(text: str, whole: str) -> int:
    """The 1-based line that is exactly ``whole`` (which must be on exactly one line)."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if line == whole]
    assert len(found) == 1, f"{whole!r} is on lines {found}"
    return found[0]


def one(text: str, fragment: str, marker: str | int, where: str | None = None):
    """The one problem containing ``fragment``; check it is on ``marker``'s line.

    ``marker`` is text on exactly one line, or the line number itself.
    """
    found = the_problem(text, fragment)
    line = marker if isinstance(marker, int) else line_with(text, marker)
    assert found.line == line, str(found)
    if where is not None:
        assert found.where == where, str(found)
    assert str(found).startswith(f"forms/test.yaml:{found.line}:")
    return found


# --- what a good file becomes -------------------------------------------------------------

def test_good_consent_support_and_exit_page_build_the_model():
    text = survey(GOOD)
    built = load(text)
    assert built.exit_url == "https://www.bbc.co.uk/weather"
    assert built.support == SupportInfo(
        intro="You don't have to deal with it alone.",
        contacts=(SupportContact(name="Childline",
                                 description="Free, private help for anyone under 19.",
                                 phone="0800 1111", url="https://www.childline.org.uk"),
                  SupportContact(name="Shout", text="Text SHOUT to 85258")))
    consent = built.consent
    assert isinstance(consent, ConsentSection)
    assert consent.line == line_with(text, "consent:")
    assert consent.sections == (
        InfoSection("what", "What is this project?",
                    "We are young people with care experience.\n\nWe want youth services to be better.",
                    line=line_is(text, "    - id: what")),
        InfoSection("section-2", "Your rights", "You can stop at any time.",
                    line=line_with(text, "- heading: Your rights")))
    assert consent.checks == (
        UnderstandingCheck("stop", "Can you stop at any time?",
                           (Choice("Yes", "Yes"), Choice("No", "No")), "Yes", "section-2",
                           line=line_with(text, "- id: stop")),
        UnderstandingCheck("check-2", "Will your name be on your answers?",
                           (Choice("y", "Yes"), Choice("n", "No", "We never ask your name")), "n",
                           line=line_with(text, "- question: Will your name")))
    assert consent.statements == (
        ConsentStatement("take_part", "I want to take part", True,
                         line=line_is(text, "    - id: take_part")),
        ConsentStatement("use_words", "You can use my words in the report. We won't use your name.",
                         False, line=line_with(text, "- id: use_words")))
    assert (consent.confirm, consent.ask_helped) == ("initials", False)
    under, easy = consent.variants
    assert isinstance(under, ConsentVariant)
    assert (under.id, under.label, under.statements) == ("under-16", "I am under 16", ())
    assert [s.id for s in under.sections] == ["what", "section-2"]
    assert under.line == line_with(text, "- id: under-16")
    assert (easy.id, easy.sections) == ("easy", ())
    assert [(s.id, s.required) for s in easy.statements] == [("take_part", True), ("ask_again", True)]


def test_defaults_and_nothing_in_extra():
    built = load(survey("""
        consent:
          information: [{heading: About this, text: A survey.}]
          statements: [{id: take_part, text: I want to take part}]
        """))
    consent = built.consent
    assert (consent.checks, consent.variants, consent.confirm, consent.ask_helped) == (
        (), (), "tick", True)
    assert consent.statements[0].required is True
    assert (built.support, built.exit_url, built.extra) == (None, DEFAULT_EXIT_URL, {})


def test_the_whole_definition_is_still_in_the_version_hash():
    base = load(survey(GOOD)).version
    assert load(survey(good(**{"text: I want to take part\n": "text: I want to join in\n"}))).version != base
    assert load(survey(good(**{"https://www.bbc.co.uk/weather": "https://www.bbc.co.uk"}))).version != base
    assert load(survey(good(**{"      phone: \"0800 1111\"": "      phone: 0800 1111"}))).version == base


def test_a_file_with_none_of_them_still_loads():
    built = load(survey(""))
    assert (built.consent, built.support, built.exit_url) == (None, None, DEFAULT_EXIT_URL)


# --- the example surveys ------------------------------------------------------------------

def _example(name: str):
    path = ROOT / "forms" / name
    return load_survey_file(path, question_types=TYPES, display_path=f"forms/{name}")


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_examples_have_consent_support_and_exit_page(path):
    built = _example(path.name)
    assert built.exit_url.startswith("https://")
    assert built.support and built.support.intro
    names = {c.name for c in built.support.contacts}
    assert {"Childline", "Shout", "Samaritans"} <= names
    consent = built.consent
    assert consent is not None and len(consent.sections) >= 7
    assert any(s.required for s in consent.statements)
    headings = " ".join(s.heading.lower() for s in consent.sections)
    for topic in ("what", "who", "answers", "anything", "choice", "questions"):
        assert topic in headings, topic
    assert "consent" not in built.extra and "support" not in built.extra


def test_example_support_contacts_are_the_real_numbers():
    contacts = {c.name: c for c in _example("have-your-say.yaml").support.contacts}
    assert contacts["Childline"].phone == "0800 1111"
    assert contacts["Childline"].url == "https://www.childline.org.uk"
    assert "under 19" in contacts["Childline"].description
    assert contacts["Shout"].text == "Text SHOUT to 85258"
    assert contacts["Samaritans"].phone == "116 123"
    assert contacts["Samaritans"].url == "https://www.samaritans.org"


def test_have_your_say_checks_understanding_and_has_an_under_16_version():
    consent = _example("have-your-say.yaml").consent
    ids = {s.id for s in consent.sections}
    assert 2 <= len(consent.checks) <= 3
    for check in consent.checks:
        assert check.answer in {c.value for c in check.choices}
        assert check.explained_in in ids
    [under] = consent.variants
    assert under.id == "under-16" and under.sections and not under.statements
    assert {c.explained_in for c in consent.checks} <= {s.id for s in under.sections}
    assert [s.required for s in consent.statements].count(False) >= 1


def test_event_feedback_is_short_and_uses_a_tick():
    consent = _example("event-feedback.yaml").consent
    assert consent.confirm == "tick" and not consent.checks and not consent.variants
    assert [s.id for s in consent.statements] == ["take_part"]


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_example_consent_words_are_short_and_plain(path):
    consent = _example(path.name).consent
    texts = [s.text for s in consent.statements]
    texts += [s.text for v in consent.variants for s in v.statements]
    assert all(len(t) <= 200 for t in texts)
    sections = list(consent.sections) + [s for v in consent.variants for s in v.sections]
    words = " ".join([s.heading + " " + s.text for s in sections] + texts)
    for word in ("placement", "looked-after", "looked after", "service user", "in care"):
        assert word not in words.lower(), word
    assert not re.search(r"\bLAC\b", words)
    for paragraph in re.split(r"\n\s*\n", words):  # short sentences: at most 20 words each
        for sentence in re.split(r"(?<=[.?!])\s+", paragraph):
            assert len(sentence.split()) <= 20, sentence


# --- the guide ----------------------------------------------------------------------------

def consent_guide_examples() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", CONSENT_GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_every_example_in_the_consent_guide_is_valid_yaml():
    examples = consent_guide_examples()
    assert len(examples) >= 8
    for example in examples:
        yaml.safe_load(example)


def test_the_consent_guides_complete_example_loads():
    complete = consent_guide_examples()[0]
    built = load_survey_text(complete, path="forms/our-project.yaml", question_types=TYPES)
    assert built.consent.checks and built.consent.variants and built.support.contacts
    assert built.exit_url == "https://www.bbc.co.uk/weather"


def test_the_consent_guides_parts_load_inside_a_survey():
    examples = consent_guide_examples()
    support = next(e for e in examples if e.startswith("support:"))
    assert load(survey(support)).support.contacts[1].text == "Text SHOUT to 85258"
    exit_page = next(e for e in examples if e.startswith("exit_page:"))
    assert load(survey(exit_page)).exit_url
    versions = next(e for e in examples if e.lstrip().startswith("versions:"))
    consent = ("consent:\n  information: [{id: rights, heading: Rights, text: Stop any time.}]\n"
               "  statements: [{id: take_part, text: I agree}]\n" + versions)
    assert load(survey(consent)).consent.variants[0].statements[0].text == "I want to do this survey."


def test_the_consent_guides_example_messages_match_what_the_loader_says():
    guide = CONSENT_GUIDE.read_text(encoding="utf-8")
    text = with_good(("    - id: stop\n", "    - id: can-stop\n"),
                     ('      answer: "Yes"\n', "      answer: yes\n"),
                     ("      required: false\n", "      required: no\n"))
    found = problems(text)
    assert len(found) == 2
    for problem in found:
        assert f"{problem.where}: {problem.message}" in guide


def test_survey_files_guide_links_to_the_consent_guide():
    guide = (ROOT / "docs" / "survey-files.md").read_text(encoding="utf-8")
    assert "(consent.md)" in guide


# --- exit_page and web addresses ----------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://www.bbc.co.uk/weather", "http://example.org", "HTTPS://WWW.BBC.CO.UK",
    "https://www.bbc.co.uk/weather?x=1#y", "http://localhost:5000", "https://[::1]/x",
    "https://bücher.de",
])
def test_good_web_addresses(url):
    assert url_problem(url) is None


@pytest.mark.parametrize("url, fragment", [
    ("www.bbc.co.uk", "Write 'https://www.bbc.co.uk'"),
    ("bbc.co.uk/weather", "Write 'https://bbc.co.uk/weather'"),
    ("//www.bbc.co.uk", "Write 'https://www.bbc.co.uk'"),
    ("javascript:alert(1)", "isn't a link to a web page"),
    ("mailto:research@example.org", "isn't a link to a web page"),
    ("ftp://example.org", "isn't a link to a web page"),
    ("https://", "isn't a complete web address"),
    ("https:www.bbc.co.uk", "isn't a complete web address"),
    ("https://childline", "isn't a complete web address"),
    ("https://me@www.bbc.co.uk", "isn't a complete web address"),
    ("https://www.bbc.co.uk:port", "isn't a complete web address"),
    ("https://exa..mple.org", "isn't a complete web address"),
    ("https://[::1", "isn't a web address that works"),
    ("https://www.bbc .co.uk", "has a space or a hidden character"),
    ("https://www.bbc.co.uk/\x00", "has a space or a hidden character"),
    ('https://example.org/"onclick', "has one of these in it"),
])
def test_bad_web_addresses(url, fragment):
    assert fragment in (url_problem(url) or "")


def test_exit_page_that_is_not_a_web_address():
    text = survey("exit_page: www.bbc.co.uk/weather\n")
    found = one(text, "starts with https://", "exit_page:", where="")
    assert str(found) == ("forms/test.yaml:3: 'exit_page': a web address starts with https://. "
                          "Write 'https://www.bbc.co.uk/weather'.")


@pytest.mark.parametrize("value, fragment", [
    ("", "'exit_page' is empty"),
    ("true", "should be a web address"),
    ("[https://www.bbc.co.uk]", "should be a web address"),
    ("javascript:history.back()", "isn't a link to a web page"),
])
def test_exit_page_problems(value, fragment):
    one(survey(f"exit_page: {value}\n"), fragment, "exit_page:")


def test_a_misspelt_exit_page_gets_a_did_you_mean():
    text = survey("exit_url: https://www.bbc.co.uk\n")
    one(text, "did you mean 'exit_page'?", "exit_url:")
    text = survey("exit_pgae: https://www.bbc.co.uk\n")
    one(text, "did you mean 'exit_page'?", "exit_pgae:")


# --- support ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, fragment", [
    ("", "'support:' is empty"),
    ("Childline 0800 1111", "should be a group of settings"),
    ("[Childline]", "should be a group of settings"),
])
def test_support_must_be_a_group(value, fragment):
    found = one(survey(f"support: {value}\n"), fragment, "support:", where="")
    assert "docs/consent.md" in found.message


def test_support_needs_an_intro():
    text = survey("support:\n  contacts: [{name: Childline, phone: 0800 1111}]\n")
    one(text, "needs 'intro:'", "support:", where="support")
    text = survey("support:\n  intro: ''\n")
    one(text, "needs 'intro:'", "intro:", where="support")


def test_support_unknown_keys():
    text = with_good(("  intro: You don't", "  itnro: You don't"))
    one(text, "unknown setting 'itnro' — did you mean 'intro'?", "itnro:", where="support")
    text = with_good(("  contacts:\n    - name: Childline", "  helplines:\n    - name: Childline"))
    one(text, "did you mean 'contacts'?", "helplines:", where="support")


def test_contact_problems():
    text = with_good(("      phone: \"0800 1111\"", "      phnoe: \"0800 1111\""),
                     ("      text: Text SHOUT", "      txet: Text SHOUT"))
    one(text, "did you mean 'phone'?", "phnoe:", where="support contact 'Childline'")
    one(text, "did you mean 'text'?", "txet:", where="support contact 'Shout'")
    one(text, "say how to reach this contact", "- name: Shout", where="support contact 'Shout'")
    text = with_good(("      url: https://www.childline.org.uk", "      website: https://www.childline.org.uk"))
    one(text, "did you mean 'url'?", "website:")


def test_contact_needs_a_name_and_a_web_address_that_works():
    text = with_good(("    - name: Shout\n", "    - description: A text line\n"))
    one(text, "this contact has no name", "- description: A text line", where="support contact 2")
    text = with_good(("      url: https://www.childline.org.uk", "      url: www.childline.org.uk"))
    found = one(text, "Write 'https://www.childline.org.uk'", "url: www.childline",
                where="support contact 'Childline'")
    assert found.message.startswith("'url': ")


@pytest.mark.parametrize("value, fragment", [
    ("[]", "'contacts' has nothing in it yet. Add the"),
    ("Childline", "'contacts' should be a list"),
])
def test_contacts_must_be_a_list(value, fragment):
    text = survey(f"support:\n  intro: Hi.\n  contacts: {value}\n")
    one(text, fragment, "contacts:", where="support")


def test_contact_that_is_not_a_group():
    text = survey("support:\n  intro: Hi.\n  contacts:\n    - Childline 0800 1111\n")
    one(text, "each contact should be a group", "- Childline", where="support contact 1")


# --- consent: its shape -------------------------------------------------------------------

@pytest.mark.parametrize("value, fragment", [
    ("", "'consent:' is empty"),
    ("I agree", "should be a group of settings"),
    ("true", "should be a group of settings"),
])
def test_consent_must_be_a_group(value, fragment):
    one(survey(f"consent: {value}\n"), fragment, "consent:", where="")


def test_consent_needs_information_and_statements():
    text = survey("consent:\n  confirm_with: tick\n")
    found = problems(text)
    assert {p.line for p in found} == {line_with(text, "consent:")}
    assert any("there is no 'information:'" in p.message for p in found)
    assert any("there is no 'statements:'" in p.message and "I want to take part" in p.message
               for p in found)
    assert all(p.where == "consent" for p in found)


@pytest.mark.parametrize("key", ["information", "statements", "check_understanding", "versions"])
@pytest.mark.parametrize(("value", "said"), [("Some words", "should be a list of"),
                                             ("{a: 1}", "should be a list of"),
                                             ("[]", "has nothing in it yet. Add the")])
def test_consent_lists_must_be_lists(key, value, said):
    text = with_good((f"  {key}:\n", f"  {key}: {value}\n  old_{key}:\n"))
    one(text, f"'{key}' {said}", f"  {key}: {value}".rstrip(), where="consent")


def test_statements_with_nothing_under_them_say_what_to_add():
    text = survey("consent:\n  information:\n    - heading: What\n      text: We ask.\n"
                  "  statements:\n")
    found = one(text, "'statements' has nothing in it yet", "  statements:", where="consent")
    assert "each starting with '- id:'" in found.message and "should be a list" not in found.message


def test_consent_unknown_keys_did_you_mean():
    text = with_good(("  statements:\n", "  statments:\n"), ("  confirm_with:", "  confirm:"),
                     ("  check_understanding:", "  quiz:"))
    one(text, "unknown setting 'statments' — did you mean 'statements'?", "statments:",
        where="consent")
    one(text, "did you mean 'confirm_with'?", "  confirm:", where="consent")
    one(text, "did you mean 'check_understanding'?", "quiz:", where="consent")


def test_unknown_key_with_nothing_close_lists_what_consent_can_have():
    text = with_good(("  ask_if_helped: false", "  colour: blue"))
    found = one(text, "unknown setting 'colour'", "colour:")
    assert "information, check_understanding, statements" in found.message


# --- sections -----------------------------------------------------------------------------

def test_section_needs_heading_and_text():
    text = with_good(("      heading: What is this project?\n", ""),
                     ("      text: You can stop at any time.\n", ""))
    one(text, "this section has no heading", line_is(text, "    - id: what"),
        where="information section 'what'")
    one(text, "this section has no text", "- heading: Your rights",
        where="information section 2")


def test_section_heading_that_is_empty_or_a_list():
    text = with_good(("      heading: What is this project?", "      heading:"),
                     ("    - heading: Your rights", "    - heading: [Your, rights]"))
    one(text, "this section has no heading", line_is(text, "      heading:"),
        where="information section 'what'")
    one(text, "'heading' should be words, not a list", "- heading: [Your",
        where="information section 2")


def test_section_unknown_key_did_you_mean():
    text = with_good(("      heading: What is this project?", "      title: What is this project?"))
    one(text, "unknown setting 'title' — did you mean 'heading'?", "title: What is this",
        where="information section 'what'")


def test_section_that_is_not_a_group():
    text = with_good(("    - heading: Your rights\n      text: You can stop at any time.\n",
                      "    - You can stop at any time.\n"))
    one(text, "each section should be a group", "- You can stop", where="information section 2")


def test_duplicate_section_ids():
    text = with_good(("    - heading: Your rights", "    - id: what\n      heading: Your rights"),
                     ("      explained_in: section-2", "      explained_in: what"))
    found = one(text, "already has the id 'what'", line_with(text, "heading: Your rights") - 1,
                where="information section 'what'")
    first = line_with(text, "heading: What is this project?") - 1
    assert f"the section on line {first} already" in found.message


def test_default_section_id_clashes_with_a_written_one():
    text = with_good(("    - id: what\n", "    - id: section-2\n"),
                     ("    - heading: Your rights", "    - heading: Your rights"))
    found = one(text, "so it is called 'section-2'", "- heading: Your rights",
                where="information section 2")
    assert "Give one of them another id" in found.message


@pytest.mark.parametrize("value, fragment", [
    ("my section", "Try 'my_section'"),
    ("2nd", "can't be used"),
    ("''", "'id:' is empty"),
])
def test_section_id_format(value, fragment):
    text = with_good(("    - id: what\n", f"    - id: {value}\n"))
    one(text, fragment, f"    - id: {value}\n".rstrip("\n"))


# --- checks -------------------------------------------------------------------------------

def test_check_with_one_choice():
    text = with_good(("      choices: [Yes, No]", "      choices: [Yes]"))
    found = one(text, "at least 2 choices", "choices: [Yes]", where="check 'stop'")
    assert "choices: [Yes, No]" in found.message


def test_check_without_choices_question_or_answer():
    text = with_good(("      question: Can you stop at any time?\n      choices: [Yes, No]\n"
                      "      answer: \"Yes\"\n", ""))
    for fragment in ("no question", "no choices", "no answer"):
        one(text, fragment, "- id: stop", where="check 'stop'")


def test_answer_not_among_the_choices_did_you_mean():
    text = with_good(('      answer: "Yes"', "      answer: yes"))
    found = one(text, "isn't one of the choices — did you mean 'Yes'?", "answer: yes",
                where="check 'stop'")
    assert str(found) == (f"forms/test.yaml:{found.line}: check 'stop': the answer 'yes' isn't "
                          "one of the choices — did you mean 'Yes'?")


def test_answer_with_nothing_close_lists_the_choices():
    text = with_good(('      answer: "Yes"', "      answer: Maybe"))
    one(text, "The choices are 'Yes' or 'No'", "answer: Maybe")


def test_answer_that_is_a_label_says_write_the_value():
    text = with_good(("      answer: n\n", "      answer: \"No\"\n"))
    one(text, "Write that choice's value instead: 'answer: n'", 'answer: "No"', where="check 2")


@pytest.mark.parametrize("value, fragment", [
    ("", "'answer:' is empty"),
    ("true", "should be one of the choices"),
    ("[Yes]", "should be one of the choices"),
])
def test_answer_that_is_not_a_word(value, fragment):
    text = with_good(('      answer: "Yes"', f"      answer: {value}"))
    one(text, fragment, line_is(text, f"      answer: {value}"), where="check 'stop'")


def test_duplicate_choice_values_in_a_check():
    text = with_good(("      choices: [Yes, No]", "      choices: [Yes, Yes]"))
    one(text, "same value 'Yes' as choice 1", "choices: [Yes, Yes]", where="choice 2 of check 'stop'")


def test_explained_in_must_be_a_section_id_did_you_mean():
    text = with_good(("      explained_in: section-2", "      explained_in: wht"))
    found = one(text, "no information section has that id — did you mean 'what'?",
                "explained_in: wht", where="check 'stop'")
    assert "'explained_in' says 'wht'" in found.message


def test_explained_in_with_nothing_close_lists_the_sections():
    text = with_good(("      explained_in: section-2", "      explained_in: payment"))
    one(text, "The sections are 'what' or 'section-2'", "explained_in: payment")


@pytest.mark.parametrize("value", ["", "[rights]", "true"])
def test_explained_in_that_is_not_an_id(value):
    text = with_good(("      explained_in: section-2", f"      explained_in: {value}"))
    one(text, "should be the id of the information section", "explained_in:")


def test_duplicate_check_ids_and_unknown_check_key():
    text = with_good(("    - question: Will your name", "    - id: stop\n      question: Will your name"),
                     ("      explained_in: section-2", "      explain: section-2"))
    [dup] = [p for p in problems(text) if "already has the id 'stop'" in p.message]
    assert dup.line == line_with(text, "question: Will your name") - 1
    assert dup.where == "check 'stop'"
    one(text, "did you mean 'explained_in'?", "explain: section-2", where="check 'stop'")


def test_check_that_is_not_a_group():
    text = with_good(("    - question: Will your name be on your answers?\n",
                      "    - Is it private?\n    - question: Will your name be on your answers?\n"))
    one(text, "each check should be a group", "- Is it private?", where="check 2")


# --- statements ---------------------------------------------------------------------------

def test_no_required_statement():
    text = with_good(("      text: I want to take part\n",
                      "      text: I want to take part\n      required: false\n"))
    one(text, "Add a statement people must agree to, like 'I want to take part'",
        line_is(text, "  statements:"), where="consent")


def test_statement_problems():
    text = with_good(("    - id: take_part\n      text: I want to take part\n",
                      "    - id: take part\n      txt: I want to take part\n      optional: true\n"),
                     ("      required: false\n", "      required: no\n"))
    one(text, "Try 'take_part'", "- id: take part")
    one(text, "did you mean 'text'?", "txt:", where="statement 'take part'")
    one(text, "write 'required: false' instead of 'optional'", "optional: true")
    one(text, "this statement has no text", "- id: take part")
    one(text, "'required' must be true or false, not 'no'", "required: no",
        where="statement 'use_words'")


def test_statement_needs_an_id():
    text = with_good(("    - id: use_words\n", "    - required: true\n"),
                     ("      required: false\n", ""))
    one(text, "this statement has no id", "- required: true", where="statement 2")


def test_duplicate_statement_ids():
    text = with_good(("    - id: use_words", "    - id: take_part"))
    [dup] = [p for p in problems(text) if "already has the id 'take_part'" in p.message]
    assert dup.where == "statement 'take_part'"
    assert dup.line == line_with(text, "We won't use your name") - 1


def test_statement_that_is_not_a_group():
    text = with_good(("    - id: use_words\n      text: You can use my words in the report. We won't "
                      "use your name.\n      required: false\n", "    - I agree\n"))
    one(text, "each statement should be a group", "- I agree", where="statement 2")


# --- confirm_with and ask_if_helped -------------------------------------------------------

@pytest.mark.parametrize("value, hint", [
    ("initial", " — did you mean 'initials'?"),
    ("signature", " — did you mean 'initials'?"),
    ("Tick", " — did you mean 'tick'?"),
    ("both", "."),
    ("true", "."),
])
def test_confirm_with_must_be_tick_or_initials(value, hint):
    text = with_good(("  confirm_with: initials", f"  confirm_with: {value}"))
    found = one(text, "'confirm_with' must be tick", "confirm_with:", where="consent")
    assert found.message.endswith(hint)


@pytest.mark.parametrize("value", ["yes", "1", "''"])
def test_ask_if_helped_must_be_true_or_false(value):
    text = with_good(("  ask_if_helped: false", f"  ask_if_helped: {value}"))
    found = one(text, "'ask_if_helped' must be true or false", "ask_if_helped:", where="consent")
    assert "Write 'ask_if_helped: true' or 'ask_if_helped: false'" in found.message


# --- versions -----------------------------------------------------------------------------

def test_version_adding_a_required_statement_is_fine():
    built = load(with_good(("          text: You can ask me again next year",
                            "          text: You can ask me again next year\n"
                            "        - id: parent_knows\n          text: An adult I trust knows")))
    assert [s.id for s in built.consent.variants[1].statements] == [
        "take_part", "ask_again", "parent_knows"]


def test_version_statement_ids_must_be_unique():
    text = with_good(("        - id: ask_again", "        - id: take_part"))
    [dup] = [p for p in problems(text) if "already has the id 'take_part'" in p.message]
    assert dup.where == "statement 'take_part' of version 'easy'"
    assert dup.line == line_with(text, "text: You can ask me again") - 1


def test_version_needs_a_required_statement():
    text = with_good(("          text: Yes, I want to do this",
                      "          text: Yes, I want to do this\n          required: false"),
                     ("          text: You can ask me again next year",
                      "          text: You can ask me again next year\n          required: false"))
    [problem] = [p for p in problems(text) if "must agree to" in p.message]
    assert problem.where == "version 'easy'"
    assert problem.line == line_with(text, "id: easy") + 2


def test_duplicate_version_ids_and_missing_label():
    text = with_good(("    - id: easy\n      label: Short words, please\n", "    - id: under-16\n"))
    [dup] = [p for p in problems(text) if "already has the id 'under-16'" in p.message]
    first, second = [n for n, line in enumerate(text.splitlines(), 1) if line == "    - id: under-16"]
    assert dup.line == second and f"the version on line {first} already" in dup.message
    assert dup.where == "version 'under-16'"
    assert any("this version has no label" in p.message and p.line == dup.line
               for p in problems(text))


def test_version_needs_an_id():
    text = with_good(("    - id: easy\n      label: Short", "    - label: Short"))
    one(text, "this version has no id", "- label: Short", where="version 2")


def test_version_keys():
    text = with_good(("      label: Short words, please", "      label: Short words, please\n"
                      "      confirm_with: tick\n      lable: Easy"))
    one(text, "is the same for every version", line_is(text, "      confirm_with: tick"),
        where="version 'easy'")
    one(text, "did you mean 'label'?", "lable: Easy", where="version 'easy'")


def test_version_sections_follow_the_same_rules():
    text = with_good(("          heading: What is this?\n", ""))
    one(text, "this section has no heading", "        - id: what",
        where="information section 'what' of version 'under-16'")


def test_a_wrong_explained_in_is_reported_once_not_again_for_each_version():
    text = with_good(("      explained_in: section-2", "      explained_in: nope"))
    assert [p.where for p in problems(text)] == ["check 'stop'"]


def test_version_information_must_have_the_sections_checks_point_to():
    text = with_good(("        - id: section-2\n", "        - id: rights\n"))
    found = one(text, "check 'stop' shows the section 'section-2'",
                line_with(text, "label: I am under 16") + 1, where="version 'under-16'")
    assert "'id: section-2'" in found.message


@pytest.mark.parametrize(("value", "said"), [("[]", "has nothing in it yet"),
                                             ("None of these", "should be a list")])
def test_version_lists_say_how_to_use_the_main_ones(value, said):
    text = with_good(("      statements:\n        - id: take_part\n          text: Yes, I want to do this\n"
                      "        - id: ask_again\n          text: You can ask me again next year\n",
                      f"      statements: {value}\n"))
    found = one(text, f"'statements' {said}", f"statements: {value}", where="version 'easy'")
    assert "To use the same statements as the main version" in found.message


def test_version_that_is_not_a_group():
    text = with_good(("    - id: easy\n      label: Short words, please\n", "    - Easy words\n"),
                     ("      statements:\n        - id: take_part\n          text: Yes, I want to do this\n"
                      "        - id: ask_again\n          text: You can ask me again next year\n", ""))
    one(text, "each version should be a group", "- Easy words", where="version 2")


# --- every problem names the file, the line and where -------------------------------------

def test_every_problem_in_a_broken_consent_has_a_line_and_a_fix():
    text = with_good(("  intro: You don't have to deal with it alone.\n", ""),
                     ("      url: https://www.childline.org.uk", "      url: childline"),
                     ("      heading: What is this project?\n", ""),
                     ('      answer: "Yes"', "      answer: maybe"),
                     ("      explained_in: section-2", "      explained_in: nope"),
                     ("  confirm_with: initials", "  confirm_with: pen"),
                     ("  ask_if_helped: false", "  ask_if_helped: sometimes"),
                     ("    - id: easy", "    - id: under-16"))
    found = problems(text)
    assert len(found) >= 8
    lines = text.splitlines()
    for problem in found:
        assert problem.path == "forms/test.yaml" and 0 < problem.line <= len(lines)
        assert problem.severity == "error"
        assert problem.message[-1] in ".?'" and len(problem.message) > 30


# --- nothing but SurveyError, whatever the input -------------------------------------------

CONSENT_KEYS = st.sampled_from(["information", "check_understanding", "statements", "confirm_with",
                                "ask_if_helped", "versions", "id", "heading", "text", "question",
                                "choices", "answer", "explained_in", "required", "label", "intro",
                                "contacts", "name", "phone", "url", "description", "value"])
CONSENT_NESTED = st.recursive(
    SCALARS | st.sampled_from(["tick", "initials", "https://x.org", "Yes", "section-1", "a"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(CONSENT_KEYS | st.integers(), inner,
                                                                max_size=6),
    max_leaves=40)
SECTION = st.fixed_dictionaries({}, optional={"id": st.sampled_from(["a", "b", "section-1", "", "2x"]),
                                              "heading": SCALARS, "text": SCALARS})
STATEMENT = st.fixed_dictionaries({}, optional={"id": st.sampled_from(["a", "b", "take part", ""]),
                                                "text": SCALARS, "required": SCALARS})
CHECK = st.fixed_dictionaries({}, optional={
    "id": st.sampled_from(["a", "b", ""]), "question": SCALARS,
    "choices": st.lists(SCALARS | CONSENT_NESTED, max_size=3),
    "answer": SCALARS | st.sampled_from(["Yes", "a"]),
    "explained_in": SCALARS | st.sampled_from(["a", "b", "section-1"])})
CONSENT = st.fixed_dictionaries({}, optional={
    "information": st.lists(SECTION | CONSENT_NESTED, max_size=3),
    "statements": st.lists(STATEMENT | CONSENT_NESTED, max_size=3),
    "check_understanding": st.lists(CHECK | CONSENT_NESTED, max_size=3),
    "confirm_with": SCALARS | st.sampled_from(["tick", "initials"]),
    "ask_if_helped": SCALARS,
    "versions": st.lists(st.fixed_dictionaries({}, optional={
        "id": st.sampled_from(["v", "w", ""]), "label": SCALARS,
        "information": st.lists(SECTION, max_size=2),
        "statements": st.lists(STATEMENT, max_size=2)}) | CONSENT_NESTED, max_size=3),
    "other": CONSENT_NESTED})
SUPPORT = st.fixed_dictionaries({}, optional={
    "intro": SCALARS, "contacts": st.lists(st.fixed_dictionaries({}, optional={
        "name": SCALARS, "phone": SCALARS, "url": SCALARS | st.text(max_size=30),
        "text": SCALARS, "description": SCALARS}) | CONSENT_NESTED, max_size=3)})
CONSENTISH = st.fixed_dictionaries(
    {"title": st.just("T"), "description": st.just("D"),
     "questions": st.just([{"id": "a", "type": "short_text", "label": "A"}])},
    optional={"consent": CONSENT | NESTED, "support": SUPPORT | NESTED,
              "exit_page": SCALARS | st.text(max_size=40) | st.sampled_from(
                  ["https://x.org", "www.x.org", "javascript:x", "https://[::1"])})


@FUZZ
@given(CONSENTISH)
def test_consent_shaped_data_gives_a_survey_or_survey_error(data):
    assert_loads_or_explains(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


@FUZZ
@given(st.text(max_size=80))
def test_any_text_as_a_web_address_gives_a_message_or_none(url):
    found = url_problem(url)
    assert found is None or (isinstance(found, str) and found)
    if found is None:
        assert url.lower().startswith(("http://", "https://"))


def _good_data():
    return plain(parse_yaml(Context("x"), survey(GOOD)))


def _paths(data, at=()):
    """Every place in ``data``: a tuple of keys and list indexes."""
    found = [at]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, at + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, at + (index,))
    return found


GOOD_DATA = _good_data()
GOOD_PATHS = [p for p in _paths(GOOD_DATA) if p and p[0] in ("consent", "support", "exit_page")]


def _changed(data, path, value, delete):
    data = copy.deepcopy(data)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return data


@FUZZ
@given(st.sampled_from(GOOD_PATHS), NESTED | CONSENT_NESTED, st.booleans())
def test_a_good_consent_with_one_thing_changed_gives_a_survey_or_survey_error(path, value, delete):
    data = _changed(GOOD_DATA, path, value, delete)
    assert_loads_or_explains(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_the_good_consent_data_round_trips():
    assert load(yaml.safe_dump(GOOD_DATA, allow_unicode=True, sort_keys=False)).consent.variants
