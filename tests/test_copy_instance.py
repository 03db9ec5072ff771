"""consent_kit.testing.copy_instance: a template folder copied while its app may still write."""

from __future__ import annotations

from consent_kit import Response, create_app
from consent_kit.results.tallies import PENDING
from consent_kit.testing import copy_instance, make_instance


def test_a_write_in_progress_is_left_out_and_waiting_counts_are_in(tmp_path):
    folder = make_instance(tmp_path / "template")
    app = create_app({"SESSION_COOKIE_SECURE": False}, instance=folder, load_entrypoints=False)
    kit = app.extensions["consent_kit"]
    survey = kit.catalog.get("event-feedback")
    store = kit.store
    response = Response("r1", survey.id, survey.version, {"come_again": "yes"},
                        "2026-11-20T10:00:00Z", "REF1")
    store.add_response(response)
    PENDING.add(store, survey, response)  # as a Send leaves it, to be counted within a second
    (folder / "data" / ".tables.json.abc123.tmp").write_text("half a file")  # another write, mid-way

    copy = copy_instance(folder, tmp_path / "copy")

    assert (copy / "data" / "tables.json").is_file()
    assert not list((copy / "data").glob("*.tmp"))
    assert (copy / "forms" / "event-feedback.yaml").read_bytes() == (
        folder / "forms" / "event-feedback.yaml").read_bytes()
    with PENDING._lock:
        assert PENDING._waiting == {}  # nothing left waiting: it was counted before the copy
