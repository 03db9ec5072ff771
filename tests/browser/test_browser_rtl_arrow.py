"""The Back arrow points back, as Chromium draws it: left in English, right in Arabic (issue 15 item 8).

The arrow is CSS (``.back::before``), so the test reads the pixels: it takes a
picture of the Back link, finds the arrow (the ink at the start of the link,
before the gap), and checks which way its point faces. A chevron pointing right
(›) has its top stroke further left than its middle; one pointing left (‹) the
other way round.
"""

from __future__ import annotations

import io

import pytest
from browser_support import WIDE
from browser_walk import Walker
from PIL import Image

START = "main form[method=post] button.button:visible"
#: Darker than this (0-255) counts as ink.
INK = 128


def _columns_of_ink(image: Image.Image) -> list[list[int]]:
    """Each column's inked rows."""
    grey = image.convert("L")
    width, height = grey.size
    pixels = grey.load()
    return [[y for y in range(height) if pixels[x, y] < INK] for x in range(width)]


def _arrow(image: Image.Image, at_right: bool) -> list[tuple[int, int]]:
    """The inked (x, y) of the first run of inked columns from the link's start side."""
    columns = list(enumerate(_columns_of_ink(image)))
    if at_right:
        columns.reverse()
    found: list[tuple[int, int]] = []
    for x, rows in columns:
        if rows:
            found.extend((x, y) for y in rows)
        elif found:
            break
    return found


def _points_right(points: list[tuple[int, int]]) -> bool:
    """True for ›: the ends (top and bottom) are left of the point (middle)."""
    ys = [y for _, y in points]
    top, bottom = min(ys), max(ys)
    third = (bottom - top) / 3
    ends = [x for x, y in points if y <= top + third / 2 or y >= bottom - third / 2]
    middle = [x for x, y in points if abs(y - (top + bottom) / 2) <= third / 2]
    assert ends and middle, "the arrow was not found"
    return sum(middle) / len(middle) > sum(ends) / len(ends)


@pytest.mark.parametrize(("lang", "direction", "right"), [("en", "ltr", False), ("ar", "rtl", True)])
def test_the_back_arrow_points_back(new_context, live_server, lang, direction, right):
    context = new_context(viewport=WIDE)
    walker = Walker(context.new_page(), live_server, context.guard)
    walker.goto(f"/s/have-your-say?lang={lang}")
    walker.submit(walker.page.locator(START).first)  # to the information, which has Back
    page = walker.page
    assert page.evaluate("document.documentElement.dir") == direction
    back = page.locator("a.back").first
    # Only the underline goes (through the CSSOM, which the page's CSP allows): it would join
    # the arrow to the word.
    back.evaluate("link => { link.style.textDecoration = 'none'; }")
    picture = Image.open(io.BytesIO(back.screenshot()))
    arrow = _arrow(picture, at_right=right)
    assert _points_right(arrow) is right, f"Back points the wrong way in {lang}"
