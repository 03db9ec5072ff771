"""Several processes at the same moment: a claim token pays once, a voucher code goes to one person.

Each worker is a separate process with its own store on the same data folder,
as gunicorn workers are. A barrier lines them up so the operations race.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from decimal import Decimal

import pytest

from consent_kit.incentives.claims import BUILTIN_PROVIDERS, ClaimError, make_claim
from consent_kit.incentives.rules import IncentiveRule
from consent_kit.incentives.store import CLAIMS, IncentiveStore
from consent_kit.store import EmbeddedStore

WORKERS = 6
# fork: each worker starts in milliseconds (spawn re-imports everything, ~2 s a worker here).
CONTEXT = multiprocessing.get_context("fork")
RULE = IncentiveRule(reward="a £5 voucher", amount=Decimal("5"), ways=("voucher",))


def _records(folder) -> IncentiveStore:
    return IncentiveStore(EmbeddedStore(folder))


def _use_token(folder, token, barrier, results):
    records = _records(folder)
    barrier.wait()
    results.put(records.use_token("s", token))


def _claim(folder, token, barrier, results):
    records = _records(folder)
    voucher = BUILTIN_PROVIDERS[0]
    barrier.wait()
    try:
        claim, _, code = make_claim(records, survey_id="s", project_id="p", rule=RULE,
                                    provider=voucher, token=token, contact="", cap=None,
                                    today="2026-11-26")
        results.put(code)
    except ClaimError as error:
        results.put(error.reason)


def _take_vouchers(folder, tries, barrier, results):
    records = _records(folder)
    barrier.wait()
    results.put([records.take_voucher("s", "2026-11-26") for _ in range(tries)])


def _add_vouchers(folder, codes, barrier, results):
    records = _records(folder)
    barrier.wait()
    results.put(records.add_vouchers("s", codes, batch="same file")[0])


def _take_place(folder, cap, barrier, results):
    records = _records(folder)
    barrier.wait()
    results.put(records.take_place("s", cap))


def race(target, *args, workers=WORKERS) -> list:
    """Run ``target(folder, *args, barrier, results)`` in ``workers`` processes at once."""
    barrier, results = CONTEXT.Barrier(workers), CONTEXT.Queue()
    processes = [CONTEXT.Process(target=target, args=(*args, barrier, results))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    found = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return found


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "data"


def test_one_token_used_at_the_same_moment_by_several_processes_pays_once(folder):
    token = _records(folder).mint_token("s", "2026-11-26")
    assert sorted(race(_use_token, folder, token)) == [False] * (WORKERS - 1) + [True]


def test_the_same_claim_from_several_processes_gives_one_voucher(folder):
    records = _records(folder)
    records.add_vouchers("s", [f"CODE-{n}" for n in range(10)], batch="test")
    token = records.mint_token("s", "2026-11-26")
    outcomes = Counter(race(_claim, folder, token))
    assert outcomes["used"] == WORKERS - 1 and sum(outcomes.values()) == WORKERS
    assert records.voucher_stock("s") == {"left": 9, "given": 1}
    assert len(records.store.table(CLAIMS)) == 1 and len(records.entries("p")) == 1


def test_no_voucher_code_is_given_twice_when_claims_race(folder):
    records = _records(folder)
    codes = [f"CODE-{n}" for n in range(20)]
    records.add_vouchers("s", codes, batch="test")
    given = [code for batch in race(_take_vouchers, folder, 5) for code in batch if code]
    assert sorted(given) == sorted(codes)  # every code once: none twice, none lost
    assert records.take_voucher("s", "2026-11-26") is None


def test_the_same_codes_uploaded_at_once_are_added_once(folder):
    codes = [f"CODE-{n}" for n in range(30)]
    assert sum(race(_add_vouchers, folder, codes)) == 30
    assert _records(folder).voucher_stock("s") == {"left": 30, "given": 0}


def test_the_first_n_limit_holds_when_claims_race(folder):
    assert sorted(race(_take_place, folder, 2)) == [False] * (WORKERS - 2) + [True, True]
    assert _records(folder).given("s") == 2
