"""The findings link as a QR code, for posters and flyers in the places a survey was run.

Made as the qr_entry plugin makes a survey's codes (the ``qrcode`` package's
SVG path, no Pillow): error correction M (about 15% of the code may be dirty
or torn) and the four-module quiet zone the QR standard asks for. Pure logic.
"""

from __future__ import annotations

QUIET_ZONE = 4


def qr_svg(url: str, *, label: str, width_px: int = 240) -> str:
    """The QR code of ``url`` as an SVG document, read out as ``label`` (role="img")."""
    import qrcode
    import qrcode.constants
    from qrcode.compat.etree import ET
    from qrcode.image.svg import SvgPathFillImage

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE,
                         image_factory=SvgPathFillImage)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image()
    root = image._img  # the ElementTree root the factory built
    root.set("width", str(width_px))
    root.set("height", str(width_px))
    image.path.attrib.pop("id", None)  # two codes on one page must not share an id
    root.set("role", "img")
    root.set("aria-label", label)
    return ET.tostring(root, encoding="unicode")
