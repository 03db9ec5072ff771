"""Money typed as people write it: "£1,500" is a budget of 1500 pounds (issue 14)."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest

from consent_kit.incentives.forms import FormProblems, budget_from_form
from consent_kit.testing import Browser, populate


@pytest.mark.parametrize(("typed", "currency", "locale", "amount"), [
    ("£1,500", "GBP", "en", "1500"), ("1,500 GBP", "GBP", "en", "1500"),
    ("£ 1,500.50", "GBP", "cy", "1500.50"), ("1.500 €", "EUR", "de", "1500"),
    ("€1.500,25", "EUR", "de", "1500.25"), ("1500", "GBP", "en", "1500"),
])
def test_the_budget_takes_its_own_currency_sign_and_thousands(typed, currency, locale, amount):
    budget = budget_from_form({"amount": typed, "currency": currency, "retention_days": "30"},
                              "alpha", None, locale=locale, has_entries=False)
    assert budget.amount == Decimal(amount)


@pytest.mark.parametrize("typed", ["$20", "20 EUR", "£", "£1,50,0.5.5"])
def test_another_currency_or_a_muddle_is_still_refused(typed):
    with pytest.raises(FormProblems):
        budget_from_form({"amount": typed, "currency": "GBP", "retention_days": "30"},
                         "alpha", None, locale="en", has_entries=False)


def test_the_budget_page_takes_1500_pounds_and_names_who_recorded_an_entry(make_app):
    app = make_app()
    populate(app)
    rae = Browser(app)
    rae.login("rae")
    assert rae.post("/studio/projects/alpha/budget", {"amount": "£1,500", "currency": "GBP",
                                                      "retention_days": "30"}).status_code == 302
    assert rae.post("/studio/projects/alpha/budget/entries", {
        "category": "food", "amount": "£60", "status": "paid", "date": "2026-11-20",
        "note": "Pizza"}).status_code == 302
    page = html.unescape(rae.get("/studio/projects/alpha/budget").get_data(as_text=True))
    assert "£1,500.00" in page and "£60.00" in page
    assert 'data-label="Recorded by">rae<' in page and "user:rae" not in page
