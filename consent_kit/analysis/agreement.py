"""How far coders agree: Cohen's kappa for two, Krippendorff's alpha for more (no Flask).

Each theme is a yes/no question per answer ("does this answer talk about
transport?"), so agreement is worked out per theme, then shown overall as the
mean of the themes where it can be worked out. Both measures correct for the
agreement chance alone would give; both are undefined when every coder gave
the same single value to every answer (nothing varied), and say so (None).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import permutations


def percent_agreement(first: Sequence[Hashable], second: Sequence[Hashable]) -> float:
    """The share of units two coders coded the same way (0 to 1)."""
    if len(first) != len(second) or not first:
        raise ValueError("Both coders need the same, non-empty list of answers.")
    return sum(a == b for a, b in zip(first, second, strict=True)) / len(first)


def cohens_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa for two coders' values on the same units, or None when it is undefined.

    kappa = (po - pe) / (1 - pe): po is the observed agreement; pe the
    agreement expected from how often each coder used each value.
    """
    observed = percent_agreement(first, second)
    n = len(first)
    one, two = Counter(first), Counter(second)
    expected = sum(one[value] * two[value] for value in one) / (n * n)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def krippendorff_alpha(units: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha (nominal) for any number of coders; None marks a missing value.

    ``units`` holds, for each answer, the value each coder gave. Answers with
    fewer than two values are left out, as the method says. Built from the
    coincidence matrix: alpha = 1 - observed disagreement / expected disagreement.
    """
    coincidences: Counter = Counter()
    for unit in units:
        values = [value for value in unit if value is not None]
        if len(values) < 2:
            continue
        for first, second in permutations(values, 2):
            coincidences[(first, second)] += 1 / (len(values) - 1)
    totals: Counter = Counter()
    for (first, _), weight in coincidences.items():
        totals[first] += weight
    n = sum(totals.values())
    if n <= 1:
        return None
    observed = sum(w for (a, b), w in coincidences.items() if a != b)
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b) / (n - 1)
    if expected == 0:
        return None
    return 1 - observed / expected


def N_(message: str) -> str:
    """Mark words for translation; the pages translate them when they show them."""
    return message


#: Plain words for a kappa or alpha (Landis and Koch's bands, said simply).
BANDS = ((0.8, N_("very good")), (0.6, N_("good")), (0.4, N_("moderate")), (0.2, N_("fair")),
         (0.0, N_("slight")))


def band(value: float | None) -> str:
    """"very good", "good", "moderate", "fair", "slight", "less than chance" or "can't tell"."""
    if value is None:
        return N_("can't tell")
    value = round(value, 2)  # 0.6000000001 is 0.60, as shown
    for floor, words in BANDS:
        if value > floor or (floor == 0.0 and value >= 0):
            return words
    return N_("less than chance")


@dataclass(frozen=True)
class ThemeAgreement:
    """Agreement on one theme over a blind sample."""

    theme_id: str
    measure: float | None
    percent: float
    used: int


def theme_agreement(theme_ids: Sequence[str], coded: dict[str, dict[str, set[str]]],
                    answers: Sequence[str]) -> list[ThemeAgreement]:
    """Per theme: kappa (two coders) or alpha (more), the share agreed, and how often it was used.

    ``coded[coder][answer]`` is the set of themes a coder gave an answer; only
    answers every coder has coded count.
    """
    coders = sorted(coded)
    shared = [a for a in answers if all(a in coded[c] for c in coders)]
    found = []
    for theme in theme_ids:
        rows = [[theme in coded[c][a] for c in coders] for a in shared]
        if not rows or len(coders) < 2:
            continue
        same = sum(len(set(row)) == 1 for row in rows) / len(rows)
        if len(coders) == 2:
            measure = cohens_kappa([r[0] for r in rows], [r[1] for r in rows])
        else:
            measure = krippendorff_alpha(rows)
        found.append(ThemeAgreement(theme, measure, same, sum(any(r) for r in rows)))
    return found


def overall(per_theme: Sequence[ThemeAgreement]) -> float | None:
    """The mean of the per-theme measures that could be worked out (None if none could)."""
    values = [t.measure for t in per_theme if t.measure is not None]
    return sum(values) / len(values) if values else None


def differences(coded: dict[str, dict[str, set[str]]], answers: Sequence[str]) -> list[str]:
    """The answers every coder coded but not with the same themes: the "talk it through" list."""
    coders = sorted(coded)
    return [a for a in answers
            if len(coders) > 1 and all(a in coded[c] for c in coders)
            and len({frozenset(coded[c][a]) for c in coders}) > 1]
