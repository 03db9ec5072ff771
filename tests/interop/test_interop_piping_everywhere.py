"""``${name}`` wherever a question's words are shown without one person's answers (issue 18).

Paper, read-aloud audio made for everyone, the data dictionary, SPSS/Stata/R labels and
the results page put words in place of an earlier answer: nobody reads a raw ``${name}``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pyreadstat
import pytest
from pypdf import PdfReader
from test_interop_import import TYPES
from test_interop_piping import PIPED

from consent_kit import Response
from consent_kit.defaults.exporters import DictionaryExporter, RExporter, SpssExporter, StataExporter
from consent_kit.survey.load.common import SurveyText
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.survey.piping import BLANK, STAND_IN, stand_in
from consent_kit.testing import PASSWORD, Browser, Participant, populate

LIKES = "What do you like most about [answer to club]?"


@pytest.fixture(scope="module")
def survey():
    return load_survey_text(PIPED, path="piped.yaml", question_types=TYPES)


def test_stand_in_names_the_question_and_leaves_no_code():
    assert stand_in("About ${club} and ${ mood }?") == "About [answer to club] and [answer to mood]?"
    named, YOUR_ANSWER = {"club": "Which club?"}, "your answer to ‘%(question)s’"
    assert stand_in("About ${club}?", YOUR_ANSWER, named) == "About your answer to ‘Which club?’?"
    # An id it doesn't know, and anything else in ${...}, become a plain blank.
    assert stand_in("About ${other} ${my name}", YOUR_ANSWER, named) == f"About {BLANK} {BLANK}"
    assert stand_in("No pipes, $5 {each}") == "No pipes, $5 {each}" and stand_in(None) is None
    kept = stand_in(SurveyText("Am ${club}?", "questions.x.label", {}, "cy"))
    assert isinstance(kept, SurveyText) and kept.lang == "cy" and kept == "Am [answer to club]?"
    assert STAND_IN % {"name": "club"} == "[answer to club]"
    assert stand_in("${club} ${mood}", "unused", {}) == f"{BLANK} {BLANK}"


def test_question_words_have_no_pipes_of_their_own(survey):
    from consent_kit_plugins.accessible_formats.texts import question_words

    words = question_words(survey)
    assert words["club"] == "Which club do you go to most?"
    assert words["likes"] == f"What do you like most about {BLANK}?"


# Paper ---------------------------------------------------------------------------------------


@pytest.fixture
def app(make_app):
    return make_app(forms={"piped.yaml": PIPED})


def test_the_print_version_points_to_the_numbered_question(app):
    person = Participant(app.test_client())
    person.get("/s/piped/formats/print")
    assert person.last.status_code == 200
    html = person.html
    assert "${" not in html
    # club is question 1, mood question 2; which_sport (5) is on a page that may be skipped.
    assert "4. What do you like most about (your answer to question 1)?" in html
    assert "You said you feel (your answer to question 2) there." in html
    assert "6. Anything else about (your answer to question 5)?" in html


def test_the_paper_pdf_points_to_the_numbered_question(app):
    person = Participant(app.test_client())
    pdf = person.get("/s/piped/formats/paper.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "${" not in text
    assert "4. What do you like most about (your answer to question 1)?" in text


def test_information_takes_no_number_on_paper(survey):
    from consent_kit_plugins.accessible_formats.paper import paper_questions

    from consent_kit.plugins import make_plugin_manager
    from consent_kit.registry import collect_question_types

    types = collect_question_types(make_plugin_manager(load_entrypoints=False))
    printed = paper_questions(survey, types, "Prefer not to say")
    assert [q.number for q in printed] == [1, 2, 3, 4, 5, 6]
    assert printed[3].label == "What do you like most about (your answer to question 1)?"


# Read aloud ----------------------------------------------------------------------------------


def test_words_to_read_name_the_earlier_question(survey):
    from consent_kit_plugins.accessible_formats.texts import words_to_read

    spoken = words_to_read("question", survey.question("likes"), survey)
    first = spoken.splitlines()[0]
    assert first == "What do you like most about your answer to ‘Which club do you go to most?’?"
    assert "${" not in spoken and "You said you feel your answer to ‘How do you feel there?’ there." in spoken


def test_the_listen_audio_is_made_from_words_without_the_code(app, monkeypatch):
    from consent_kit_plugins.accessible_formats import speech

    heard = []

    def speak(text, language, cache):
        heard.append(text)
        raise speech.SpeechUnavailable("no voice in this test")

    monkeypatch.setattr(speech, "speak", speak)
    person = Participant(app.test_client())
    person.begin("piped")
    person.answer_page({"club": "Judo", "mood": "good", "sport": "no"})
    person.client.get("/s/piped/formats/listen/question/likes").close()
    [text] = heard
    # Made once for everyone: the question is named, nobody's answer is in it.
    assert "${" not in text and "Judo" not in text
    assert "your answer to ‘Which club do you go to most?’" in text


# Exports --------------------------------------------------------------------------------------

RESPONSES = [Response(f"r{i}", "piped", "v1", {"club": "Judo", "mood": "good", "sport": "no", "likes": "x"},
                      "2026-11-26T08:30:00Z", f"R{i}") for i in range(3)]


def _written(exporter, survey, tmp_path):
    out = io.BytesIO()
    exporter.write(survey, RESPONSES, out)
    path = tmp_path / f"out{exporter.suffix}"
    path.write_bytes(out.getvalue())
    return path


def test_the_csv_dictionary_says_whose_answer(survey, tmp_path):
    text = _written(DictionaryExporter(), survey, tmp_path).read_text(encoding="utf-8-sig")
    assert "${" not in text
    rows = {row["column"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["likes"]["question"] == LIKES
    assert rows["more"]["question"] == "Anything else about [answer to which_sport]?"


def test_sav_and_dta_variable_labels_say_whose_answer(survey, tmp_path):
    _, sav = pyreadstat.read_sav(_written(SpssExporter(), survey, tmp_path))
    assert sav.column_names_to_labels["likes"] == LIKES
    _, dta = pyreadstat.read_dta(_written(StataExporter(), survey, tmp_path))
    assert dta.column_names_to_labels["likes"] == LIKES
    assert not any("${" in str(label) for label in [*sav.column_labels, *dta.column_labels])


def test_the_r_script_labels_say_whose_answer(survey, tmp_path):
    with zipfile.ZipFile(_written(RExporter(), survey, tmp_path)) as archive:
        script = archive.read("piped.R").decode()
    assert "${" not in script and f'attr(ck[["likes"]], "label") <- "{LIKES}"' in script


def test_the_results_page_titles_say_whose_answer(app):
    populate(app).assign_survey("piped", "alpha")
    store = app.extensions["consent_kit"].store
    version = app.extensions["consent_kit"].catalog.get("piped").version
    for i in range(6):
        store.add_response(Response(f"r{i}", "piped", version, {"club": "Judo", "likes": "x"},
                                    "2026-11-26T08:30:00Z", f"R{i}"))
    rae = Browser(app)
    rae.login("rae", PASSWORD)
    assert rae.get("/studio/surveys/piped/results").status_code == 200
    html = rae.last.get_data(as_text=True)
    assert "${" not in html
    assert f'<h3 id="q-likes">{LIKES}</h3>' in html


def test_typing_in_paper_answers_shows_the_words_the_paper_has(app):
    populate(app).assign_survey("piped", "alpha")
    rae = Browser(app)
    rae.login("rae", PASSWORD)
    assert rae.get("/studio/surveys/piped/formats/paper").status_code == 200
    html = rae.last.get_data(as_text=True)
    assert "${" not in html
    assert "What do you like most about (your answer to question 1)?" in html
    assert rae.get("/studio/surveys/piped/formats").status_code == 200
    listed = rae.last.get_data(as_text=True)
    assert "${" not in listed and LIKES in listed


def test_the_builder_previews_check_page_has_the_answers_in_the_words(app):
    populate(app).assign_survey("piped", "alpha")
    rae = Browser(app)
    rae.login("rae", PASSWORD)
    preview = "/studio/surveys/piped/build/preview"
    response = rae.post(preview, {})
    while not response.location.endswith("/page/first"):
        response = rae.post(response.location, {})
    pages = [{"club": "Judo", "mood": "good", "sport": "no"}, {"likes": "x"}, {"more": ""}]
    for answers in pages:
        response = rae.post(response.location, answers)
    assert response.location.endswith("/preview/check")
    html = rae.get(response.location).get_data(as_text=True)
    assert "${" not in html
    assert "What do you like most about Judo?" in html and f"Anything else about {BLANK}?" in html


def test_easy_read_words_name_the_earlier_question(make_app):
    easy = PIPED.replace('        help: "You said you feel ${mood} there."\n',
                         '        help: "You said you feel ${mood} there."\n'
                         '        easy_read:\n'
                         '          label: "Think about ${club}.\\nWhat do you like?"\n')
    assert easy != PIPED
    app = make_app(forms={"piped.yaml": easy})
    person = Participant(app.test_client())
    person.begin("piped")
    person.answer_page({"club": "Judo", "mood": "good", "sport": "no"})
    assert person.path.endswith("/page/second")
    person.get("/s/piped/formats")
    person.post("/s/piped/formats", {"option": ["easy"], "next": "/s/piped/page/second"})
    html = person.text
    assert "${" not in html
    assert "Think about your answer to ‘Which club do you go to most?’." in html
