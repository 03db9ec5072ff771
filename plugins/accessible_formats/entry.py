"""Paper answers typed in by a researcher: checked like online answers, stored with source "paper".

The skip logic is the survey's own: a question that the paper form's earlier
answers would have hidden is neither required nor kept.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

from consent_kit import Kit, Response

SOURCE = "paper"


def hidden_questions(survey, answers: dict) -> set[str]:
    """Ids of the questions these answers would have hidden (their page's or their own rule)."""
    condition_met = Kit.condition_met  # the same skip rules as online
    hidden = set()
    for page in survey.pages:
        page_shown = condition_met(page.show_if, answers)
        for question in page.questions:
            if not page_shown or not condition_met(question.show_if, answers):
                hidden.add(question.id)
    return hidden


def drop_hidden(survey, views, answers: dict) -> dict:
    """Forget answers and errors of hidden questions; return the answers to keep."""
    hidden = hidden_questions(survey, answers)
    for view in views:
        if view.question.id in hidden and view.field is not None:
            view.field.errors = []
            view.__dict__.pop("error", None)  # FieldView caches its first error
    return {k: v for k, v in answers.items() if k not in hidden}


def paper_response(survey, answers: dict, language: str) -> Response:
    """A response for answers from a paper form (a new id, reference and pseudonym)."""
    return Response(
        id=uuid.uuid4().hex,
        survey_id=survey.id,
        survey_version=survey.version,
        answers=answers,
        submitted_at=datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        reference="P-" + secrets.token_hex(4).upper(),
        source=SOURCE,
        meta={"language": language},
        pseudonym=secrets.token_urlsafe(16),
    )
