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
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pluggy

from consent_kit import hookspecs

log = logging.getLogger(__name__)

#: The core's own behaviour, written as plugins. They cannot be blocked.
DEFAULT_PLUGINS = (
    "consent_kit.defaults.question_types",
    "consent_kit.defaults.loaders",
    "consent_kit.defaults.exporters",
    "consent_kit.results.tallies",  # results kept up to date as answers arrive (issue 22)
)

#: The built-in plugins: they can be blocked like any other. Thank-you payments live in the
#: core package (its budget is the project's), the rest in plugins/ (consent_kit_plugins.<name>).
BUILTIN_PLUGINS: tuple[str, ...] = (
    "consent_kit.incentives.plugin",
    "consent_kit.findings.plugin",
    "consent_kit.analysis.plugin",
    "consent_kit_plugins.translation",
    "consent_kit_plugins.accessible_formats",
    "consent_kit_plugins.qr_entry",
    "consent_kit_plugins.plain_language",
    "consent_kit_plugins.postgresql",
)

ENTRY_POINT_GROUP = "consent_kit"
BLOCK_ENV = "CONSENT_KIT_BLOCK_PLUGINS"


class PluginError(Exception):
    """A plugin could not be loaded or broke a rule; the message names it."""


#: How :func:`call_each` treats a plugin that raises.
STOP = "stop"  # start-up and registration: stop, with an error naming the plugin
SKIP = "skip"  # pages, advice and events: log it, keep it for the admins, leave that plugin out


@dataclass(frozen=True)
class PluginFailure:
    """One plugin's hook that raised while serving people; listed on the admins' plugins page."""

    plugin: str
    hook: str
    error: str
    at: float

    def __iter__(self):
        # (plugin, error) pairs, as the event helpers have always returned.
        return iter((self.plugin, self.error))


class KitPluginManager(pluggy.PluginManager):
    """pluggy's manager plus what :func:`call_each` needs: the kit and the failures so far."""

    def __init__(self, project_name: str):
        super().__init__(project_name)
        #: The app's :class:`consent_kit.kit.Kit`, given to every hook that takes ``kit``.
        self.consent_kit: Any = None
        self.consent_kit_failures: list[PluginFailure] = []
        #: Built-in plugins turned off here, by name: their survey settings are still
        #: recognised (and ignored), so blocking a plugin never breaks a survey file.
        self.consent_kit_blocked_builtins: dict[str, Any] = {}


def call_each(pm: pluggy.PluginManager, hook_name: str, *, policy: str = SKIP,
              oldest_first: bool = False, first: bool = False, failures: list | None = None,
              per_plugin: Callable[[str], dict] | None = None, **arguments) -> list[tuple[str, Any]]:
    """Call ``hook_name`` on each plugin in turn: the one place the core calls hooks.

    Each plugin gets only the arguments it asks for, plus ``kit`` when it asks
    for it. Returns ``(plugin name, result)`` for every result that isn't None,
    newest plugin first (pluggy's order), or core first with ``oldest_first``
    (registrations); with ``first`` it stops at the first result.
    ``per_plugin(name)`` gives arguments made for each plugin (e.g. a
    ``register`` that knows who registers, so duplicates can name both).

    ``policy`` says what a plugin that raises costs: :data:`STOP` raises
    :class:`PluginError` naming it; :data:`SKIP` logs it, keeps it in
    ``failures`` (default: ``pm.consent_kit_failures``, which the admins see)
    and leaves that plugin's part out, so a broken plugin never turns a
    participant's page into an error.
    """
    if failures is None:
        failures = getattr(pm, "consent_kit_failures", [])
    impls = getattr(pm.hook, hook_name).get_hookimpls()
    offered = {**arguments, "kit": getattr(pm, "consent_kit", None)}
    results: list[tuple[str, Any]] = []
    for impl in impls if oldest_first else reversed(impls):
        own = {**offered, **per_plugin(impl.plugin_name)} if per_plugin else offered
        accepted = {name: own[name] for name in impl.argnames if name in own}
        try:
            result = impl.function(**accepted)
        except PluginError:
            raise
        except Exception as error:  # a plugin's mistake must name the plugin, or stay its own
            if policy == STOP:
                raise PluginError(
                    f"The plugin {impl.plugin_name!r} failed in {hook_name}: {error}") from error
            _keep_failure(failures, impl.plugin_name, hook_name, error)
            continue
        if result is not None:
            results.append((impl.plugin_name, result))
            if first:
                break
    return results


def _keep_failure(failures: list, plugin: str, hook_name: str, error: Exception) -> None:
    log.error("Plugin %r failed in %s", plugin, hook_name, exc_info=error)
    failures.append(PluginFailure(plugin, hook_name, str(error), time.time()))
    del failures[:-200]  # the newest are enough to see what is wrong


def plugin_name(dotted: str) -> str:
    """A built-in plugin's name: its module's, or its package's for ``<package>.plugin``."""
    parts = dotted.split(".")
    return parts[-2] if parts[-1] == "plugin" else parts[-1]


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
    pm = KitPluginManager("consent_kit")
    pm.add_hookspecs(hookspecs)
    block = blocked_names(blocked)
    essential = {plugin_name(name) for name in DEFAULT_PLUGINS} & block
    if essential:
        raise PluginError(f"These parts of the core can't be turned off: {sorted(essential)}.")
    for dotted in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(dotted), name=plugin_name(dotted))
    for dotted in BUILTIN_PLUGINS:
        name = plugin_name(dotted)
        if name in block:
            pm.set_blocked(name)
            pm.consent_kit_blocked_builtins[name] = importlib.import_module(dotted)
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
        elif name in {plugin_name(d) for d in DEFAULT_PLUGINS}:
            origin, version = "core", _own_version()
        elif name in {plugin_name(d) for d in BUILTIN_PLUGINS}:
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


def call_event(pm: pluggy.PluginManager, hook_name: str, **kwargs) -> list[PluginFailure]:
    """Call an event hook on each plugin separately, so one failing plugin can't stop the rest.

    Returns the failures of this call (each logged); the caller keeps them for
    the admins. The participant's action has already succeeded.
    """
    failures: list[PluginFailure] = []
    call_each(pm, hook_name, failures=failures, **kwargs)
    return failures
