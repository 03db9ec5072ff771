"""Budgets, the ledger, incentive rules and finance files: the pure logic, no Flask."""

from __future__ import annotations

import csv
import io
import textwrap
from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision, list_currencies
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from consent_kit.incentives.files import (
    VoucherFileError,
    ledger_csv,
    ledger_xlsx,
    read_voucher_codes,
)
from consent_kit.incentives.forms import FormProblems, budget_from_form, entry_from_form
from consent_kit.incentives.ledger import (
    Budget,
    MoneyError,
    correction,
    current,
    format_money,
    goes_over,
    history,
    new_entry,
    parse_amount,
    quantum,
    summarise,
    work_amount,
    work_totals,
)
from consent_kit.incentives.rules import rule_of
from consent_kit.plugins import make_plugin_manager
from consent_kit.registry import collect_question_types
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.survey.model import SurveyError

TYPES = collect_question_types(make_plugin_manager(load_entrypoints=False))


def entry(amount, status="paid", category="food", currency="GBP", **more):
    return new_entry(project_id="p", category=category, amount=Decimal(amount),
                     currency=currency, status=status, recorded_by="user:rae", **more)


# -- money --------------------------------------------------------------------------------


def test_sums_are_exact_where_floats_are_not():
    budget = Budget("p", Decimal("0.30"), "GBP")
    summary = summarise(budget, [entry("0.10"), entry("0.20")])
    assert 0.1 + 0.2 != 0.3  # what a float would have done
    assert summary.spent == Decimal("0.30") and summary.remaining == Decimal("0.00")
    assert not summary.over


def test_spent_committed_remaining_and_categories():
    budget = Budget("p", Decimal("1000"), "GBP")
    entries = [entry("120.50", "paid", "venue"), entry("80", "planned", "food"),
               entry("40", "cancelled", "travel"), entry("9.99", "paid", "food")]
    summary = summarise(budget, entries)
    assert (summary.spent, summary.committed) == (Decimal("130.49"), Decimal("80"))
    assert summary.remaining == Decimal("789.51")
    assert summary.by_category == {"venue": (Decimal("120.50"), 0), "food": (Decimal("9.99"),
                                                                            Decimal("80"))}
    assert summary.shares() == (13, 8)


def test_budget_arithmetic_is_exact_in_every_currency_babel_knows():
    currencies = sorted(list_currencies())
    assert len(currencies) > 250
    for currency in currencies:
        step = quantum(currency)
        budget = Budget("p", step * 100000, currency)
        entries = [entry(step * 3, "paid", currency=currency) for _ in range(10)]
        entries += [entry(step * 7, "planned", currency=currency) for _ in range(10)]
        summary = summarise(budget, entries)
        assert summary.spent == step * 30 and summary.committed == step * 70, currency
        assert summary.remaining == step * (100000 - 100), currency
        assert any(ch.isdigit() for ch in format_money(summary.remaining, currency, "en"))
        places = get_currency_precision(currency)
        typed = "12" if not places else "12." + "0" * (places - 1) + "1"
        assert parse_amount(typed, currency) == Decimal(typed), currency


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10**7), st.sampled_from(["paid", "planned",
                                                                   "cancelled"])),
                max_size=30))
def test_summary_adds_up_for_any_entries(items):
    budget = Budget("p", Decimal("123456.78"), "EUR")
    entries = [entry(Decimal(cents).scaleb(-2), status, currency="EUR") for cents, status in items]
    summary = summarise(budget, entries)
    paid = sum((Decimal(c).scaleb(-2) for c, s in items if s == "paid"), Decimal(0))
    planned = sum((Decimal(c).scaleb(-2) for c, s in items if s == "planned"), Decimal(0))
    assert summary.spent == paid and summary.committed == planned
    assert summary.spent + summary.committed + summary.remaining == budget.amount


@pytest.mark.parametrize("typed, locale, currency, amount", [
    ("1,234.50", "en", "GBP", "1234.50"),
    ("1.234,50", "de", "EUR", "1234.50"),
    ("1 234,50", "fr", "EUR", "1234.50"),
    ("500", "ja", "JPY", "500"),
    ("0.125", "en", "KWD", "0.125"),
])
def test_amounts_are_read_as_people_type_them(typed, locale, currency, amount):
    assert parse_amount(typed, currency, locale) == Decimal(amount)


@pytest.mark.parametrize("typed, currency, words", [
    ("", "GBP", "Enter an amount"),
    ("ten", "GBP", "as a number"),
    ("-5", "GBP", "more than 0"),
    ("0", "GBP", "more than 0"),
    ("1.005", "GBP", "2 decimal places"),
    ("1.5", "JPY", "whole numbers"),
    ("£10", "GBP", "without a currency sign"),
    ("1000000000", "GBP", "too big"),
])
def test_bad_amounts_get_a_plain_message(typed, currency, words):
    with pytest.raises(MoneyError, match=words):
        parse_amount(typed, currency, "en")


def test_money_is_formatted_for_the_language():
    assert format_money(Decimal("1234.5"), "GBP", "en") == "£1,234.50"
    assert format_money(Decimal("1234.5"), "EUR", "de") == "1.234,50\xa0€"


# -- corrections ----------------------------------------------------------------------------


def test_a_correction_is_a_new_entry_and_the_old_one_stays():
    first = entry("50", "planned")
    fixed = correction(first, recorded_by="user:vic", recorded_at="t", status="paid",
                       amount=Decimal("45"))
    again = correction(fixed, recorded_by="user:rae", recorded_at="t2", status="cancelled")
    entries = [first, fixed, again]
    assert current(entries) == [again]
    assert [e.id for e in history(entries, again.id)] == [again.id, fixed.id, first.id]
    assert fixed.replaces == first.id and fixed.amount == Decimal("45")
    assert first.amount == Decimal("50") and first.status == "planned"  # unchanged
    assert summarise(Budget("p", Decimal("100"), "GBP"), entries).spent == 0


def test_going_over_counts_what_a_correction_gives_back():
    budget = Budget("p", Decimal("100"), "GBP")
    old = entry("90", "planned")
    summary = summarise(budget, [old])
    assert goes_over(summary, Decimal("20"), "planned")
    assert not goes_over(summary, Decimal("20"), "cancelled")
    assert not goes_over(summary, Decimal("95"), "paid", replacing=old)
    assert goes_over(summary, Decimal("101"), "paid", replacing=old)


def test_hours_worked_add_up_per_person_and_month():
    pay = work_amount(Decimal("2.5"), Decimal("12.21"), "GBP")
    assert pay == Decimal("30.53")  # 30.525 rounded half up, never a float
    work = [entry(pay, "paid", "peer_researcher_fee", source="work", person="Sam", hours="2.5",
                  rate="12.21", date="2026-10-03"),
            entry("24.42", "planned", "peer_researcher_fee", source="work", person="Sam",
                  hours="2", rate="12.21", date="2026-11-01"),
            entry("36", "planned", "peer_researcher_fee", source="work", person="Ali",
                  hours="3", rate="12", date="2026-11-20")]
    people, months = work_totals(work)
    assert people["Sam"] == {"hours": Decimal("4.5"), "amount": Decimal("54.95"),
                             "paid": Decimal("30.53")}
    assert months["2026-11"]["amount"] == Decimal("60.42") and list(months) == ["2026-10",
                                                                                "2026-11"]
    with pytest.raises(MoneyError):
        work_amount(Decimal("0"), Decimal("10"), "GBP")


# -- forms ----------------------------------------------------------------------------------


def test_budget_form_keeps_currency_once_money_is_recorded():
    old = Budget("p", Decimal("100"), "GBP")
    with pytest.raises(FormProblems) as caught:
        budget_from_form({"amount": "200", "currency": "EUR", "retention_days": "30"}, "p", old,
                         locale="en", has_entries=True)
    assert caught.value.problems[0][0] == "currency"
    made = budget_from_form({"amount": "2,000", "currency": "gbp", "retention_days": "7",
                             "new_category": " Printing  costs "}, "p", old, locale="en",
                            has_entries=True)
    assert made == Budget("p", Decimal("2000"), "GBP", 7, ("Printing costs",))
    assert "Printing costs" in made.all_categories()


def test_entry_form_reports_every_mistake_at_once():
    budget = Budget("p", Decimal("100"), "GBP")
    with pytest.raises(FormProblems) as caught:
        entry_from_form({"category": "yachts", "amount": "x", "status": "maybe",
                         "date": "26/11/2026"}, budget, locale="en", who="u", now="t")
    assert [p[0] for p in caught.value.problems] == ["category", "amount", "status", "date"]


# -- the survey file's incentive: ---------------------------------------------------------------

SURVEY = """\
title: Try
description: A try-out.
incentive:
{rule}
questions:
  - id: q
    type: short_text
    label: Anything?
"""


def load(rule: str):
    text = SURVEY.format(rule=textwrap.indent(textwrap.dedent(rule).strip(), "  "))
    return load_survey_text(text, path="forms/try.yaml", question_types=TYPES)


def problems(rule: str) -> list[str]:
    with pytest.raises(SurveyError) as caught:
        load(rule)
    return [str(p) for p in caught.value.problems]


def test_a_good_rule_is_read():
    survey = load("""
        reward: a £10 voucher
        amount: 10.50
        currency: eur
        ways: [voucher, in_person]
        first: 20
        while_budget_allows: true
        vouchers: [A1, B2]
    """)
    rule = rule_of(survey)
    assert rule.reward == "a £10 voucher" and rule.amount == Decimal("10.50")
    assert rule.currency == "EUR" and rule.ways == ("voucher", "in_person")
    assert rule.first == 20 and rule.while_budget_allows and rule.vouchers == ("A1", "B2")


def test_a_survey_without_incentive_offers_nothing():
    text = SURVEY.replace("incentive:\n{rule}\n", "")
    assert rule_of(load_survey_text(text, path="forms/x.yaml", question_types=TYPES)) is None


@pytest.mark.parametrize("rule, expected", [
    ("amount: 10\nways: [contact]", "forms/try.yaml:4: incentive: 'reward' is missing"),
    ("reward: £10\nways: [contact]", "forms/try.yaml:4: incentive: 'amount' is missing"),
    ("reward: £10\namount: ten\nways: [contact]", "forms/try.yaml:5: incentive: 'amount' can't "
     "be 'ten'"),
    ("reward: £10\namount: 10.555\nways: [contact]", "2 decimal places"),
    ("reward: £10\namount: 10\nways: [vocher]", "forms/try.yaml:6: incentive: 'vocher' isn't a "
     "way to claim — did you mean 'voucher'?"),
    ("reward: £10\namount: 10\nways: [email]", "did you mean 'contact'?"),
    ("reward: £10\namount: 10\nways: [contact]\nfirst: -3", "forms/try.yaml:7: incentive: "
     "'first' should be how many people"),
    ("reward: £10\namount: 10\ncurrency: pounds\nways: [contact]", "forms/try.yaml:6: incentive: "
     "'currency' should be a three-letter currency code"),
    ("reward: £10\namount: 10\nways: [voucher]\nvouchers: [A1, A1]", "forms/try.yaml:7: "
     "incentive: the voucher code 'A1' is in the list twice"),
    ("reward: £10\namount: 10\nways: [contact]\nvouchers: [A1]", "'ways' doesn't have "
     "'voucher'"),
    ("reward: £10\namount: 10\nways: [contact]\nlimit: 5", "unknown setting 'limit' — did you "
     "mean 'first'?"),
])
def test_rule_mistakes_name_file_line_and_fix(rule, expected):
    found = problems(rule)
    assert any(expected in p for p in found), found


def test_a_plugins_way_is_accepted_by_name():
    survey = load("reward: £10\namount: 10\nways: [email_voucher]")
    assert rule_of(survey).ways == ("email_voucher",)


# -- files ----------------------------------------------------------------------------------


def test_voucher_files_skip_a_heading_and_refuse_a_code_twice():
    assert read_voucher_codes(b"\xef\xbb\xbfcode\nAB-1\n\n CD-2 ,x\n") == ["AB-1", "CD-2"]
    with pytest.raises(VoucherFileError, match="line 4: the code AB-1 is also on line 2"):
        read_voucher_codes(b"code\nAB-1\nCD-2\nAB-1\n", "codes.csv")
    with pytest.raises(VoucherFileError, match="UTF-8"):
        read_voucher_codes("Ä1\n".encode("latin-1"))
    with pytest.raises(VoucherFileError, match="no codes"):
        read_voucher_codes(b"code\n\n")


def test_finance_export_has_every_entry_and_is_safe_in_a_spreadsheet():
    first = entry("12.50", "planned", note="=HYPERLINK(\"http://evil\")")
    fixed = correction(first, recorded_by="user:rae", recorded_at="t", status="paid")
    rows = list(csv.DictReader(io.StringIO(ledger_csv([first, fixed]).decode("utf-8-sig"))))
    assert [r["standing"] for r in rows] == ["no", "yes"]
    assert rows[1]["corrects"] == first.id and rows[0]["amount"] == "12.50"
    assert rows[0]["note"].startswith("'=")
    sheet = load_workbook(io.BytesIO(ledger_xlsx([first, fixed]))).active
    header = [c.value for c in sheet[1]]
    amount = sheet.cell(row=2, column=header.index("amount") + 1)
    assert amount.value == 12.5 and amount.number_format == "0.00"
    assert sheet.cell(row=2, column=header.index("note") + 1).value.startswith("'=")


def test_control_characters_are_cleaned_when_typed_and_when_exported():
    """Issue 23 item 11: ESC or NUL in a note made every Excel export fail, for ever."""
    budget = Budget("p", Decimal("100"), "GBP")
    typed = entry_from_form({"category": "food", "amount": "5", "status": "paid",
                             "note": "pizza\x1b[31m\x00 and\tchips"}, budget, locale="en",
                            who="user:rae", now="2026-12-02")
    assert typed.note == "pizza [31m and chips"
    old = entry("5", note="kept before the fix: \x1b\x00\x07end", person="Ann\x0b")
    book = load_workbook(io.BytesIO(ledger_xlsx([old, typed])))
    notes = [row[6] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert notes[0] == "kept before the fix:    end" and notes[1] == typed.note
    text = ledger_csv([old]).decode("utf-8-sig")
    assert "\x1b" not in text and "\x00" not in text


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_voucher_files_with_any_line_endings_are_read(ending):
    """Issue 23 item 12: a file saved on an old Mac ("\\r" alone) gave a server error."""
    data = ending.join(["code", "A-1", "B-2", "", "C-3", ""]).encode()
    assert read_voucher_codes(data, "mac.csv") == ["A-1", "B-2", "C-3"]
