"""Kept tallies (issue 22): after any mix of answers arriving and being erased, they equal a recount."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from consent_kit import Breakdown, Choice, Condition, Page, Question, Response, Survey
from consent_kit.results.summary import summarise
from consent_kit.results.tallies import count, empty_tally, results_from_tally, tally_of

QUESTIONS = (
    Question("colour", "single_choice", "Colour?", prefer_not_to_say=True,
             choices=(Choice("red", "Red"), Choice("blue", "Blue"))),
    Question("likes", "multiple_choice", "Likes?", required=False,
             choices=(Choice("art", "Art"), Choice("sport", "Sport"))),
    Question("mood", "scale", "Mood?", options={"min": 1, "max": 5}),
    Question("age", "number", "Age?", required=False),
    Question("born", "date", "Born?", required=False, prefer_not_to_say=True),
    Question("why", "long_text", "Why?", required=False, show_if=Condition("colour", "equals", "red")),
    Question("note", "info", "Thanks"),
)
SURVEY = Survey("s", "S", "", (Page("p", "P", QUESTIONS),), "v1")
BREAKDOWNS = [Breakdown("source", "Where", lambda r: r.source or "The survey link"),
              Breakdown("language", "Language", lambda r: str(r.meta.get("language") or ""))]

answers = st.fixed_dictionaries({}, optional={
    "colour": st.sampled_from(["red", "blue", "prefer_not_to_say", ""]),
    "likes": st.lists(st.sampled_from(["art", "sport", "prefer_not_to_say"]), max_size=2, unique=True),
    "mood": st.one_of(st.integers(1, 5), st.just("prefer_not_to_say")),
    "age": st.one_of(st.integers(-3, 120), st.floats(0, 99, allow_nan=False).map(lambda x: round(x, 1)),
                     st.just("prefer_not_to_say")),
    "born": st.one_of(st.dates().map(lambda d: d.isoformat()), st.just("prefer_not_to_say")),
    "why": st.text(max_size=8),
})
responses = st.builds(
    lambda n, a, day, source, lang: Response(f"r{n}", "s", "v1", a, f"2026-11-{day:02d}T10:00:00Z", "REF",
                                             source=source, meta={"language": lang}),
    st.integers(0, 10**9), answers, st.integers(1, 28), st.sampled_from(["", "sample", "poster"]),
    st.sampled_from(["en", "cy", ""]))
#: Each step: send a new response, or erase one of those sent (by its position).
steps = st.lists(st.one_of(st.tuples(st.just("send"), responses),
                           st.tuples(st.just("erase"), st.integers(0, 50))), max_size=40)


def replay(steps_taken) -> tuple[dict, list[Response]]:
    """The tally kept step by step, and the responses left at the end."""
    tally, kept = empty_tally(SURVEY), []
    for number, (what, value) in enumerate(steps_taken):
        if what == "send":
            response = dataclasses.replace(value, id=f"r{number}")
            kept.append(response)
            count(tally, response, 1)
        elif kept:
            gone = kept.pop(value % len(kept))
            count(tally, gone, -1)
    return tally, kept


@settings(max_examples=150, deadline=None)
@given(steps)
def test_a_kept_tally_equals_a_recount_after_any_answers_and_erasures(steps_taken):
    tally, kept = replay(steps_taken)
    assert tally == tally_of(SURVEY, kept)


@settings(max_examples=80, deadline=None)
@given(steps, st.integers(1, 5))
def test_results_from_a_tally_are_the_results_of_reading_every_answer(steps_taken, min_group):
    tally, kept = replay(steps_taken)
    words = {"not_known": "Not known"}
    expected = summarise(SURVEY, kept, breakdowns=BREAKDOWNS, min_group=min_group, words=words)
    found = results_from_tally(SURVEY, tally, kept, breakdowns=BREAKDOWNS, min_group=min_group,
                               words=words)
    assert found == expected


def test_an_erased_answer_leaves_no_key_behind():
    one = Response("r1", "s", "v1", {"colour": "red", "age": 41, "why": "private words"},
                   "2026-11-20T10:00:00Z", "REF", source="poster", meta={"language": "cy"})
    tally = empty_tally(SURVEY)
    count(tally, one, 1)
    count(tally, one, -1)
    assert tally == empty_tally(SURVEY)
    assert "private" not in repr(tally) and "41" not in repr(tally["questions"]["age"])


FEEDBACK = "event-feedback"
ANSWERS = {"felt_welcome": "a-lot", "enjoyed": "4", "come_again": "yes", "best_bit": "The music"}


def kept_tally(app, survey_id: str = FEEDBACK) -> dict | None:
    return app.extensions["consent_kit"].store.documents("summaries").get(survey_id=survey_id)


def test_the_kept_tally_follows_real_sending_and_withdrawing(make_app):
    from consent_kit.participation.withdraw import withdraw_participant
    from consent_kit.results.tallies import PENDING, current_tally
    from consent_kit.testing import Participant

    app = make_app()
    kit = app.extensions["consent_kit"]
    survey = kit.catalog.get(FEEDBACK)
    current_tally(kit.store, survey)  # kept from the start, at 0
    for _ in range(3):
        Participant(app.test_client()).complete(FEEDBACK, ANSWERS)
    PENDING.flush()  # what the batch thread does every second
    assert kept_tally(app)["total"] == 3  # counted in as they were sent, no recount
    assert kept_tally(app)["questions"]["felt_welcome"]["values"] == {"a-lot": 3}
    first = next(kit.store.iter_responses(FEEDBACK))
    with app.test_request_context():
        assert withdraw_participant(kit.store.get_consent(first.pseudonym)) == []
    kept = kept_tally(app)
    assert kept["total"] == 2
    recount = tally_of(survey, kit.store.iter_responses(FEEDBACK))
    assert {k: v for k, v in kept.items() if k not in ("doc_id", "busy_until")} == recount


def test_the_results_page_reads_the_tally_not_every_answer(make_app, monkeypatch):
    from consent_kit.testing import Browser, populate

    app = make_app()
    populate(app)
    store = app.extensions["consent_kit"].store
    for i in range(60):
        store.add_response(Response(f"r{i}", FEEDBACK, "v1", {"felt_welcome": "a-bit", "enjoyed": 3},
                                    "2026-11-20T10:00:00Z", f"REF{i}"))
    browser = Browser(app)
    browser.login("ola")
    assert browser.get(f"/studio/surveys/{FEEDBACK}/results").status_code == 200  # rebuilt: 60 new
    assert "60 answers in total." in browser.text
    read = []
    real_iter = type(store).iter_responses

    def counting(self, survey_id=None):
        for response in real_iter(self, survey_id):
            read.append(response.id)
            yield response

    monkeypatch.setattr(type(store), "iter_responses", counting)
    browser.get(f"/studio/surveys/{FEEDBACK}/results")
    assert "60 answers in total." in browser.text
    assert read == []  # no written answers to list: nothing to read (a million others' answers: 8 s)
    browser.get(f"/studio/surveys/{FEEDBACK}/results?from=2026-11-01")
    assert len(read) == 60  # a view of some days still reads the answers


def test_new_answers_are_counted_in_by_the_batch_thread(make_app):
    import time

    from consent_kit.results.tallies import PENDING, current_tally

    app = make_app()
    kit = app.extensions["consent_kit"]
    survey = kit.catalog.get(FEEDBACK)
    current_tally(kit.store, survey)
    response = Response("new-1", FEEDBACK, survey.version, {"felt_welcome": "a-bit"},
                        "2026-11-20T10:00:00Z", "REF")
    kit.store.add_response(response)
    PENDING.add(kit.store, survey, response)  # what response_submitted does
    deadline = time.monotonic() + 10
    while kept_tally(app)["total"] != 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert kept_tally(app)["questions"]["felt_welcome"]["values"] == {"a-bit": 1}


def test_a_tally_a_moment_behind_busy_processes_is_used_and_a_stale_one_rebuilt(make_app):
    import time

    from consent_kit.results.tallies import TABLE, current_tally

    app = make_app()
    kit = app.extensions["consent_kit"]
    survey = kit.catalog.get(FEEDBACK)
    current_tally(kit.store, survey)
    kit.store.add_response(Response("late-1", FEEDBACK, survey.version, {"felt_welcome": "a-bit"},
                                    "2026-11-20T10:00:00Z", "REF"))  # another process will count it
    documents = kit.store.documents(TABLE)
    documents.update({"busy_until": time.time() + 60}, survey_id=FEEDBACK)
    assert current_tally(kit.store, survey)["total"] == 0  # shown a moment behind, not read again
    documents.update({"busy_until": 0}, survey_id=FEEDBACK)
    assert current_tally(kit.store, survey)["total"] == 1  # nobody is counting: read again
    assert kept_tally(app)["questions"]["felt_welcome"]["values"] == {"a-bit": 1}


def test_one_number_written_as_a_whole_number_and_as_a_decimal_counts_twice():
    # Found by the property test above: "3" and "3.0" are kept as two keys of the tally, and
    # reading them back as one number (3 == 3.0) counted only the last one.
    sent = [Response(f"r{n}", "s", "v1", {"colour": "red", "age": age}, "2026-11-01T10:00:00Z", "REF")
            for n, age in enumerate([3, 3.0, 5])]
    tally, kept = replay([("send", response) for response in sent])
    found = results_from_tally(SURVEY, tally, kept, min_group=1, words={"not_known": "Not known"})
    age = next(q for q in found.questions if q.question.id == "age")
    assert age.numbers.count == 3
    assert found == summarise(SURVEY, kept, min_group=1, words={"not_known": "Not known"})
