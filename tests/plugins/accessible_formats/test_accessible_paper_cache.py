"""The paper PDF is made once per survey version, language and size, not per request (issue 23 item 7)."""

from __future__ import annotations

import threading

import pytest
from accessible_support import formats_instance
from consent_kit_plugins.accessible_formats import paper

from consent_kit.app import create_app

PDF = "/s/formats-demo/formats/paper.pdf"
SETTINGS = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "CATALOG_CHECK_SECONDS": 0}


@pytest.fixture
def folder(tmp_path):
    return formats_instance(tmp_path / "instance")


@pytest.fixture
def made(monkeypatch):
    """Every PDF actually drawn, as (survey version, large)."""
    drawn = []
    real = paper.paper_pdf

    def counting(survey, questions, labels, large=False):
        drawn.append((survey.version, large))
        return real(survey, questions, labels, large=large)

    monkeypatch.setattr(paper, "paper_pdf", counting)
    return drawn


def test_asking_again_serves_the_same_pdf_without_drawing_it(folder, made):
    client = create_app(SETTINGS, instance=folder, load_entrypoints=False).test_client()
    first = client.get(PDF)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    for _ in range(5):
        assert client.get(PDF).data == first.data
    assert len(made) == 1
    large = client.get(PDF + "?size=large")
    assert large.data != first.data and len(made) == 2


def test_a_new_survey_version_gets_a_new_pdf(folder, made):
    client = create_app(SETTINGS, instance=folder, load_entrypoints=False).test_client()
    before = client.get(PDF).data
    survey = folder / "forms" / "formats-demo.yaml"
    survey.write_text(survey.read_text().replace("Your youth club", "Our youth club"))
    after = client.get(PDF).data
    assert len(made) == 2 and made[0][0] != made[1][0] and after != before


def test_each_language_has_its_own_pdf(folder, made):
    client = create_app(SETTINGS, instance=folder, load_entrypoints=False).test_client()
    english = client.get(PDF + "?lang=en").data
    welsh = client.get(PDF + "?lang=cy").data
    assert len(made) == 2 and english != welsh
    assert client.get(PDF + "?lang=cy").data == welsh and len(made) == 2


def test_a_browser_that_has_it_is_told_so(folder, made):
    client = create_app(SETTINGS, instance=folder, load_entrypoints=False).test_client()
    etag = client.get(PDF).headers["ETag"]
    again = client.get(PDF, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data and len(made) == 1


def test_the_cache_keeps_only_the_newest():
    cache = paper.PdfCache(size=2)
    drawn = []

    def make(name):
        return lambda: drawn.append(name) or name.encode()

    for name in ("a", "b", "a", "c"):  # "a" was used again, so "b" is the oldest when "c" comes
        cache.get((name,), make(name))
    assert drawn == ["a", "b", "c"] and len(cache) == 2
    cache.get(("a",), make("a"))
    cache.get(("b",), make("b"))
    assert drawn == ["a", "b", "c", "b"]


def test_people_asking_at_once_share_one_pdf():
    cache = paper.PdfCache()
    entered, release, calls, got = threading.Event(), threading.Event(), [], []

    def slow():
        calls.append(1)
        entered.set()
        assert release.wait(30)
        return b"%PDF"

    first = threading.Thread(target=lambda: got.append(cache.get(("k",), slow)))
    first.start()
    assert entered.wait(30)  # the first request is making it now
    others = [threading.Thread(target=lambda: got.append(cache.get(("k",), slow))) for _ in range(8)]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join(30)
    assert got == [b"%PDF"] * 9 and len(calls) == 1


def test_a_failed_pdf_is_not_kept_and_the_next_request_tries_again():
    cache = paper.PdfCache()

    def broken():
        raise RuntimeError("font missing")

    with pytest.raises(RuntimeError):
        cache.get(("k",), broken)
    assert cache.get(("k",), lambda: b"%PDF") == b"%PDF" and len(cache) == 1
