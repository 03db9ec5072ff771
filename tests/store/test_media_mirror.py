"""MediaMirror: a folder kept in line with a shared store's files, and left alone on one server."""

from __future__ import annotations

import pytest

from consent_kit.store import EmbeddedStore
from consent_kit.store.media import MediaMirror


@pytest.fixture
def store(tmp_path):
    opened = EmbeddedStore(str(tmp_path / "data"))
    yield opened
    opened.close()


@pytest.fixture
def shared(store):
    store.shared = True  # as if several servers used it (the media API is the same)
    return store


def test_on_one_server_the_folder_is_the_store_and_nothing_goes_into_the_store(store, tmp_path):
    mirror = MediaMirror(store, "rec/", tmp_path / "a")
    path = mirror.write("s/question-q1.wav", b"RIFF....WAVE")
    assert path.read_bytes() == b"RIFF....WAVE"
    assert store.media().list() == {}
    assert mirror.path("s/question-q1.wav") == path
    assert mirror.sync() is False
    assert mirror.remove("s/question-q1.wav") is True
    assert mirror.path("s/question-q1.wav") is None


def test_a_file_written_on_one_server_is_read_on_another(shared, tmp_path):
    one, two = MediaMirror(shared, "rec/", tmp_path / "a"), MediaMirror(shared, "rec/", tmp_path / "b")
    one.write("s/question-q1.wav", b"first")
    assert set(shared.media().list()) == {"rec/s/question-q1.wav"}
    found = two.path("s/question-q1.wav")
    assert found == tmp_path / "b" / "s" / "question-q1.wav" and found.read_bytes() == b"first"
    one.write("s/question-q1.wav", b"second, longer")
    assert two.path("s/question-q1.wav").read_bytes() == b"second, longer"  # replaced there too
    one.remove("s/question-q1.wav")
    assert two.path("s/question-q1.wav") is None  # deleted on the other server: not served


def test_sync_brings_the_folder_in_line_and_leaves_hand_placed_files_alone(shared, tmp_path):
    one, two = MediaMirror(shared, "forms/", tmp_path / "a"), MediaMirror(shared, "forms/", tmp_path / "b")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "mine.yaml").write_text("id: mine")  # put there by hand, on this server only
    one.write("quick.yaml", b"id: quick\n")
    one.write("pictures/quick/q1-1234abcd.png", b"\x89PNG")
    assert two.sync() is True
    assert (tmp_path / "b" / "quick.yaml").read_bytes() == b"id: quick\n"
    assert (tmp_path / "b" / "pictures" / "quick" / "q1-1234abcd.png").read_bytes() == b"\x89PNG"
    assert two.sync() is False  # nothing new: nothing written
    (tmp_path / "b" / "quick.yaml").write_text("id: quick\nstatus: closed\n")  # edited by hand
    assert two.sync() is True  # a file the studio published: the store's copy wins
    assert (tmp_path / "b" / "quick.yaml").read_bytes() == b"id: quick\n"
    assert (tmp_path / "b" / "mine.yaml").read_text() == "id: mine"
    assert "forms/mine.yaml" not in shared.media().list()
