"""Send's store work made cheaper without giving anything up (issue 22 §5).

* A participant's wrapped key, once read, is given again without the lock while
  keys.jsonl is the same file; a key destroyed here or by another process is
  never given again.
* The draft sweep reads each draft file once for both of its jobs (expired drafts,
  and the key names still in use).
* A draft and the audit head are read in four system calls, not nine (each call lets
  another busy thread take the GIL).
"""

from __future__ import annotations

import time

from consent_kit.store import EmbeddedStore
from consent_kit.store import drafts as drafts_module


def test_a_key_read_once_is_given_again_without_the_lock(store, monkeypatch):
    wanted = store.keys.get_or_create("person-a")
    calls = []
    real = type(store._keyfile.journal).locked
    monkeypatch.setattr(type(store._keyfile.journal), "locked",
                        lambda self: calls.append(self.path.name) or real(self))
    for _ in range(3):
        assert store.keys.get("person-a") == wanted
    assert calls == []


def test_a_destroyed_key_is_never_given_again(data_dir):
    here, elsewhere = EmbeddedStore(data_dir), EmbeddedStore(data_dir)  # two processes stand-in
    try:
        for name in ("person-a", "person-b", "person-c"):
            here.keys.get_or_create(name)
            assert here.keys.get(name) is not None  # read, so kept by `here`
        elsewhere.keys.destroy("person-a")  # another process: keys.jsonl is rewritten
        assert here.keys.get("person-a") is None
        here.keys.destroy("person-b")  # this process
        assert here.keys.get("person-b") is None
        assert elsewhere.keys.get("person-b") is None
        assert here.keys.get("person-c") is not None
        # This process opens the new file for some other reason, then another rewrite comes.
        with here._keyfile.journal.locked():
            assert here._keyfile.has("person-c")
        elsewhere.keys.destroy("person-c")
        assert here.keys.get("person-c") is None
    finally:
        here.close()
        elsewhere.close()


def test_keys_added_by_another_process_keep_the_kept_ones(data_dir):
    here, elsewhere = EmbeddedStore(data_dir), EmbeddedStore(data_dir)
    try:
        kept = here.keys.get_or_create("person-a")
        elsewhere.keys.get_or_create("person-new")  # an append: the same file
        assert here.keys.get("person-a") == kept
        assert here.keys.get("person-new") == elsewhere.keys.get("person-new")
    finally:
        here.close()
        elsewhere.close()


def test_the_draft_sweep_reads_each_draft_once(store, monkeypatch):
    now = time.time()
    for number in range(6):
        expires = now - 10 if number % 2 else now + 3600
        store.save_draft(f"draft-{number:02d}-abcdefghijk", {"pseudonym": f"p{number}", "answers": {}},
                         expires_at=expires)
    reads = []
    real = drafts_module._read
    monkeypatch.setattr(drafts_module, "_read", lambda path: reads.append(path.name) or real(path))
    assert store.purge_expired_drafts(now) == 3
    assert sorted(reads) == sorted(set(reads)) and len(reads) == 6
    assert store._drafts.key_names() == {"p0", "p2", "p4"}


def test_the_sweep_keeps_the_keys_of_live_drafts_and_destroys_old_unused_ones(store):
    now = time.time()
    store.save_draft("live-draft-abcdefghijk", {"pseudonym": "alive", "answers": {}}, expires_at=now + 3600)
    store.save_draft("gone-draft-abcdefghijk", {"pseudonym": "left", "answers": {}}, expires_at=now - 1)
    later = now + 3 * 24 * 3600  # past the hours a new key is kept anyway
    store.purge_expired_drafts(later - 3 * 24 * 3600 + 1)
    assert store.keys.get("alive") is not None
    store.save_draft("live-draft-abcdefghijk", {"pseudonym": "alive", "answers": {}}, expires_at=later + 3600)
    store.purge_expired_drafts(later)
    assert store.keys.get("alive") is not None and store.keys.get("left") is None


def test_small_files_are_read_whole_in_few_system_calls(tmp_path, monkeypatch):
    """read_whole (drafts, the audit head): every byte, however large; missing is FileNotFoundError."""
    import os

    import pytest

    from consent_kit.store import files

    big = tmp_path / "big.json"
    big.write_bytes(bytes(range(256)) * (3 * files.READ_CHUNK // 256 + 7))  # past several reads
    assert files.read_whole(big) == big.read_bytes()
    (tmp_path / "empty").write_bytes(b"")
    assert files.read_whole(tmp_path / "empty") == b""
    with pytest.raises(FileNotFoundError):
        files.read_whole(tmp_path / "missing")
    calls = []
    for name in ("open", "read", "close", "fstat", "lseek"):
        real = getattr(os, name)
        monkeypatch.setattr(os, name, lambda *a, _real=real, _name=name, **k:
                            calls.append(_name) or _real(*a, **k))
    small = tmp_path / "draft.json"
    small.write_bytes(b'{"data": {}}')
    assert files.read_whole(small) == b'{"data": {}}'
    assert calls == ["open", "read", "read", "close"]
