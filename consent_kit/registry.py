"""Collect what plugins register, refusing duplicate names with a clear message."""

from __future__ import annotations

from pathlib import Path

import pluggy

from consent_kit.plugins import PluginError
from consent_kit.survey.question_types import DuplicateQuestionType, QuestionTypeRegistry


def _each_impl(pm: pluggy.PluginManager, hook_name: str):
    """Yield ``(plugin name, hookimpl)`` oldest registration first, so core comes first."""
    yield from ((impl.plugin_name, impl) for impl in getattr(pm.hook, hook_name).get_hookimpls())


def collect_question_types(pm: pluggy.PluginManager) -> QuestionTypeRegistry:
    """Every plugin's question types in one registry."""
    registry = QuestionTypeRegistry()
    for plugin, impl in _each_impl(pm, "register_question_types"):
        try:
            impl.function(register=lambda qt, _p=plugin: registry.register(qt, plugin=_p))
        except DuplicateQuestionType as error:
            raise PluginError(str(error)) from None
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

    for plugin, impl in _each_impl(pm, "register_survey_loaders"):
        impl.function(register=lambda s, f, _p=plugin: register(s, f, _p))
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

    for plugin, impl in _each_impl(pm, hook_name):
        impl.function(register=lambda thing, _p=plugin: register(thing, _p))
    return found


def collect_exporters(pm: pluggy.PluginManager) -> dict:
    """``{name: exporter}`` from every plugin."""
    return _collect_named(pm, "register_exporters", "an export")


def collect_consent_steps(pm: pluggy.PluginManager) -> list:
    """Every plugin's consent steps, in registration order; names must be unique."""
    return list(_collect_named(pm, "register_consent_steps", "a consent step").values())
