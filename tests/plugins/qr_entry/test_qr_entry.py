"""plugins/qr_entry: short links and QR codes for places, the source on each response, screen QR codes."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import consent_kit_plugins.qr_entry as qr_entry
import pytest
from consent_kit_plugins.qr_entry import qr
from consent_kit_plugins.qr_entry.poster import incentive_text
from consent_kit_plugins.qr_entry.sources import SourceError, clean_code
from test_qr_entry_decoding import decode_svg

from consent_kit.plugin_calls import response_breakdowns
from consent_kit.testing import Participant

BASE = "https://survey.example.org"
HAVE_YOUR_SAY_TITLE = "Have your say about youth services"
HAVE_YOUR_SAY = {
    "age_group": "14-16", "care_experience": "yes", "services_used": ["A youth club"], "visits": "4",
    "how_good": "4", "trusted_adult": "yes", "what_helps": "Listening.", "make_better": "Later hours.",
    "sport_ideas": "Climbing",
}
_SVG = re.compile(r"<svg.*?</svg>", re.S)


@pytest.fixture
def app(make_app):
    return make_app(config={"BASE_URL": BASE})


def _sources(app):
    return app.extensions["consent_kit"].plugin_state["qr_entry"].sources


def _store(app):
    return app.extensions["consent_kit"].store


def _hidden_fields(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _answer_through_link(app, link: str) -> Participant:
    """Scan (follow the link), start, agree, answer and send, as a person would."""
    person = Participant(app.test_client())
    person.get(urlsplit(link).path + (f"?{urlsplit(link).query}" if urlsplit(link).query else ""),
               follow_redirects=True)
    assert person.path == "/s/have-your-say"
    fields = _hidden_fields(person.html)
    person.post("/s/have-your-say/start", {k: v for k, v in fields.items() if k != "csrf_token"})
    if "/consent" in person.path:
        person.agree("have-your-say")
    person.answer_until_check(HAVE_YOUR_SAY)
    person.send()
    return person


# -- the short link ---------------------------------------------------------------------------


def test_a_short_link_leads_to_the_survey_and_carries_only_the_place(app):
    source = _sources(app).create("have-your-say", "Youth club, Tuesdays")
    response = app.test_client().get(f"/j/{source.code}")
    assert response.status_code == 302
    target = urlsplit(response.location)
    assert target.path == "/s/have-your-say"
    assert parse_qs(target.query) == {"source": [source.code]}
    start = app.test_client().get(response.location).get_data(as_text=True)
    assert f'<input type="hidden" name="source" value="{source.code}">' in start


def test_lang_is_passed_on_and_a_place_can_set_it(app):
    welsh = _sources(app).create("have-your-say", "Llyfrgell", language="cy")
    plain = _sources(app).create("have-your-say", "Library")
    client = app.test_client()
    assert parse_qs(urlsplit(client.get(f"/j/{welsh.code}").location).query)["lang"] == ["cy"]
    assert parse_qs(urlsplit(client.get(f"/j/{plain.code}?lang=ar").location).query)["lang"] == ["ar"]
    # Not a language code: left out rather than passed on.
    assert "lang" not in client.get(f"/j/{plain.code}?lang=%3Cscript%3E").location


def test_codes_are_typed_forgivingly(app):
    source = _sources(app).create("have-your-say", "Poster batch 1")
    assert app.test_client().get(f"/j/{source.code.upper()}").status_code == 302
    assert clean_code(f"  {source.code.upper()} ") == source.code
    assert clean_code("abc") is None and clean_code("abcde0") is None  # 0 is never used


def test_a_response_made_through_a_places_link_carries_that_place(app):
    library = _sources(app).create("have-your-say", "Library poster")
    _sources(app).create("have-your-say", "Youth club")
    _answer_through_link(app, f"{BASE}/j/{library.code}")
    Participant(app.test_client()).complete("have-your-say", HAVE_YOUR_SAY)  # the plain link
    with app.test_request_context():
        [breakdown] = [b for b in response_breakdowns(app.extensions["consent_kit"].pm,
                                                      app.extensions["consent_kit"].catalog.get("have-your-say"))
                       if b.id == "source"]
        stored = sorted(_store(app).iter_responses("have-your-say"), key=lambda r: r.source)
        assert [r.source for r in stored] == ["", library.code]
        assert [breakdown.value_of(r) for r in stored] == ["The survey link", "Library poster"]
        assert breakdown.label == "Where people came from"


def test_a_made_up_source_in_the_address_is_not_stored(app):
    person = Participant(app.test_client())
    person.get("/s/have-your-say?source=%3Cb%3Ehello%20there%3C%2Fb%3E")
    assert 'name="source"' not in person.html
    person.post("/s/have-your-say/start", {"source": "<b>not a code</b>"})
    if "/consent" in person.path:
        person.agree("have-your-say")
    person.answer_until_check(HAVE_YOUR_SAY)
    person.send()
    assert [r.source for r in _store(app).iter_responses("have-your-say")] == [""]


@pytest.mark.parametrize("case", ["made up", "closed", "survey closed"])
def test_a_link_that_does_not_work_says_so_plainly(make_app, case):
    closed_survey = {"closed.yaml": "id: closed\ntitle: Old survey\ndescription: Finished.\nstatus: closed\n"
                                    "questions:\n  - id: q\n    type: short_text\n    label: Anything?\n"}
    app = make_app(forms=closed_survey)
    code = "zzzzzz"
    if case == "closed":
        source = _sources(app).create("have-your-say", "Old poster")
        _sources(app).set_closed(source, True)
        code = source.code
    elif case == "survey closed":
        code = _sources(app).create("closed", "Poster").code
    response = app.test_client().get(f"/j/{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == (404 if case == "made up" else 410)
    assert "<h1>This link isn't working any more</h1>" in html.unescape(page)
    assert "Traceback" not in page
    # Never a way into the survey through a link that was closed.
    assert 'href="/s/have-your-say"' not in page and 'href="/s/have-your-say?' not in page


def test_an_old_poster_shows_that_surveys_way_out_and_support(app):
    """Someone scanning an old poster gets the survey's own exit and support, not the instance's."""
    source = _sources(app).create("have-your-say", "Old poster")
    _sources(app).set_closed(source, True)
    page = html.unescape(app.test_client().get(f"/j/{source.code}").get_data(as_text=True))
    assert 'id="exit-this-page"' in page
    welsh = html.unescape(app.test_client().get(f"/j/{source.code}?lang=cy",
                                                 headers={"Accept-Language": "cy"}).get_data(as_text=True))
    assert "Dweud eich dweud am wasanaethau ieuenctid" in welsh
    assert 'href="/s/have-your-say/support"' in page
    assert f"<span>{HAVE_YOUR_SAY_TITLE}</span>" in page  # the survey's name, not a link into it
    support = app.test_client().get("/s/have-your-say/support")
    assert support.status_code == 200


def test_a_made_up_poster_code_shows_the_instance_support(app):
    page = html.unescape(app.test_client().get("/j/zzzzzz").get_data(as_text=True))
    assert 'href="/support"' in page and "/s/have-your-say" not in page


def test_the_links_hold_no_personal_data_and_no_participant_token(app):
    source = _sources(app).create("have-your-say", "Library poster")
    with app.test_request_context():
        from consent_kit_plugins.qr_entry.links import join_url

        before = join_url(source)
    person = _answer_through_link(app, before)
    [response] = _store(app).iter_responses("have-your-say")
    with app.test_request_context():
        after = join_url(source)
    assert before == after == f"{BASE}/j/{source.code}"
    assert re.fullmatch(r"[a-z2-9]{6}", source.code)
    for secret in (response.pseudonym, response.reference, response.id, response.reference.replace("-", "")):
        assert secret and secret.lower() not in after.lower()
    # What the short link sends people on with: the place's code, nothing from a session.
    location = person.client.get(f"/j/{source.code}").location
    assert set(parse_qs(urlsplit(location).query)) == {"source"}


# -- sources -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, language, message", [
    ("   ", "", "Give the place a name"),
    ("x" * 61, "", "Make the name shorter"),
    ("library POSTER", "", "already has a place with that name"),
    ("Park", "Welsh please", "short code, like cy"),
])
def test_source_mistakes_are_explained(app, name, language, message):
    _sources(app).create("have-your-say", "Library poster")
    with pytest.raises(SourceError, match=message):
        _sources(app).create("have-your-say", name, language)


def test_sources_belong_to_their_survey(app):
    mine = _sources(app).create("have-your-say", "Library poster")
    theirs = _sources(app).create("event-feedback", "Library poster")  # same name, other survey: fine
    assert _sources(app).find("have-your-say", mine.code) == mine
    assert _sources(app).find("have-your-say", theirs.code) is None
    assert [s.code for s in _sources(app).for_survey("event-feedback")] == [theirs.code]


# -- QR codes on screens ---------------------------------------------------------------------------


def test_the_saved_page_shows_the_link_to_carry_on_as_a_qr_code(app):
    person = Participant(app.test_client())
    person.begin("have-your-say")
    person.answer_page(HAVE_YOUR_SAY, extra={"save": "1"})
    person.post("/s/have-your-say/save")
    link = re.search(r'<p><a href="([^"]+/resume/[^"]+)" dir="ltr">', person.html).group(1)
    [svg] = _SVG.findall(person.html)
    assert [(f.text, f.ec_level) for f in decode_svg(svg)] == [(link, "M")]
    assert 'role="img"' in svg and "id=" not in svg  # named for screen readers; no clashing ids
    assert "To carry on on another phone or tablet" in person.text


def test_the_consent_copy_shows_the_withdrawal_link_as_a_qr_code(app):
    person = Participant(app.test_client())
    person.complete("have-your-say", HAVE_YOUR_SAY)
    person.get("/s/have-your-say/your-copy")
    link = re.search(r'<p><a href="([^"]+)" dir="ltr">\1</a></p>', person.html).group(1)
    assert link == f"{BASE}/change-your-mind/"  # from base_url, never the request's Host
    [svg] = _SVG.findall(person.html)
    assert [f.text for f in decode_svg(svg)] == [link]


def test_without_base_url_the_copy_has_a_working_path_and_no_qr_code(make_app):
    """Issue 23 item 16: nothing taken from the Host header; a QR code of a bare path goes nowhere."""
    app = make_app(config={"BASE_URL": ""})
    person = Participant(app.test_client())
    person.complete("have-your-say", HAVE_YOUR_SAY)
    person.get("/s/have-your-say/your-copy")
    assert '<a href="/change-your-mind/"' in person.html
    assert "http://localhost" not in person.html
    assert _SVG.findall(person.html) == []


def test_other_pages_have_no_qr_code(app):
    html = app.test_client().get("/s/have-your-say").get_data(as_text=True)
    assert "<svg" not in html


# -- the QR code itself -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", qr.SIZES.values(), ids=lambda s: s.key)
def test_printed_codes_hold_the_url_with_their_error_correction_size_and_quiet_zone(size):
    url = f"{BASE}/j/abc234"
    svg = qr.svg(url, error_correction=size.error_correction, code_mm=size.code_mm, label="QR")
    [found] = decode_svg(svg)
    assert (found.text, found.ec_level) == (url, size.error_correction)
    modules = qr.make_code(url, size.error_correction).modules_count
    total = modules + 2 * qr.QUIET_ZONE
    assert f'viewBox="0 0 {total} {total}"' in svg
    width_mm = float(re.search(r'width="([\d.]+)mm"', svg).group(1))
    assert width_mm == pytest.approx(size.code_mm * total / modules, abs=0.1)
    # The code is drawn 600 px wide: the quiet zone, 4 modules on every side, is left white.
    assert found.width_px == pytest.approx(600 * modules / total, abs=600 / total)
    from test_qr_entry_decoding import svg_image

    image = svg_image(svg, 600)
    border = int(600 * qr.QUIET_ZONE / total) - 1
    strips = [image.crop(box) for box in ((0, 0, 600, border), (0, 600 - border, 600, 600),
                                          (0, 0, border, 600), (600 - border, 0, 600, 600))]
    assert all(strip.getextrema() == (255, 255) for strip in strips)


def test_poster_size_rule_is_ten_times_the_code_width():
    for size in qr.SIZES.values():
        assert size.distance_cm == size.code_mm  # 10 × width: mm of code = cm of reach
    assert (qr.POSTER.paper, qr.POSTER.error_correction) == ("A4", "Q")
    assert (qr.FLYER.paper, qr.FLYER.error_correction) == ("A5", "M")


@pytest.mark.parametrize("incentive, shown", [
    (None, ""), ({"amount": 10, "currency": "GBP"}, ""), ("", ""),
    ({"description": "A £10 voucher to say thank you"}, "A £10 voucher to say thank you"),
    ("A £5 voucher", "A £5 voucher"),
    ({"reward": "a £5 shopping voucher", "amount": 5}, "a £5 shopping voucher"),
    ({"reward": 5}, ""),
])
def test_an_incentive_shows_only_with_a_plain_description(incentive, shown):
    assert incentive_text(incentive) == shown


def test_the_plugin_is_listed_with_its_hooks():
    from consent_kit.plugins import make_plugin_manager, plugin_info

    rows = {row["name"]: row for row in plugin_info(make_plugin_manager(load_entrypoints=False))}
    assert rows["qr_entry"]["origin"] == "built-in"
    assert {"page_parts", "register_blueprints", "register_commands", "response_breakdowns"} <= set(
        rows["qr_entry"]["hooks"])


# -- the command line ------------------------------------------------------------------------------


@pytest.fixture
def cli_instance(tmp_path):
    from consent_kit.testing import make_instance

    return make_instance(tmp_path / "instance")


def _run(args, instance):
    import click
    from click.testing import CliRunner

    group = click.Group()
    qr_entry.register_commands(cli=group)
    return CliRunner().invoke(group, ["qr", *args, "--instance", str(instance)], catch_exceptions=False)


def test_the_command_makes_a_code_for_every_open_place(cli_instance, tmp_path):
    from consent_kit.app import create_app

    app = create_app({"TESTING": True}, instance=cli_instance, load_entrypoints=False)
    sources = app.extensions["consent_kit"].plugin_state["qr_entry"].sources
    made = [sources.create("have-your-say", name) for name in ("Library", "Youth club")]
    sources.set_closed(sources.create("have-your-say", "Old poster"), True)
    out = tmp_path / "codes"
    result = _run(["have-your-say", "--out", str(out), "--base-url", BASE], cli_instance)
    assert result.exit_code == 0, result.output
    assert "Making QR codes" in result.output and "2 file(s)" in result.output
    files = sorted(out.iterdir())
    assert [f.name for f in files] == sorted(f"have-your-say-{s.code}-poster.svg" for s in made)
    for source in made:
        svg = (out / f"have-your-say-{source.code}-poster.svg").read_text()
        assert [(f.text, f.ec_level) for f in decode_svg(svg)] == [(f"{BASE}/j/{source.code}", "Q")]


def test_the_command_makes_a_flyer_pdf_for_a_new_place(cli_instance, tmp_path):
    from test_qr_entry_decoding import decode_pdf, page_size_mm

    out = tmp_path / "flyers"
    result = _run(["have-your-say", "--source", "Skate park", "--format", "pdf", "--size", "a5",
                   "--out", str(out), "--base-url", BASE], cli_instance)
    assert result.exit_code == 0, result.output
    assert "Made a new place: Skate park" in result.output
    [pdf] = out.iterdir()
    code = pdf.name.split("-")[-2]
    assert pdf.name == f"have-your-say-{code}-flyer.pdf"
    assert page_size_mm(pdf.read_bytes()) == [(148, 210)]
    [(_, found, width_mm)] = decode_pdf(pdf.read_bytes())
    assert (found.text, found.ec_level) == (f"{BASE}/j/{code}", "M")
    assert width_mm == pytest.approx(40, abs=1.5)
    again = _run(["have-your-say", "--source", "skate PARK", "--out", str(out), "--base-url", BASE],
                 cli_instance)
    assert "Made a new place" not in again.output  # the same place, found by its name


@pytest.mark.parametrize("args, message", [
    (["have-your-say"], "The QR codes need the address people reach this server on"),
    (["no-such-survey", "--base-url", BASE], "There is no survey called 'no-such-survey'"),
    (["have-your-say", "--base-url", BASE], "has no open places yet"),
])
def test_the_command_explains_what_is_missing(cli_instance, tmp_path, args, message):
    result = _run([*args, "--out", str(tmp_path / "out")], cli_instance)
    assert result.exit_code == 1 and message in result.output


@pytest.mark.parametrize("base, root, expected", [
    ("https://survey.example.org", "", "https://survey.example.org/j/abc234"),
    ("https://example.org/survey/", "/survey", "https://example.org/survey/j/abc234"),
])
def test_printed_links_use_the_address_people_reach(make_app, base, root, expected):
    from consent_kit_plugins.qr_entry.links import public_url

    app = make_app(config={"BASE_URL": base})
    with app.test_request_context(base_url=f"http://evil.example{root}"):
        assert public_url("qr_entry.join", code="abc234") == expected


@pytest.mark.parametrize("base, problem", [
    ("", "missing"),  # issue 23 item 16: the Host header is never used instead
    ("http://127.0.0.1:5000", "local"),  # issue 21 §2: works on this computer only
    ("http://localhost:5000/", "local"),
    ("http://0.0.0.0:8000", "local"),
])
def test_printed_links_are_refused_without_an_address_people_can_use(make_app, base, problem):
    from consent_kit_plugins.qr_entry.links import NoPublicAddress, public_url

    app = make_app(config={"BASE_URL": base})
    with app.test_request_context(base_url="http://evil.example"):
        with pytest.raises(NoPublicAddress) as refused:
            public_url("qr_entry.join", code="abc234")
    assert refused.value.problem == problem


def test_the_command_refuses_an_address_on_this_computer_only(cli_instance, tmp_path):
    result = _run(["have-your-say", "--out", str(tmp_path / "out"), "--base-url", "http://127.0.0.1:5000"],
                  cli_instance)
    assert result.exit_code == 1 and "only works on this computer" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
