"""What the analysis tests share: a one-question survey with written answers, and answers for it."""

from __future__ import annotations

from consent_kit import Response

TALK = """\
id: talk
title: Tell us about the club
description: One question.
questions:
  - id: better
    type: long_text
    label: What would make the club better?
"""


def add_answers(app, texts: list[str], survey_id: str = "talk") -> list[str]:
    """Store one response per text (as if sent), ids r00, r01, ...; returns the ids."""
    kit = app.extensions["consent_kit"]
    survey = kit.catalog.get(survey_id)
    ids = []
    for i, text in enumerate(texts):
        response = Response(f"r{i:02d}", survey_id, survey.version, {"better": text},
                            "2026-12-01T10:00:00Z", f"REF{i:07d}", meta={"language": "en"})
        kit.record_response(response, survey)
        ids.append(response.id)
    return ids
