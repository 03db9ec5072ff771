"""The per-address limits, counted in the store so every worker and server shares them (issue 21 §4)."""

from __future__ import annotations

import json
import multiprocessing

import pytest

from consent_kit.store import EmbeddedStore
from consent_kit.store.base import StoreError
from consent_kit.web.ratelimit import TABLE, SharedAttempts, one_network

MINUTE = 60.0
START = 1_800_000_000.0  # the start of a window (a multiple of 60)


@pytest.fixture
def store(tmp_path):
    with EmbeddedStore(tmp_path / "data") as store:
        yield store


def limit_on(store, name="codes", limit=3, window=MINUTE, secret=b"s") -> SharedAttempts:
    return SharedAttempts(name, limit, window, documents=lambda: store.documents(TABLE), secret=secret)


def test_up_to_the_limit_in_a_window_then_refused_until_the_next(store):
    attempts = limit_on(store)
    assert [attempts.allow("a", now=START + t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert attempts.allow("a", now=START + 59.9) is False  # still the same window


def test_another_address_is_counted_apart(store):
    attempts = limit_on(store)
    for t in range(4):
        attempts.allow("a", now=START + t)
    assert attempts.allow("b", now=START + 4)


def test_the_next_window_starts_a_new_count(store):
    attempts = limit_on(store)
    for t in range(4):
        attempts.allow("a", now=START + t)
    assert attempts.allow("a", now=START + MINUTE)


def test_two_workers_share_one_count(store):
    """Two processes' limits over one store: together they get the limit, not twice it."""
    first, second = limit_on(store), limit_on(store)
    answers = [(first if n % 2 else second).allow("a", now=START + n) for n in range(6)]
    assert answers == [True, True, True, False, False, False]


def test_the_limits_are_counted_apart_by_name(store):
    codes, starts = limit_on(store, "codes"), limit_on(store, "starts")
    for t in range(3):
        codes.allow("a", now=START + t)
    assert codes.allow("a", now=START + 3) is False
    assert starts.allow("a", now=START + 3)


def test_one_small_document_per_address_and_window(store):
    attempts = limit_on(store, limit=100)
    for t in range(50):
        attempts.allow("a", now=START + t)
    documents = store.documents(TABLE).find()
    assert len(documents) == 1 and documents[0]["count"] == 50


def test_ended_windows_are_removed_when_a_new_one_starts(store):
    attempts = limit_on(store)
    for n in range(5):
        attempts.allow(f"10.0.0.{n}", now=START)
    attempts.allow("10.0.0.9", now=START + 2 * MINUTE)
    windows = {doc["window"] for doc in store.documents(TABLE).find()}
    assert windows == {int((START + 2 * MINUTE) // MINUTE)}


def test_other_limits_documents_are_not_swept(store):
    codes, starts = limit_on(store, "codes"), limit_on(store, "starts", window=15 * MINUTE)
    starts.allow("a", now=START)
    codes.allow("a", now=START + 2 * MINUTE)
    assert {doc["limit"] for doc in store.documents(TABLE).find()} == {"codes", "starts"}


def test_the_address_is_not_written_down_as_typed(store, tmp_path):
    limit_on(store).allow("198.51.100.7", now=START)
    limit_on(store, "sign_in").allow("user:rae", now=START)
    written = (tmp_path / "data" / "tables.json").read_text()
    assert "198.51.100" not in written and "rae" not in written
    assert len(json.loads(written)[TABLE]) == 2


def test_one_ipv6_network_is_one_address(store):
    """A phone may use any address of its /64: changing it doesn't give more tries."""
    attempts = limit_on(store, limit=2)
    assert attempts.allow("2001:db8:1:2::1", now=START)
    assert attempts.allow("2001:db8:1:2:ffff::9", now=START)
    assert attempts.allow("2001:db8:1:2:abcd::5", now=START) is False
    assert attempts.allow("2001:db8:1:3::1", now=START)  # the next network is another household


@pytest.mark.parametrize("key, counted_as", [
    ("2001:db8::7", "2001:db8::/64"),
    ("address:2001:db8:0:0:1::7", "address:2001:db8::/64"),
    ("198.51.100.7", "198.51.100.7"),
    ("address:198.51.100.7", "address:198.51.100.7"),
    ("::ffff:198.51.100.7", "::ffff:198.51.100.7"),  # an IPv4 address written as IPv6
    ("user:2001:db8::7", "user:2001:db8::7"),  # a username is never an address
    ("?", "?"),
])
def test_keys_are_counted_by_network(key, counted_as):
    assert one_network(key) == counted_as


def test_the_hash_depends_on_the_secret(store):
    limit_on(store, secret=b"one").allow("a", now=START)
    limit_on(store, secret=b"two").allow("a", now=START)
    keys = {doc["key"] for doc in store.documents(TABLE).find()}
    assert len(keys) == 2


def test_two_documents_for_one_window_are_added_up(store):
    """Two workers starting a window together may each insert one: the count is their sum."""
    attempts = limit_on(store, limit=4)
    attempts.allow("a", now=START)
    twin = store.documents(TABLE).find()[0]
    store.documents(TABLE).insert(dict(twin))  # the other worker's first try
    assert attempts.allow("a", now=START + 1)  # 3 of 4
    assert attempts.allow("a", now=START + 2)  # 4 of 4
    assert attempts.allow("a", now=START + 3) is False
    counts = sorted(doc["count"] for doc in store.documents(TABLE).find())
    assert counts == [1, 4]  # each try went to one document only


def test_a_try_given_back_leaves_room_for_another(store):
    """A sign-in is counted before its password is checked and given back when it was right."""
    sign_in = limit_on(store, "sign_in", limit=2, window=15 * MINUTE)
    assert sign_in.allow("address:a", now=START)
    sign_in.give_back("address:a", now=START)
    assert sign_in.allow("address:a", now=START + 1)
    assert sign_in.allow("address:a", now=START + 2)
    assert sign_in.allow("address:a", now=START + 3) is False


def test_giving_back_never_goes_below_nothing_or_touches_another_window(store):
    sign_in = limit_on(store, "sign_in", limit=1)
    sign_in.give_back("a", now=START)  # nothing counted: nothing happens
    assert store.documents(TABLE).find() == []
    sign_in.allow("a", now=START)
    sign_in.give_back("a", now=START + MINUTE)  # the next window: this window's try stays
    assert sign_in.allow("a", now=START + 1) is False


def test_clear_forgets_one_keys_tries_only(store):
    sign_in = limit_on(store, "sign_in", limit=1)
    sign_in.allow("user:rae", now=START)
    sign_in.allow("user:vic", now=START)
    sign_in.clear("user:rae")
    assert sign_in.allow("user:rae", now=START + 1)
    assert sign_in.allow("user:vic", now=START + 1) is False


class Late:
    """Documents whose first ``modify`` runs ``meanwhile`` just after it: another worker's tries
    landing between this worker finding no document for the window and making one."""

    def __init__(self, documents, meanwhile):
        self.documents, self.meanwhile = documents, meanwhile

    def __getattr__(self, name):
        return getattr(self.documents, name)

    def modify(self, *args, **kwargs):
        changed = self.documents.modify(*args, **kwargs)
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile:
            meanwhile()
        return changed


def test_a_worker_that_starts_the_window_late_still_counts_the_others_tries(store):
    """4 workers once let 6 of 40 through a limit of 5: the late one had counted itself 1."""
    other = limit_on(store, limit=5)
    others_tries = []
    late = SharedAttempts("codes", 5, MINUTE, secret=b"s", documents=lambda: Late(
        store.documents(TABLE), lambda: others_tries.extend(other.allow("a", now=START) for _ in range(5))))
    assert late.allow("a", now=START) is False
    assert others_tries == [True] * 5
    assert [doc["count"] for doc in store.documents(TABLE).find()] == [6]


class FullDisk:
    """Documents whose every write fails as on a full disk."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise StoreError("The computer running this survey has run out of space.")
        return fail


def test_a_guessing_limit_that_cant_count_refuses_with_the_stores_message():
    attempts = SharedAttempts("withdraw_codes", 3, MINUTE, documents=FullDisk)
    with pytest.raises(StoreError, match="run out of space"):
        attempts.allow("a", now=START)


def test_a_flood_limit_that_cant_count_lets_the_try_through():
    assert SharedAttempts("starts", 3, MINUTE, documents=FullDisk).allow("a", now=START)


# -- several processes at once ---------------------------------------------------------------


def _try_many(data_dir: str, tries: int) -> int:
    with EmbeddedStore(data_dir) as store:
        attempts = limit_on(store, limit=25)
        return sum(attempts.allow("203.0.113.5", now=START + 1) for _ in range(tries))


def test_four_processes_trying_at_once_get_the_limit_between_them(tmp_path):
    """Real processes, one store: 4 x 20 tries against a limit of 25 let exactly 25 through."""
    data_dir = str(tmp_path / "data")
    EmbeddedStore(data_dir).close()
    with multiprocessing.get_context("fork").Pool(4) as pool:
        allowed = pool.starmap(_try_many, [(data_dir, 20)] * 4, chunksize=1)
    assert sum(allowed) == 25, allowed
    with EmbeddedStore(data_dir) as store:
        assert sum(doc["count"] for doc in store.documents(TABLE).find()) == 80  # every try counted


def test_without_a_time_given_the_windows_follow_the_clock(store, monkeypatch):
    now = [START]
    monkeypatch.setattr("consent_kit.web.ratelimit.clock", lambda: now[0])
    attempts = limit_on(store, limit=1)
    assert attempts.allow("a") and not attempts.allow("a")
    now[0] = START + MINUTE
    assert attempts.allow("a")
