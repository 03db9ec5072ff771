"""Whose words may be quoted: only people who agreed to a statement that allows quotes (no Flask).

A consent statement marked ``allows_quotes: true`` (e.g. "You can use my words in
the report, without my name") is the permission. An answer may be quoted only
while it is kept, its person still agrees to such a statement (they can untick
it later), and it is their own written words. Findings pages and the analysis
pages both ask here, so the rule is one rule.
"""

from __future__ import annotations

from consent_kit.survey.model import PREFER_NOT_TO_SAY

#: Question types whose answers are people's own words.
TEXT_TYPES = ("short_text", "long_text")


def quote_statements(survey) -> set[str]:
    """The ids of the consent statements that allow quotes, in any version of the consent."""
    consent = getattr(survey, "consent", None)
    if consent is None:
        return set()
    statements = list(consent.statements)
    for variant in consent.variants:
        statements += list(variant.statements)
    return {s.id for s in statements if getattr(s, "allows_quotes", False)}


def may_quote(survey, response, record) -> bool:
    """True while ``response`` is kept and its person (``record``: their consent now) allows quotes."""
    if response is None or record is None or response.survey_id != survey.id:
        return False
    if not response.pseudonym or record.pseudonym != response.pseudonym:
        return False
    return bool(set(record.agreed) & quote_statements(survey))


def quotable_words(survey, response, record, question_id: str) -> str | None:
    """The words of one written answer that may be quoted now, or None."""
    if not may_quote(survey, response, record):
        return None
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None or question.type not in TEXT_TYPES:
        return None
    answer = response.answers.get(question_id)
    if not isinstance(answer, str) or not answer.strip() or answer == PREFER_NOT_TO_SAY:
        return None
    return answer.strip()
