"""What the XLSForm and REDCap importers share: the report, safe ids, conditions, the survey file.

An importer turns another tool's questionnaire into the parts of a survey
file (a plain dict, written as YAML), and never drops anything silently:
each row it can't carry over gets a line in the :class:`ImportReport`
("row 14, `calculate` total_score: not imported — consent-kit has no
calculations yet"). The survey starts with the builder's consent, support
and "Leave this page" parts, with the words only the researchers can write
marked as placeholders (they begin with ``[Change this]``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel import Locale

from consent_kit.studio.builder.starter import MARK, starter_parts

ID_START = re.compile(r"^[A-Za-z]")


@dataclass
class Note:
    """One line of the report: where (row, kind, name) and what happened."""

    row: int
    kind: str
    name: str
    message: str
    #: ``left out`` (not in the survey), ``changed`` (in it, but not quite the same) or ``warning``.
    level: str = "left out"

    def __str__(self) -> str:
        place = f"row {self.row}, `{self.kind}` {self.name}" if self.row else f"{self.kind} {self.name}"
        return f"{place.rstrip()}: {self.message}"


@dataclass
class ImportReport:
    """Everything an import couldn't carry over, and how many question rows it kept."""

    notes: list[Note] = field(default_factory=list)
    question_rows: int = 0
    kept_rows: int = 0

    def add(self, row: int, kind: str, name: str, message: str, level: str = "left out") -> None:
        """Note one thing about one row."""
        self.notes.append(Note(row, kind, name, message, level))

    def lines(self) -> list[str]:
        """The report, a line per note, left-out rows first."""
        order = {"left out": 0, "changed": 1, "warning": 2}
        return [str(n) for n in sorted(self.notes, key=lambda n: (order.get(n.level, 3), n.row))]


class Ids:
    """Question ids that the survey file accepts, made from another tool's names, each used once."""

    def __init__(self):
        self.by_name: dict[str, str] = {}
        self.used: set[str] = set()  # by_name forgets an id when a name comes again

    def make(self, name: str) -> str:
        """A valid, unused id for ``name`` (remembered, so conditions can find it)."""
        base = re.sub(r"[^A-Za-z0-9_-]+", "_", str(name)).strip("_-") or "question"
        if not ID_START.match(base):
            base = "q_" + base
        found, number = base, 1
        while found in self.used:
            number += 1
            found = f"{base}_{number}"
        self.by_name[str(name)] = found
        self.used.add(found)
        return found

    def get(self, name: str) -> str | None:
        """The id made for ``name``, or None if there is no such question (yet)."""
        return self.by_name.get(str(name))


def language_code(name: str) -> str:
    """A language code from an XLSForm language name: ``English (en)``, ``English``, ``Cymraeg``."""
    text = str(name).strip()
    found = re.search(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\)\s*$", text)
    if found:
        return found.group(1).lower().replace("_", "-")
    if re.fullmatch(r"[a-z]{2,3}", text):
        return text
    return _language_names().get(text.lower(), "")


@functools.lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    """Language name (in English, and in the language itself) -> code, for every language babel knows."""
    from babel.localedata import locale_identifiers

    names: dict[str, str] = {}
    for code in locale_identifiers():
        if "_" in code:
            continue
        try:
            locale = Locale.parse(code)
            own, english = locale.get_display_name(code), locale.get_display_name("en")
        except Exception:  # noqa: BLE001  babel raises several kinds for odd identifiers
            continue
        for name in (own, english):
            if name:
                names.setdefault(name.lower(), code)
    return names


def text_in(languages: dict[str, str], main: str):
    """Words in one language as a plain string, in several as ``{code: words}`` (main first)."""
    present = {code: str(words).strip() for code, words in languages.items() if str(words or "").strip()}
    if not present:
        return ""
    if list(present) == [main] or len(present) == 1:
        return next(iter(present.values()))
    ordered = {main: present[main]} if main in present else {}
    ordered.update({code: words for code, words in present.items() if code != main})
    return ordered


def starting_parts(source: str, description: str = "") -> dict:
    """The title-less top of an imported survey: description, consent, support, "Leave this page"."""
    words = description or f"{MARK} Say in one or two sentences what this survey is for."
    return {"description": words, **starter_parts(),
            "_comment": f"Imported from {source}"}


def survey_file(definition: dict, report: ImportReport) -> str:
    """The YAML text of an imported survey, with the report as comments at the top."""
    data = {k: v for k, v in definition.items() if k != "_comment"}
    head = [f"# {definition.get('_comment', 'Imported')} by consent-kit import.",
            "# Words starting with [Change this] are for you to write before you publish.",
            f"# Question rows kept: {report.kept_rows} of {report.question_rows}."]
    head += [f"# {line}" for line in report.lines()]
    body = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(head) + "\n\n" + body


class _NoAliases(yaml.SafeDumper):
    """Write every part out in full: survey files don't allow YAML's ``&anchor`` and ``*alias``."""

    def ignore_aliases(self, data):
        return True


def write_survey_file(definition: dict, report: ImportReport, folder: Path) -> Path:
    """Write the survey file as ``<folder>/<id>.yaml`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{definition.get('id') or 'imported'}.yaml"
    path.write_text(survey_file(definition, report), encoding="utf-8")
    return path


def slug(text: str) -> str:
    """A survey id: lowercase letters, digits and hyphens."""
    found = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return found or "imported"


# -- conditions ---------------------------------------------------------------------------

_VALUE = r"""(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?))"""
_COMPARE = re.compile(r"^\$\{([^}]+)\}\s*(=|!=|<>|>=|<=|>|<)\s*" + _VALUE + "$")
_SELECTED = re.compile(r"^(not\s*\(\s*)?selected\s*\(\s*\$\{([^}]+)\}\s*,\s*" + _VALUE + r"\s*\)(\s*\))?$")


@dataclass(frozen=True)
class Comparison:
    """One comparison in a condition: ``${name} <op> value``, or ``selected(${name}, value)``."""

    name: str
    op: str
    value: str


def _strip_brackets(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _split(text: str, word: str) -> list[str]:
    """Split on ``and``/``or`` outside brackets and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    pattern = re.compile(rf"\s+{word}\s+", re.IGNORECASE)
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif depth == 0:
            found = pattern.match(text, index)
            if found:
                parts.append(text[start:index])
                start = index = found.end()
                continue
        index += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def parse_condition(expression: str) -> tuple[str, list[Comparison]] | None:
    """``("and" | "or", comparisons)`` for a simple expression, or None when it isn't one.

    Simple means one comparison, or several joined all by ``and`` or all by
    ``or``; each one ``${q} = 'x'`` (also ``!=``, ``<``, ``>``...) or
    ``selected(${q}, 'x')`` or ``not(selected(${q}, 'x'))``.
    """
    text = _strip_brackets(" ".join(str(expression).split()))
    if not text:
        return None
    for joiner in ("or", "and"):
        parts = _split(text, joiner)
        if len(parts) > 1:
            found = [_one(_strip_brackets(p)) for p in parts]
            return (joiner, found) if all(found) else None
    one = _one(text)
    return ("and", [one]) if one else None


def _one(text: str) -> Comparison | None:
    match = _COMPARE.match(text)
    if match:
        op = "!=" if match.group(2) == "<>" else match.group(2)
        return Comparison(match.group(1).strip(), op, _value(match.groups()[2:5]))
    match = _SELECTED.match(text)
    if match and bool(match.group(1)) == bool(match.group(6)):
        op = "not selected" if match.group(1) else "selected"
        return Comparison(match.group(2).strip(), op, _value(match.groups()[2:5]))
    return None


def _value(groups) -> str:
    return next(g for g in groups if g is not None)


@dataclass(frozen=True)
class Known:
    """A question already imported: its id, type, page number and choice values."""

    id: str
    type: str
    page: int
    choices: tuple[str, ...] = ()


def show_ifs(expression: str, known: dict[str, Known], page: int) -> tuple[list[dict], str]:
    """``show_if`` settings (at most two, all to be met) for an expression, or ``([], why not)``."""
    parsed = parse_condition(expression)
    if parsed is None:
        return [], say("the condition is more than simple comparisons, so it isn't carried over")
    joiner, comparisons = parsed
    if joiner == "or" and len(comparisons) > 1:
        return [], say("'or' isn't carried over: consent-kit shows a question after one answer")
    if len(comparisons) > 2:
        return [], say("more than two conditions joined by 'and' aren't carried over")
    found = []
    for comparison in comparisons:
        condition, why = _show_if(comparison, known, page)
        if condition is None:
            return [], why
        found.append(condition)
    return found, ""


def _show_if(comparison: Comparison, known: dict[str, Known], page: int) -> tuple[dict | None, str]:
    target = known.get(comparison.name)
    if target is None:
        return None, say("the condition uses '%(name)s', which isn't an earlier imported question",
                         name=comparison.name)
    if target.page >= page:
        return None, say("the condition uses '%(name)s' on the same page; it needs an earlier page",
                         name=comparison.name)
    if target.type == "info":
        return None, say("the condition uses '%(name)s', which takes no answer", name=comparison.name)
    many = target.type == "multiple_choice"
    operator = {("=", False): "equals", ("!=", False): "not_equals", ("selected", True): "includes",
                ("selected", False): "equals", ("not selected", False): "not_equals"}.get(
                    (comparison.op, many))
    if operator is None:
        return None, say("'%(op)s' isn't carried over: consent-kit compares an answer with 'is', "
                         "'is not' or 'includes'", op=comparison.op)
    if target.choices and comparison.value not in target.choices:
        return None, say("'%(value)s' is not one of the choices of '%(name)s'", value=comparison.value,
                         name=comparison.name)
    return {"question": target.id, operator: comparison.value}, ""


def N_(text: str) -> str:  # noqa: N802  the name translators' tools look for
    """Mark words kept in a table for translation; :func:`say` translates them where they are used."""
    return text


def say(text: str, **params) -> str:
    """The report's words in the researcher's language when there is one (the studio), else English.

    Whole sentences with ``%(name)s`` places, so translators see them whole. Flask-Babel is
    imported here, not at the top, so the importers load without Flask (the command line).
    """
    from flask_babel import gettext

    return gettext(text, **params)


def unreadable(error: Exception) -> str:
    """The report's words for a row the importer couldn't make sense of (it goes on to the next)."""
    return say("not imported — this row couldn't be read (%(error)s). Check its cells against the "
               "rows that did come in", error=f"{type(error).__name__}: {error}")


# -- the command ----------------------------------------------------------------------------

FORMATS = ("xlsform", "redcap")


def guess_format(path: Path) -> str:
    """``xlsform`` for spreadsheets, ``redcap`` for CSV data dictionaries."""
    return "redcap" if path.suffix.lower() == ".csv" else "xlsform"


def import_file(path: Path, fmt: str = "") -> tuple[dict, ImportReport]:
    """Read another tool's questionnaire: the survey file's contents and the report."""
    fmt = fmt or guess_format(path)
    if fmt == "redcap":
        from consent_kit.survey.load.redcap import import_redcap

        return import_redcap(path)
    from consent_kit.survey.load.xlsform import import_xlsform

    return import_xlsform(path)


def _import_command():
    import click

    @click.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                  help="xlsform (.xlsx or .xls) or redcap (a data dictionary .csv). Default: from "
                  "the file name.")
    @click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                  show_default=True, help="The folder to write the survey file in, e.g. instance/forms.")
    def import_(file: Path, fmt: str | None, out: Path):
        """Turn an XLSForm or a REDCap data dictionary into a survey file, and say what didn't come across."""
        from consent_kit.registry import collect_question_types
        from consent_kit.survey.load.survey_file import load_survey_file
        from consent_kit.survey.model import SurveyError

        try:
            definition, report = import_file(file, fmt or "")
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        path = write_survey_file(definition, report, out)
        for line in report.lines():
            click.echo(line)
        click.echo(f"Wrote {path}: {report.kept_rows} of {report.question_rows} question rows kept.")
        try:
            from consent_kit.plugins import make_plugin_manager

            load_survey_file(path, question_types=collect_question_types(make_plugin_manager()))
        except SurveyError as error:  # shouldn't happen: say so plainly rather than hide it
            click.echo(f"consent-kit check finds problems in it:\n{error}", err=True)
            raise SystemExit(1) from None
        click.echo("It passes consent-kit check. Replace every [Change this] with your own words.")

    return import_


import_command = _import_command()
