"""Claiming later with the reference, claiming on the way out, and what people are told first.

Issue 15 item 4: a claim could only be made straight after finishing, on the
same phone; people who stopped early had no way; nobody was told they keep the
payment if they stop or take their answers back; the demo promised a voucher
and never gave one.
"""

from __future__ import annotations

import json
import re

import pytest
from test_incentives_web import CONTACT, SURVEY, claim, store

from consent_kit.incentives.store import CLAIMS, MARKS, TOKENS
from consent_kit.plugins import make_plugin_manager
from consent_kit.registry import collect_question_types
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.survey.model import SurveyError
from consent_kit.testing import Participant

TYPES = collect_question_types(make_plugin_manager(load_entrypoints=False))
STOPPING = SURVEY.format(first=5).replace("  first: 5\n", "  if_you_stop: claim\n")


def finish(app) -> tuple[Participant, str]:
    person = Participant(app.test_client())
    person.begin("thanks")
    person.answer_until_check({"mood": "fine"})
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', person.html).group(1)
    person.post("/s/thanks/submit", {"submission_id": submission_id})
    reference = re.search(r'class="code"[^>]*>([^<]+)<', person.html).group(1)
    return person, reference


def type_reference(person: Participant, reference: str):
    person.get("/s/thanks/claim/later")
    return person.post("/s/thanks/claim/later", {"code": reference})


@pytest.fixture
def app(make_app):
    return make_app(forms={"thanks.yaml": SURVEY.format(first=5)})


def test_a_claim_can_be_made_later_on_another_phone_with_the_reference(app):
    phone, reference = finish(app)
    other = Participant(app.test_client())
    assert type_reference(other, reference).status_code == 200
    assert "How do you want to get a £10 voucher?" in other.text
    claim(other, "contact", CONTACT)
    assert "A researcher will pay you soon" in other.text
    # The same response can't be paid twice: not again with the reference ...
    third = Participant(app.test_client())
    assert type_reference(third, reference).status_code == 400
    assert "already been claimed" in third.text
    # ... nor with the token the first phone got on its Thank you page.
    phone.get("/s/thanks/done")
    assert "already been claimed" in phone.text and "How do you want" not in phone.html
    response = claim(phone, "in_person")
    assert response.status_code == 400 and len(store(app).table(CLAIMS)) == 1


def test_a_claim_made_on_thank_you_stops_a_later_one(app):
    phone, reference = finish(app)
    assert "you can get it later with your reference" in phone.text
    claim(phone, "in_person")
    other = Participant(app.test_client())
    assert type_reference(other, reference).status_code == 400
    assert "already been claimed" in other.text and len(store(app).table(CLAIMS)) == 1


@pytest.mark.parametrize(("typed", "says"), [
    ("nonsense", "It has 10 letters and numbers"),
    ("K7QM3-XR2PA", "We can't find that reference for this survey"),
])
def test_a_wrong_reference_says_what_to_do(app, typed, says):
    person = Participant(app.test_client())
    response = type_reference(person, typed)
    assert response.status_code == 400 and says in person.text
    assert 'href="#code"' in person.html and len(store(app).table(TOKENS)) == 0


def test_the_store_keeps_no_link_between_the_reference_and_the_claim(app):
    _, reference = finish(app)
    other = Participant(app.test_client())
    type_reference(other, reference)
    claim(other, "contact", CONTACT)
    [response] = store(app).iter_responses("thanks")
    kept = json.dumps(store(app).table(CLAIMS).all()) + json.dumps(store(app).table(MARKS).all())
    for secret in (reference, reference.replace("-", ""), response.pseudonym, response.id):
        assert secret not in kept
    [marks] = store(app).table(MARKS).all()
    assert len(marks["marks"]) == 1 and re.fullmatch(r"[0-9a-f]{64}", marks["marks"][0])


def stop_early(app) -> Participant:
    person = Participant(app.test_client())
    person.begin("thanks")
    person.answer_page({"mood": "tired"}, extra={"save": "1"})
    person.post("/s/thanks/save")
    assert "Your answers are saved" in person.text
    return person


def test_someone_who_stops_early_can_claim_when_the_survey_says_so(make_app):
    app = make_app(forms={"thanks.yaml": STOPPING})
    starting = Participant(app.test_client())
    starting.get("/s/thanks")
    assert "To stop early, choose \"Save and come back later\"" in starting.text
    person = stop_early(app)
    assert "Stopping here?" in person.text
    person.post("/s/thanks/claim/stop")
    assert "How do you want to get a £10 voucher?" in person.text
    claim(person, "in_person")
    assert "Your collection code is" in person.text
    # Carrying on and finishing later pays nothing more.
    person.get("/s/thanks/check")
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', person.html).group(1)
    person.post("/s/thanks/submit", {"submission_id": submission_id})
    reference = re.search(r'class="code"[^>]*>([^<]+)<', person.html).group(1)
    assert "How do you want" not in person.html
    other = Participant(app.test_client())
    assert type_reference(other, reference).status_code == 400
    assert len(store(app).table(CLAIMS)) == 1


def test_the_stop_path_is_offered_only_when_the_survey_says_so(app):
    person = stop_early(app)
    assert "Stopping here?" not in person.text
    person.get("/s/thanks/claim/later")  # a page with a form, for a CSRF token
    assert person.post("/s/thanks/claim/stop").status_code == 404
    stranger = Participant(app.test_client())
    stranger.get("/s/thanks/claim/later")  # a page with a form, for a CSRF token
    assert stranger.post("/s/thanks/claim/stop").status_code == 404  # never started


def test_only_finished_surveys_paid_must_say_why(make_app):
    survey = SURVEY.format(first=5).replace(
        "  first: 5\n", "  if_you_stop: nothing\n  because: our funder pays for whole surveys only.\n")
    app = make_app(forms={"thanks.yaml": survey})
    page = Participant(app.test_client())
    page.get("/s/thanks")
    assert "You only get it if you finish the survey. This is why: our funder pays" in page.text
    assert "If you take your answers back later, you keep it." in page.text


@pytest.mark.parametrize(("setting", "problem"), [
    ("  if_you_stop: nothing\n", "Say why under 'because'"),
    ("  if_you_stop: maybe\n", "'if_you_stop' should be 'ask', 'claim' or 'nothing'"),
    ("  because: no reason\n", "'because' is only for 'if_you_stop: nothing'"),
])
def test_the_survey_file_checks_if_you_stop(setting, problem):
    text = SURVEY.format(first=5).replace("  first: 5\n", setting)
    with pytest.raises(SurveyError) as error:
        load_survey_text(text, path="thanks.yaml", question_types=TYPES)
    assert problem in str(error.value)


def test_the_demo_gives_the_voucher_it_promises(make_app):
    from pathlib import Path

    demo = (Path(__file__).parents[2] / "forms" / "have-your-say.yaml").read_text()
    app = make_app(forms={"have-your-say.yaml": demo})
    person = Participant(app.test_client())
    person.get("/s/have-your-say")
    assert "When you finish, you can get a £10 voucher." in person.text
    assert "You keep it if you stop early or take your answers back." in person.text
    assert "If you take your answers back later, you keep it." in demo
    from test_participant import HAVE_YOUR_SAY

    person.begin("have-your-say")
    person.answer_until_check(HAVE_YOUR_SAY)
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', person.html).group(1)
    person.post("/s/have-your-say/submit", {"submission_id": submission_id})
    assert "How do you want to get a £10 voucher?" in person.text
    person.post("/s/have-your-say/claim", {"way": "voucher"})
    assert re.search(r"TRY-ME-\d", person.text)  # the voucher the information promised
    welsh = Participant(app.test_client())
    welsh.get("/s/have-your-say?lang=cy")
    assert "taleb £10" in welsh.text


def test_guessing_references_is_limited_per_address(make_app):
    app = make_app(forms={"thanks.yaml": SURVEY.format(first=5)})
    app.config["CODE_ATTEMPTS_PER_MINUTE"] = 3
    person = Participant(app.test_client())
    codes = [type_reference(person, "K7QM3-XR2PA").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_a_claim_that_cannot_be_saved_says_so_and_can_be_tried_again(app, monkeypatch):
    from consent_kit.incentives.store import IncentiveStore

    phone, _ = finish(app)
    real = IncentiveStore.add_entry

    def disk_full(self, entry):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(IncentiveStore, "add_entry", disk_full)
    response = claim(phone, "contact", CONTACT)
    assert response.status_code == 503 and "could not save your claim" in phone.text
    assert f'value="{CONTACT}"' in phone.html  # what was typed stays
    assert store(app).table(CLAIMS).all() == [] and len(store(app).table(TOKENS)) == 1
    monkeypatch.setattr(IncentiveStore, "add_entry", real)
    claim(phone, "contact", CONTACT)
    assert "A researcher will pay you soon" in phone.text and len(store(app).table(CLAIMS)) == 1


def test_a_welsh_first_survey_offers_its_reward_in_each_language(make_app):
    survey = SURVEY.format(first=5).replace(
        "  reward: a £10 voucher\n", "  reward:\n    cy: taleb £10\n    ar: قسيمة\n"
    ).replace("title: A survey", "language: cy\ntitle: A survey")
    app = make_app(forms={"thanks.yaml": survey})
    for lang, words in (("cy", "taleb £10"), ("ar", "قسيمة")):
        page = Participant(app.test_client())
        page.get(f"/s/thanks?lang={lang}")
        assert words in page.text, lang


def test_on_a_shared_computer_the_next_person_cannot_see_or_use_a_later_claim(app):
    _, reference = finish(app)
    library = Participant(app.test_client())
    type_reference(library, reference)
    claim(library, "voucher")
    code = re.search(r"CODE-[AB]", library.text).group(0)
    app.config["DONE_MINUTES"] = 0  # as if the next person sat down after the time ran out
    response = library.get("/s/thanks/claim")
    assert response.status_code == 404 and code not in library.text
