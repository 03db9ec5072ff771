"""Reading QR codes back in tests, the way a phone would: draw the SVG or PDF, then decode the picture.

cairosvg draws SVG, pypdfium2 draws PDF pages and zxing-cpp decodes; none of
them is the library that made the code, so a test can't agree with itself.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cairosvg
import pypdfium2
import zxingcpp
from PIL import Image

MM_PER_INCH = 25.4


@dataclass(frozen=True)
class Found:
    """One decoded QR code: what it holds, its error correction, and its width in pixels."""

    text: str
    ec_level: str
    width_px: float


def _found(image: Image.Image) -> list[Found]:
    codes = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [Found(c.text, c.ec_level, _width(c.position)) for c in codes]


def _width(position) -> float:
    top = position.top_right.x - position.top_left.x
    return (top + position.bottom_right.x - position.bottom_left.x) / 2


def svg_image(svg: str, width_px: int = 600) -> Image.Image:
    """The SVG drawn as a picture ``width_px`` wide."""
    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width_px, background_color="white")
    return Image.open(io.BytesIO(png)).convert("L")


def decode_svg(svg: str) -> list[Found]:
    """Every QR code in an SVG document."""
    return _found(svg_image(svg))


def pdf_pages(pdf: bytes, dpi: int = 200) -> list[Image.Image]:
    """Each page of a PDF drawn at ``dpi``."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil() for page in document]
    finally:
        document.close()


def decode_pdf(pdf: bytes, dpi: int = 200) -> list[tuple[int, Found, float]]:
    """(page number, code, printed width of the code in mm) for every QR code in a PDF."""
    found = []
    for number, image in enumerate(pdf_pages(pdf, dpi), start=1):
        for code in _found(image):
            found.append((number, code, code.width_px / dpi * MM_PER_INCH))
    return found


def page_size_mm(pdf: bytes) -> list[tuple[float, float]]:
    """The width and height of each page in mm."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [(round(p.get_width() / 72 * MM_PER_INCH), round(p.get_height() / 72 * MM_PER_INCH))
                for p in document]
    finally:
        document.close()


# -- the decoder itself: it must be able to say "no" --------------------------------------------


def test_the_decoder_reads_a_code_and_finds_none_on_a_blank_page():
    from consent_kit_plugins.qr_entry import qr

    [found] = decode_svg(qr.svg("https://example.org/j/abc234", error_correction="Q", code_mm=50))
    assert (found.text, found.ec_level) == ("https://example.org/j/abc234", "Q")
    blank = '<svg xmlns="http://www.w3.org/2000/svg" width="40mm" height="40mm" viewBox="0 0 10 10"></svg>'
    assert decode_svg(blank) == []


def test_the_decoder_fails_a_code_without_its_quiet_zone():
    """Why the quiet zone matters: cropped to the modules and set in a dark frame, it stops reading."""
    from consent_kit_plugins.qr_entry import qr

    svg = qr.svg("https://example.org/j/abc234", error_correction="M", width_px=300)
    modules = qr.make_code("https://example.org/j/abc234", "M").modules_count
    cropped = svg.replace(f'viewBox="0 0 {modules + 8} {modules + 8}"',
                          f'viewBox="{qr.QUIET_ZONE} {qr.QUIET_ZONE} {modules} {modules}"')
    dark = '<rect fill="black" x="-9" y="-9" width="99" height="99" />'
    framed = cropped.replace('<rect fill="white"', dark + '<rect fill="white"', 1)
    assert cropped != svg
    assert [f.text for f in decode_svg(svg)] == ["https://example.org/j/abc234"]
    assert decode_svg(framed) == []
