"""Easy Read pictures on a project's own findings page: kept, shown, replaced and removed as on a survey."""

from __future__ import annotations

import io
import re

import test_findings
from test_findings import EDIT, signed_in, store, text_of
from test_findings_formats import noisy_png, photo
from test_findings_project import OWN, PROJECT, approve_and_publish

from consent_kit.findings import pictures
from consent_kit.testing import Participant

app = test_findings.app  # the club survey in project alpha (a fixture, found by this name)


def own_book(app) -> dict:
    return store(app).documents("findings_projects").get(project_id="alpha")


def folder(app):
    return pictures.project_folder(app.instance_path, "alpha")


def kept_files(app) -> list[str]:
    return sorted(p.name for p in folder(app).glob("*.jpg")) if folder(app).exists() else []


def with_picture(browser, **form):
    """A part of the project's own words, posted with a picture (as the studio's form sends it)."""
    return browser.post(OWN, {"action": "section", "heading": "About the project",
                              "text": "We are a youth club.", "easy_read": "We are young people.",
                              "picture_alt": "Young people playing pool",
                              "picture": (io.BytesIO(photo()), "pool.jpg"), **form},
                        content_type="multipart/form-data")


def test_a_picture_on_the_projects_own_words_is_shown_in_easy_read_with_its_words(app):
    rae = signed_in(app, "rae")
    edit = text_of(rae.get(OWN))
    assert 'enctype="multipart/form-data"' in edit and 'name="picture"' in edit
    assert with_picture(rae).status_code == 302
    [item] = own_book(app)["items"]
    name = item["picture"]["name"]
    assert name.startswith(item["id"]) and item["picture"]["width"] == 240
    assert kept_files(app) == [name]
    assert folder(app).name == "project_alpha"  # never a survey's folder: survey ids have no "_"
    # The studio shows it before it is published, to the project's researchers only.
    studio_picture = f"{OWN}/pictures/{name}"
    assert f'src="{studio_picture}"' in text_of(rae.get(OWN))
    got = rae.get(studio_picture)
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    got.close()
    assert Participant(app.test_client()).get(studio_picture).status_code in (302, 401, 403)
    assert signed_in(app, "vic").get(studio_picture).status_code == 403
    assert signed_in(app, "ola").get(studio_picture).status_code == 404
    approve_and_publish(app)
    person = Participant(app.test_client())
    full = text_of(person.get(PROJECT))
    assert "<img" not in full  # only the Easy Read version has pictures
    easy = text_of(person.get(f"{PROJECT}?format=easy"))
    # Inside the page, beside its Easy Read words, as on a survey's page: no request more.
    assert re.search(r'<img src="data:image/jpeg;base64,[A-Za-z0-9+/=]+" '
                     r'alt="Young people playing pool" width="240" height="160"></p>\s*'
                     r'<p>We are young people.</p>', easy)


def test_a_file_that_is_not_a_picture_or_too_big_is_refused_plainly_and_nothing_is_lost(
        app, monkeypatch):
    rae = signed_in(app, "rae")
    assert with_picture(rae).status_code == 302
    [item] = own_book(app)["items"]
    before = dict(item)
    refused = rae.post(OWN, {"action": "section", "item_id": item["id"], "heading": "Changed",
                             "text": "Changed words.",
                             "picture": (io.BytesIO(b"%PDF-1.4"), "notes.pdf")},
                       content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "This file isn't a picture we can use. Choose a JPEG or PNG picture." in text_of(refused)
    assert own_book(app)["items"] == [before] and kept_files(app) == [before["picture"]["name"]]
    monkeypatch.setattr(pictures, "MAX_BYTES", 1000)
    too_big = with_picture(rae, heading="A new part", text="Typed words kept.")
    assert too_big.status_code == 400
    page = text_of(too_big)
    assert "The picture is too big. Choose one under 5 MB." in page
    assert "Typed words kept." in page  # what was typed is still in the box
    assert own_book(app)["items"] == [before] and kept_files(app) == [before["picture"]["name"]]
    # A part that isn't saved keeps no picture.
    monkeypatch.setattr(pictures, "MAX_BYTES", 5 * 1024 * 1024)
    assert with_picture(rae, heading="").status_code == 400
    assert kept_files(app) == [before["picture"]["name"]]


def test_a_picture_is_deleted_when_its_part_or_the_picture_is_removed_or_replaced(app):
    rae = signed_in(app, "rae")
    with_picture(rae)
    [item] = own_book(app)["items"]
    first = item["picture"]["name"]
    # Replaced: the new one is kept, the old one goes.
    assert with_picture(rae, item_id=item["id"]).status_code == 302
    second = own_book(app)["items"][0]["picture"]["name"]
    assert second != first and kept_files(app) == [second]
    # "Remove the picture": the part stays, its picture goes.
    assert rae.post(OWN, {"action": "section", "item_id": item["id"], "heading": "About",
                          "text": "We are a youth club.", "remove_picture": "1"}).status_code == 302
    assert "picture" not in own_book(app)["items"][0] and kept_files(app) == []
    # A removed part takes its picture with it.
    with_picture(rae, item_id=item["id"])
    assert len(kept_files(app)) == 1
    assert rae.post(OWN, {"action": "remove", "item_id": item["id"]}).status_code == 302
    assert own_book(app)["items"] == [] and kept_files(app) == []


def test_a_published_picture_stays_until_a_newer_version_is_published(app):
    rae = signed_in(app, "rae")
    with_picture(rae)
    [item] = own_book(app)["items"]
    name = item["picture"]["name"]
    approve_and_publish(app)
    rae.post(OWN, {"action": "remove", "item_id": item["id"]})
    assert kept_files(app) == [name]  # people still see the published page, with its picture
    assert "data:image/jpeg" in text_of(Participant(app.test_client()).get(f"{PROJECT}?format=easy"))
    rae.post(OWN, {"action": "section", "heading": "Other words", "text": "Something new."})
    approve_and_publish(app)
    assert kept_files(app) == []


def test_a_form_cannot_name_a_picture_it_did_not_upload(app):
    rae = signed_in(app, "rae")
    forged = rae.post(OWN, {"action": "section", "heading": "About", "text": "Words.",
                            "picture_name": "deadbeef-000000000000.jpg", "picture_width": "x"})
    assert forged.status_code == 302
    assert "picture" not in own_book(app)["items"][0]
    bad_id = rae.post(OWN, {"action": "section", "item_id": "../../x", "heading": "About",
                            "text": "Words.", "picture": (io.BytesIO(photo()), "pool.jpg")},
                      content_type="multipart/form-data")
    assert bad_id.status_code == 400 and not list(folder(app).parent.rglob("x-*"))


def test_viewers_and_other_projects_cannot_add_pictures(app):
    vic, ola = signed_in(app, "vic"), signed_in(app, "ola")
    assert with_picture(vic).status_code == 403
    assert with_picture(ola).status_code == 404
    assert own_book(app) is None and kept_files(app) == []


def test_an_easy_read_project_page_with_the_heaviest_picture_stays_under_30_kb(app):
    rae = signed_in(app, "rae")
    assert with_picture(rae, picture=(io.BytesIO(noisy_png((340, 340))), "noise.png")).status_code == 302
    approve_and_publish(app)
    easy = Participant(app.test_client()).get(f"{PROJECT}?format=easy").get_data()
    assert b"data:image/jpeg;base64," in easy
    assert own_book(app)["items"][0]["picture"]["bytes"] > 4000  # detail everywhere: heavy
    assert len(easy) <= 30 * 1024, len(easy)


def test_a_survey_pages_picture_is_deleted_too_when_its_part_is_removed(app):
    """The survey's editor shares the same steps (picture_forms), so it tidies up the same way."""
    rae = signed_in(app, "rae")
    rae.post(EDIT, {"action": "section", "heading": "Found", "text": "Fun.", "picture_alt": "Pool",
                    "picture": (io.BytesIO(photo()), "pool.jpg")}, content_type="multipart/form-data")
    [item] = store(app).documents("findings").get(survey_id="club")["items"]
    survey_folder = pictures.folder(app.instance_path, "club")
    assert [p.name for p in survey_folder.glob("*.jpg")] == [item["picture"]["name"]]
    assert rae.post(EDIT, {"action": "remove", "item_id": item["id"]}).status_code == 302
    assert list(survey_folder.glob("*.jpg")) == [] and kept_files(app) == []
