"""Issue 14 §2, last gaps: a sign language video for a consent section, set in the browser as a
question's is, and Easy Read pictures in the preview before they are published.
"""

from __future__ import annotations

import io
import re

import pytest
from test_builder_settings import picture_bytes, round_trip
from test_builder_support import form_of
from test_builder_web import BUILD, add_page, draft_of, new_survey, signed_in, words_on

from consent_kit.testing import Participant, errors_in, populate

VIDEO = "https://video.example.org/what-is-this"


@pytest.fixture
def app(make_app):
    app = make_app()
    populate(app)
    return app


def _section(app, survey_id: str, section_id: str = "what") -> dict:
    [found] = [s for s in draft_of(app, survey_id)["consent"]["information"] if s["id"] == section_id]
    return found


def test_a_consent_section_gets_a_sign_language_video_in_the_builder(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    url = BUILD.format(survey_id) + "/consent/section/what"
    page = rae.get(url).get_data(as_text=True)
    assert 'name="bsl"' in page and "Link to a sign language video" in page
    form = form_of(page)
    form.pop("remove_picture", None)
    # Not a web address of a video: refused in plain words, linked to the field, nothing lost.
    response = rae.post(url, {**form, "bsl": "video.example.org/x"})
    assert response.status_code == 400
    assert "Write the whole web address of the video, starting with https://" in words_on(response)
    assert 'href="#bsl"' in response.get_data(as_text=True)
    assert "bsl" not in _section(app, survey_id)
    response = rae.post(url, {**form, "bsl": f"  {VIDEO} "})
    assert response.status_code == 302, errors_in(response)
    assert _section(app, survey_id)["bsl"] == VIDEO
    assert f'value="{VIDEO}"' in rae.get(url).get_data(as_text=True)
    round_trip(app, rae, survey_id)  # download and upload: the same survey, link and all
    # The "Easy Read, pictures and sign language" task lists the section, with its link.
    task = words_on(rae.get(BUILD.format(survey_id) + "/easy-read"))
    assert re.search(r"What is this project\?\s+Not yet\s+Not yet\s+Yes", task), task
    # Emptied: the link goes, and the section is as it was.
    response = rae.post(url, {**form_of(rae.get(url).get_data(as_text=True)), "bsl": ""})
    assert response.status_code == 302, errors_in(response)
    assert "bsl" not in _section(app, survey_id)


SECTION_VIDEO = """\
id: signed
title: Signed
description: A survey whose information has a sign language video.
consent:
  information:
    - id: what
      heading: What is this?
      text: A short survey about your club.
      bsl: https://video.example.org/what
  statements:
    - id: take_part
      text: I want to take part.
pages:
  - id: first
    questions:
      - id: likes
        type: yes_no
        label: Do you like the club?
"""


def test_the_consent_page_shows_the_sections_sign_language_link(make_app):
    app = make_app(forms={"signed.yaml": SECTION_VIDEO})
    person = Participant(app.test_client())
    person.start("signed")
    assert person.path.endswith("/consent")  # what people read before they agree
    html = person.html
    link = re.search(r'<p class="af-bsl"><a href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert link and link.groups() == ("https://video.example.org/what", "Watch this in sign language")
    assert "Watch this question in sign language" not in html


@pytest.mark.parametrize(("line", "message"), [
    ("bsl: http://video.example.org/what", "'bsl:' should be the web address of a video starting with https://"),
    ("bsl: ''", "'bsl:' is empty."),
    ("sign_language: https://video.example.org/what", "'sign_language' — did you mean 'bsl'?"),
])
def test_a_wrong_section_video_names_the_file_and_line(tmp_path, line, message):
    from consent_kit.plugins import make_plugin_manager
    from consent_kit.registry import collect_question_types
    from consent_kit.survey.load.survey_file import load_survey_file
    from consent_kit.survey.model import SurveyError

    path = tmp_path / "signed.yaml"
    path.write_text(SECTION_VIDEO.replace("bsl: https://video.example.org/what", line))
    types = collect_question_types(make_plugin_manager(load_entrypoints=False))
    with pytest.raises(SurveyError) as caught:
        load_survey_file(path, question_types=types)
    [problem] = caught.value.problems
    assert problem.line == 9 and message in problem.message
    assert "What is this?" in problem.where or "what" in problem.where


def test_the_preview_shows_an_easy_read_picture_not_published_yet(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    build = BUILD.format(survey_id)
    question = add_page(rae, survey_id, "yes_no", "Do you like the club?")
    url = build + f"/questions/{question}"
    form = form_of(rae.get(url).get_data(as_text=True))
    form.update({"type": "yes_no", "required": "yes", "easy_read": "Do you like it?",
                 "easy_read_alt": "A smiling face",
                 "easy_read_picture": (io.BytesIO(picture_bytes("PNG")), "face.png")})
    response = rae.post(url, form, content_type="multipart/form-data")
    assert response.status_code == 302, errors_in(response)
    image = draft_of(app, survey_id)["pages"][-1]["questions"][0]["easy_read"]["image"]
    # Easy Read on, as a participant would choose it; then the preview's question page.
    rae.post("/formats/display", {"option": ["easy"]})
    assert rae.post(build + "/preview", {}).location.endswith("/preview/consent")
    response = rae.post(build + "/preview/agree", {"statement-take-part": "yes"})
    assert "/preview/page/" in (response.location or ""), errors_in(response)
    html = rae.get(response.location).get_data(as_text=True)
    if "Do you like the club?" not in html:  # the starter's welcome page comes first
        html = rae.get(rae.post(response.location, {}).location).get_data(as_text=True)
    assert "Do you like it?" in html
    src = re.search(r'<div class="af-easy"><img src="([^"]+)" alt="A smiling face">', html)
    assert src, "no Easy Read picture in the preview"
    shown = rae.get(src.group(1))
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    assert image in src.group(1)
    shown.close()
    # Nobody outside the studio sees a draft's picture.
    visitor = Participant(app.test_client())
    assert visitor.client.get(src.group(1)).status_code in (302, 401, 403, 404)
