"""Question controls in a real browser (issue 15 items 10 and 11).

Radios and tick boxes about 40 px, a checked state that shows in every
display mode, a 1–5 scale on one line at 360 px (a 0–10 scale a list there,
on purpose), the header lined up with the content, and axe at 0 violations
on these pages.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_formats import MODES
from conftest import serving

from consent_kit.app import create_app
from consent_kit.testing import make_instance

SURVEY = """
id: controls
title: Controls
description: Radios, tick boxes and scales.
pages:
  - id: all
    title: About the club
    questions:
      - id: good
        type: scale
        label: How good was it?
        min_label: not good
        max_label: very good
      - id: likely
        type: scale
        label: How likely are you to come again?
        min: 0
        max: 10
      - id: services
        type: multiple_choice
        label: Which services have you used?
        prefer_not_to_say: true
        choices: [A youth club, A sports club, None of these]
      - id: age
        type: single_choice
        label: How old are you?
        choices: [Under 16, 16 or over]
"""


@pytest.fixture(scope="module")
def controls_server(tmp_path_factory):
    folder = make_instance(tmp_path_factory.mktemp("controls") / "instance",
                           {"controls.yaml": SURVEY}, examples=False)
    app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
    with serving(app, "controls-test-server") as url:
        yield url


def _open_questions(new_context, base: str, width: int, mode: str = "default"):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    if MODES[mode]:
        page.goto(f"{base}/formats/display")
        for box in page.locator("input[name=option]").all():
            box.set_checked(box.get_attribute("value") in MODES[mode])
        page.get_by_role("button", name="Save these choices").click()
    page.goto(f"{base}/s/controls")
    page.get_by_role("button", name="Start").first.click()
    page.wait_for_url("**/page/all")
    return page


def _box(page, selector):
    return page.locator(selector).bounding_box()


def test_a_five_point_scale_stays_on_one_line_at_360px(new_context, controls_server):
    page = _open_questions(new_context, controls_server, 360)
    tops = {round(_box(page, f"#good-{n}")["y"]) for n in range(5)}
    assert len(tops) == 1, tops  # not "1 2 3 4 / 5"
    lefts = [_box(page, f"#likely-{n}")["x"] for n in range(11)]
    assert len(set(round(x) for x in lefts)) == 1  # the 0–10 scale is a list, on purpose
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_long_scale_is_one_row_on_a_wide_screen(new_context, controls_server):
    page = _open_questions(new_context, controls_server, 1280)
    tops = {round(_box(page, f"#likely-{n}")["y"]) for n in range(11)}
    assert len(tops) == 1, tops


@pytest.mark.parametrize("mode", list(MODES))
def test_controls_are_40px_with_a_checked_state_and_focus_in_every_mode(new_context, controls_server,
                                                                       mode):
    page = _open_questions(new_context, controls_server, 320, mode)
    for selector in ("#age-0", "#services-0", "#good-0"):
        box = _box(page, selector)
        assert box["width"] >= 39 and box["height"] >= 39, (selector, box)
    mark = "(el) => getComputedStyle(el, '::before').transform"
    radio, tick = page.locator("#age-0"), page.locator("#services-0")
    unchecked = (radio.evaluate(mark), tick.evaluate(mark))
    page.locator("label[for=age-0]").click()
    page.locator("label[for=services-0]").click()
    checked = (radio.evaluate(mark), tick.evaluate(mark))
    assert radio.is_checked() and tick.is_checked()
    assert checked[0] != unchecked[0] and checked[1] != unchecked[1]  # the dot and the tick show
    colour = "(el) => getComputedStyle(el).color"
    background = "(el) => getComputedStyle(el).backgroundColor"
    assert radio.evaluate(colour) != radio.evaluate(background)  # never a blob of one colour
    page.locator("#age-1").focus()
    outline = page.locator("#age-1").evaluate("(el) => getComputedStyle(el).outlineWidth")
    assert outline == "3px"
    assert Axe().run(page).violations_count == 0


def test_exclusive_answer_has_an_or_before_it(new_context, controls_server):
    page = _open_questions(new_context, controls_server, 320)
    divider = page.locator("fieldset:has(#services-0) p.or")
    assert divider.count() == 1
    assert _box(page, "fieldset:has(#services-0) p.or")["y"] < _box(page, "#services-2")["y"]


def test_header_lines_up_with_the_content_and_its_links_look_like_links(new_context, controls_server):
    for width in (320, 1280):
        page = _open_questions(new_context, controls_server, width)
        title = page.locator("header > a").first
        assert abs(title.bounding_box()["x"] - _box(page, "main h1")["x"]) <= 1, width
        assert "underline" in title.evaluate("(el) => getComputedStyle(el).textDecorationLine")
