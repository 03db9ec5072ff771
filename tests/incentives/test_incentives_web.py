"""Thank-you payments through the pages: start page, claiming, the budget and claims pages."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest

from consent_kit import PaymentProvider, hookimpl
from consent_kit.incentives.store import CLAIMS, TOKENS
from consent_kit.store import Response
from consent_kit.testing import Browser, Participant, populate

SURVEY = """\
id: thanks
title: A survey with a thank-you
description: One question, then a thank-you payment.
incentive:
  reward: a £10 voucher
  amount: 10
  ways: [voucher, contact, in_person]
  first: {first}
  vouchers: [CODE-A, CODE-B]
questions:
  - id: mood
    type: short_text
    label: How are you?
"""
CONTACT = "sam@example.org"


@pytest.fixture
def app(make_app):
    return make_app(forms={"thanks.yaml": SURVEY.format(first=3)})


def finish(app) -> Participant:
    person = Participant(app.test_client())
    person.complete("thanks", {"mood": "fine"})
    return person


def claim(person: Participant, way: str, contact: str = ""):
    if 'name="csrf_token"' not in person.html:
        person.get("/s/thanks")  # a page with a form, for a CSRF token
    return person.post("/s/thanks/claim", {"way": way, "contact": contact})


def store(app):
    return app.extensions["consent_kit"].store


def test_the_start_page_says_what_people_get_and_that_they_keep_it_with_no_countdown(app):
    page = Participant(app.test_client())
    page.get("/s/thanks")
    assert "you can get a £10 voucher" in page.text
    assert "You keep it if you stop early or take your answers back." in page.text
    assert "ask one of the researchers" in page.text and "later with your reference" in page.text
    assert "left" not in page.text.split("Thank you for your time")[1].split("</section>")[0]


def test_a_voucher_is_shown_once_and_the_token_pays_once(app):
    person = finish(app)
    assert "How do you want to get a £10 voucher?" in person.text
    assert len(store(app).table(TOKENS)) == 1
    claim(person, "voucher")
    assert "Your voucher code is" in person.text
    [got] = [code for code in ("CODE-A", "CODE-B") if code in person.text]  # a random free one
    other = "CODE-B" if got == "CODE-A" else "CODE-A"
    assert len(store(app).table(TOKENS)) == 0  # forgotten once used
    again = claim(person, "voucher")
    assert other not in person.text and again.status_code == 200
    person.get("/s/thanks/done")
    assert got in person.text and "<form method=\"post\" action=\"/s/thanks/claim\"" \
        not in person.html
    stock = app.extensions["consent_kit_incentives"].records.voucher_stock("thanks")
    assert stock == {"left": 1, "given": 1}


def test_an_old_cookie_cannot_mint_a_second_token(app):
    person = finish(app)
    saved = person.client.get_cookie("ck_session").value
    claim(person, "voucher")
    person.client.set_cookie("ck_session", saved)  # the session as it was, token and all
    person.get("/s/thanks/done")
    assert "already been claimed" in person.text and "How do you want" not in person.text
    with person.client.session_transaction() as session:
        session.pop("incentive")  # as if the cookie was kept from before "Thank you" was drawn
    person.get("/s/thanks/done")
    assert "How do you want" not in person.text and len(store(app).table(TOKENS)) == 0
    response = claim(person, "voucher")
    assert response.status_code == 404 and "Nothing to claim here" in person.text
    assert app.extensions["consent_kit_incentives"].records.voucher_stock("thanks")["given"] == 1


def test_a_wrong_contact_keeps_what_was_typed_and_says_how_to_fix_it(app):
    person = finish(app)
    response = claim(person, "contact", "sam at example")
    assert response.status_code == 400
    assert 'class="error-summary"' in person.html and 'href="#contact"' in person.html
    assert 'value="sam at example"' in person.html
    claim(person, "contact", CONTACT)
    assert "A researcher will pay you soon" in person.text


def test_when_the_limit_is_reached_the_start_page_says_so_before_anyone_begins(make_app):
    app = make_app(forms={"thanks.yaml": SURVEY.format(first=1)})
    claim(finish(app), "in_person")
    late = finish(app)
    assert "all the thank-you payments have been given out" in late.text
    late.get("/s/thanks")
    assert "all the thank-you payments (a £10 voucher) have been given out" in late.text
    assert "Start now" in late.text  # they may still take part


def test_no_export_holds_contact_details_and_responses_have_no_link_to_claims(app):
    claim(finish(app), "contact", CONTACT)
    kit = app.extensions["consent_kit"]
    survey = kit.catalog.get("thanks")
    for exporter in kit.exporters.values():
        out = io.BytesIO()
        exporter.write(survey, kit.store.iter_responses("thanks"), out)
        assert CONTACT.encode() not in out.getvalue(), exporter.name
    [response] = kit.store.iter_responses("thanks")
    assert set(response.to_record()) == set(Response.__dataclass_fields__)
    assert not any("claim" in key or "token" in key for key in response.meta)
    [kept] = kit.store.documents(CLAIMS).find()
    assert kept["contact"] == CONTACT
    linked = json.dumps(kept)
    assert response.id not in linked and response.pseudonym not in linked
    assert response.reference not in linked
    for entry in kit.store.iter_audit():
        assert CONTACT not in json.dumps(entry)


def test_withdrawing_keeps_the_payment_and_erases_contact_details_once_paid(app):
    person = finish(app)
    reference = re.search(r'class="code"[^>]*>([^<]+)<', person.html).group(1)
    claim(person, "contact", CONTACT)
    [waiting] = store(app).documents(CLAIMS).find()
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.get("/change-your-mind/take-back")
    person.post("/change-your-mind/take-back")
    assert store(app).count_responses("thanks") == 0
    # Still waiting to be paid: the details to pay them stay (the payment is theirs) ...
    [kept] = store(app).documents(CLAIMS).find()
    assert kept["contact"] == CONTACT and kept["status"] == "waiting"
    # ... and once paid, withdrawing from the same browser deletes them at once.
    records = app.extensions["consent_kit_incentives"].records
    records.mark_paid(waiting["id"], today="2026-12-02", erase_after="2099-01-01", entry_id="")
    with app.test_request_context():
        from flask import session

        session["incentive"] = {"thanks": {"for": "someone-else", "claimed": waiting["id"]}}
        from consent_kit.incentives.views import erase_for

        erase_for("someone-else")
    assert CONTACT not in json.dumps(store(app).documents(CLAIMS).find())


# -- researchers ------------------------------------------------------------------------------


@pytest.fixture
def rae(app):
    populate(app)
    app.extensions["consent_kit_studio"].accounts.assign_survey("thanks", "alpha")
    browser = Browser(app)
    browser.login("rae")
    return browser


def text(browser) -> str:
    import html

    return html.unescape(browser.last.get_data(as_text=True))


def test_budget_page_adds_up_and_going_over_needs_a_yes(app, rae):
    assert rae.post("/studio/projects/alpha/budget", {"amount": "100", "currency": "GBP",
                                                      "retention_days": "30"}).status_code == 302
    entry = {"category": "food", "amount": "60", "status": "paid", "date": "2026-11-20",
             "note": "Pizza"}
    assert rae.post("/studio/projects/alpha/budget/entries", entry).status_code == 302
    over = rae.post("/studio/projects/alpha/budget/entries", {**entry, "amount": "50"})
    assert over.status_code == 400 and "Yes, go over budget" in text(rae)
    yes = rae.post("/studio/projects/alpha/budget/entries", {**entry, "amount": "50",
                                                            "confirm_over": "yes"})
    assert yes.status_code == 302
    rae.get("/studio/projects/alpha/budget")
    page = text(rae)
    assert "£110.00" in page and "£10.00 over budget" in page and "<svg" in page
    actions = [e["action"] for e in store(app).iter_audit()]
    assert actions.count("ledger_entry_added") == 2 and "budget_set" in actions


def test_a_correction_replaces_an_entry_and_both_stay(app, rae):
    rae.post("/studio/projects/alpha/budget", {"amount": "100", "currency": "GBP",
                                               "retention_days": "30"})
    rae.post("/studio/projects/alpha/budget/entries", {"category": "venue", "amount": "40",
                                                       "status": "planned"})
    records = app.extensions["consent_kit_incentives"].records
    [first] = records.entries("alpha")
    bad = rae.post(f"/studio/projects/alpha/budget/entries/{first.id}", {"status": "planned"})
    assert bad.status_code == 400 and f'href="#status-{first.id}"' in text(rae)
    rae.post(f"/studio/projects/alpha/budget/entries/{first.id}", {"status": "paid",
                                                                   "amount": "35"})
    old, new = records.entries("alpha")
    assert old == first and new.replaces == first.id and new.amount == Decimal("35")
    twice = rae.post(f"/studio/projects/alpha/budget/entries/{first.id}", {"status": "cancelled"})
    assert twice.status_code == 400 and len(records.entries("alpha")) == 2


def _a_contact_claim_kept_no_days(app, rae) -> None:
    rae.post("/studio/projects/alpha/budget", {"amount": "100", "currency": "GBP",
                                               "retention_days": "0"})
    claim(finish(app), "contact", CONTACT)


def test_claims_go_on_record_the_next_day_once_never_beside_the_consent(app, rae, monkeypatch):
    _a_contact_claim_kept_no_days(app, rae)
    actions = [e["action"] for e in store(app).iter_audit()]
    assert actions[-1] == "consent_given"  # nothing on record beside it when claiming
    rae.get("/studio/projects/alpha/budget/claims")
    assert CONTACT in text(rae) and "Codes left" in text(rae)
    rae.get("/studio/projects/alpha/budget")
    actions = [e["action"] for e in store(app).iter_audit()]
    assert "claims_recorded" not in actions  # not the same day: one claim per look would tie it
    from consent_kit.incentives import budget_views
    from consent_kit.incentives.store import days_after, today

    monkeypatch.setattr(budget_views, "today", lambda: days_after(today(), 1))
    rae.get("/studio/projects/alpha/budget")
    rae.get("/studio/projects/alpha/budget")
    actions = [e["action"] for e in store(app).iter_audit()]
    assert actions.count("claims_recorded") == 1  # put on record the next day, once


def test_marking_a_claim_paid_adds_to_the_ledger_and_erases_contact_after_retention(app, rae):
    _a_contact_claim_kept_no_days(app, rae)
    [waiting] = store(app).documents(CLAIMS).find()
    records = app.extensions["consent_kit_incentives"].records
    [planned] = records.entries("alpha")
    assert planned.status == "planned" and planned.source == "claim"
    rae.post(f"/studio/projects/alpha/budget/claims/{waiting['id']}", {"action": "paid"})
    paid = records.entries("alpha")[-1]
    assert paid.replaces == planned.id and paid.status == "paid"
    [after] = store(app).documents(CLAIMS).find()
    assert after["status"] == "paid" and after["contact"] == ""


def test_a_claim_is_paid_once(app, rae):
    _a_contact_claim_kept_no_days(app, rae)
    [waiting] = store(app).documents(CLAIMS).find()
    records = app.extensions["consent_kit_incentives"].records
    for _ in range(2):
        rae.post(f"/studio/projects/alpha/budget/claims/{waiting['id']}", {"action": "paid"})
    assert len(records.entries("alpha")) == 2  # the planned entry and one payment
    rae.get("/studio/projects/alpha/budget/claims")
    assert "already marked paid" in text(rae)
    assert [e["action"] for e in store(app).iter_audit()].count("claim_paid") == 1


def test_voucher_upload_and_finance_export(app, rae):
    data = {"survey": "thanks", "codes": (io.BytesIO(b"code\nNEW-1\nCODE-A\n"), "codes.csv")}
    assert rae.post("/studio/projects/alpha/budget/vouchers", data,
                    content_type="multipart/form-data").status_code == 302
    assert app.extensions["consent_kit_incentives"].records.voucher_stock("thanks")["left"] == 3
    bad = {"survey": "thanks", "codes": (io.BytesIO(b"A\nA\n"), "dup.csv")}
    response = rae.post("/studio/projects/alpha/budget/vouchers", bad,
                        content_type="multipart/form-data")
    assert response.status_code == 400 and "dup.csv, line 2" in text(rae)
    export = rae.get("/studio/projects/alpha/budget/export.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    assert "ledger_exported" in [e["action"] for e in store(app).iter_audit()]


class EmailVoucher(PaymentProvider):
    name, label, needs_contact, pays_now = "email_voucher", "Get it by email", True, True
    sent: list = []

    def give(self, *, survey_id, claim, incentives):
        self.sent.append(claim["contact"])
        return ""


class Provider:
    @hookimpl
    def register_payment_providers(self, register):
        register(EmailVoucher())

    claimed: list = []

    @hookimpl
    def incentive_claimed(self, claim, survey):
        self.claimed.append(claim)


def test_a_plugin_can_add_a_way_to_claim_and_hear_about_claims(make_app):
    plugin = Provider()
    survey = SURVEY.format(first=5).replace("[voucher, contact, in_person]", "[email_voucher]")
    survey = survey.replace("  vouchers: [CODE-A, CODE-B]\n", "")
    app = make_app(forms={"thanks.yaml": survey}, plugins=[plugin])
    person = finish(app)
    assert "Get it by email" in person.text
    claim(person, "email_voucher", CONTACT)
    assert EmailVoucher.sent == [CONTACT]
    [event] = plugin.claimed
    assert event["way"] == "email_voucher" and "contact" not in event and event["status"] == "paid"


def test_a_claim_made_before_the_survey_had_a_project_is_paid_from_its_budget(app):
    claim(finish(app), "in_person")  # the survey is in no project yet
    populate(app)
    app.extensions["consent_kit_studio"].accounts.assign_survey("thanks", "alpha")
    browser = Browser(app)
    browser.login("rae")
    [waiting] = store(app).documents(CLAIMS).find()
    browser.post(f"/studio/projects/alpha/budget/claims/{waiting['id']}", {"action": "paid"})
    [paid] = app.extensions["consent_kit_incentives"].records.entries("alpha")
    assert (paid.status, paid.amount, paid.source) == ("paid", Decimal("10"), "claim")
