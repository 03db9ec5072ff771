"""The journey's pure logic: skip logic, next/previous page, progress, pruning."""

from __future__ import annotations

import pytest

from consent_kit.participation import flow
from consent_kit.survey.model import Condition, Page, Question, Survey


def q(qid, **kwargs):
    return Question(id=qid, type=kwargs.pop("type", "short_text"), label=qid.title(), **kwargs)


SURVEY = Survey(
    id="s",
    title="S",
    description="d",
    version="v",
    pages=(
        Page("p1", "", (q("job", type="yes_no"), q("hobbies", type="multiple_choice"))),
        Page("p2", "", (q("hours", type="number"),), show_if=Condition("job", "equals", "yes")),
        Page("p3", "", (q("sport", show_if=Condition("hobbies", "includes", "sport")),)),
        Page("p4", "", (q("why_not", show_if=Condition("job", "not_equals", "yes")),)),
    ),
)


@pytest.mark.parametrize("condition, answers, met", [
    (None, {}, True),  # no condition: always shown
    (Condition("job", "equals", "yes"), {"job": "yes"}, True),
    (Condition("job", "equals", "yes"), {"job": "no"}, False),
    (Condition("job", "equals", "yes"), {}, False),  # not answered is not "yes"
    (Condition("job", "not_equals", "yes"), {}, True),
    (Condition("h", "includes", "sport"), {"h": ["art", "sport"]}, True),
    (Condition("h", "includes", "sport"), {"h": "sport"}, False),  # a text is not a list of choices
    (Condition("n", "equals", "3"), {"n": 3}, True),  # a number answer equals its text
])
def test_conditions(condition, answers, met):
    assert flow.condition_met(condition, answers) is met


def test_visible_pages_follow_answers_and_skip_empty_pages():
    ids = lambda answers: [p.id for p in flow.visible_pages(SURVEY, answers)]  # noqa: E731
    assert ids({}) == ["p1", "p4"]
    assert ids({"job": "yes", "hobbies": ["sport"]}) == ["p1", "p2", "p3"]


def test_next_previous_and_progress():
    answers = {"job": "yes", "hobbies": []}
    assert flow.next_page(SURVEY, answers, "p1") == "p2"
    assert flow.next_page(SURVEY, answers, "p2") == flow.CHECK_ANSWERS
    assert flow.previous_page(SURVEY, answers, "p2") == "p1"
    assert flow.previous_page(SURVEY, answers, "p1") is None
    assert flow.previous_page(SURVEY, answers, flow.CHECK_ANSWERS) == "p2"
    assert flow.progress(SURVEY, answers, "p2") == (2, 2)
    assert flow.progress(SURVEY, {"job": "no"}, "p4") == (2, 2)


def test_can_visit_only_after_earlier_pages():
    assert flow.can_visit(SURVEY, {}, "p1", set())
    assert not flow.can_visit(SURVEY, {}, "p4", set())
    assert flow.can_visit(SURVEY, {"job": "no"}, "p4", {"p1"})
    assert not flow.can_visit(SURVEY, {"job": "no"}, flow.CHECK_ANSWERS, {"p1"})
    assert flow.can_visit(SURVEY, {"job": "no"}, flow.CHECK_ANSWERS, {"p1", "p4"})
    assert not flow.can_visit(SURVEY, {"job": "no"}, "p2", {"p1", "p4"})  # hidden page


def test_answers_to_keep_drops_hidden_questions():
    answers = {"job": "no", "hours": 30, "why_not": "school", "hobbies": ["art"], "sport": "x"}
    assert flow.answers_to_keep(SURVEY, answers) == {
        "job": "no", "why_not": "school", "hobbies": ["art"]
    }


def test_missing_required_only_counts_shown_questions():
    missing = flow.missing_required(SURVEY, {"job": "yes", "hobbies": ["art"]})
    assert [m.id for m in missing] == ["hours"]
    assert flow.first_unanswered(SURVEY, {"job": "yes"}, {"p1"}) == "p2"


def _walk(survey, final: dict) -> list[tuple[int, int]]:
    """Go forward page by page, answering each page from ``final``; the progress shown on each."""
    answers, shown, current = {}, [], flow.first_page(survey, {})
    while current != flow.CHECK_ANSWERS:
        shown.append(flow.progress(survey, answers, current))
        page = next(p for p in survey.pages if p.id == current)
        for question in flow.visible_questions(page, answers):
            if question.id in final:
                answers[question.id] = final[question.id]
        current = flow.next_page(survey, answers, current)
    return shown


def test_page_count_never_goes_up_on_the_way_forward():
    # Old behaviour: "Page 1 of 2" (p1, p4), then "Page 2 of 3" once a job is ticked.
    assert _walk(SURVEY, {"job": "yes", "hobbies": ["sport"]}) == [(1, 4), (2, 3), (3, 3)]
    assert _walk(SURVEY, {"job": "no", "hobbies": []}) == [(1, 4), (2, 2)]
    for job in ("yes", "no", None):
        for hobbies in ([], ["sport"], ["art", "sport"], None):
            final = {k: v for k, v in {"job": job, "hobbies": hobbies}.items() if v is not None}
            shown = _walk(SURVEY, final)
            numbers = [n for n, _ in shown]
            totals = [t for _, t in shown]
            assert numbers == list(range(1, len(shown) + 1)), final
            assert totals == sorted(totals, reverse=True), (final, shown)
            assert totals[-1] == len(shown), (final, shown)  # exact on the last page


def test_page_count_is_exact_without_skip_logic():
    plain = Survey(id="p", title="P", description="d", version="v",
                   pages=tuple(Page(f"p{n}", "", (q(f"q{n}"),)) for n in range(1, 4)))
    assert _walk(plain, {}) == [(1, 3), (2, 3), (3, 3)]
