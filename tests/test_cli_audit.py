"""consent-kit audit verify / show."""

from __future__ import annotations

from click.testing import CliRunner

from consent_kit.cli import cli
from consent_kit.store import EmbeddedStore
from consent_kit.testing import make_instance


def _instance(tmp_path, entries: int):
    folder = make_instance(tmp_path / "instance", examples=False)
    with EmbeddedStore(folder / "data") as store:
        for i in range(entries):
            store.audit(actor=f"researcher:sam{i}", action="export", subject="pilot",
                        details={"format": "csv", "rows": i})
    return folder


def _run(*args: str):
    return CliRunner().invoke(cli, ["audit", *args])


def test_verify_an_intact_log_exits_0(tmp_path):
    folder = _instance(tmp_path, 3)
    result = _run("verify", "--instance", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "The audit log is complete: 3 entries, none changed."


def test_verify_an_empty_log(tmp_path):
    result = _run("verify", "--instance", str(_instance(tmp_path, 0)))
    assert result.exit_code == 0, result.output
    assert "complete: 0 entries" in result.output


def test_verify_a_changed_line_exits_1_and_names_it(tmp_path):
    folder = _instance(tmp_path, 3)
    log = folder / "data" / "audit.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b"sam1", b"sam9")
    log.write_bytes(b"".join(lines))
    result = _run("verify", "--instance", str(folder))
    assert result.exit_code == 1
    assert "line 2: this entry was changed after it was written" in result.output
    assert "complete" not in result.output


def test_verify_a_removed_last_line_exits_1(tmp_path):
    folder = _instance(tmp_path, 3)
    log = folder / "data" / "audit.jsonl"
    log.write_bytes(b"".join(log.read_bytes().splitlines(keepends=True)[:-1]))
    result = _run("verify", "--instance", str(folder))
    assert result.exit_code == 1
    assert "the last entry is missing" in result.output


def test_verify_a_missing_folder_says_so(tmp_path):
    result = _run("verify", "--instance", str(tmp_path / "nowhere"))
    assert result.exit_code != 0
    assert "no consent-kit folder" in result.output.lower()
    assert not (tmp_path / "nowhere").exists()


def test_show_prints_the_last_entries_readably(tmp_path):
    folder = _instance(tmp_path, 3)
    result = _run("show", "--instance", str(folder), "--last", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "2" and "researcher:sam1" in lines[0]
    assert lines[1].split()[0] == "3" and 'export pilot  (format="csv", rows=2)' in lines[1]


def test_show_an_empty_log(tmp_path):
    result = _run("show", "--instance", str(_instance(tmp_path, 0)))
    assert result.exit_code == 0
    assert "The audit log is empty." in result.output
