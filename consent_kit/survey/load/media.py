"""Read the accessible versions a survey text can have: ``easy_read`` and ``bsl``.

Part of :mod:`consent_kit.survey.load.survey_file`. A question or a consent information section
may have::

    easy_read:
      label: |            # (``text:`` for a section) short lines, one idea per line
        We want to know what you think.
        You can stop at any time.
      image: pictures/talk.png   # in the forms folder, next to the survey file
      alt: Two young people talking

and either may have ``bsl: https://...`` (a sign language video). What is
read goes into the item's ``media`` dict; plugins such as accessible_formats
show it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from consent_kit.survey.load.common import Context, check_keys, key_line, line_of, read_text, show, value_line

#: Pictures a browser shows everywhere; SVG is left out because it can carry script.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_EASY_SYNONYMS = {"text": "label", "words": "label", "picture": "image", "img": "image",
                  "alt_text": "alt", "description": "alt"}


def read_media(ctx: Context, mapping: dict, where: str, *, text_key: str,
               bsl: bool = False) -> dict[str, Any]:
    """The ``easy_read`` (and, with ``bsl=True``, ``bsl``) settings of one item, checked."""
    media: dict[str, Any] = {}
    if "easy_read" in mapping:
        easy = _read_easy_read(ctx, mapping, where, text_key)
        if easy:
            media["easy_read"] = easy
    if bsl and "bsl" in mapping:
        url = _read_bsl(ctx, mapping, where)
        if url:
            media["bsl"] = url
    return media


def _read_easy_read(ctx: Context, mapping: dict, where: str, text_key: str) -> dict[str, str]:
    raw = mapping["easy_read"]
    line = value_line(mapping, "easy_read", line_of(mapping))
    if not isinstance(raw, dict):
        ctx.add(line, where, f"'easy_read' should be a group of settings with '{text_key}:' "
                f"(and, if you like, 'image:' and 'alt:'), not {show(raw)}. Put them on the "
                "lines below 'easy_read:', indented.")
        return {}
    synonyms = dict(_EASY_SYNONYMS)
    synonyms.pop(text_key, None)
    if text_key != "label":
        synonyms["label"] = text_key
    check_keys(ctx, raw, (text_key, "image", "alt"), where + " easy_read",
               what="'easy_read'", synonyms=synonyms)
    words = read_text(ctx, raw, text_key, where, required=True, missing=(
        f"'easy_read' has no '{text_key}:'. Add '{text_key}: |' with the easy-read words "
        "on the lines below, one idea per line."))
    easy = {"text": words}
    if "image" in raw:
        image = _read_image(ctx, raw, where)
        alt = read_text(ctx, raw, "alt", where)
        if image and not alt and "alt" not in raw:
            ctx.add(key_line(raw, "image"), where, "this picture has no 'alt:'. Add 'alt:' "
                    "with a few words saying what the picture shows, for people who can't "
                    "see it (write 'alt: \"\"' if it is only decoration).")
        if image:
            easy.update(image=image, alt=alt)
    elif "alt" in raw:
        ctx.add(key_line(raw, "alt"), where, "'alt:' describes a picture, but there is no "
                "'image:'. Add 'image:' with the picture's file name, or remove 'alt:'.")
    return easy


def _read_image(ctx: Context, raw: dict, where: str) -> str:
    line = value_line(raw, "image", line_of(raw))
    name = read_text(ctx, raw, "image", where, required=True, missing=(
        "'image:' is empty. Write the picture's file name, like 'image: pictures/talk.png'."))
    if not name:
        return ""
    relative = PurePosixPath(name.replace("\\", "/"))
    if relative.is_absolute() or ".." in relative.parts or ":" in name:
        ctx.add(line, where, f"the picture {show(name)} must be in the forms folder, next to "
                "the survey file. Write its name from there, like 'pictures/talk.png'.")
        return ""
    if relative.suffix.lower() not in IMAGE_SUFFIXES:
        ctx.add(line, where, f"the picture {show(name)} should be a "
                f"{', '.join(s[1:] for s in IMAGE_SUFFIXES)} file.")
        return ""
    survey_file = Path(ctx.path)
    if survey_file.is_file() and not (survey_file.parent / relative).is_file():
        ctx.add(line, where, f"there is no picture called {show(name)} next to "
                f"{survey_file.name}. Check the spelling, or copy the picture into "
                f"{survey_file.parent}.")
        return ""
    return relative.as_posix()


def _read_bsl(ctx: Context, mapping: dict, where: str) -> str:
    line = value_line(mapping, "bsl", line_of(mapping))
    url = read_text(ctx, mapping, "bsl", where, required=True, missing=(
        "'bsl:' is empty. Write the web address of the sign language video, or remove it."))
    parts = urlsplit(url) if url else None
    if url and (parts.scheme != "https" or not parts.netloc or " " in url):
        ctx.add(line, where, f"'bsl:' should be the web address of a video starting with "
                f"https://, not {show(url)}.")
        return ""
    return url
