"""The understanding check teaches and never gates, in a real browser (issue 15, item 1).

A participant who gets every understanding question wrong, every time, is shown
the part that explains each one and the right answer, and then goes on anyway:
they reach "Thank you" like anyone else.
"""

from __future__ import annotations

import re

import pytest

QUESTIONS = ("Can you stop at any time?", "Will your name be on your answers?",
             "Do you have to answer every question?")
#: The wrong answer to each of have-your-say's understanding questions.
WRONG = {"Can you stop at any time?": "No", "Will your name be on your answers?": "Yes",
         "Do you have to answer every question?": "Yes"}


def _answer_wrong(page) -> None:
    for question, answer in WRONG.items():
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def _press(page, name: str) -> None:
    """Press a button and wait for the page it leads to (the check posts back to its own address,
    so the old page's words would otherwise still be there to find)."""
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=name).click()


def _answer_every_page(page) -> None:
    """Answer each page of questions (the first choice of every group) until Check your answers."""
    for _ in range(20):
        if page.url.endswith("/check"):
            return
        for group in page.locator("fieldset").all():
            first = group.locator("input[type=radio]").first
            if first.count():
                first.check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    pytest.fail(f"Did not reach Check your answers: stuck at {page.url}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_wrong_every_time_still_reaches_thank_you(new_context, live_server, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(f"{live_server}/s/have-your-say")
    page.get_by_role("button", name=re.compile("Start now|Carry on")).click()
    page.get_by_label("The main information").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Continue").click()
    for attempt in range(3):  # three times over, wrong every time
        if attempt:
            page.goto(f"{live_server}/s/have-your-say/consent/check")
        assert page.url.endswith("/consent/check")
        _answer_wrong(page)
        _press(page, "Continue")
        assert page.get_by_text("Not quite. That's OK.").is_visible()
        for question in QUESTIONS:
            group = page.get_by_role("group", name=question)
            assert group.get_by_text("The answer is:").is_visible()
        _answer_wrong(page)
        _press(page, "Continue")
        assert page.url.endswith("/consent/agree")
    for box in page.locator("input[name^=statement-]").all():
        box.check()
    page.get_by_role("button", name="I agree, take part").click()
    _answer_every_page(page)
    _press(page, "Send")
    assert page.url.endswith("/done")
    assert page.get_by_role("heading", name="Thank you").is_visible()
