"""One plugin manager per app: the core's defaults, built-in plugins, entry points.

Order of registration: the core's default plugins (which cannot be blocked),
then the built-in plugins by dotted name, then third-party plugins from the
``consent_kit`` entry-point group. pluggy calls the most recently registered
first, so a third-party plugin can override a built-in one.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
from collections.abc import Iterable

import pluggy

from consent_kit import hookspecs

log = logging.getLogger(__name__)

#: The core's own behaviour, written as plugins. They cannot be blocked.
DEFAULT_PLUGINS = (
    "consent_kit.defaults.question_types",
    "consent_kit.defaults.loaders",
    "consent_kit.defaults.exporters",
    "consent_kit.incentives.plugin",
)

#: The built-in plugins in plugins/ (importable as consent_kit_plugins.<name>).
BUILTIN_PLUGINS: tuple[str, ...] = (
    "consent_kit_plugins.translation",
    "consent_kit_plugins.accessible_formats",
    "consent_kit_plugins.qr_entry",
    "consent_kit_plugins.plain_language",
)

ENTRY_POINT_GROUP = "consent_kit"
BLOCK_ENV = "CONSENT_KIT_BLOCK_PLUGINS"


class PluginError(Exception):
    """A plugin could not be loaded or broke a rule; the message names it."""


def blocked_names(config_blocked: Iterable[str] = ()) -> set[str]:
    """Plugin names blocked by config plus the comma-separated environment variable."""
    from_env = os.environ.get(BLOCK_ENV, "")
    names = {n.strip() for n in from_env.split(",") if n.strip()}
    return names | {str(n) for n in config_blocked}


def make_plugin_manager(
    *, blocked: Iterable[str] = (), load_entrypoints: bool = True, extra: Iterable = ()
) -> pluggy.PluginManager:
    """Build a plugin manager with defaults, built-ins and entry points, minus blocked names.

    ``extra`` plugins (modules or objects) are registered last; tests use it.
    """
    pm = pluggy.PluginManager("consent_kit")
    pm.add_hookspecs(hookspecs)
    block = blocked_names(blocked)
    essential = {name.rsplit(".", 1)[-1] for name in DEFAULT_PLUGINS} & block
    if essential:
        raise PluginError(f"These parts of the core can't be turned off: {sorted(essential)}.")
    for dotted in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(dotted), name=dotted.rsplit(".", 1)[-1])
    for dotted in BUILTIN_PLUGINS:
        name = dotted.rsplit(".", 1)[-1]
        if name in block:
            pm.set_blocked(name)
        else:
            pm.register(importlib.import_module(dotted), name=name)
    for name in block:
        pm.set_blocked(name)
    if load_entrypoints:
        _load_entrypoints(pm)
    for plugin in extra:
        # Name an object plugin after its class, so errors say "Broken", not a number.
        pm.register(plugin, name=getattr(plugin, "__name__", None) or type(plugin).__name__)
    _check_pending(pm)
    return pm


def _load_entrypoints(pm: pluggy.PluginManager) -> None:
    """Register third-party plugins, naming the plugin if one fails to import."""
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if pm.is_blocked(ep.name) or pm.get_plugin(ep.name) is not None:
            continue
        try:
            # One at a time, so that a failure can name the plugin that failed.
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=ep.name)
        except Exception as error:  # a broken plugin must say who it is
            raise PluginError(f"The plugin {ep.name!r} could not be loaded: {error}") from error


def _check_pending(pm: pluggy.PluginManager) -> None:
    """Fail loudly, naming the plugin, when a hookimpl matches no hook (a misspelling)."""
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(
            f"The plugin {pm.get_name(error.plugin)!r} has a hook consent-kit doesn't know: {error}"
        ) from error


def plugin_info(pm: pluggy.PluginManager) -> list[dict]:
    """Name, version, origin and hooks of every loaded plugin, for people and for JSON."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    rows = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        if plugin is None:
            continue
        dist = dists.get(id(plugin))
        if dist is not None:
            origin, version = "entry point", dist.version
        elif name in {d.rsplit(".", 1)[-1] for d in DEFAULT_PLUGINS}:
            origin, version = "core", _own_version()
        elif name in {d.rsplit(".", 1)[-1] for d in BUILTIN_PLUGINS}:
            origin, version = "built-in", _own_version()
        else:
            origin, version = "registered", ""
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or ())
        rows.append({"name": name, "version": version, "origin": origin, "hooks": hooks})
    return rows


def _own_version() -> str:
    try:
        return importlib.metadata.version("consent-kit")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


def call_event(pm: pluggy.PluginManager, hook_name: str, **kwargs) -> list[tuple[str, Exception]]:
    """Call an event hook on each plugin separately, so one failing plugin can't stop the rest.

    Returns ``(plugin name, error)`` for each plugin that raised; the caller
    logs them. The participant's action has already succeeded.
    """
    failures = []
    caller = getattr(pm.hook, hook_name)
    for impl in reversed(caller.get_hookimpls()):
        accepted = {k: v for k, v in kwargs.items() if k in impl.argnames}
        try:
            impl.function(**accepted)
        except Exception as error:  # an event must never break what already happened
            log.exception("Plugin %r failed in %s", impl.plugin_name, hook_name)
            failures.append((impl.plugin_name, error))
    return failures
