"""Everything a survey file can say, the browser can say (issue 14 §2): thank-you payments and
voucher codes, Easy Read pictures, the plain-language aim, translations side by side, and
statements that let people be quoted. Each setting survives the round trip: the file downloaded
and uploaded again is the same survey.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from test_builder_support import form_of, live
from test_builder_web import BUILD, draft_of, new_survey, send, signed_in, words_on, workspace

from consent_kit.consent.quotes import quote_statements
from consent_kit.studio.builder import check, pictures
from consent_kit.studio.builder.ops import BuilderError
from consent_kit.studio.builder.places import place_words
from consent_kit.studio.builder.starter import starter_parts
from consent_kit.testing import PASSWORD, errors_in, populate


@pytest.fixture
def app(make_app):
    app = make_app()
    accounts = populate(app)
    accounts.create_user("ros", "researcher", PASSWORD)
    return app


def round_trip(app, browser, survey_id: str) -> None:
    """Download the draft, throw it away, upload the file: the draft is the same survey."""
    build = BUILD.format(survey_id)
    before = draft_of(app, survey_id)
    text = browser.get(build + "/download?which=draft").get_data()
    workspace(app).discard_draft(survey_id)
    response = browser.post(build + "/upload", {"survey_file": (io.BytesIO(text), "mine.yaml")},
                            content_type="multipart/form-data")
    assert response.status_code == 302, errors_in(response)
    assert draft_of(app, survey_id) == before


def picture_bytes(kind: str = "PNG", *, exif: bool = False, size=(40, 30)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        data[0x9003] = "2026:01:02 03:04:05"  # DateTimeOriginal
        extra["exif"] = data.tobytes()
    image.save(out, kind, **extra)
    return out.getvalue()


# -- thank-you payments -----------------------------------------------------------------


def test_saving_the_thank_you_page_unchanged_keeps_the_survey_exactly(app):
    rae = signed_in(app, "rae")
    url = BUILD.format("have-your-say") + "/thank-you"
    page = rae.get(url).get_data(as_text=True)
    form = form_of(page)  # tick boxes and radios as the page has them chosen:
    form.pop("while_budget_allows")
    form.update({"offer": "yes", "ways": ["voucher", "contact"], "if_you_stop": "ask"})
    response = rae.post(url, form)
    assert response.status_code == 302, errors_in(response)
    assert draft_of(app, "have-your-say")["incentive"] == live(app)["incentive"]
    assert draft_of(app, "have-your-say") == live(app)  # translations and sample codes kept


def test_a_thank_you_voucher_is_set_up_in_the_browser_with_codes_uploaded(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    url = BUILD.format(survey_id) + "/thank-you"
    codes = (io.BytesIO(b"code\nGIFT-1\nGIFT-2\n"), "codes.csv")
    response = send(rae, url, {"offer": "yes", "reward": "a £5 voucher", "amount": "£5",
                               "ways": ["voucher", "in_person"], "first": "40",
                               "while_budget_allows": "yes", "if_you_stop": "claim",
                               "codes": codes})
    assert response.status_code == 302, errors_in(response)
    assert draft_of(app, survey_id)["incentive"] == {
        "reward": "a £5 voucher", "amount": 5, "ways": ["voucher", "in_person"], "first": 40,
        "while_budget_allows": True, "if_you_stop": "claim"}
    records = app.extensions["consent_kit_incentives"].records
    assert records.voucher_stock(survey_id) == {"left": 2, "given": 0}
    assert "2 codes are left to give out." in words_on(rae.get(url))
    round_trip(app, rae, survey_id)
    tasks = words_on(rae.get(BUILD.format(survey_id)))
    assert "Thank-you payments Done" in " ".join(tasks.split())


def test_a_thank_you_payment_with_mistakes_is_refused_in_the_loaders_words(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    url = BUILD.format(survey_id) + "/thank-you"
    response = send(rae, url, {"offer": "yes", "reward": "a voucher", "amount": "ten",
                               "if_you_stop": "nothing"})
    assert response.status_code == 400
    words = " ".join(errors_in(response))
    assert "'amount' can't be 'ten'" in words and "'ways' is empty" in words
    assert "incentive" not in draft_of(app, survey_id)
    # A voucher file with a mistake: its line and the fix, and nothing is saved or added.
    twice = (io.BytesIO(b"GIFT-1\nGIFT-1\n"), "codes.csv")
    response = send(rae, url, {"offer": "yes", "reward": "a voucher", "amount": "10",
                               "ways": ["voucher"], "codes": twice})
    assert response.status_code == 400
    assert "line 2: the code GIFT-1 is also on line 1" in " ".join(errors_in(response))
    assert "incentive" not in draft_of(app, survey_id)
    records = app.extensions["consent_kit_incentives"].records
    assert records.voucher_stock(survey_id) == {"left": 0, "given": 0}
    send(rae, url, {"offer": "yes", "reward": "a voucher", "amount": "10", "ways": ["contact"]})
    assert send(rae, url, {"offer": "no"}).status_code == 302
    assert "incentive" not in draft_of(app, survey_id)


# -- Easy Read pictures -------------------------------------------------------------------


def test_a_picture_is_re_encoded_without_its_metadata():
    for kind, ending in (("PNG", ".png"), ("JPEG", ".jpg"), ("WEBP", ".webp")):
        clean, found = pictures.reencode(picture_bytes(kind, exif=kind != "PNG"))
        assert found == ending
        with Image.open(io.BytesIO(clean)) as image:
            assert image.format == kind and image.size == (40, 30)
            assert not image.getexif() and "exif" not in image.info
        assert b"SecretCam" not in clean


@pytest.mark.parametrize("data", [b"", b"GIF89a" + b"\0" * 40, b"not a picture at all",
                                  picture_bytes("GIF")])
def test_anything_but_a_png_jpeg_or_webp_picture_is_refused(data):
    with pytest.raises(BuilderError) as refused:
        pictures.reencode(data)
    assert refused.value.field == "easy_read_picture"


def test_a_picture_too_big_is_refused(monkeypatch):
    monkeypatch.setattr(pictures, "MAX_PIXELS", 100)
    with pytest.raises(BuilderError, match="too many pixels"):
        pictures.reencode(picture_bytes())
    monkeypatch.setattr(pictures, "MAX_BYTES", 10)
    with pytest.raises(BuilderError, match="too big"):
        pictures.reencode(picture_bytes())


def test_an_easy_read_picture_is_uploaded_with_alt_text_and_shown_to_participants(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    build = BUILD.format(survey_id)
    send(rae, build + "/pages/new", {"type": "yes_no", "label": "Do you like the club?"})
    url = build + "/questions/" + draft_of(app, survey_id)["pages"][-1]["questions"][0]["id"]
    form = form_of(rae.get(url).get_data(as_text=True))
    form.update({"type": "yes_no", "easy_read": "Do you like it?",
                 "easy_read_picture": (io.BytesIO(picture_bytes("JPEG", exif=True)), "me.jpg")})
    response = rae.post(url, form, content_type="multipart/form-data")
    assert response.status_code == 400  # no alt text
    assert "Say what the picture shows" in " ".join(errors_in(response))
    form.update({"easy_read_alt": "A young person smiling",
                 "easy_read_picture": (io.BytesIO(picture_bytes("JPEG", exif=True)), "me.jpg")})
    response = rae.post(url, form, content_type="multipart/form-data")
    assert response.status_code == 302, errors_in(response)
    easy = draft_of(app, survey_id)["pages"][-1]["questions"][0]["easy_read"]
    assert easy["alt"] == "A young person smiling"
    assert easy["image"].startswith(f"pictures/{survey_id}/") and easy["image"].endswith(".jpg")
    kept = workspace(app).forms / easy["image"]
    assert kept.is_file() and b"SecretCam" not in kept.read_bytes()
    round_trip(app, rae, survey_id)
    # The question's page shows the picture now; only pictures the draft uses are sent.
    shown = rae.get(BUILD.format(survey_id) + "/picture/" + easy["image"])
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    shown.close()  # a file response holds the file open until closed
    assert "/picture/" + easy["image"] in rae.get(url).get_data(as_text=True)
    for other in ("pictures/x.png", "../config.toml", easy["image"].replace(".jpg", ".png")):
        assert rae.get(BUILD.format(survey_id) + "/picture/" + other).status_code == 404
    listed = " ".join(words_on(rae.get(BUILD.format(survey_id) + "/easy-read")).split())
    assert "Do you like the club? Yes Yes Not yet" in listed  # words, picture, no sign language
    assert "Easy Read, pictures and sign language In progress" in " ".join(
        words_on(rae.get(BUILD.format(survey_id))).split())  # the welcome note has none yet
    # Saving the page again without a new file keeps the picture; ticking "take it away" doesn't.
    form = form_of(rae.get(url).get_data(as_text=True))
    form["type"] = "yes_no"
    form.pop("remove_picture")  # not ticked
    assert rae.post(url, form).status_code == 302
    assert draft_of(app, survey_id)["pages"][-1]["questions"][0]["easy_read"]["image"] == easy["image"]
    form = form_of(rae.get(url).get_data(as_text=True))
    form.update({"type": "yes_no", "remove_picture": "yes", "easy_read_alt": ""})
    assert rae.post(url, form).status_code == 302
    assert "image" not in draft_of(app, survey_id)["pages"][-1]["questions"][0]["easy_read"]


# -- the plain-language aim and translations -------------------------------------------------


def test_the_reading_age_to_aim_at_is_set_on_the_details_page(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    url = BUILD.format(survey_id) + "/details"
    form = form_of(rae.get(url).get_data(as_text=True))
    form["reading_age"] = "9"
    assert rae.post(url, form).status_code == 302
    assert draft_of(app, survey_id)["plain_language"] == {"reading_age": 9}
    round_trip(app, rae, survey_id)
    form = form_of(rae.get(url).get_data(as_text=True))
    form["reading_age"] = "40"
    response = rae.post(url, form)
    assert response.status_code == 400 and "between 5 and 25" in " ".join(errors_in(response))
    form = form_of(rae.get(url).get_data(as_text=True))
    form["reading_age"] = ""
    assert rae.post(url, form).status_code == 302
    assert "plain_language" not in draft_of(app, survey_id)


def test_translations_side_by_side_add_a_welsh_label_and_keep_the_others(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    build = BUILD.format(survey_id)
    send(rae, build + "/pages/new", {"type": "yes_no", "label": "Do you like the club?"})
    question_id = draft_of(app, survey_id)["pages"][-1]["questions"][0]["id"]
    page = rae.get(build + "/languages?language=cy").get_data(as_text=True)
    assert "Do you like the club?" in page and "In Cymraeg (Welsh)" in page
    key = next(k for k in form_of(page) if k.endswith(f"{question_id}.label"))
    response = send(rae, build + "/languages", {"language": "cy", key: "Wyt ti'n hoffi'r clwb?"},
                    page=build + "/languages?language=cy")
    assert response.status_code == 302, errors_in(response)
    label = draft_of(app, survey_id)["pages"][-1]["questions"][0]["label"]
    assert label == {"en": "Do you like the club?", "cy": "Wyt ti'n hoffi'r clwb?"}
    round_trip(app, rae, survey_id)
    assert "Languages In progress" in " ".join(words_on(rae.get(build)).split())
    # An empty box takes the Welsh away again; the survey's own words stay.
    send(rae, build + "/languages", {"language": "cy", key: ""}, page=build + "/languages?language=cy")
    assert draft_of(app, survey_id)["pages"][-1]["questions"][0]["label"] == {
        "en": "Do you like the club?"}
    assert rae.get(build + "/languages?language=en").status_code == 400  # its own language


def test_saving_the_translations_page_unchanged_keeps_the_survey_exactly(app):
    rae = signed_in(app, "rae")
    build = BUILD.format("have-your-say")
    page = build + "/languages?language=cy"
    form = {k: v for k, v in form_of(rae.get(page).get_data(as_text=True)).items()
            if k.startswith("t-")}
    response = send(rae, build + "/languages", {"language": "cy", **form}, page=page)
    assert response.status_code == 302, errors_in(response)
    assert draft_of(app, "have-your-say") == live(app)


# -- consent: quotes, all sections at once, advice by name ------------------------------------


def test_a_statement_can_let_people_be_quoted(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    build = BUILD.format(survey_id)
    response = send(rae, build + "/consent/statement/new", {
        "text": "You can use my words in the report, without my name.", "required": "no",
        "allows_quotes": "yes"})
    assert response.status_code == 302, errors_in(response)
    [_, quotes] = draft_of(app, survey_id)["consent"]["statements"]
    assert quotes["allows_quotes"] is True and quotes["required"] is False
    survey = check(draft_of(app, survey_id), app.extensions["consent_kit"].question_types,
                   survey_id)
    assert quote_statements(survey) == {quotes["id"]}
    round_trip(app, rae, survey_id)
    page = rae.get(build + f"/consent/statement/{quotes['id']}").get_data(as_text=True)
    assert 'id="allows_quotes" name="allows_quotes" value="yes" checked' in page


def test_every_section_is_written_on_one_page_and_the_check_page_comes_back(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    build = BUILD.format(survey_id)
    url = build + "/consent/all?next=check"
    form = form_of(rae.get(url).get_data(as_text=True))
    for number in range(4):
        form[f"text-{number}"] = f"Our own words, part {number + 1}."
    form.update({"statement": "You can quote me.", "required": "no", "allows_quotes": "yes"})
    response = rae.post(url, form)
    assert response.status_code == 302 and response.location.endswith(build + "/publish")
    consent = draft_of(app, survey_id)["consent"]
    assert [s["text"] for s in consent["information"]] == [
        f"Our own words, part {n}." for n in range(1, 5)]
    assert consent["statements"][-1]["allows_quotes"] is True
    assert "still has the starting words" not in words_on(rae.get(build + "/publish"))


def test_advice_names_a_consent_section_by_its_heading_not_its_id():
    definition = {"language": "en", "pages": [{"id": "p1", "questions": [
        {"id": "q1", "type": "yes_no", "label": "Do you like the club?"}]}], **starter_parts()}
    assert place_words(definition, "consent section 'asked', text") == (
        "The section ‘What will I be asked?’, words")
    assert place_words(definition, "question 'q1', help") == (
        "The question ‘Do you like the club?’, help")
    assert place_words(definition, "consent section 'gone', text") == (
        "consent section 'gone', text")
    assert place_words(definition, "survey, title") == "survey, title"


def test_the_starter_consent_words_get_no_reading_age_advice(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    words = words_on(rae.get(BUILD.format(survey_id)))
    assert "Reading age" not in words and "'asked'" not in words


def test_a_section_of_what_people_read_gets_an_easy_read_picture_too(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    url = BUILD.format(survey_id) + "/consent/section/what"
    form = form_of(rae.get(url).get_data(as_text=True))
    form.pop("remove_picture", None)
    form.update({"easy_read": "We are young people who ask young people.",
                 "easy_read_alt": "Four young people around a table",
                 "easy_read_picture": (io.BytesIO(picture_bytes("WEBP")), "us.webp")})
    response = rae.post(url, form, content_type="multipart/form-data")
    assert response.status_code == 302, errors_in(response)
    [what] = [s for s in draft_of(app, survey_id)["consent"]["information"] if s["id"] == "what"]
    assert what["easy_read"]["image"].startswith(f"pictures/{survey_id}/section-what-")
    assert what["easy_read"]["image"].endswith(".webp")
    round_trip(app, rae, survey_id)


def test_advice_on_the_check_page_and_the_outline_names_sections_by_their_headings(app):
    rae = signed_in(app, "rae")
    survey_id = new_survey(rae)
    build = BUILD.format(survey_id)
    form = form_of(rae.get(build + "/consent/all").get_data(as_text=True))
    form["text-1"] = ("Throughout the considerable duration of this particular investigation, "
                      "participants will encounter numerous questions concerning their "
                      "experiences, perceptions and recommendations regarding organisational "
                      "provision, accessibility arrangements and institutional responsiveness.")
    assert rae.post(build + "/consent/all", form).status_code == 302
    for page in (build, build + "/publish"):
        words = " ".join(words_on(rae.get(page)).split())
        assert "The section ‘What will I be asked?’, words: Reading age" in words
        assert "'asked'" not in words
