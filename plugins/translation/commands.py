"""``consent-kit translations``: see what is missing, and work with a translator (.po files)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from consent_kit import SurveyError, translations


def _survey(file: str):
    try:
        return translations.read_survey(file)
    except SurveyError as error:
        raise click.ClickException(f"{file} needs fixing first:\n{error}") from None
    except ValueError as error:
        raise click.ClickException(str(error)) from None


@click.group(name="translations")
def group():
    """Translate a survey: what's missing, and .po files for a translator."""


def add_commands(cli: click.Group) -> None:
    """Add the ``translations`` group to the ``consent-kit`` command line."""
    cli.add_command(group)


@group.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--lang", default=None, help="Only this language, e.g. cy.")
def report(file: str, lang: str | None):
    """How much of a survey is in each language, and which texts are missing."""
    survey = _survey(file)
    rows = translations.completeness(survey, lang)
    if not rows:
        click.echo(f"{file}: only in '{survey.language}'. Add a language with "
                   "'consent-kit translations export FILE --lang cy'.")
    for row in rows:
        click.echo(f"{row.language} ({translations.native_name(row.language)}): "
                   f"{row.done} of {row.total} texts ({row.percent}%)")
        for text in row.missing:
            click.echo(f"  missing: {text.key} – {text.source[:60]}")

@group.command(name="export")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--lang", required=True, help="The language to translate into, e.g. cy.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: print).")
def export_cmd(file: str, lang: str, out: Path | None):
    """Write a survey's texts as a .po file for a translator."""
    data = translations.export_po(_survey(file), lang)
    if out is None:
        sys.stdout.buffer.write(data)
    else:
        out.write_bytes(data)
        click.echo(f"Wrote {out}. Send it to your translator.", err=True)

@group.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.argument("po_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lang", default=None, help="The language of the .po file (default: what it says).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Survey file to write (default: print). Comments are not kept.")
def import_cmd(file: str, po_file: Path, lang: str | None, out: Path | None):
    """Put a translator's .po file into a survey, as a new survey file."""
    survey = _survey(file)
    try:
        result = translations.import_po(survey, po_file.read_bytes(), lang)
    except translations.PoImportError as error:
        raise click.ClickException(f"{po_file}: {error}") from None
    text = translations.definition_yaml(result.definition)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
    click.echo(f"{result.added} texts in '{result.language}'.", err=True)
    for key in result.changed_since:
        click.echo(f"  not used: {key} – its words changed since the file was made", err=True)
    for key in result.unknown:
        click.echo(f"  not used: {key} – the survey has no text here now", err=True)
