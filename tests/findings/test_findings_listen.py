"""Listen to the findings: each section read aloud (espeak-ng, through accessible_formats), in the
page's language and in Easy Read, with a plain player; nothing of it when the plugin is blocked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import test_findings
from consent_kit_plugins.accessible_formats import speech
from markupsafe import Markup
from test_findings import EDIT, PUBLIC, add, build, publish, signed_in, store, text_of

from consent_kit import hookimpl
from consent_kit.findings.render import words_to_read
from consent_kit.testing import Participant, make_instance

app = test_findings.app

needs_espeak = pytest.mark.skipif(speech.program() is None, reason="needs espeak-ng")
PLAYER = re.compile(r'<audio controls preload="none" src="([^"]+)"')


def written(app) -> str:
    """rae writes one part (with Easy Read and a Welsh translation); sam approves and publishes it."""
    rae = signed_in(app, "rae")
    add(rae, action="section", heading="What you told us", text="Most of you **like** the club.",
        easy_read="You like the club.\nWe will keep it open.")
    item_id = store(app).documents("findings").get(survey_id="club")["items"][0]["id"]
    rae.get(f"{EDIT}/translate/cy")
    rae.post(f"{EDIT}/translate/cy", {f"heading-{item_id}": "Beth ddywedoch chi",
                                      f"text-{item_id}": "Mae'r rhan fwyaf ohonoch yn hoffi'r clwb."})
    publish(app, rae)
    return item_id


def players(page) -> list[str]:
    return PLAYER.findall(page.get_data(as_text=True))


def fetch(person, url):
    response = person.client.get(url)
    data, mimetype, status = response.data, response.mimetype, response.status_code
    response.close()
    return status, mimetype, data


def spoken_words(app, url: str) -> tuple[str, str]:
    """The language and words kept beside a player's audio."""
    name = url.rsplit("/", 1)[1].removesuffix(".mp3")
    kept = store_folder(app) / f"{name}.txt"
    language, _, words = kept.read_text(encoding="utf-8").partition("\n")
    return language, words


def store_folder(app):
    return Path(app.instance_path) / "accessible_formats" / "spoken"


def test_words_to_read_are_the_heading_then_plain_sentences():
    view = {"heading": "What we found", "easy": [], "html": (
        "<p>Most of you <strong>like</strong> the club</p>\n<ul>\n<li>Trips &amp; food</li>\n</ul>")}
    assert words_to_read(view) == "What we found.\nMost of you like the club.\nTrips & food."
    easy = {**view, "easy": ["You like the club.", "We will keep it open."]}
    assert words_to_read(easy) == "What we found.\nYou like the club.\nWe will keep it open."


@needs_espeak
@pytest.mark.parametrize("lang, heading, spoken_in", [
    ("en", "What you told us", "en"), ("cy", "Beth ddywedoch chi", "cy"),
    ("ar", "What you told us", "en"),  # not translated into Arabic: read in the words' own language
])
def test_the_listen_link_gives_a_player_per_section_in_the_pages_language(app, lang, heading, spoken_in):
    written(app)
    person = Participant(app.test_client())
    page = person.get(f"{PUBLIC}?lang={lang}")
    assert players(page) == []  # Listen is chosen, never forced on
    link = re.search(r'<a href="([^"]+)">Listen to this page</a>', text_of(page))
    if lang != "en":  # the link's words are translated later: find it by its address
        link = re.search(r'<li><a href="([^"]*listen=1[^"]*)">', text_of(page))
    assert link and "lang=" + lang in link.group(1)
    listening = person.get(link.group(1))
    [url] = players(listening)
    language, words = spoken_words(app, url)
    assert language == spoken_in and words.startswith(heading + ".")
    status, mimetype, data = fetch(person, url)
    assert status == 200 and mimetype == "audio/mpeg" and len(data) > 1000
    assert data[:3] == b"ID3" or data[:2] == b"\xff\xf3"
    assert "Listen to this page" not in text_of(listening)  # already listening
    if lang == "en":  # and the players can be taken away again
        stop = re.search(r'<a href="([^"]+)">Stop listening</a>', text_of(listening)).group(1)
        assert "listen=" not in stop and "lang=en" in stop
        assert players(person.get(stop)) == []
    if lang == "en":  # the Easy Read version keeps Listen on
        easy = re.search(r'<a href="([^"]+)">Easy Read version</a>', text_of(listening)).group(1)
        [easy_url] = players(person.get(easy))
        assert spoken_words(app, easy_url)[1].endswith("We will keep it open.")


@needs_espeak
def test_listen_chosen_in_the_display_options_reads_the_easy_read_words(app):
    written(app)
    person = Participant(app.test_client())
    person.get("/formats/display")
    person.post("/formats/display", {"option": ["listen"], "next": PUBLIC})
    [full] = players(person.get(PUBLIC))
    assert "Most of you like the club." in spoken_words(app, full)[1]
    [easy] = players(person.get(f"{PUBLIC}?format=easy"))
    assert easy != full
    assert spoken_words(app, easy) == ("en", "What you told us.\nYou like the club.\nWe will keep it open.")
    assert fetch(person, easy)[:2] == (200, "audio/mpeg")


@needs_espeak
def test_the_project_page_reads_each_survey_aloud_too(app):
    written(app)
    person = Participant(app.test_client())
    [url] = players(person.get("/f/project/alpha?listen=1"))
    assert spoken_words(app, url)[1].startswith("What you told us.")


def test_only_words_a_page_showed_can_be_spoken(app):
    person = Participant(app.test_client())
    assert fetch(person, "/formats/read/" + "a" * 32 + ".mp3")[0] == 404
    assert fetch(person, "/formats/read/..%2F..%2Fsecret.mp3")[0] == 404


def test_a_language_with_no_voice_shows_no_player(app, monkeypatch):
    written(app)
    monkeypatch.setattr(speech, "voice_for", lambda language: None)
    page = Participant(app.test_client()).get(f"{PUBLIC}?listen=1")
    assert page.status_code == 200 and players(page) == [] and "Listen to this page" not in text_of(page)
    assert "Most of you" in text_of(page)


def test_blocking_accessible_formats_leaves_the_page_working_without_audio(tmp_path):
    blocked = build(make_instance(tmp_path / "instance", {"club.yaml": test_findings.CLUB}),
                    BLOCKED_PLUGINS=["accessible_formats"])
    written(blocked)
    person = Participant(blocked.test_client())
    page = person.get(f"{PUBLIC}?listen=1")
    assert page.status_code == 200 and "Most of you" in text_of(page)
    assert players(page) == [] and "Listen to this page" not in text_of(page)
    assert "Change how this looks or sounds" not in text_of(page)  # the plugin really is blocked
    assert person.get("/f/project/alpha?listen=1").status_code == 200


class Reader:
    """Another plugin reading findings aloud its own way: the contract in docs/findings.md."""

    @hookimpl
    def item_parts(self, kind, item_id, kit):
        given = kit.request_state("read_aloud").get((kind, item_id))
        if kind != "finding" or not given:
            return None
        return Markup('<p class="reader" lang="{}">{}</p>').format(given["language"], given["words"])

    @hookimpl
    def page_parts(self, slot):
        return Markup('<li class="reader-link">Hear it</li>') if slot == "findings_formats" else None


def test_any_plugin_gets_each_parts_words_and_the_formats_slot(tmp_path):
    app = build(make_instance(tmp_path / "instance", {"club.yaml": test_findings.CLUB}),
                plugins=(Reader(),), BLOCKED_PLUGINS=["accessible_formats"])
    written(app)
    page = Participant(app.test_client()).get(f"{PUBLIC}?lang=cy").get_data(as_text=True)
    heading = re.search(r'<h2 id="s-\w+">Beth ddywedoch chi</h2>', page)
    assert heading and page.index('<p class="reader" lang="cy">Beth ddywedoch chi.', heading.end()) \
        == heading.end() + 1  # just under the part's heading, in the words' language
    nav = page[page.index('<nav aria-labelledby="formats-title"'):]
    assert nav.index('<li class="reader-link">Hear it</li>') < nav.index("</nav>")
    easy = Participant(app.test_client()).get(f"{PUBLIC}?format=easy").get_data(as_text=True)
    assert ('<p class="reader" lang="en">What you told us.\nYou like the club.\nWe will keep it open.</p>'
            in easy)
    project = Participant(app.test_client()).get("/f/project/alpha").get_data(as_text=True)
    assert '<p class="reader" lang="en">What you told us.' in project
