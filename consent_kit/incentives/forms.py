"""Reading the budget page's forms into budgets and ledger entries, with plain messages.

Each function takes the posted fields as a plain mapping and returns the
record, or raises :class:`FormProblems` listing every mistake as ``(field,
label, message, params)`` for the page's error summary: ``label`` and
``message`` are marked with ``N_`` and translated by the page
(``gettext(message, **params)``). What was typed is never lost: the page shows
it again. No Flask here.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from babel import UnknownLocaleError
from babel.numbers import get_currency_symbol

from consent_kit.incentives.ledger import (
    N_,
    STATUSES,
    Budget,
    LedgerEntry,
    MoneyError,
    correction,
    known_currency,
    new_entry,
    parse_amount,
    plain_text,
    work_amount,
)

MAX_NOTE, MAX_CATEGORY, MAX_PERSON = 500, 40, 80


class FormProblems(ValueError):
    """Mistakes in a form: ``problems`` is a list of ``(field, label, message, params)``."""

    def __init__(self, problems: list[tuple[str, str, str, dict]]):
        super().__init__("; ".join(p[2] % p[3] if p[3] else p[2] for p in problems))
        self.problems = problems


def _problem(field: str, label: str, message: str, **params) -> tuple[str, str, str, dict]:
    return (field, label, message, params)


def budget_from_form(form: Mapping, project_id: str, old: Budget | None, *, locale: str,
                     has_entries: bool) -> Budget:
    """The budget as set on the form; the currency can't change once money is recorded."""
    problems = []
    currency = (form.get("currency") or (old.currency if old else "GBP")).strip().upper()
    if not known_currency(currency):
        problems.append(_problem("currency", N_("Currency"), N_(
            "Enter a three-letter currency code, like GBP, EUR or USD.")))
        currency = old.currency if old else "GBP"
    elif old and has_entries and currency != old.currency:
        problems.append(_problem("currency", N_("Currency"), N_(
            "The budget's money is already recorded in %(currency)s, so its currency can't "
            "change."), currency=old.currency))
    amount = _amount(form, "amount", N_("Budget"), currency, locale, problems)
    retention = _whole(form.get("retention_days", "30"), problems)
    categories = list(old.categories if old else ())
    extra = plain_text(form.get("new_category") or "")
    if extra:
        if len(extra) > MAX_CATEGORY:
            problems.append(_problem("new_category", N_("New category"), N_(
                "Keep the name under %(most)s letters."), most=MAX_CATEGORY))
        elif extra not in categories:
            categories.append(extra)
    if problems:
        raise FormProblems(problems)
    return Budget(project_id, amount, currency, retention, tuple(categories))


def entry_from_form(form: Mapping, budget: Budget, *, locale: str, who: str, now: str
                    ) -> LedgerEntry:
    """A new entry from the "Add a payment or cost" form."""
    problems: list = []
    category = form.get("category", "")
    if category not in budget.all_categories():
        problems.append(_problem("category", N_("What it is for"),
                                 N_("Choose what the money is for.")))
    amount = _amount(form, "amount", N_("Amount"), budget.currency, locale, problems)
    status = _status(form, problems)
    date = _date(form, problems)
    note = _note(form, problems)
    if problems:
        raise FormProblems(problems)
    return new_entry(project_id=budget.project_id, category=category, amount=amount,
                     currency=budget.currency, date=date, status=status, note=note,
                     recorded_by=who, recorded_at=now)


def work_from_form(form: Mapping, budget: Budget, *, locale: str, who: str, now: str
                   ) -> LedgerEntry:
    """A peer researcher's hours at a rate, as a "peer researcher fee" entry."""
    problems: list = []
    person = plain_text(form.get("person") or "")
    if not person or len(person) > MAX_PERSON:
        problems.append(_problem("person", N_("Who worked"),
                                 N_("Enter the name of the person who worked.")))
    hours = _decimal(form.get("hours", ""), problems)
    rate = _amount(form, "rate", N_("Pay per hour"), budget.currency, locale, problems)
    status = _status(form, problems)
    date = _date(form, problems)
    amount = Decimal(0)
    if not problems:
        try:
            amount = work_amount(hours, rate, budget.currency)
        except MoneyError as error:
            problems.append(_problem("hours", N_("Hours"), error.template, **error.params))
    if problems:
        raise FormProblems(problems)
    return new_entry(project_id=budget.project_id, category="peer_researcher_fee", amount=amount,
                     currency=budget.currency, date=date, status=status,
                     note=_note(form, problems), recorded_by=who, recorded_at=now,
                     source="work", person=person, hours=str(hours), rate=str(rate))


def correction_from_form(form: Mapping, old: LedgerEntry, *, locale: str, who: str, now: str
                         ) -> LedgerEntry:
    """A new entry correcting ``old``: a new status, and optionally a new amount or note."""
    problems: list = []
    status = _status(form, problems)
    amount = old.amount
    if (form.get("amount") or "").strip():
        amount = _amount(form, "amount", N_("Amount"), old.currency, locale, problems)
    note = _note(form, problems) or old.note
    if problems:
        raise FormProblems(problems)
    if status == old.status and amount == old.amount and note == old.note:
        raise FormProblems([_problem("status", N_("Status"), N_(
            "Nothing is different from the entry now. Change the status, the amount or the "
            "note."))])
    return correction(old, recorded_by=who, recorded_at=now, status=status, amount=amount,
                      note=note)


def _amount(form, field, label, currency, locale, problems) -> Decimal:
    try:
        return parse_amount(_without_sign(form.get(field, ""), currency, locale), currency, locale)
    except MoneyError as error:
        problems.append(_problem(field, label, error.template, **error.params))
        return Decimal(0)


def _without_sign(text: str, currency: str, locale: str) -> str:
    """The amount without the budget's own currency sign or code: "£1,500" is 1500 pounds.

    People type money as they see it written. Only this currency's signs are taken off, so
    "$20" in a pound budget is still refused rather than read as £20.
    """
    typed = (text or "").strip()
    signs = {currency, currency.lower()}
    for name in (locale, "en"):
        with contextlib.suppress(UnknownLocaleError, ValueError):
            signs.add(get_currency_symbol(currency, locale=name.replace("-", "_")))
    for sign in sorted(signs, key=len, reverse=True):
        if typed.startswith(sign):
            return typed[len(sign):].strip()
        if typed.endswith(sign):
            return typed[:-len(sign)].strip()
    return typed


def _decimal(text, problems) -> Decimal:
    try:
        value = Decimal((text or "").strip())
        if value.is_finite() and value > 0:
            return value
    except InvalidOperation:
        pass
    problems.append(_problem("hours", N_("Hours"), N_("Enter the hours as a number, like 3 or 2.5.")))
    return Decimal(0)


def _whole(text, problems) -> int:
    try:
        days = int((text or "").strip())
        if 0 <= days <= 3650:
            return days
    except ValueError:
        pass
    problems.append(_problem("retention_days", N_("Days to keep contact details"), N_(
        "Enter a whole number of days, like 30 (0 deletes them as soon as someone is paid).")))
    return 30


def _status(form, problems) -> str:
    status = form.get("status", "")
    if status not in STATUSES:
        problems.append(_problem("status", N_("Status"), N_("Choose planned, paid or cancelled.")))
    return status


def _date(form, problems) -> str:
    typed = (form.get("date") or "").strip()
    if not typed:
        return datetime.date.today().isoformat()
    try:
        return datetime.date.fromisoformat(typed).isoformat()
    except ValueError:
        problems.append(_problem("date", N_("Date"),
                                 N_("Enter the date like 2026-11-26 (year-month-day).")))
        return ""


def _note(form, problems) -> str:
    note = plain_text(form.get("note") or "")
    if len(note) > MAX_NOTE:
        problems.append(_problem("note", N_("Note"), N_("Keep the note under %(most)s letters."),
                                 most=MAX_NOTE))
    return note
