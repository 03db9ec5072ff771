"""The results logic without a server: hiding small numbers, summaries, filters, charts."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from consent_kit import Breakdown, Choice, Page, Question, Response, Survey
from consent_kit.results.charts import bar_chart
from consent_kit.results.summary import (
    Filters,
    core_breakdowns,
    filters_from,
    hidden_counts,
    language_name,
    make_tally,
    merge_breakdowns,
    summarise,
)

COLOUR = Question("colour", "single_choice", "Favourite colour?", prefer_not_to_say=True,
                  choices=(Choice("red", "Red"), Choice("blue", "Blue")))
HOBBIES = Question("hobbies", "multiple_choice", "Hobbies?",
                   choices=(Choice("art", "Art"), Choice("music", "Music")))
AGE = Question("age", "number", "How old are you?")
MOOD = Question("mood", "scale", "How are you?", options={"min": 1, "max": 5})
WHY = Question("why", "long_text", "Why?")
SURVEY = Survey("s", "A survey", "", (Page("p", "P", (COLOUR, HOBBIES, AGE, MOOD, WHY)),), "v1")


def response(i: int, day: str = "2026-11-20", source: str = "", **answers) -> Response:
    return Response(f"r{i}", "s", "v1", answers, f"{day}T09:00:00Z", "REF", source,
                    {"language": "cy"})


@pytest.mark.parametrize("counts, hidden", [
    ([10, 7, 6], [False, False, False]),
    ([10, 3, 6], [False, True, True]),      # one small: the next smallest goes too
    ([10, 3, 0], [False, True, True]),      # two small: nothing more to hide
    ([4], [True]),
    ([5, 5], [False, False]),
])
def test_hidden_counts(counts, hidden):
    assert hidden_counts(counts, 5) == hidden


def test_hidden_counts_follow_the_setting():
    assert hidden_counts([9, 12, 30], 10) == [True, True, False]
    assert hidden_counts([1, 2], 1) == [False, False]


def test_a_tally_keeps_the_order_of_the_choices_and_adds_unknown_values_last():
    tally = make_tally({"blue": 6, "old": 7, "red": 9}, {"red": "Red", "blue": "Blue"}, 22)
    assert [(c.key, c.label, c.percent) for c in tally.cells] == [
        ("red", "Red", 40.9), ("blue", "Blue", 27.3), ("old", "old", 31.8)]
    assert not tally.base_hidden


def test_summarise_counts_every_kind_of_question():
    responses = [response(i, colour="red", hobbies=["art", "music"], age=10 + i, mood=(i % 5) + 1,
                          why=f"because {i}") for i in range(10)]
    found = summarise(SURVEY, iter(responses), breakdowns=core_breakdowns({}))
    assert found.total == 10 and not found.hidden
    colour, hobbies, age, mood, why = found.questions
    assert [(c.key, c.count, c.hidden) for c in colour.tally.cells] == [
        ("red", 10, False), ("blue", 0, True), ("prefer_not_to_say", 0, True)]
    assert [(c.key, c.percent) for c in hobbies.tally.cells] == [("art", 100.0), ("music", 100.0)]
    assert (age.numbers.count, age.numbers.median, age.numbers.mean) == (10, 14.5, 14.5)
    # The middle half needs 5 people in each quarter: 10 answers are too few.
    assert (age.numbers.lower_quartile, age.numbers.upper_quartile) == (None, None)
    assert mood.kind == "scale" and mood.numbers.median == 3
    assert mood.numbers.mean is None  # every count of the scale (2 each) is hidden
    assert why.texts[:2] == ["because 0", "because 1"] and why.texts_total == 10
    [(source, by_source), (language, by_language)] = found.breakdowns
    assert source.id == "source" and by_source.cells[0].label == "The survey link"
    assert by_language.cells[0].label == "Cymraeg"


def test_a_filtered_view_under_the_limit_shows_nothing_but_keeps_the_groups():
    responses = [response(i, source="poster" if i < 3 else "", colour="red") for i in range(12)]
    breakdowns = core_breakdowns({})
    found = summarise(SURVEY, responses, breakdowns=breakdowns,
                      filters=Filters(split="source", group="poster"))
    assert found.hidden and found.total == 3 and found.questions == []
    assert found.groups["source"] == ["The survey link", "poster"]


def test_dates_filter_whole_days_and_days_with_none_are_shown():
    responses = [response(i, day=day, colour="red")
                 for i, day in enumerate(["2026-11-01"] * 5 + ["2026-11-03"] * 6 + ["2026-11-09"])]
    found = summarise(SURVEY, responses, filters=Filters(dt.date(2026, 11, 1), dt.date(2026, 11, 3)))
    assert found.total == 11
    assert [(c.key, c.count, c.hidden) for c in found.over_time.cells] == [
        ("2026-11-01", 5, True), ("2026-11-02", 0, True), ("2026-11-03", 6, False)]


def test_a_long_survey_is_counted_by_month():
    responses = [response(i, day=day) for i, day in enumerate(["2026-01-05"] * 5 + ["2026-06-05"] * 5)]
    found = summarise(SURVEY, responses)
    assert found.over_time_unit == "month"
    assert [c.key for c in found.over_time.cells] == ["2026-01", "2026-06"]


def test_written_answers_are_capped_and_sorted_not_in_the_order_they_came():
    responses = [response(i, why=word) for i, word in enumerate(["pear", "Apple", "fig", "date",
                                                                 "kiwi", "lime"])]
    found = summarise(SURVEY, responses, text_limit=4)
    why = found.questions[-1]
    assert why.texts == ["Apple", "date", "fig", "pear"] and why.texts_total == 6


def test_a_question_few_people_answered_is_hidden():
    responses = [response(i, why="x" if i < 2 else None) for i in range(8)]
    why = summarise(SURVEY, responses).questions[-1]
    assert why.hidden and why.texts == [] and why.answered == 2 and why.skipped == 6


def test_a_failing_plugin_breakdown_counts_as_not_known():
    def broken(response):
        raise RuntimeError("oops")

    found = summarise(SURVEY, [response(i) for i in range(6)],
                      breakdowns=[Breakdown("b", "Broken", broken)], words={"not_known": "?"})
    [(_, tally)] = found.breakdowns
    assert [(c.label, c.count) for c in tally.cells] == [("?", 6)]


def test_a_plugin_breakdown_replaces_the_core_one_with_its_id():
    mine = Breakdown("source", "Where from (QR)", lambda r: "Library poster")
    merged = merge_breakdowns(core_breakdowns({}), [mine])
    assert [b.id for b in merged] == ["language", "source"] and merged[1] is mine


def test_filters_from_a_query_keep_what_is_right():
    filters, problems = filters_from({"from": "2026-11-01", "to": "nope", "only": "source=poster"},
                                     ["source"])
    assert filters == Filters(dt.date(2026, 11, 1), None, "source", "poster")
    assert problems == [("to", "date")]
    filters, problems = filters_from({"from": "2026-11-05", "to": "2026-11-01", "only": "x=1"},
                                     ["source"])
    assert filters.date_to is None and filters.split == ""
    assert problems == [("to", "order"), ("only", "group")]


def test_language_names_are_in_the_language_itself():
    assert language_name("en") == "English" and language_name("cy") == "Cymraeg"
    assert language_name("") == "" and language_name("zz-not") == "zz-not"


WORDS = {"axis": "Number of people", "hidden": "fewer than 5", "desc": "See the table."}


def test_the_chart_is_valid_svg_with_labels_counts_and_an_axis():
    tally = make_tally({"red": 6, "blue": 12, "green": 2, "pink": 3},
                       {"red": "Red & <b>rose</b>", "blue": "Blue", "green": "Green", "pink": "Pink"}, 23)
    svg = bar_chart(tally, chart_id="c1", title="Colours", words=WORDS)
    root = ET.fromstring(svg)  # well-formed, labels escaped
    texts = ["".join(t.itertext()) for t in root.iter("text")]
    assert "Red & <b>rose</b>" in texts and "12 (52.2%)" in texts and "6 (26.1%)" in texts
    assert texts.count("fewer than 5") == 2 and "Number of people" in texts
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    bars = [float(r.get("width")) for r in root.iter("rect")]
    assert len(bars) == 2 and bars[1] == 2 * bars[0]  # no bar for hidden counts
    assert "style=" not in svg  # the Content-Security-Policy forbids inline styles


def test_long_labels_wrap_onto_at_most_three_lines():
    label = "A very long answer that goes on and on about many things " * 3
    svg = bar_chart(make_tally({"a": 9}, {"a": label}, 9), chart_id="c", title="t", words=WORDS)
    first_text = ET.fromstring(svg).find("text")
    assert 1 < len(first_text.findall("tspan")) <= 3


def test_prefer_not_to_say_is_not_counted_as_a_written_answer_or_a_date():
    when = Question("when", "date", "When?", prefer_not_to_say=True)
    survey = Survey("s", "S", "", (Page("p", "P", (WHY, when)),), "v1")
    responses = [response(i, why="prefer_not_to_say" if i < 2 else f"t{i}",
                          when="prefer_not_to_say" if i < 6 else "2026-11-03") for i in range(12)]
    why, when_summary = summarise(survey, responses, words={"prefer_not_to_say": "Rather not"}).questions
    assert why.texts_total == 10 and len(why.texts) == 10 and "prefer_not_to_say" not in why.texts
    assert [(c.label, c.count) for c in when_summary.tally.cells] == [("2026-11", 6), ("Rather not", 6)]


def test_figures_from_fewer_people_than_the_limit_are_hidden_like_counts():
    # The case: 6 answers to a scale, so every count says "fewer than 5".
    six = [response(i, mood=m) for i, m in enumerate([1, 2, 3, 4, 4, 5])]
    [mood] = [q for q in summarise(SURVEY, iter(six)).questions if q.question.id == "mood"]
    assert all(c.hidden for c in mood.tally.cells)
    assert (mood.numbers.mean, mood.numbers.median, mood.numbers.lower_quartile) == (
        None, None, None)
    many = [response(i, age=10 + i) for i in range(20)]
    [age] = [q for q in summarise(SURVEY, iter(many)).questions if q.question.id == "age"]
    assert (age.numbers.median, age.numbers.lower_quartile, age.numbers.upper_quartile) == (
        19.5, 14.75, 24.25)
