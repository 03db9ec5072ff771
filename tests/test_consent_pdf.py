"""The consent copy as a PDF: real text, in reading order, in every script we ship."""

from __future__ import annotations

import io

import pypdf

from consent_kit.consent.pdf import CopyContent, consent_copy_pdf

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
                       direction=direction)


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
