"""Property test: any survey and any answers come back from .sav and .dta as they went in (issue 18)."""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path

import pyreadstat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent_kit import Choice, Page, Question, Response, Survey
from consent_kit.defaults.exporters import SpssExporter, StataExporter
from consent_kit.results.codes import choice_codes

KINDS = ("single_choice", "multiple_choice", "yes_no", "scale", "number", "short_text", "date")
# Words as a survey file gives them: the loader strips spaces and refuses empty words, so a label
# is never only spaces (SPSS would drop them, and no survey could have them).
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                max_size=30).map(str.strip).filter(bool)


@st.composite
def questions(draw, number: int) -> Question:
    kind = draw(st.sampled_from(KINDS))
    qid = f"q{number}_" + draw(st.from_regex(r"[a-z][a-z0-9]{0,40}", fullmatch=True))
    choices = ()
    if kind in ("single_choice", "multiple_choice"):
        values = draw(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=1, max_size=5,
                               unique=True))
        choices = tuple(Choice(v, draw(words)) for v in values)
    return Question(qid, kind, draw(words), required=False, prefer_not_to_say=draw(st.booleans()),
                    choices=choices, options={"min": 1, "max": 5} if kind == "scale" else {})


def answer_for(draw, question: Question):
    if draw(st.integers(0, 4)) == 0:
        return None  # left blank
    if question.prefer_not_to_say and draw(st.integers(0, 4)) == 0:
        return "prefer_not_to_say"
    kind = question.type
    if kind == "single_choice":
        return draw(st.sampled_from([c.value for c in question.choices]))
    if kind == "multiple_choice":
        return draw(st.lists(st.sampled_from([c.value for c in question.choices]), min_size=1, unique=True))
    if kind == "yes_no":
        return draw(st.sampled_from(["yes", "no"]))
    if kind == "scale":
        return draw(st.integers(1, 5))
    if kind == "number":
        return draw(st.integers(-200, 200))
    if kind == "date":
        return draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 1, 1))).isoformat()
    return draw(words)


@st.composite
def surveys_and_answers(draw):
    count = draw(st.integers(1, 6))
    found = [draw(questions(n)) for n in range(count)]
    survey = Survey("prop", "Property", "", (Page("p", "P", tuple(found)),), "v1")
    responses = []
    for number in range(draw(st.integers(0, 6))):
        answers = {q.id: a for q in found if (a := answer_for(draw, q)) is not None}
        responses.append(Response(f"r{number}", "prop", "v1", answers, "2026-11-26T08:30:00Z", "R"))
    return survey, responses


def read(exporter, survey, responses):
    out = io.BytesIO()
    exporter.write(survey, responses, out)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"x{exporter.suffix}"
        path.write_bytes(out.getvalue())
        reader = pyreadstat.read_sav if exporter.name == "sav" else pyreadstat.read_dta
        return reader(path, user_missing=True)


def _name(question: Question, suffix: str = "") -> str:
    """The variable's name: at most 31 characters, the question's id cut before any suffix."""
    return question.id[:31 - len(suffix)] + suffix


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys_and_answers())
def test_answers_survive_spss(case):
    survey, responses = case
    data, meta = read(SpssExporter(), survey, responses)
    assert len(data) == len(responses)
    codes = choice_codes([survey])
    for row, response in enumerate(responses):
        for question in survey.questions:
            answer = response.answers.get(question.id)
            missing = -98 if answer is None else -99 if answer == "prefer_not_to_say" else None
            if question.type == "multiple_choice":
                for value, (code, _) in codes[question.id].items():
                    cell = data[_name(question, f"_{code}")][row]
                    assert cell == (missing if missing else int(value in answer))
            elif question.type in ("single_choice", "yes_no", "scale"):
                expected = missing or codes[question.id][str(answer)][0]
                assert data[_name(question)][row] == expected
                assert meta.variable_value_labels[_name(question)][float(expected)]
            elif question.type == "number":
                cell = data[_name(question)][row]
                assert cell == answer if missing is None else cell in (missing, missing - 900)
            elif question.type == "date" and missing is None:
                assert str(data[_name(question)][row]) == answer


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(surveys_and_answers())
def test_answers_survive_stata(case):
    survey, responses = case
    data, _ = read(StataExporter(), survey, responses)
    assert len(data) == len(responses)
    for row, response in enumerate(responses):
        for question in survey.questions:
            answer = response.answers.get(question.id)
            if question.type in ("single_choice", "yes_no", "scale", "number"):
                cell = data[_name(question)][row]
                if answer is None:
                    assert cell == "b"
                elif answer == "prefer_not_to_say":
                    assert cell == "c"
                else:
                    assert isinstance(cell, float | int)


def test_a_long_date_question_id_still_writes_stata_and_spss():
    """Hypothesis's find: a 28-letter date question made a 32-letter "<id>_why" that Stata refused."""
    question = Question(id="q0_a" + "0" * 24, type="date", label="0")
    survey = Survey("prop", "Property", "", (Page("p", "P", (question,)),), "v1")
    for exporter in (StataExporter(), SpssExporter()):
        data, meta = read(exporter, survey, [])
        assert all(len(name) <= 31 for name in meta.column_names)
        assert len([name for name in meta.column_names if name.startswith("q0_a")]) == 2  # date, why


def test_a_long_multiple_choice_id_keeps_each_choice_apart():
    """Hypothesis's find: a 30-letter multiple-choice id lost its choice number when cut to 31."""
    question = Question(id="q0_a" + "0" * 26, type="multiple_choice", label="0",
                        choices=(Choice("a", "A"), Choice("b", "B"), Choice("c", "C")))
    survey = Survey("prop", "Property", "", (Page("p", "P", (question,)),), "v1")
    answers = Response("r0", "prop", "v1", {question.id: ["b"]}, "2026-11-26T08:30:00Z", "R")
    for exporter in (StataExporter(), SpssExporter()):
        data, meta = read(exporter, survey, [answers])
        names = [name for name in meta.column_names if name.startswith("q0_a")]
        assert names == [f"q0_a{'0' * 25}_{n}" for n in (1, 2, 3)], exporter.name
        assert [data[name][0] for name in names] == [0, 1, 0]
