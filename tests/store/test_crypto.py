"""crypto.py and keys.jsonl on their own: sealing, data keys, the instance key (issue 16 §4)."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading

import pytest

from consent_kit.store import StoreError, crypto
from consent_kit.store.crypto import (
    CHECK_NAME,
    ParticipantKeys,
    UnreadableData,
    instance_key,
    new_key,
    new_key_text,
    seal,
    unseal,
)
from consent_kit.store.keys import KeyFile

CANARY = "canary-3f1d9c"
#: What a person may be shown when sealed data can't be read: plain words, no cryptography.
JARGON = ("tag", "aes", "gcm", "cipher", "decrypt", "nonce", "base64", "token")


def _plain(error: StoreError) -> None:
    words = str(error).lower()
    assert "please tell the researchers" in words
    assert not any(term in words.split() or term in words for term in JARGON), words


@pytest.fixture
def keys(tmp_path) -> ParticipantKeys:
    return ParticipantKeys(KeyFile(tmp_path / "keys.jsonl"), new_key())


# -- sealing values ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [{"q1": CANARY, "q2": [1, 2.5, None, True]}, "ünïcødé ✓", [], 0, 2**70])
def test_a_sealed_value_opens_to_the_same_value(value):
    key = new_key()
    token = seal(key, value, aad="response:a")
    assert token.startswith("ck1:")
    assert unseal(key, token, aad="response:a") == value


def test_sealing_hides_the_value_and_never_repeats_itself():
    key = new_key()
    first, second = seal(key, {"q": CANARY}, aad="x"), seal(key, {"q": CANARY}, aad="x")
    assert first != second  # a fresh nonce each time: equal answers don't look equal
    for token in (first, second):
        assert CANARY not in token
        assert CANARY.encode() not in base64.urlsafe_b64decode(token[4:])


def test_a_wrong_key_is_refused_with_a_plain_store_error():
    token = seal(new_key(), {"q": CANARY}, aad="response:a")
    with pytest.raises(StoreError) as caught:
        unseal(new_key(), token, aad="response:a")
    assert isinstance(caught.value, UnreadableData) and caught.value.reason == "unreadable"
    _plain(caught.value)


def test_a_token_moved_to_another_record_is_refused():
    key = new_key()
    token = seal(key, {"q": CANARY}, aad="response:a")
    with pytest.raises(UnreadableData):
        unseal(key, token, aad="response:b")


@pytest.mark.parametrize("where", [0, 11, 12, 20, -16, -1])  # nonce, ciphertext, tag
def test_any_changed_byte_is_refused(where):
    key = new_key()
    blob = bytearray(base64.urlsafe_b64decode(seal(key, {"q": CANARY}, aad="a")[4:]))
    blob[where] ^= 0x01
    changed = "ck1:" + base64.urlsafe_b64encode(bytes(blob)).decode()
    with pytest.raises(UnreadableData):
        unseal(key, changed, aad="a")


@pytest.mark.parametrize("token", ["", "ck1:", "ck1:!!!", "ck2:" + "A" * 60, "plain", None, "ck1:" + "A" * 8])
def test_things_that_are_not_tokens_are_refused(token):
    with pytest.raises(UnreadableData):
        unseal(new_key(), token, aad="a")


# -- data keys ------------------------------------------------------------------------------


def test_a_participant_key_is_made_once_and_kept(keys, tmp_path):
    first = keys.get_or_create("p1")
    assert len(first) == 32
    assert keys.get_or_create("p1") == first and keys.get("p1") == first
    assert keys.get_or_create("p2") != first
    assert keys.get("nobody") is None
    # Another process (its own index and cache) sees the same key.
    other = ParticipantKeys(KeyFile(tmp_path / "keys.jsonl"), keys._instance_key)
    assert other.get("p1") == first


def test_keys_are_kept_wrapped_never_as_they_are(keys, tmp_path):
    key = keys.get_or_create("p1")
    raw = (tmp_path / "keys.jsonl").read_bytes()
    assert key not in raw and base64.b64encode(key) not in raw and key.hex().encode() not in raw
    line = json.loads(raw.splitlines()[-1])
    assert line["name"] == "p1" and len(base64.b64decode(line["key"])) == 12 + 32 + 16


def test_a_destroyed_key_is_gone_for_every_process(keys, tmp_path):
    other = ParticipantKeys(KeyFile(tmp_path / "keys.jsonl"), keys._instance_key)
    token = seal(keys.get_or_create("p1"), CANARY, aad="a")
    assert unseal(other.get("p1"), token, aad="a") == CANARY  # now in the other's cache too
    assert keys.destroy("p1") is True
    assert other.get("p1") is None  # the cache is never used for a key the file no longer has
    assert keys.destroy("p1") is False
    new = other.get_or_create("p1")  # a name used again gets a new key: the old data stays shut
    with pytest.raises(UnreadableData):
        unseal(new, token, aad="a")


def test_two_processes_making_one_key_at_once_agree(tmp_path):
    ikey = new_key()
    found, barrier = [], threading.Barrier(8)

    def make():
        own = ParticipantKeys(KeyFile(tmp_path / "keys.jsonl"), ikey)
        barrier.wait()
        found.append(own.get_or_create("p1"))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(found) == 8 and len(set(found)) == 1
    assert (tmp_path / "keys.jsonl").read_bytes().count(b'"name":"p1"') == 1


def test_a_key_line_moved_to_another_name_does_not_open(keys, tmp_path):
    keys.get_or_create("p1")
    keys.get_or_create("p2")
    path = tmp_path / "keys.jsonl"
    lines = [json.loads(line) for line in path.read_bytes().splitlines()]
    swapped = [{**line, "key": lines[0]["key"]} if line["name"] == "p2" else line for line in lines]  # p1's
    path.write_text("".join(json.dumps({k: v for k, v in ln.items() if k != "~"}) + "\n" for ln in swapped))
    fresh = ParticipantKeys(KeyFile(path), keys._instance_key)
    assert fresh.get("p1") == keys.get("p1")
    with pytest.raises(UnreadableData):
        fresh.get("p2")


def test_the_check_key_catches_a_changed_instance_key(keys, tmp_path):
    keys.check()
    keys.check()  # the same key again: fine
    changed = ParticipantKeys(KeyFile(tmp_path / "keys.jsonl"), new_key())
    with pytest.raises(StoreError) as caught:
        changed.check()
    assert caught.value.reason == "bad_key"
    _plain(caught.value)
    assert CHECK_NAME.startswith("~")  # never a pseudonym (32 hex digits)


@pytest.mark.parametrize("name", ["", "x" * 201, None])
def test_invalid_key_names_are_refused(keys, name):
    with pytest.raises(ValueError):
        keys.get_or_create(name)


# -- the instance key -------------------------------------------------------------------------


def test_the_instance_key_file_is_made_once_for_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.delenv(crypto.ENV_KEY_FILE, raising=False)
    first = instance_key(tmp_path)
    path = tmp_path / "store.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert instance_key(tmp_path) == first
    assert [p.name for p in tmp_path.iterdir()] == ["store.key"]  # no temporary file left


def test_processes_starting_together_share_one_instance_key(tmp_path, monkeypatch):
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.delenv(crypto.ENV_KEY_FILE, raising=False)
    found, barrier = [], threading.Barrier(8)

    def start():
        barrier.wait()
        found.append(instance_key(tmp_path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(found) == 8 and len(set(found)) == 1


def test_the_instance_key_can_live_outside_the_data_folder(tmp_path, monkeypatch):
    text = new_key_text()
    monkeypatch.setenv(crypto.ENV_KEY, text)
    assert instance_key(tmp_path / "data") == base64.b64decode(text)
    assert not (tmp_path / "data").exists()
    monkeypatch.delenv(crypto.ENV_KEY)
    monkeypatch.setenv(crypto.ENV_KEY_FILE, str(tmp_path / "elsewhere.key"))
    made = instance_key(tmp_path / "data")
    assert (tmp_path / "elsewhere.key").exists() and instance_key(tmp_path) == made
    assert instance_key(tmp_path, key=text) == base64.b64decode(text)  # config wins


@pytest.mark.parametrize("text", ["not a key", base64.b64encode(b"short").decode(), "A" * 45])
def test_a_bad_instance_key_is_a_plain_error(tmp_path, text):
    with pytest.raises(StoreError) as caught:
        instance_key(tmp_path, key=text)
    assert caught.value.reason == "bad_key"
    _plain(caught.value)
    (tmp_path / "bad.key").write_text(text)
    with pytest.raises(StoreError):
        instance_key(tmp_path, key_file=tmp_path / "bad.key")


def test_url_safe_and_spaced_key_text_is_accepted():
    key = os.urandom(32)
    assert crypto.parse_key_text(base64.urlsafe_b64encode(key).decode() + "\n") == key
