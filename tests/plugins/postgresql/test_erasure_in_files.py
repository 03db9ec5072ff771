"""Erasure holds in PostgreSQL's own files (issue 16, Done when).

A throwaway cluster of our own in a temporary folder (as `make postgres-test`
starts one: Debian's initdb and pg_ctl, run as an unprivileged user when the
tests run as root, on a port of its own), so every byte it ever wrote can be
searched: its data files (base/, global/), its write-ahead log (pg_wal/) and a
`pg_dump`. A participant answers on one app server with a unique word and
takes the answers back on another (separate instance folders, one database);
the word is then found nowhere. A word kept in plain text by the same
server in the same run *is* found in all three places, so the search can't
pass by looking in the wrong place. Bounded: every command has a deadline.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from pg_testdb import TEST_STORE_KEY
from serverutil import QUICK_SURVEY

from consent_kit.app import create_app
from consent_kit.testing import Participant, make_instance

pytestmark = pytest.mark.slow

DEADLINE = 90  # seconds for any one command


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian's layout), or a failure saying what to do."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        pytest.fail("This test starts a PostgreSQL of its own and needs Debian's postgresql package "
                    "(apt-get install postgresql; `make test` installs it when run as root).", pytrace=False)
    return found[-1].parent


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], *, as_user: str = "") -> str:
    if as_user:
        command = ["runuser", "-u", as_user, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=DEADLINE)
    assert done.returncode == 0, f"{command[0]} failed: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, Path, Path]]:
    """``(url, data folder, bin folder)`` of a PostgreSQL started for this module, removed afterwards."""
    bin_dir = postgres_bin()
    user = "postgres" if os.geteuid() == 0 else ""  # initdb refuses to run as root
    folder = Path(tempfile.mkdtemp(prefix="ck-erasure-"))
    os.chmod(folder, 0o700)
    if user:
        shutil.chown(folder, user)
    data, port = folder / "data", free_port()
    run([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--no-instructions"], as_user=user)
    run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
         "start", "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"], as_user=user)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", data, bin_dir
    finally:
        subprocess.run(["runuser", "-u", user, "--"] * bool(user) + [
            str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True, timeout=DEADLINE)
        shutil.rmtree(folder, ignore_errors=True)


def files_holding(data: Path, word: bytes) -> list[str]:
    """Every file of the cluster whose bytes hold ``word`` (relative paths)."""
    found = []
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        try:
            if word in path.read_bytes():
                found.append(str(path.relative_to(data)))
        except (FileNotFoundError, PermissionError):  # a temporary file that went meanwhile
            continue
    return found


def server(folder: Path, url: str):
    """An app server with an instance folder of its own, on the cluster's database."""
    make_instance(folder, {"quick.yaml": QUICK_SURVEY}, examples=False)
    return create_app({"TESTING": True, "SESSION_COOKIE_SECURE": False, "DATABASE_URL": url,
                       "DATABASE_SCHEMA": "ck_erasure", "STORE_KEY": TEST_STORE_KEY}, instance=folder)


def test_an_answer_taken_back_is_in_no_data_file_no_wal_and_no_dump(cluster, tmp_path):
    url, data, bin_dir = cluster
    canary = f"canary{secrets.token_hex(8)}"
    control = f"plainly{secrets.token_hex(8)}"
    one, two = server(tmp_path / "one", url), server(tmp_path / "two", url)
    store = one.extensions["consent_kit"].store
    try:
        reference = Participant(one.test_client()).complete("quick", {"word": canary, "colour": "red"})
        [stored] = list(store.iter_responses("quick"))
        assert stored.answers["word"] == canary
        store.documents("erasure_control").insert({"note": control})  # kept as it is, on purpose
        person = Participant(two.test_client())  # takes it back on the other server
        person.get("/change-your-mind/")
        person.post("/change-your-mind/", {"code": reference})
        person.get("/change-your-mind/take-back")
        person.post("/change-your-mind/take-back")
        assert person.last.status_code == 200
        assert store.count_responses() == 0
    finally:
        store.close()
        two.extensions["consent_kit"].store.close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")  # what sat in memory is in the data files now
    dump = run([str(bin_dir / "pg_dump"), "--dbname", url, "--no-owner"])

    assert files_holding(data, control.encode())  # the search does find plain text...
    assert any(p.startswith("base/") for p in files_holding(data, control.encode()))
    assert any(p.startswith("pg_wal/") for p in files_holding(data, control.encode()))
    assert control in dump
    assert files_holding(data, canary.encode()) == []  # ...and the answer is nowhere
    assert canary not in dump
