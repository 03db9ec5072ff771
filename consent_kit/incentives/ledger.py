"""Budgets and the ledger of a project: money as Decimal, entries never changed in place.

A project has a budget (an amount and a currency) and a ledger: every payment
or cost, with a category, an amount, a date, a status (planned, paid,
cancelled), a note and who recorded it. Entries are never edited or deleted:
a correction is a new entry that ``replaces`` the old one, so the ledger shows
what was believed when, and the finance export can be checked line by line.

No Flask and no files here: :mod:`consent_kit.incentives.store` keeps the
records, :mod:`consent_kit.incentives.rules` reads a survey's ``incentive:``
and :mod:`consent_kit.incentives.claims` hands out thank-you payments.
"""

from __future__ import annotations

import datetime
import random
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    format_currency,
    get_currency_precision,
    list_currencies,
    parse_decimal,
)

#: Categories every project has; a project may add its own (``Budget.categories``).
CATEGORIES = ("participant_incentive", "peer_researcher_fee", "venue", "food", "travel", "other")
#: planned = committed but not paid yet; cancelled entries count for nothing.
STATUSES = ("planned", "paid", "cancelled")
#: Where an entry came from: typed by a researcher, a participant's claim, or hours worked.
SOURCES = ("", "claim", "work")
#: The largest amount anyone can type: beyond it is surely a slip of the keyboard.
MAX_AMOUNT = Decimal("100000000")


#: Where new ids come from: random, so that sorting by id says nothing about when a record was
#: made (claims are listed in id order). Tests may put a seeded ``random.Random`` here.
ID_RANDOM: random.Random = random.SystemRandom()


def random_id(length: int = 12) -> str:
    """A new random id of ``length`` hex digits."""
    return f"{ID_RANDOM.getrandbits(length * 4):0{length}x}"


def N_(text: str) -> str:
    """Mark words for translation here; the page translates them when it shows them."""
    return text


class MoneyError(ValueError):
    """An amount someone typed can't be used; the message says why, in plain words.

    ``template`` (marked with :func:`N_`) and ``params`` let the page show it in
    the reader's language: ``gettext(error.template, **error.params)``.
    """

    def __init__(self, template: str, **params):
        super().__init__(template % params if params else template)
        self.template, self.params = template, params


#: Control characters (ESC, NUL ...): a spreadsheet file can't hold most of them.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def plain_text(text: str) -> str:
    """Typed text on one line: control characters and runs of spaces become one space.

    A note with ESC or NUL in it would otherwise sit in the append-only ledger
    for ever and make every Excel export of it fail.
    """
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text or "")
    return " ".join(cleaned.split())


def export_text(text: str) -> str:
    """Text for a file cell, with any control characters left from older versions removed."""
    return _CONTROLS.sub(" ", text or "")


# -- money --------------------------------------------------------------------------------


def known_currency(code: str) -> bool:
    """Whether Babel knows this ISO 4217 currency code (e.g. ``"GBP"``)."""
    return isinstance(code, str) and code.upper() in list_currencies()


def quantum(currency: str) -> Decimal:
    """The smallest step of a currency: 0.01 for GBP, 1 for JPY, 0.001 for KWD."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def parse_amount(text: str, currency: str, locale: str = "en") -> Decimal:
    """Read an amount as typed in ``locale`` ("1,234.50" in English, "1.234,50" in German).

    Raises :class:`MoneyError` for anything that isn't a positive amount with at
    most the currency's decimal places (no rounding: a typo must not turn
    into a different payment).
    """
    typed = (text or "").strip().replace("\u00a0", " ").replace(" ", "")
    if not typed:
        raise MoneyError(N_("Enter an amount, like 10 or 12.50."))
    try:
        amount = parse_decimal(typed, locale=_locale(locale), strict=True)
    except (NumberFormatError, InvalidOperation):
        raise MoneyError(N_("Enter the amount as a number, like 10 or 12.50, without a "
                            "currency sign.")) from None
    return check_amount(amount, currency)


def check_amount(amount: Decimal, currency: str) -> Decimal:
    """``amount`` if it is positive, not huge and fits the currency's decimal places."""
    if not amount.is_finite() or amount <= 0:
        raise MoneyError(N_("Enter an amount more than 0."))
    if amount >= MAX_AMOUNT:
        raise MoneyError(N_("That amount is too big. Check the number of zeros."))
    step = quantum(currency)
    if amount != amount.quantize(step):
        places = get_currency_precision(currency)
        if places:
            raise MoneyError(N_("%(currency)s amounts have %(places)s decimal places at most."),
                             currency=currency, places=places)
        raise MoneyError(N_("%(currency)s amounts are whole numbers."), currency=currency)
    return amount.quantize(step)


def format_money(amount: Decimal, currency: str, locale: str = "en") -> str:
    """The amount as people in ``locale`` write it: "£1,234.50", "1.234,50 €"."""
    return format_currency(amount, currency, locale=_locale(locale))


def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name or "en", sep="-" if "-" in (name or "") else "_")
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


# -- the ledger -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    """One payment or cost. ``replaces`` names the entry this one corrects ("" for none)."""

    id: str
    project_id: str
    category: str
    amount: Decimal
    currency: str
    date: str  # ISO date the money moved (or will), e.g. "2026-11-26"
    status: str
    note: str = ""
    recorded_by: str = ""
    recorded_at: str = ""
    replaces: str = ""
    source: str = ""
    survey_id: str = ""
    person: str = ""  # a peer researcher's name, for work entries
    hours: str = ""  # hours worked, as typed (Decimal text)
    rate: str = ""  # pay per hour (Decimal text)

    def to_record(self) -> dict:
        """A JSON-ready dict (amounts as text, so nothing passes through a float)."""
        record = asdict(self)
        record["amount"] = str(self.amount)
        return record

    @classmethod
    def from_record(cls, record: dict) -> LedgerEntry:
        """Rebuild an entry from :meth:`to_record` output (unknown keys ignored)."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in record.items() if k in known}
        values["amount"] = Decimal(str(record["amount"]))
        return cls(**values)


def new_entry(**values) -> LedgerEntry:
    """A new entry with a fresh id; ``status`` and ``category`` are checked."""
    if values.get("status") not in STATUSES:
        raise MoneyError(N_("Choose planned, paid or cancelled."))
    if not values.get("category"):
        raise MoneyError(N_("Choose what the money is for."))
    if values.get("source", "") not in SOURCES:
        raise ValueError(f"unknown source {values.get('source')!r}")
    values.setdefault("date", datetime.date.today().isoformat())
    return LedgerEntry(id=random_id(12), **values)


def correction(old: LedgerEntry, *, recorded_by: str, recorded_at: str, **changes) -> LedgerEntry:
    """A new entry that replaces ``old`` with ``changes`` (e.g. ``status="paid"``)."""
    values = {**asdict(replace(old, **changes)), "recorded_by": recorded_by,
              "recorded_at": recorded_at, "replaces": old.id}
    values.pop("id")
    return new_entry(**values)


def current(entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """The entries that stand: those no later entry replaces, in the order recorded."""
    entries = list(entries)
    replaced = {entry.replaces for entry in entries if entry.replaces}
    return [entry for entry in entries if entry.id not in replaced]


def finance_order(entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """Entries by date; on each day researchers' own entries as recorded, then claims by id.

    Claims are never listed in the order they were made: that order is the
    order the answers came in, and would tie each claim (and the contact
    details with it) to someone's answers. Their ids are random, so sorting
    by id mixes them up; their dates are days, never times.
    """
    entries = list(entries)
    place = {entry.id: index for index, entry in enumerate(entries)}

    def key(entry: LedgerEntry):
        claimed = entry.source == "claim"
        return (entry.date, claimed, entry.id if claimed else "", place[entry.id])

    return sorted(entries, key=key)


def history(entries: Iterable[LedgerEntry], entry_id: str) -> list[LedgerEntry]:
    """The entry and every entry it replaced, newest first."""
    by_id = {entry.id: entry for entry in entries}
    found, seen = [], set()
    while entry_id in by_id and entry_id not in seen:
        seen.add(entry_id)
        found.append(by_id[entry_id])
        entry_id = by_id[entry_id].replaces
    return found


@dataclass(frozen=True)
class Budget:
    """A project's budget. ``retention_days``: how long contact details stay after paying."""

    project_id: str
    amount: Decimal
    currency: str
    retention_days: int = 30
    categories: tuple[str, ...] = ()  # the project's own categories, on top of CATEGORIES

    def all_categories(self) -> tuple[str, ...]:
        """The standard categories followed by the project's own."""
        return CATEGORIES + tuple(c for c in self.categories if c not in CATEGORIES)


@dataclass(frozen=True)
class Summary:
    """Where a budget stands. ``by_category`` maps category -> (paid, planned)."""

    budget: Decimal
    spent: Decimal
    committed: Decimal
    remaining: Decimal
    by_category: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    @property
    def over(self) -> bool:
        """Whether spent plus committed is more than the budget."""
        return self.remaining < 0

    def shares(self) -> tuple[int, int]:
        """Spent and committed as whole percentages of the budget (for the bar), capped at 100."""
        if self.budget <= 0:
            return (0, 0)
        spent = min(100, int(self.spent * 100 / self.budget))
        committed = min(100 - spent, int(self.committed * 100 / self.budget))
        return spent, committed


def summarise(budget: Budget | None, entries: Iterable[LedgerEntry]) -> Summary:
    """Spent (paid), committed (planned) and remaining, exactly, from the standing entries.

    Entries in another currency than the budget's are not added in (they
    can't be, without an exchange rate); :func:`other_currencies` lists them.
    """
    currency = budget.currency if budget else None
    total = budget.amount if budget else Decimal(0)
    spent, committed = Decimal(0), Decimal(0)
    by_category: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for entry in current(entries):
        if entry.status == "cancelled" or (currency and entry.currency != currency):
            continue
        slot = 0 if entry.status == "paid" else 1
        by_category[entry.category][slot] += entry.amount
        if slot == 0:
            spent += entry.amount
        else:
            committed += entry.amount
    return Summary(total, spent, committed, total - spent - committed,
                   {k: (v[0], v[1]) for k, v in by_category.items()})


def other_currencies(budget: Budget | None, entries: Iterable[LedgerEntry]) -> list[LedgerEntry]:
    """Standing entries in a currency other than the budget's (left out of the sums)."""
    if budget is None:
        return []
    return [e for e in current(entries) if e.currency != budget.currency and e.status != "cancelled"]


def goes_over(summary: Summary, amount: Decimal, status: str, replacing: LedgerEntry | None = None
              ) -> bool:
    """Whether recording ``amount`` (planned or paid) would take the remaining money below 0.

    A correction first gives back what the entry it replaces counted for.
    """
    if status == "cancelled":
        return False
    back = Decimal(0)
    if replacing is not None and replacing.status != "cancelled":
        back = replacing.amount
    return summary.remaining + back - amount < 0


# -- peer researchers' work -----------------------------------------------------------------


def work_amount(hours: Decimal, rate: Decimal, currency: str) -> Decimal:
    """Pay for ``hours`` at ``rate`` per hour, rounded half up to the currency's smallest step."""
    if hours <= 0 or hours > 1000:
        raise MoneyError(N_("Enter the hours worked, more than 0 (use 0.5 for half an hour)."))
    return check_amount((hours * rate).quantize(quantum(currency), rounding=ROUND_HALF_UP),
                        currency)


def work_totals(entries: Iterable[LedgerEntry]) -> tuple[dict, dict]:
    """Standing work entries added up per person and per month (``"2026-11"``).

    Each total is ``{"hours", "amount", "paid"}`` (Decimals); cancelled work is left out.
    """
    people: dict[str, dict] = defaultdict(lambda: {"hours": Decimal(0), "amount": Decimal(0),
                                                   "paid": Decimal(0)})
    months: dict[str, dict] = defaultdict(lambda: {"hours": Decimal(0), "amount": Decimal(0),
                                                   "paid": Decimal(0)})
    for entry in current(entries):
        if entry.source != "work" or entry.status == "cancelled":
            continue
        for total in (people[entry.person], months[entry.date[:7]]):
            total["hours"] += Decimal(entry.hours or 0)
            total["amount"] += entry.amount
            if entry.status == "paid":
                total["paid"] += entry.amount
    return dict(sorted(people.items())), dict(sorted(months.items()))

