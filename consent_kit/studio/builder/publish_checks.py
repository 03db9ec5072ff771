""""Check before you publish": what stops a survey going live, and what is only advice.

Blocks (issue 14, §3): words still as the builder wrote them (placeholders);
answers collected with no consent section, unless the researchers said the
survey doesn't need consent and why; no support contacts; a payment promised
in the words people read but not set up. Advice: no time to complete, nothing
in Easy Read (and what plugins advise, added by the page). The loader's own
problems block too; the page shows those first.

Messages are marked with ``_l`` and translated where they are shown. No Flask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from consent_kit.studio.builder.ops import _l
from consent_kit.studio.builder.starter import placeholders_in
from consent_kit.studio.builder.texts import text_of
from consent_kit.survey.model import Survey
from consent_kit.survey.question_types import QuestionTypeRegistry

#: Words that promise people something for taking part (looked for in what they read).
_PAYMENT = re.compile(r"£\s?\d|\bvouchers?\b|\bgift cards?\b|\bpaid\b|\bpayments?\b|"
                      r"\bthank-you payment|\bget \d+ pounds?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    """One thing found: untranslated ``message`` with ``params``, and the part it is about.

    ``part`` says where to fix it: ``details``, ``consent``, ``consent_needed``,
    ``support``, ``incentive``, ``question``; ``item`` is an id within that part.
    """

    message: str
    part: str
    item: str = ""
    params: dict = field(default_factory=dict)


def blocking(definition: dict, survey: Survey, types: QuestionTypeRegistry, *,
             no_consent_reason: str = "") -> list[Finding]:
    """What must be fixed before ``survey`` (made from ``definition``) can be published."""
    found = [_placeholder(definition, part, item) for part, item in placeholders_in(definition)]
    asks = [q for q in survey.questions if getattr(types.get(q.type), "takes_answer", True)]
    if asks and survey.consent is None and not no_consent_reason.strip():
        found.append(Finding(_l("People answer questions, but they are not asked to agree "
                                "first. Ask them to agree, or say why this survey doesn't "
                                "need it."), "consent_needed"))
    if survey.support is None or not survey.support.contacts:
        found.append(Finding(_l("The support page has no services on it. Add at least one "
                                "place people can turn to for help."), "support"))
    if "incentive" not in definition and _promises_payment(definition, survey.language):
        found.append(Finding(_l("The words people read mention a payment or voucher, but no "
                                "thank-you payment is set up. Set it up, or change the "
                                "words."), "incentive"))
    return found


def advice(definition: dict, survey: Survey) -> list[Finding]:
    """Things worth doing that don't stop publishing."""
    found = []
    if not survey.time_to_complete:
        found.append(Finding(_l("Say how long the survey takes. People like to know before "
                                "they start."), "details"))
    if not _mentions(definition, "easy_read"):
        found.append(Finding(_l("Nothing has an Easy Read version yet. Easy Read words and "
                                "pictures help many people take part."), "question"))
    return found


def _placeholder(definition: dict, part: str, item: str) -> Finding:
    if part == "consent":
        heading = _heading_of(definition, item)
        return Finding(_l("‘%(heading)s’ still has the starting words. Write your own."),
                       "consent", item, {"heading": heading or item})
    if part == "question":
        return Finding(_l("A question still has the starting words. Write your own."),
                       "question", item)
    if part == "support":
        return Finding(_l("The support page still has starting words. Write your own."),
                       "support")
    return Finding(_l("The survey's details still have starting words. Write your own."),
                   "details")


def _heading_of(definition: dict, item_id: str) -> str:
    consent = definition.get("consent")
    language = str(definition.get("language", "en"))
    for key in ("information", "statements"):
        for item in (consent or {}).get(key) or []:
            if isinstance(item, dict) and str(item.get("id", "")) == item_id:
                return text_of(item.get("heading") or item.get("text"), language)
    return ""


def _promises_payment(definition: dict, language: str) -> bool:
    texts = [text_of(definition.get("description"), language)]
    consent = definition.get("consent")
    for item in (consent.get("information") or []) if isinstance(consent, dict) else []:
        if isinstance(item, dict):
            texts.append(text_of(item.get("text"), language))
    return any(_PAYMENT.search(words) for words in texts)


def _mentions(value, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(_mentions(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, key) for v in value)
    return False
