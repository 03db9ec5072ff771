"""Top-level survey-file settings that plugins own, e.g. ``incentive:`` or ``plain_language:``.

A plugin registers a :class:`SurveySetting` through the
``register_survey_settings`` hook; the loader then accepts the key, asks the
setting to check its value (so every mistake names the file and the line), and
keeps the value in ``survey.extra[key]``. No Flask here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from consent_kit.survey.load.common import Context, line_of, plain, value_line
from consent_kit.survey.load.yaml_reader import parse_yaml
from consent_kit.survey.model import SurveyError


class SettingReader:
    """What a setting's ``check`` gets: the value as written, and a way to report mistakes."""

    def __init__(self, context: Context, data: dict, key: str):
        self.key = key
        #: The loader's own context and the file's top-level mapping (line-aware), for the
        #: core's settings that use the loader's helpers; plugins need only the rest.
        self.context = context
        self.data = data
        #: The line of ``key:`` in the file.
        self.line = value_line(data, key)

    @property
    def value(self) -> Any:
        """The setting's value as plain Python (dicts, lists, strings, numbers)."""
        return plain(self.data[self.key])

    def line_of(self, node: Any) -> int:
        """The line of a part of the raw value (``self.data[self.key]`` and what is inside it)."""
        return line_of(node, self.line)

    def problem(self, message: str, line: int | None = None) -> None:
        """Report a mistake, in words that say how to fix it, at ``line`` (default: the key's)."""
        self.context.add(self.line if line is None else line, self.key, message)


@dataclass(frozen=True)
class SurveySetting:
    """A top-level key of survey files owned by a plugin.

    ``check(reader)`` reports each mistake with ``reader.problem(...)``; leave
    it out to accept any value. ``description`` says in a line what it is for
    (shown in ``consent-kit plugins --json``).
    """

    key: str
    description: str = ""
    check: Callable[[SettingReader], None] | None = None

    def read(self, context: Context, data: dict) -> None:
        """Check this setting in a file's top-level ``data``, if the file has it."""
        if self.key in data and self.check is not None:
            self.check(SettingReader(context, data, self.key))


class DuplicateSurveySetting(ValueError):
    """Two plugins own one key; the message names both."""


class SurveySettings:
    """The survey-file settings of one app, by key, with the plugin that owns each."""

    def __init__(self) -> None:
        self._settings: dict[str, SurveySetting] = {}
        self._owners: dict[str, str] = {}
        #: Keys of built-in plugins that are turned off: accepted as they are, not checked.
        self._ignored: dict[str, str] = {}

    def register(self, setting: SurveySetting, *, plugin: str = "?") -> None:
        """Add a setting; a second one with the same key is an error naming both plugins."""
        if setting.key in self._settings:
            raise DuplicateSurveySetting(
                f"Two plugins both read the survey setting {setting.key!r}: "
                f"{self._owners[setting.key]!r} and {plugin!r}. Block one of them.")
        self._settings[setting.key] = setting
        self._owners[setting.key] = plugin

    def ignore(self, setting: SurveySetting, *, plugin: str = "?") -> None:
        """Accept ``setting.key`` unchecked: its plugin is turned off, and that's no mistake in a file."""
        if setting.key not in self._settings:
            self._ignored[setting.key] = plugin

    def keys(self) -> tuple[str, ...]:
        """Every key a survey file may have beyond the core's, in registration order."""
        return (*self._settings, *self._ignored)

    def read_all(self, context: Context, data: dict) -> None:
        """Let every setting check its part of a file."""
        for setting in self._settings.values():
            setting.read(context, data)


def read_yaml(text: str, path: str = "") -> Any:
    """Read YAML as strictly as survey files are read (public: plugins read their own files so).

    Refuses ``*aliases`` (a few hundred bytes of them can grow into gigabytes),
    tags (``!!python/object``) and nesting deeper than any file needs, with
    plain messages. Mappings and lists keep their line numbers
    (``line_of(value)``). Raises :class:`consent_kit.SurveyError` listing every
    problem with ``path`` and the line.
    """
    context = Context(path)
    data = parse_yaml(context, text)
    if context.problems:
        raise SurveyError(context.problems)
    return data
