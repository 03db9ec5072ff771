"""Claiming a thank-you payment: the ways to claim (payment providers) and the claim itself.

A participant who finished a survey holds a one-time claim token. Claiming
forgets the token first (only one request can), then takes a place under the
survey's limits, then lets the chosen way give the payment. If a step fails,
what was taken is given back, so the participant can try another way. The
claim kept has no response id and no pseudonym: nothing links it to answers.

Payment providers are the ways to claim. The built-in ones are ``voucher``
(a code from the survey's pool), ``contact`` (an email or phone number so a
researcher can pay) and ``in_person`` (a short collection code). A plugin adds
its own with the ``register_payment_providers`` hook. No Flask here.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from consent_kit.incentives.ledger import (
    Budget,
    LedgerEntry,
    current,
    new_entry,
    random_id,
    summarise,
)
from consent_kit.incentives.rules import IncentiveRule
from consent_kit.incentives.store import IncentiveStore
from consent_kit.participation.codes import ALPHABET

log = logging.getLogger(__name__)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


class ClaimError(Exception):
    """A claim that could not be made. ``reason``: used, none_left, no_stock, contact, way."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


class PaymentProvider:
    """A way to claim a thank-you payment; subclass it and register it from a plugin.

    ``name`` is what a survey file lists under ``ways``; ``label`` what the
    participant chooses ("Get a voucher code now"). ``needs_contact``: the
    participant leaves an email or phone number. ``pays_now``: the payment is
    made during the claim (the ledger records it as paid), rather than later
    by a researcher.
    """

    name = ""
    label = ""
    needs_contact = False
    pays_now = False

    def available(self, *, survey_id: str, incentives: IncentiveStore) -> bool:
        """Whether this way can be offered now (e.g. codes are left)."""
        return True

    def give(self, *, survey_id: str, claim: dict, incentives: IncentiveStore) -> str:
        """Make the payment (or arrange it); return a code to show, or "".

        Raise :class:`ClaimError` with ``reason="no_stock"`` when it can't.
        """
        return ""

    def take_back(self, *, survey_id: str, claim: dict, shown: str,
                  incentives: IncentiveStore) -> None:
        """Undo :meth:`give` when the claim fails after it (e.g. the disk is full)."""


class VoucherPool(PaymentProvider):
    """A code from the codes the researchers uploaded, each given once."""

    name, label, pays_now = "voucher", "Get a voucher code now, on this screen", True

    def available(self, *, survey_id, incentives):
        return incentives.voucher_stock(survey_id)["left"] > 0

    def give(self, *, survey_id, claim, incentives):
        code = incentives.take_voucher(survey_id, claim["claimed_on"])
        if code is None:
            raise ClaimError("no_stock")
        return code

    def take_back(self, *, survey_id, claim, shown, incentives):
        incentives.give_back_voucher(survey_id, shown)


class LeaveContact(PaymentProvider):
    """An email address or phone number, so a researcher can pay later."""

    name, label, needs_contact = "contact", "Leave an email or phone number, and we pay you later", True


class InPerson(PaymentProvider):
    """Collect it in person, with a short collection code."""

    name, label = "in_person", "Collect it in person, with a code"


BUILTIN_PROVIDERS = (VoucherPool(), LeaveContact(), InPerson())


def short_code(length: int = 6) -> str:
    """A short code to read out when collecting (letters and digits that don't look alike)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def clean_contact(text: str) -> str:
    """An email address or phone number as typed (spaces trimmed), or ClaimError("contact")."""
    typed = (text or "").strip()
    if len(typed) <= 254 and (EMAIL.match(typed) or PHONE.match(typed)):
        return typed
    raise ClaimError("contact")


@dataclass(frozen=True)
class Availability:
    """Whether thank-you payments can still be given, and how many are left (None = no limit)."""

    open: bool
    left: int | None


def availability(incentives: IncentiveStore, survey_id: str, rule: IncentiveRule,
                 budget: Budget | None, entries: list[LedgerEntry]) -> Availability:
    """What the start page says before anyone begins."""
    cap = place_cap(incentives, survey_id, rule, budget, entries)
    if cap is None:
        return Availability(True, None)
    left = max(0, cap - incentives.given(survey_id))
    return Availability(left > 0, left)


def place_cap(incentives: IncentiveStore, survey_id: str, rule: IncentiveRule,
              budget: Budget | None, entries: list[LedgerEntry]) -> int | None:
    """How many payments this survey may give in all (``None`` = no limit).

    "While the budget allows" counts what the rest of the budget leaves for
    this survey's payments: the survey's own claims are counted by the place
    counter instead of the ledger, so that two claims at the same moment can't
    both take the last money.
    """
    caps = [rule.first] if rule.first else []
    if rule.while_budget_allows:
        others = [e for e in current(entries)
                  if not (e.source == "claim" and e.survey_id == survey_id)]
        if budget is None or budget.currency != rule.currency:
            caps.append(0)
        else:
            room = summarise(budget, others).remaining
            caps.append(max(0, int(room // rule.amount)))
    return min(caps) if caps else None


def make_claim(incentives: IncentiveStore, *, survey_id: str, project_id: str,
               rule: IncentiveRule, provider: PaymentProvider, token: str, contact: str,
               cap: int | None, today: str, mark: str = "") -> tuple[dict, LedgerEntry, str]:
    """Claim once with ``token``; return ``(claim, ledger entry, code to show)``.

    ``mark`` (optional) is a one-way mark of the response or draft the claim is
    for: the claim is refused as ``used`` when that mark was taken already, so
    a response claims once whichever way (Thank you page, reference, stopping)
    it comes. Raises :class:`ClaimError`: ``way`` (not a way this survey
    lists), ``contact`` (no usable email or phone), ``used`` (the token or
    mark was used, or is unknown), ``none_left`` (the limit is reached),
    ``no_stock`` (the way ran out). On any error after the token is taken,
    everything taken is given back (the mark, the place, a voucher code, the
    token), so nothing is given and the participant can try again.
    """
    if provider.name not in rule.ways:
        raise ClaimError("way")  # refused here too, not only by the page
    contact = clean_contact(contact) if provider.needs_contact else ""
    if not incentives.use_token(survey_id, token):
        raise ClaimError("used")
    undo: list = []  # what to give back, newest last, if a later step fails
    try:
        if mark:
            if not incentives.take_mark(survey_id, mark):
                raise ClaimError("used")
            undo.append(lambda: incentives.give_back_mark(survey_id, mark))
        if not incentives.take_place(survey_id, cap):
            raise ClaimError("none_left")
        undo.append(lambda: incentives.give_back_place(survey_id))
        claim = _new_claim(survey_id, project_id, rule, provider, contact, today)
        shown = provider.give(survey_id=survey_id, claim=claim, incentives=incentives)
        undo.append(lambda: provider.take_back(survey_id=survey_id, claim=claim, shown=shown,
                                               incentives=incentives))
        entry = _ledger_entry(project_id, survey_id, rule, provider, claim, today)
        incentives.add_claim(claim)
        undo.append(lambda: incentives.remove_claim(claim["id"]))
        incentives.add_entry(entry)  # the ledger is append-only: written last
    except BaseException:
        _give_back(undo)
        incentives.give_back_token(survey_id, token, today)
        raise
    return claim, entry, shown


def _new_claim(survey_id, project_id, rule, provider, contact, today) -> dict:
    """A claim record: no response id, no pseudonym, no time of day (a day only)."""
    return {"id": random_id(16), "survey_id": survey_id, "project_id": project_id,
            "way": provider.name, "reward": rule.reward, "amount": str(rule.amount),
            "currency": rule.currency, "code": short_code(),
            "contact": contact,
            "status": "paid" if provider.pays_now else "waiting", "claimed_on": today,
            "paid_on": today if provider.pays_now else "", "erase_after": "",
            "ledger_entry": "", "erased": False}


def _ledger_entry(project_id, survey_id, rule, provider, claim, today) -> LedgerEntry:
    entry = new_entry(project_id=project_id, category="participant_incentive",
                      amount=Decimal(rule.amount), currency=rule.currency, date=today,
                      status="paid" if claim["status"] == "paid" else "planned",
                      note=f"Thank-you payment ({provider.name}), claim {claim['code']}",
                      recorded_by="participant claim", recorded_at=today, source="claim",
                      survey_id=survey_id)
    claim["ledger_entry"] = entry.id
    return entry


def _give_back(undo: list) -> None:
    """Undo each step, newest first; one that fails must not stop the others."""
    for step in reversed(undo):
        try:
            step()
        except Exception:  # e.g. the disk is still full: the rest may still work
            log.exception("Could not give back part of a failed claim")
