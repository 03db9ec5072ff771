"""Making sense of the answers together: codebook, blind coding, agreement, withdrawal, exchange."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import krippendorff
import pytest
from analysis_support import TALK, add_answers
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from consent_kit.analysis import agreement
from consent_kit.analysis.codebook import THEMES, Codebook, ThemeError
from consent_kit.analysis.coding import Coding
from consent_kit.analysis.qdpx import read_codings
from consent_kit.testing import PASSWORD, Browser, Participant, audit_entries, populate

SCHEMA = Path(__file__).parents[1] / "data" / "refi-qda-Project-mrt2019.xsd"
QUICK = """\
id: quick
title: A quick one
description: One yes or no.
questions:
  - id: again
    type: yes_no
    label: Would you come again?
"""
#: Ten answers; for the theme "Getting there" rae and kim tick these (1) or not (0).
RAE = [1, 1, 0, 0, 1, 0, 1, 1, 0, 0]
KIM = [1, 0, 0, 0, 1, 0, 1, 1, 1, 0]


# -- the arithmetic ------------------------------------------------------------------------------


def test_cohens_kappa_matches_the_hand_worked_value():
    # Agreement 8 of 10 = 0.8; each ticks half, so chance agreement is 0.5; (0.8-0.5)/0.5 = 0.6.
    assert agreement.cohens_kappa(RAE, KIM) == pytest.approx(0.6)
    assert agreement.band(0.6) == "moderate" and agreement.band(0.81) == "very good"
    assert agreement.cohens_kappa([1, 1, 1], [1, 1, 1]) is None  # nothing varied: can't tell
    assert agreement.band(None) == "can't tell" and agreement.band(-0.2) == "less than chance"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0, 1, 2, None]), min_size=3, max_size=3),
                min_size=4, max_size=30))
def test_krippendorffs_alpha_matches_the_reference_library(units):
    ours = agreement.krippendorff_alpha(units)
    rows = [[float("nan") if v is None else v for v in coder] for coder in zip(*units, strict=True)]
    usable = [u for u in units if sum(v is not None for v in u) >= 2]
    values = {v for u in usable for v in u if v is not None}
    if ours is None:
        assert len(values) <= 1  # undefined only when nothing varies
        return
    theirs = krippendorff.alpha(reliability_data=rows, level_of_measurement="nominal")
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_two_coders_agreement_per_theme_and_the_talk_it_through_list():
    answers = [f"a{i}" for i in range(10)]
    coded = {"rae": {a: ({"t1"} if r else set()) for a, r in zip(answers, RAE, strict=True)},
             "kim": {a: ({"t1"} if k else set()) for a, k in zip(answers, KIM, strict=True)}}
    [row] = agreement.theme_agreement(["t1"], coded, answers)
    assert (round(row.measure, 2), row.percent, row.used) == (0.6, 0.8, 6)
    assert agreement.differences(coded, answers) == ["a1", "a8"]


# -- the codebook --------------------------------------------------------------------------------


def test_codebook_rules_and_csv_round_trip(make_app):
    app = make_app()
    book = Codebook(app.extensions["consent_kit"].store.documents(THEMES))
    top = book.save("s", "Getting there", "Buses, lifts, cost")
    book.save("s", "Bus fares", parent=top.id)
    with pytest.raises(ThemeError, match="already"):
        book.save("s", "getting THERE")
    with pytest.raises(ThemeError):
        book.save("s", "  ")
    text = book.as_csv("s")
    other = Codebook(make_app().extensions["consent_kit"].store.documents(THEMES))
    assert other.read_csv("t", text) == 2
    assert [(t.name, bool(t.parent)) for t in other.themes("t")] == [
        ("Getting there", False), ("Bus fares", True)]
    with pytest.raises(ThemeError, match="codebook.csv, line 2: there is no theme called"):
        other.read_csv("u", "name,parent\nFares,Nowhere\n")
    assert other.themes("u") == []  # a mistake changes nothing


# -- the whole thing through the studio ------------------------------------------------------------


@pytest.fixture
def team(make_app):
    app = make_app(forms={"talk.yaml": TALK, "quick.yaml": QUICK})
    accounts = populate(app)
    accounts.assign_survey("quick", "alpha")
    accounts.create_user("kim", "researcher", PASSWORD)
    accounts.set_member("alpha", "kim", "researcher")
    accounts.assign_survey("talk", "alpha")
    add_answers(app, [f"Answer number {i}" for i in range(10)])
    people = {}
    for name in ("rae", "kim", "vic"):
        people[name] = Browser(app)
        people[name].login(name)
    return app, people


def _theme_ids(browser) -> dict[str, str]:
    browser.get("/studio/surveys/talk/analysis/themes")
    return {name: tid for tid, name in re.findall(r'/analysis/themes/([0-9a-f]+)">([^<]+)<',
                                                  browser.text)}


def _code_sample(browser, theme_id: str, ticks: list[int]) -> None:
    for i, tick in enumerate(ticks):
        browser.post("/studio/surveys/talk/analysis/better/code?sample=1",
                     {"response_id": f"r{i:02d}", "theme": theme_id if tick else "", "memo": ""})


def test_two_coders_code_blind_and_see_kappa_and_what_to_talk_through(team):
    app, people = team
    rae, kim = people["rae"], people["kim"]
    assert rae.post("/studio/surveys/talk/analysis/themes",
                    {"name": "Getting there", "description": "Buses and lifts"}).status_code == 302
    theme = _theme_ids(rae)["Getting there"]
    made = rae.post("/studio/surveys/talk/analysis/better/sample",
                    {"size": "10", "coder": ["rae", "kim"]})
    assert made.status_code == 302
    _code_sample(rae, theme, RAE)
    kim.get("/studio/surveys/talk/analysis/better/code?sample=1")
    assert "Answer number" in kim.text and "checked" not in kim.text  # kim can't see rae's codes
    _code_sample(kim, theme, KIM)
    rae.get("/studio/surveys/talk/analysis/better/agreement")
    assert "moderate (0.60)" in rae.text and "80%" in rae.text
    assert rae.text.count("<h3 id=\"talk-") == 2  # answers 1 and 8: talk them through
    settle = rae.post("/studio/surveys/talk/analysis/better/settle/r01",
                      {"theme": theme, "agreed_by": ["kim"]})
    assert settle.status_code == 302
    settled = Coding(app.extensions["consent_kit"].store).settled_for("talk", "better")["r01"]
    assert settled["themes"] == [theme] and settled["agreed_by"] == ["kim", "rae"]
    actions = [e["action"] for e in audit_entries(app)]
    assert {"theme_added", "coding_sample_made", "codes_settled"} <= set(actions)
    assert not any("Answer number" in str(e) for e in audit_entries(app))  # never the words


def test_counts_hide_small_numbers_and_viewers_see_counts_only(team):
    app, people = team
    rae, vic = people["rae"], people["vic"]
    rae.post("/studio/surveys/talk/analysis/themes", {"name": "Getting there"})
    rae.post("/studio/surveys/talk/analysis/themes", {"name": "Staff"})
    ids = _theme_ids(rae)
    for i in range(10):
        rae.post("/studio/surveys/talk/analysis/better/code",
                 {"response_id": f"r{i:02d}", "theme": ids["Getting there"] if i < 7 else ids["Staff"]})
    vic.get("/studio/surveys/talk/analysis")
    cells = re.findall(r'<td data-label="[^"]*">([^<]+)</td>', vic.text)
    # 7 and 3: the 3 is hidden, and then the 7 too (it would give the 3 away from the total).
    assert cells == ["fewer than 5", "fewer than 5"]
    assert vic.get("/studio/surveys/talk/analysis/better/code").status_code == 403


def test_taking_answers_back_erases_their_codes_and_changes_the_figures(make_app):
    app = make_app(forms={"talk.yaml": TALK})
    populate(app).assign_survey("talk", "alpha")
    references = []
    for i in range(6):
        person = Participant(app.test_client())
        references.append((person, person.complete("talk", {"better": f"More trips {i}"})))
    rae = Browser(app)
    rae.login("rae")
    rae.post("/studio/surveys/talk/analysis/themes", {"name": "Trips"})
    theme = _theme_ids(rae)["Trips"]
    kit = app.extensions["consent_kit"]
    ids = [r.id for r in kit.store.iter_responses("talk")]
    for response_id in ids:
        rae.post("/studio/surveys/talk/analysis/better/code", {"response_id": response_id,
                                                               "theme": theme})
    rae.get("/studio/surveys/talk/analysis")
    assert re.findall(r'<td data-label="[^"]*">([^<]+)</td>', rae.text) == ["6"]
    person, reference = references[0]
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.get("/change-your-mind/take-back")
    person.post("/change-your-mind/take-back")
    left = Coding(kit.store).all("talk", "better")
    assert len(left) == 5 and {d["response_id"] for d in left} < set(ids)
    rae.get("/studio/surveys/talk/analysis")
    assert re.findall(r'<td data-label="[^"]*">([^<]+)</td>', rae.text) == ["5"]


def test_exports_csv_and_a_refi_qda_project_that_validates_and_reopens(team):
    app, people = team
    rae = people["rae"]
    rae.post("/studio/surveys/talk/analysis/themes", {"name": "Getting there"})
    top = _theme_ids(rae)["Getting there"]
    rae.post("/studio/surveys/talk/analysis/themes", {"name": "=Bus fares", "parent": top})
    ids = _theme_ids(rae)
    rae.post("/studio/surveys/talk/analysis/better/code",
             {"response_id": "r00", "theme": [top, ids["=Bus fares"]], "memo": "fares"})
    rows = list(csv.reader(io.StringIO(rae.get("/studio/surveys/talk/analysis/export.csv").text)))
    assert rows[1] == ["better", "r00", "Answer number 0", "rae", "Getting there; =Bus fares", "fares"]
    data = rae.get("/studio/surveys/talk/analysis/export.qdpx").data
    import zipfile

    project = zipfile.ZipFile(io.BytesIO(data)).read("project.qde")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(etree.fromstring(project)), schema.error_log
    names, codings = read_codings(data)
    assert sorted(names.values()) == ["=Bus fares", "Getting there"]
    assert codings == {("Answer number 0", "rae"): {"Getting there", "=Bus fares"}}
    assert "coding_exported" in [e["action"] for e in audit_entries(app)]


def test_the_survey_page_offers_the_task_only_where_there_are_written_answers(team):
    app, people = team
    rae = people["rae"]
    rae.get("/studio/surveys/talk")
    assert "Make sense of the answers together" in rae.text
    rae.get("/studio/surveys/quick")
    assert rae.last.status_code == 200 and "Make sense of the answers together" not in rae.text


QUOTED = TALK.replace("questions:", """consent:
  information:
    - heading: What this is
      text: We ask one question about the club.
  statements:
    - id: take_part
      text: I want to take part.
    - id: quote
      text: You can use my words in the report, without my name.
      required: false
      allows_quotes: true
questions:""")


def test_quotes_per_theme_come_only_from_people_who_allow_them_and_go_when_they_change_their_mind(
        make_app):
    app = make_app(forms={"talk.yaml": QUOTED})
    populate(app).assign_survey("talk", "alpha")
    people = {}
    for words, statements in (("More trips, please", ["take_part", "quote"]),
                              ("More trips and less rain", ["take_part"])):
        person = Participant(app.test_client())
        person.start("talk")
        person.agree("talk", statements=statements)
        person.answer_until_check({"better": words})
        people[words] = (person, person.send())
    rae = Browser(app)
    rae.login("rae")
    rae.post("/studio/surveys/talk/analysis/themes", {"name": "Trips"})
    theme = _theme_ids(rae)["Trips"]
    for response in app.extensions["consent_kit"].store.iter_responses("talk"):
        rae.post("/studio/surveys/talk/analysis/better/code", {"response_id": response.id,
                                                               "theme": theme})
    rae.get("/studio/surveys/talk/analysis")
    quotes = re.findall(r'<blockquote class="answer">([^<]+)</blockquote>', rae.text)
    assert quotes == ["More trips, please"]  # the other person didn't say their words could be used
    person, reference = people["More trips, please"]
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.post("/change-your-mind/change", {"statement-quote": ""})
    rae.get("/studio/surveys/talk/analysis")
    assert re.findall(r'<blockquote class="answer">([^<]+)</blockquote>', rae.text) == []


def test_a_survey_that_never_asks_about_quotes_says_so(team):
    app, people = team
    people["rae"].post("/studio/surveys/talk/analysis/themes", {"name": "Trips"})
    people["rae"].get("/studio/surveys/talk/analysis")
    assert "doesn't ask people whether their words can be quoted" in people["rae"].text
