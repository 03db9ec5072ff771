"""Survey files: the ``easy_read`` and ``bsl`` keys, and the mistakes people make with them."""

from __future__ import annotations

import textwrap

import pytest
from accessible_support import PNG, SURVEY

from consent_kit.survey.load.survey_file import load_survey_file, load_survey_text
from consent_kit.survey.model import SurveyError
from consent_kit.survey.question_types import QuestionType, QuestionTypeRegistry


class Radios(QuestionType):
    name = "single_choice"
    needs_choices = True


class Words(QuestionType):
    name = "long_text"


class Number(QuestionType):
    name = "number"


TYPES = QuestionTypeRegistry()
for _type in (Radios(), Words(), Number()):
    TYPES.register(_type)

QUESTION = """\
id: tiny
title: Tiny
description: A tiny survey.
questions:
  - id: likes
    type: long_text
    label: What do you like?
"""


def with_lines(extra: str) -> str:
    return QUESTION + textwrap.indent(textwrap.dedent(extra).lstrip("\n"), "    ")


def problems(text: str, path: str = "forms/tiny.yaml") -> list[str]:
    with pytest.raises(SurveyError) as caught:
        load_survey_text(text, path=path, question_types=TYPES)
    return [str(p) for p in caught.value.problems]


def test_easy_read_and_bsl_are_read_into_media(tmp_path):
    (tmp_path / "pictures").mkdir()
    (tmp_path / "pictures" / "club.png").write_bytes(PNG)
    path = tmp_path / "formats-demo.yaml"
    path.write_text(SURVEY)
    survey = load_survey_file(path, question_types=TYPES)
    likes = survey.question("likes")
    assert likes.media == {
        "easy_read": {"text": "Do you like the club?\nPick one answer.",
                      "image": "pictures/club.png", "alt": "A smiling face"},
        "bsl": "https://video.example.org/likes",
    }
    assert survey.question("visits").media == {}
    section = survey.consent.sections[0]
    assert section.media["easy_read"]["alt"] == "Young people playing table tennis"


def test_a_missing_picture_names_file_line_and_fix(tmp_path):
    path = tmp_path / "formats-demo.yaml"
    path.write_text(SURVEY)
    with pytest.raises(SurveyError) as caught:
        load_survey_file(path, question_types=TYPES)
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 2  # the section's picture and the question's
    line = SURVEY.splitlines().index("        image: pictures/club.png") + 1  # the section's
    assert messages[0].startswith(f"{path}:{line}: information section")
    assert "there is no picture called 'pictures/club.png' next to formats-demo.yaml" in messages[0]


@pytest.mark.parametrize("extra, line, words", [
    ("easy_read: Short words", 8, "'easy_read' should be a group of settings with 'label:'"),
    ("easy_read:\n  image: x.png\n  alt: A cat", 9, "'easy_read' has no 'label:'"),
    ("easy_read:\n  label: Hi\n  image: ../secret.png\n  alt: A cat", 10, "must be in the forms folder"),
    ("easy_read:\n  label: Hi\n  image: /etc/passwd.png\n  alt: A cat", 10, "must be in the forms folder"),
    ("easy_read:\n  label: Hi\n  image: cat.svg\n  alt: A cat", 10,
     "should be a png, jpg, jpeg, gif, webp file"),
    ("easy_read:\n  label: Hi\n  image: cat.png", 10, "this picture has no 'alt:'"),
    ("easy_read:\n  label: Hi\n  alt: A cat", 10, "there is no 'image:'"),
    ("easy_read:\n  label: Hi\n  picture: cat.png", 10, "did you mean 'image'?"),
    ("bsl: http://video.example.org/x", 8, "'bsl:' should be the web address of a video starting with https://"),
    ("bsl: javascript:alert(1)", 8, "starting with https://"),
])
def test_mistakes_say_where_and_how_to_fix(extra, line, words):
    [message] = problems(with_lines(extra))
    assert message.startswith(f"forms/tiny.yaml:{line}: question 'likes'"), message
    assert words in message, message


def test_an_empty_alt_marks_a_picture_as_decoration(tmp_path):
    (tmp_path / "cat.png").write_bytes(PNG)
    path = tmp_path / "tiny.yaml"
    path.write_text(with_lines('easy_read:\n  label: Hi\n  image: cat.png\n  alt: ""'))
    survey = load_survey_file(path, question_types=TYPES)
    assert survey.question("likes").media["easy_read"] == {"text": "Hi", "image": "cat.png", "alt": ""}


def test_a_section_uses_text_not_label():
    text = QUESTION + textwrap.dedent("""\
        consent:
          information:
            - heading: What is this?
              text: A survey.
              easy_read:
                label: Short words.
          statements:
            - I agree.
        """)
    message = problems(text)[0]
    assert "information section 1" in message and "did you mean 'text'?" in message
