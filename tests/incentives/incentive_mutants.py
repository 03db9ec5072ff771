"""Hand-made mutants of make_claim and the limits it relies on: how many do the tests kill?

Run it by hand (it is not a test; pytest does not collect it):

    .venv/bin/python tests/incentives/incentive_mutants.py [words in the names of the mutants to run]

Each mutant changes one thing in a copy of the package, in a folder of its
own, so nothing in the checkout changes while it runs; then the incentive
unit tests run against the copy. A mutant is killed when a test fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLAIMS, STORE = "consent_kit/incentives/claims.py", "consent_kit/incentives/store.py"
TESTS = ["tests/incentives/test_incentives_claims.py", "tests/incentives/test_incentives.py",
         "tests/incentives/test_incentives_mutants.py"]

#: (what it breaks, file, text, replacement); each text must occur exactly once.
MUTANTS = [
    ("an unlisted way is accepted", CLAIMS,
     'if provider.name not in rule.ways:\n        raise ClaimError("way")',
     'if False:\n        raise ClaimError("way")'),
    ("contact kept for every way", CLAIMS,
     'contact = clean_contact(contact) if provider.needs_contact else ""',
     'contact = clean_contact(contact) if provider.needs_contact else contact'),
    ("contact checked after the token is used", CLAIMS,
     '    contact = clean_contact(contact) if provider.needs_contact else ""\n'
     '    if not incentives.use_token(survey_id, token):\n        raise ClaimError("used")\n',
     '    if not incentives.use_token(survey_id, token):\n        raise ClaimError("used")\n'
     '    contact = clean_contact(contact) if provider.needs_contact else ""\n'),
    ("a used token still claims", CLAIMS,
     "if not incentives.use_token(survey_id, token):",
     "if not (incentives.use_token(survey_id, token) or True):"),
    ("the mark is not checked", CLAIMS,
     "if not incentives.take_mark(survey_id, mark):",
     "if not (incentives.take_mark(survey_id, mark) or True):"),
    ("the mark is not given back", CLAIMS,
     "undo.append(lambda: incentives.give_back_mark(survey_id, mark))", "pass"),
    ("the place limit is ignored", CLAIMS,
     "if not incentives.take_place(survey_id, cap):",
     "if not incentives.take_place(survey_id, None):"),
    ("the place is not given back", CLAIMS,
     "undo.append(lambda: incentives.give_back_place(survey_id))", "pass"),
    ("a voucher code is not given back", CLAIMS,
     "undo.append(lambda: provider.take_back(", "(lambda: provider.take_back("),
    ("a half-made claim is not removed", CLAIMS,
     'undo.append(lambda: incentives.remove_claim(claim["id"]))', "pass"),
    ("the token is not given back", CLAIMS,
     "        _give_back(undo)\n        incentives.give_back_token(survey_id, token, today)\n",
     "        _give_back(undo)\n"),
    ("only a ClaimError gives things back", CLAIMS,
     "    except BaseException:\n        _give_back(undo)",
     "    except ClaimError:\n        _give_back(undo)"),
    ("only the newest step is undone", CLAIMS,
     "for step in reversed(undo):", "for step in reversed(undo[-1:]):"),
    ("the ledger entry is written before the claim", CLAIMS,
     "        incentives.add_claim(claim)\n"
     "        undo.append(lambda: incentives.remove_claim(claim[\"id\"]))\n"
     "        incentives.add_entry(entry)",
     "        incentives.add_entry(entry)\n        incentives.add_claim(claim)\n"
     "        undo.append(lambda: incentives.remove_claim(claim[\"id\"]))"),
    ("paid and waiting swapped", CLAIMS,
     '"status": "paid" if provider.pays_now else "waiting"',
     '"status": "waiting" if provider.pays_now else "paid"'),
    ("the ledger entry always planned", CLAIMS,
     'status="paid" if claim["status"] == "paid" else "planned"', 'status="planned"'),
    ("the ledger entry not tied to its claim", CLAIMS,
     '    claim["ledger_entry"] = entry.id\n', ""),
    ("the survey's own claims counted twice", CLAIMS,
     'if not (e.source == "claim" and e.survey_id == survey_id)]', "]"),
    ("a budget in another currency counts", CLAIMS,
     "if budget is None or budget.currency != rule.currency:", "if budget is None:"),
    ("one more than the budget allows", CLAIMS,
     "caps.append(max(0, int(room // rule.amount)))",
     "caps.append(max(0, int(room // rule.amount) + 1))"),
    ("the place counter lets one too many in", STORE,
     "if cap is None or given < cap:", "if cap is None or given <= cap:"),
    ("vouchers given in the file's order", STORE,
     "code = ledger.ID_RANDOM.choice(free)", "code = free[0]"),
]


def run(name: str, path: str, text: str, new: str, workdir: Path) -> bool:
    """Apply one mutant in ``workdir``, run the tests, restore; True when a test failed."""
    target = workdir / path
    original = target.read_text()
    assert original.count(text) == 1, f"{name}: the text to change is not there exactly once"
    target.write_text(original.replace(text, new))
    try:
        env = {**os.environ, "PYTHONPATH": str(workdir)}
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
             "-p", "no:randomly", *TESTS], cwd=workdir, env=env, capture_output=True,
            text=True, timeout=600)
        return result.returncode != 0
    finally:
        target.write_text(original)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="ck-mutants-") as folder:
        workdir = Path(folder)
        for part in ("consent_kit", "tests", "plugins", "forms", "pyproject.toml"):
            source = ROOT / part
            if source.is_dir():
                shutil.copytree(source, workdir / part)
            else:
                shutil.copy(source, workdir / part)
        chosen = [m for m in MUTANTS if not sys.argv[1:] or any(w in m[0] for w in sys.argv[1:])]
        killed = 0
        for name, path, text, new in chosen:
            dead = run(name, path, text, new, workdir)
            killed += dead
            print(f"{'killed  ' if dead else 'SURVIVED'}  {name}", flush=True)
        print(f"{killed} of {len(chosen)} mutants killed ({100 * killed // max(1, len(chosen))}%)")
        return 0 if killed == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
