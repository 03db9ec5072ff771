"""Where budgets, the ledger, voucher codes, claim tokens and claims are kept.

All through the store's keyed documents (``store.documents(name)``), each
operation a single locked read-and-write (``modify`` where the new value
depends on the old), so several worker processes can share them:

* ``incentive_budgets``: one budget per project;
* ``ledger``: entries, only ever added (a correction is a new entry);
* ``incentive_vouchers``: each survey's pool of codes, one document per survey;
  a code is taken by one atomic update that marks exactly one free code, so
  no code is given twice;
* ``incentive_tokens``: the hashes of claim tokens not used yet (no response
  id, no time of day): using one is an atomic remove, so a token pays once;
* ``incentive_counts``: how many thank-you payments each survey has given, for
  "the first N people"; taken by an atomic update that checks the limit;
* ``incentive_claimed_marks``: per survey, one sorted list of one-way marks of
  the responses (or drafts) that have claimed, so each claims once whichever
  way it comes; a sorted list keeps no order of claiming, and a mark names no
  claim;
* ``incentive_claims``: claims and the contact details left with them. This is
  personal data, kept apart from the answers (which live in the responses
  journal) and never exported with them. A claim has no response id and no
  pseudonym, so nothing stored links it to anyone's answers.

No Flask here.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from decimal import Decimal

from consent_kit.incentives import ledger
from consent_kit.incentives.ledger import N_, Budget, LedgerEntry

BUDGETS, LEDGER, VOUCHERS = "incentive_budgets", "ledger", "incentive_vouchers"
TOKENS, COUNTS, CLAIMS = "incentive_tokens", "incentive_counts", "incentive_claims"
AUDITED, MARKS = "incentive_audited", "incentive_claimed_marks"


def token_hash(token: str) -> str:
    """What is kept of a claim token: its sha256 (the token is 256 random bits)."""
    return hashlib.sha256(f"claim-token:{token}".encode()).hexdigest()


class IncentiveStore:
    """Budgets, ledger, vouchers, tokens and claims of one consent-kit store."""

    def __init__(self, store):
        self.store = store

    # -- budgets and the ledger -------------------------------------------------------------

    def budget(self, project_id: str) -> Budget | None:
        """The project's budget, or ``None`` before one is set."""
        doc = self.store.documents(BUDGETS).get(project_id=project_id)
        if doc is None:
            return None
        return Budget(project_id, Decimal(doc["amount"]), doc["currency"],
                      int(doc.get("retention_days", 30)), tuple(doc.get("categories", ())))

    def set_budget(self, budget: Budget) -> None:
        """Keep the project's budget (the one setting of a project that is changed in place)."""
        doc = {"project_id": budget.project_id, "amount": str(budget.amount),
               "currency": budget.currency, "retention_days": budget.retention_days,
               "categories": list(budget.categories)}
        self.store.documents(BUDGETS).put(doc, project_id=budget.project_id)

    def entries(self, project_id: str) -> list[LedgerEntry]:
        """Every ledger entry of a project, corrections included, in the order recorded."""
        docs = self.store.documents(LEDGER).find(project_id=project_id)  # oldest first
        return [LedgerEntry.from_record(doc) for doc in docs]

    def entry(self, project_id: str, entry_id: str) -> LedgerEntry | None:
        """One entry of this project (``None`` for an entry of another project)."""
        doc = self.store.documents(LEDGER).get(project_id=project_id, id=entry_id)
        return LedgerEntry.from_record(doc) if doc else None

    def add_entry(self, entry: LedgerEntry) -> LedgerEntry:
        """Append an entry. A second correction of the same entry is refused (ValueError)."""
        ledger = self.store.documents(LEDGER)
        if entry.replaces and ledger.get(replaces=entry.replaces):
            raise ValueError(N_("This entry was corrected already: correct the newest one."))
        ledger.insert(entry.to_record())
        return entry

    def claims_to_audit(self, project_id: str, today: str) -> list[LedgerEntry]:
        """Ledger entries from claims of past days not yet put on record, taken once (atomic).

        Claims are put in the audit log later, a whole day at a time, never
        when they are made: an audit entry at that moment would sit beside the
        participant's consent entry and tie their claim to their answers, and
        so would a batch written each time a researcher looks (one claim per
        look). The ids put on record are kept, sorted, so each is taken once.
        """
        every = [e for e in self.entries(project_id) if e.source == "claim"]
        due = {e.id for e in every if e.date < today}
        marks = self.store.documents(AUDITED)
        marks.put({"project_id": project_id}, project_id=project_id)
        taken: list[str] = []

        def move(doc):
            done = set(doc.get("ids", []))
            if "upto" in doc:  # kept by older versions: the first "upto" were put on record
                done |= {e.id for e in every[:int(doc.pop("upto"))]}
            new = sorted(due - done)
            taken.extend(new)
            doc["ids"] = sorted(done | due)

        marks.modify(move, project_id=project_id)
        by_id = {e.id: e for e in every}
        # Sorted by id, so the audit entry keeps no order of claiming either.
        return [by_id[entry_id] for entry_id in taken]

    # -- voucher pools ----------------------------------------------------------------------

    def add_vouchers(self, survey_id: str, codes, batch: str) -> tuple[int, int]:
        """Add codes to a survey's pool; return ``(added, already there)``.

        The pool is one document per survey, changed by one atomic update, so
        two uploads (or two workers starting) at once can't add a code twice,
        and a code already in the pool, given out or not, is never added again.
        """
        wanted = list(dict.fromkeys(codes))
        added: list[str] = []

        def merge(doc):
            pool = doc.setdefault("codes", {})
            for code in wanted:
                if code not in pool:
                    pool[code] = {"batch": batch, "given_on": "", "taker": ""}
                    added.append(code)

        self._ensure_pool(survey_id)
        self.store.documents(VOUCHERS).modify(merge, survey_id=survey_id)
        return len(added), len(wanted) - len(added)

    def take_voucher(self, survey_id: str, today: str) -> str | None:
        """Give out one free code of the pool, or ``None`` when none are left.

        One atomic update marks exactly one free code with a random mark, so
        two claims at the same moment, in any processes, get different codes.
        """
        taken: list[str] = []
        mark = secrets.token_hex(8)

        def give(doc):
            free = [code for code, state in doc.get("codes", {}).items() if not state.get("taker")]
            if free:
                # A random free code, not the next one in the file: the file's order would
                # say who claimed when.
                code = ledger.ID_RANDOM.choice(free)
                doc["codes"][code].update(given_on=today, taker=mark)
                taken.append(code)

        self.store.documents(VOUCHERS).modify(give, survey_id=survey_id)
        return taken[0] if taken else None

    def give_back_voucher(self, survey_id: str, code: str) -> None:
        """Make a code free again after a claim that got it could not be completed."""

        def free(doc):
            state = doc.get("codes", {}).get(code)
            if state is not None:
                state.update(given_on="", taker="")

        self.store.documents(VOUCHERS).modify(free, survey_id=survey_id)

    def voucher_stock(self, survey_id: str) -> dict:
        """``{"left", "given"}`` for a survey's pool."""
        doc = self.store.documents(VOUCHERS).get(survey_id=survey_id)
        codes = (doc or {}).get("codes", {})
        given = sum(1 for state in codes.values() if state.get("taker"))
        return {"left": len(codes) - given, "given": given}

    def _ensure_pool(self, survey_id: str) -> None:
        # upsert with only the key: creates the pool once, changes nothing when it is there.
        self.store.documents(VOUCHERS).put({"survey_id": survey_id}, survey_id=survey_id)

    # -- claim tokens and limits ------------------------------------------------------------

    def mint_token(self, survey_id: str, today: str) -> str:
        """A new one-time claim token; only its hash is kept (no response id)."""
        token = secrets.token_urlsafe(32)
        self.store.documents(TOKENS).insert({"hash": token_hash(token), "survey_id": survey_id,
                                         "day": today})
        return token

    def token_unused(self, survey_id: str, token: str) -> bool:
        """Whether this token can still claim (it is kept and not used)."""
        return bool(token) and self.store.documents(TOKENS).get(
            hash=token_hash(token), survey_id=survey_id) is not None

    def use_token(self, survey_id: str, token: str) -> bool:
        """Forget the token; True only for the one call that removed it (it pays once)."""
        if not token:
            return False
        return bool(self.store.documents(TOKENS).remove(hash=token_hash(token), survey_id=survey_id))

    def give_back_token(self, survey_id: str, token: str, today: str) -> None:
        """Keep a token again after a claim could not be completed (nothing was given)."""
        self.store.documents(TOKENS).insert({"hash": token_hash(token), "survey_id": survey_id,
                                         "day": today})

    def forget_tokens_before(self, day: str) -> int:
        """Remove tokens minted before ``day`` (unclaimed ones do not last for ever)."""
        return self.store.documents(TOKENS).remove(
            where=lambda doc: doc.get("day") is not None and doc["day"] < day)

    def given(self, survey_id: str) -> int:
        """How many thank-you payments this survey has given."""
        doc = self.store.documents(COUNTS).get(survey_id=survey_id)
        return int(doc.get("given", 0)) if doc else 0  # created, but none given yet

    def take_place(self, survey_id: str, cap: int | None) -> bool:
        """Count one more payment if fewer than ``cap`` were given (atomic); ``None`` = no cap."""
        table = self.store.documents(COUNTS)
        if table.get(survey_id=survey_id) is None:  # a read costs less than a write
            table.put({"survey_id": survey_id}, survey_id=survey_id)
        counted: list[bool] = []

        def count(doc):
            given = int(doc.get("given", 0))
            if cap is None or given < cap:
                doc["given"] = given + 1
                counted.append(True)

        table.modify(count, survey_id=survey_id)
        return bool(counted)

    def give_back_place(self, survey_id: str) -> None:
        """Undo :meth:`take_place` after a claim could not be completed."""

        def uncount(doc):
            doc["given"] = max(0, int(doc.get("given", 0)) - 1)

        self.store.documents(COUNTS).modify(uncount, survey_id=survey_id)

    def take_mark(self, survey_id: str, mark: str) -> bool:
        """Keep a one-way mark that a response claimed; False when it was kept already (atomic)."""
        table = self.store.documents(MARKS)
        if table.get(survey_id=survey_id) is None:
            table.put({"survey_id": survey_id}, survey_id=survey_id)
        taken: list[bool] = []

        def add(doc):
            marks = doc.get("marks", [])
            if mark not in marks:
                doc["marks"] = sorted([*marks, mark])  # sorted: no order of claiming is kept
                taken.append(True)

        table.modify(add, survey_id=survey_id)
        return bool(taken)

    def marked(self, survey_id: str, mark: str) -> bool:
        """Whether a claim was made with this mark."""
        doc = self.store.documents(MARKS).get(survey_id=survey_id)
        return mark in (doc or {}).get("marks", [])

    def give_back_mark(self, survey_id: str, mark: str) -> None:
        """Forget a mark after the claim that took it could not be completed."""

        def drop(doc):
            doc["marks"] = [m for m in doc.get("marks", []) if m != mark]

        self.store.documents(MARKS).modify(drop, survey_id=survey_id)

    # -- claims -----------------------------------------------------------------------------

    def add_claim(self, claim: dict) -> None:
        """Keep a claim (and the contact details it may carry)."""
        self.store.documents(CLAIMS).insert(claim)

    def remove_claim(self, claim_id: str) -> None:
        """Remove a claim that could not be completed (its ledger entry was never written)."""
        self.store.documents(CLAIMS).remove(id=claim_id)

    def claims(self, survey_ids) -> list[dict]:
        """The claims of these surveys, by their random id: never in the order they were made.

        The order of claims is the order the answers came in; listing them so
        would tie each claim to someone's answers (issue 23).
        """
        wanted = set(survey_ids)
        docs = self.store.documents(CLAIMS).find(where=lambda doc: doc.get("survey_id") in wanted)
        return sorted((dict(doc) for doc in docs), key=lambda claim: claim["id"])

    def claim(self, claim_id: str) -> dict | None:
        """One claim by its id."""
        doc = self.store.documents(CLAIMS).get(id=claim_id)
        return dict(doc) if doc else None

    def mark_paid(self, claim_id: str, *, today: str, erase_after: str, entry_id: str) -> bool:
        """Mark a waiting claim paid; False when it was not waiting (paid twice is refused)."""
        fields = {"status": "paid", "paid_on": today, "erase_after": erase_after,
                  "ledger_entry": entry_id}
        return bool(self.store.documents(CLAIMS).update(fields, id=claim_id, status="waiting"))

    def erase_contact(self, claim_id: str) -> bool:
        """Remove a claim's contact details (what was paid stays, for the accounts)."""
        return bool(self.store.documents(CLAIMS).update(
            {"contact": "", "erased": True}, where=lambda doc: doc.get("contact") != "", id=claim_id))

    def erase_due(self, today: str) -> int:
        """Erase the contact details of paid claims past their time to be kept; return how many."""
        return self.store.documents(CLAIMS).update(
            {"contact": "", "erased": True}, status="paid",
            where=lambda doc: doc.get("contact") != "" and isinstance(doc.get("erase_after"), str)
            and doc["erase_after"] <= today)


def today() -> str:
    """Today's date in UTC, as the ledger and claims keep it."""
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def days_after(day: str, days: int) -> str:
    """The date ``days`` after ``day`` (ISO dates)."""
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=days)).isoformat()
