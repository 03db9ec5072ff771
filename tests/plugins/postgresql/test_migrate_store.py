"""``consent-kit migrate-store --to postgresql://…``: a data folder copied into an empty database."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from consent_kit_plugins.postgresql.migrate import migrate_store_command
from consent_kit_plugins.postgresql.store import PostgresStore
from pg_testdb import temporary_schema
from serverutil import QUICK_SURVEY, consent_kit_command

from consent_kit.store import ErasedSubmission, WithdrawnConsent
from consent_kit.testing import Participant


@pytest.fixture
def folder(make_app) -> Path:
    """An instance on the embedded store: two people answered, one took it back, a draft, a table."""
    app = make_app(forms={"quick.yaml": QUICK_SURVEY}, examples=False)
    for word in ("keepme", "goneword"):
        person = Participant(app.test_client())
        reference = person.complete("quick", {"word": word, "colour": "blue"})
    person.get("/change-your-mind/")
    person.post("/change-your-mind/", {"code": reference})
    person.get("/change-your-mind/take-back")
    person.post("/change-your-mind/take-back")
    store = app.extensions["consent_kit"].store
    assert store.count_responses() == 1
    store.save_draft("half-way-there-0001", {"word": "drafted"}, expires_at=time.time() + 3600)
    store.documents("places").insert({"survey_id": "quick", "name": "Library poster"})
    store.audit(actor="rae", action="export", subject="quick")
    store.close()
    return Path(app.instance_path)


@pytest.fixture
def pg():
    with temporary_schema("ck_migrate") as where:
        yield where


def target_store(pg: tuple[str, str], folder: Path) -> PostgresStore:
    """The database's store, with the folder's instance key (migrate-store keeps it)."""
    return PostgresStore(pg[0], schema=pg[1], key_dir=str(folder / "data"))


def migrate(folder: Path, url: str, schema: str):
    return CliRunner().invoke(migrate_store_command, ["--to", url, "--schema", schema,
                                                      "--instance", str(folder)])


def test_everything_is_copied_and_checked(folder, pg):
    from consent_kit.store import EmbeddedStore

    result = migrate(folder, *pg)
    assert result.exit_code == 0, result.output
    assert "Copied 1 answer(s), 1 consent(s), 1 withdrawal(s)" in result.output
    assert "Counts match and the audit log checks out" in result.output
    with EmbeddedStore(folder / "data") as source, target_store(pg, folder) as target:
        assert list(target.iter_responses()) == list(source.iter_responses())
        assert target.consent_counts("quick") == source.consent_counts("quick")
        assert list(target.iter_audit()) == list(source.iter_audit())  # same entries, same hashes
        assert target.verify_audit() == []
        assert target.documents("places").find() == [{"survey_id": "quick", "name": "Library poster"}]
        assert target.documents("survey_versions").count() == 1
        assert target.load_draft("half-way-there-0001") == {"word": "drafted"}
        kept = next(target.iter_responses())
        assert kept.answers["word"] == "keepme"
        assert target.get_consent(kept.pseudonym) == source.get_consent(kept.pseudonym)
        [gone] = [e["actor"].split(":", 1)[1] for e in source.iter_audit()
                  if e["action"] == "consent_withdrawn"]
        with pytest.raises(WithdrawnConsent):  # the withdrawal came along: no answers for them again
            target.add_consent(source.get_consent(kept.pseudonym).__class__(
                pseudonym=gone, survey_id="quick", consent_version="v", given_at="2026-01-01T00:00:00Z"))


def test_survey_files_pictures_and_recordings_are_copied_for_every_server(folder, pg):
    from consent_kit.store.media import digest

    recording = folder / "accessible_formats" / "recordings" / "quick" / "question-word.wav"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"RIFF\x00\x00\x00\x00WAVE" + bytes(range(256)))
    picture = folder / "forms" / "pictures" / "quick" / "word-1234abcd.png"
    picture.parent.mkdir(parents=True)
    picture.write_bytes(b"\x89PNG\r\n")
    (folder / "forms" / ".quick.yaml.swp").write_bytes(b"an editor's leftovers")
    result = migrate(folder, *pg)
    assert result.exit_code == 0, result.output
    assert "and 3 file(s)" in result.output
    with target_store(pg, folder) as target:
        assert target.media().list() == {
            "forms/quick.yaml": digest((folder / "forms" / "quick.yaml").read_bytes()),
            "forms/pictures/quick/word-1234abcd.png": digest(picture.read_bytes()),
            "recordings/quick/question-word.wav": digest(recording.read_bytes())}
        assert target.media().get("recordings/quick/question-word.wav") == recording.read_bytes()


def test_erased_ids_stay_refused_after_the_copy(folder, pg):
    from consent_kit.store import EmbeddedStore

    with EmbeddedStore(folder / "data") as source:
        kept = next(source.iter_responses())
        source.erase_responses([kept.id])
    assert migrate(folder, *pg).exit_code == 0
    with target_store(pg, folder) as target, pytest.raises(ErasedSubmission):
        target.add_response(kept)


def test_a_database_with_data_is_never_copied_into(folder, pg):
    assert migrate(folder, *pg).exit_code == 0
    again = migrate(folder, *pg)
    assert again.exit_code != 0
    assert "only copies into an empty database" in again.output
    with target_store(pg, folder) as target:
        assert target.count_responses() == 1  # nothing doubled


def test_the_command_is_there_through_the_plugin():
    shown = subprocess.run([*consent_kit_command(), "--help"], capture_output=True, text=True,
                           timeout=120, check=True).stdout
    assert "migrate-store" in shown
