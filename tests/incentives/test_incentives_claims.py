"""make_claim in every way it can fail: what is given back, the limits, and a property test.

The store here is TinyDB in memory (the same tables API as the real store), so
Hypothesis can run hundreds of claims in a second. Failures part-way are made
by a store whose chosen step raises OSError, as a full disk would.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from consent_kit.incentives.claims import (
    BUILTIN_PROVIDERS,
    ClaimError,
    PaymentProvider,
    availability,
    make_claim,
    place_cap,
)
from consent_kit.incentives.ledger import Budget, correction, current, new_entry, summarise
from consent_kit.incentives.rules import IncentiveRule
from consent_kit.incentives.store import CLAIMS, IncentiveStore
from consent_kit.store.documents import Documents

VOUCHER, CONTACT, IN_PERSON = BUILTIN_PROVIDERS
WAYS = {"voucher": VOUCHER, "contact": CONTACT, "in_person": IN_PERSON}
DAY = "2026-12-02"


class MemoryStore:
    """Just ``table(name)`` and ``documents(name)``, in memory."""

    def __init__(self):
        self.db = TinyDB(storage=MemoryStorage)

    def table(self, name):
        return self.db.table(name)

    def documents(self, name):
        return Documents(self.db.table(name))


class Failing(IncentiveStore):
    """An IncentiveStore whose ``fail`` step raises OSError (as a full disk would)."""

    fail = ""

    def add_claim(self, claim):
        if self.fail == "add_claim":
            raise OSError("disk full")
        super().add_claim(claim)

    def add_entry(self, entry):
        if self.fail == "add_entry":
            raise OSError("disk full")
        return super().add_entry(entry)


class Broken(PaymentProvider):
    name, label = "broken", "Always fails"

    def give(self, *, survey_id, claim, incentives):
        raise RuntimeError("the payment service is down")


def rule(**more) -> IncentiveRule:
    values = {"reward": "a £10 voucher", "amount": Decimal("10"),
              "ways": ("voucher", "contact", "in_person", "broken")}
    return IncentiveRule(**{**values, **more})


@pytest.fixture
def records() -> Failing:
    kept = Failing(MemoryStore())
    kept.add_vouchers("s", ["V1", "V2", "V3"], batch="test")
    return kept


def claim(records, provider=IN_PERSON, *, the_rule=None, token=None, contact="", cap=None,
          mark="", project="p"):
    the_rule = the_rule or rule()
    token = token if token is not None else records.mint_token("s", DAY)
    return make_claim(records, survey_id="s", project_id=project, rule=the_rule,
                      provider=provider, token=token, contact=contact, cap=cap, today=DAY,
                      mark=mark)


def nothing_kept(records, token, *, places=0, vouchers_left=3, mark=""):
    """What a failed claim must leave: the token usable, no place, code, claim or entry."""
    assert records.token_unused("s", token)
    assert records.given("s") == places
    assert records.voucher_stock("s")["left"] == vouchers_left
    assert records.claims(["s"]) == [] and records.entries("p") == []
    assert not mark or not records.marked("s", mark)


# -- given back when a claim fails part-way -------------------------------------------------


@pytest.mark.parametrize("step", ["add_claim", "add_entry"])
def test_a_claim_that_fails_writing_gives_everything_back(records, step):
    token = records.mint_token("s", DAY)
    records.fail = step
    with pytest.raises(OSError):
        claim(records, VOUCHER, token=token, cap=5, mark="m1")
    nothing_kept(records, token, mark="m1")
    records.fail = ""
    made, entry, code = claim(records, VOUCHER, token=token, cap=5, mark="m1")  # it works now
    assert code in ("V1", "V2", "V3") and records.given("s") == 1


def test_a_way_that_fails_gives_the_token_and_the_place_back(records):
    token = records.mint_token("s", DAY)
    with pytest.raises(RuntimeError):
        claim(records, Broken(), token=token, cap=1, mark="m1")
    nothing_kept(records, token, mark="m1")
    claim(records, IN_PERSON, token=token, cap=1)  # the one place is still there


def test_no_voucher_left_gives_the_token_and_the_place_back(records):
    for _ in range(3):
        claim(records, VOUCHER)
    token = records.mint_token("s", DAY)
    with pytest.raises(ClaimError) as error:
        claim(records, VOUCHER, token=token, cap=10)
    assert error.value.reason == "no_stock"
    assert records.token_unused("s", token) and records.given("s") == 3


def test_none_left_gives_the_token_back_and_takes_no_place(records):
    claim(records, cap=1)
    token = records.mint_token("s", DAY)
    with pytest.raises(ClaimError) as error:
        claim(records, token=token, cap=1, mark="m2")
    assert error.value.reason == "none_left"
    assert records.token_unused("s", token) and records.given("s") == 1
    assert not records.marked("s", "m2")


def test_a_used_token_claims_nothing(records):
    token = records.mint_token("s", DAY)
    claim(records, token=token)
    with pytest.raises(ClaimError) as error:
        claim(records, token=token)
    assert error.value.reason == "used" and records.given("s") == 1
    with pytest.raises(ClaimError):
        claim(records, token="")
    assert len(records.claims(["s"])) == 1


def test_a_response_claims_once_whichever_way_it_comes(records):
    claim(records, mark="response-1")
    second = records.mint_token("s", DAY)
    with pytest.raises(ClaimError) as error:
        claim(records, token=second, mark="response-1")
    assert error.value.reason == "used"
    assert records.token_unused("s", second) and records.given("s") == 1
    claim(records, token=second, mark="response-2")


# -- the limits -------------------------------------------------------------------------------


def budget_cap(records, the_rule, budget):
    return place_cap(records, "s", the_rule, budget, records.entries("p"))


@pytest.mark.parametrize(("amount", "fits"), [("30", 3), ("29.99", 2), ("30.01", 3), ("9.99", 0)])
def test_the_budget_cap_holds_exactly_at_the_limit(records, amount, fits):
    the_rule = rule(while_budget_allows=True)
    budget = Budget("p", Decimal(amount), "GBP")
    made = 0
    for _ in range(fits + 2):
        try:
            claim(records, the_rule=the_rule, cap=budget_cap(records, the_rule, budget))
            made += 1
        except ClaimError as error:
            assert error.reason == "none_left"
    assert made == fits
    assert summarise(budget, records.entries("p")).remaining >= 0


def test_a_surveys_own_claims_count_once(records):
    """Claims are in the ledger and in the place counter: the cap must not count them twice."""
    the_rule = rule(while_budget_allows=True)
    budget = Budget("p", Decimal("40"), "GBP")
    records.add_entry(new_entry(project_id="p", category="food", amount=Decimal("10"),
                                currency="GBP", status="paid"))  # others' spending counts
    for _ in range(3):
        claim(records, the_rule=the_rule, cap=budget_cap(records, the_rule, budget))
    with pytest.raises(ClaimError):
        claim(records, the_rule=the_rule, cap=budget_cap(records, the_rule, budget))
    assert summarise(budget, records.entries("p")).remaining == 0


def test_another_surveys_claims_count_as_spending(records):
    the_rule = rule(while_budget_allows=True)
    budget = Budget("p", Decimal("20"), "GBP")
    records.add_entry(new_entry(project_id="p", category="participant_incentive",
                                amount=Decimal("10"), currency="GBP", status="planned",
                                source="claim", survey_id="other"))
    assert budget_cap(records, the_rule, budget) == 1


def test_a_currency_mismatch_is_refused(records):
    the_rule = rule(while_budget_allows=True)  # GBP
    budget = Budget("p", Decimal("1000"), "EUR")
    token = records.mint_token("s", DAY)
    with pytest.raises(ClaimError) as error:
        claim(records, the_rule=the_rule, token=token, cap=budget_cap(records, the_rule, budget))
    assert error.value.reason == "none_left"
    assert records.token_unused("s", token) and records.entries("p") == []
    offer = availability(records, "s", the_rule, budget, [])
    assert not offer.open and offer.left == 0


def test_first_n_counts_places_not_ledger_lines(records):
    the_rule = rule(first=2)
    for _ in range(2):
        claim(records, cap=budget_cap(records, the_rule, None))
    with pytest.raises(ClaimError):
        claim(records, cap=budget_cap(records, the_rule, None))


# -- what is kept ------------------------------------------------------------------------------


def test_contact_details_are_never_kept_for_a_way_that_does_not_need_them(records):
    made, _, _ = claim(records, IN_PERSON, contact="sam@example.org")
    assert made["contact"] == "" and "sam@" not in str(records.store.table(CLAIMS).all())
    kept, _, _ = claim(records, CONTACT, contact=" sam@example.org ")
    assert kept["contact"] == "sam@example.org"


def test_a_bad_contact_is_refused_before_the_token_is_used(records):
    token = records.mint_token("s", DAY)
    with pytest.raises(ClaimError) as error:
        claim(records, CONTACT, token=token, contact="sam at home")
    assert error.value.reason == "contact"
    nothing_kept(records, token)


def test_an_unlisted_way_is_refused_in_the_core(records):
    token = records.mint_token("s", DAY)
    with pytest.raises(ClaimError) as error:
        claim(records, CONTACT, the_rule=rule(ways=("voucher",)), token=token,
              contact="sam@example.org")
    assert error.value.reason == "way"
    nothing_kept(records, token)


def test_the_claim_and_its_entry_agree_and_hold_no_time_of_day(records):
    made, entry, code = claim(records, VOUCHER)
    assert made["status"] == "paid" and entry.status == "paid" and code
    assert made["ledger_entry"] == entry.id and entry.source == "claim"
    assert entry.amount == Decimal("10") and entry.category == "participant_incentive"
    assert entry.date == entry.recorded_at == made["claimed_on"] == DAY
    waiting, planned, shown = claim(records, IN_PERSON)
    assert (waiting["status"], planned.status, shown, waiting["paid_on"]) == (
        "waiting", "planned", "", "")
    assert records.claims(["s"]) == sorted([made, waiting], key=lambda c: c["id"])


# -- the property: the budget adds up whatever happens -----------------------------------------

STEPS = st.lists(st.one_of(
    st.tuples(st.just("claim"), st.sampled_from(sorted(WAYS) + ["broken"]),
              st.sampled_from(["", "", "add_claim", "add_entry"]), st.booleans()),
    st.tuples(st.just("correct"), st.integers(0, 20), st.sampled_from(["paid", "cancelled"])),
    st.tuples(st.just("spend"), st.integers(1, 40), st.sampled_from(["paid", "planned"])),
), max_size=25)


@settings(max_examples=150, deadline=None)
@given(steps=STEPS, total=st.integers(0, 120), first=st.one_of(st.none(), st.integers(1, 8)))
def test_spent_committed_and_remaining_always_add_up(steps, total, first):
    records = Failing(MemoryStore())
    records.add_vouchers("s", [f"V{n}" for n in range(4)], batch="test")
    the_rule = rule(first=first, while_budget_allows=True)
    budget = Budget("p", Decimal(total), "GBP")
    made, failed_tokens, spent_by_others = [], [], Decimal(0)
    for step in steps:
        if step[0] == "claim":
            _, way, fail, good_contact = step
            records.fail = fail
            token = records.mint_token("s", DAY)
            cap = place_cap(records, "s", the_rule, budget, records.entries("p"))
            provider = WAYS.get(way, Broken())
            try:
                made.append(claim(records, provider, the_rule=the_rule, token=token, cap=cap,
                                  contact="sam@example.org" if good_contact else "x"))
                assert not records.token_unused("s", token)
            except (ClaimError, OSError, RuntimeError):
                failed_tokens.append(token)
            records.fail = ""
        elif step[0] == "correct" and made:
            standing = [e for e in current(records.entries("p")) if e.source == "claim"]
            old = standing[step[1] % len(standing)]
            if old.status != step[2] and old.status != "cancelled":
                records.add_entry(correction(old, recorded_by="r", recorded_at=DAY,
                                             status=step[2]))
        elif step[0] == "spend":
            records.add_entry(new_entry(project_id="p", category="food",
                                        amount=Decimal(step[1]), currency="GBP",
                                        status=step[2]))
            spent_by_others += step[1]
        summary = summarise(budget, records.entries("p"))
        assert summary.spent + summary.committed + summary.remaining == budget.amount
        standing = [e for e in current(records.entries("p")) if e.status != "cancelled"]
        assert summary.spent + summary.committed == sum((e.amount for e in standing), Decimal(0))
        # Every place taken is a kept claim with one ledger entry; nothing half-made.
        claims = records.claims(["s"])
        originals = [e for e in records.entries("p") if e.source == "claim" and not e.replaces]
        assert records.given("s") == len(claims) == len(originals) == len(made)
        assert {c["ledger_entry"] for c in claims} == {e.id for e in originals}
        assert records.voucher_stock("s")["given"] == sum(c["way"] == "voucher" for c in claims)
        assert all(records.token_unused("s", t) for t in failed_tokens)
        assert all(c["contact"] == "" for c in claims if c["way"] != "contact")
        if first is not None:
            assert len(claims) <= first
    # No claim was made that the budget, as it stood then, did not allow.
    if not spent_by_others:
        assert len(made) * the_rule.amount <= max(Decimal(0), budget.amount)


def test_voucher_codes_are_drawn_at_random_not_in_the_files_order(monkeypatch):
    """The file's order would say who claimed first (issue 23 item 1)."""
    import random

    from consent_kit.incentives import ledger

    monkeypatch.setattr(ledger, "ID_RANDOM", random.Random(7))
    records = IncentiveStore(MemoryStore())
    codes = [f"V{n:02}" for n in range(20)]
    records.add_vouchers("s", codes, batch="test")
    given = [records.take_voucher("s", DAY) for _ in range(5)]
    assert len(set(given)) == 5 and given != codes[:5] and sorted(given) != codes[:5]


def test_claims_go_on_record_a_whole_past_day_at_a_time_and_once(records):
    """One audit batch per look would put one claim, with its time, beside its answers."""
    made = [claim(records)[1] for _ in range(3)]
    assert records.claims_to_audit("p", DAY) == []  # not on the day they were made
    tomorrow, after = "2026-12-03", "2026-12-04"
    taken = records.claims_to_audit("p", tomorrow)
    assert [e.id for e in taken] == sorted(e.id for e in made)
    assert records.claims_to_audit("p", tomorrow) == []
    _, newer, _ = make_claim(records, survey_id="s", project_id="p", rule=rule(),
                             provider=IN_PERSON, token=records.mint_token("s", tomorrow),
                             contact="", cap=None, today=tomorrow)
    fixed = correction(made[0], recorded_by="r", recorded_at=tomorrow, status="cancelled")
    records.add_entry(fixed)  # keeps the claim's own, earlier date, recorded after "newer"
    assert [e.id for e in records.claims_to_audit("p", tomorrow)] == [fixed.id]
    assert [e.id for e in records.claims_to_audit("p", after)] == [newer.id]
    assert records.claims_to_audit("p", after) == []


def test_claims_put_on_record_by_older_versions_are_not_put_on_record_again(records):
    first = claim(records)[1]
    records.store.table("incentive_audited").insert({"project_id": "p", "upto": 1})
    second = claim(records)[1]
    assert [e.id for e in records.claims_to_audit("p", "2026-12-03")] == [second.id]
    assert first.id in records.store.table("incentive_audited").all()[0]["ids"]
