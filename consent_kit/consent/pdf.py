"""The participant's copy of what they agreed to, as a PDF made on this computer (fpdf2).

No outside service sees it. The statements are real text in the PDF, so a
screen reader (or a test) can read them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from fpdf import FPDF

from consent_kit.paths import PACKAGE

FONTS = PACKAGE / "fonts"


@dataclass(frozen=True)
class CopyContent:
    """Everything the copy shows, already in the participant's language."""

    survey_title: str
    given_at: str
    reference: str
    withdraw_url: str
    agreed: list[str]
    declined: list[str]
    sections: list[tuple[str, str]]  # (heading, safe HTML)
    labels: dict[str, str]
    direction: str = "ltr"  # "rtl" for Arabic, Urdu, ...: lines start at the right


def _plain(fragment: str) -> str:
    """Safe HTML from the information sections as plain lines of text."""
    text = re.sub(r"</(p|h\d|li|blockquote)>|<br\s*/?>", "\n", fragment)
    text = re.sub(r"<li>", "• ", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def consent_copy_pdf(content: CopyContent) -> bytes:
    """Return the PDF bytes of a participant's consent copy."""
    pdf = FPDF(format="A4")
    pdf.set_title(content.labels["title"])
    pdf.set_creator("consent-kit")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(20, 20, 20)
    # Shaping (HarfBuzz) joins Arabic letters and puts right-to-left text in reading order;
    # without it an Arabic copy comes out as separate letters, backwards.
    pdf.set_text_shaping(True)
    align = "R" if content.direction == "rtl" else "L"
    pdf.add_page()
    _heading(pdf, content.labels["title"], align, size=18)
    _paragraph(pdf, content.survey_title, align, bold=True)
    _paragraph(pdf, f"{content.labels['given_at']}: {content.given_at}", align)
    _paragraph(pdf, f"{content.labels['reference']}: {content.reference}", align, bold=True)
    if content.agreed:
        _heading(pdf, content.labels["agreed"], align)
        for statement in content.agreed:
            _paragraph(pdf, f"✓ {statement}", align)
    if content.declined:
        _heading(pdf, content.labels["declined"], align)
        for statement in content.declined:
            _paragraph(pdf, f"✗ {statement}", align)
    _heading(pdf, content.labels["withdraw_heading"], align)
    _paragraph(pdf, content.labels["withdraw_text"], align)
    _paragraph(pdf, content.withdraw_url, "L")  # a web address reads left to right everywhere
    for heading, fragment in content.sections:
        _heading(pdf, heading, align, size=12)
        _paragraph(pdf, _plain(fragment), align)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str, align: str, size: int = 14) -> None:
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT", align=align)
    pdf.ln(1)


def _paragraph(pdf: FPDF, text: str, align: str, *, bold: bool = False) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT", align=align)
    pdf.ln(1)
