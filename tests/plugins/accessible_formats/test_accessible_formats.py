"""accessible_formats: display options, Easy Read, Listen, sign language, paper and print."""

from __future__ import annotations

import io
import re

import pytest
from accessible_support import PNG, formats_instance
from consent_kit_plugins.accessible_formats import options, speech
from markupsafe import Markup
from pypdf import PdfReader

from consent_kit import hookimpl
from consent_kit.app import create_app
from consent_kit.testing import Participant

SURVEY = "/s/formats-demo"
SETTINGS = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "CATALOG_CHECK_SECONDS": 0}
_CSS = re.compile(r'<link rel="stylesheet" href="([^"]+)">')


@pytest.fixture
def app(tmp_path):
    return create_app(SETTINGS, instance=formats_instance(tmp_path / "instance"),
                      load_entrypoints=False)


@pytest.fixture
def person(app):
    return Participant(app.test_client())


def choose(person, *names, back=SURVEY):
    person.get(f"{SURVEY}/formats")
    return person.post(f"{SURVEY}/formats", {"option": list(names), "next": back})


def fetch(person, url):
    """GET a file (picture, audio) and close the response, as a server would."""
    response = person.client.get(url)
    data, mimetype, status = response.data, response.mimetype, response.status_code
    response.close()
    return status, mimetype, data


def to_first_page(person):
    person.start("formats-demo")
    person.begin("formats-demo")
    person.agree("formats-demo")
    assert person.path == f"{SURVEY}/page/first", person.path


# Display options ---------------------------------------------------------------


def test_options_are_cleaned_and_named_in_one_order():
    assert options.clean(["listen", "large", "nonsense", "large"]) == ("large", "listen")
    assert options.css_key(["contrast", "large"]) == "large-contrast"
    assert options.css_key([], paper=True) == "paper"
    assert options.names_from_key("large-contrast") == (("large", "contrast"), False)
    assert options.names_from_key("contrast-large") is None  # not a name css_key makes
    assert options.names_from_key("large-../x") is None
    with pytest.raises(KeyError):
        options.stylesheet("evil")


def test_no_extra_stylesheet_until_an_option_is_chosen(person):
    person.get(SURVEY)
    assert _CSS.findall(person.html) == ["/static/ck.css"]
    assert "Change how this looks or sounds" in person.text  # the header link
    assert 'name="option" value="large"' in person.html  # the form on the start page


def test_choices_are_remembered_and_replace_the_stylesheet_everywhere(person, app):
    choose(person, "contrast", "large")
    assert person.path == SURVEY
    # Still one stylesheet: the core's CSS and the options' together, so pages stay at 3 requests.
    [extra] = _CSS.findall(person.html)
    assert extra == "/formats/style/large-contrast.css"
    assert 'value="large" checked' in person.html
    person.get("/resume")  # a page outside any survey
    assert _CSS.findall(person.html) == [extra]
    css = person.get(extra).get_data(as_text=True)
    assert person.last.mimetype == "text/css"
    assert "font-size:125%" in css and "--bg:#000" in css
    with app.test_client().get("/static/ck.css") as response:
        core = response.get_data(as_text=True)
    assert css.startswith(core) and len(css) > len(core)


def test_high_contrast_keeps_a_visible_focus_outline():
    css = options.stylesheet("contrast")
    assert "outline:none" not in css and "outline:0" not in css
    assert "--focus:#ff0" in css


def test_turning_everything_off_removes_the_stylesheet(person):
    choose(person, "dyslexia")
    choose(person)
    assert _CSS.findall(person.html) == ["/static/ck.css"]


def test_the_options_page_never_sends_people_to_another_site(person):
    choose(person, "large", back="//evil.example/")
    assert person.path == SURVEY  # the survey's start, never the other site


def test_the_options_page_lists_the_other_formats(person):
    person.get(f"{SURVEY}/formats")
    for words in ("large print", "plain text", "to print and fill in on paper", "as a file to download"):
        assert words in person.text


def test_options_page_for_an_unknown_survey_is_not_found(person):
    assert person.get("/s/no-such/formats").status_code == 404


# Easy Read and sign language ------------------------------------------------------


def test_easy_read_shows_the_easy_words_and_picture_only_when_chosen(person):
    to_first_page(person)
    assert "Pick one answer." not in person.text
    choose(person, "easy", back=f"{SURVEY}/page/first")
    html = person.text
    assert "<p>Do you like the club?</p><p>Pick one answer.</p>" in html
    assert 'alt="A smiling face"' in html
    src = re.search(r'<img src="([^"]+)"', html).group(1)
    assert fetch(person, src) == (200, "image/png", PNG)


def test_easy_read_of_a_consent_section(person):
    choose(person, "easy")
    person.begin("formats-demo")
    person.get(f"{SURVEY}/consent")
    assert "<p>We want to know about your youth club.</p><p>You can stop at any time.</p>" in person.text
    assert 'alt="Young people playing table tennis"' in person.text


def test_only_pictures_the_survey_names_are_served(person):
    assert fetch(person, f"{SURVEY}/formats/picture/pictures/club.png")[0] == 200
    for name in ("secret.png", "../forms/secret.png", "formats-demo.yaml", "%2e%2e/secret.png"):
        assert fetch(person, f"{SURVEY}/formats/picture/{name}")[0] == 404, name


def test_sign_language_link_is_shown_without_any_option(person):
    to_first_page(person)
    assert 'href="https://video.example.org/likes"' in person.html
    assert "Watch this question in sign language" in person.text


# Listen ----------------------------------------------------------------------------


@pytest.mark.skipif(speech.program() is None, reason="needs espeak-ng (make test installs it)")
def test_listen_plays_audio_made_offline_and_kept(person, app, tmp_path):
    to_first_page(person)
    choose(person, "listen", back=f"{SURVEY}/page/first")
    src = re.search(r'<audio controls preload="none" src="([^"]+)"', person.html).group(1)
    status, mimetype, first = fetch(person, src)
    assert status == 200 and mimetype == "audio/mpeg"
    assert first[:3] == b"ID3" or first[:2] == b"\xff\xf3"  # MP3 (MPEG-2 layer III frames)
    cache = list((tmp_path / "instance" / "accessible_formats" / "spoken").glob("*.mp3"))
    assert len(cache) == 1
    modified = cache[0].stat().st_mtime_ns
    assert fetch(person, src)[2] == first
    assert cache[0].stat().st_mtime_ns == modified  # kept, not made again


def test_listen_without_espeak_says_so_plainly(person, monkeypatch):
    monkeypatch.setattr(speech, "program", lambda: None)
    to_first_page(person)
    choose(person, "listen", back=f"{SURVEY}/page/first")
    assert "<audio" not in person.html
    assert "Listening isn't ready on this website yet." in person.text
    assert person.get(f"{SURVEY}/formats/listen/question/likes").status_code == 404


def test_a_recording_replaces_the_computer_voice(person, app, monkeypatch):
    from consent_kit_plugins.accessible_formats.recordings import Recordings

    monkeypatch.setattr(speech, "program", lambda: None)
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(28)
    with app.app_context():
        Recordings(app).save("formats-demo", "question", "likes", wav)
    to_first_page(person)
    choose(person, "listen", back=f"{SURVEY}/page/first")
    assert '<audio controls preload="none"' in person.html
    assert fetch(person, f"{SURVEY}/formats/listen/question/likes") == (200, "audio/wav", wav)


def test_words_to_read_include_the_choices():
    from consent_kit_plugins.accessible_formats.texts import words_to_read

    class Q:
        label, help = "Do you like it?", "Pick one"
        choices = [type("C", (), {"label": "Often"}), type("C", (), {"label": "Not really"})]

    assert words_to_read("question", Q) == "Do you like it?\nPick one.\nOften.\nNot really."


# Paper, large print, plain text --------------------------------------------------------


def test_print_version_has_tick_boxes_and_lines(person):
    page = person.get(f"{SURVEY}/formats/print")
    assert page.status_code == 200
    html = person.html
    assert html.count('class="af-box"') == 3  # one statement, two choices
    assert html.count('class="af-line"') >= 1 + 5 + 1  # sign, long text, number
    assert "/formats/style/paper.css" in html


def test_paper_pdf_has_the_questions_as_real_text(person):
    pdf = person.get(f"{SURVEY}/formats/paper.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for words in ("Your youth club", "I want to take part.", "Do you like the club?", "Not really",
                  "Tick one box."):
        assert words in text
    large = person.get(f"{SURVEY}/formats/paper.pdf?size=large")
    assert len(PdfReader(io.BytesIO(large.data)).pages) >= len(PdfReader(io.BytesIO(pdf.data)).pages)


def test_plain_text_and_large_print_of_the_information(person):
    text = person.get(f"{SURVEY}/formats/information.txt")
    assert text.mimetype == "text/plain"
    body = text.get_data(as_text=True)
    assert "What is this?" in body and "[ ] I want to take part. (needed to take part)" in body
    assert "<" not in body
    person.get(f"{SURVEY}/formats/large-print")
    assert "af-large-print" in person.html and "I want to take part." in person.text


# The item_parts hook ------------------------------------------------------------------------


class Marker:
    """A plugin that marks every item it is asked about."""

    @staticmethod
    @hookimpl
    def item_parts(kind, item_id, survey):
        return Markup('<p class="mark">{} {} {}</p>').format(kind, item_id, survey.id)


def test_hook_item_parts_places_html_before_each_question_and_in_each_section(tmp_path):
    app = create_app(SETTINGS, instance=formats_instance(tmp_path / "instance"),
                     load_entrypoints=False, plugins=(Marker(),))
    person = Participant(app.test_client())
    person.begin("formats-demo")
    person.get(f"{SURVEY}/consent")
    assert '<p class="mark">section what formats-demo</p>' in person.html
    to_first_page(person)
    html = person.html
    assert html.index('<p class="mark">question likes formats-demo</p>') < html.index("<fieldset")


def test_blocking_the_plugin_leaves_the_survey_working(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSENT_KIT_BLOCK_PLUGINS", "accessible_formats")
    app = create_app(SETTINGS, instance=formats_instance(tmp_path / "instance"),
                     load_entrypoints=False)
    person = Participant(app.test_client())
    to_first_page(person)
    assert "Change how this looks or sounds" not in person.text
    assert "sign language" not in person.text
    assert person.get(f"{SURVEY}/formats").status_code == 404
