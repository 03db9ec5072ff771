"""Sample answers keep the results' counts right as they are added and removed, in both stores (issue 22).

After ``add_samples`` the kept tally equals a full recount without any rebuild
(a rebuild reads every answer again: 36 s at a million); after ``remove_samples``
it equals a recount of the real answers left, again without a rebuild.
"""

from __future__ import annotations

import pytest
from pg_testdb import store_factory as pg_factory
from pg_testdb import temporary_schema

from consent_kit import Choice, Condition, Page, Question, Response, Survey
from consent_kit.results import sample_tally, tallies
from consent_kit.results.samples import make_samples, sample_count, set_sample_count
from consent_kit.store import EmbeddedStore

QUESTIONS = (
    Question("gate", "yes_no", "Do you go to a youth club?", prefer_not_to_say=True),
    Question("club", "single_choice", "Which one?", show_if=Condition("gate", "equals", "yes"),
             choices=(Choice("north", "North"), Choice("south", "South"))),
    Question("likes", "multiple_choice", "What do you like?",
             choices=(Choice("sport", "Sport"), Choice("art", "Art"))),
    Question("mood", "scale", "How do you feel?", options={"min": 0, "max": 4}),
    Question("age", "number", "How old are you?", required=False),
    Question("born", "date", "When were you born?", prefer_not_to_say=True),
    Question("why", "long_text", "Why?", required=False),
)
SURVEY = Survey("club", "Club", "", (Page("p", "P", QUESTIONS),), "v1")


@pytest.fixture(params=["embedded", "postgresql"])
def store(request, tmp_path):
    if request.param == "embedded":
        with EmbeddedStore(str(tmp_path / "data")) as opened:
            yield opened
        return
    with temporary_schema("ck_samples") as (url, schema):
        opened = pg_factory(url, schema)()
        try:
            yield opened
        finally:
            opened.close()


@pytest.fixture
def rebuilds(monkeypatch):
    """Every rebuild of a kept tally (reading all answers again), by survey id."""
    seen: list[str] = []

    def spy(store, survey):
        seen.append(survey.id)
        return real(store, survey)

    real = tallies.rebuild
    monkeypatch.setattr(tallies, "rebuild", spy)
    monkeypatch.setattr(sample_tally, "rebuild", spy)
    return seen


def real_answers(n: int) -> list[Response]:
    return [Response(f"real-{i}", SURVEY.id, "v1", {"gate": "no", "mood": i % 5, "age": 14 + i},
                     f"2026-11-0{i + 1}T10:00:00Z", f"REF{i}", meta={"language": "cy"}) for i in range(n)]


def kept(store) -> dict:
    found = dict(store.documents(tallies.TABLE).get(survey_id=SURVEY.id))
    found.pop("busy_until", None)
    return found


def recount(store) -> dict:
    return tallies.tally_of(SURVEY, store.iter_responses(SURVEY.id))


def test_samples_are_counted_in_and_out_without_reading_every_answer(store, rebuilds):
    for response in real_answers(3):
        store.add_response(response)
    tallies.current_tally(store, SURVEY)  # a results view: the tally of the real answers, kept
    rebuilds.clear()
    steps = []
    added = sample_tally.add_samples(store, SURVEY, make_samples(SURVEY, 250, seed=3), step=100,
                                     progress=steps.append)
    assert added == 250 and steps == [100, 200, 250] and sample_count(store, SURVEY.id) == 250
    assert kept(store) == recount(store) and kept(store)["total"] == 253
    assert tallies.current_tally(store, SURVEY)["samples"] == 250  # the first view after: no rebuild
    sample_tally.add_samples(store, SURVEY, make_samples(SURVEY, 40, seed=4))  # a second run adds
    assert kept(store) == recount(store) and sample_count(store, SURVEY.id) == 290
    assert rebuilds == []
    assert sample_tally.remove_samples(store, SURVEY) == 290
    assert rebuilds == []
    assert kept(store) == recount(store) == tallies.tally_of(SURVEY, real_answers(3))
    assert sample_count(store, SURVEY.id) == 0


def test_samples_whose_counts_were_not_kept_are_removed_with_a_recount(store, rebuilds):
    store.add_response(real_answers(1)[0])
    tallies.current_tally(store, SURVEY)
    # Made the way older versions did: stored and counted, but their own counts not kept.
    store.add_sample_responses(make_samples(SURVEY, 30, seed=5))
    set_sample_count(store, SURVEY.id, 30)
    tallies.rebuild(store, SURVEY)
    rebuilds.clear()
    assert sample_tally.remove_samples(store, SURVEY) == 30
    assert rebuilds == [SURVEY.id]
    assert kept(store) == recount(store) and kept(store)["total"] == 1


def test_the_fast_count_is_the_same_as_counting_one_by_one():
    samples = list(make_samples(SURVEY, 300, seed=6)) + real_answers(4)
    samples.append(Response("odd", SURVEY.id, "v1", {"age": 1000.0, "mood": "prefer_not_to_say",
                                                     "born": "prefer_not_to_say", "likes": []},
                            "2026-11-02T10:00:00Z", "R"))
    samples.append(Response("odd2", SURVEY.id, "v1", {"age": 1000, "why": "prefer_not_to_say"},
                            "2026-11-02T10:00:00Z", "R"))
    one_by_one = tallies.empty_tally(SURVEY)
    for response in samples:
        tallies.count(one_by_one, response)
    assert tallies.tally_of(SURVEY, samples) == one_by_one
    assert one_by_one["questions"]["age"]["values"]["n:1000"] == 1
    assert one_by_one["questions"]["age"]["values"]["n:1000.0"] == 1


