"""'Listen' audio is a small MP3 every phone browser plays, measured for every example question.

Issue 15 item 12.
"""

from __future__ import annotations

import pytest
from consent_kit_plugins.accessible_formats import speech
from consent_kit_plugins.accessible_formats.texts import words_to_read

from consent_kit.app import create_app
from consent_kit.testing import make_instance

pytestmark = pytest.mark.skipif(speech.program() is None,
                                reason="needs espeak-ng (make test installs it)")
LIMIT = 60 * 1024  # bytes for one question
#: MPEG-2 layer III (the "LSF" half of MP3): sample rate index -> samples a second.
MPEG2_RATES = {0: 22_050, 1: 24_000, 2: 16_000}


def frame_header(data: bytes) -> dict:
    """What the first MP3 frame says about itself (after any ID3 tag)."""
    if data[:3] == b"ID3":
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
        data = data[10 + size:]
    assert data[0] == 0xFF and data[1] & 0xE0 == 0xE0, "no MP3 frame sync"
    version, layer = (data[1] >> 3) & 0b11, (data[1] >> 1) & 0b11
    return {"mpeg2": version == 0b10, "layer3": layer == 0b01,
            "rate": MPEG2_RATES.get((data[2] >> 2) & 0b11), "mono": data[3] >> 6 == 0b11}


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    folder = make_instance(tmp_path_factory.mktemp("instance"), examples=True)
    app = create_app({"TESTING": True}, instance=folder, load_entrypoints=False)
    surveys = app.extensions["consent_kit"].catalog.open_surveys()
    assert len(surveys) >= 2
    return surveys


def test_every_example_question_is_a_small_mp3(examples, tmp_path):
    sizes = {}
    for survey in examples:
        for question in survey.questions:
            path = speech.speak(words_to_read("question", question), survey.language, tmp_path)
            data = path.read_bytes()
            assert path.suffix == ".mp3"
            assert frame_header(data) == {"mpeg2": True, "layer3": True, "rate": 16_000,
                                          "mono": True}
            sizes[f"{survey.id}/{question.id}"] = len(data)
    assert len(sizes) >= 10
    too_big = {name: size for name, size in sizes.items() if size >= LIMIT}
    assert not too_big, too_big
    print(f"\n{len(sizes)} questions: largest {max(sizes.values()) / 1024:.1f} KB, "
          f"mean {sum(sizes.values()) / len(sizes) / 1024:.1f} KB")


def test_a_long_text_drops_to_the_lower_rate_and_stays_under_the_limit(tmp_path):
    # About 25 seconds read aloud: at the usual rate it would pass the limit.
    long = " ".join(["Tell us what you think about the youth club and the people there."] * 6)
    data = speech.speak(long, "en", tmp_path).read_bytes()
    assert len(data) < LIMIT and frame_header(data)["rate"] == 16_000


def test_the_same_words_are_spoken_once(tmp_path):
    first = speech.speak("Do you like the club?", "en", tmp_path)
    modified = first.stat().st_mtime_ns
    again = speech.speak("Do you like the club?", "en", tmp_path)
    assert again == first and again.stat().st_mtime_ns == modified
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no sound or part files left
