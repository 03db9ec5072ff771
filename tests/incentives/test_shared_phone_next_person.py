"""A shared phone: once the next person starts, the last person's copy and payment are out of reach.

Issue 23 item 8. After Thank you, the copy of consent and an unclaimed payment stay
reachable for ``DONE_MINUTES`` so their owner can use them. On a youth club's tablet
the next person doesn't wait for the clock: the moment anyone starts a survey, or
carries on with a save code, in that browser, the last person's are gone.
"""

from __future__ import annotations

import re

import pytest
from test_incentives_later import finish, type_reference
from test_incentives_web import SURVEY, claim

from consent_kit.testing import Participant


@pytest.fixture
def app(make_app):
    return make_app(forms={"thanks.yaml": SURVEY.format(first=5)})


def test_before_anyone_else_starts_the_owner_can_still_claim_and_see_their_copy(app):
    phone, _ = finish(app)
    assert phone.get("/s/thanks/claim").status_code == 200
    assert "How do you want" in phone.text
    assert phone.get("/s/thanks/your-copy").status_code == 200


def test_the_next_person_starting_cannot_claim_the_last_persons_payment(app):
    phone, _ = finish(app)
    phone.begin("thanks")  # the next person on the same tablet
    response = phone.get("/s/thanks/claim")
    assert "How do you want" not in phone.text
    assert response.status_code == 404
    assert claim(phone, "in_person").status_code in (400, 404)


def test_the_next_person_starting_cannot_open_the_last_persons_copy(app):
    phone, _ = finish(app)
    phone.begin("thanks")
    assert phone.client.get("/s/thanks/your-copy").status_code == 302
    assert phone.client.get("/s/thanks/your-copy.pdf").status_code == 302


def test_a_claim_started_with_a_reference_is_dropped_when_someone_starts(app):
    _, reference = finish(app)
    library = Participant(app.test_client())
    type_reference(library, reference)
    assert "How do you want" in library.text
    library.begin("thanks")
    library.get("/s/thanks/claim")
    assert "How do you want" not in library.text


def test_the_owner_can_still_claim_later_with_their_reference(app):
    phone, reference = finish(app)
    phone.begin("thanks")
    other = Participant(app.test_client())
    assert type_reference(other, reference).status_code == 200
    assert "How do you want" in other.text


def test_carrying_on_with_a_save_code_also_ends_the_last_persons_window(app):
    saver = Participant(app.test_client())
    saver.begin("thanks")
    saver.answer_page({"mood": "fine"}, extra={"save": "1"})
    saver.post(saver.path)  # "Save my answers"
    code = re.search(r'class="code"[^>]*>([^<]+)<', saver.html).group(1)
    phone, _ = finish(app)
    phone.get("/resume")
    phone.post("/resume", {"code": code})
    assert phone.client.get("/s/thanks/your-copy").status_code == 302
