"""Pictures for the Easy Read version of a findings page: checked, made small, stripped of details.

Pure logic (no Flask). An upload is opened with Pillow (so only real pictures
are kept), turned the right way up, made at most :data:`MOST` pixels on its
longer side (light on a phone's data) and saved again as PNG, which drops
anything the camera wrote into the file (where and when it was taken).
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

#: The longer side of a kept picture, in pixels (Easy Read pictures sit beside short lines).
MOST = 240
#: Uploads larger than this are refused before Pillow reads them.
MAX_BYTES = 5 * 1024 * 1024
NAME = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{12}\.png$")


class PictureError(ValueError):
    """Not a picture we can use (``reason``: ``too_big`` or ``not_a_picture``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def folder(instance: str | Path, survey_id: str) -> Path:
    """Where a survey's findings pictures are kept (inside the instance folder)."""
    return Path(instance) / "findings-pictures" / survey_id


def save(data: bytes, where: Path, item_id: str) -> dict:
    """Keep an uploaded picture; returns ``{"name", "width", "height"}`` or raises PictureError."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # only when a picture is uploaded

    if len(data) > MAX_BYTES:
        raise PictureError("too_big")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MOST, MOST))
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise PictureError("not_a_picture") from None
    name = f"{item_id}-{secrets.token_hex(6)}.png"
    where.mkdir(parents=True, exist_ok=True)
    (where / name).write_bytes(out.getvalue())
    return {"name": name, "width": width, "height": height}


def path_of(where: Path, name: str) -> Path | None:
    """The kept file called ``name``, or None (names are only ever ours: no paths, no tricks)."""
    if not NAME.match(name or ""):
        return None
    path = where / name
    return path if path.is_file() else None
