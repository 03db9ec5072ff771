"""Two app servers, separate instance folders, one PostgreSQL database (issue 16, Done when).

Each server is gunicorn with two workers on 127.0.0.1; people answer on both
at once, one person takes their answers back on the *other* server, both
servers are killed with SIGKILL, and the export made through either folder
shows every thanked answer once and not the one taken back. Bounded in count
(20 people per server) and time (every request and wait has a deadline).
"""

from __future__ import annotations

import json
import secrets
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pg_testdb import TEST_STORE_KEY, temporary_schema
from serverutil import QUICK_SURVEY, HttpParticipant, consent_kit_command, serve_gunicorn, server_env

from consent_kit.testing import make_instance

pytestmark = pytest.mark.slow

PER_SERVER = 20
TIMEOUT = 120  # seconds for any one command


def shared_instance(folder: Path, url: str, schema: str, secret: str) -> Path:
    """An instance folder of its own that keeps everything in the shared database."""
    make_instance(folder, forms={"quick.yaml": QUICK_SURVEY}, examples=False)
    with open(folder / "config.toml", "a", encoding="utf-8") as config:
        config.write(f'\ndatabase_url = "{url}"\ndatabase_schema = "{schema}"\nsecret_key = "{secret}"\n'
                     f'store_key = "{TEST_STORE_KEY}"\n')
    return folder


def export(instance: Path) -> dict:
    """``consent-kit export quick --format json`` through this instance's settings."""
    done = subprocess.run([*consent_kit_command(), "export", "quick", "--format", "json",
                           "--instance", str(instance)], capture_output=True, text=True,
                          timeout=TIMEOUT, env=server_env(instance))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def words(export: dict) -> list[str]:
    """The "Say a word" answers of an export, sorted (a row's columns are question ids)."""
    assert export["survey"] == "quick"
    return sorted(row["word"] for row in export["responses"])


def test_answer_on_one_server_take_back_on_the_other_export_agrees(tmp_path):
    with temporary_schema("ck_two") as (url, schema):
        secret = secrets.token_hex(32)
        first = shared_instance(tmp_path / "one", url, schema, secret)
        second = shared_instance(tmp_path / "two", url, schema, secret)
        logs = tmp_path / "logs"
        logs.mkdir()
        with serve_gunicorn(first, logs, workers=2, threads=2) as one, \
                serve_gunicorn(second, logs, workers=2, threads=2) as two:
            leaving = HttpParticipant(one.base_url)
            reference = leaving.complete("quick", {"word": "leavingword", "colour": "red"})

            def answer(job: tuple[str, int]) -> str:
                base, n = job
                word = f"w{n:03d}x{secrets.token_hex(4)}"
                HttpParticipant(base).complete("quick", {"word": word, "colour": "blue"})
                return word

            jobs = [(server.base_url, n) for n in range(PER_SERVER) for server in (one, two)]
            with ThreadPoolExecutor(max_workers=8) as pool:
                thanked = list(pool.map(answer, jobs, timeout=TIMEOUT * 2))

            other = HttpParticipant(two.base_url)  # a different server, a different browser
            other.get("/change-your-mind/")
            other.post("/change-your-mind/", {"code": reference})
            assert other.last.path.endswith("/yours"), other.last.html[:1500]
            other.get("/change-your-mind/take-back")
            other.post("/change-your-mind/take-back")
            assert other.last.status == 200
            assert one.kill_9() == -9 and two.kill_9() == -9
        assert "Traceback" not in one.stderr_text() + two.stderr_text()

        from_first, from_second = export(first), export(second)
        assert words(from_first) == words(from_second) == sorted(thanked)
        assert len(thanked) == 2 * PER_SERVER
        assert "leavingword" not in json.dumps(from_first)
