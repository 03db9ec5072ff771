"""The ``consent-kit`` command: the group, plugins' own commands and ``main``.

The commands are in :mod:`consent_kit.cli.running` (init, serve, demo) and
:mod:`consent_kit.cli.records` (check, export, plugins, audit, create-user, new-plugin);
import, sample-answers and plugins' commands load their modules when they run.

Start-up is kept light (issue 22: ``consent-kit --help`` in under half a second):
Flask, the app, the store and the survey loaders are imported inside the
commands that use them, never at the top of this module
(tests/test_lazy_imports.py checks it).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from consent_kit.cli.group import (  # noqa: F401  (the names callers import from here)
    DEFAULT_HOST,
    DEFAULT_PORT,
    INSTANCE_ENV,
    LOOPBACK,
    LazyCommand,
    cli,
    instance_option,
)
from consent_kit.plugins import (
    BUILTIN_PLUGINS,
    DEFAULT_PLUGINS,
    STOP,
    KitPluginManager,
    PluginError,
    call_each,
    plugin_name,
)

# XLSForm, REDCap (issue 18): the importers load YAML, Babel and the builder's starter parts.
cli.add_command(LazyCommand("import", "consent_kit.survey.load.imported:import_command",
                            "Turn an XLSForm or a REDCap data dictionary into a survey file, "
                            "and say what didn't come across."))

from consent_kit.results.samples_cli import sample_answers_command  # noqa: E402  (issue 22)

cli.add_command(sample_answers_command)

# The commands themselves, in two modules that register on ``cli`` as they load.
from consent_kit.cli import records, running  # noqa: E402,F401
from consent_kit.cli.running import (  # noqa: E402,F401  (names the tests and plugins use)
    CONFIG_TEMPLATE,
    _app_for,
    create_user_command,
    init_instance,
)


def add_plugin_commands(group: click.Group, pm) -> None:
    """Let every plugin add its commands to ``group`` (a failure stops, naming the plugin)."""
    call_each(pm, "register_commands", policy=STOP, oldest_first=True, cli=group)


def command_plugin_manager() -> KitPluginManager:
    """A plugin manager holding only the plugins that may add commands, for the command line.

    ``make_plugin_manager`` imports every plugin, and with them Flask, the
    store and the plugins' pages (0.6 s of CPU). Adding commands needs only the
    plugins whose module names ``register_commands``: a built-in plugin that
    doesn't is not imported here (its source is read, not run). Third-party
    plugins are all loaded, as blocked ones are left out, in the same order as
    ``make_plugin_manager``. Commands that need every plugin make the full manager.
    """
    from consent_kit import hookspecs
    from consent_kit.plugins import _check_pending, _load_entrypoints, blocked_names

    pm = KitPluginManager("consent_kit")
    pm.add_hookspecs(hookspecs)
    block = blocked_names()
    for dotted in DEFAULT_PLUGINS + BUILTIN_PLUGINS:
        name = plugin_name(dotted)
        if name in block and dotted in BUILTIN_PLUGINS:
            continue
        if _may_add_commands(dotted):
            pm.register(importlib.import_module(dotted), name=name)
    for name in block:
        pm.set_blocked(name)
    _load_entrypoints(pm)
    _check_pending(pm)
    return pm


def _may_add_commands(dotted: str) -> bool:
    """Whether a built-in plugin's source mentions ``register_commands`` (or can't be read)."""
    import importlib.util

    spec = importlib.util.find_spec(dotted)
    try:
        return "register_commands" in Path(spec.origin).read_text(encoding="utf-8")
    except (AttributeError, TypeError, OSError, UnicodeDecodeError):
        return True  # can't tell: import it, as make_plugin_manager would


def main() -> None:
    """Entry point: add plugins' commands, then run."""
    try:
        pm = command_plugin_manager()
    except Exception as error:  # a broken plugin must not hide behind a traceback
        click.echo(f"consent-kit could not start: {error}", err=True)
        sys.exit(2)
    try:
        add_plugin_commands(cli, pm)
    except PluginError as error:
        click.echo(f"consent-kit could not start: {error}", err=True)
        sys.exit(2)
    cli(prog_name="consent-kit")
