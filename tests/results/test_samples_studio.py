"""Sample answers from the studio (issue 22 §1): a peer researcher adds and takes them away in the browser."""

from __future__ import annotations

import pytest
from test_samples import SURVEY, real, run

from consent_kit.results.samples import is_sample, sample_count
from consent_kit.testing import Browser

PAGE = f"/studio/surveys/{SURVEY}/sample-answers"


def signed_in(app, who: str = "ola") -> Browser:
    browser = Browser(app)
    assert browser.login(who).status_code == 302
    return browser


def audited(store) -> list[tuple[str, str, int]]:
    return [(e["actor"], e["action"], e["details"]["count"]) for e in store.iter_audit()
            if e["action"].startswith("samples_")]


def test_an_empty_survey_points_researchers_to_sample_answers(app):
    browser = signed_in(app)
    browser.get(f"/studio/surveys/{SURVEY}")
    assert f'href="{PAGE}"' in browser.text
    browser.get(f"/studio/surveys/{SURVEY}/results")
    assert f'href="{PAGE}"' in browser.text and "No answers yet?" in browser.text


def test_a_researcher_adds_samples_and_takes_them_away_leaving_real_answers(app, store):
    for response in real(2):
        store.add_response(response)
    browser = signed_in(app)
    browser.get(PAGE)
    assert "This survey already has 2 real answers." in browser.text
    assert "This survey has no sample answers." in browser.text
    assert "Take away the sample answers" not in browser.text  # nothing to take away yet

    added = browser.post(PAGE, {"action": "add", "count": "1000"})
    assert added.status_code == 302 and added.headers["Location"].endswith(f"/{SURVEY}/results")
    assert store.count_responses(SURVEY) == 1002 and sample_count(store, SURVEY) == 1000
    browser.get(f"/studio/surveys/{SURVEY}/results")
    assert "1,000 sample answers added." in browser.text
    assert "These results include 1,000 sample answers." in browser.text
    browser.get(f"/studio/surveys/{SURVEY}")  # "Answers sent" counts people, not samples
    assert "<dd>2 (and 1,000 sample answers, made up for trying things out)</dd>" in browser.text

    browser.get(PAGE)
    assert "This takes away all 1,000 sample answers." in browser.text
    removed = browser.post(PAGE, {"action": "remove"})
    assert removed.status_code == 302
    assert [r.id for r in store.iter_responses(SURVEY)] == ["real-0", "real-1"]
    assert sample_count(store, SURVEY) == 0
    browser.get(PAGE)
    assert "Real answers were not touched." in browser.text
    assert "This survey has no sample answers." in browser.text
    assert audited(store) == [("user:ola", "samples_added", 1000), ("user:ola", "samples_removed", 1000)]


def test_the_results_count_the_samples_added_in_the_studio(app, store):
    browser = signed_in(app)
    browser.post(PAGE, {"action": "add", "count": "100"})
    browser.get(f"/studio/surveys/{SURVEY}/results")
    assert "100 answers in total." in browser.text
    assert all(is_sample(r) for r in store.iter_responses(SURVEY))


@pytest.mark.parametrize("count", ["", "5000000", "7", "lots"])
def test_a_size_the_page_does_not_offer_is_explained_and_adds_nothing(app, store, count):
    browser = signed_in(app)
    response = browser.post(PAGE, {"action": "add", "count": count})
    assert response.status_code == 400
    assert "Choose how many sample answers to add." in browser.text
    assert 'href="#count"' in browser.text  # the error summary links to the choices
    assert store.count_responses(SURVEY) == 0 and audited(store) == []


def test_the_command_line_samples_can_be_taken_away_in_the_studio(app, store):
    run(app, SURVEY, "--count", "30", "--seed", "2")
    browser = signed_in(app)
    browser.get(PAGE)
    assert "This survey has 30 sample answers now." in browser.text
    browser.post(PAGE, {"action": "remove"})
    assert store.count_responses(SURVEY) == 0


def test_viewers_and_other_projects_cannot_add_or_remove_samples(app, store):
    run(app, SURVEY, "--count", "10", "--seed", "1")
    viewer = signed_in(app, "vic")
    viewer.get(f"/studio/surveys/{SURVEY}/results")
    assert "A researcher in your project can take them away." in viewer.text
    assert f'href="{PAGE}"' not in viewer.text
    assert viewer.get(PAGE).status_code == 403
    assert viewer.post(PAGE, {"action": "remove"}).status_code == 403
    other = signed_in(app, "rae")  # a researcher, but in another project
    assert other.get(PAGE).status_code == 404
    assert other.post(PAGE, {"action": "add", "count": "100"}).status_code == 404
    assert store.count_responses(SURVEY) == 10 and audited(store)[-1][1] == "samples_added"
