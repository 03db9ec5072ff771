"""SPSS (.sav) and Stata (.dta) files through pyreadstat, with labels and kinds of missing answer.

Both files hold the table of :mod:`consent_kit.results.stats_data`: variable
labels are the questions' wording (an earlier answer in it as "[answer to
club]"), value labels the choices' wording, and a
missing answer says why. In SPSS the reason is a code (-97 not asked, -98
left blank, -99 "Prefer not to say") declared as a missing value, so it is
left out of sums and means but can still be counted. In Stata it is an
extended missing value (.a, .b, .c) with the same labels.

A number question whose real answers could be -97 to -99 gets codes that
can't be mistaken for answers (-997 to -999, and so on): each file's value
labels say which.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from consent_kit.results.codes import MISSING_KINDS, STATA_MISSING
from consent_kit.results.stats_data import DATE, DATETIME, NUMERIC, TEXT, Missing, Variable, table
from consent_kit.survey.model import Survey
from consent_kit.survey.piping import stand_in

#: Stata keeps at most 80 characters of a variable's label (the dictionary has the full wording).
STATA_LABEL = 80
#: SPSS keeps at most 255 bytes of a variable's label.
SPSS_LABEL_BYTES = 255


def missing_family(values: Iterable, labels: Iterable[int] = ()) -> dict[int, int]:
    """Missing reason -> the code to write, chosen so it never equals a real answer.

    -97/-98/-99 unless a real answer (or a labelled code) falls between them,
    then -997/-998/-999, and so on.
    """
    real = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)
            and not (isinstance(v, float) and math.isnan(v))]
    real += list(labels)
    for places in range(2, 16):
        lowest = -(10 ** places - 1)  # -99, -999, ...
        # -99 -> lowest, -98 -> lowest + 1, -97 -> lowest + 2
        family = {code: lowest + (code + 99) for code, _, _ in MISSING_KINDS}
        if not any(lowest <= v <= lowest + 2 for v in real):
            return family
    raise ValueError("no free missing-value codes")  # only with answers beyond 10**15


def _text_family(values: Iterable) -> dict[int, str]:
    numbers = []
    for value in values:
        try:
            numbers.append(float(value))
        except (TypeError, ValueError):
            continue
    return {code: str(mapped) for code, mapped in missing_family(numbers).items()}


def _columns(variables: list[Variable], rows: list[list]) -> list[list]:
    return [[row[i] for row in rows] for i in range(len(variables))]


def _trim_bytes(text: str, limit: int) -> str:
    data = str(text).encode("utf-8")[:limit]
    return data.decode("utf-8", errors="ignore")


def _spss_frame(variables: list[Variable], rows: list[list]):
    """The pandas frame and pyreadstat's keyword arguments for an SPSS file."""
    import pandas as pd

    data, labels, value_labels, missing = {}, {}, {}, {}
    for variable, column in zip(variables, _columns(variables, rows), strict=True):
        labels[variable.name] = _trim_bytes(stand_in(variable.label), SPSS_LABEL_BYTES)
        if variable.kind == TEXT:
            family = _text_family(column) if variable.answer else {}
            data[variable.name] = [family[v.code] if isinstance(v, Missing) else ("" if v is None else v)
                                   for v in column]
            if variable.answer:
                missing[variable.name] = sorted(family.values())
            continue
        if variable.kind in (DATE, DATETIME):
            data[variable.name] = [None if isinstance(v, Missing) else v for v in column]
            continue
        family = missing_family(column, variable.value_labels)
        data[variable.name] = [float(family[v.code]) if isinstance(v, Missing)
                               else (math.nan if v is None else float(v)) for v in column]
        if variable.answer:
            value_labels[variable.name] = {
                **{float(k): v for k, v in variable.value_labels.items()},
                **{float(family[code]): label for code, _, label in MISSING_KINDS}}
            missing[variable.name] = [{"lo": float(min(family.values())), "hi": float(max(family.values()))}]
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in data.items()})
    for variable in variables:
        if variable.kind == NUMERIC:
            frame[variable.name] = frame[variable.name].astype(float)
    return frame, {"column_labels": labels, "variable_value_labels": value_labels,
                   "missing_ranges": missing}


def _stata_frame(variables: list[Variable], rows: list[list]):
    """The pandas frame and pyreadstat's keyword arguments for a Stata file."""
    import pandas as pd

    data, labels, value_labels, missing = {}, {}, {}, {}
    for variable, column in zip(variables, _columns(variables, rows), strict=True):
        labels[variable.name] = str(stand_in(variable.label))[:STATA_LABEL]
        if variable.kind == TEXT:
            family = _text_family(column) if variable.answer else {}
            data[variable.name] = [family[v.code] if isinstance(v, Missing) else ("" if v is None else v)
                                   for v in column]
        elif variable.kind in (DATE, DATETIME):
            data[variable.name] = [None if isinstance(v, Missing) else v for v in column]
        else:
            data[variable.name] = [STATA_MISSING[v.code] if isinstance(v, Missing)
                                   else (math.nan if v is None else float(v)) for v in column]
            if variable.answer:
                value_labels[variable.name] = {
                    **{int(k): v for k, v in variable.value_labels.items()},
                    **{letter: label for _, letter, label in MISSING_KINDS}}
                missing[variable.name] = [letter for _, letter, _ in MISSING_KINDS]
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in data.items()})
    for variable in variables:
        if variable.kind == NUMERIC and not variable.answer:
            frame[variable.name] = frame[variable.name].astype(float)
    return frame, {"column_labels": labels, "variable_value_labels": value_labels,
                   "missing_user_values": missing}


def _write_through_file(write, frame, options: dict, out, suffix: str) -> None:
    # pyreadstat writes only to a path: write a temporary file, then copy it to ``out``.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        write(frame, str(path), **options)
        with open(path, "rb") as handle:
            shutil.copyfileobj(handle, out)


def write_sav(survey: Survey, responses: Iterable, out, breakdowns: Iterable = ()) -> None:
    """Write the responses as an SPSS .sav file to binary file ``out``."""
    import pyreadstat

    variables, rows = table(survey, responses, breakdowns)
    frame, options = _spss_frame(variables, rows)
    _write_through_file(pyreadstat.write_sav, frame, {**options, "file_label": survey.title[:64]},
                        out, ".sav")


def write_dta(survey: Survey, responses: Iterable, out, breakdowns: Iterable = ()) -> None:
    """Write the responses as a Stata .dta file (version 15) to binary file ``out``."""
    import pyreadstat

    variables, rows = table(survey, responses, breakdowns)
    frame, options = _stata_frame(variables, rows)
    _write_through_file(pyreadstat.write_dta, frame, {**options, "file_label": survey.title[:80]},
                        out, ".dta")
