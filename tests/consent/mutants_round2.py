# ruff: noqa: E501 - the mutant table quotes source lines exactly, so its lines are long
"""A second, fresh set of hand-made mutants (issue 21 §1): the store's rewrite and withdrawal,
taking consent back, and thank-you payment claims. How many do the tests kill?

Not a test (pytest does not collect it). Usage, from the repository root::

    .venv/bin/python tests/consent/mutants_round2.py [words in the names of the mutants to run]

It copies the repository to temporary folders, applies one mutant at a time
there (never in the working tree, which others may be testing), runs the tests
that mutant's area has with ``-x``, and prints whether each mutant was killed.
Two mutants run at once, each in its own copy. The first set, with the same
idea, is tests/store/mutants.py and tests/incentives/incentive_mutants.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
J, R, C = "consent_kit/store/journal.py", "consent_kit/store/responses.py", "consent_kit/store/consents.py"
E, W = "consent_kit/store/embedded.py", "consent_kit/participation/withdraw.py"
JR = "consent_kit/store/journal_rewrite.py"
CL, IS = "consent_kit/incentives/claims.py", "consent_kit/incentives/store.py"

STORE_TESTS = ["tests/store/test_store_journal.py", "tests/store/test_store_consents.py",
               "tests/store/test_store_responses.py", "tests/store/test_store_crash_paths.py",
               "tests/store/test_store_submissions.py", "tests/store/test_crypto_store.py",
               "tests/store/test_mutants_rewrite.py", "tests/store/test_mutants_withdraw.py",
               "tests/participation/test_withdraw_audit.py"]
WITHDRAW_TESTS = ["tests/consent/test_consent_flow.py", "tests/participation/test_withdraw_audit.py",
                  "tests/participation/test_withdraw_deadline.py"]
CLAIM_TESTS = ["tests/incentives"]

#: name -> (file, text, replacement, tests); each text must occur exactly once.
MUTANTS = {
    # -- the store: the journal's rewrite ------------------------------------------------------
    "rewrite: extra records dropped": (JR, "    for record in extra:", "    for record in []:", STORE_TESTS),
    "rewrite: keep ignored, every line copied": (JR, "            if not keep(record, raw):", "            if False:", STORE_TESTS),
    "rewrite: the last whole line taken for a torn tail": (J, "write_new(tmp, self._fd, self._offset,", "write_new(tmp, self._fd, self._offset - 1,", STORE_TESTS),
    "rewrite: the new file not adopted": (J, "            self._adopt(done)\n", "", STORE_TESTS),
    "rewrite: new file readable by everyone": (JR, "os.O_RDWR | os.O_CREAT | os.O_EXCL, FILE_MODE)", "os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)", STORE_TESTS),
    # -- the store: withdrawal -----------------------------------------------------------------
    "withdraw: changed-consent lines kept": (C, "            mine = record.get(\"kind\") in (GIVEN, CHANGED) and record.get(\"pseudonym\") == pseudonym", "            mine = record.get(\"kind\") == GIVEN and record.get(\"pseudonym\") == pseudonym", STORE_TESTS),
    "withdraw: every line counted as erased": (C, "        erased[0] += mine", "        erased[0] += 1", STORE_TESTS),
    "withdraw: no withdrawn line without an audit entry": (C, "                journal.rewrite(keep, [extra])", "                journal.rewrite(keep, [])", STORE_TESTS),
    "withdraw: drafts naming only the person kept": (E, "            self._drafts.delete_mentioning([*ids, pseudonym], owners={pseudonym})", "            self._drafts.delete_mentioning(ids, owners={pseudonym})", STORE_TESTS),
    "withdraw: the person's key kept": (E, "            self.keys.destroy(pseudonym)", "            pass", STORE_TESTS),
    "erase: tombstoned ids tombstoned again": (R, "            tombstones = sorted({id_hash(i) for i in targets} - self.index.erased)", "            tombstones = sorted({id_hash(i) for i in targets})", STORE_TESTS),
    "erase: count of ids asked, not erased": (R, "        return len(present)", "        return len(targets)", STORE_TESTS),
    "erase: damaged line kept unless it names everything": (R, "            return not any(n in raw for n in needles)", "            return not all(n in raw for n in needles)", STORE_TESTS),
    "erase: tombstones not written when nothing is stored": (R, "                for record in extra:\n                    journal.append(record)", "                for record in []:\n                    journal.append(record)", STORE_TESTS),
    # -- taking consent back (the participant's pages) -------------------------------------------
    "take back: the last day not checked on Send": (W, "    if too_late:\n        # Checked here too", "    if False:\n        # Checked here too", WITHDRAW_TESTS),
    "take back: opening the page erases": (W, "    if request.method == \"GET\":\n        reference = show_code", "    if False:\n        reference = show_code", WITHDRAW_TESTS),
    "take back: damaged lines not told": (W, "    if counts.get(\"damaged\"):", "    if False:", WITHDRAW_TESTS),
    "take back: plugins get no answer ids": (W, "pseudonym=record.pseudonym, response_ids=response_ids)", "pseudonym=record.pseudonym, response_ids=[])", WITHDRAW_TESTS),
    "take back: no consent_withdrawn event": (W, "    kit().fire(\"consent_withdrawn\", pseudonym=record.pseudonym, survey_id=record.survey_id)", "    pass", WITHDRAW_TESTS),
    "take back: the reference never forgotten on the phone": (W, "    if typed and time.time() - typed.get(\"at\", 0) > minutes * 60:", "    if typed and time.time() - typed.get(\"at\", 0) > minutes * 60 * 1000:", WITHDRAW_TESTS),
    "change: unticking an optional statement keeps it": (W, "    agreed_now = set(record.agreed) - {sid for sid, _ in _optional_statements(text)}", "    agreed_now = set(record.agreed)", WITHDRAW_TESTS),
    # -- thank-you payment claims ---------------------------------------------------------------
    "tokens: a used token is not forgotten": (IS, "        return bool(self.store.documents(TOKENS).remove(hash=token_hash(token), survey_id=survey_id))", "        return bool(self.store.documents(TOKENS).count(hash=token_hash(token), survey_id=survey_id))", CLAIM_TESTS),
    "tokens: today's unclaimed tokens forgotten too": (IS, "doc[\"day\"] < day)", "doc[\"day\"] <= day)", CLAIM_TESTS),
    "places: giving back goes below nothing": (IS, "            doc[\"given\"] = max(0, int(doc.get(\"given\", 0)) - 1)", "            doc[\"given\"] = int(doc.get(\"given\", 0)) - 1", CLAIM_TESTS),
    "marks: the same mark taken twice": (IS, "            if mark not in marks:", "            if True:", CLAIM_TESTS),
    "marks: giving one back drops them all": (IS, "            doc[\"marks\"] = [m for m in doc.get(\"marks\", []) if m != mark]", "            doc[\"marks\"] = []", CLAIM_TESTS),
    "vouchers: a given code handed out again": (IS, "            free = [code for code, state in doc.get(\"codes\", {}).items() if not state.get(\"taker\")]", "            free = list(doc.get(\"codes\", {}))", CLAIM_TESTS),
    "vouchers: a code given back stays taken": (IS, "            if state is not None:\n                state.update(given_on=\"\", taker=\"\")", "            if state is not None:\n                pass", CLAIM_TESTS),
    "vouchers: uploading a given code again frees it": (IS, "                if code not in pool:", "                if True:", CLAIM_TESTS),
    "claims: paid twice": (IS, "        return bool(self.store.documents(CLAIMS).update(fields, id=claim_id, status=\"waiting\"))", "        return bool(self.store.documents(CLAIMS).update(fields, id=claim_id))", CLAIM_TESTS),
    "claims: contacts of waiting claims erased when due": (IS, "            {\"contact\": \"\", \"erased\": True}, status=\"paid\",", "            {\"contact\": \"\", \"erased\": True},", CLAIM_TESTS),
    "claims: contacts kept a day past their time": (IS, "            and doc[\"erase_after\"] <= today)", "            and doc[\"erase_after\"] < today)", CLAIM_TESTS),
    "claims: listed in the order they were made": (IS, "        return sorted((dict(doc) for doc in docs), key=lambda claim: claim[\"id\"])", "        return [dict(doc) for doc in docs]", CLAIM_TESTS),
    "claims: today's claims put on record today": (IS, "        due = {e.id for e in every if e.date < today}", "        due = {e.id for e in every if e.date <= today}", CLAIM_TESTS),
    "limits: 'the first N' ignored when the budget also limits": (CL, "    caps = [rule.first] if rule.first else []", "    caps = []", CLAIM_TESTS),
    "limits: the larger limit wins": (CL, "    return min(caps) if caps else None", "    return max(caps) if caps else None", CLAIM_TESTS),
    "limits: fewer than none left": (CL, "    left = max(0, cap - incentives.given(survey_id))", "    left = cap - incentives.given(survey_id)", CLAIM_TESTS),
    "contact: no length limit": (CL, "    if len(typed) <= 254 and (EMAIL.match(typed) or PHONE.match(typed)):", "    if EMAIL.match(typed) or PHONE.match(typed):", CLAIM_TESTS),
    "claims: paid on the day even when waiting": (CL, "\"paid_on\": today if provider.pays_now else \"\"", "\"paid_on\": today", CLAIM_TESTS),
    "claims: the claim keeps a time of day": (CL, "\"currency\": rule.currency, \"code\": short_code(),", "\"currency\": rule.currency, \"code\": short_code(), \"at\": __import__(\"time\").time(),", CLAIM_TESTS),
}



def copy_tree(folder: Path) -> Path:
    """The parts of the repository the tests need, copied into ``folder``."""
    for part in ("consent_kit", "tests", "plugins", "forms", "setup.cfg", "pyproject.toml", "locales"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy(source, folder / part)
    return folder


def pytest(workdir: Path, tests: list[str], *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, *tests],
        cwd=workdir, env={**os.environ, "PYTHONPATH": str(workdir)}, capture_output=True,
        text=True, timeout=1800)


def failing_without_mutants(workdir: Path, tests: list[str]) -> list[str]:
    """Tests that fail in the unchanged copy (another change in progress): they are left out,
    or every mutant would look killed."""
    report = pytest(workdir, tests, "-rf").stdout
    return [line.split()[1] for line in report.splitlines() if line.startswith("FAILED ")]


def run(name: str, workdir: Path, baseline: dict) -> bool:
    """Apply one mutant in ``workdir``, run its tests, restore; True when a test failed."""
    path, text, new, tests = MUTANTS[name]
    target = workdir / path
    original = target.read_text()
    assert original.count(text) == 1, f"{name}: the text to change is not there exactly once"
    target.write_text(original.replace(text, new))
    try:
        deselect = [arg for test in baseline[tuple(tests)] for arg in ("--deselect", test)]
        return pytest(workdir, tests, "-x", *deselect).returncode != 0
    finally:
        target.write_text(original)


def main() -> int:
    chosen = [name for name in MUTANTS if not sys.argv[1:] or any(w in name for w in sys.argv[1:])]
    with tempfile.TemporaryDirectory(prefix="ck-mutants2-") as folder:
        copies = [copy_tree(Path(folder) / str(n)) for n in range(2)]
        halves = [chosen[0::2], chosen[1::2]]
        sets = sorted({tuple(MUTANTS[name][3]) for name in chosen})
        with ThreadPoolExecutor(max_workers=2) as pool:
            found = pool.map(lambda n: failing_without_mutants(copies[n % 2], list(sets[n])), range(len(sets)))
            baseline = dict(zip(sets, found, strict=True))
        for failing in sorted({test for tests in baseline.values() for test in tests}):
            print(f"left out (fails without any mutant): {failing}", flush=True)

        def work(n: int) -> list[tuple[str, bool]]:
            results = []
            for name in halves[n]:
                dead = run(name, copies[n], baseline)
                print(f"{'killed  ' if dead else 'SURVIVED'}  {name}", flush=True)
                results.append((name, dead))
            return results

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = [r for part in pool.map(work, range(2)) for r in part]
    killed = sum(dead for _, dead in results)
    print(f"{killed} of {len(results)} mutants killed ({100 * killed // max(1, len(results))}%)")
    print("Survivors: " + ("; ".join(name for name, dead in results if not dead) or "none"))
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
