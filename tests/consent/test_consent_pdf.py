"""The consent copy as a PDF: tagged (PDF/UA-1), real text, in reading order, in every script we ship."""

from __future__ import annotations

import io

import pypdf
import pytest

from consent_kit.consent.pdf import CopyContent, _font_fetcher, consent_copy_pdf

LABELS = {"title": "ما وافقت عليه", "given_at": "متى", "reference": "رقمك المرجعي",
          "agreed": "قلت نعم لـ", "declined": "قلت لا لـ", "withdraw_heading": "تغيير رأيك",
          "withdraw_text": "يمكنك تغيير رأيك في أي وقت."}
AGREED = "أريد المشاركة في هذا الاستبيان"


def _words(content: CopyContent) -> str:
    pdf = pypdf.PdfReader(io.BytesIO(consent_copy_pdf(content)))
    return "\n".join(page.extract_text() for page in pdf.pages)


def _copy(direction: str) -> CopyContent:
    return CopyContent(survey_title="استبيان النادي", given_at="7 مارس 2026", reference="K7P-2QX",
                       withdraw_url="http://127.0.0.1:5000/change-your-mind/", agreed=[AGREED],
                       declined=[], sections=[("من نحن", "<p>نحن باحثون شباب.</p>")], labels=LABELS,
                       direction=direction, language="ar" if direction == "rtl" else "en")


def test_arabic_copy_reads_in_order_with_joined_letters():
    words = _words(_copy("rtl"))
    # Without shaping, the same line comes out letter by letter, backwards.
    assert AGREED in words and AGREED[::-1] not in words
    assert "نحن باحثون شباب." in words
    assert "K7P-2QX" in words and "http://127.0.0.1:5000/change-your-mind/" in words


def test_right_to_left_lines_start_at_the_right():
    rtl = pypdf.PdfReader(io.BytesIO(consent_copy_pdf(_copy("rtl")))).pages[0]
    ltr = pypdf.PdfReader(io.BytesIO(consent_copy_pdf(_copy("ltr")))).pages[0]
    starts: dict[str, list[float]] = {"rtl": [], "ltr": []}

    def visitor(found):
        return lambda text, cm, tm, font, size: found.append(tm[4]) if AGREED in text else None

    rtl.extract_text(visitor_text=visitor(starts["rtl"]))
    ltr.extract_text(visitor_text=visitor(starts["ltr"]))
    assert starts["rtl"] and starts["ltr"]
    assert min(starts["rtl"]) > min(starts["ltr"]) + 50  # points: pushed towards the right margin


def _tags(element, found: list[str]) -> list[str]:
    """Every structure type under ``element`` of the PDF's structure tree, in document order."""
    element = element.get_object()
    if isinstance(element, pypdf.generic.ArrayObject):
        for child in element:
            _tags(child, found)
    elif isinstance(element, pypdf.generic.DictionaryObject):
        if "/S" in element:
            found.append(str(element["/S"]))
        if "/K" in element:
            _tags(element["/K"], found)
    return found


def _english() -> CopyContent:
    labels = {"title": "What you agreed to", "given_at": "When", "reference": "Your reference",
              "agreed": "You said yes to", "declined": "You said no to",
              "withdraw_heading": "Changing your mind",
              "withdraw_text": "You can change your mind at any time."}
    return CopyContent(survey_title="Youth club survey", given_at="7 March 2026", reference="K7P-2QX",
                       withdraw_url="http://127.0.0.1:5000/change-your-mind/",
                       agreed=["I want to take part", "You can quote me"], declined=["Call me later"],
                       sections=[("Who we are", "<p>We are young researchers.</p><ul><li>One</li></ul>")],
                       labels=labels, language="en")


COPIES = [(_english(), "en"), (_copy("rtl"), "ar")]


def _read(content) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(consent_copy_pdf(content)))


@pytest.mark.parametrize("content, lang", COPIES)
def test_the_copy_is_a_tagged_pdf_a_screen_reader_can_follow(content, lang):
    pdf = _read(content)
    root = pdf.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == pypdf.generic.BooleanObject(True)
    assert root["/Lang"] == lang
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]  # the title, not the file name, is read out
    assert pdf.metadata.title == content.labels["title"]
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()  # says it follows PDF/UA-1


@pytest.mark.parametrize("content, lang", COPIES)
def test_the_copys_headings_and_lists_are_tagged(content, lang):
    pdf = _read(content)
    tags = _tags(pdf.trailer["/Root"]["/StructTreeRoot"], [])
    assert tags.count("/H1") == 1 and tags.count("/H3") == 1
    assert tags.count("/H2") == (3 if content.declined else 2)
    assert tags.count("/P") >= 5
    # Each statement is a list item of a list, as on the copy page.
    statements = len(content.agreed) + len(content.declined)
    assert tags.count("/L") >= (2 if content.declined else 1) and tags.count("/LI") >= statements
    assert all(page.get("/StructParents") is not None for page in pdf.pages)


@pytest.mark.parametrize("content, lang", COPIES)
def test_the_copy_uses_only_its_own_font(content, lang):
    pdf = _read(content)
    fonts = {str(font.get_object()["/BaseFont"]) for page in pdf.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("CopyFont" in name for name in fonts)  # ours, with Arabic: never a fallback


def test_words_from_a_survey_cannot_make_the_server_fetch_anything():
    for url in ("http://127.0.0.1:1/x.png", "file:///etc/passwd", "data:image/png;base64,AA=="):
        with pytest.raises(Exception, match="not fetched"):
            _font_fetcher().fetch(url)
    content = _english()
    pictures = '<p><img src="file:///etc/passwd" alt="x"><img src="http://127.0.0.1:1/a.png" alt="y"></p>'
    risky = CopyContent(**{**content.__dict__, "sections": [("Pictures", pictures)]})
    assert consent_copy_pdf(risky).startswith(b"%PDF")


def test_every_word_is_escaped():
    content = _english()
    sneaky = CopyContent(**{**content.__dict__, "agreed": ["<b>bold</b> & <script>x</script>"]})
    pdf = pypdf.PdfReader(io.BytesIO(consent_copy_pdf(sneaky)))
    words = "\n".join(page.extract_text() for page in pdf.pages)
    assert "<b>bold</b> & <script>x</script>" in words


def test_the_copy_says_the_language_of_the_page_it_was_asked_from():
    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "cy")
    content = CopyContent(**{**_english().__dict__, "language": ""})
    with app.test_request_context("/"):
        pdf = pypdf.PdfReader(io.BytesIO(consent_copy_pdf(content)))
    assert pdf.trailer["/Root"]["/Lang"] == "cy"
    outside = pypdf.PdfReader(io.BytesIO(consent_copy_pdf(content)))
    assert outside.trailer["/Root"]["/Lang"] == "en"
