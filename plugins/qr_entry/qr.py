"""QR codes as SVG (and as a grid of modules for the PDF), sized for where they are read.

Uses the ``qrcode`` package's SVG path factory, which needs no Pillow. Error
correction is Q (~25% of the code may be dirty or torn) for posters on a wall
and M (~15%) for flyers held in the hand and codes on a screen. The quiet zone
(a white border four modules wide, the minimum the QR standard asks for) is
always kept: phones fail to read codes printed right up to a picture or a fold.

Size rule (printing practice, not the standard): a phone reads a code from
about ten times its width, so a poster code 10 cm wide reads from 1 metre.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import qrcode

# qrcode is imported where a code is made, not at start-up (every CLI command paid for it).

QUIET_ZONE = 4
_LEVELS = ("L", "M", "Q", "H")  # qrcode.constants.ERROR_CORRECT_<level>


@dataclass(frozen=True)
class PrintSize:
    """One printed format: paper, how wide the code is printed, and from how far it scans."""

    key: str
    kind: str
    paper: str
    code_mm: int
    distance_cm: int
    error_correction: str


#: The code is printed ``code_mm`` wide (plus its quiet zone); ten times that is the reach.
POSTER = PrintSize("a4", "poster", "A4", code_mm=100, distance_cm=100, error_correction="Q")
FLYER = PrintSize("a5", "flyer", "A5", code_mm=40, distance_cm=40, error_correction="M")
SIZES = {size.key: size for size in (POSTER, FLYER)}


def make_code(url: str, error_correction: str = "M") -> qrcode.QRCode:
    """A QR code holding exactly ``url``, in the smallest version that fits."""
    import qrcode
    import qrcode.constants
    from qrcode.image.svg import SvgPathFillImage

    if error_correction not in _LEVELS:
        raise KeyError(error_correction)
    level = getattr(qrcode.constants, f"ERROR_CORRECT_{error_correction}")
    code = qrcode.QRCode(error_correction=level, border=QUIET_ZONE,
                         image_factory=SvgPathFillImage)
    code.add_data(url)
    code.make(fit=True)
    return code


def matrix(url: str, error_correction: str = "M") -> list[list[bool]]:
    """Dark (True) and light modules, row by row, quiet zone included."""
    return make_code(url, error_correction).get_matrix()


def svg(url: str, *, error_correction: str = "M", code_mm: float | None = None,
        width_px: int | None = None, label: str = "") -> str:
    """The QR code of ``url`` as an SVG document.

    ``code_mm`` prints the code (without its quiet zone) that many millimetres
    wide; ``width_px`` sizes it on a screen instead. ``label`` is read out by
    screen readers (role="img"); without it the SVG is hidden from them.
    """
    from qrcode.compat.etree import ET

    code = make_code(url, error_correction)
    image = code.make_image()
    root = image._img  # the ElementTree root the factory built
    modules = code.modules_count
    total = modules + 2 * QUIET_ZONE
    if code_mm is not None:
        width = f"{(Decimal(str(code_mm)) * total / modules).quantize(Decimal('0.1'))}mm"
    else:
        width = str(width_px or 4 * total)
    root.set("width", width)
    root.set("height", width)
    # One QR code per page is not guaranteed: an id would clash.
    image.path.attrib.pop("id", None)
    if label:
        root.set("role", "img")
        root.set("aria-label", label)
        title = ET.Element("title")
        title.text = label
        root.insert(0, title)
    else:
        root.set("aria-hidden", "true")
    return ET.tostring(root, encoding="unicode")


def version_of(url: str, error_correction: str) -> int:
    """The QR version (size class, 1-40) the code of ``url`` needs."""
    return make_code(url, error_correction).version
