"""An export for R: a CSV of codes and a small R script that reads it with labels, in one .zip.

The script needs only base R. It turns coded answers into factors with the
choices' words, missing-value codes into ``NA`` (the reason stays in an
attribute, ``why_missing``), dates into dates, and puts each question's
wording in a ``label`` attribute (what RStudio's viewer and the labelled /
haven packages show). Set ``keep_missing_kinds <- TRUE`` at the top to keep
"Prefer not to say" and the other reasons as factor levels instead.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable

from consent_kit.results.codes import MISSING_KINDS
from consent_kit.results.export import neutralise
from consent_kit.results.spss import _text_family, missing_family
from consent_kit.results.stats_data import DATE, DATETIME, NUMERIC, TEXT, Missing, Variable, table
from consent_kit.survey.model import Survey
from consent_kit.survey.piping import stand_in

R_HEAD = """\
# Reads {csv} (answers to "{title}") with labels. Made by consent-kit.
# Run it from the folder the two files are in: source("{script}", encoding = "UTF-8")
# Missing answers are NA; attr(x, "why_missing") says why (not asked, left blank,
# or prefer not to say). Set this to TRUE to keep the reasons as factor levels:
keep_missing_kinds <- FALSE

ck <- read.csv("{csv}", colClasses = "character", na.strings = character(0),
               encoding = "UTF-8", check.names = FALSE)

ck_why <- function(x, miss) {{
  factor(ifelse(x %in% names(miss), miss[x], NA), levels = unname(miss))
}}
ck_factor <- function(x, codes, labels, miss) {{
  if (keep_missing_kinds) {{
    return(factor(x, levels = c(codes, names(miss)), labels = c(labels, unname(miss))))
  }}
  out <- factor(ifelse(x %in% names(miss), NA, x), levels = codes, labels = labels)
  attr(out, "why_missing") <- ck_why(x, miss)
  out
}}
ck_value <- function(x, miss, convert) {{
  out <- convert(ifelse(x %in% names(miss) | x == "", NA, x))
  attr(out, "why_missing") <- ck_why(x, miss)
  out
}}
"""


def r_string(text) -> str:
    """``text`` as an R string literal, pure ASCII (other characters as \\u escapes)."""
    out = []
    for char in str(text):
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif 32 <= ord(char) < 127:
            out.append(char)
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{{{ord(char):08x}}}")
    return '"' + "".join(out) + '"'


def _vector(items: Iterable) -> str:
    return "c(" + ", ".join(r_string(i) for i in items) + ")"


def _families(variables: list[Variable], rows: list[list]) -> list[dict]:
    families = []
    for index, variable in enumerate(variables):
        column = [row[index] for row in rows]
        if not variable.answer or variable.kind in (DATE, DATETIME):
            families.append({code: str(code) for code, _, _ in MISSING_KINDS})
        elif variable.kind == TEXT:
            families.append(_text_family(column))
        else:
            mapped = missing_family(column, variable.value_labels)
            families.append({code: str(value) for code, value in mapped.items()})
    return families


def _cell(value, family: dict) -> str:
    if isinstance(value, Missing):
        return family[value.code]
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value))


def _script_line(variable: Variable, family: dict) -> str:
    column = f"ck[[{r_string(variable.name)}]]"
    miss = "c(" + ", ".join(f"{r_string(family[code])} = {r_string(label)}"
                            for code, _, label in MISSING_KINDS) + ")"
    if variable.kind == NUMERIC and variable.value_labels and variable.choice in (None, ""):
        codes = sorted(variable.value_labels)
        line = (f"{column} <- ck_factor({column}, {_vector(codes)}, "
                f"{_vector(variable.value_labels[c] for c in codes)}, {miss})")
    elif variable.kind == NUMERIC:  # numbers, and 0/1 ticks (their mean is a share)
        line = f"{column} <- ck_value({column}, {miss}, as.numeric)"
    elif variable.kind == DATE:
        line = f"{column} <- ck_value({column}, {miss}, as.Date)"
    elif variable.kind == DATETIME:
        line = (f"{column} <- as.POSIXct(ifelse({column} == \"\", NA, {column}), tz = \"UTC\", "
                "format = \"%Y-%m-%dT%H:%M:%S\")")
    else:
        line = f"{column} <- ck_value({column}, {miss}, as.character)"
    return line + f"\nattr({column}, \"label\") <- {r_string(stand_in(variable.label))}"


def write_r(survey: Survey, responses: Iterable, out, breakdowns: Iterable = ()) -> None:
    """Write ``<survey>.csv`` and ``<survey>.R`` (which reads it with labels) as a .zip to ``out``."""
    variables, rows = table(survey, responses, breakdowns)
    families = _families(variables, rows)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([v.name for v in variables])
    for row in rows:
        writer.writerow([_cell(value, family) for value, family in zip(row, families, strict=True)])
    csv_name, script_name = f"{survey.id}.csv", f"{survey.id}.R"
    head = R_HEAD.format(csv=csv_name, script=script_name, title=survey.title.replace('"', "'"))
    lines = [_script_line(v, f) for v, f in zip(variables, families, strict=True)]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(csv_name, text.getvalue())
        archive.writestr(script_name, head + "\n" + "\n".join(lines) + "\n")
