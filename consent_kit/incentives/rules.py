"""A survey's thank-you payment: the ``incentive:`` setting of a survey file.

::

    incentive:
      reward: a £10 shopping voucher    # what people get, in plain words
      amount: 10                        # what it costs, for the budget
      currency: GBP                     # optional (GBP when left out)
      ways: [voucher, contact, in_person]
      first: 50                         # optional: only the first 50 people
      while_budget_allows: true         # optional: stop when the project's budget runs out
      vouchers: [TRY-ME-1, TRY-ME-2]    # optional: sample codes, for trying it out
      if_you_stop: claim                # optional: ask (the default), claim or nothing
      because: ...                      # with "if_you_stop: nothing": why, in plain words

People keep a thank-you payment if they stop early or take their answers back.
``if_you_stop`` says how someone who stops early gets it: ``ask`` the
researchers (the default), ``claim`` it on the page they stop on ("Save and
come back later"), or ``nothing``: only people who finish get one, which the
researchers must explain with ``because`` (it is shown on the start page).

The loader calls :func:`check_incentive` so every mistake is reported with the
file, the line and how to fix it; pages call :func:`rule_of` on a loaded
survey. No Flask here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from consent_kit.incentives.ledger import MoneyError, check_amount, known_currency
from consent_kit.survey.load.common import (
    Context,
    check_keys,
    did_you_mean,
    is_number,
    item_line,
    key_line,
    line_of,
    read_flag,
    read_text,
    show,
    spell_list,
    value_line,
)

KEYS = ("reward", "amount", "currency", "ways", "first", "while_budget_allows", "vouchers",
        "if_you_stop", "because")
#: What someone who stops early can do: ask the researchers, claim on the way out, or nothing.
IF_YOU_STOP = ("ask", "claim", "nothing")
#: The ways to claim that come with consent-kit; plugins may add more (payment providers).
BUILTIN_WAYS = ("voucher", "contact", "in_person")
_SYNONYMS = {"what": "reward", "gift": "reward", "payment": "reward", "cost": "amount",
             "value": "amount", "price": "amount", "methods": "ways", "how": "ways",
             "claim": "ways", "limit": "first", "max": "first", "maximum": "first",
             "budget": "while_budget_allows", "codes": "vouchers", "voucher_codes": "vouchers"}
_WAY_SYNONYMS = {"code": "voucher", "vouchers": "voucher", "email": "contact", "phone": "contact",
                 "transfer": "contact", "in-person": "in_person", "collect": "in_person",
                 "person": "in_person", "pickup": "in_person"}
_WHERE = "incentive"
_EXAMPLE = ("incentive:\n  reward: a £10 shopping voucher\n  amount: 10\n"
            "  ways: [voucher, contact]")


@dataclass(frozen=True)
class IncentiveRule:
    """What a survey gives for completing it, and how people can claim it."""

    reward: str
    amount: Decimal
    currency: str = "GBP"
    ways: tuple[str, ...] = ("contact",)
    first: int | None = None
    while_budget_allows: bool = False
    vouchers: tuple[str, ...] = ()
    if_you_stop: str = "ask"
    because: str = ""


def check_incentive(ctx: Context, data: dict) -> IncentiveRule | None:
    """Read ``incentive:`` from a survey file's data, reporting every mistake on ``ctx``."""
    if "incentive" not in data:
        return None
    raw = data["incentive"]
    if not isinstance(raw, dict):
        ctx.add(value_line(data, "incentive"), _WHERE, f"'incentive' should be a group of "
                f"settings, not {show(raw)}. For example:\n{_EXAMPLE}")
        return None
    before = len(ctx.problems)
    check_keys(ctx, raw, KEYS, _WHERE, what="An incentive", synonyms=_SYNONYMS)
    reward = read_text(ctx, raw, "reward", _WHERE, required=True, missing=(
        "'reward' is missing: say what people get, in plain words, like "
        "'reward: a £10 shopping voucher'."))
    currency = _currency(ctx, raw)
    amount = _amount(ctx, raw, currency)
    rule = IncentiveRule(reward=reward, amount=amount, currency=currency, ways=_ways(ctx, raw),
                         first=_first(ctx, raw),
                         while_budget_allows=read_flag(ctx, raw, "while_budget_allows", _WHERE,
                                                       default=False),
                         vouchers=_vouchers(ctx, raw), **_if_you_stop(ctx, raw))
    if "vouchers" in raw and "voucher" not in rule.ways:
        ctx.add(key_line(raw, "vouchers"), _WHERE, "there are 'vouchers' but 'ways' doesn't "
                "have 'voucher', so nobody could get them. Add 'voucher' to 'ways'.")
    return rule if len(ctx.problems) == before else None


#: Rules read already, by (survey id, content hash): pages ask on every view.
_RULES: dict[tuple[str, str], IncentiveRule | None] = {}


def rule_of(survey) -> IncentiveRule | None:
    """The incentive rule of a loaded survey, or ``None`` when it offers nothing.

    The loader has already checked it, so a problem here can't happen for a
    survey that loaded; if it somehow does, the survey offers nothing.
    """
    raw = getattr(survey, "extra", {}).get("incentive")
    if raw is None:
        return None
    key = (survey.id, survey.version)
    if key not in _RULES:
        if len(_RULES) > 500:  # edited files make new versions: don't keep them all for ever
            _RULES.clear()
        # In the survey's own language: a Welsh-first file's reward is in Welsh first.
        own = str(getattr(survey, "language", "") or "en").replace("-", "_")
        ctx = Context(getattr(survey, "source", ""), language=own)
        rule = check_incentive(ctx, {"incentive": raw})
        _RULES[key] = None if ctx.problems else rule
    return _RULES[key]


def _currency(ctx: Context, raw: dict) -> str:
    value = raw.get("currency", "GBP")
    if isinstance(value, str) and known_currency(value.strip()):
        return value.strip().upper()
    ctx.add(value_line(raw, "currency"), _WHERE, f"'currency' should be a three-letter "
            f"currency code like GBP, EUR or USD, not {show(value)}.")
    return "GBP"


def _amount(ctx: Context, raw: dict, currency: str) -> Decimal:
    line = value_line(raw, "amount", line_of(raw))
    if "amount" not in raw:
        ctx.add(line, _WHERE, "'amount' is missing: write what one thank-you payment costs, "
                "as a number, like 'amount: 10' or 'amount: 7.50', so the budget adds up.")
        return Decimal(0)
    value = raw["amount"]
    try:
        if isinstance(value, bool) or not (is_number(value) or isinstance(value, str)):
            raise InvalidOperation
        return check_amount(Decimal(str(value).strip()), currency)
    except (InvalidOperation, ValueError) as error:
        why = str(error) if isinstance(error, MoneyError) else "It should be a number."
        ctx.add(line, _WHERE, f"'amount' can't be {show(value)}. {why} For example "
                "'amount: 10' or 'amount: 7.50', with no currency sign.")
        return Decimal(0)


def _ways(ctx: Context, raw: dict) -> tuple[str, ...]:
    line = value_line(raw, "ways", line_of(raw))
    value = raw.get("ways")
    if value is None:
        ctx.add(line, _WHERE, "'ways' is missing: say how people can claim, like "
                f"'ways: [voucher, contact]'. The ways are {spell_list(BUILTIN_WAYS)}.")
        return ()
    items = value if isinstance(value, list) else [value]
    ways: list[str] = []
    for index, item in enumerate(items):
        where_line = item_line(value, index, line) if isinstance(value, list) else line
        name = item.strip() if isinstance(item, str) else ""
        if name in BUILTIN_WAYS or _plugin_way(name):
            if name in ways:
                ctx.add(where_line, _WHERE, f"'{name}' is in 'ways' twice. Remove one.")
            ways.append(name)
            continue
        guess = did_you_mean(item, BUILTIN_WAYS, _WAY_SYNONYMS)
        hint = f" — did you mean '{guess}'?" if guess else (
            f". The ways are {spell_list(BUILTIN_WAYS)}, or one a plugin adds.")
        ctx.add(where_line, _WHERE, f"{show(item)} isn't a way to claim{hint}")
    if not items:
        ctx.add(line, _WHERE, "'ways' is empty. Add at least one, like 'ways: [contact]'.")
    return tuple(dict.fromkeys(ways))


def _plugin_way(name: str) -> bool:
    """A name a plugin's payment provider could have: not a known word for a built-in way or a typo of one."""
    if not (name and name.isidentifier() and name.islower()) or name in _WAY_SYNONYMS:
        return False
    return not difflib.get_close_matches(name, BUILTIN_WAYS, n=1, cutoff=0.8)


def _first(ctx: Context, raw: dict) -> int | None:
    if "first" not in raw:
        return None
    value = raw["first"]
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    ctx.add(value_line(raw, "first"), _WHERE, f"'first' should be how many people can get "
            f"one, a whole number more than 0, like 'first: 50', not {show(value)}.")
    return None


def _if_you_stop(ctx: Context, raw: dict) -> dict:
    """``if_you_stop`` and ``because``: not paying people who stop must be explained."""
    choice = raw.get("if_you_stop", "ask")
    if choice not in IF_YOU_STOP:
        ctx.add(value_line(raw, "if_you_stop"), _WHERE, f"'if_you_stop' should be "
                f"{spell_list(IF_YOU_STOP)}, not {show(choice)}.")
        return {}
    because = read_text(ctx, raw, "because", _WHERE, required=choice == "nothing", missing=(
        "'if_you_stop: nothing' means people who stop early get no thank-you payment. Say why "
        "under 'because', in plain words (it is shown before people start), like "
        "'because: the money is for finished surveys only, by our funder's rules.'"))
    if "because" in raw and choice != "nothing":
        ctx.add(key_line(raw, "because"), _WHERE, "'because' is only for "
                "'if_you_stop: nothing'. Remove it, or say 'if_you_stop: nothing'.")
    return {"if_you_stop": choice, "because": because or ""}


def _vouchers(ctx: Context, raw: dict) -> tuple[str, ...]:
    if "vouchers" not in raw:
        return ()
    value = raw["vouchers"]
    if not isinstance(value, list) or not value:
        ctx.add(value_line(raw, "vouchers"), _WHERE, "'vouchers' should be a list of codes, "
                "like 'vouchers: [TRY-ME-1, TRY-ME-2]'. For real codes, upload a file on the "
                "project's budget page instead, so the codes aren't in a file you share.")
        return ()
    codes: list[str] = []
    for index, item in enumerate(value):
        code = str(item).strip() if isinstance(item, str | int) and not isinstance(item, bool) else ""
        if not code or len(code) > 200:
            ctx.add(item_line(value, index, line_of(value)), _WHERE, f"{show(item)} can't be a "
                    "voucher code: write each code as it is, on its own line.")
        elif code in codes:
            ctx.add(item_line(value, index, line_of(value)), _WHERE,
                    f"the voucher code {show(code)} is in the list twice. Each code can be "
                    "given out only once: remove one.")
        else:
            codes.append(code)
    return tuple(codes)
