"""Keyboard only (WCAG 2.1.1, 2.4.3, 2.4.7): a whole survey with Tab, Space, Enter and typing.

No mouse: nothing here clicks. Focus is moved with Tab and read back from
``document.activeElement``; every element that gets focus must show it.
After a page is sent with a mistake, the focus must be on the error summary
(its ``autofocus``, which needs no JavaScript).
"""

from __future__ import annotations

import re

from browser_walk import EVENT_FEEDBACK

MAX_TABS = 60  # Tab presses to reach any one element on these short pages

_FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return outline || style.boxShadow !== "none";
}"""


def focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                         selector)


def describe_focus(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.outerHTML.slice(0, 200)"
                         " : 'nothing'")


def tab_to(page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has focus; it must show it has."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if focused(page, selector):
            assert page.evaluate(_FOCUS_SHOWN), f"no visible focus on {describe_focus(page)}"
            return
    raise AssertionError(f"{MAX_TABS} Tabs did not reach {selector} on {page.url}")


def press_and_load(page, key: str = "Enter") -> None:
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


def continue_(page) -> None:
    tab_to(page, "button[type=submit]:not([name=save])")
    press_and_load(page)


def expect_error_summary_focused(page) -> None:
    assert page.locator("#error-summary").is_visible(), f"no error summary on {page.url}"
    assert focused(page, "#error-summary"), f"focus is on {describe_focus(page)}"
    # From the summary, the next Tab goes to the first problem's link.
    page.keyboard.press("Tab")
    assert focused(page, "#error-summary a"), f"focus is on {describe_focus(page)}"


def test_complete_a_survey_with_the_keyboard_only(page, live_server):
    page.goto(f"{live_server}/s/{EVENT_FEEDBACK}")

    # The skip link comes first and shows when focused.
    page.keyboard.press("Tab")
    assert focused(page, "a.skip") and page.evaluate(_FOCUS_SHOWN)
    tab_to(page, "button[type=submit]")  # Start now
    press_and_load(page)

    assert page.url.endswith("/consent")
    tab_to(page, "main a.button")  # Continue (a link)
    press_and_load(page)

    assert page.url.endswith("/consent/agree")
    continue_(page)  # "I agree, take part" with nothing ticked
    expect_error_summary_focused(page)
    tab_to(page, "#statement-take_part")
    page.keyboard.press("Space")
    assert page.locator("#statement-take_part").is_checked()
    continue_(page)

    assert page.url.endswith("/page/event_day")
    tab_to(page, "#event_day-day")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    assert focused(page, "#event_day-month")
    page.keyboard.type("5")
    page.keyboard.press("Tab")
    assert focused(page, "#event_day-year")
    page.keyboard.type("2025")
    continue_(page)

    assert page.url.endswith("/page/event_name")
    tab_to(page, "#event_name")
    page.keyboard.type("Summer fun day")
    continue_(page)

    assert page.url.endswith("/page/enjoyed")
    continue_(page)  # a required question left empty
    expect_error_summary_focused(page)
    tab_to(page, "input[name=enjoyed]")
    page.keyboard.press("Space")  # the first choice, 1
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # a radio group moves with the arrow keys: 4
    assert page.locator("input[name=enjoyed]:checked").get_attribute("value") == "4"
    continue_(page)

    assert page.url.endswith("/page/felt_welcome")
    tab_to(page, "input[name=felt_welcome]")
    page.keyboard.press("Space")  # Yes, a lot
    continue_(page)

    assert page.url.endswith("/page/best_bit")
    tab_to(page, "#best_bit")
    page.keyboard.type("The music.")
    continue_(page)

    assert page.url.endswith("/page/come_again")
    tab_to(page, "input[name=come_again]")
    page.keyboard.press("Space")  # Yes
    continue_(page)

    assert page.url.endswith("/page/thank_you")
    continue_(page)

    assert page.url.endswith("/check")
    assert page.get_by_text("Summer fun day").is_visible()
    assert page.get_by_text("The music.").is_visible()
    tab_to(page, "form[action$='/submit'] button")  # Send
    press_and_load(page)

    assert page.url.endswith("/done")
    reference = page.locator(".confirm strong.code").inner_text()
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", reference.strip())


def test_focus_is_visible_on_every_link_of_the_support_page(page, live_server):
    """Tab through a whole page: skip link, Leave this page, header, contacts, footer."""
    page.goto(f"{live_server}/s/{EVENT_FEEDBACK}/support")
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        html = describe_focus(page)
        if html in seen:
            break
        seen.append(html)
        assert page.evaluate(_FOCUS_SHOWN), f"no visible focus on {html}"
    assert len(seen) >= 8, seen  # skip link, leave, title, contacts' links, footer links


def test_display_options_with_the_keyboard_only(page, live_server):
    """Reach the options from the header, tick two with Space, save with Enter; focus stays visible."""
    page.goto(f"{live_server}/s/{EVENT_FEEDBACK}")
    tab_to(page, "header .af-bar a")
    press_and_load(page)
    assert "/formats" in page.url
    for option in ("#af-large", "#af-contrast"):
        tab_to(page, option)
        page.keyboard.press("Space")
        assert page.locator(option).is_checked()
    tab_to(page, "form.af-options button[type=submit]")
    press_and_load(page)
    assert page.url.endswith(f"/s/{EVENT_FEEDBACK}")
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href || '')")
    assert any(href.endswith("/formats/style/large-contrast.css") for href in sheets), sheets
    assert page.evaluate("getComputedStyle(document.documentElement).backgroundColor") == "rgb(0, 0, 0)"
    # In high contrast, every element that gets focus still shows it.
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        html = describe_focus(page)
        if page.evaluate("document.activeElement === document.body") or html in seen:
            break
        seen.append(html)
        assert page.evaluate(_FOCUS_SHOWN), f"no visible focus on {html}"
    assert any("<summary" in html for html in seen), seen  # the options on the start page
