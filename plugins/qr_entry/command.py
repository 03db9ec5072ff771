"""``consent-kit qr SURVEY``: QR codes (SVG) or posters (PDF) for a survey's places, into a folder."""

from __future__ import annotations

from pathlib import Path

import click

from consent_kit import create_app, current_kit

from . import qr
from .links import LOCAL, address_problem, build_poster, qr_label
from .poster import poster_pdf
from .sources import SourceError


@click.command("qr")
@click.argument("survey_id")
@click.option("--source", "source_name", default="",
              help='One place, by name, like "Library poster" (made if it is new). '
                   "Default: every open place.")
@click.option("--format", "fmt", type=click.Choice(["svg", "pdf"]), default="svg", show_default=True,
              help="svg: the QR code alone; pdf: a poster or flyer ready to print.")
@click.option("--size", type=click.Choice(sorted(qr.SIZES)), default="a4", show_default=True,
              help="a4: poster, code 10 cm wide, scans from 1 metre; a5: flyer, 4 cm, from 40 cm.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("qr-codes"),
              show_default=True, help="Folder to write to (made if missing).")
@click.option("--base-url", default="", help="The address people reach the server on "
              "(default: base_url in config.toml), like https://survey.example.org")
@click.option("--instance", type=click.Path(file_okay=False, path_type=Path),
              envvar="CONSENT_KIT_INSTANCE", default="instance", show_default=True,
              help="The consent-kit folder (or set CONSENT_KIT_INSTANCE).")
def qr_command(survey_id, source_name, fmt, size, out, base_url, instance):
    """Make QR codes or printable posters for the places a survey's posters go up."""
    app = _open(instance, base_url)
    with app.app_context():
        kit = current_kit()
    survey = kit.catalog.get(survey_id)
    if survey is None:
        known = ", ".join(sorted(kit.catalog.surveys)) or "none"
        raise click.ClickException(f"There is no survey called {survey_id!r}. Surveys: {known}")
    state = kit.plugin_state["qr_entry"]
    chosen = _chosen_sources(state.sources, survey.id, source_name)
    out.mkdir(parents=True, exist_ok=True)
    print_size = qr.SIZES[size]
    written = []
    # Links are built from base_url (see links.public_url); the request is only for url_for.
    with app.test_request_context():
        with click.progressbar(chosen, label="Making QR codes", show_pos=True) as bar:
            for source in bar:
                sheet = build_poster(survey, source, print_size, state.posters.get(survey.id))
                written.append(_write(out, survey.id, source, sheet, fmt))
    for path in written:
        click.echo(f"Wrote {path}")
    click.echo(f"{len(written)} file(s) in {out}. {sheet.size_note}" if written else "Nothing to make.")


def _open(instance: Path, base_url: str):
    try:
        app = create_app({"QUIET_START_UP": True, **({"BASE_URL": base_url} if base_url else {})},
                         instance=instance)
    except Exception as error:
        raise click.ClickException(str(error)) from None
    base = app.config.get("BASE_URL") or ""
    if address_problem(base) == LOCAL:
        raise click.ClickException(
            f"{base} only works on this computer: a QR code with it would not open on anyone "
            "else's phone. Set base_url to the address people reach this server on (for a laptop "
            "at an event, its local network address, like http://192.168.1.20:5000), or give --base-url."
        )
    if address_problem(base):
        raise click.ClickException(
            "The QR codes need the address people reach this server on. Set base_url in "
            f"{instance / 'config.toml'} (like base_url = \"https://survey.example.org\"), "
            "or give --base-url."
        )
    return app


def _chosen_sources(sources, survey_id: str, name: str) -> list:
    if name:
        found = sources.by_name(survey_id, name)
        if found is None:
            try:
                found = sources.create(survey_id, name)
            except SourceError as error:
                raise click.ClickException(str(error)) from None
            click.echo(f"Made a new place: {found.name}")
        return [found]
    chosen = [s for s in sources.for_survey(survey_id) if not s.closed]
    if not chosen:
        raise click.ClickException(
            f'{survey_id} has no open places yet. Make one with: consent-kit qr {survey_id} '
            '--source "Library poster"'
        )
    return chosen


def _write(out: Path, survey_id: str, source, sheet, fmt: str) -> Path:
    path = out / f"{survey_id}-{source.code}-{sheet.size.kind}.{fmt}"
    if fmt == "pdf":
        path.write_bytes(poster_pdf(sheet))
    else:
        path.write_text(qr.svg(sheet.url, error_correction=sheet.size.error_correction,
                               code_mm=sheet.size.code_mm, label=qr_label(sheet.url)), encoding="utf-8")
    return path
