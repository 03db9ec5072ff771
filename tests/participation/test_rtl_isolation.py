"""Right to left: codes, addresses and dates keep their order inside Arabic words (issue 15 item 8).

The bidi algorithm reorders a Latin address or "2 ديسمبر 2026، 6:58 ص" when it sits
among Arabic words (the issue saw ``/http://127.0.0.1:5000/change-your-mind``). Each
is isolated: ``dir="ltr"`` on addresses and codes, ``<bdi>`` around dates. Times are in
words, in the survey's time zone, never "UTC". The Back arrow points back (to the right)
in right-to-left pages.
"""

from __future__ import annotations

import datetime
import html
import io
import re
import unicodedata
from pathlib import Path

import pypdf
import pytest
from babel.dates import format_date, format_time

from consent_kit.testing import Participant

SURVEY = """\
id: youth
title: Youth voice
description: A short survey.
{extra}pages:
  - id: first
    title: Clubs
    questions:
      - id: club
        type: short_text
        label: What is your favourite club?
  - id: second
    title: Food
    questions:
      - id: food
        type: short_text
        label: What food do you like?
"""

#: When everyone in these tests agreed: summer, so UK time is an hour ahead of UTC.
AGREED_AT = "2026-07-02T06:58:00Z"
UNTIL = datetime.date.today() + datetime.timedelta(days=400)
PAST = datetime.date.today() - datetime.timedelta(days=2)


@pytest.fixture
def at_a_fixed_time(monkeypatch):
    """Consent given at :data:`AGREED_AT`, whichever way the survey records it."""
    monkeypatch.setattr("consent_kit.participation.finish.utc_now", lambda: AGREED_AT)
    monkeypatch.setattr("consent_kit.consent.views.utc_now", lambda: AGREED_AT)


def finished(make_app, extra: str = "") -> tuple[Participant, str]:
    app = make_app(forms={"youth.yaml": SURVEY.format(extra=extra)}, examples=False)
    person = Participant(app.test_client())
    reference = person.complete("youth", {"club": "Chess", "food": "Rice"})
    return person, reference


def arabic_date(day: datetime.date) -> str:
    return format_date(day, "long", locale="ar")


@pytest.fixture
def arabic_copy(make_app, at_a_fixed_time) -> tuple[str, str]:
    """The copy page in Arabic, and the reference it should show."""
    person, reference = finished(make_app)
    page = person.get("/s/youth/your-copy?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in page
    return page, reference


def test_arabic_copy_isolates_the_withdrawal_address(arabic_copy):
    page, _ = arabic_copy
    link = re.search(r'<a href="([^"]*/change-your-mind/)"([^>]*)>([^<]*)</a>', page)
    assert link and 'dir="ltr"' in link.group(2), "the withdrawal address is not isolated"
    assert link.group(3) == link.group(1)  # the address itself, shown for writing down


def test_arabic_copy_isolates_the_reference(arabic_copy):
    page, reference = arabic_copy
    assert re.search(rf'<strong dir="ltr" class="code">{re.escape(reference)}</strong>', page)


def test_arabic_copy_isolates_the_date_in_words_on_the_uk_clock(arabic_copy):
    page, _ = arabic_copy
    when = re.search(r"<bdi>([^<]*)</bdi>", page)
    assert when, "the date is not isolated"
    # In words, in Arabic, on the UK clock (07:58 in summer), and never "UTC".
    assert arabic_date(datetime.date(2026, 7, 2)) in when.group(1)
    assert format_time(datetime.time(7, 58), "short", locale="ar") in when.group(1)
    assert "UTC" not in page and "2026-07-02" not in page


def test_the_last_day_is_isolated_wherever_it_is_promised(make_app):
    person, reference = finished(make_app, f"withdraw_until: {UNTIL.isoformat()}\n")
    wrapped = f"<bdi>{html.escape(arabic_date(UNTIL))}</bdi>"
    assert "<bdi>" in person.html  # Thank you, in English: the same isolation
    person.get("/s/youth/done?lang=ar")
    copy = person.get("/s/youth/your-copy").get_data(as_text=True)
    assert wrapped in copy
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    assert wrapped in person.html
    assert f'<strong dir="ltr" class="code">{reference}</strong>' in person.html


def test_too_late_page_isolates_the_date_and_the_contact(make_app):
    person, reference = finished(
        make_app, f"withdraw_until: {PAST.isoformat()}\ncontact: research@example.org\n")
    person.get("/change-your-mind/?lang=ar")
    person.post("/change-your-mind/", {"code": reference})
    person.get("/change-your-mind/take-back")
    assert f"<bdi>{html.escape(arabic_date(PAST))}</bdi>" in person.html
    assert re.search(r"<bdi[^>]*>research@example.org</bdi>", person.html)


def test_save_code_and_its_link_read_left_to_right(make_app):
    app = make_app(forms={"youth.yaml": SURVEY.format(extra="")}, examples=False)
    person = Participant(app.test_client())
    person.begin("youth")
    person.get(person.path + "?lang=ar")
    person.answer_page({"club": "Chess"}, extra={"save": "1"})
    person.post(person.path)  # "Save and come back later"
    assert re.search(r'<strong dir="ltr" class="code">[A-Z0-9]{5}-[A-Z0-9]{5}</strong>', person.html)
    assert re.search(r'<a href="[^"]*/resume/[A-Z0-9]+" dir="ltr">[^<]*/resume/', person.html)
    person.get("/resume")
    assert re.search(r'<input type="text" id="code" name="code"[^>]* dir="ltr"', person.html)


def test_the_pdf_says_the_time_in_words_on_the_surveys_clock(make_app, at_a_fixed_time):
    person, _ = finished(make_app, "time_zone: America/New_York\n")
    pdf = pypdf.PdfReader(io.BytesIO(person.get("/s/youth/your-copy.pdf").data))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    assert "2 July 2026, 02:58" in text and "UTC" not in text


# The Back arrow ------------------------------------------------------------------------------

CSS = Path(__file__).parents[2] / "consent_kit" / "web" / "static" / "ck.css"


def _drawn_arrow(direction: str) -> str:
    """The arrow a browser draws before "Back": the last matching rule, mirrored right to left."""
    arrow = ""
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.DOTALL)
    for selector, content in re.findall(r'([^{}]*\.back::before)\{content:"([^"]*)"', css):
        applies = "rtl" not in selector or direction == "rtl"
        if applies:
            arrow = content.strip()
    if direction == "rtl" and arrow and unicodedata.mirrored(arrow):
        arrow = {"‹": "›", "›": "‹", "<": ">", ">": "<"}.get(arrow, arrow)
    return arrow


def test_the_back_arrow_points_back_in_both_directions():
    assert _drawn_arrow("ltr") == "‹"
    assert _drawn_arrow("rtl") == "›", "right to left, Back must point to the right"


def test_support_numbers_addresses_and_texts_keep_their_order(make_app):
    support = ("support:\n  intro: If this was hard, you are not alone.\n  contacts:\n"
               "    - name: Local helpline\n      phone: \"0800 000 000\"\n"
               "      text: \"Text HELLO to 85258.\"\n      url: https://example.org/help\n")
    app = make_app(forms={"youth.yaml": SURVEY.format(extra=support)}, examples=False)
    page = app.test_client().get("/s/youth/support?lang=ar").get_data(as_text=True)
    assert '<a href="tel:0800000000" dir="ltr">0800 000 000</a>' in page
    assert '<bdi>Text HELLO to 85258.</bdi>' in page
    assert re.search(r'<a href="https://example.org/help"[^>]* dir="ltr">', page)
