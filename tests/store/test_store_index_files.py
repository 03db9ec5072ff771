"""The consent, key and audit indexes kept on disk too (issue 22): a start reads only new lines.

With real Sends every participant has a consent line, a key line and an audit
entry, and each server process used to read all three files at every start
(1.9 s of CPU at 100,000 people, about 19 s at a million). Each now keeps its
index beside it as ``responses.index`` does (``index_file.py``): a cache, used
only when it matches the file exactly, deleted when a withdrawal rewrites the
file. Each test compares what a start from the index holds with a full reading.
"""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consent_kit.store import EmbeddedStore, WithdrawnConsent
from consent_kit.store import journal as journal_module
from consent_kit.store.audit import AuditLog
from consent_kit.store.consents import ConsentLog
from consent_kit.store.contract import AT, consent, response
from consent_kit.store.keys import KeyFile
from consent_kit.store.offset_table import id_key

EVERY = 5  # lines between saves in these tests (20,000 in use)


@pytest.fixture(autouse=True)
def save_often(monkeypatch):
    monkeypatch.setattr(journal_module, "SAVE_EVERY", EVERY)


def fill_consents(path, count, start=0):
    log = ConsentLog(path)
    for n in range(start, start + count):
        log.add(consent(f"p{n:03d}", code_hash=f"{n:064x}", agreed=("share", "quote")[: 1 + n % 2],
                        declined=()))
        if n % 4 == 1:
            log.change(consent(f"p{n:03d}", agreed=(), declined=("share", "quote"), changed_at=AT))
    return log


def fill_keys(path, count, start=0):
    keys = KeyFile(path)
    for n in range(start, start + count):
        keys.add(f"p{n:03d}", bytes([n % 256]) * 40)
    return keys


def fill_audit(path, count, start=0):
    audit = AuditLog(path)
    for n in range(start, start + count):
        audit.append(actor=f"p{n:03d}", action="consent_withdrawn" if n % 5 == 2 else "consent_given")
    return audit


#: Each kind of file: the class that keeps it, and how to fill it with ``count`` lines' worth.
KINDS = {"consents": (ConsentLog, fill_consents), "keys": (KeyFile, fill_keys),
         "audit": (AuditLog, fill_audit)}


def follower(log):
    return log.chain if isinstance(log, AuditLog) else log.index


def state(log) -> list[bytes]:
    with log.journal.locked():
        return follower(log).snapshot()


def full_reading(kind, path) -> list[bytes]:
    """What reading the whole file gives, with the index file set aside."""
    log = KINDS[kind][0](path)
    log.journal._index_file = None
    try:
        return state(log)
    finally:
        log.close()


def opened(kind, path, monkeypatch) -> tuple[object, list[int]]:
    """A new log of ``kind`` on ``path``, and the offsets of the lines it read from the file."""
    read = []
    log = KINDS[kind][0](path)
    original = follower(log).apply

    def apply(record, offset):
        read.append(offset)
        original(record, offset)

    monkeypatch.setattr(follower(log), "apply", apply)
    with log.journal.locked():
        pass
    return log, read


@pytest.mark.parametrize("kind", KINDS)
def test_a_kept_index_is_used_and_equals_a_full_reading(tmp_path, monkeypatch, kind):
    path = tmp_path / f"{kind}.jsonl"
    KINDS[kind][1](path, 12).close()
    index = path.with_suffix(".index")
    assert index.exists() and index.stat().st_mode & 0o777 == 0o600
    log, read = opened(kind, path, monkeypatch)
    lines = path.read_bytes().count(b"\n")
    assert len(read) < lines  # only the lines after the last save
    assert state(log) == full_reading(kind, path)
    log.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_index_is_never_trusted(tmp_path, monkeypatch, caplog, kind):
    path = tmp_path / f"{kind}.jsonl"
    KINDS[kind][1](path, 12).close()
    index = path.with_suffix(".index")
    data = bytearray(index.read_bytes())
    data[-3] ^= 0x01
    index.write_bytes(bytes(data))
    with caplog.at_level(logging.INFO):
        log, read = opened(kind, path, monkeypatch)
    assert len(read) == path.read_bytes().count(b"\n")  # every line read again
    assert f"Not using {kind}.index" in caplog.text and f"reading {kind}.jsonl again" in caplog.text
    assert state(log) == full_reading(kind, path)
    log.close()


@pytest.mark.parametrize("kind", KINDS)
def test_lines_added_after_the_index_are_read(tmp_path, monkeypatch, kind):
    path = tmp_path / f"{kind}.jsonl"
    KINDS[kind][1](path, 10).close()
    kept = path.with_suffix(".index").read_bytes()
    monkeypatch.setattr(journal_module, "SAVE_EVERY", 10**9)  # this other process doesn't save
    KINDS[kind][1](path, 3, start=10).close()
    assert path.with_suffix(".index").read_bytes() == kept
    log, read = opened(kind, path, monkeypatch)
    assert 3 <= len(read) < path.read_bytes().count(b"\n")
    assert state(log) == full_reading(kind, path)
    log.close()


def test_the_consent_index_answers_as_a_full_reading_does(tmp_path, monkeypatch):
    path = tmp_path / "consents.jsonl"
    fill_consents(path, 12).close()
    log, _ = opened("consents", path, monkeypatch)
    assert log.counts("pilot") == {"given": 12, "active": 12, "withdrawn": 0,
                                   "agreed": {"share": 9, "quote": 3}}
    assert log.get("p001").agreed == () and log.get("p001").declined == ("share", "quote")
    assert log.get("p002").agreed == ("share",) and log.by_code_hash(f"{7:064x}").pseudonym == "p007"
    assert log.add(consent("p003"))[1] is False  # still known
    log.close()


def _read_if_there(path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def test_a_withdrawal_replaces_the_consent_and_key_indexes(tmp_path):
    # They hold the hash of each pseudonym (never the pseudonym itself): the ones written after a
    # withdrawal must not hold the person's.
    data = tmp_path / "data"
    store = _store_with_people(data, 8)
    gone = f"{3:032x}"
    person = id_key(gone).to_bytes(8, "little")
    for name in ("keys", "consents", "responses"):
        kept = (data / f"{name}.index").read_bytes()
        assert person in kept and gone.encode() not in kept, name
    store.withdraw(gone, at=AT, audit={"actor": gone, "action": "consent_withdrawn", "subject": "pilot"})
    store.close()
    for name in ("keys", "consents", "responses"):
        assert person not in _read_if_there(data / f"{name}.index"), name
    consents_index = _read_if_there(data / "consents.index")
    assert id_key(f"{3:064x}").to_bytes(8, "little") not in consents_index  # the withdrawal code went too
    assert gone.encode() in consents_index  # who withdrew (not what they said): for counts and retries
    again = EmbeddedStore(data)
    assert again.consent_counts("pilot")["withdrawn"] == 1 and again.get_consent(gone) is None
    assert again.consent_by_code_hash(f"{3:064x}") is None
    with again._consents.journal.locked():
        codes = again._consents.index.by_code
        assert f"{3:064x}" not in codes and f"{4:064x}" in codes
    assert again.consent_by_code_hash(f"{4:064x}").pseudonym == f"{4:032x}"
    assert again.keys.get(gone) is None and again.keys.get(f"{4:032x}") is not None
    assert again.verify_audit() == []
    again.close()


def test_the_store_starts_from_every_index_and_reads_only_new_lines(tmp_path, monkeypatch):
    data = tmp_path / "data"
    store = _store_with_people(data, 12)
    store.close()
    for name in ("responses", "consents", "keys", "audit"):
        assert (data / f"{name}.index").exists(), name
    read = []
    original = journal_module.decode
    monkeypatch.setattr(journal_module, "decode", lambda raw, **kw: read.append(raw) or original(raw, **kw))
    again = EmbeddedStore(data)
    assert again.count_responses() == 12 and again.consent_counts("pilot")["active"] == 12
    assert len(read) < 4 * 12 / 2  # most lines of the four files are not read again
    pseudonym = f"{12:032x}"
    again.add_submission(consent(pseudonym), _response(12, pseudonym),
                         audit={"actor": pseudonym, "action": "consent_given", "subject": "pilot"})
    assert again.verify_audit() == []
    again.close()


def _response(n, pseudonym):
    return response(f"r{n:03d}", pseudonym)


def _store_with_people(data, count: int) -> EmbeddedStore:
    """A store where ``count`` people sent answers as "Send" does (consent with a code, audit entry)."""
    store = EmbeddedStore(data)
    for n in range(count):
        _send(store, f"{n:032x}", n, n)
    return store


@pytest.mark.parametrize("kind", KINDS)
def test_an_index_of_the_whole_file_is_all_a_start_needs(tmp_path, monkeypatch, kind):
    # Nothing after the index to read: whatever the start knows came from the index alone.
    path = tmp_path / f"{kind}.jsonl"
    KINDS[kind][1](path, 12).close()
    first, _ = opened(kind, path, monkeypatch)
    first.journal._index_file.save(first.journal._offset, first.journal._crc, first.journal.damaged,
                                   follower(first))  # as of the very end of the file
    first.close()
    log, read = opened(kind, path, monkeypatch)
    assert read == []
    assert state(log) == full_reading(kind, path)
    log.close()


@pytest.mark.parametrize("number", [-1, 0, 99])
def test_an_index_that_points_outside_its_own_values_is_not_used(tmp_path, monkeypatch, number):
    # Made by hand or by a bug, with every checksum right: a choices number of -1 would quietly
    # pick the last value in Python, so it is refused, and the file is read instead.
    path = tmp_path / "consents.jsonl"
    log = fill_consents(path, 12)
    with log.journal.locked():
        parts = log.index.snapshot()  # hashes, offsets, each person's choices number, ...
        from array import array

        bad = array("i")
        bad.frombytes(parts[2])
        bad[next(n for n, value in enumerate(bad) if value)] = number
        log.journal._index_file.save(log.journal._offset, log.journal._crc, log.journal.damaged,
                                     _Parts([*parts[:2], bad.tobytes(), *parts[3:]]))
    log.close()
    again, read = opened("consents", path, monkeypatch)
    assert len(read) == path.read_bytes().count(b"\n")
    assert again.counts("pilot")["given"] == 12
    again.close()


@pytest.mark.parametrize("change", [{"-1": ["2026-11-28T10:00:00Z", [700]]}, {"x": ["", [700]]},
                                    {"0": ["2026-11-28T10:00:00Z", [-5]]}, {"0": ["", "700"]},
                                    {"0": ["", [0]]}])
def test_an_index_with_a_change_that_cant_be_is_not_used(tmp_path, monkeypatch, change):
    # The few people with a change are kept by where their consent line is: a place that can't
    # be a line, or a change that isn't after the consent it changes, is refused, and the file
    # is read instead.
    import orjson

    path = tmp_path / "consents.jsonl"
    log = fill_consents(path, 12)
    with log.journal.locked():
        parts = log.index.snapshot()
        rest = orjson.loads(parts[-1])
        rest["changes"] = change
        log.journal._index_file.save(log.journal._offset, log.journal._crc, log.journal.damaged,
                                     _Parts([*parts[:-1], orjson.dumps(rest)]))
    log.close()
    again, read = opened("consents", path, monkeypatch)
    assert len(read) == path.read_bytes().count(b"\n")
    assert state(again) == full_reading("consents", path)
    again.close()


class _Parts:
    """A follower whose snapshot is the given parts (to write a chosen index file)."""

    def __init__(self, parts):
        self.parts = parts

    def snapshot(self):
        return self.parts


def _swap_first_two(keys: bytes, offsets: bytes) -> bytes:
    """The offsets column with p000's and p001's places swapped."""
    from array import array

    hashes, column = array("Q"), array("I" if len(offsets) * 2 == len(keys) else "q")  # 4 or 8 bytes
    hashes.frombytes(keys)
    column.frombytes(offsets)
    first, second = (hashes.index(id_key(name)) for name in ("p000", "p001"))
    column[first], column[second] = column[second], column[first]
    return column.tobytes()


@pytest.mark.parametrize("kind", ["consents", "keys"])
def test_an_index_pointing_at_someone_elses_line_is_found_out(tmp_path, monkeypatch, caplog, kind):
    # Every checksum right, but two people's places swapped (a bug, or a hand-made file):
    # one person's key or consent must never be given for another's.
    path = tmp_path / f"{kind}.jsonl"
    log = KINDS[kind][1](path, 12)
    with log.journal.locked():
        keys, offsets, *rest = follower(log).snapshot()
        log.journal._index_file.save(log.journal._offset, log.journal._crc, log.journal.damaged,
                                     _Parts([keys, _swap_first_two(keys, offsets), *rest]))
    log.close()
    log, _ = opened(kind, path, monkeypatch)
    with caplog.at_level(logging.ERROR):
        if kind == "keys":
            assert log.load("p000") == bytes([0]) * 40 and log.load("p001") == bytes([1]) * 40
        else:
            assert log.get("p000").pseudonym == "p000" and log.get("p001").pseudonym == "p001"
    assert "pointed at the wrong line" in caplog.text
    assert state(log) == full_reading(kind, path)
    log.close()


def test_the_key_sweep_reads_only_the_lines_of_the_names_it_asks_about(tmp_path, monkeypatch, caplog):
    # The unused-key sweep decides by a line's "made" hour what to destroy: it must be that key's line.
    path = tmp_path / "keys.jsonl"
    log = fill_keys(path, 12)
    with log.journal.locked():
        keys, offsets, *rest = log.index.snapshot()
        log.journal._index_file.save(log.journal._offset, log.journal._crc, log.journal.damaged,
                                     _Parts([keys, _swap_first_two(keys, offsets), *rest]))
    log.close()
    log, _ = opened("keys", path, monkeypatch)
    with caplog.at_level(logging.ERROR):
        assert log.made_before(["p001", "nobody"], when=4_000_000_000) == ["p001"]
    assert "pointed at the wrong line" in caplog.text
    assert state(log) == full_reading("keys", path)
    log.close()


def test_a_name_without_a_key_is_looked_up_quietly(tmp_path, caplog):
    # Every new participant's key is looked for before it is made: that is not a damaged line.
    keys = KeyFile(tmp_path / "keys.jsonl")
    with caplog.at_level(logging.WARNING):
        assert keys.load("new-person") is None
        assert keys.add("new-person", b"k" * 40) == b"k" * 40
        assert keys.load("new-person") == b"k" * 40
    assert caplog.records == []
    keys.close()


# -- random use: whatever happened, a start from the index files knows what a full reading knows --

STEPS = st.lists(st.tuples(st.sampled_from(["send", "change", "withdraw", "reopen"]), st.integers(0, 7)),
                 min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, every=st.integers(1, 6))
def test_random_use_then_a_start_from_the_index_files_agrees_with_a_full_reading(tmp_path_factory, steps,
                                                                                 every):
    data = tmp_path_factory.mktemp("data")
    saved = journal_module.SAVE_EVERY
    journal_module.SAVE_EVERY = every
    try:
        store = EmbeddedStore(data)
        for n, (step, who) in enumerate(steps):
            store = _take_step(store, data, step, who, n)
        store.close()
        kept = EmbeddedStore(data)
        for name, log in {"responses": kept._responses, "consents": kept._consents, "keys": kept._keyfile,
                          "audit": kept._audit}.items():
            with log.journal.locked():
                from_files = follower(log).snapshot()
            log.journal._index_file = None
            log.journal.close()  # the next locked() reads the whole file
            with log.journal.locked():
                assert follower(log).snapshot() == from_files, name
        assert kept.verify_audit() == []
        # Nothing crashed, so nothing is put back: a start that forgot who withdrew would write
        # their withdrawal's audit entry a second time.
        assert not [e for e in kept.iter_audit() if e["details"].get("put_back")]
        kept.close()
    finally:
        journal_module.SAVE_EVERY = saved


def _take_step(store, data, step: str, who: int, n: int) -> EmbeddedStore:
    """One thing a participant or a server does; returns the store to go on with."""
    pseudonym = f"{who:032x}"
    if step == "send":
        try:
            _send(store, pseudonym, who, n)
        except WithdrawnConsent:
            pass  # a withdrawn person's answers are refused, as they should be
    elif step == "change" and store.get_consent(pseudonym) is not None:
        changed = consent(pseudonym, code_hash=f"{who:064x}", agreed=(), declined=("share", "quote"),
                          changed_at=AT)
        store.change_consent(changed)
    elif step == "withdraw":
        store.withdraw(pseudonym, at=AT, audit={"actor": pseudonym, "action": "consent_withdrawn",
                                                "subject": "pilot"})
    elif step == "reopen":
        store.close()
        store = EmbeddedStore(data)
    return store


def _send(store, pseudonym: str, code: int, n: int) -> None:
    store.add_submission(consent(pseudonym, code_hash=f"{code:064x}"), _response(n, pseudonym),
                         audit={"actor": pseudonym, "action": "consent_given", "subject": "pilot"})
