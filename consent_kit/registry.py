"""Collect what plugins register, refusing duplicate names with a clear message."""

from __future__ import annotations

from pathlib import Path

import pluggy

from consent_kit.plugins import STOP, PluginError, call_each
from consent_kit.survey.question_types import QuestionTypeRegistry


def _register_each(pm: pluggy.PluginManager, hook_name: str, register) -> None:
    """Call a ``register_*`` hook core first; ``register(thing, plugin)`` learns who adds what."""
    call_each(pm, hook_name, policy=STOP, oldest_first=True,
              per_plugin=lambda plugin: {"register": lambda *args: register(*args, plugin=plugin)})


def collect_question_types(pm: pluggy.PluginManager) -> QuestionTypeRegistry:
    """Every plugin's question types in one registry, with the survey settings plugins own."""
    registry = QuestionTypeRegistry()
    _register_each(pm, "register_question_types", registry.register)
    # What else a survey file may say travels with the types to every loader.
    _register_each(pm, "register_survey_settings", registry.settings.register)
    for name, module in getattr(pm, "consent_kit_blocked_builtins", {}).items():
        if hasattr(module, "register_survey_settings"):
            module.register_survey_settings(
                register=lambda setting, _name=name: registry.settings.ignore(setting, plugin=_name))
    return registry


def collect_loaders(pm: pluggy.PluginManager, question_types: QuestionTypeRegistry) -> dict:
    """``{".yaml": loader(path) -> Survey}``; each loader gets the app's question types."""
    loaders: dict = {}
    owners: dict = {}

    def register(suffix: str, loader, plugin: str) -> None:
        if suffix in loaders:
            raise PluginError(
                f"Two plugins both read {suffix} files: {owners[suffix]!r} and {plugin!r}."
            )
        owners[suffix] = plugin
        loaders[suffix] = lambda path: loader(Path(path), question_types)

    _register_each(pm, "register_survey_loaders", register)
    return loaders


def _collect_named(pm: pluggy.PluginManager, hook_name: str, kind: str) -> dict:
    """``{name: thing}`` of what plugins ``register(thing)`` through ``hook_name``, in order.

    Two things with one ``name`` stop start-up with a message naming both plugins.
    """
    found: dict = {}
    owners: dict = {}

    def register(thing, plugin: str) -> None:
        if thing.name in found:
            raise PluginError(
                f"Two plugins both add {kind} called {thing.name!r}: "
                f"{owners[thing.name]!r} and {plugin!r}."
            )
        owners[thing.name] = plugin
        found[thing.name] = thing

    _register_each(pm, hook_name, register)
    return found


def collect_exporters(pm: pluggy.PluginManager) -> dict:
    """``{name: exporter}`` from every plugin."""
    return _collect_named(pm, "register_exporters", "an export")


def collect_consent_steps(pm: pluggy.PluginManager) -> list:
    """Every plugin's consent steps, in registration order; names must be unique."""
    return list(_collect_named(pm, "register_consent_steps", "a consent step").values())
