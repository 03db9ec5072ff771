"""Sample answers (issue 22): made-up answers that follow the survey, kept apart, removed in one go."""

from __future__ import annotations

import csv
import io
import random

import openpyxl
import pytest
from click.testing import CliRunner

from consent_kit import Choice, Condition, Page, Question, Response, Survey
from consent_kit.cli import cli
from consent_kit.results.samples import is_sample, make_samples, sample_answers
from consent_kit.results.streaming import stream as real_stream
from consent_kit.store.base import Store
from consent_kit.testing import Browser, populate

SURVEY = "event-feedback"

GATE = Question("gate", "yes_no", "Do you go to a youth club?", prefer_not_to_say=True)
QUESTIONS = (
    GATE,
    Question("club", "single_choice", "Which one?", show_if=Condition("gate", "equals", "yes"),
             choices=(Choice("north", "North"), Choice("south", "South"))),
    Question("likes", "multiple_choice", "What do you like?",
             choices=(Choice("sport", "Sport"), Choice("art", "Art"), Choice("food", "Food"),
                      Choice("none", "None of these", exclusive=True))),
    Question("art_kind", "short_text", "What art?", required=False,
             show_if=Condition("likes", "includes", "art")),
    Question("mood", "scale", "How do you feel?", options={"min": 0, "max": 4}),
    Question("age", "number", "How old are you?"),
    Question("born", "date", "When were you born?", prefer_not_to_say=True),
    Question("note", "info", "Thank you"),
)
LATER = Page("later", "Later", (Question("why_not", "long_text", "Why not?"),),
             show_if=Condition("gate", "equals", "no"))
DEMO = Survey("demo", "Demo", "", (Page("p", "P", QUESTIONS), LATER), "v1")


def test_sample_answers_follow_types_choices_and_skip_logic():
    rng = random.Random(7)
    seen_gate = set()
    for _ in range(400):
        answers = sample_answers(DEMO, rng)
        seen_gate.add(answers["gate"])
        assert answers["gate"] in ("yes", "no", "prefer_not_to_say")
        assert ("club" in answers) == (answers["gate"] == "yes")
        assert ("why_not" in answers) == (answers["gate"] == "no")  # a hidden page is skipped
        assert answers.get("club", "north") in ("north", "south")
        likes = answers["likes"]
        assert likes and set(likes) <= {"sport", "art", "food", "none"}
        assert likes == ["none"] or "none" not in likes  # "None of these" stays alone
        if "art_kind" in answers:
            assert "art" in likes
        assert answers["mood"] in range(0, 5)
        assert isinstance(answers["age"], int)
        assert answers["born"] == "prefer_not_to_say" or answers["born"][4] == "-"
        assert "note" not in answers
    assert seen_gate == {"yes", "no", "prefer_not_to_say"}


def test_a_question_type_can_make_its_own_sample_answer():
    class Traffic:
        takes_answer = True

        def sample_answer(self, question, rng):
            return rng.choice(["red", "amber", "green"])

    survey = Survey("t", "T", "", (Page("p", "P", (Question("light", "traffic", "How?"),)),), "v1")
    answers = sample_answers(survey, random.Random(1), {"traffic": Traffic()})
    assert answers["light"] in ("red", "amber", "green")


def test_samples_are_marked_twice_and_spread_over_days():
    made = list(make_samples(DEMO, 200, seed=3))
    assert all(r.source == "sample" and r.meta["sample"] is True and is_sample(r) for r in made)
    assert len({r.id for r in made}) == 200
    assert len({r.submitted_at[:10] for r in made}) > 10
    real = Response("r", "demo", "v1", {}, "2026-11-20T10:00:00Z", "REF")
    assert not is_sample(real)


def real(n: int, survey_id: str = SURVEY) -> list[Response]:
    return [Response(f"real-{i}", survey_id, "v1", {"felt_welcome": "a-lot"}, "2026-11-20T10:00:00Z",
                     f"REF{i}", pseudonym=f"p{i}") for i in range(n)]


@pytest.mark.parametrize("path", ["embedded", "default"])
def test_removing_samples_leaves_real_answers_untouched(make_app, path):
    store = make_app().extensions["consent_kit"].store
    for response in real(3):
        store.add_response(response)
    other = next(make_samples(DEMO, 1, seed=1))  # a sample of another survey stays too
    samples = list(make_samples(Survey(SURVEY, "E", "", (Page("p", "P", QUESTIONS),), "v1"), 50, seed=2))
    add = store.add_sample_responses if path == "embedded" else (
        lambda rs: Store.add_sample_responses(store, rs))
    remove = store.remove_sample_responses if path == "embedded" else (
        lambda sid: Store.remove_sample_responses(store, sid))
    assert add(samples) == 50 and add([other]) == 1
    assert add(samples[:5]) == 0  # already there: nothing twice
    assert store.count_responses(SURVEY) == 53
    before = {r.id: r for r in store.iter_responses(SURVEY) if not is_sample(r)}
    assert remove(SURVEY) == 50
    after = {r.id: r for r in store.iter_responses(SURVEY)}
    assert after == before and sorted(after) == ["real-0", "real-1", "real-2"]
    assert store.count_responses(SURVEY) == 3 and store.count_responses("demo") == 1
    assert store.get_response("real-1") == before["real-1"]
    assert remove(SURVEY) == 0


def test_the_bulk_path_takes_only_sample_answers(make_app):
    store = make_app().extensions["consent_kit"].store
    with pytest.raises(ValueError, match="sample"):
        store.add_sample_responses(real(1))
    assert store.count_responses(SURVEY) == 0


@pytest.fixture
def app(make_app):
    app = make_app()
    populate(app)
    return app


def run(app, *args):
    result = CliRunner().invoke(cli, ["sample-answers", "--instance", app.instance_path, *args])
    assert result.exit_code == 0, result.output
    return result.output


def export_ids(app, *extra) -> list[str]:
    result = CliRunner().invoke(cli, ["export", "--instance", app.instance_path, SURVEY, *extra])
    assert result.exit_code == 0, result.output
    return [r["response_id"] for r in csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff")))]


def test_the_command_adds_samples_kept_out_of_default_exports_and_removes_them(app):
    store = app.extensions["consent_kit"].store
    for response in real(2):
        store.add_response(response)
    assert "Added 120 sample answers" in run(app, SURVEY, "--count", "120", "--seed", "4")
    assert store.count_responses(SURVEY) == 122
    assert export_ids(app) == ["real-0", "real-1"]  # never in a default export
    with_samples = export_ids(app, "--include-samples")
    assert len(with_samples) == 122 and sum(i.startswith("sample-") for i in with_samples) == 120
    assert "Took away 120 sample answers" in run(app, SURVEY, "--remove")
    assert [r.id for r in store.iter_responses(SURVEY)] == ["real-0", "real-1"]
    actions = [(e["action"], e["details"].get("count")) for e in store.iter_audit()
               if e["action"].startswith("samples_")]
    assert actions == [("samples_added", 120), ("samples_removed", 120)]


def test_the_command_needs_a_count_or_remove_and_a_known_survey(app):
    runner = CliRunner()
    both = runner.invoke(cli, ["sample-answers", "--instance", app.instance_path, SURVEY])
    assert both.exit_code != 0 and "--count" in both.output
    unknown = runner.invoke(cli, ["sample-answers", "--instance", app.instance_path, "nope",
                                  "--count", "3"])
    assert unknown.exit_code != 0 and "no survey called 'nope'" in unknown.output


def signed_in(app, who: str = "ola") -> Browser:
    browser = Browser(app)
    assert browser.login(who).status_code == 302
    return browser


def test_results_say_how_many_samples_they_include(app):
    browser = signed_in(app)
    browser.get(f"/studio/surveys/{SURVEY}/results")
    assert 'id="samples-notice"' not in browser.text and "These results include" not in browser.text
    run(app, SURVEY, "--count", "1000", "--seed", "5")
    browser.get(f"/studio/surveys/{SURVEY}/results")
    notice = browser.text.split('id="samples-notice"')[1].split("</div>")[0]
    assert "These results include 1,000 sample answers." in notice
    # Taken away from the studio, not with a command a peer researcher can't type.
    assert f'href="/studio/surveys/{SURVEY}/sample-answers#take-away"' in notice
    assert "consent-kit " not in notice


def studio_export(browser, fmt: str, **form):
    return browser.post(f"/studio/surveys/{SURVEY}/export", {"format": fmt, **form})


@pytest.mark.parametrize("streamed", [False, True], ids=["spooled", "streamed"])
def test_studio_downloads_leave_samples_out_unless_ticked(app, monkeypatch, streamed):
    from consent_kit.results import views

    streams = []
    if streamed:
        monkeypatch.setattr(views, "STREAM_ROWS", 0)
        monkeypatch.setattr(views, "stream", lambda *a: streams.append(1) or real_stream(*a))
    store = app.extensions["consent_kit"].store
    for response in real(2):
        store.add_response(response)
    run(app, SURVEY, "--count", "30", "--seed", "6")
    browser = signed_in(app)
    browser.get(f"/studio/surveys/{SURVEY}/export")
    assert 'name="include_samples"' in browser.text and "Add the 30 sample answers" in browser.text
    plain = studio_export(browser, "csv")
    rows = list(csv.DictReader(io.StringIO(plain.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["response_id"] for r in rows] == ["real-0", "real-1"]
    book = openpyxl.load_workbook(io.BytesIO(studio_export(browser, "xlsx", include_samples="yes").data))
    assert len(list(book["Answers"].values)) == 1 + 32
    exports = [e["details"] for e in store.iter_audit() if e["action"] == "export"]
    assert exports == [{"format": "csv", "rows": 2}, {"format": "xlsx", "samples": True, "rows": 32}]
    assert len(streams) == (2 if streamed else 0)


def test_the_command_keeps_the_results_counts_without_reading_every_answer(app, monkeypatch):
    from consent_kit.results import sample_tally, tallies

    kit = app.extensions["consent_kit"]
    survey, store = kit.catalog.get(SURVEY), kit.store
    for response in real(2):
        store.add_response(response)
    tallies.current_tally(store, survey)  # a results view before: the real answers' tally is kept
    rebuilds = []
    monkeypatch.setattr(tallies, "rebuild", lambda *a: rebuilds.append(a) or pytest.fail("rebuilt"))
    monkeypatch.setattr(sample_tally, "rebuild", tallies.rebuild)

    def kept():
        tally = dict(store.documents(tallies.TABLE).get(survey_id=SURVEY))
        tally.pop("busy_until", None)
        return tally

    run(app, SURVEY, "--count", "150", "--seed", "7")
    assert kept() == tallies.tally_of(survey, store.iter_responses(SURVEY)) and kept()["total"] == 152
    assert tallies.current_tally(store, survey)["samples"] == 150  # the first view: nothing rebuilt
    run(app, SURVEY, "--remove")
    assert kept() == tallies.tally_of(survey, real(2))
    assert rebuilds == []
