"""The ``consent-kit`` group, its shared options and the lazily loaded command.

Its own module so that the commands' modules (:mod:`.running`, :mod:`.records`)
register on the group without importing the package that imports them.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

#: The same as consent_kit.app.INSTANCE_ENV (tests/test_cli.py checks), named here so
#: that the options below need no import of the app and Flask.
INSTANCE_ENV = "CONSENT_KIT_INSTANCE"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

instance_option = click.option(
    "--instance",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=INSTANCE_ENV,
    default="instance",
    show_default=True,
    help=f"The consent-kit folder (or set {INSTANCE_ENV}).",
)


@click.group()
@click.version_option(package_name="consent-kit")
def cli():
    """consent-kit: surveys and consent for research done with people, not to them."""


class LazyCommand(click.Command):
    """A command whose module is imported only when it runs (or its own ``--help`` is asked for).

    The group's ``--help`` needs only the name and the first line of the help, given
    here (tests/test_cli.py checks it matches the real command's).
    """

    def __init__(self, name: str, target: str, first_line: str):
        super().__init__(name, help=first_line, add_help_option=False)
        self.target = target

    def real(self) -> click.Command:
        """The command itself: ``module:attribute`` of ``target``, imported now."""
        module, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)

    def make_context(self, info_name, args, parent=None, **extra):
        # click runs ``sub_ctx.command.invoke(sub_ctx)``: the real command parses and runs.
        return self.real().make_context(info_name, args, parent=parent, **extra)
