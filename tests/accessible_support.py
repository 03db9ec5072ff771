"""A small survey with every accessible format, and a folder with its picture, for the tests."""

from __future__ import annotations

import base64
from pathlib import Path

from consent_kit.testing import make_instance

#: A 1×1 PNG: the smallest real picture.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

SURVEY = """\
id: formats-demo
title: Your youth club
description: Tell us about your youth club.
consent:
  information:
    - id: what
      heading: What is this?
      text: |
        A short survey about your youth club.
      easy_read:
        text: |
          We want to know about your youth club.
          You can stop at any time.
        image: pictures/club.png
        alt: Young people playing table tennis
  statements:
    - id: take_part
      text: I want to take part.
pages:
  - id: first
    title: About the club
    questions:
      - id: likes
        type: single_choice
        label: Do you like the club?
        choices: [Often, Not really]
        easy_read:
          label: |
            Do you like the club?
            Pick one answer.
          image: pictures/club.png
          alt: A smiling face
        bsl: https://video.example.org/likes
  - id: second
    title: More about the club
    questions:
      - id: why
        type: long_text
        label: Why not?
        required: false
        show_if: {question: likes, equals: Not really}
      - id: visits
        type: number
        label: How many times did you go last month?
"""


def formats_instance(folder: Path, *, examples: bool = False,
                     forms: dict[str, str] | None = None) -> Path:
    """A consent-kit folder with the demo survey and its picture (and the examples, if asked)."""
    folder = make_instance(folder, {"formats-demo.yaml": SURVEY, **(forms or {})}, examples)
    pictures = folder / "forms" / "pictures"
    pictures.mkdir(exist_ok=True)
    (pictures / "club.png").write_bytes(PNG)
    (folder / "forms" / "secret.png").write_bytes(PNG)  # in the folder, but not named by the survey
    return folder
