"""Results and exports in the browser, through HTTP: who sees what, small numbers, files, audit."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl

from consent_kit import Response
from consent_kit.testing import Browser, Participant, populate

SURVEY = "event-feedback"  # in project beta: ola is its researcher


def add(store, n: int, *, start: int = 0, day: str = "2026-11-20", source: str = "",
        language: str = "en", **answers):
    """Store ``n`` responses with these answers (quicker than filling in the form n times)."""
    for i in range(start, start + n):
        store.add_response(Response(
            id=f"r{i}", survey_id=SURVEY, survey_version="v1", answers=dict(answers),
            submitted_at=f"{day}T10:00:00Z", reference=f"REF{i}", source=source,
            meta={"language": language, "contact": "secret@example.org"}))


def signed_in(app, who: str) -> Browser:
    browser = Browser(app)
    assert browser.login(who).status_code == 302
    return browser


def results_page(app, who="ola", query=""):
    browser = signed_in(app, who)
    response = browser.get(f"/studio/surveys/{SURVEY}/results{query}")
    return response, browser.text


def test_the_survey_page_links_to_the_results(app):
    browser = signed_in(app, "ola")
    browser.get(f"/studio/surveys/{SURVEY}")
    assert f'href="/studio/surveys/{SURVEY}/results"' in browser.text


def test_results_count_choices_with_a_chart_and_a_table(app, store):
    add(store, 6, felt_welcome="a-lot", enjoyed=5, come_again="yes")
    add(store, 7, start=6, felt_welcome="a-bit", enjoyed=4, come_again="yes", day="2026-11-21")
    response, text = results_page(app)
    assert response.status_code == 200
    assert "13 answers in total." in text
    section = text.split('id="q-felt_welcome"')[1].split("</section>")[0]
    assert "<svg" in section and 'role="img"' in section and "<table" in section
    assert re.search(r"Yes, a lot</th><td class=\"num\">6</td><td class=\"num\">46.2%", section)
    assert re.search(r"A bit</th><td class=\"num\">7</td><td class=\"num\">53.8%", section)
    # Nobody said "Not really" (0) and nobody preferred not to say (0): both under 5.
    assert section.count("fewer than 5") >= 2
    assert "Number of people" in section  # the axis is labelled
    assert "Answers sent each day" in text and "2026-11-21" in text


def test_small_numbers_are_hidden_everywhere_and_one_more_to_stop_subtraction(app, store):
    add(store, 9, felt_welcome="a-lot")
    add(store, 3, start=9, felt_welcome="a-bit")
    add(store, 6, start=12, felt_welcome="not-really")
    add(store, 5, start=18, felt_welcome="prefer_not_to_say")
    _, text = results_page(app)
    section = text.split('id="q-felt_welcome"')[1].split("</section>")[0]
    table = section.split("<table")[1]
    assert '<td class="num">3</td>' not in table
    assert "fewer than 5" in table
    # 23 answered: if "Prefer not to say" (5) were shown, 3 = 23 - 9 - 6 - 5. It isn't.
    assert '<td class="num">5</td>' not in table
    assert '<td class="num">9</td>' in table and '<td class="num">6</td>' in table
    svg = section.split("<svg")[1].split("</svg>")[0]
    assert ">3 (" not in svg and ">5 (" not in svg and ">9 (39.1%)<" in svg


def test_a_survey_with_fewer_than_5_answers_shows_no_numbers(app, store):
    add(store, 4, felt_welcome="a-lot", best_bit="Meeting Sam from my school")
    _, text = results_page(app)
    assert "There are fewer than 5 answers so far" in text
    assert "Meeting Sam" not in text and "<svg" not in text


def test_the_limit_can_be_changed_in_the_settings(make_app):
    app = make_app(config={"RESULTS_MIN_GROUP": 10})
    populate(app)
    add(app.extensions["consent_kit"].store, 8, felt_welcome="a-lot")
    _, text = results_page(app)
    assert "There are fewer than 10 answers so far" in text


def test_filtering_to_a_small_group_shows_nothing(app, store):
    add(store, 10, source="", felt_welcome="a-lot")
    add(store, 2, start=10, source="library", felt_welcome="a-bit", best_bit="The pizza")
    response, text = results_page(app, query="?only=source%3Dlibrary")
    assert response.status_code == 200
    assert "Fewer than 5 answers match what you chose" in text
    assert "The pizza" not in text and "Yes, a lot" not in text.split("Fewer than 5 answers")[1]


def test_filtering_by_group_and_date(app, store):
    add(store, 5, source="library", felt_welcome="a-bit", day="2026-11-01")
    add(store, 6, start=5, source="library", felt_welcome="a-lot", day="2026-11-03")
    add(store, 8, start=11, source="", felt_welcome="not-really", day="2026-11-03")
    _, text = results_page(app, query="?only=source%3Dlibrary&from=2026-11-02")
    assert "6 answers match what you chose." in text
    section = text.split('id="q-felt_welcome"')[1].split("</section>")[0]
    assert re.search(r"Yes, a lot</th><td class=\"num\">6</td>", section)
    # The groups are offered in the filter, the plain link in plain words.
    assert '<option value="source=library" selected>library</option>' in text
    assert "The survey link" in text


def test_a_wrong_date_is_explained_and_the_other_choices_are_kept(app, store):
    add(store, 6, source="library", felt_welcome="a-lot")
    response, text = results_page(app, query="?from=26/11/2026&only=source%3Dlibrary")
    assert response.status_code == 400
    assert "Enter a date like 2026-11-26" in text and 'href="#from"' in text
    assert '<option value="source=library" selected>' in text
    assert "6 answers match what you chose." in text


def test_free_text_is_listed_in_a_to_z_order_and_escaped(app, store):
    add(store, 3, best_bit="zebra crossing")
    add(store, 3, start=3, best_bit="Pizza <script>alert(1)</script>")
    add(store, 1, start=6, best_bit="Apples")
    _, text = results_page(app)
    section = text.split('id="q-best_bit"')[1].split("</section>")[0]
    assert section.index("Apples") < section.index("alert(1)") < section.index("zebra crossing")
    browser = signed_in(app, "ola")
    raw = browser.get(f"/studio/surveys/{SURVEY}/results").get_data(as_text=True)
    assert "<script>alert(1)" not in raw


def test_numbers_and_scales_get_a_summary_without_lowest_or_highest(app, store):
    # 20 answers, 5 of each score given: enough for the median and the middle half too
    # (6 answers, as this test had, now hide them: see the last test here).
    for i, score in enumerate([1] * 5 + [3] * 5 + [4] * 5 + [5] * 5):
        add(store, 1, start=i, enjoyed=score)
    _, text = results_page(app)
    section = text.split('id="q-enjoyed"')[1].split("</section>")[0]
    assert "Middle answer (median)" in section and "<dd>3.5</dd>" in section
    assert "Average (mean)" in section and "<dd>3.25</dd>" in section
    assert "<dd>2.5 to 4.25</dd>" in section


def test_viewers_see_results_but_cannot_export(app, store):
    add(store, 6, felt_welcome="a-lot")
    response, text = results_page(app, who="vic")
    assert response.status_code == 200 and "Download the answers" not in text
    browser = signed_in(app, "vic")
    assert browser.get(f"/studio/surveys/{SURVEY}/export").status_code == 403
    assert browser.post(f"/studio/surveys/{SURVEY}/export", {"format": "csv"}).status_code == 403
    assert [e for e in store.iter_audit() if e["action"] == "export"] == []


def test_another_projects_researcher_sees_nothing(app, store):
    add(store, 6, felt_welcome="a-lot")
    rae = signed_in(app, "rae")
    assert rae.get(f"/studio/surveys/{SURVEY}/results").status_code == 404
    assert rae.get(f"/studio/surveys/{SURVEY}/export").status_code == 404
    response = rae.post(f"/studio/surveys/{SURVEY}/export", {"format": "csv"})
    assert response.status_code == 404 and b"a-lot" not in response.data


def export(app, fmt: str, who: str = "ola"):
    browser = signed_in(app, who)
    page = browser.get(f"/studio/surveys/{SURVEY}/export")
    assert page.status_code == 200
    return browser.post(f"/studio/surveys/{SURVEY}/export", {"format": fmt})


def test_export_page_offers_every_format(app):
    browser = signed_in(app, "ola")
    browser.get(f"/studio/surveys/{SURVEY}/export")
    for name in ("csv", "json", "xlsx", "dictionary"):
        assert f'name="format" value="{name}"' in browser.text


def test_csv_export_is_a_download_on_record(app, store):
    add(store, 2, felt_welcome="=HYPERLINK(\"http://x\")", source="library")
    response = export(app, "csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{SURVEY}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["response_id"] for r in rows] == ["r0", "r1"]
    assert rows[0]["felt_welcome"].startswith("'=")
    [entry] = [e for e in store.iter_audit() if e["action"] == "export"]
    assert entry["actor"] == "user:ola" and entry["subject"] == SURVEY
    assert entry["details"] == {"format": "csv", "rows": 2} and entry["at"]


def test_exports_have_no_contact_or_payment_details(app, store):
    add(store, 2, felt_welcome="a-lot")
    for fmt in ("csv", "json"):
        data = export(app, fmt).get_data()
        assert b"secret@example.org" not in data and b"contact" not in data
    book = openpyxl.load_workbook(io.BytesIO(export(app, "xlsx").get_data()))
    cells = [str(v) for sheet in book for row in sheet.values for v in row]
    assert not [c for c in cells if "secret@" in c or "contact" in c]


def test_xlsx_export_has_answers_and_the_questions(app, store):
    add(store, 3, felt_welcome="a-bit", enjoyed=4)
    response = export(app, "xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    answers = list(book["Answers"].values)
    assert answers[0][:2] == ("response_id", "submitted_at") and len(answers) == 4
    assert answers[1][answers[0].index("enjoyed")] == 4
    about = list(book["About the questions"].values)
    assert ("felt_welcome", "Did you feel welcome?", "single_choice", "a-bit", "A bit") in [
        r[:5] for r in about]


def test_json_export_explains_itself(app, store):
    add(store, 1, felt_welcome="a-lot")
    document = json.loads(export(app, "json").get_data())
    assert document["responses"][0]["felt_welcome"] == "a-lot"
    assert any(q["column"] == "felt_welcome" and q["value"] == "a-lot"
               for q in document["questions"])


def test_an_unknown_format_is_explained(app):
    response = export(app, "pdf-of-doom")
    assert response.status_code == 400 and b"Choose a format." in response.data


def test_withdrawn_answers_are_not_in_results_or_exports(app, store):
    person = Participant(app.test_client())
    person.complete(SURVEY, {"felt_welcome": "not-really", "enjoyed": "2", "come_again": "no",
                             "best_bit": "Nobody talked to me at all"})
    [kept] = list(store.iter_responses(SURVEY))
    add(store, 6, felt_welcome="a-lot", best_bit="Dancing")
    _, text = results_page(app)
    assert "Nobody talked to me at all" in text and "7 answers in total." in text
    store.withdraw(kept.pseudonym, at="2026-11-26T12:00:00Z")
    _, text = results_page(app)
    assert "Nobody talked to me at all" not in text and "6 answers in total." in text
    left = [f"r{i}" for i in range(6)]
    assert exported_ids(export(app, "csv"), "csv") == left
    assert exported_ids(export(app, "json"), "json") == left
    assert exported_ids(export(app, "xlsx"), "xlsx") == left


def exported_ids(response, fmt: str) -> list[str]:
    """The response ids in a downloaded export."""
    data = response.get_data()
    if fmt == "csv":
        return [r["response_id"] for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))]
    if fmt == "json":
        return [r["response_id"] for r in json.loads(data)["responses"]]
    rows = list(openpyxl.load_workbook(io.BytesIO(data))["Answers"].values)
    return [row[0] for row in rows[1:]]


def test_an_empty_chart_is_a_sentence_and_figures_from_few_people_are_hidden(app, store):
    for i, score in enumerate(["1", "2", "3", "4", "4", "5"]):  # 6 people, each count under 5
        add(store, 1, start=i, enjoyed=score)
    response, text = results_page(app)
    section = text.split('id="q-enjoyed"', 1)[1].split("</section>", 1)[0]
    assert "Fewer than 5 people gave each answer, so there is no chart yet." in section
    assert "<svg" not in section
    assert "3.17" not in section and "3.5" not in section
    assert "Not shown yet" in section
