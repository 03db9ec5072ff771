"""SPSS, Stata and R exports (issue 18): read back with pyreadstat, codes stable across versions."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyreadstat

from consent_kit import Choice, Condition, Page, Question, Response, Survey
from consent_kit.defaults.exporters import DictionaryExporter, RExporter, SpssExporter, StataExporter
from consent_kit.results.codes import choice_codes, with_codes
from consent_kit.results.export_versions import export_survey
from consent_kit.results.spss import missing_family
from consent_kit.results.stats_data import safe_names

QUESTIONS = (
    Question("colour", "single_choice", "Favourite colour?", prefer_not_to_say=True,
             choices=(Choice("red", "Red"), Choice("blue", "Blue"))),
    Question("hobbies", "multiple_choice", "Hobbies?",
             choices=(Choice("art", "Art"), Choice("music", "Music"))),
    Question("mood", "scale", "How are you?",
             options={"min": 1, "max": 3, "min_label": "Low", "max_label": "High"}),
    Question("ok", "yes_no", "All right?", required=False,
             show_if=Condition("colour", "equals", "red")),
    Question("age", "number", "How old are you?", required=False),
    Question("born", "date", "When did you start?", required=False),
    Question("note", "info", "Thanks!"),
    Question("why", "long_text", "Why?", required=False),
)
SURVEY = Survey("demo", "Demo", "", (Page("p1", "P", QUESTIONS[:1]), Page("p2", "Q", QUESTIONS[1:])),
                "v1")
RESPONSES = [
    Response("r1", "demo", "v1", {"colour": "red", "hobbies": ["art", "music"], "mood": 2, "ok": "yes",
                                  "age": 14, "born": "2020-02-29", "why": "Fun"},
             "2026-11-26T08:30:00Z", "A", source="paper", meta={"language": "cy"},
             pseudonym="secret-pseudonym"),
    Response("r2", "demo", "v1", {"colour": "prefer_not_to_say", "mood": 3},
             "2026-11-26T09:00:00Z", "B"),
    Response("r3", "demo", "v1", {"colour": "blue", "hobbies": ["prefer_not_to_say"], "mood": 1,
                                  "age": 30.5}, "2026-11-26T10:00:00Z", "C"),
]


def written(exporter, tmp_path: Path, survey=SURVEY, responses=RESPONSES) -> Path:
    out = io.BytesIO()
    exporter.write(survey, responses, out)
    path = tmp_path / f"out{exporter.suffix}"
    path.write_bytes(out.getvalue())
    return path


def test_sav_has_labels_codes_ticks_dates_and_kinds_of_missing(tmp_path):
    data, meta = pyreadstat.read_sav(written(SpssExporter(), tmp_path), user_missing=True)
    assert len(data) == 3
    labels = meta.column_names_to_labels
    assert labels["colour"] == "Favourite colour?" and labels["hobbies_2"] == "Hobbies?: Music"
    colour = meta.variable_value_labels["colour"]
    assert {k: colour[k] for k in (1.0, 2.0, -98.0, -99.0)} == {
        1.0: "Red", 2.0: "Blue", -98.0: "Left blank", -99.0: "Prefer not to say"}
    assert list(data["colour"]) == [1, -99, 2]
    # One 0/1 variable per choice; "prefer not to say" on all of them.
    assert list(data["hobbies_1"]) == [1, -98, -99] and list(data["hobbies_2"]) == [1, -98, -99]
    # Scale points are their own codes; yes is 1; "ok" was skipped by routing for r2 and r3.
    assert list(data["mood"]) == [2, 3, 1] and list(data["ok"]) == [1, -97, -97]
    assert meta.variable_value_labels["ok"][-97.0].startswith("Not asked")
    assert meta.missing_ranges["colour"] == [{"lo": -99.0, "hi": -97.0}]
    assert str(data["born"][0]) == "2020-02-29" and meta.original_variable_types["born"].startswith("DATE")
    assert list(data["born_why"]) == [0, -98, -98]
    assert list(data["age"]) == [14, -98, 30.5]
    assert list(data["why"]) == ["Fun", "-98", "-98"]
    # Breakdown columns; no pseudonym or reference anywhere.
    assert list(data["source"]) == ["paper", "", ""] and data["language"][0] == "cy"
    assert "secret-pseudonym" not in (tmp_path / "out.sav").read_bytes().decode("latin-1")
    assert "pseudonym" not in data.columns and "reference" not in data.columns


def test_sav_user_missing_values_are_left_out_of_sums(tmp_path):
    data, _ = pyreadstat.read_sav(written(SpssExporter(), tmp_path))  # user_missing=False: as SPSS sees it
    assert data["colour"].isna().tolist() == [False, True, False]
    assert data["mood"].sum() == 6


def test_dta_has_labels_and_extended_missing_values(tmp_path):
    data, meta = pyreadstat.read_dta(written(StataExporter(), tmp_path), user_missing=True)
    assert len(data) == 3
    assert list(data["colour"]) == [1, "c", 2] and list(data["ok"]) == [1, "a", "a"]
    assert list(data["hobbies_1"]) == [1, "b", "c"]
    assert meta.variable_value_labels["colour"]["c"] == "Prefer not to say"
    assert meta.variable_value_labels["colour"][1] == "Red"
    assert meta.column_names_to_labels["mood"] == "How are you?"
    assert str(data["born"][0]) == "2020-02-29"


def test_a_number_answer_never_looks_like_a_missing_code(tmp_path):
    rows = [Response("r1", "demo", "v1", {"colour": "red", "age": -98}, "2026-11-26T08:30:00Z", "A"),
            Response("r2", "demo", "v1", {"colour": "red"}, "2026-11-26T08:30:00Z", "B")]
    data, meta = pyreadstat.read_sav(written(SpssExporter(), tmp_path, responses=rows), user_missing=True)
    assert list(data["age"]) == [-98, -998]
    assert meta.missing_ranges["age"] == [{"lo": -999.0, "hi": -997.0}]
    assert missing_family([1, 2]) == {-97: -97, -98: -98, -99: -99}


def test_names_are_valid_unique_and_short():
    names = safe_names(["a-b", "A_b", "9lives", "if", "x" * 40, "x" * 40, "with", "_"])
    assert names[:3] == ["a_b", "A_b_2", "v9lives"]
    assert names[3] == "if_" and names[6] == "with_"
    assert all(len(n) <= 31 for n in names) and names[4] != names[5]
    assert len({n.lower() for n in names}) == len(names)


SECOND = Survey("demo", "Demo", "", (Page("p1", "P", (
    Question("colour", "single_choice", "Favourite colour now?", prefer_not_to_say=True,
             choices=(Choice("green", "Green"), Choice("blue", "Blue, the sky"), Choice("red", "Red"))),
)),), "v2")


def test_codes_stay_the_same_when_choices_are_added_and_reordered():
    codes = choice_codes([SURVEY, SECOND])
    assert codes["colour"] == {"red": (1, "Red"), "blue": (2, "Blue, the sky"), "green": (3, "Green")}
    assert choice_codes([SURVEY])["colour"]["blue"][0] == 2
    assert codes["hobbies"]["music"] == (2, "Music")


def test_codes_across_two_versions_in_the_sav_and_dictionary(tmp_path):
    survey = with_codes(SECOND, [SURVEY, SECOND])
    rows = [Response("a", "demo", "v1", {"colour": "blue"}, "2026-11-26T08:30:00Z", "A"),
            Response("b", "demo", "v2", {"colour": "green"}, "2026-11-26T08:30:00Z", "B"),
            Response("c", "demo", "v2", {"colour": "blue"}, "2026-11-26T08:30:00Z", "C")]
    data, meta = pyreadstat.read_sav(written(SpssExporter(), tmp_path, survey, rows), user_missing=True)
    assert list(data["colour"]) == [2, 3, 2]
    assert meta.variable_value_labels["colour"][3.0] == "Green"


MINI = """\
title: Mini
description: A small test survey.
questions:
  - id: colour
    type: single_choice
    label: Favourite colour?
    prefer_not_to_say: true
    choices:
      - {value: red, label: Red}
      - {value: blue, label: Blue}
  - id: pet
    type: short_text
    label: What is your pet called?
    required: false
"""
MINI_2 = MINI.replace("      - {value: red, label: Red}\n",
                      "      - {value: green, label: Green}\n      - {value: red, label: Red}\n")


def test_app_export_takes_codes_from_the_survey_history(make_app, tmp_path):
    app = make_app(forms={"mini.yaml": MINI}, examples=False)
    kit = app.extensions["consent_kit"]
    first = kit.catalog.get("mini")
    kit.store.add_response(Response("r1", "mini", first.version, {"colour": "blue", "pet": "Rex"},
                                    "2026-11-20T10:00:00Z", "REF"))
    Path(app.config["FORMS_DIR"], "mini.yaml").write_text(MINI_2)
    second = kit.catalog.get("mini")
    assert second.version != first.version
    kit.store.add_response(Response("r2", "mini", second.version, {"colour": "green"},
                                    "2026-11-21T10:00:00Z", "REF"))
    out = io.BytesIO()
    with app.test_request_context():
        assert export_survey(kit, second, StataExporter(), out) == 2
        about = io.BytesIO()
        export_survey(kit, second, DictionaryExporter(), about)
    (tmp_path / "x.dta").write_bytes(out.getvalue())
    data, meta = pyreadstat.read_dta(tmp_path / "x.dta", user_missing=True)
    # Green came in version 2, so it is 3: red and blue keep 1 and 2.
    assert list(data["colour"]) == [2, 3] and meta.variable_value_labels["colour"][3] == "Green"
    assert list(data["pet"]) == ["Rex", "-98"]
    assert list(data["version"]) == [1, 2]  # the numbers people see, beside each version's code
    text = about.getvalue().decode("utf-8-sig")
    assert "green,Green,3," in text and "-99 = Prefer not to say" in text


def test_r_zip_holds_codes_and_a_script_with_labels(tmp_path):
    archive = zipfile.ZipFile(written(RExporter(), tmp_path))
    assert sorted(archive.namelist()) == ["demo.R", "demo.csv"]
    lines = archive.read("demo.csv").decode().splitlines()
    header = lines[0].split(",")
    first = dict(zip(header, lines[1].split(","), strict=True))
    second = dict(zip(header, lines[2].split(","), strict=True))
    assert (first["colour"], second["colour"], second["ok"], second["why"]) == ("1", "-99", "-97", "-98")
    script = archive.read("demo.R").decode()
    assert 'ck[["colour"]] <- ck_factor(ck[["colour"]], c("1", "2"), c("Red", "Blue")' in script
    assert 'attr(ck[["mood"]], "label") <- "How are you?"' in script
    assert 'read.csv("demo.csv"' in script and script.isascii()


def test_cli_offers_the_new_formats(make_app):
    app = make_app(examples=False)
    exporters = app.extensions["consent_kit"].exporters
    assert {"sav", "dta", "r"} <= set(exporters)


def test_studio_export_page_offers_and_sends_spss(make_app, tmp_path):
    from consent_kit.testing import PASSWORD, Browser

    app = make_app(forms={"mini.yaml": MINI}, examples=False)
    app.extensions["consent_kit_studio"].accounts.create_user("ada", "admin", PASSWORD)
    kit = app.extensions["consent_kit"]
    survey = kit.catalog.get("mini")
    kit.store.add_response(Response("r1", "mini", survey.version, {"colour": "red"},
                                    "2026-11-20T10:00:00Z", "REF"))
    browser = Browser(app)
    browser.login("ada")
    page = browser.get("/studio/surveys/mini/export").get_data(as_text=True)
    assert "SPSS (.sav)" in page and "Stata (.dta)" in page and "XLSForm" in page
    sent = browser.post("/studio/surveys/mini/export", {"format": "sav"})
    assert "mini.sav" in sent.headers["Content-Disposition"]
    (tmp_path / "s.sav").write_bytes(sent.get_data())
    data, meta = pyreadstat.read_sav(tmp_path / "s.sav", user_missing=True)
    assert list(data["colour"]) == [1] and list(data["pet"]) == ["-98"]
