"""The ``consent-kit hello`` command."""

import click


@click.command()
def hello():
    """Say hello from the consent-kit-hello plugin."""
    click.echo("Hello from the consent-kit-hello plugin.")
