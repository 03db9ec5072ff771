"""The matching attack of issue 23 item 1: can claims be tied to answers by their order or time?

Eight people answer and claim one after another, in a known order, each
leaving a different email address. A researcher then downloads the answers
(in the order they came in, with ``submitted_at``) and looks at every place
claims show: the claims page, the budget page, the finance CSV and Excel
files and the audit log. The attack lines each listing up with the answers
by position and by time.

Before the fix every listing was oldest first: 8 of 8 matched. Ids are drawn
from a seeded generator here (``ledger.ID_RANDOM``), so the test is
deterministic: each listing must be exactly the order of the random ids (so
it carries nothing of when claims were made), and that order must match the
answer order no better than a shuffle does. No claim time is finer than a day.
"""

from __future__ import annotations

import csv
import html
import io
import json
import random
import re

import pytest
from openpyxl import load_workbook

from consent_kit.incentives import budget_views, ledger
from consent_kit.incentives.store import CLAIMS, days_after, today
from consent_kit.testing import Browser, Participant, populate

PEOPLE = 8
SEED = 2026
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SURVEY = """\
id: thanks
title: A survey with a thank-you
description: One question, then a thank-you payment.
incentive:
  reward: a £10 voucher
  amount: 10
  ways: [contact, in_person, voucher]
  vouchers: [V-1, V-2, V-3, V-4, V-5, V-6, V-7, V-8, V-9]
questions:
  - id: name
    type: short_text
    label: What should we call you?
"""


def kendall_tau(order: list[int]) -> float:
    """+1 when ``order`` is 0, 1, 2 ... (the answer order), -1 reversed, about 0 shuffled."""
    pairs = [(i, j) for i in range(len(order)) for j in range(i + 1, len(order))]
    agree = sum(1 if order[i] < order[j] else -1 for i, j in pairs)
    return agree / len(pairs)


def same_place(order: list[int]) -> int:
    return sum(1 for position, person in enumerate(order) if position == person)


@pytest.fixture
def seeded(monkeypatch):
    monkeypatch.setattr(ledger, "ID_RANDOM", random.Random(SEED))


@pytest.fixture
def study(make_app, seeded, monkeypatch):
    """Eight people answer and claim, in order; a researcher with the project's budget."""
    app = make_app(forms={"thanks.yaml": SURVEY})
    populate(app)
    app.extensions["consent_kit_studio"].accounts.assign_survey("thanks", "alpha")
    rae = Browser(app)
    rae.login("rae")
    rae.post("/studio/projects/alpha/budget", {"amount": "500", "currency": "GBP",
                                               "retention_days": "30"})
    for person in range(PEOPLE):
        participant = Participant(app.test_client())
        participant.begin("thanks")
        participant.answer_until_check({"name": f"person {person}"})
        submission = re.search(r'name="submission_id" value="([^"]+)"', participant.html)
        participant.post("/s/thanks/submit", {"submission_id": submission.group(1)})
        way = "voucher" if person % 4 == 3 else "contact"
        participant.post("/s/thanks/claim", {"way": way, "contact": f"p{person}@example.org"})
        assert "Your thank-you payment" in participant.text
    # Claims go on the audit log the next day, a whole day at a time: look from tomorrow.
    monkeypatch.setattr(budget_views, "today", lambda: days_after(today(), 1))
    return app, rae


def who_claimed(app) -> dict:
    """What an attacker who knows each claim's contact knows: claim -> person (by its email)."""
    claims = app.extensions["consent_kit"].store.documents(CLAIMS).find()  # contacts opened (issue 16 §4)
    people = {}
    for claim in claims:
        contact = claim["contact"] or ""
        # Voucher claims keep no contact: the attacker learns those from the other claims.
        people[claim["id"]] = int(contact[1]) if contact else None
    return {c["id"]: c for c in claims}, people


def answer_order(app) -> list[str]:
    """The answers export, as a researcher downloads it, in the order of ``submitted_at``."""
    kit = app.extensions["consent_kit"]
    out = io.BytesIO()
    kit.exporters["csv"].write(kit.catalog.get("thanks"), kit.store.iter_responses("thanks"), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    rows.sort(key=lambda row: row["submitted_at"])
    return [row["name"] for row in rows]


def listings(app, rae) -> dict[str, list[str]]:
    """Claim ids in the order each place lists them."""
    claims, _ = who_claimed(app)
    by_code = {c["code"]: claim_id for claim_id, c in claims.items()}
    by_entry = {c["ledger_entry"]: claim_id for claim_id, c in claims.items()}
    rae.get("/studio/projects/alpha/budget/claims")
    claims_page = html.unescape(rae.last.get_data(as_text=True))
    rae.get("/studio/projects/alpha/budget")
    budget_page = html.unescape(rae.last.get_data(as_text=True))
    found = {
        "claims page": [by_code[c] for c in re.findall(r'class="code">([A-Z0-9]+)<', claims_page)],
        "budget page": [by_code[c] for c in re.findall(r"claim ([A-Z0-9]{6})\b", budget_page)],
    }
    data = rae.get("/studio/projects/alpha/budget/export.csv").data.decode("utf-8-sig")
    found["ledger CSV"] = [by_entry[row["entry"]] for row in csv.DictReader(io.StringIO(data))
                           if row["source"] == "claim"]
    book = load_workbook(io.BytesIO(rae.get("/studio/projects/alpha/budget/export.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    found["ledger Excel"] = [by_entry[row[0]] for row in rows[1:] if row[11] == "claim"]
    [audited] = [e for e in app.extensions["consent_kit"].store.iter_audit()
                 if e["action"] == "claims_recorded"]
    found["audit log"] = [by_entry[entry] for entry in audited["details"]["entries"]]
    return found


def test_claims_cannot_be_matched_to_answers_by_order(study):
    app, rae = study
    answers = answer_order(app)
    assert answers == [f"person {n}" for n in range(PEOPLE)]  # the attacker's reference order
    claims, people = who_claimed(app)
    # The orders random ids give: the claims page lists waiting, then paid, each by claim id;
    # the ledger (pages, files, audit) lists claims by their ledger entry's id.
    by_claim_id = sorted(sorted(claims), key=lambda c: claims[c]["status"] == "paid")
    by_entry_id = sorted(claims, key=lambda c: claims[c]["ledger_entry"])
    for place, order in listings(app, rae).items():
        assert len(order) == PEOPLE and set(order) == set(claims), place
        if place == "budget page":
            order = order[::-1]  # newest first there: the attack tries both ways
        expected = by_claim_id if place == "claims page" else by_entry_id
        assert order == expected, f"{place} lists claims in an order that is not their random ids"
        # The attack: line up positions (voucher claims: the attacker fills in the gaps).
        known = [people[claim_id] for claim_id in order]
        missing = iter(sorted(set(range(PEOPLE)) - {p for p in known if p is not None}))
        guess = [p if p is not None else next(missing) for p in known]
        assert same_place(guess) <= 2, place  # a shuffle puts 1 in place on average
        assert abs(kendall_tau(guess)) < 0.5, place


def test_no_claim_time_is_finer_than_a_day(study):
    app, rae = study
    for claim in app.extensions["consent_kit"].store.table(CLAIMS).all():
        for field in ("claimed_on", "paid_on"):
            assert claim[field] == "" or DAY.fullmatch(claim[field]), (field, claim[field])
    data = rae.get("/studio/projects/alpha/budget/export.csv").data.decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(data)):
        if row["source"] == "claim":
            assert DAY.fullmatch(row["date"]) and DAY.fullmatch(row["recorded_at"]), row
    rae.get("/studio/projects/alpha/budget/claims")
    page = rae.last.get_data(as_text=True)
    assert not re.search(r"\d{2}:\d{2}", page.split("<main")[1])
    audited = [e for e in app.extensions["consent_kit"].store.iter_audit()
               if e["action"] == "claims_recorded"]
    assert "claimed_on" not in json.dumps(audited)


def test_voucher_codes_are_not_given_in_the_order_of_the_file(study):
    app, _ = study
    pools = app.extensions["consent_kit"].store.table("incentive_vouchers").all()
    [pool] = [p["codes"] for p in pools if p["survey_id"] == "thanks"]
    given = [code for code, state in pool.items() if state["taker"]]
    assert len(given) == 2 and given != ["V-1", "V-2"]  # this seed gives two others
