"""Payment contact details are sealed with a key of each claim's own, destroyed when erased (issue 16 §4)."""

from __future__ import annotations

import shutil

import pytest
from tinydb import Query

from consent_kit.incentives.store import CLAIMS, IncentiveStore
from consent_kit.store import EmbeddedStore, StoreError

CONTACT = "canary.contact@example.org"


def claim(claim_id: str, contact: str = CONTACT) -> dict:
    return {"id": claim_id, "survey_id": "thanks", "status": "waiting", "contact": contact,
            "claimed_on": "2026-11-26", "erase_after": ""}


def test_contact_details_are_sealed_in_the_file_and_plain_to_callers(store, data_dir):
    incentives = IncentiveStore(store)
    incentives.add_claim(claim("c1"))
    assert CONTACT.encode() not in (data_dir / "tables.json").read_bytes()
    raw = store.table(CLAIMS).all()[0]
    assert raw["contact"].startswith("ck1:") and raw["status"] == "waiting"
    assert incentives.claim("c1")["contact"] == CONTACT
    assert [c["contact"] for c in incentives.claims(["thanks"])] == [CONTACT]
    assert store.keys.get(f"{CLAIMS}:c1") is not None


def test_erasing_a_contact_destroys_its_key_so_an_old_backup_is_unreadable(store, data_dir, tmp_path):
    incentives = IncentiveStore(store)
    incentives.add_claim(claim("c1"))
    incentives.add_claim(claim("c2", "other@example.org"))
    backup = tmp_path / "tables-before.json"
    shutil.copyfile(data_dir / "tables.json", backup)
    assert incentives.mark_paid("c1", today="2026-11-27", erase_after="2026-11-27", entry_id="e1")
    assert incentives.erase_due("2026-11-28") == 1
    assert incentives.claim("c1")["contact"] == "" and store.keys.get(f"{CLAIMS}:c1") is None
    assert incentives.claim("c2")["contact"] == "other@example.org"
    store.close()
    shutil.copyfile(backup, data_dir / "tables.json")  # the old tables.json, with today's keys
    with EmbeddedStore(data_dir) as restored:
        assert IncentiveStore(restored).claim("c1")["contact"] == ""
        assert IncentiveStore(restored).claim("c2")["contact"] == "other@example.org"


def test_removing_a_claim_destroys_its_key(store):
    incentives = IncentiveStore(store)
    incentives.add_claim(claim("c1"))
    incentives.remove_claim("c1")
    assert incentives.claim("c1") is None and store.keys.get(f"{CLAIMS}:c1") is None


def test_erase_contact_and_voucher_claims_without_contact(store):
    incentives = IncentiveStore(store)
    incentives.add_claim(claim("v1", contact=""))  # a voucher claim keeps no contact: no key made
    assert store.keys.get(f"{CLAIMS}:v1") is None
    incentives.add_claim(claim("c1"))
    assert incentives.erase_contact("c1") is True
    assert incentives.erase_contact("c1") is False  # nothing left to erase
    assert store.keys.get(f"{CLAIMS}:c1") is None


def test_a_plain_contact_kept_before_sealing_still_reads_and_is_sealed_when_written(store, data_dir):
    store.table(CLAIMS).insert(claim("old"))  # as stored by an older version
    incentives = IncentiveStore(store)
    assert incentives.claim("old")["contact"] == CONTACT
    assert incentives.mark_paid("old", today="2026-11-27", erase_after="2026-12-27", entry_id="e1")
    assert CONTACT.encode() not in (data_dir / "tables.json").read_bytes()
    assert incentives.claim("old")["contact"] == CONTACT


def test_a_contact_moved_to_another_claim_is_refused(store):
    incentives = IncentiveStore(store)
    incentives.add_claim(claim("c1"))
    incentives.add_claim(claim("c2", "other@example.org"))
    sealed = store.table(CLAIMS).all()[0]["contact"]
    store.table(CLAIMS).update({"contact": sealed}, Query().id == "c2")
    with pytest.raises(StoreError):
        incentives.claim("c2")


def test_put_new_on_a_sealed_table_seals_and_keeps_the_first(store, data_dir):
    claims = store.documents(CLAIMS)
    assert claims.put_new(claim("c9"), id="c9")["contact"] == CONTACT
    assert claims.put_new(claim("c9", "other@example.org"), id="c9")["contact"] == CONTACT
    assert CONTACT.encode() not in (data_dir / "tables.json").read_bytes()
    assert claims.count(id="c9") == 1
