"""Findings in every format people choose: word advice while writing, Easy Read with a picture,
translations side by side (Welsh and Arabic), a PDF to print and large print."""

from __future__ import annotations

import io
import pathlib
import random
import re

import pypdf
import pytest
import test_findings
from PIL import Image
from test_findings import EDIT, PUBLIC, add, publish, signed_in, store, text_of

from consent_kit.findings import pictures
from consent_kit.findings.render import easy_lines, translated
from consent_kit.testing import Participant

# The findings tests' survey and people (fixtures are found by these names).
app = test_findings.app
template = test_findings.template
answered = test_findings.answered

HARD = ("Notwithstanding the aforementioned considerations, the organisational infrastructure "
        "necessitated comprehensive reconfiguration of institutional accountability mechanisms "
        "throughout the commissioning arrangements.")


def book_of(app) -> dict:
    return store(app).documents("findings").get(survey_id="club")


def section_id(app) -> str:
    return next(i["id"] for i in book_of(app)["items"] if i["kind"] == "section")


def photo(size=(1200, 800)) -> bytes:
    """A camera-sized JPEG that says where it was taken (EXIF), as phones write them."""
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    Image.new("RGB", size, (200, 40, 40)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


# -- advice on the words while writing ---------------------------------------------------------


def test_check_the_words_gives_advice_without_saving(app):
    rae = signed_in(app, "rae")
    page = rae.post(EDIT, {"action": "check", "heading": "What we found", "text": HARD})
    text = text_of(page)
    assert page.status_code == 200 and "Advice on the words" in text and "Reading age about" in text
    assert HARD in text  # what was typed stays in the box
    assert book_of(app) is None or book_of(app)["items"] == []  # nothing saved
    easy = rae.post(EDIT, {"action": "check", "heading": "What we found",
                           "text": "You like the club. It is fun."})
    assert "No advice on these words" in text_of(easy)


def test_saved_parts_show_their_advice_and_glossary_words(app):
    rae = signed_in(app, "rae")
    add(rae, action="section", heading="Looked after children", text=HARD)
    text = text_of(rae.get(EDIT))
    assert "Advice on the words" in text and "Reading age about" in text


# -- Easy Read, with a picture -----------------------------------------------------------------


def test_easy_lines_are_one_sentence_a_line():
    assert easy_lines("We asked you.\n\n  You told us.  \n") == ["We asked you.", "You told us."]


def noisy_png(size=(900, 900)) -> bytes:
    """A picture with detail everywhere (the hardest to make small), with a see-through corner."""
    image = Image.frombytes("RGBA", size, random.Random(7).randbytes(size[0] * size[1] * 4))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_picture_is_made_small_and_loses_camera_details(tmp_path):
    kept = pictures.save(photo(), tmp_path, "ab12cd34")
    assert (kept["width"], kept["height"]) == (240, 160)
    with Image.open(tmp_path / kept["name"]) as image:
        assert image.format == "JPEG" and not image.getexif()
    noisy = pictures.save(noisy_png(), tmp_path, "ab12cd34")
    assert (tmp_path / noisy["name"]).stat().st_size == noisy["bytes"] <= pictures.MOST_BYTES
    assert pictures.data_uri(tmp_path, noisy["name"]).startswith("data:image/jpeg;base64,")
    with pytest.raises(pictures.PictureError):
        pictures.save(b"not a picture", tmp_path, "ab12cd34")
    assert pictures.path_of(tmp_path, "../../etc/passwd") is None
    assert pictures.path_of(tmp_path, kept["name"]) == tmp_path / kept["name"]


def test_easy_read_with_a_picture_for_people_who_choose_it(app):
    rae = signed_in(app, "rae")
    rae.get(EDIT)
    answer = rae.post(EDIT, {"action": "section", "heading": "What we found",
                             "text": "Most of you **like** the club.",
                             "easy_read": "You like the club.\nWe will keep it open.",
                             "picture_alt": "Young people playing pool",
                             "picture": (io.BytesIO(photo()), "pool.jpg")},
                      content_type="multipart/form-data")
    assert answer.status_code == 302
    item = book_of(app)["items"][0]
    assert item["easy_read"] == "You like the club.\nWe will keep it open."
    assert item["picture"]["name"].startswith(item["id"]) and item["picture"]["width"] == 240
    person = Participant(app.test_client())
    studio_picture = f"{EDIT}/pictures/{item['picture']['name']}"
    got = rae.get(studio_picture)
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    got.close()
    assert person.get(studio_picture).status_code in (302, 401, 403)  # researchers only
    publish(app, rae)
    plain = text_of(person.get(PUBLIC))
    assert "Most of you <strong>like</strong> the club." in plain and "You like the club." not in plain
    assert "Easy Read version" in plain
    easy = text_of(person.get(f"{PUBLIC}?format=easy"))
    assert "<p>You like the club.</p>\n<p>We will keep it open.</p>" in easy
    # In the page itself: an Easy Read page costs no more requests than another page.
    assert re.search(r'<img src="data:image/jpeg;base64,[A-Za-z0-9+/=]+" '
                     r'alt="Young people playing pool" width="240" height="160">', easy)
    assert "Read the full version" in easy


def test_the_studio_says_when_pictures_make_the_page_heavy():
    light = [{"picture": {"bytes": 3000}}, {"picture": {"bytes": 3000}}, {"kind": "chart"}]
    assert not pictures.heavy(light)
    assert pictures.heavy(light + [{"picture": {"bytes": 8000}}, {"picture": {"bytes": 8000}}])


def test_a_file_that_is_not_a_picture_is_refused_plainly(app):
    rae = signed_in(app, "rae")
    rae.get(EDIT)
    answer = rae.post(EDIT, {"action": "section", "heading": "What we found", "text": "Fun.",
                             "picture": (io.BytesIO(b"%PDF-1.4"), "notes.pdf")},
                      content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "This file isn't a picture we can use" in text_of(answer)
    assert book_of(app) is None or book_of(app)["items"] == []
    kept = app.instance_path + "/findings-pictures/club"
    no_text = rae.post(EDIT, {"action": "section", "heading": "What we found", "text": "",
                              "picture": (io.BytesIO(photo()), "pool.jpg")},
                       content_type="multipart/form-data")
    assert no_text.status_code == 400  # the part isn't saved, so neither is its picture
    assert list(pathlib.Path(kept).glob("*.jpg")) == []


# -- translations side by side -----------------------------------------------------------------


def test_translated_words_need_a_heading_and_a_text():
    item = {"heading": "Found", "text": "Fun.", "easy_read": "Fun.",
            "translations": {"cy": {"heading": "Canfod", "text": "Hwyl.", "easy_read": ""},
                             "ar": {"heading": "وجدنا", "text": ""}}}
    assert translated(item, "cy") == ({"heading": "Canfod", "text": "Hwyl.", "easy_read": "Fun."},
                                      True)
    assert translated(item, "ar")[1] is False and translated(item, "")[1] is False


def translate(app, rae, lang: str, heading: str, text: str):
    item_id = section_id(app)
    rae.get(f"{EDIT}/translate/{lang}")
    return rae.post(f"{EDIT}/translate/{lang}", {f"heading-{item_id}": heading,
                                                 f"text-{item_id}": text,
                                                 f"easy_read-{item_id}": ""})


def test_the_translation_form_is_side_by_side_and_only_for_the_surveys_languages(app):
    rae = signed_in(app, "rae")
    add(rae, action="section", heading="What we found", text="The club is fun.")
    edit = text_of(rae.get(EDIT))
    assert f'href="{EDIT}/translate/cy"' in edit and f'href="{EDIT}/translate/ar"' in edit
    page = rae.get(f"{EDIT}/translate/ar")
    text = text_of(page)
    assert page.status_code == 200 and "<th scope=\"col\">As written</th>" in text
    assert re.search(r'<textarea id="text-\w+" name="text-\w+" rows="4" lang="ar" dir="rtl">', text)
    assert rae.get(f"{EDIT}/translate/fr").status_code == 404
    assert rae.get(f"{EDIT}/translate/en").status_code == 404  # the survey's own language


@pytest.mark.parametrize("lang, direction, heading, text", [
    ("cy", "ltr", "Beth wnaethon ni ei ddarganfod", "Mae'r clwb yn hwyl."),
    ("ar", "rtl", "ما وجدناه", "النادي ممتع."),
])
def test_welsh_and_arabic_readers_see_the_researchers_translation(answered, lang, direction,
                                                                  heading, text):
    app, _ = answered
    rae = signed_in(app, "rae")
    add(rae, action="section", heading="What we found", text="The club is fun.")
    assert translate(app, rae, lang, heading, text).status_code == 302
    assert book_of(app)["changed_by"] == "rae"  # a change: it needs approving again
    publish(app, rae)
    page = text_of(Participant(app.test_client()).get(f"{PUBLIC}?lang={lang}"))
    assert f'<html lang="{lang}" dir="{direction}">' in page
    assert heading in page and text in page and "The club is fun." not in page
    english = text_of(Participant(app.test_client()).get(f"{PUBLIC}?lang=en"))
    assert "The club is fun." in english and heading not in english


def test_an_untranslated_part_says_which_language_it_is_in(answered):
    app, _ = answered
    rae = signed_in(app, "rae")
    add(rae, action="section", heading="What we found", text="The club is fun.")
    publish(app, rae)
    page = text_of(Participant(app.test_client()).get(f"{PUBLIC}?lang=ar"))
    assert re.search(r'<section aria-labelledby="s-\w+" lang="en" dir="ltr">', page)


# -- print, PDF and large print ----------------------------------------------------------------


def test_the_findings_as_a_pdf_and_in_large_print(answered):
    app, _ = answered
    rae = signed_in(app, "rae")
    person = Participant(app.test_client())
    assert person.get(f"{PUBLIC}/findings.pdf").status_code == 404  # nothing published
    add(rae, action="section", heading="What we found", text="The club is fun.")
    add(rae, action="counts", question_id="fun", kind="chart")
    publish(app, rae)
    page = text_of(person.get(PUBLIC))
    assert f'href="{PUBLIC}/findings.pdf"' in page and f'href="{PUBLIC}/findings.pdf?size=large"' in page
    normal, large = person.get(f"{PUBLIC}/findings.pdf"), person.get(f"{PUBLIC}/findings.pdf?size=large")
    for answer in (normal, large):
        assert answer.mimetype == "application/pdf"
        pdf = pypdf.PdfReader(io.BytesIO(answer.get_data()))
        root = pdf.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/Lang"] == "en"  # tagged, says its language
        words = " ".join(page.extract_text() for page in pdf.pages)
        assert "What we found" in words and "The club is fun." in words
        assert "Is the club fun?" in words and "http://localhost/f/club" in words
    assert 'filename="club-findings-large-print.pdf"' in large.headers["Content-Disposition"]
    assert min(text_sizes(large.get_data())) >= 1.4 * min(text_sizes(normal.get_data()))


def text_sizes(data: bytes) -> set[float]:
    """The sizes of the letters in a PDF, as drawn."""
    found: set[float] = set()

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.add(size * tm[0])

    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    return found


def test_the_pdf_in_arabic_is_right_to_left():
    from consent_kit.findings.pdf import findings_html

    html = findings_html(survey_title="النادي", shown=[], said_did=[], labels={
        "title": "ما وجدناه", "online": "اقرأ"}, address="http://localhost/f/club", lang="ar",
        direction="rtl", large=True)
    assert '<html lang="ar" dir="rtl">' in html and "font-size: 16pt" in html
    assert '<p class="address" dir="ltr">http://localhost/f/club</p>' in html


def test_the_easy_read_pdf_has_the_pictures_with_their_words(app):
    rae = signed_in(app, "rae")
    rae.get(EDIT)
    rae.post(EDIT, {"action": "section", "heading": "What we found", "text": "Most of you like the club.",
                    "easy_read": "You like the club.", "picture_alt": "Young people playing pool",
                    "picture": (io.BytesIO(photo()), "pool.jpg")}, content_type="multipart/form-data")
    publish(app, rae)
    person = Participant(app.test_client())
    for size in ("", "&size=large"):
        easy = pypdf.PdfReader(io.BytesIO(person.get(f"{PUBLIC}/findings.pdf?format=easy{size}").data))
        [picture] = [image for page in easy.pages for image in page.images]
        assert picture.image.size == (240, 160)
        assert "Young people playing pool" in str(pypdf_alts(easy))  # tagged with its words
        assert "You like the club." in easy.pages[0].extract_text()
    full = pypdf.PdfReader(io.BytesIO(person.get(f"{PUBLIC}/findings.pdf").data))
    assert [image for page in full.pages for image in page.images] == []


def pypdf_alts(pdf) -> list[str]:
    """Every /Alt text in a PDF's structure tree."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.DictionaryObject):
            if "/Alt" in node:
                found.append(str(node["/Alt"]))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
                walk(kid)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(pdf.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_the_pdf_draws_no_picture_it_was_not_given():
    from consent_kit.findings.pdf import _fetcher

    ours = "data:image/jpeg;base64," + "A" * 8
    fetcher = _fetcher({ours, "data:text/html;base64,PGI+"})
    with pytest.raises(Exception, match="not fetched"):
        fetcher.fetch("data:image/jpeg;base64,QUJD")
    with pytest.raises(Exception, match="not fetched"):
        fetcher.fetch("data:text/html;base64,PGI+")  # only JPEG pictures, even when offered
    with pytest.raises(Exception, match="not fetched"):
        fetcher.fetch("file:///etc/passwd")


def test_a_picture_sent_with_a_part_that_is_not_saved_is_not_kept(app):
    rae = signed_in(app, "rae")
    rae.get(EDIT)
    refused = rae.post(EDIT, {"action": "section", "heading": "", "text": "No heading.",
                              "picture_alt": "A pool table", "picture": (io.BytesIO(photo()), "pool.jpg")},
                       content_type="multipart/form-data")
    assert refused.status_code == 400
    folder = pictures.folder(app.instance_path, "club")
    assert not folder.exists() or list(folder.iterdir()) == []
