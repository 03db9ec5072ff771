# ruff: noqa: E501 - the mutant table quotes source lines exactly, so its lines are long
"""Hand-made mutants of consent_kit/store, run against the store tests (issue 21 §1).

Not a test (pytest does not collect it). Usage, from the repository root::

    .venv/bin/python tests/store/mutants.py [--processes] [NAME ...]

It copies the repository to a temporary folder, applies one mutant at a time
there (never in the working tree, which others may be testing), runs
``tests/store`` with ``-x`` and prints whether each mutant was killed. The
slow kill -9 file (test_store_processes.py) runs only with ``--processes``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
J, R, C = "consent_kit/store/journal.py", "consent_kit/store/responses.py", "consent_kit/store/consents.py"
E, S, A = "consent_kit/store/embedded.py", "consent_kit/store/submissions.py", "consent_kit/store/audit.py"
F = "consent_kit/store/files.py"
JR, L = "consent_kit/store/journal_rewrite.py", "consent_kit/store/lines.py"
JB = "consent_kit/store/journal_blank.py"
K, SL, D = "consent_kit/store/keys.py", "consent_kit/store/sealing.py", "consent_kit/store/drafts.py"
CR, SD = "consent_kit/store/crypto.py", "consent_kit/store/sealed_documents.py"
CI = "consent_kit/store/consent_index.py"
RI = "consent_kit/store/response_index.py"
OT = "consent_kit/store/offset_table.py"
JP = "consent_kit/store/journal_repair.py"

#: name -> (file, text, replacement); each text must occur exactly once.
MUTANTS = {
    "rewrite: temp file not fsync'd": (JR, "    os.fsync(out)\n", "    pass\n"),
    "rewrite: folder not fsync'd after replace": (J, "            fsync_dir(self.path.parent)\n            self._adopt(done)",
                                                  "            self._adopt(done)"),
    "rewrite: folder fsync'd before replace, not after": (
        J, "            os.replace(tmp, self.path)\n        except BaseException as exc:\n            tmp.unlink(missing_ok=True)  # it may hold answers that were meant to go\n            self._rebuild()  # the follower was half fed the new file: the old one is still in place\n            if isinstance(exc, OSError):\n                raise StoreError.from_os_error(exc, what=\"the change\") from exc\n            raise\n        try:\n            fsync_dir(self.path.parent)\n",
        "            fsync_dir(self.path.parent)\n            os.replace(tmp, self.path)\n        except BaseException as exc:\n            tmp.unlink(missing_ok=True)  # it may hold answers that were meant to go\n            self._rebuild()  # the follower was half fed the new file: the old one is still in place\n            if isinstance(exc, OSError):\n                raise StoreError.from_os_error(exc, what=\"the change\") from exc\n            raise\n        try:\n"),
    "rewrite: torn tail copied": (J, "write_new(tmp, self._fd, self._offset,", "write_new(tmp, self._fd, os.fstat(self._fd).st_size,"),
    "rewrite: temp file left on failure": (J, "            tmp.unlink(missing_ok=True)", "            pass"),
    "rewrite: stale temps kept": (J, "        remove_stale_temps(self.path)\n", ""),
    "append: no fsync": (J, "            if durable:\n                os.fsync(self._fd)", "            if False:\n                os.fsync(self._fd)"),
    "append: torn tail not cut": (JP, "        if size > self._offset:\n            os.ftruncate", "        if False:\n            os.ftruncate"),
    "append: partial line not undone": (JP, "            os.ftruncate(self._fd, start)", "            pass"),
    "journal: checksum ignored": (L, "        if checksum_ok(raw):\n            return record", "        if True:\n            return record"),
    "journal: new file's name not fsync'd": (J, "            fsync_dir(self.path.parent)  # the new name", "            pass  # the new name"),
    "journal: shrunk file not noticed": (J, " or st.st_size < self._offset", ""),
    "erase: damaged lines always kept": (R, "damaged = journal.damaged_mentioning([*lines, pseudonym] if pseudonym else list(lines))", "damaged = []"),
    "erase: ids not stored yet not tombstoned": (R, "            for response_id in sorted(targets):", "            for response_id in sorted(lines):"),
    "erase: pseudonym not searched in damaged lines": (R, "[*lines, pseudonym] if pseudonym else list(lines)", "list(lines)"),
    "erase: tombstones without the person": (R, '                        record["for"] = id_hash(pseudonym)', "                        pass"),
    "add: erased id accepted again": (R, "        if id_hash(response.id) in self.index.erased:", "        if False:"),
    "withdraw: damaged consent line kept": (C, "*entry.changes, *journal.damaged_mentioning([pseudonym])]", "*entry.changes]"),
    "withdraw: audit entry never carried": (C, "            if audit is None:\n                erased = journal.erase_in_place", "            if True:\n                erased = journal.erase_in_place"),
    "consent: withdrawn pseudonym accepted again": (C, "        if record.pseudonym in self.index.withdrawn:\n            raise", "        if False:\n            raise"),
    "add_response: withdrawn pseudonym accepted": (E, "            if response.pseudonym and response.pseudonym in self._consents.index.withdrawn:",
                                                   "            if False:"),
    "withdraw: drafts kept": (E, "            self._drafts.delete_mentioning([*ids, pseudonym], owners={pseudonym})",
                              "            pass"),
    "withdraw: count of this call only": (E, '"responses_erased": self._responses.erased_for(pseudonym)',
                                          '"responses_erased": counts["responses"]'),
    "open: no recovery": (E, "        recover(self._logs())", "        pass"),
    "send: answers never flushed": (S, "        responses.journal.flush(point)\n", "        pass\n"),
    "send: a good retry after a failed flush not counted as the first": (
        S, "            created = True  # so its plugin events", "            pass  # so its plugin events"),
    "recover: withdrawal entries put back twice": (S, "        if str(entry.get(\"actor\")) in audits.chain.withdrawn_by:\n            continue",
                                                   "        if False:\n            continue"),
    "recover: stale copy written as is": (S, '        if entry.get("prev") == audits.chain.last_hash and entry.get("seq") == audits.chain.last_seq + 1:',
                                          "        if True:"),
    "recover: lost withdrawal entries not put back": (S, "+ _recover_withdrawals(audits, consents)", ""),
    "audit: pending entry never written": (A, "                self.write_entry(entry)\n            except StoreError:\n                log.exception(\"Could not write an audit entry; it is carried",
                                           "                pass\n            except StoreError:\n                log.exception(\"Could not write an audit entry; it is carried"),
    "audit: withdrawals not remembered": (A, "                self.withdrawn_by.add(str(record.get(\"actor\")))", "                pass"),
    "audit: empty head after a power cut is damaged": (A, 'if not raw.strip(b" \\0"):', "if False:"),
    # Crypto-shredding (issue 16 §4).
    "withdraw: key kept": (E, "            self.keys.destroy(pseudonym)\n", "            pass\n"),
    "erase: own key of an answer without pseudonym kept": (E, "        self.keys.destroy_all(own_keys)", "        pass"),
    "keys: destroyed key's line kept": (K, "journal.erase_in_place(present + damaged, [])", "journal.erase_in_place(damaged, [])"),
    "keys: damaged line of a destroyed key kept": (K, "damaged = journal.damaged_mentioning(list(wanted))", "damaged = []"),
    "keys: cache used for a key made again": (CR, "if hit is not None and hit[0] == wrapped:", "if hit is not None:"),
    "seal: answers written plain": (R, "line = self.sealer.seal_response(record) if self.sealer else record",
                                    "line = record"),
    "seal: initials written plain": (SL, "line = {k: v for k, v in record.items() if k not in PERSONAL_CONSENT_FIELDS}",
                                     "line = dict(record)"),
    "seal: drafts written plain": (D, "            body = self.sealer.seal_draft(draft_id, body)", "            pass"),
    "send: new key not flushed before the answers": (S, "            flush_first()  # a new", "            pass  # a new"),
    "start: leftover keys kept": (E, "        self._shred_leftover_keys()\n", ""),
    "sweep: keys of live drafts destroyed": (E, "if n not in live and", "if"),
    "claims: erased contact's key kept": (SD, "        self._keys.destroy_all(emptied)", "        pass"),
    "tables: atomic write not fsync'd": (F, "            if durable:\n                os.fsync(fd)", "            if False:\n                os.fsync(fd)"),
    # Erasure in place (a withdrawal blanks the person's lines where they are; issue 22).
    "erase in place: blanks not flushed": (JB, "        os.fsync(fd)", "        pass"),
    "erase in place: erasure not counted in the lock file": (JB, "    count_erasure(stamp)", "    pass"),
    "erase in place: a cut-off erasure not finished at start": (E, "            log_.journal.finish_erasures()", "            pass"),
    "erase in place: answers' lines not noted as unfinished": (RI, "                self.unfinished.add(at)", "                pass"),
    "erase in place: consent lines not noted as unfinished": (CI, "            self.unfinished.update((entry.offset, *entry.changes))", "            pass"),
    "erase in place: other processes keep their old checksum": (JB, "            self._crc = None  # lines", "            pass  # lines"),
    "erase in place: blanked damaged lines still damaged elsewhere": (JB, "        self.damaged = [d for d in self.damaged if d not in gone]\n        if any", "        if any"),
    "erase in place: codes of blanked lines kept": (CI, "                    self.by_code.discard(line)", "                    pass"),
    "erase in place: destroyed keys' names kept by other processes": (K, "            self.forget(record.get(BLANKED))", "            pass"),
    "erase in place: a crashed rewrite's copy kept": (JB, "        remove_stale_temps(self.path)  # a crashed rewrite's copy", "        pass  # a crashed rewrite's copy"),
    "erase in place: senders' lines never cleaned": (RI, "                self._unlink(at)\n", "                pass\n"),
    "erase in place: the erasing process's checksum not moved on": (JB, "                    self._crc = crc_after_overwrite(", "                    self._crc = (lambda *a: 0)("),
    "erase in place: lines a disk error left not finished by the next erasure": (JB, '        offsets = {*offsets, *getattr(self._follower, "unfinished", ())}', "        offsets = set(offsets)"),
    "erase in place: a withdrawn person's retry leaves their unblanked lines": (C, "                if self.index.unfinished:  # withdrawn already", "                if False:  # withdrawn already"),
    "erase in place: a retry of the answers' erasure leaves their unblanked lines": (R, "            if lines or damaged or self.index.unfinished:", "            if lines or damaged:"),
    # people kept by the hash of their pseudonym (flat tables)
    "people: a blank line never taken for the person": (OT, "if or_unreadable and unreadable is None:", "if False:"),
    "people: a line of another hash not found out": (OT, "                elif id_key(held) != key:\n                    raise WrongLine", "                elif False:\n                    raise WrongLine"),
    "people: a moved entry keeps its old line": (OT, "        self.add_hash(key, to, number)", "        self.add_hash(key, offset, number)"),
    "people: a held hash not seen when comparing": (OT, "                if held == key:\n                    break", "                if False:\n                    break"),
    "consents: a change's choices not kept": (CI, "        self.people.set_value(pseudonym, number, or_unreadable=True)", "        pass"),
    "consents: a withdrawn person stays in the table": (CI, "            self.people.discard(entry.offset)", "            pass"),
    "consents: choices not renumbered in the index file": (CI, 'array("i", map(renumbered.__getitem__, numbers))', "numbers"),
    "recovery: no sender's consent put back": (S, "    missing = responses.index.senders.offsets_not_in(consents.index.people)", "    missing = []"),
    "start: keys of erased answers kept": (E, "            gone += self._keyfile.of_erased_answers(self._responses.index.erased)", "            pass"),
    "keys: answers' keys not kept by their id": (K, "if self.offsets.add_new(name, offset) and name.startswith(ANSWERS_KEY):", "if self.offsets.add_new(name, offset) and False:"),
    "journal: a wrong index found by a lookup not read again": (J, "                self._distrust()\n                raise StoreError(_TRY_AGAIN", "                pass\n                raise StoreError(_TRY_AGAIN"),
    "senders: a sender's later lines not kept": (RI, "                    self.more[first] = self.more.get(first, (first,)) + (offset,)", "                    pass"),
    "offsets: kept in 4 bytes past 4 GiB": (OT, "if offset >= _SMALL_LIMIT and self._offsets.typecode == _SMALL:", "if False:"),
    "iter: a small survey read through the whole file": (R, "mine is not None and len(mine) * 4 < len(self.index.offsets)", "False"),
    "surveys: an erased answer still listed": (RI, "                self._drop_from_survey(str(record.get(\"survey_id\")), at)\n", "                pass\n"),
}


def run(copy: Path, processes: bool) -> bool:
    """Run the store tests in ``copy``; return whether they failed (the mutant was killed)."""
    args = ["tests/store", "-q", "-x", "-p", "no:cacheprovider"]
    if not processes:
        args += ["--deselect", "tests/store/test_store_processes.py"]
    env = dict(os.environ, PYTHONPATH=str(copy))
    result = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=copy, env=env,
                            capture_output=True, text=True, timeout=900)
    return result.returncode != 0


def main(argv: list[str]) -> int:
    processes = "--processes" in argv
    names = [a for a in argv if not a.startswith("--")] or list(MUTANTS)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "repo"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "build", ".hypothesis"))
        survived = []
        for name in names:
            path, old, new = MUTANTS[name]
            target = copy / path
            original = target.read_text()
            if original.count(old) != 1:
                print(f"STALE  {name}: the text to change is not there exactly once")
                continue
            target.write_text(original.replace(old, new))
            try:
                killed = run(copy, processes)
            finally:
                target.write_text(original)
            print(("killed " if killed else "SURVIVED ") + name, flush=True)
            if not killed:
                survived.append(name)
        print(f"{len(names) - len(survived)} of {len(names)} killed")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
