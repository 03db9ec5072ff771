"""Consent through HTTP: versions, information, understanding check, statements, copy, withdrawal."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest

from consent_kit import hookimpl
from consent_kit.testing import Participant

YOUTH = """\
title: Youth voice
description: A short survey.
exit_page: https://www.bbc.co.uk/weather
support:
  intro: If this was hard, you are not alone.
  contacts:
    - name: Childline
      phone: "0800 1111"
      url: https://www.childline.org.uk
consent:
  information:
    - id: what
      heading: What is this?
      text: |
        A survey about **youth clubs**. <script>alert(1)</script> <img src=x onerror=alert(2)>
    - id: rights
      heading: Your rights
      text: You can stop at any time.
  check_understanding:
    - id: stop
      question: Can you stop at any time?
      choices: ["Yes", "No"]
      answer: "Yes"
      explained_in: rights
  statements:
    - id: take_part
      text: I want to take part
    - id: use_words
      text: You can use my words in the report
      required: false
  versions:
    - id: under-16
      label: I am under 16
      statements:
        - id: take_part
          text: I want to take part, and I am under 16
        - id: use_words
          text: You can use my words
          required: false
questions:
  - id: club
    type: short_text
    label: What is your favourite club?
"""

PLAIN = """\
title: Quick question
description: One question.
questions:
  - id: club
    type: short_text
    label: What is your favourite club?
"""


@pytest.fixture
def app(make_app):
    return make_app(forms={"youth.yaml": YOUTH, "plain.yaml": PLAIN}, examples=False)


def kit(app):
    return app.extensions["consent_kit"]


def give_consent(person, *, version="", check="Yes", agree=("take_part",), initials=None):
    """From the start page to the first question, answering each consent step."""
    person.start("youth")
    assert person.path.endswith("/consent/version")
    person.post(person.path, {"variant": version})
    assert person.path.endswith("/consent")
    person.get("/s/youth/consent/check")
    person.post("/s/youth/consent/check", {"stop": check})
    if check != "Yes":
        return
    data = {f"statement-{sid}": "yes" for sid in agree}
    if initials is not None:
        data["confirmed_as"] = initials
    person.post("/s/youth/consent/agree", data)


def finish(person, answer="Chess club"):
    person.answer_page({"club": answer})
    return person.send()


@pytest.fixture
def sent(app):
    """Someone agreed to take part (not to the use of their words), answered and sent."""
    person = Participant(app.test_client())
    give_consent(person)
    assert person.path.endswith("/page/club")
    reference = finish(person)
    [response] = kit(app).store.iter_responses("youth")
    return response, reference


def test_consent_then_answers_stores_record_and_response_together(app, sent):
    response, reference = sent
    record = kit(app).store.get_consent(response.pseudonym)
    assert record.agreed == ("take_part",) and record.declined == ("use_words",)
    assert record.language == "en" and record.method == "tick" and record.helped is False
    assert len(response.pseudonym) == 32 and reference


def test_the_consent_text_shown_is_kept_under_its_version(app, sent):
    response, _ = sent
    record = kit(app).store.get_consent(response.pseudonym)
    text = kit(app).store.get_consent_text(record.consent_version)
    assert text.version == record.consent_version
    assert [s[1] for s in text.statements] == ["I want to take part", "You can use my words in the report"]


def test_consent_is_on_record_without_the_answers(app, sent):
    assert kit(app).store.verify_audit() == []
    audit = (Path(app.config["DATA_DIR"]) / "audit.jsonl").read_text()
    assert "consent_given" in audit and "Chess club" not in audit


def test_information_is_rendered_safely(app):
    person = Participant(app.test_client())
    person.start("youth")
    person.post(person.path, {"variant": ""})
    section = re.search(r'<section aria-labelledby="s-what">(.*?)</section>', person.html, re.S).group(1)
    assert "<strong>youth clubs</strong>" in section
    assert not re.search(r"<(script|img)\b", section)  # shown as harmless text, if at all


def test_wrong_understanding_answer_explains_and_lets_you_try_again(app):
    person = Participant(app.test_client())
    give_consent(person, check="No")
    assert person.path.endswith("/consent/check") and person.last.status_code == 200
    assert "Not quite" in person.text and "You can stop at any time." in person.html
    person.post("/s/youth/consent/check", {"stop": "Yes"})
    assert person.path.endswith("/consent/agree")


def _explained_field(html: str) -> dict:
    """The hidden field a browser sends back from the page that explained the answers."""
    match = re.search(r'<input type="hidden" name="explained" value="([^"]+)">', html)
    return {"explained": match.group(1)} if match else {}


@pytest.mark.parametrize("wrong", [{"stop": "No"}, {}], ids=["wrong", "blank"])
def test_understanding_check_teaches_and_never_gates(app, wrong):
    """Wrong (or blank) every time, three times over: the page explains, then lets them go on."""
    person = Participant(app.test_client())
    person.start("youth")
    person.post(person.path, {"variant": ""})
    for _attempt in range(3):
        person.get("/s/youth/consent/check")
        person.post("/s/youth/consent/check", wrong)
        assert person.path.endswith("/consent/check") and person.last.status_code == 200
        explain = re.search(r'id="stop-explain">(.*?)</div>', person.html, re.S).group(1)
        assert "You can stop at any time." in explain  # the part that explains it
        assert "The answer is:" in person.text and "Yes" in explain  # and the right answer
        person.post("/s/youth/consent/check", {**wrong, **_explained_field(person.html)})
        assert person.path.endswith("/consent/agree")
    draft = kit(app).store.load_draft(_draft_id(person))
    assert "stop" not in str(draft)  # nothing about the check's answers is kept
    person.post("/s/youth/consent/agree", {"statement-take_part": "yes"})
    assert finish(person)
    assert "Thank you" in person.text


def _draft_id(person) -> str:
    with person.client.session_transaction() as session:
        return session["drafts"]["youth"]


def test_required_statement_must_be_agreed_optional_never_blocks(app):
    person = Participant(app.test_client())
    give_consent(person, agree=("use_words",))
    assert person.path.endswith("/consent/agree")
    assert "To take part, tick ‘" in person.text and "’." not in person.text
    person.post("/s/youth/consent/agree", {"statement-take_part": "yes"})
    assert person.path.endswith("/page/club")


def test_under_16_version_records_its_own_text(app):
    person = Participant(app.test_client())
    give_consent(person, version="under-16", agree=("take_part", "use_words"))
    finish(person)
    [response] = kit(app).store.iter_responses("youth")
    record = kit(app).store.get_consent(response.pseudonym)
    assert record.variant == "under-16" and record.agreed == ("take_part", "use_words")
    text = kit(app).store.get_consent_text(record.consent_version)
    assert text.statements[0][1] == "I want to take part, and I am under 16"


def test_forged_answers_without_consent_are_refused(app):
    person = Participant(app.test_client())
    person.start("youth")  # no consent was given; Start writes no draft, so forge one
    draft = {"id": _draft_id(person), "survey_id": "youth", "source": "", "saved": False,
             "survey_version": kit(app).catalog.get("youth").version, "submission_id": "f" * 32,
             "pseudonym": "p" * 32, "reference": "ABCDEFGHJK",
             "answers": {"club": "forged"}, "seen": ["club"]}
    kit(app).store.save_draft(draft["id"], draft, expires_at=9e9)
    person.get("/s/youth/consent/agree")
    response = person.client.post(
        "/s/youth/submit",
        data={"csrf_token": person.csrf_token(), "submission_id": draft["submission_id"]},
    )
    assert response.status_code == 403
    assert kit(app).store.count_responses() == 0
    question = person.client.get("/s/youth/page/club")
    assert question.status_code == 302 and "/consent" in question.headers["Location"]


def test_copy_page_and_pdf_show_the_statements(app):
    person = Participant(app.test_client())
    give_consent(person)
    reference = finish(person)
    page = person.get("/s/youth/your-copy")
    assert page.status_code == 200
    assert "I want to take part" in person.text and reference in person.text
    pdf = person.client.get("/s/youth/your-copy.pdf")
    assert pdf.mimetype == "application/pdf"
    words = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "I want to take part" in words
    assert "You can use my words in the report" in words  # declined, listed as such
    assert reference in words


def test_withdraw_erases_answers_from_every_file(app):
    person = Participant(app.test_client())
    give_consent(person, agree=("take_part", "use_words"))
    canary = "CANARY-7f3e9b2a"
    reference = finish(person, answer=canary)
    data = Path(app.config["DATA_DIR"])
    # Stored sealed with the person's key (issue 16 §4), so found through the store, not in the files.
    assert any(canary in str(r.answers) for r in kit(app).store.iter_responses("youth"))
    other = Participant(app.test_client())  # another device: only the code is needed
    other.get("/change-your-mind/")
    other.post("/change-your-mind/", {"code": reference.lower()})
    assert other.path.endswith("/yours") and "I want to take part" in other.text
    other.get("/change-your-mind/take-back")
    other.post("/change-your-mind/take-back")
    assert "Your answers have been deleted" in other.text
    hits = [p for p in data.rglob("*") if p.is_file() and canary.encode() in p.read_bytes()]
    assert hits == []
    assert kit(app).store.count_responses("youth") == 0
    assert kit(app).store.consent_counts("youth")["withdrawn"] == 1
    assert kit(app).store.verify_audit() == []
    again = Participant(app.test_client())
    again.get("/change-your-mind/")
    again.post("/change-your-mind/", {"code": reference})
    assert again.last.status_code == 400


def test_change_an_optional_statement(app):
    person = Participant(app.test_client())
    give_consent(person, agree=("take_part", "use_words"))
    reference = finish(person)
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.post("/change-your-mind/change", {})  # untick "use my words"
    assert "saved your change" in person.text
    [response] = kit(app).store.iter_responses("youth")
    record = kit(app).store.get_consent(response.pseudonym)
    assert record.agreed == ("take_part",) and record.declined == ("use_words",)
    assert kit(app).store.count_responses("youth") == 1  # answers kept


class Eraser:
    calls: list = []

    @hookimpl
    def erase_participant_data(self, pseudonym, response_ids):
        self.calls.append((pseudonym, tuple(response_ids)))


class BrokenEraser:
    @hookimpl
    def erase_participant_data(self, pseudonym):
        raise RuntimeError("disk on fire")


def test_withdraw_calls_every_plugin_and_reports_failures(make_app, caplog):
    Eraser.calls = []
    app = make_app(forms={"youth.yaml": YOUTH}, examples=False, plugins=[Eraser(), BrokenEraser()])
    person = Participant(app.test_client())
    give_consent(person)
    reference = finish(person)
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.get("/change-your-mind/take-back")
    person.post("/change-your-mind/take-back")
    assert len(Eraser.calls) == 1 and len(Eraser.calls[0][1]) == 1
    assert "could not be deleted straight away" in person.text
    assert "BrokenEraser" in caplog.text
    audit = (Path(app.config["DATA_DIR"]) / "audit.jsonl").read_text()
    assert "BrokenEraser" in audit  # the incomplete withdrawal is on record


def test_changed_consent_text_asks_again_after_resume(app):
    person = Participant(app.test_client())
    give_consent(person)
    person.answer_page({"club": "Drama"}, extra={"save": "1"})
    person.post(person.path)
    code = re.search(r'class="code">([^<]+)<', person.html).group(1)
    forms = Path(app.instance_path) / "forms" / "youth.yaml"
    forms.write_text(YOUTH.replace("You can stop at any time.", "You can stop whenever you like."))
    later = Participant(app.test_client())
    later.get("/resume")
    later.post("/resume", {"code": code})
    assert later.path.endswith("/consent")
    assert "The information has changed" in later.text
    later.get("/s/youth/consent/check")
    later.post("/s/youth/consent/check", {"stop": "Yes"})
    later.post("/s/youth/consent/agree", {"statement-take_part": "yes"})
    assert later.path.endswith("/check")  # their saved answer is kept
    reference = later.send()
    [response] = kit(app).store.iter_responses("youth")
    record = kit(app).store.get_consent(response.pseudonym)
    text = kit(app).store.get_consent_text(record.consent_version)
    assert "whenever you like" in " ".join(body for _, _, body in text.sections)
    assert reference


def test_survey_without_consent_section_still_gets_a_record_and_a_way_back(app):
    person = Participant(app.test_client())
    reference = person.complete("plain", {"club": "Art"})
    [response] = kit(app).store.iter_responses("plain")
    record = kit(app).store.get_consent(response.pseudonym)
    assert record.method == "sent" and record.agreed == ()
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    assert "You agreed to take part by sending your answers" in person.text


def test_initials_confirmation(make_app):
    survey = YOUTH.replace("  statements:\n", "  confirm_with: initials\n  statements:\n", 1)
    app = make_app(forms={"youth.yaml": survey}, examples=False)
    person = Participant(app.test_client())
    give_consent(person, initials="")
    assert "Type your first name or initials" in person.text and person.path.endswith("/agree")
    person.post("/s/youth/consent/agree", {"statement-take_part": "yes", "confirmed_as": "JB"})
    finish(person)
    [response] = kit(app).store.iter_responses("youth")
    record = kit(app).store.get_consent(response.pseudonym)
    assert record.method == "initials" and record.confirmed_as == "JB"


def test_leave_this_page_and_support_links(app):
    person = Participant(app.test_client())
    person.get("/s/youth")
    assert 'data-exit="https://www.bbc.co.uk/weather"' in person.html
    assert 'id="exit-this-page"' in person.html
    support = person.get("/s/youth/support")
    assert support.status_code == 200 and "Childline" in person.text and "tel:08001111" in person.html
    assert 'href="/s/youth/support"' in person.get("/s/youth").get_data(as_text=True)
    # A survey with no support page of its own links to national services instead.
    assert 'href="/support?s=plain"' in person.get("/s/plain").get_data(as_text=True)


class VideoStep:
    """A throwaway plugin adding a consent step and listening for consent events."""

    events: list = []

    @hookimpl
    def register_consent_steps(self, register):
        from markupsafe import Markup

        from consent_kit import ConsentStep

        class Video(ConsentStep):
            name, title = "video", "Watch a short video"

            def render(self, *, survey, language):
                return Markup("<p>VIDEO-PLACEHOLDER for ") + survey.title + Markup("</p>")

        register(Video())

    @hookimpl
    def consent_given(self, record, survey):
        self.events.append(("given", record.pseudonym, survey.id))

    @hookimpl
    def consent_withdrawn(self, pseudonym, survey_id):
        self.events.append(("withdrawn", pseudonym, survey_id))


def test_hook_register_consent_steps_adds_a_page_and_events_fire(make_app):
    VideoStep.events = []
    app = make_app(forms={"youth.yaml": YOUTH}, examples=False, plugins=[VideoStep()])
    person = Participant(app.test_client())
    person.start("youth")
    person.post(person.path, {"variant": ""})
    assert 'href="/s/youth/consent/step/video"' in person.html
    person.get("/s/youth/consent/step/video")
    assert "VIDEO-PLACEHOLDER for Youth voice" in person.html
    assert 'href="/s/youth/consent/check"' in person.html
    person.get("/s/youth/consent/check")
    person.post(person.path, {"stop": "Yes"})
    person.post("/s/youth/consent/agree", {"statement-take_part": "yes"})
    reference = finish(person)
    [response] = kit(app).store.iter_responses("youth")
    assert VideoStep.events == [("given", response.pseudonym, "youth")]
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.get("/change-your-mind/take-back")
    person.post("/change-your-mind/take-back")
    assert VideoStep.events[-1] == ("withdrawn", response.pseudonym, "youth")
