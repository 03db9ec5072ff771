"""plugins/qr_entry in the studio: places, posters, flyers, PDFs (every QR code read back), projects apart."""

from __future__ import annotations

import html
import re

import pytest
from test_qr_entry_decoding import decode_pdf, decode_svg, page_size_mm

from consent_kit.app import create_app
from consent_kit.testing import Browser, copy_instance, make_instance, populate

BASE = "https://survey.example.org"
SETTINGS = {"TESTING": True, "SESSION_COOKIE_SECURE": False, "CATALOG_CHECK_SECONDS": 0,
            "BASE_URL": BASE}
QR_PAGE = "/studio/surveys/have-your-say/qr"
_SVG = re.compile(r"<svg.*?</svg>", re.S)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """An instance with rae (researcher in alpha: have-your-say), vic (viewer), ola (beta), ada (admin)."""
    folder = make_instance(tmp_path_factory.mktemp("qr-studio") / "instance")
    populate(create_app(SETTINGS, instance=folder, load_entrypoints=False))
    return folder


@pytest.fixture
def app(template, tmp_path):
    folder = tmp_path / "instance"
    copy_instance(template, folder)
    return create_app(SETTINGS, instance=folder, load_entrypoints=False)


def signed_in(app, username: str) -> Browser:
    browser = Browser(app)
    assert browser.login(username).status_code == 302
    return browser


def add_place(browser: Browser, name: str, language: str = "", survey: str = "have-your-say"):
    return browser.post(f"/studio/surveys/{survey}/qr", {"action": "add", "name": name, "language": language})


def places(app, survey: str = "have-your-say"):
    return app.extensions["consent_kit"].plugin_state["qr_entry"].sources.for_survey(survey)


def test_a_researcher_adds_a_place_and_sees_its_link(app):
    rae = signed_in(app, "rae")
    response = add_place(rae, "Youth club, Tuesdays")
    assert response.status_code == 302 and response.location == QR_PAGE
    [place] = places(app)
    page = html.unescape(rae.get(QR_PAGE).get_data(as_text=True))
    assert "Youth club, Tuesdays has its own link and QR code now." in page
    assert f"<code>{BASE}/j/{place.code}</code>" in page
    assert "scans from up to 1 metre away" in page and "scans from up to 40 cm away" in page


def test_a_mistake_is_explained_and_what_was_typed_is_kept(app):
    rae = signed_in(app, "rae")
    add_place(rae, "Library poster")
    response = add_place(rae, "Park bench", language="Welsh")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Write the language as a short code" in page
    assert 'value="Park bench"' in page and 'value="Welsh"' in page  # nothing typed is lost
    assert 'href="#language"' in page  # the error summary leads to the box
    response = add_place(rae, "library poster")
    assert "already has a place with that name" in html.unescape(response.get_data(as_text=True))
    assert len(places(app)) == 1


@pytest.mark.parametrize("size, paper, ec, code_mm",
                         [("a4", (210, 297), "Q", 100), ("a5", (148, 210), "M", 40)])
def test_printable_pages_and_pdfs_hold_exactly_the_places_link(app, size, paper, ec, code_mm):
    rae = signed_in(app, "rae")
    add_place(rae, "Library poster")
    rae.post(QR_PAGE, {"action": "words", "invitation": "Tell us about youth clubs near you.",
                       "contact": "Sam at the library"})
    [place] = places(app)
    link = f"{BASE}/j/{place.code}"
    base = f"{QR_PAGE}/{place.code}"

    page = rae.get(f"{base}/poster?size={size}").get_data(as_text=True)
    [svg] = _SVG.findall(page)
    assert [(f.text, f.ec_level) for f in decode_svg(svg)] == [(link, ec)]
    text = html.unescape(page)
    for words in ("Have your say about youth services", "Tell us about youth clubs near you.",
                  "It takes about 10 minutes.", link, "Questions? Sam at the library",
                  f"the code is then {code_mm / 10:g} cm wide"):
        assert words in text

    pdf = rae.get(f"{base}/poster.pdf?size={size}")
    assert pdf.mimetype == "application/pdf"
    assert page_size_mm(pdf.data) == [paper]
    [(number, found, width_mm)] = decode_pdf(pdf.data)
    assert (number, found.text, found.ec_level) == (1, link, ec)
    assert width_mm == pytest.approx(code_mm, abs=1.5)  # printed at the size the sheet promises

    download = rae.get(f"{base}/qr.svg?size={size}")
    assert download.mimetype == "image/svg+xml"
    assert [f.text for f in decode_svg(download.get_data(as_text=True))] == [link]


def test_the_pdf_says_the_words_a_person_reads(app):
    import io

    from pypdf import PdfReader

    rae = signed_in(app, "rae")
    add_place(rae, "Library poster")
    [place] = places(app)
    pdf = rae.get(f"{QR_PAGE}/{place.code}/poster.pdf?size=a4").data
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Have your say about youth services" in text
    assert "Tell us what you think: take part in our survey." in text
    assert f"{BASE}/j/{place.code}" in text
    assert "scans from up to 1 metre away" in text


def test_closing_a_place_stops_its_link_and_opening_it_brings_it_back(app):
    rae = signed_in(app, "rae")
    add_place(rae, "Old poster")
    [place] = places(app)
    visitor = app.test_client()
    assert rae.post(f"{QR_PAGE}/{place.code}", {"action": "close"}).status_code == 302
    assert visitor.get(f"/j/{place.code}").status_code == 410
    rae.post(f"{QR_PAGE}/{place.code}", {"action": "open"})
    assert visitor.get(f"/j/{place.code}").status_code == 302


def test_another_projects_places_stay_out_of_reach(app):
    ola = signed_in(app, "ola")  # a researcher in beta, which runs event-feedback
    add_place(ola, "Beta flyers", survey="event-feedback")
    [theirs] = places(app, "event-feedback")
    rae = signed_in(app, "rae")
    add_place(rae, "Alpha posters")
    [mine] = places(app)
    # Alpha's researcher can't reach beta's survey, nor beta's place through alpha's survey.
    assert rae.get("/studio/surveys/event-feedback/qr").status_code == 404
    for tail in ("poster", "poster.pdf", "qr.svg"):
        assert rae.get(f"{QR_PAGE}/{theirs.code}/{tail}").status_code == 404
    assert rae.post(f"{QR_PAGE}/{theirs.code}", {"action": "close"}).status_code == 404
    assert not places(app, "event-feedback")[0].closed
    assert theirs.code not in rae.get(QR_PAGE).get_data(as_text=True)
    # And the other way round.
    assert ola.get(QR_PAGE).status_code == 404
    assert ola.get(f"{QR_PAGE}/{mine.code}/poster").status_code == 404


def test_a_viewer_cannot_make_places(app):
    vic = signed_in(app, "vic")
    assert vic.get(QR_PAGE).status_code == 403
    assert add_place(vic, "Sneaky").status_code == 403
    assert places(app) == []


def test_a_poster_says_what_people_get_when_the_survey_offers_something(app):
    """event-feedback offers "a £5 shopping voucher" to the first 100 people; have-your-say nothing."""
    ola = signed_in(app, "ola")
    add_place(ola, "Hall", survey="event-feedback")
    [place] = places(app, "event-feedback")
    poster = ola.get(f"/studio/surveys/event-feedback/qr/{place.code}/poster")
    page = html.unescape(poster.get_data(as_text=True))
    assert "To say thank you: a £5 shopping voucher, for the first 100 people." in page
    assert "TRY-ME" not in page  # voucher codes never go on a poster
    rae = signed_in(app, "rae")
    add_place(rae, "Library")
    [plain] = places(app)
    assert "To say thank you" not in rae.get(f"{QR_PAGE}/{plain.code}/poster").get_data(as_text=True)


def test_the_surveys_page_leads_to_its_qr_codes(app):
    rae = signed_in(app, "rae")
    page = rae.get("/studio/surveys/have-your-say").get_data(as_text=True)
    assert f'<a href="{QR_PAGE}">QR codes and posters</a>' in page


def test_a_poster_for_a_place_in_another_language_keeps_the_researchers_bar_in_theirs(app):
    rae = signed_in(app, "rae")
    add_place(rae, "Llyfrgell", language="cy")
    [place] = places(app)
    page = html.unescape(rae.get(f"{QR_PAGE}/{place.code}/poster").get_data(as_text=True))
    assert '<html lang="cy"' in page
    assert "Back to the places" in page and "at actual size (100%), not “fit to page”." in page


def test_the_places_page_counts_the_answers_from_each_place(app):
    from test_qr_entry import _answer_through_link

    rae = signed_in(app, "rae")
    add_place(rae, "Library poster")
    add_place(rae, "Youth club")
    library, club = places(app)
    _answer_through_link(app, f"{BASE}/j/{library.code}")
    page = rae.get(QR_PAGE).get_data(as_text=True)
    counts = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td[^>]*><code>[^<]+</code></td>\s*'
                             r'<td class="num"[^>]*>(\d+)</td>', page))
    assert counts == {"Library poster": "1", "Youth club": "0"}


@pytest.mark.parametrize("base, words", [
    ("", "doesn't know the address people use"),  # issue 23 item 16
    ("http://127.0.0.1:5000", "only works on this computer"),  # issue 21 §2
])
def test_posters_are_refused_until_the_address_people_use_is_set(template, tmp_path, base, words):
    folder = tmp_path / "instance"
    copy_instance(template, folder)
    app = create_app({**SETTINGS, "BASE_URL": base}, instance=folder, load_entrypoints=False)
    rae = signed_in(app, "rae")
    add_place(rae, "Library poster")
    [place] = places(app)
    cookie = rae.client.get_cookie("ck_session").value
    bare = app.test_client(use_cookies=False)  # its cookie jar would drop a cookie for another host

    def forged(url):  # the same signed-in browser, with a forged Host header
        return bare.get(url, headers={"Host": "evil.example", "Cookie": f"ck_session={cookie}"},
                        environ_base={"REMOTE_ADDR": "127.0.0.1"})

    listing = forged(QR_PAGE)
    assert listing.status_code == 200
    listing = html.unescape(listing.get_data(as_text=True))
    assert words in listing and "base_url" in listing
    assert "evil.example" not in listing and f"/j/{place.code}</code>" not in listing
    for kind in ("poster", "poster.pdf", "qr.svg"):
        page = forged(f"{QR_PAGE}/{place.code}/{kind}")
        assert page.status_code == 409, kind
        text = html.unescape(page.get_data(as_text=True))
        assert words in text and "evil.example" not in text
