"""Pictures for the Easy Read version of a findings page: checked, made small, stripped of details.

Pure logic (no Flask). An upload is opened with Pillow (so only real pictures
are kept), turned the right way up, made at most :data:`MOST` pixels on its
longer side and saved again as a JPEG of at most :data:`MOST_BYTES`, which
drops anything the camera wrote into the file (where and when it was taken).
Small enough to travel inside the page (a ``data:`` address), so an Easy Read
page still costs three requests at most.

With several servers on one database (a ``shared`` store, see :func:`share`)
each picture is kept in the store too, and a server that hasn't got one yet
copies it into its folder when the page needs it.
"""

from __future__ import annotations

import base64
import io
import re
import secrets
from pathlib import Path

#: The longer side of a kept picture, in pixels (Easy Read pictures sit beside short lines).
MOST = 240
#: The most a kept picture may weigh (a third more inside the page): an Easy Read page with one
#: picture of the most detail stays under 30 KB; simple drawings weigh far less.
MOST_BYTES = 8 * 1024
#: What the pictures of one page may weigh together before the studio says the page is getting heavy.
PAGE_BUDGET = 16 * 1024
#: Uploads larger than this are refused before Pillow reads them.
MAX_BYTES = 5 * 1024 * 1024
NAME = re.compile(r"^[a-f0-9]{8}-[a-f0-9]{12}\.jpg$")
#: A project id as the studio makes them (the same rule as survey ids, which have no "_").
PROJECT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Where findings pictures are kept in a shared store's media.
PREFIX = "findings-pictures/"
#: The mirrors of instances whose store is shared, by their pictures folder (see share).
_MIRRORS: dict[Path, object] = {}


class PictureError(ValueError):
    """Not a picture we can use (``reason``: ``too_big`` or ``not_a_picture``)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def folder(instance: str | Path, survey_id: str) -> Path:
    """Where a survey's findings pictures are kept (inside the instance folder)."""
    return Path(instance) / "findings-pictures" / survey_id


def project_folder(instance: str | Path, project_id: str) -> Path:
    """Where the pictures of a project's own findings are kept, beside the surveys' folders.

    Named ``project_<id>``: survey ids never hold "_", so no survey's folder has this name.
    """
    if not PROJECT_ID.match(project_id or ""):
        raise ValueError(f"not a project id: {project_id!r}")
    return Path(instance) / "findings-pictures" / f"project_{project_id}"


def kept_names(book: dict) -> set[str]:
    """The pictures a findings document still uses: in its draft or on its published page."""
    lists = (book.get("items") or [], (book.get("published") or {}).get("items") or [])
    return {(item.get("picture") or {}).get("name", "") for items in lists for item in items
            if item.get("picture")}


def share(instance: str | Path, store) -> None:
    """Keep this instance's findings pictures in ``store`` too when several servers share it.

    Called once when the app is made; on one server it does nothing, and the
    folder stays the only place pictures are kept, as before.
    """
    root = (Path(instance) / "findings-pictures").resolve()
    if getattr(store, "shared", False):
        _MIRRORS[root] = store.mirror(PREFIX, root)
    else:
        _MIRRORS.pop(root, None)


def _mirror(where: Path):
    """The shared mirror of ``where``'s instance and the picture's name in it, or (None, "")."""
    mirror = _MIRRORS.get(Path(where).resolve().parent) if _MIRRORS else None
    return mirror, Path(where).name


def save(data: bytes, where: Path, item_id: str) -> dict:
    """Keep an uploaded picture; returns ``{"name", "width", "height"}`` or raises PictureError."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # only when a picture is uploaded

    if not NAME.match(f"{item_id}-{'0' * 12}.jpg"):  # an id a form made up ("../x"): no path out
        raise PictureError("not_a_picture")
    if len(data) > MAX_BYTES:
        raise PictureError("too_big")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MOST, MOST))
            image = _on_white(image)
            data = _small_jpeg(image)
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise PictureError("not_a_picture") from None
    name = f"{item_id}-{secrets.token_hex(6)}.jpg"
    mirror, survey_id = _mirror(where)
    if mirror is not None:
        mirror.write(f"{survey_id}/{name}", data, what="the picture")
    else:
        where.mkdir(parents=True, exist_ok=True)
        (where / name).write_bytes(data)
    return {"name": name, "width": width, "height": height, "bytes": len(data)}


def heavy(items: list[dict]) -> bool:
    """Whether a page's Easy Read pictures together weigh more than :data:`PAGE_BUDGET`."""
    return sum((i.get("picture") or {}).get("bytes", MOST_BYTES) for i in items
               if i.get("picture")) > PAGE_BUDGET


def _on_white(image):
    """The picture as plain RGB; see-through parts become white (as on the page)."""
    from PIL import Image

    if "A" in image.getbands() or image.mode == "P":
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _small_jpeg(image) -> bytes:
    """The picture as a JPEG under MOST_BYTES: less detail, then a smaller size, until it fits."""
    while True:
        for quality in (75, 60, 45, 30):
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=quality, optimize=True)
            if out.tell() <= MOST_BYTES:
                return out.getvalue()
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)))


def data_uri(where: Path, name: str) -> str:
    """A kept picture as a ``data:`` address ("" if it isn't there any more)."""
    path = path_of(where, name)
    if path is None:
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def forget(where: Path, name: str) -> bool:
    """Delete a kept picture (from the shared store too, when there is one); True if it was there."""
    if not NAME.match(name or ""):
        return False
    mirror, survey_id = _mirror(where)
    if mirror is not None:
        return mirror.remove(f"{survey_id}/{name}")
    path = where / name
    existed = path.is_file()
    path.unlink(missing_ok=True)
    return existed


def path_of(where: Path, name: str) -> Path | None:
    """The kept file called ``name``, or None (names are only ever ours: no paths, no tricks)."""
    if not NAME.match(name or ""):
        return None
    mirror, survey_id = _mirror(where)
    if mirror is not None:  # the store's copy, fetched if this server hasn't got it yet
        return mirror.path(f"{survey_id}/{name}")
    path = where / name
    return path if path.is_file() else None
