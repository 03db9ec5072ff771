"""A survey's thank-you payment and its plain-language aim, as the browser sets them.

The same keys as a survey file (see docs/incentives.md and
docs/plain-language.md)::

    incentive:
      reward: a £10 shopping voucher
      amount: 10
      ways: [voucher, contact]
      first: 50
      while_budget_allows: true
      if_you_stop: claim
    plain_language:
      reading_age: 11

Like every builder operation each returns a changed deep copy, a setting
typed exactly as it already is stays exactly as written (so a file
downloaded and uploaded again doesn't change), and the loader decides
whether the result is right (its words name what to fix). No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consent_kit.studio.builder.texts import clone, language_of, normalise_words, set_text

#: What someone who stops early can do, as the survey file says it.
IF_YOU_STOP = ("ask", "claim", "nothing")


@dataclass
class Incentive:
    """A thank-you payment as typed into the form (words, not yet checked)."""

    reward: str = ""
    amount: str = ""
    currency: str = ""
    ways: list[str] = field(default_factory=list)
    first: str = ""
    while_budget_allows: bool = False
    if_you_stop: str = ""
    because: str = ""


def incentive_of(definition: dict) -> dict | None:
    """The survey's ``incentive:`` group, or None when it offers no thank-you payment."""
    found = definition.get("incentive")
    return found if isinstance(found, dict) else None


def remove_incentive(definition: dict) -> dict:
    """No thank-you payment any more."""
    changed = clone(definition)
    changed.pop("incentive", None)
    return changed


def set_incentive(definition: dict, typed: Incentive) -> dict:
    """Offer a thank-you payment, or change the one offered (other settings are kept)."""
    changed = clone(definition)
    old = incentive_of(changed)
    item = clone(old) if old is not None else {}
    set_text(item, "reward", typed.reward, language_of(changed), keep_empty=True)
    _set_value(item, "amount", _number(typed.amount))
    _set_value(item, "currency", normalise_words(typed.currency).upper() or None,
               default="GBP")
    ways = [w for w in dict.fromkeys(typed.ways) if w]
    if ways != item.get("ways"):
        item["ways"] = ways  # an empty list stays, so the loader says "add at least one"
    _set_value(item, "first", _number(typed.first))
    _set_value(item, "while_budget_allows", True if typed.while_budget_allows else None)
    stop = typed.if_you_stop if typed.if_you_stop in IF_YOU_STOP else ""
    _set_value(item, "if_you_stop", stop or None, default="ask")
    if stop == "nothing" or typed.because.strip():
        set_text(item, "because", typed.because, language_of(changed), keep_empty=True)
    else:
        item.pop("because", None)
    if "vouchers" in item and "voucher" not in ways:
        item.pop("vouchers")  # sample codes nobody could get: the loader would refuse them
    changed["incentive"] = item
    return changed


def _number(typed: str):
    """A typed amount or limit: a number when it is one (``10``, ``7.50``), else the words
    (the loader then says what is wrong with them)."""
    text = normalise_words(typed).replace(",", "")
    for sign in ("£", "€", "$"):
        text = text.removeprefix(sign)
    if not text:
        return None
    if text.isdigit():
        return int(text)
    try:
        return float(text) if text.replace(".", "", 1).isdigit() else typed.strip()
    except ValueError:
        return typed.strip()


def _set_value(item: dict, key: str, value, default=None) -> None:
    """Set a plain setting; None (or the default, when it wasn't written) leaves it out;
    a value equal to what is written keeps what is written (``7.50`` stays ``7.50``)."""
    if value is None or (value == default and key not in item):
        item.pop(key, None)
        return
    old = item.get(key)
    if old is not None and _same(old, value):
        return
    item[key] = value


def _same(old, new) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    try:
        return float(str(old).strip()) == float(str(new).strip())
    except ValueError:
        return str(old).strip() == str(new).strip()


def set_reading_age(definition: dict, typed: str) -> dict:
    """The reading age the words aim at (``plain_language: reading_age:``); empty: the default.

    The rest of ``plain_language:`` (a words file) is kept.
    """
    changed = clone(definition)
    group = changed.get("plain_language")
    group = clone(group) if isinstance(group, dict) else {}
    typed = normalise_words(typed)
    if not typed:
        group.pop("reading_age", None)
    elif str(group.get("reading_age", "")).strip() != typed:
        group["reading_age"] = int(typed) if typed.isdigit() else typed
    if group:
        changed["plain_language"] = group
    else:
        changed.pop("plain_language", None)
    return changed
