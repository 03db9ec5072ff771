"""The participant journey through HTTP: start → pages → check → send → thank you."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from consent_kit.testing import Participant, errors_on

HAVE_YOUR_SAY = {
    "age_group": "14-16",
    "care_experience": "yes",
    "services_used": ["A youth club", "Sports or activities"],
    "visits": "4",
    "how_good": "4",
    "trusted_adult": "yes",
    "what_helps": "She listens and doesn't rush me.",
    "make_better": "Open later on Fridays.",
    "sport_ideas": "Climbing",
}


def stored(app):
    return list(app.extensions["consent_kit"].store.iter_responses())


def test_complete_example_survey_stores_one_response_with_version(ck_app, participant):
    reference = participant.complete("have-your-say", HAVE_YOUR_SAY)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", reference)
    [response] = stored(ck_app)
    survey = ck_app.extensions["consent_kit"].catalog.get("have-your-say")
    assert response.survey_version == survey.version
    assert response.reference == reference.replace("-", "")
    assert response.answers["visits"] == 4
    assert response.answers["how_good"] == 4
    assert response.answers["services_used"] == ["A youth club", "Sports or activities"]
    assert response.answers["sport_ideas"] == "Climbing"


def test_response_holds_no_ip_address_or_user_agent(ck_app, participant):
    participant.client.environ_base.update(
        {"REMOTE_ADDR": "203.0.113.77", "HTTP_USER_AGENT": "CanaryAgent/9.9"}
    )
    participant.complete("have-your-say", HAVE_YOUR_SAY)
    data_dir = Path(ck_app.config["DATA_DIR"])
    for path in data_dir.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"203.0.113.77" not in content and b"CanaryAgent" not in content, path


def test_skip_logic_hides_follow_up_when_answer_is_no(ck_app, participant):
    answers = dict(HAVE_YOUR_SAY, trusted_adult="no", services_used=["A youth club"])
    participant.complete("have-your-say", answers)
    [response] = stored(ck_app)
    assert "what_helps" not in response.answers
    assert "sport_ideas" not in response.answers


def test_changing_an_answer_drops_answers_that_no_longer_apply(ck_app, participant):
    participant.begin("have-your-say")
    for _ in range(10):
        if participant.path.endswith("/check"):
            break
        participant.answer_page(HAVE_YOUR_SAY)
    assert "She listens" in participant.html
    participant.get("/s/have-your-say/page/what-works?change=1")
    participant.answer_page(dict(HAVE_YOUR_SAY, trusted_adult="no"))
    assert participant.path.endswith("/check")
    assert "She listens" not in participant.html
    participant.send()
    assert "what_helps" not in stored(ck_app)[0].answers


def test_error_summary_comes_first_and_links_to_the_field(participant):
    participant.begin("have-your-say")
    participant.answer_page({})  # the welcome page
    participant.answer_page({"age_group": ""})
    assert participant.last.status_code == 200
    html = participant.html
    assert 'class="error-summary"' in html
    assert '<a href="#age_group-0">Choose how old you are' in html
    assert 'id="age_group-error"' in html
    assert html.index("error-summary") < html.index("<h1>")
    assert "<title>Error:" in html


def test_a_word_in_a_number_box_is_kept_and_explained(participant):
    participant.begin("have-your-say")
    participant.answer_page({})
    participant.answer_page({"age_group": "14-16", "care_experience": "no"})
    participant.answer_page({"visits": "lots"})
    assert errors_on(participant.html) == ["Enter a number, like 16"]
    assert 'value="lots"' in participant.html


def test_a_number_out_of_range_says_the_range(participant):
    participant.begin("have-your-say")
    participant.answer_page({})
    participant.answer_page({"age_group": "14-16", "care_experience": "no"})
    participant.answer_page({"visits": "99"})
    assert errors_on(participant.html) == ["Enter a number from 0 to 60"]
    assert 'value="99"' in participant.html


def test_progress_and_back_link_keep_answers(participant):
    participant.begin("have-your-say")
    assert "Page 1 of" in participant.html
    participant.answer_page({})
    participant.answer_page({"age_group": "17-19", "care_experience": "no"})
    assert "Page 3 of" in participant.html
    back = re.search(r'class="back" href="([^"]+)"', participant.html).group(1)
    participant.get(back)
    assert participant.path.endswith("/page/about-you")
    assert 'value="17-19" checked' in participant.html


def test_cannot_skip_ahead_by_typing_a_page_address(participant):
    participant.begin("have-your-say")
    participant.get("/s/have-your-say/page/make-it-better", follow_redirects=True)
    assert participant.path.endswith("/page/welcome")
    participant.get("/s/have-your-say/check", follow_redirects=True)
    assert participant.path.endswith("/page/welcome")


def test_sending_twice_stores_one_response(ck_app, participant):
    participant.begin("have-your-say")
    participant.answer_until_check(HAVE_YOUR_SAY)
    submission_id = re.search(r'name="submission_id" value="([^"]+)"', participant.html).group(1)
    token = participant.csrf_token()
    form = {"csrf_token": token, "submission_id": submission_id}
    first = participant.client.post("/s/have-your-say/submit", data=form, follow_redirects=True)
    second = participant.client.post("/s/have-your-say/submit", data=form, follow_redirects=True)
    assert first.status_code == second.status_code == 200
    assert len(stored(ck_app)) == 1
    code = re.search(r'class="code">([^<]+)<', second.get_data(as_text=True)).group(1)
    assert code.replace("-", "") == stored(ck_app)[0].reference


def test_save_and_resume_on_another_device(ck_app, participant):
    participant.begin("have-your-say")
    participant.answer_page({})
    participant.answer_page({"age_group": "20-25", "care_experience": "yes"}, extra={"save": "1"})
    participant.post(participant.path)  # "Save my answers"
    code = re.search(r'class="code">([^<]+)<', participant.html).group(1)
    assert "/resume/" in participant.html
    other = Participant(ck_app.test_client())
    other.get("/resume")
    other.post("/resume", {"code": code.lower().replace("-", " ")})
    assert other.path.endswith("/page/what-you-use")
    other.answer_until_check(HAVE_YOUR_SAY)
    assert "20 to 25" in other.html
    reference = other.send()
    assert stored(ck_app)[0].answers["age_group"] == "20-25"
    assert reference


def test_wrong_resume_code_says_so_plainly(participant):
    participant.get("/resume")
    participant.post("/resume", {"code": "AAAAA-AAAAA"}, follow=True)
    assert participant.last.status_code == 400
    assert "We can't find that save code" in participant.text
    participant.post("/resume", {"code": "nonsense"})
    assert "It has 10 letters and numbers" in participant.html


def test_stale_csrf_token_keeps_what_was_typed(participant):
    participant.begin("have-your-say")
    participant.answer_page({})
    response = participant.client.post(
        "/s/have-your-say/page/about-you",
        data={"csrf_token": "stale", "age_group": "11-13", "care_experience": "no"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please press Continue again" in html
    assert 'name="age_group" value="11-13"' in html
    participant.last = response
    participant.post("/s/have-your-say/page/about-you", {"age_group": "11-13", "care_experience": "no"})
    assert participant.path.endswith("/page/what-you-use")


def test_unknown_survey_and_page_not_found(participant):
    assert participant.get("/s/no-such-survey").status_code == 404
    assert "Page not found" in participant.html


def test_broken_survey_file_does_not_stop_the_others(make_app):
    app = make_app(forms={"broken.yaml": "title: Broken\nquestions:\n  - id: a\n    type: nmber\n"})
    client = app.test_client()
    broken = client.get("/s/broken")
    assert broken.status_code == 410
    assert "This survey isn't available right now" in html.unescape(broken.get_data(as_text=True))
    assert client.get("/s/have-your-say").status_code == 200
    problems = app.extensions["consent_kit"].catalog.broken["broken"]
    assert any("did you mean 'number'" in str(p) for p in problems)


def test_closed_survey_is_unavailable(make_app):
    closed = (
        "title: Old\ndescription: Gone.\nstatus: closed\n"
        "questions:\n  - id: a\n    type: short_text\n    label: A?\n"
    )
    app = make_app(forms={"old.yaml": closed})
    response = app.test_client().get("/s/old")
    assert response.status_code == 410


def test_security_headers_on_every_page(ck_client):
    for url in ["/", "/s/have-your-say", "/resume", "/nope"]:
        headers = ck_client.get(url).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_post_without_csrf_token_changes_nothing(ck_app, ck_client):
    response = ck_client.post("/s/have-your-say/start")
    assert response.status_code == 400
    assert list(Path(ck_app.config["DATA_DIR"]).glob("drafts/*")) == []


def test_export_json_has_answers(ck_app, participant):
    participant.complete("have-your-say", HAVE_YOUR_SAY)
    kit = ck_app.extensions["consent_kit"]
    import io

    out = io.BytesIO()
    survey = kit.catalog.get("have-your-say")
    kit.exporters["json"].write(survey, kit.store.iter_responses(survey.id), out)
    document = json.loads(out.getvalue())
    assert document["responses"][0]["visits"] == 4


def test_guessing_resume_codes_is_rate_limited(make_app):
    app = make_app(config={"CODE_ATTEMPTS_PER_MINUTE": 10})
    participant = Participant(app.test_client())
    participant.get("/resume")
    token = participant.csrf_token()
    statuses = [
        participant.client.post("/resume", data={"csrf_token": token, "code": "AAAAA-AAAAA"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_unsent_answers_are_deleted_after_their_time(make_app):
    import time

    app = make_app(config={"DRAFT_PURGE_SECONDS": 0})
    person = Participant(app.test_client())
    person.begin("have-your-say")
    person.answer_page({})
    store = app.extensions["consent_kit"].store
    drafts = list(Path(app.config["DATA_DIR"], "drafts").glob("*.json"))
    assert len(drafts) == 1
    store.save_draft(drafts[0].stem, {"answers": {"a": "old"}}, expires_at=time.time() - 1)
    app.test_client().get("/")  # any request lets the sweeper run
    assert list(Path(app.config["DATA_DIR"], "drafts").glob("*.json")) == []


def test_participant_helper_says_why_a_survey_is_not_available(make_app):
    import pytest

    app = make_app(forms={"broken.yaml": "title: Broken\n"}, examples=False)
    with pytest.raises(AssertionError) as error:
        Participant(app.test_client()).start("broken")
    assert "has no description" in str(error.value)
    with pytest.raises(AssertionError) as error:
        Participant(app.test_client()).start("nope")
    assert "there is no survey called 'nope'" in str(error.value)


def test_kept_question_html_never_shows_one_persons_answer_to_another(ck_app):
    first, second = Participant(ck_app.test_client()), Participant(ck_app.test_client())
    for person in (first, second):
        person.begin("have-your-say")
        person.answer_page({})
    assert 'checked' not in second.html  # the blank page, kept after the first drawing
    first.answer_page({"age_group": "17-19", "care_experience": "no"})
    first.get("/s/have-your-say/page/about-you")
    assert 'value="17-19" checked' in first.html
    second.get("/s/have-your-say/page/about-you")
    assert "checked" not in second.html
    second.answer_page({"age_group": ""})
    assert "Choose how old you are" in second.html  # an error is drawn fresh, not from the kept copy
    third = Participant(ck_app.test_client())
    third.begin("have-your-say")
    third.answer_page({})
    assert "Choose how old you are" not in third.html and "checked" not in third.html
