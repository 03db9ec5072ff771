"""What a poster or flyer says, and the same sheet as a PDF (fpdf2, made on this computer).

No Flask here: the words arrive already in the poster's language. The QR code
is drawn as vector squares at its exact printed size, so it stays sharp at
any printer resolution, with its quiet zone left empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from consent_kit import FONTS

from .qr import QUIET_ZONE, PrintSize, matrix

if TYPE_CHECKING:
    from fpdf import FPDF

#: consent-kit ships DejaVu fonts, which cover the letters of most European languages.
#: Paper in mm, given as numbers: fpdf2 warns about its own A5 name since it corrected it (2.8.5).
_LAYOUT = {"A4": {"paper": (210, 297), "margin": 18, "title": 30, "text": 16, "small": 10},
           "A5": {"paper": (148, 210), "margin": 12, "title": 20, "text": 12, "small": 8}}


@dataclass(frozen=True)
class Poster:
    """Everything on one sheet, already in the poster's language."""

    title: str
    invitation: str
    time_line: str
    incentive: str
    url: str
    scan_words: str
    contact: str
    size_note: str
    size: PrintSize


def incentive_text(incentive) -> str:
    """What people get for taking part, in the researchers' plain words, or "" when there is none.

    Only words written for people are shown: a string, or a survey file's
    ``incentive:`` with its ``reward`` (or a ``description``). Amounts, budgets
    and vouchers stay in the studio.
    """
    if isinstance(incentive, str):
        return incentive.strip()
    if isinstance(incentive, dict):
        words = incentive.get("reward") or incentive.get("description")
        return words.strip() if isinstance(words, str) else ""
    return ""


def poster_pdf(poster: Poster) -> bytes:
    """The poster or flyer as a one-page PDF of its paper size."""
    layout = _LAYOUT[poster.size.paper]
    from fpdf import FPDF  # fpdf loads in a second: only when a poster is made

    pdf = FPDF(format=layout["paper"])
    pdf.set_title(poster.title)
    pdf.set_creator("consent-kit")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(True)  # joined letters and reading order for Arabic survey titles
    pdf.set_margins(layout["margin"], layout["margin"], layout["margin"])
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _text(pdf, poster.title, layout["title"], bold=True)
    _text(pdf, poster.invitation, layout["text"])
    if poster.time_line:
        _text(pdf, poster.time_line, layout["text"])
    if poster.incentive:
        _text(pdf, poster.incentive, layout["text"], bold=True)
    _qr(pdf, poster.url, poster.size)
    _text(pdf, poster.scan_words, layout["text"], align="C")
    _text(pdf, poster.url, layout["text"], bold=True, align="C")
    if poster.contact:
        _text(pdf, poster.contact, layout["text"], align="C")
    pdf.set_y(pdf.h - layout["margin"] - layout["small"] * 0.5)
    _text(pdf, poster.size_note, layout["small"], align="C")
    return bytes(pdf.output())


def _text(pdf: FPDF, text: str, size: float, *, bold: bool = False, align: str = "L") -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.45, text, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(size * 0.2)


def _qr(pdf: FPDF, url: str, size: PrintSize) -> None:
    """Draw the code ``size.code_mm`` wide, centred, leaving its quiet zone white."""
    grid = matrix(url, size.error_correction)
    modules = len(grid) - 2 * QUIET_ZONE
    module = size.code_mm / modules
    total = module * len(grid)
    left, top = (pdf.w - total) / 2, pdf.get_y()
    pdf.set_fill_color(0, 0, 0)
    for row_number, row in enumerate(grid):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            # One rectangle per run of dark modules: fewer shapes, no hairlines between them.
            end = column
            while end < len(row) and row[end]:
                end += 1
            pdf.rect(left + column * module, top + row_number * module, (end - column) * module,
                     module, style="F")
            column = end
    pdf.set_y(top + total)
