"""Real server processes over real HTTP: kill -9, four gunicorn workers, double clicks, torn lines.

Every server here is a subprocess on 127.0.0.1 with its own process group,
killed in a ``finally`` (``with`` block) whatever happens. Every loop is
bounded in count and time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import traceback
import uuid
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

import pytest
from serverutil import (
    QUICK_SURVEY,
    HttpParticipant,
    consent_kit_command,
    serve_gunicorn,
    serve_waitress,
    server_env,
)

from consent_kit.participation.codes import show_code
from consent_kit.store import EmbeddedStore, Response
from consent_kit.testing import make_instance

pytestmark = pytest.mark.slow

SURVEY = "quick"
SUBMISSIONS = 1000
CLIENT_THREADS = 24
LOAD_DEADLINE = 150.0  # seconds for all 1,000 submissions; typically far less


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    """A consent-kit folder holding only the one-page quick survey."""
    return make_instance(tmp_path / "instance", forms={"quick.yaml": QUICK_SURVEY}, examples=False)


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


def stored_responses(instance: Path) -> list[Response]:
    """Every response in the instance's store, read with no server running."""
    with EmbeddedStore(instance / "data") as store:
        return list(store.iter_responses())


def journal_records(instance: Path) -> list[dict]:
    """Every line of responses.jsonl parsed as JSON; the file must end with a newline."""
    raw = (instance / "data" / "responses.jsonl").read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), f"the journal ends mid-line: {raw[-200:]!r}"
    return [json.loads(line) for line in raw.splitlines()]


def no_traceback(server) -> None:
    assert "Traceback" not in server.stderr_text(), server.describe()


def answers_for(canary: str, n: int = 0) -> dict:
    return {"word": canary, "colour": "red" if n % 2 else "blue"}


# -- 1. Thank you means on disk ------------------------------------------------


def test_thank_you_means_on_disk_even_after_kill_9(instance, log_dir):
    shown: dict[str, str] = {}  # canary -> reference on the Thank you page
    unanswered = None  # (cookies before Send, the Send form) of the previous run
    for run in range(5):
        canary = f"canary-{run}-{uuid.uuid4().hex}"
        with serve_waitress(instance, log_dir) as server:
            if unanswered is not None:
                # The previous phone never saw its Thank you page and sends again,
                # with the cookie it had before, to the restarted server.
                jar, submit, form = unanswered
                retry = HttpParticipant(server.base_url, jar=jar)
                retry.request(submit, form)
                assert retry.expect_thank_you() == shown[form["word"]]
            person = HttpParticipant(server.base_url)
            check = person.reach_check(SURVEY, answers_for(canary, run))
            before_send = person.clone()
            shown[canary] = person.send()
            # The Thank you page is on screen: pull the plug at once.
            assert server.kill_9() == -9, server.describe()
        no_traceback(server)
        unanswered = (before_send.jar, check.path.rsplit("/", 1)[0] + "/submit",
                      {"csrf_token": check.csrf_token(), "submission_id": check.submission_id(),
                       "word": canary})

        by_word = {r.answers["word"]: r for r in stored_responses(instance)}
        assert len(by_word) == run + 1
        for word, reference in shown.items():
            assert word in by_word, f"run {run}: {word} was thanked for but is not on disk"
            response = by_word[word]
            assert show_code(response.reference) == reference
            assert response.survey_id == SURVEY
            assert response.answers["colour"] in ("red", "blue")
        assert len(journal_records(instance)) == run + 1  # no duplicate line from the retry
    tables = json.loads((instance / "data" / "tables.json").read_text())
    assert len(tables["survey_versions"]) == 1  # five start-ups, one survey version


# -- 2. Four gunicorn workers, 1,000 submissions --------------------------------


def test_four_gunicorn_workers_take_1000_submissions_none_lost_or_doubled(
    instance, log_dir, record_property
):
    canaries = [f"load-{n:04d}-{uuid.uuid4().hex[:12]}" for n in range(SUBMISSIONS)]
    shown: dict[str, str] = {}
    requests_made = [0]
    lock = threading.Lock()

    def one(n: int) -> None:
        person = HttpParticipant(server.base_url)
        reference = person.complete(SURVEY, answers_for(canaries[n], n))
        with lock:
            shown[canaries[n]] = reference
            requests_made[0] += person.requests

    with serve_gunicorn(instance, log_dir, workers=4, threads=4) as server:
        started = time.monotonic()
        pool = ThreadPoolExecutor(max_workers=CLIENT_THREADS)
        try:
            futures = [pool.submit(one, n) for n in range(SUBMISSIONS)]
            done, pending = wait(futures, timeout=LOAD_DEADLINE, return_when=FIRST_EXCEPTION)
            if pending:
                server.kill()  # so clients still running fail fast instead of finishing
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        elapsed = time.monotonic() - started
        failures = [f.exception() for f in done if f.exception() is not None]
        if failures or pending:
            # It failed once under a load average of ~10, cause unknown (issue 21 §2): say
            # everything that could explain it, and keep the server's logs.
            server.kill()
            pytest.fail(why_the_load_failed(server, log_dir, len(done), len(pending), failures))
        assert server.terminate() == 0, server.describe() + f"\nlogs kept in {keep_logs(log_dir)}"
    with logs_kept_on_failure(server, log_dir):
        no_traceback(server)
        check_the_load_run(instance, shown, canaries, elapsed, requests_made[0], record_property)


@contextmanager
def logs_kept_on_failure(server, log_dir: Path):
    """Any check failing in the block keeps the server's logs and prints where, with their end."""
    try:
        yield
    except AssertionError as error:
        raise AssertionError(f"{error}\nLogs kept in {keep_logs(log_dir)}\n{server.describe()}") from error


def check_the_load_run(instance: Path, shown: dict, canaries: list, elapsed: float, requests: int,
                       record_property) -> None:
    """After the load: every submission thanked for is on disk once, with the reference shown."""
    rate = SUBMISSIONS / elapsed
    record_property("seconds", round(elapsed, 2))
    record_property("submissions_per_second", round(rate, 1))
    print(f"\n1,000 submissions through 4 gunicorn workers: {elapsed:.1f}s, "
          f"{rate:.1f} submissions/s, {requests / elapsed:.0f} requests/s")

    assert len(shown) == SUBMISSIONS
    assert len(set(shown.values())) == SUBMISSIONS, "two participants were shown the same reference"

    records = journal_records(instance)  # every line parses as JSON
    assert len(records) == SUBMISSIONS
    assert all(r["kind"] == "response" for r in records)
    responses = stored_responses(instance)
    assert len(responses) == SUBMISSIONS
    assert len({r.id for r in responses}) == SUBMISSIONS
    words = [r.answers["word"] for r in responses]
    assert len(set(words)) == SUBMISSIONS, "a submission was stored twice"
    assert set(words) == set(canaries), "a submission was lost"
    for response in responses:
        assert show_code(response.reference) == shown[response.answers["word"]]
    with EmbeddedStore(instance / "data") as store:
        assert store.count_responses(SURVEY) == SUBMISSIONS

    tables = json.loads((instance / "data" / "tables.json").read_text())
    # All four workers loaded the survey at start-up: its version is kept once.
    assert len(tables["survey_versions"]) == 1
    # Sent answers leave no draft (or half-written temporary file) behind.
    assert list((instance / "data" / "drafts").iterdir()) == []


def keep_logs(log_dir: Path) -> Path:
    """Copy the servers' logs where they outlive pytest's rotation of temporary folders."""
    default = Path(tempfile.gettempdir()) / "consent-kit-test-logs"
    root = Path(os.environ.get("CONSENT_KIT_TEST_LOGS") or default)
    kept = root / f"four-workers-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    shutil.copytree(log_dir, kept)
    return kept


def why_the_load_failed(server, log_dir: Path, done: int, pending: int, failures: list) -> str:
    """Everything that could explain a failed load run, in one message."""
    errors = server.stderr_text()
    lines = [
        f"{done} of {SUBMISSIONS} submissions finished, {pending} did not finish within "
        f"{LOAD_DEADLINE:.0f}s, {len(failures)} failed.",
        f"Load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs.",
        f"gunicorn: {errors.count('WORKER TIMEOUT')} worker timeout(s) (a worker too busy to "
        f"answer the arbiter is killed, with its requests), {errors.count('Booting worker')} "
        f"worker start(s) for 4 workers, {errors.count('Traceback')} traceback(s).",
        f"Logs kept in {keep_logs(log_dir)}",
    ]
    if failures:
        first = "".join(traceback.format_exception(failures[0]))
        lines.append(f"First failure:\n{first[-3000:]}")
    lines.append(server.describe())
    return "\n".join(lines)


def test_the_load_failure_report_names_the_likely_causes(log_dir, monkeypatch, tmp_path):
    """The report itself, checked without a load run: counts, load average, kept logs."""
    monkeypatch.setenv("CONSENT_KIT_TEST_LOGS", str(tmp_path / "kept"))
    (log_dir / "gunicorn-01.stderr.log").write_text(
        "[INFO] Booting worker with pid: 1\n[CRITICAL] WORKER TIMEOUT (pid:1)\n[INFO] Booting worker\n")

    class FakeServer:
        def stderr_text(self):
            return (log_dir / "gunicorn-01.stderr.log").read_text()

        def describe(self):
            return "gunicorn ... (exit code -9)"

    report = why_the_load_failed(FakeServer(), log_dir, 990, 10, [ConnectionResetError("reset")])
    assert "990 of 1000" in report and "10 did not finish" in report and "1 failed" in report
    assert "1 worker timeout(s)" in report and "2 worker start(s)" in report
    assert "Load average now:" in report and "ConnectionResetError: reset" in report
    kept = Path(report.split("Logs kept in ")[1].split("\n")[0])
    assert (kept / "gunicorn-01.stderr.log").exists()


def test_a_failed_check_after_the_load_keeps_the_logs_and_says_where(log_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("CONSENT_KIT_TEST_LOGS", str(tmp_path / "kept"))
    (log_dir / "gunicorn-01.stderr.log").write_text("[ERROR] something the workers said\n")

    class FakeServer:
        def describe(self):
            return "gunicorn ... (exit code 0)\n--- stderr ---\n[ERROR] something the workers said"

    with pytest.raises(AssertionError) as failed:
        with logs_kept_on_failure(FakeServer(), log_dir):
            assert 999 == 1000, "a submission was lost"
    message = str(failed.value)
    assert "a submission was lost" in message and "something the workers said" in message
    kept = Path(message.split("Logs kept in ")[1].split("\n")[0])
    assert (kept / "gunicorn-01.stderr.log").read_text() == "[ERROR] something the workers said\n"


# -- 3. Double click / retry -----------------------------------------------------


def press_send(tab: HttpParticipant, barrier: threading.Barrier, submit: str, form: dict) -> str:
    """Wait for the other tabs, then POST the very same Send form; return the reference shown."""
    barrier.wait()
    tab.request(submit, form)
    return tab.expect_thank_you()


def test_same_send_posted_five_times_at_once_is_stored_once(instance, log_dir):
    rounds = 6
    with serve_gunicorn(instance, log_dir, workers=4, threads=4) as server:
        for run in range(rounds):
            canary = f"double-{run}-{uuid.uuid4().hex}"
            person = HttpParticipant(server.base_url)
            check = person.reach_check(SURVEY, answers_for(canary, run))
            form = {"csrf_token": check.csrf_token(), "submission_id": check.submission_id()}
            submit = check.path.rsplit("/", 1)[0] + "/submit"
            tabs = [person.clone() for _ in range(5)]  # same cookie, same token, same id
            barrier = threading.Barrier(len(tabs), timeout=30)
            with ThreadPoolExecutor(max_workers=len(tabs)) as pool:
                replies = [pool.submit(press_send, tab, barrier, submit, form) for tab in tabs]
                references = [reply.result(timeout=60) for reply in replies]

            assert len(set(references)) == 1, f"run {run}: different references {references}"
            with EmbeddedStore(instance / "data") as store:
                matching = [r for r in store.iter_responses() if r.answers["word"] == canary]
                assert len(matching) == 1, f"run {run}: stored {len(matching)} times"
                assert matching[0].id == form["submission_id"]
                assert show_code(matching[0].reference) == references[0]
                assert store.count_responses() == run + 1
        assert server.terminate() == 0, server.describe()
    no_traceback(server)
    assert len(journal_records(instance)) == rounds


# -- 4. Torn last record ---------------------------------------------------------


def test_server_starts_after_a_torn_last_record_and_keeps_going(instance, log_dir):
    before = []
    with serve_waitress(instance, log_dir) as server:
        for n in range(3):
            canary = f"before-{n}-{uuid.uuid4().hex}"
            HttpParticipant(server.base_url).complete(SURVEY, answers_for(canary, n))
            before.append(canary)
        assert server.kill_9() == -9

    journal = instance / "data" / "responses.jsonl"
    good = journal.read_bytes()
    torn_canary = f"torn-{uuid.uuid4().hex}"
    whole = json.dumps({"kind": "response", "id": uuid.uuid4().hex, "survey_id": SURVEY,
                        "answers": {"word": torn_canary, "colour": "red"}}).encode()
    with open(journal, "ab") as handle:  # a crash half-way through a write
        handle.write(whole[: len(whole) // 2])

    # A command-line reader (export) copes with the torn tail too, and says so.
    export = subprocess.run(
        [*consent_kit_command(), "export", "--instance", str(instance), SURVEY, "--format", "json"],
        capture_output=True, text=True, timeout=60, env=server_env(instance),
    )
    assert export.returncode == 0, export.stderr
    assert all(word in export.stdout for word in before)
    assert torn_canary not in export.stdout
    assert "torn" in export.stderr.lower(), export.stderr

    with serve_waitress(instance, log_dir) as server:  # it starts
        after = f"after-{uuid.uuid4().hex}"
        reference = HttpParticipant(server.base_url).complete(SURVEY, answers_for(after))
        assert server.terminate() is not None
    log = server.stderr_text()
    assert "torn last line" in log.lower(), server.describe()
    no_traceback(server)

    records = journal_records(instance)  # the torn bytes were cut off: every line parses
    assert journal.read_bytes().startswith(good)
    assert len(records) == len(before) + 1  # answers are sealed (issue 16 §4): read them below
    responses = stored_responses(instance)
    assert [r.answers["word"] for r in responses] == [*before, after]
    assert show_code(responses[-1].reference) == reference


def test_workers_starting_together_on_a_new_folder_share_one_secret_key(tmp_path):
    """Eight processes make the key at once: none fails, and all of them use the same key."""
    import multiprocessing

    from consent_kit.app import _secret_key

    folder = tmp_path / "instance"
    folder.mkdir()
    with multiprocessing.get_context("fork").Pool(8) as pool:
        keys = pool.map(_secret_key, [folder] * 8)
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert (folder / "secret_key").read_text() == keys[0]
    assert sorted(p.name for p in folder.iterdir()) == ["secret_key"]  # no drafts left behind


# -- 5. One limit for four workers (issue 21 §4) -----------------------------------

LIMIT = 5  # tries per address per window, for this test's server
GUESSES = 40  # 8 times the limit: counted per process, four workers would let up to 20 through
GUESSERS = 8  # requests in flight at once, so every worker gets some


def guess_at_once(server, page: str, path: str, forms: list[dict]) -> list[tuple[int, float, float]]:
    """POST each form from its own tab, GUESSERS at a time: (status, wall clock before, after) each."""
    first = HttpParticipant(server.base_url)
    first.get(page)  # a cookie and a CSRF token the tabs share

    def one(form: dict) -> tuple[int, float, float]:
        before = time.time()
        status = first.clone().post(path, form).status
        return status, before, time.time()

    with ThreadPoolExecutor(max_workers=GUESSERS) as pool:
        return list(pool.map(one, forms, timeout=120))


def windows_touched(results: list[tuple[int, float, float]], seconds: float) -> int:
    """How many of the limit's fixed windows the tries could have fallen in (1, or 2 at a boundary)."""
    return int(max(r[2] for r in results) // seconds) - int(min(r[1] for r in results) // seconds) + 1


def test_four_workers_share_one_limit_on_code_guesses_and_sign_ins(instance, log_dir, record_property):
    settings = {"CONSENT_KIT_CODE_ATTEMPTS_PER_MINUTE": str(LIMIT),
                "CONSENT_KIT_STUDIO_LOGIN_FAILURES": str(LIMIT)}
    with serve_gunicorn(instance, log_dir, workers=4, threads=4, env=settings) as server:
        codes = guess_at_once(server, "/change-your-mind/", "/change-your-mind/",
                              [{"code": f"K7QM{n % 10}-XR2P{n % 7}"} for n in range(GUESSES)])
        sign_ins = guess_at_once(server, "/studio/login", "/studio/login",
                                 [{"username": f"nobody{n}", "password": "a wrong guess"}
                                  for n in range(GUESSES)])
        assert server.terminate() == 0, server.describe()
    no_traceback(server)
    assert "Booting worker" in server.stderr_text()

    for name, results, window, refused_status in (("code guesses", codes, 60, 429),
                                                   ("sign-ins", sign_ins, 15 * 60, 429)):
        statuses = [status for status, _, _ in results]
        answered = [s for s in statuses if s != refused_status]
        assert set(statuses) <= {200, 400, refused_status}, (name, statuses)
        # The limit holds for the four workers together: at most LIMIT in each window touched.
        assert 1 <= len(answered) <= LIMIT * windows_touched(results, window), (name, statuses)
        record_property(f"{name} answered of {GUESSES} (limit {LIMIT})", len(answered))
        print(f"\n{name}: {len(answered)} of {GUESSES} tries from one address answered by 4 workers "
              f"(limit {LIMIT} a window), {statuses.count(refused_status)} refused")
