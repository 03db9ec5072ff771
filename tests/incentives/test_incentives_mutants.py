"""Claims: promises that only luck held, found by hand-made mutants (issue 21 §1, second round).

tests/consent/mutants_round2.py made these mutants and every other incentive test
let them live; each test names the mutant it kills.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_incentives_claims import CONTACT, DAY, Broken, Failing, MemoryStore, claim, rule

from consent_kit.incentives.claims import Availability, ClaimError, availability, clean_contact, place_cap
from consent_kit.incentives.ledger import Budget
from consent_kit.incentives.store import days_after


@pytest.fixture
def records() -> Failing:
    return Failing(MemoryStore())


def test_a_place_given_back_twice_never_makes_room_for_an_extra_claim(records):
    """Kills "places: giving back goes below nothing"."""
    assert records.take_place("s", cap=1)
    records.give_back_place("s")
    records.give_back_place("s")  # once too often (a retried undo): nothing more to give back
    assert records.given("s") == 0
    assert records.take_place("s", cap=1)
    assert not records.take_place("s", cap=1)


def test_tokens_made_on_the_day_are_kept_when_older_ones_go(records):
    """Kills "tokens: today's unclaimed tokens forgotten too": someone who just finished can still claim."""
    old = records.mint_token("s", days_after(DAY, -1))
    new = records.mint_token("s", DAY)
    assert records.forget_tokens_before(DAY) == 1
    assert records.token_unused("s", new) and not records.token_unused("s", old)


def test_a_failed_claim_gives_back_its_own_mark_only(records):
    """Kills "marks: giving one back drops them all": the others' answers must still count as claimed."""
    claim(records, mark="answers-1")
    with pytest.raises(RuntimeError):
        claim(records, Broken(), mark="answers-2")
    assert records.marked("s", "answers-1") and not records.marked("s", "answers-2")
    with pytest.raises(ClaimError) as again:  # the first person's answers can't claim twice
        claim(records, mark="answers-1")
    assert again.value.reason == "used"


def test_a_claim_marked_paid_twice_keeps_its_first_payment_day(records):
    """Kills "claims: paid twice": a second click must not move the day its contact is erased."""
    made, _, _ = claim(records, contact="sam@example.org", provider=CONTACT)
    assert records.mark_paid(made["id"], today=DAY, erase_after=days_after(DAY, 30), entry_id="e1")
    later = days_after(DAY, 7)
    assert not records.mark_paid(made["id"], today=later, erase_after=days_after(later, 30), entry_id="e2")
    kept = records.claim(made["id"])
    assert (kept["paid_on"], kept["erase_after"], kept["ledger_entry"]) == (DAY, days_after(DAY, 30), "e1")


def test_when_more_were_given_than_the_limit_now_allows_none_are_left(records):
    """Kills "limits: fewer than none left": a limit lowered after claims never shows "-2 left"."""
    for _ in range(3):
        assert records.take_place("s", cap=None)
    lowered = rule(first=1)
    assert availability(records, "s", lowered, None, []) == Availability(False, 0)


def test_a_contact_longer_than_an_email_address_can_be_is_refused():
    """Kills "contact: no length limit": 254 characters is the most an email address can have."""
    longest = "a" * (254 - len("@example.org")) + "@example.org"
    assert clean_contact(longest) == longest
    with pytest.raises(ClaimError) as error:
        clean_contact("a" + longest)
    assert error.value.reason == "contact"


#: Everything a claim may hold. A new field must be added here on purpose, after asking whether
#: it could tie the claim to someone's answers (a time, a response id, a pseudonym, an order).
CLAIM_FIELDS = {"id", "survey_id", "project_id", "way", "reward", "amount", "currency", "code",
                "contact", "status", "claimed_on", "paid_on", "erase_after", "ledger_entry", "erased"}


def test_a_claim_holds_only_the_fields_that_cannot_tie_it_to_answers(records):
    """Kills "claims: the claim keeps a time of day": the day-only fields were checked, not the rest."""
    made, _, _ = claim(records, mark="answers-1")
    [kept] = records.claims(["s"])
    assert set(made) == set(kept) == CLAIM_FIELDS
    assert "answers-1" not in str(kept)


@pytest.mark.parametrize("first, budget, cap", [
    (2, "100", 2),  # "the first 2 people", money for 10: 2
    (8, "30", 3),  # "the first 8 people", money for 3: 3
])
def test_the_smaller_of_the_two_limits_holds(records, first, budget, cap):
    """Kills "limits: the larger limit wins" every time (the property test only now and then)."""
    both = rule(first=first, while_budget_allows=True)
    assert place_cap(records, "s", both, Budget("p", Decimal(budget), "GBP"), []) == cap
