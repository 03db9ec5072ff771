"""Collect what plugins register, refusing duplicate names with a clear message."""

from __future__ import annotations

from pathlib import Path

import pluggy

from .plugins import PluginError
from .questiontype import DuplicateQuestionType, QuestionTypeRegistry


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


def collect_exporters(pm: pluggy.PluginManager) -> dict:
    """``{name: exporter}`` from every plugin."""
    exporters: dict = {}
    owners: dict = {}

    def register(exporter, plugin: str) -> None:
        if exporter.name in exporters:
            raise PluginError(
                f"Two plugins both add an export called {exporter.name!r}: "
                f"{owners[exporter.name]!r} and {plugin!r}."
            )
        owners[exporter.name] = plugin
        exporters[exporter.name] = exporter

    for plugin, impl in _each_impl(pm, "register_exporters"):
        impl.function(register=lambda e, _p=plugin: register(e, _p))
    return exporters


def collect_consent_steps(pm: pluggy.PluginManager) -> list:
    """Every plugin's consent steps, in registration order; names must be unique."""
    steps: list = []
    owners: dict = {}

    def register(step, plugin: str) -> None:
        if step.name in owners:
            raise PluginError(
                f"Two plugins both add a consent step called {step.name!r}: "
                f"{owners[step.name]!r} and {plugin!r}."
            )
        owners[step.name] = plugin
        steps.append(step)

    for plugin, impl in _each_impl(pm, "register_consent_steps"):
        impl.function(register=lambda s, _p=plugin: register(s, _p))
    return steps
