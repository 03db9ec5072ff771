"""A survey's own words in several languages: reading them, choosing the language, translators' files."""

from __future__ import annotations

import re

import click
import consent_kit_plugins.translation as translation_plugin
import pytest
from click.testing import CliRunner

from consent_kit import SurveyError, translations
from consent_kit.cli import cli as core_cli
from consent_kit.i18n.localize import completeness, languages, localize, survey_texts
from consent_kit.i18n.survey_po import PoImportError, export_po, import_po
from consent_kit.plugins import make_plugin_manager
from consent_kit.registry import collect_question_types
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.testing import Participant

SURVEY = """\
id: moving-on
title: {en: Moving on, cy: Symud ymlaen, ar: الانتقال}
description:
  en: Tell us about moving on.
  cy: Dywedwch wrthon ni am symud ymlaen.
  ar: أخبرنا عن الانتقال.
consent:
  information:
    - id: about
      heading: {en: "What is this?", cy: "Beth yw hwn?", ar: "ما هذا؟"}
      text:
        en: A short survey.
        cy: Arolwg byr.
        ar: استبيان قصير.
  statements:
    - id: take_part
      text: {en: I want to take part., cy: Rydw i eisiau cymryd rhan., ar: أريد المشاركة.}
questions:
  - id: feel
    type: single_choice
    label: {en: "How do you feel?", cy: "Sut ydych chi'n teimlo?", ar: "كيف تشعر؟"}
    help: {en: Pick one., cy: Dewiswch un.}
    choices:
      - {value: good, label: {en: Good, cy: Da, ar: جيد}}
      - {value: bad, label: {en: Not good, cy: Ddim yn dda, ar: ليس جيدًا}}
  - id: how_much
    type: scale
    label: {en: "How much?", cy: "Faint?", ar: "كم؟"}
    min: 1
    max: 5
    min_label: {en: Not at all, cy: Dim o gwbl, ar: أبدًا}
    max_label: {en: A lot, cy: Llawer, ar: كثيرًا}
"""


@pytest.fixture(scope="module")
def types():
    return collect_question_types(make_plugin_manager(load_entrypoints=False))


def load(text: str, types, path: str = "moving-on.yaml"):
    return load_survey_text(text, path=path, question_types=types)


# -- reading texts in several languages ------------------------------------------------


def test_the_model_keeps_the_surveys_own_language_and_knows_the_others(types):
    survey = load(SURVEY, types)
    assert survey.title == "Moving on"
    assert survey.questions[0].label == "How do you feel?"
    assert survey.questions[0].label.translations == {"cy": "Sut ydych chi'n teimlo?", "ar": "كيف تشعر؟"}
    assert survey.questions[0].label.key == "questions.feel.label"
    assert survey.questions[0].choices[1].label.key == "questions.feel.choices.bad.label"
    assert languages(survey) == ("en", "ar", "cy")


def test_localize_swaps_words_and_never_values(types):
    survey = load(SURVEY, types)
    welsh = localize(survey, "cy")
    assert welsh.title == "Symud ymlaen" and welsh.title.lang == "cy"
    question = welsh.questions[0]
    assert [c.label for c in question.choices] == ["Da", "Ddim yn dda"]
    assert [c.value for c in question.choices] == ["good", "bad"]
    assert question.id == "feel" and welsh.version == survey.version
    assert welsh.consent.statements[0].text == "Rydw i eisiau cymryd rhan."
    assert welsh.questions[1].options["min_label"] == "Dim o gwbl"
    assert localize(survey, "en") is survey
    assert localize(survey, "cy") is welsh  # kept per version and language


def test_a_missing_translation_falls_back_for_that_text_only_and_says_its_language(types):
    arabic = localize(load(SURVEY, types), "ar")
    assert arabic.questions[0].label == "كيف تشعر؟" and arabic.questions[0].label.lang == "ar"
    assert arabic.questions[0].help == "Pick one." and arabic.questions[0].help.lang == "en"


def test_a_survey_written_in_welsh_reads_plain_strings_as_welsh(types):
    survey = load("title: Helo\ndescription: {cy: Arolwg, en: A survey}\nlanguage: cy\n"
                  "questions:\n  - {id: a, type: short_text, label: \"Enw?\"}\n", types, "helo.yaml")
    assert survey.description == "Arolwg"
    english = localize(survey, "en")
    assert english.description == "A survey" and english.title == "Helo" and english.title.lang == "cy"


@pytest.mark.parametrize("label, message", [
    ("{cy: Helo}", "'label' has no words in 'en', the survey's own language"),
    ("{en: Hi, xx: Helo}", "'label' has 'xx', which isn't a language code"),
    ("{en: Hi, cy: [a, b]}", "'label' in 'cy' should be words"),
])
def test_mistakes_in_languages_name_the_file_line_and_fix(types, label, message):
    text = f"title: T\ndescription: D\nquestions:\n  - id: a\n    type: short_text\n    label: {label}\n"
    with pytest.raises(SurveyError) as caught:
        load(text, types, "forms/bad.yaml")
    [problem] = caught.value.problems
    assert problem.path == "forms/bad.yaml" and problem.line == 6
    assert message in problem.message


def test_completeness_lists_what_is_missing_per_language(types):
    survey = load(SURVEY, types)
    report = {row.language: row for row in completeness(survey)}
    assert set(report) == {"ar", "cy"}
    assert report["cy"].missing == () and report["cy"].percent == 100
    assert [t.key for t in report["ar"].missing] == ["questions.feel.help"]
    assert report["ar"].done == report["ar"].total - 1 and report["ar"].percent < 100
    [polish] = completeness(survey, "pl")
    assert polish.done == 0 and len(polish.missing) == len(survey_texts(survey))


def test_other_features_keys_pass_through_untouched(types):
    survey = load(SURVEY.replace("id: moving-on\n", "id: moving-on\ntranslations: {note: kept}\n"), types)
    assert survey.extra == {"translations": {"note": "kept"}}
    assert localize(survey, "cy").extra == survey.extra


# -- .po files for a translator ---------------------------------------------------------


def test_po_export_then_import_changes_nothing(types):
    survey = load(SURVEY, types)
    for lang in ("cy", "ar", "pl"):
        result = import_po(survey, export_po(survey, lang))
        assert result.definition == survey.definition
        assert not result.changed_since and not result.unknown


def test_a_translators_po_file_adds_a_language(types):
    survey = load(SURVEY, types)
    po = export_po(survey, "pl").decode()
    assert 'msgctxt "questions.feel.label"' in po and 'msgid "How do you feel?"' in po
    po = po.replace('msgid "How do you feel?"\nmsgstr ""',
                    'msgid "How do you feel?"\nmsgstr "Jak się czujesz?"')
    result = import_po(survey, po.encode())
    assert result.added == 1 and result.language == "pl"
    again = load(translations.definition_yaml(result.definition), types)
    assert localize(again, "pl").questions[0].label == "Jak się czujesz?"
    assert localize(again, "cy").questions[0].label == "Sut ydych chi'n teimlo?"  # others kept


def test_a_plain_text_gains_its_translation_in_the_survey_file(types):
    text = 'title: Hello\ndescription: Hi\nquestions:\n  - {id: a, type: short_text, label: "Name?"}\n'
    survey = load(text, types, "hello.yaml")
    po = export_po(survey, "cy").decode().replace('msgid "Name?"\nmsgstr ""', 'msgid "Name?"\nmsgstr "Enw?"')
    result = import_po(survey, po.encode())
    assert result.definition["questions"][0]["label"] == {"en": "Name?", "cy": "Enw?"}


def test_a_translation_of_words_that_changed_since_is_left_out(types):
    survey = load(SURVEY, types)
    po = export_po(survey, "pl").decode().replace('msgid "Pick one."\nmsgstr ""',
                                                  'msgid "Pick two."\nmsgstr "Wybierz dwa."')
    result = import_po(survey, po.encode())
    assert result.changed_since == ["questions.feel.help"] and result.added == 0


@pytest.mark.parametrize("data, words", [
    (b"", "The file is empty"),
    (b'msgid "a"\nmsgstr "b" "\n\x00\xff', "can't be read as a .po translation file"),
    (b"this is not a po file at all {", "can't be read as a .po translation file"),
])
def test_a_malformed_po_file_gets_a_clear_error(types, data, words):
    with pytest.raises(PoImportError, match=re.escape(words)):
        import_po(load(SURVEY, types), data)


def test_a_po_file_in_the_surveys_own_language_is_refused(types):
    survey = load(SURVEY, types)
    with pytest.raises(PoImportError, match="the survey's own language"):
        import_po(survey, export_po(survey, "en"))


# -- through HTTP: choosing the language -----------------------------------------------


@pytest.fixture
def app(make_app):
    return make_app(forms={"moving-on.yaml": SURVEY}, examples=False)


def page(client, url, **headers):
    response = client.get(url, headers=headers)
    return response.get_data(as_text=True)


def html_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


def test_lang_in_the_link_wins_and_is_remembered_for_the_visit(app):
    client = app.test_client()
    html = page(client, "/s/moving-on?lang=cy", **{"Accept-Language": "ar"})
    assert html_tag(html) == '<html lang="cy" dir="ltr">' and "Symud ymlaen" in html
    html = page(client, "/s/moving-on", **{"Accept-Language": "ar"})
    assert html_tag(html) == '<html lang="cy" dir="ltr">'


def test_the_browsers_language_then_the_surveys_own(app):
    assert html_tag(page(app.test_client(), "/s/moving-on", **{"Accept-Language": "ar, en;q=0.5"})) \
        == '<html lang="ar" dir="rtl">'
    assert html_tag(page(app.test_client(), "/s/moving-on", **{"Accept-Language": "fr"})) \
        == '<html lang="en" dir="ltr">'


def test_an_unknown_language_in_the_link_is_ignored(app):
    assert html_tag(page(app.test_client(), "/s/moving-on?lang=xx")) == '<html lang="en" dir="ltr">'


def test_the_switcher_names_each_language_in_itself_and_keeps_the_page(app):
    html = page(app.test_client(), "/s/moving-on?src=library&lang=ar")
    switcher = re.search(r'<nav class="languages".*?</nav>', html, re.S).group(0)
    assert '<a href="/s/moving-on?src=library&amp;lang=cy" hreflang="cy" lang="cy" dir="ltr">Cymraeg</a>' \
        in switcher
    assert 'lang="ar" dir="rtl" aria-current="true">العربية</span>' in switcher
    assert ">English</a>" in switcher


@pytest.mark.parametrize("lang, direction, title, statement", [
    ("cy", "ltr", "Symud ymlaen", "Rydw i eisiau cymryd rhan."),
    ("ar", "rtl", "الانتقال", "أريد المشاركة."),
])
def test_a_participant_completes_the_survey_and_consent_records_the_language(app, lang, direction,
                                                                             title, statement):
    client = app.test_client()
    start = client.get(f"/s/moving-on?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in start and title in start
    person = Participant(client)
    reference = person.complete("moving-on", {"feel": "good", "how_much": "3"})
    assert reference and f'<html lang="{lang}" dir="{direction}">' in person.html
    store = app.extensions["consent_kit"].store
    [response] = store.iter_responses("moving-on")
    assert response.answers["feel"] == "good" and response.meta["language"] == lang
    record = store.get_consent(response.pseudonym)
    assert record.language == lang
    shown = store.get_consent_text(record.consent_version)
    assert shown.language == lang and shown.statements[0][1] == statement
    assert shown.version == record.consent_version


def test_the_help_that_fell_back_is_marked_english_on_the_question_page(app):
    client = app.test_client()
    client.get("/s/moving-on?lang=ar")
    person = Participant(client)
    person.begin("moving-on")
    assert "كيف تشعر؟" in person.html
    assert '<p class="hint" id="feel-hint" lang="en" dir="ltr">Pick one.</p>' in person.html
    assert 'lang="en"' not in person.html.split('id="feel-hint"')[0].split("<main")[1]


# -- researchers: the Translations page and the commands --------------------------------


def commands():
    """The consent-kit command line with the plugin's commands, as ``consent-kit`` builds it."""
    group = click.Group(commands=dict(core_cli.commands))
    translation_plugin.register_commands(cli=group)
    return group


def test_cli_report_export_and_import(tmp_path):
    cli = commands()
    survey_file = tmp_path / "moving-on.yaml"
    survey_file.write_text(SURVEY, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["translations", "report", str(survey_file)])
    assert result.exit_code == 0, result.output
    assert "cy (Cymraeg): 12 of 12 texts (100%)" in result.output
    assert "missing: questions.feel.help" in result.output
    po_file = tmp_path / "pl.po"
    result = runner.invoke(cli, ["translations", "export", str(survey_file), "--lang", "pl",
                                 "--out", str(po_file)])
    assert result.exit_code == 0 and 'msgctxt "title"' in po_file.read_text(encoding="utf-8")
    po_file.write_text(po_file.read_text(encoding="utf-8").replace(
        'msgid "Moving on"\nmsgstr ""', 'msgid "Moving on"\nmsgstr "Dalej"'), encoding="utf-8")
    out = tmp_path / "new.yaml"
    result = runner.invoke(cli, ["translations", "import", str(survey_file), str(po_file),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "pl: Dalej" in out.read_text(encoding="utf-8")
    bad = tmp_path / "bad.po"
    bad.write_bytes(b"not a po file {")
    result = runner.invoke(cli, ["translations", "import", str(survey_file), str(bad)])
    assert result.exit_code == 1 and "can't be read as a .po translation file" in result.output


def test_plugins_command_lists_the_translation_plugin():
    result = CliRunner().invoke(core_cli, ["plugins"])
    assert result.exit_code == 0 and "translation" in result.output


def _admin(app):
    from consent_kit.testing import PASSWORD, Browser, populate

    populate(app)
    browser = Browser(app)
    browser.login("ada", PASSWORD)
    return browser


def test_studio_translations_page_download_and_upload(make_app):
    app = make_app(forms={"moving-on.yaml": SURVEY})
    browser = _admin(app)
    survey_page = browser.get("/studio/surveys/moving-on").get_data(as_text=True)
    assert 'href="/studio/surveys/moving-on/translations"' in survey_page
    html = browser.get("/studio/surveys/moving-on/translations").get_data(as_text=True)
    assert "Cymraeg" in html and "questions.feel.help" in html and "Polski" in html
    download = browser.get("/studio/surveys/moving-on/translations/pl.po")
    assert download.status_code == 200 and b'msgctxt "questions.feel.label"' in download.data
    filled = download.data.replace(b'msgid "Moving on"\nmsgstr ""', b'msgid "Moving on"\nmsgstr "Dalej"')
    from io import BytesIO

    sent = browser.post("/studio/surveys/moving-on/translations",
                        {"po_file": (BytesIO(filled), "pl.po")})
    assert sent.status_code == 200 and sent.mimetype == "application/yaml"
    assert "pl: Dalej" in sent.get_data(as_text=True)
    broken = browser.post("/studio/surveys/moving-on/translations",
                          {"po_file": (BytesIO(b"nonsense {"), "pl.po")})
    assert broken.status_code == 400
    assert "can&#39;t be read as a .po translation file" in broken.get_data(as_text=True)


def test_consent_given_in_one_language_holds_after_switching(app):
    client = app.test_client()
    client.get("/s/moving-on?lang=cy")
    person = Participant(client)
    person.begin("moving-on")
    assert "/consent" not in person.path
    question_page = person.path
    person.get(question_page + "?lang=en")
    assert person.path == question_page and "How do you feel?" in person.html
    person.answer_until_check({"feel": "bad", "how_much": "2"})
    person.send()
    store = app.extensions["consent_kit"].store
    [response] = store.iter_responses("moving-on")
    assert response.meta["language"] == "en"
    assert store.get_consent(response.pseudonym).language == "cy"


@pytest.mark.parametrize("name", ["have-your-say.yaml", "event-feedback.yaml"])
def test_the_example_surveys_are_wholly_in_welsh_and_arabic(name):
    from consent_kit import paths

    survey = translations.read_survey(paths.FORMS / name)
    report = {row.language: row for row in completeness(survey)}
    assert {"cy", "ar"} <= set(report)
    for lang in ("cy", "ar"):
        assert report[lang].missing == (), [t.key for t in report[lang].missing]


@pytest.mark.parametrize("lang, direction, statement", [
    ("cy", "ltr", "Rydw i eisiau cymryd rhan."),
    ("ar", "rtl", "أريد المشاركة."),
])
def test_the_example_survey_in_welsh_and_arabic_through_http(make_app, lang, direction, statement):
    app = make_app()
    client = app.test_client()
    client.get(f"/s/have-your-say?lang={lang}")
    person = Participant(client)
    person.begin("have-your-say")
    assert f'<html lang="{lang}" dir="{direction}">' in person.html
    assert 'lang="en"' not in person.html.split("<main")[1]  # nothing fell back to English
    person.answer_until_check({"age_group": "14-16", "care_experience": "no", "how_good": "5",
                               "trusted_adult": "no"})
    assert f'<html lang="{lang}" dir="{direction}">' in person.html
    assert person.send()
    store = app.extensions["consent_kit"].store
    [response] = store.iter_responses("have-your-say")
    assert response.answers["age_group"] == "14-16" and response.meta["language"] == lang
    record = store.get_consent(response.pseudonym)
    shown = store.get_consent_text(record.consent_version)
    assert record.language == shown.language == lang
    assert statement in [words for _id, words, _required in shown.statements]


def test_the_language_switcher_keeps_other_settings_and_changes_with_the_page():
    """Kept per page address and language: a different address or language gets its own links."""
    from consent_kit_plugins.translation.switcher import _switcher_html

    one = _switcher_html(("en", "cy"), "en", "/s/x", (("source", "ABC123"),), "Language")
    assert 'href="/s/x?source=ABC123&amp;lang=cy"' in one and 'aria-current="true">English' in one
    other = _switcher_html(("en", "cy"), "cy", "/s/y", (), "Iaith")
    assert 'href="/s/y?lang=en"' in other and 'aria-label="Iaith"' in other
