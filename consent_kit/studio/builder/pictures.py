"""Easy Read pictures uploaded in the browser: checked, re-encoded and kept beside the survey file.

A picture from a phone can carry where and when it was taken (EXIF, GPS),
and a file called ``.png`` can be anything. So an upload is only accepted
when Pillow reads it as a PNG, JPEG or WebP picture of a sensible size; it
is then drawn again into a new file of the same kind with nothing but the
pixels (no EXIF, no comments, no colour profile), so whatever else it
carried is gone. It is kept in the forms folder as
``pictures/<survey>/<question>-<8 letters>.<kind>``, the path survey files
use for pictures (``easy_read: image:``), named by its contents so a new
picture never replaces one a published version still shows. With several
servers on one database it is kept in the store too (see keep_picture). No
Flask here.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from consent_kit.store.files import atomic_write
from consent_kit.store.media import MediaMirror
from consent_kit.studio.builder.ops import BuilderError, _l

#: The biggest upload accepted: Easy Read pictures are small, and the site takes nothing
#: over 2 MB in one go (MAX_CONTENT_LENGTH).
MAX_BYTES = 1536 * 1024
#: The most pixels accepted, so a small file can't unpack into a huge picture.
MAX_PIXELS = 4000 * 4000
#: Pictures wider or taller than this are made smaller: nobody's phone needs more.
LONGEST_SIDE = 1200
#: Pillow's name for each kind accepted, and the file ending it is kept with.
KINDS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp"}
_SAFE = re.compile(r"[^a-z0-9-]+")


def reencode(data: bytes) -> tuple[bytes, str]:
    """The picture's pixels in a fresh file of the same kind, and its ending (``.png``…).

    Raises :class:`BuilderError` (field ``easy_read_picture``) for anything
    that isn't a PNG, JPEG or WebP picture of an acceptable size.
    """
    if not data:
        raise BuilderError(_l("The picture file is empty. Choose the picture again."),
                           "easy_read_picture")
    if len(data) > MAX_BYTES:
        raise BuilderError(_l("This picture is too big. Choose one under 1.5 MB, or make it "
                              "smaller first."), "easy_read_picture")
    try:
        with Image.open(io.BytesIO(data)) as found:
            kind = found.format
            if kind not in KINDS:
                raise BuilderError(_l("Choose a PNG, JPEG or WebP picture."), "easy_read_picture")
            if found.width * found.height > MAX_PIXELS:
                raise BuilderError(_l("This picture has too many pixels. Choose a smaller "
                                      "one."), "easy_read_picture")
            found.load()
            picture = _plain_pixels(found)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise BuilderError(_l("This file can't be read as a picture. Choose a PNG, JPEG or "
                              "WebP picture."), "easy_read_picture") from None
    picture.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    if kind == "JPEG":
        picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind == "WEBP":
        picture.save(out, "WEBP", quality=85)
    else:
        picture.save(out, "PNG", optimize=True)
    return out.getvalue(), KINDS[kind]


def _plain_pixels(found: Image.Image) -> Image.Image:
    """A new picture holding only the pixels: no metadata is copied across."""
    mode = "RGBA" if found.mode in ("RGBA", "LA", "P", "PA") and (
        found.mode != "P" or "transparency" in found.info) else "RGB"
    pixels = found.convert(mode)
    fresh = Image.new(mode, pixels.size)
    fresh.paste(pixels)
    return fresh


def keep_picture(data: bytes, forms: Path, survey_id: str, question_id: str, *,
                 mirror: MediaMirror | None = None) -> str:
    """Check, re-encode and keep an uploaded picture; return its path for the survey file.

    ``mirror`` is the forms folder's :class:`MediaMirror`: with several servers on one
    database the picture goes into the store too, and every server copies it into its
    forms folder before it loads a survey that shows it.
    """
    clean, ending = reencode(data)
    name = _SAFE.sub("-", question_id.lower()).strip("-")[:40] or "picture"
    digest = hashlib.sha256(clean).hexdigest()[:8]
    relative = f"pictures/{_SAFE.sub('-', survey_id.lower())}/{name}-{digest}{ending}"
    path = forms / relative
    if mirror is not None and mirror.shared:
        kept = mirror.names(relative).get(relative)
        if kept is None:
            mirror.write(relative, clean, what="the picture")
        else:  # uploaded before, maybe on another server: make sure this server has its copy
            mirror.path(relative, kept)
        return relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file():
        atomic_write(path, clean, what="the picture")
    return relative
