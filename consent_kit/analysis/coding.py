"""Codes: which themes each coder gave each answer, what the team settled, blind samples (no Flask).

Each coder's codes are kept apart (one document per answer, question and
coder), so two people can code the same answers blind and compare. Settled
codes record what the team agreed after talking it through, and who agreed.
Everything is keyed by response id, so erasing a withdrawn person's responses
erases their codes too (:meth:`Coding.erase`).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

CODES, SETTLED, SAMPLES = "analysis_codes", "analysis_settled", "analysis_samples"
MEMO_MAX = 1000


@dataclass(frozen=True)
class Answer:
    """One free-text answer to code."""

    response_id: str
    text: str
    language: str = ""
    source: str = ""


def text_answers(responses: Iterable, question_id: str, skip: Iterable[str] = ()) -> list[Answer]:
    """The written answers to one question, oldest first (blank and "prefer not to say" left out)."""
    skipped = set(skip)
    found = []
    for response in responses:
        value = response.answers.get(question_id)
        if isinstance(value, str) and value.strip() and value not in skipped:
            found.append(Answer(response.id, value.strip(), str(response.meta.get("language", "")),
                                response.source))
    return found


class Coding:
    """The codes, settled codes and blind samples of every survey, over the store's documents."""

    def __init__(self, store):
        self.codes = store.documents(CODES)
        self.settled = store.documents(SETTLED)
        self.samples = store.documents(SAMPLES)

    # -- one coder --------------------------------------------------------------------------

    def save(self, survey_id: str, question_id: str, response_id: str, coder: str,
             themes: Iterable[str], memo: str, at: str) -> None:
        """Keep a coder's themes and memo for one answer (replacing what they gave before)."""
        key = {"survey_id": survey_id, "question_id": question_id, "response_id": response_id,
               "coder": coder}
        self.codes.put({**key, "themes": sorted(set(themes)), "memo": memo[:MEMO_MAX].strip(),
                        "at": at}, **key)

    def by_coder(self, survey_id: str, question_id: str, coder: str) -> dict[str, dict]:
        """``{response id: code}`` of one coder for one question."""
        return {d["response_id"]: d for d in self.codes.find(
            survey_id=survey_id, question_id=question_id, coder=coder)}

    def all(self, survey_id: str, question_id: str) -> list[dict]:
        """Every coder's codes for one question."""
        return self.codes.find(survey_id=survey_id, question_id=question_id)

    def coded_sets(self, survey_id: str, question_id: str,
                   coders: Iterable[str] | None = None) -> dict[str, dict[str, set[str]]]:
        """``{coder: {response id: themes}}``, for all coders or the ones named."""
        wanted = set(coders) if coders is not None else None
        found: dict[str, dict[str, set[str]]] = {}
        for doc in self.all(survey_id, question_id):
            if wanted is None or doc["coder"] in wanted:
                found.setdefault(doc["coder"], {})[doc["response_id"]] = set(doc["themes"])
        return found

    # -- the team ---------------------------------------------------------------------------

    def settle(self, survey_id: str, question_id: str, response_id: str, themes: Iterable[str],
               agreed_by: Iterable[str], at: str) -> None:
        """Record what the team agreed for one answer, and who agreed it."""
        key = {"survey_id": survey_id, "question_id": question_id, "response_id": response_id}
        self.settled.put({**key, "themes": sorted(set(themes)),
                          "agreed_by": sorted(set(agreed_by)), "at": at}, **key)

    def settled_for(self, survey_id: str, question_id: str) -> dict[str, dict]:
        """``{response id: settled code}`` for one question."""
        return {d["response_id"]: d for d in self.settled.find(
            survey_id=survey_id, question_id=question_id)}

    def themes_of(self, survey_id: str, question_id: str) -> dict[str, set[str]]:
        """The themes each answer counts under: what was settled, else what any coder gave."""
        found: dict[str, set[str]] = {}
        for doc in self.all(survey_id, question_id):
            found.setdefault(doc["response_id"], set()).update(doc["themes"])
        for response_id, doc in self.settled_for(survey_id, question_id).items():
            found[response_id] = set(doc["themes"])
        return found

    def theme_counts(self, survey_id: str, question_id: str,
                     answers: Iterable[Answer]) -> Counter:
        """How many of ``answers`` count under each theme."""
        themes = self.themes_of(survey_id, question_id)
        counts: Counter = Counter()
        for answer in answers:
            counts.update(themes.get(answer.response_id, ()))
        return counts

    # -- blind samples ----------------------------------------------------------------------

    def make_sample(self, survey_id: str, question_id: str, answers: list[Answer], size: int,
                    coders: Iterable[str], by: str, at: str, seed: int | None = None) -> dict:
        """Pick ``size`` answers at random for ``coders`` to code blind (replaces an earlier sample)."""
        chosen = random.Random(seed).sample([a.response_id for a in answers],
                                            min(size, len(answers)))
        key = {"survey_id": survey_id, "question_id": question_id}
        sample = {**key, "response_ids": chosen, "coders": sorted(set(coders)), "by": by,
                  "at": at}
        self.samples.put(sample, **key)
        return sample

    def sample(self, survey_id: str, question_id: str) -> dict | None:
        """The blind sample for one question, or None."""
        return self.samples.get(survey_id=survey_id, question_id=question_id)

    # -- withdrawal -------------------------------------------------------------------------

    def erase(self, response_ids: Iterable[str]) -> int:
        """Remove every code and settled code of these responses, and take them out of samples."""
        ids = set(response_ids)
        removed = 0
        for response_id in ids:
            removed += self.codes.remove(response_id=response_id)
            removed += self.settled.remove(response_id=response_id)
        for sample in self.samples.find():
            kept = [r for r in sample["response_ids"] if r not in ids]
            if len(kept) != len(sample["response_ids"]):
                self.samples.update({"response_ids": kept}, survey_id=sample["survey_id"],
                                    question_id=sample["question_id"])
        return removed
