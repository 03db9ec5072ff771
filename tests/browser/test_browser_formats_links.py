"""In Chromium: the options page never sends people to another site, and Listen's MP3 plays.

Issue 23 item 3 found a Back link that Chromium followed to evil.example (a tab in the
address, which browsers drop); issue 15 item 12 asked for audio every phone browser plays.
Every context here aborts (and fails the test on) any request that leaves 127.0.0.1.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from consent_kit_plugins.accessible_formats import speech

SURVEY = "/s/formats-demo"
HOSTILE = ["/%09/evil.example/phish", "/\t/evil.example/phish", "//evil.example/x",
           "/\\evil.example/x", "https://evil.example/"]


@pytest.mark.parametrize("target", HOSTILE)
def test_back_and_save_stay_on_this_site(page, live_server, target):
    page.goto(f"{live_server}{SURVEY}/formats?next={quote(target, safe='/%')}")
    page.locator("a.back").click()
    page.wait_for_load_state()
    assert urlsplit(page.url)[1:3] == (urlsplit(live_server).netloc, SURVEY)

    page.goto(f"{live_server}{SURVEY}/formats")
    # What a crafted form would send: the page's own form, with "next" set by the attacker.
    page.locator("form.af-options").evaluate(
        "(form, target) => { const field = document.createElement('input'); field.type = 'hidden';"
        " field.name = 'next'; field.value = target; form.append(field); }", target)
    page.get_by_role("button", name="Save these choices").click()
    page.wait_for_load_state()
    assert urlsplit(page.url)[1:3] == (urlsplit(live_server).netloc, SURVEY)


@pytest.mark.skipif(speech.program() is None, reason="needs espeak-ng (make test installs it)")
def test_listen_audio_plays_in_chromium(page, live_server):
    page.goto(f"{live_server}{SURVEY}")
    found = page.evaluate(
        """src => new Promise(done => {
             const audio = new Audio();
             audio.addEventListener('loadedmetadata', () => done([audio.canPlayType('audio/mpeg'),
                                                                  audio.duration]));
             audio.addEventListener('error', () => done(['error', audio.error && audio.error.code]));
             audio.src = src;
           })""",
        f"{SURVEY}/formats/listen/question/likes")
    assert found[0] in ("probably", "maybe") and found[1] > 1  # seconds of speech, decoded
