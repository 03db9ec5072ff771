"""Kept question HTML: choices people picked are drawn once; what people type never is kept."""

from __future__ import annotations

from consent_kit.participation import questions
from consent_kit.testing import Participant

ABOUT_YOU = "/s/have-your-say/page/about-you"
TYPED = "Somewhere quiet, canary 7d1f"


def kept(app) -> dict:
    return app.extensions["consent_kit"].question_html


def walk_to_check(app, answers: dict) -> Participant:
    person = Participant(app.test_client())
    person.begin("have-your-say")
    person.answer_until_check(answers)
    return person


ANSWERS = {
    "age_group": "14-16", "care_experience": "yes", "services_used": ["A youth club"],
    "visits": "4", "how_good": "4", "trusted_adult": "yes", "what_helps": TYPED,
    "make_better": TYPED, "sport_ideas": "Climbing",
}


def test_a_chosen_answer_is_drawn_once_and_shown_only_to_whoever_chose_it(ck_app):
    first = walk_to_check(ck_app, ANSWERS)
    second = walk_to_check(ck_app, dict(ANSWERS, age_group="20-25"))
    first.get(ABOUT_YOU)
    size = len(kept(ck_app))
    assert 'value="14-16" checked' in first.html
    first.get(ABOUT_YOU)
    assert len(kept(ck_app)) == size  # the second drawing came from the kept copy
    second.get(ABOUT_YOU)
    assert 'value="20-25" checked' in second.html and 'value="14-16" checked' not in second.html
    first.get(ABOUT_YOU)
    assert 'value="14-16" checked' in first.html and 'value="20-25" checked' not in first.html


def test_typed_answers_are_never_kept(ck_app):
    person = walk_to_check(ck_app, ANSWERS)
    shown = []
    for page in ("about-you", "what-you-use", "what-works", "trusted-adult-more", "make-it-better"):
        person.get(f"/s/have-your-say/page/{page}")
        shown.append(person.html)
    assert any(TYPED in html for html in shown), "the typed answer is on its page"
    assert kept(ck_app), "some questions were drawn"
    assert not any(TYPED in str(html) for html in kept(ck_app).values())
    assert not any("canary" in repr(key) for key in kept(ck_app))


def test_a_value_that_is_not_one_of_the_choices_is_drawn_fresh():
    class Field:
        raw_data = []
        choices = [("a", "A"), ("b", "B")]
        data = "z"

    class View:
        error = ""
        pnts = None
        field = Field()

    assert questions._answer_key(View()) is None
    View.field.data = "a"
    assert questions._answer_key(View()) == (("str",), ("a",), False)
    View.field.data = ["a", "b"]
    assert questions._answer_key(View()) == (("str", "str"), ("a", "b"), False)
    View.error = "Choose an answer"
    assert questions._answer_key(View()) is None
