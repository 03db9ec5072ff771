"""The Store contract for uploaded files (``store.media()``): part of :class:`StoreContract`.

Kept apart from consent_kit/store/contract.py only to keep each module short;
a backend runs these by subclassing ``StoreContract`` as usual.
"""

from __future__ import annotations

import pytest

from consent_kit.store.media import MAX_BYTES, digest

#: Every byte value, and the sequences text handling is most likely to spoil.
AWKWARD = bytes(range(256)) + b"\r\n\x00\xff\xfe" * 3


class MediaContract:
    """Bytes by name, the same from every connection (the fixtures come from StoreContract)."""

    def test_media_keeps_bytes_exactly_and_replaces_by_name(self, store):
        media = store.media()
        assert media.get("pictures/a.png") is None
        assert media.put("pictures/a.png", AWKWARD) == digest(AWKWARD)
        assert media.get("pictures/a.png") == AWKWARD
        media.put("pictures/a.png", b"second")
        assert media.get("pictures/a.png") == b"second"
        media.put("pictures/empty.png", b"")
        assert media.get("pictures/empty.png") == b""

    def test_media_lists_names_and_hashes_by_prefix_and_deletes(self, store):
        media = store.media()
        media.put("rec/s1/question-q1.wav", b"one")
        media.put("rec/s1/question-q2.mp3", b"two")
        media.put("rec/s10/question-q1.wav", b"ten")
        media.put("forms/s1.yaml", b"id: s1")
        assert media.list("rec/s1/") == {"rec/s1/question-q1.wav": digest(b"one"),
                                         "rec/s1/question-q2.mp3": digest(b"two")}
        assert set(media.list()) == {"rec/s1/question-q1.wav", "rec/s1/question-q2.mp3",
                                     "rec/s10/question-q1.wav", "forms/s1.yaml"}
        assert media.delete("rec/s1/question-q1.wav") is True
        assert media.delete("rec/s1/question-q1.wav") is False
        assert media.get("rec/s1/question-q1.wav") is None
        assert list(media.list("rec/s1/")) == ["rec/s1/question-q2.mp3"]

    def test_media_put_on_one_connection_is_read_on_another(self, store, store_factory):
        store.media().put("shared/x.ogg", b"OggS-bytes")
        other = store_factory()
        try:
            assert other.media().get("shared/x.ogg") == b"OggS-bytes"
            other.media().delete("shared/x.ogg")
        finally:
            other.close()
        assert store.media().get("shared/x.ogg") is None

    @pytest.mark.parametrize("name", ["", "/etc/passwd", "a/../b", "../a", "a//b", "a/./b", "a\\b",
                                      "a/", "a\nb", ".."])
    def test_media_refuses_names_that_are_not_plain_relative_paths(self, store, name):
        with pytest.raises(ValueError):
            store.media().put(name, b"x")

    def test_media_refuses_a_file_over_the_limit(self, store):
        with pytest.raises(ValueError):
            store.media().put("big.bin", b"\0" * (MAX_BYTES + 1))
        assert store.media().get("big.bin") is None
