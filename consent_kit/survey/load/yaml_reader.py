"""Read the YAML of a survey file so that every mapping and list remembers its lines.

Part of :mod:`consent_kit.survey.load.survey_file`. Survey files are written by peer researchers,
not programmers, so this reader is a little stricter and a little kinder than
plain YAML:

* ``yes``, ``no``, ``on`` and ``off`` stay words; only ``true`` and ``false``
  switch things on and off.
* Dates (``2025-03-07``), numbers with a leading zero (``01234``) and times
  (``5:30``) stay text exactly as written.
* Copying with ``&anchor`` / ``*alias``, ``<<`` merges and ``!tags`` are not
  allowed: a survey file is data, and every word should be visible where it is used.
* Mistakes are explained in plain words, with the line they are on.
"""

from __future__ import annotations

import re

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from consent_kit.survey.load.common import Context

#: Deeper than this is a mistake (a survey needs about 7 levels).
MAX_DEPTH = 50

_STR = "tag:yaml.org,2002:str"
_ALLOWED_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class LineDict(dict):
    """A mapping from a survey file that remembers where each key and value was.

    ``line`` is the line the mapping starts on; ``key_lines[key]`` and
    ``value_lines[key]`` give the line of a key and of its value (1-based).
    """

    line: int = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_lines: dict = {}
        self.value_lines: dict = {}


class LineList(list):
    """A list from a survey file: ``line`` is where it starts, ``lines[i]`` where item i is."""

    line: int = 0

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: list[int] = []


class PlainYAMLError(yaml.MarkedYAMLError):
    """A problem we explain ourselves (``plain`` is already in plain words)."""

    def __init__(self, plain: str, mark):
        super().__init__(problem=plain, problem_mark=mark)
        self.plain = plain


def _line(node) -> int:
    return node.start_mark.line + 1


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _expect(node, kind, what: str) -> None:
    if not isinstance(node, kind):
        raise PlainYAMLError(f"A tag here asks for {what}, but the value isn't one. "
                             "Remove the tag (the part starting with !!).", node.start_mark)


class LineLoader(yaml.SafeLoader):
    """A SafeLoader that builds :class:`LineDict` and :class:`LineList`."""

    yaml_constructors: dict = {}
    yaml_implicit_resolvers: dict = {}

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0
        #: (key, line, first line) for every key written twice in one mapping.
        self.duplicate_keys: list[tuple[object, int, int]] = []

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            raise PlainYAMLError(
                "Survey files can't copy parts with * (an alias). "
                "Write the words out in full where you need them.",
                self.peek_event().start_mark,
            )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise PlainYAMLError(
                    f"The file is nested more than {MAX_DEPTH} levels deep. "
                    "Check the indentation: each level needs only 2 more spaces.",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node, deep=False):
        if node.tag not in _ALLOWED_TAGS:
            raise PlainYAMLError(
                f"Survey files can't use the YAML tag '{_short_tag(node.tag)}'. Remove it, "
                "and put text that starts with ! in quotes.",
                node.start_mark,
            )
        return super().construct_object(node, deep=True)

    def construct_line_map(self, node: MappingNode) -> LineDict:
        _expect(node, MappingNode, "a group of settings")
        mapping = LineDict()
        mapping.line = _line(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node)
            try:
                hash(key)
            except TypeError:
                raise PlainYAMLError(
                    "A setting's name can't be a list or a group of settings. "
                    "Check the indentation and the brackets on this line.",
                    key_node.start_mark,
                ) from None
            value = self.construct_object(value_node)
            if key in mapping:
                self.duplicate_keys.append((key, _line(key_node), mapping.key_lines[key]))
            mapping[key] = value
            mapping.key_lines[key] = _line(key_node)
            mapping.value_lines[key] = _line(value_node)
        return mapping

    def construct_line_seq(self, node: SequenceNode) -> LineList:
        _expect(node, SequenceNode, "a list")
        items = LineList()
        items.line = _line(node)
        for child in node.value:
            items.append(self.construct_object(child))
            items.lines.append(_line(child))
        return items

    def construct_checked_scalar(self, node: ScalarNode):
        """Build a number, true/false or null, explaining values that don't fit their tag."""
        builder = yaml.SafeLoader.yaml_constructors[node.tag]
        try:
            return builder(self, node)
        except (ValueError, KeyError, OverflowError):
            raise PlainYAMLError(
                f"'{node.value}' can't be read here. Put it in quotes if it is text.",
                node.start_mark,
            ) from None


for _tag in _ALLOWED_TAGS - {_STR, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}:
    LineLoader.add_constructor(_tag, LineLoader.construct_checked_scalar)
LineLoader.add_constructor(_STR, yaml.SafeLoader.yaml_constructors[_STR])
LineLoader.add_constructor("tag:yaml.org,2002:map", LineLoader.construct_line_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", LineLoader.construct_line_seq)

# Implicit types: a YAML 1.2-like core set, so words and dates stay text.
LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
LineLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


# What PyYAML says, and what we say instead. The first match wins.
_EXPLANATIONS = (
    ("but got '?'", "A question mark inside { } or [ ] needs its text in quotes, like "
     "{label: \"How old are you?\"}. Or write each setting on a line of its own."),
    ("but got ':'", "There is a colon (:) inside { } or [ ], or a bracket isn't closed. Put "
     "text that has a colon in quotes, and check every [ and { has its ] or }."),
    ("mapping values are not allowed", "There is a colon (:) where YAML doesn't expect one. "
     "If the text has a colon in it, put the whole text in quotes."),
    ("could not find expected ':'", "A line is missing its colon (:), or a quote mark "
     "isn't closed. Each setting needs a name, a colon and a space, like 'title: My survey'."),
    ("found character '\\t'", "There is a tab here. Use spaces, not tabs."),
    ("expected a single document", "The file has more than one part (split by ---). "
     "Put one survey in each file."),
    ("while scanning a quoted scalar", "A quote mark (\" or ') is opened but never closed. "
     "Add the closing quote mark."),
    ("found unexpected end of stream", "The file ends before something is finished: "
     "check for a missing quote mark or bracket."),
    ("while parsing a flow", "A bracket ( [ or { ) is opened but not closed properly. "
     "Check the brackets and the commas between items."),
    ("found character '@'", "Text can't start with @ or ` unless it's in quotes."),
    ("found character '`'", "Text can't start with @ or ` unless it's in quotes."),
    ("found character '%'", "Text can't start with % unless it's in quotes."),
    ("did not find expected '-' indicator", "A list item doesn't line up with the items "
     "above it. Every '- ' in one list needs the same number of spaces before it."),
    ("did not find expected key", "This line doesn't line up with the lines above it. "
     "Settings that belong together need the same number of spaces before them."),
    ("expected <block end>", "This line doesn't line up with the lines above it. "
     "Settings that belong together need the same number of spaces before them."),
)
_GENERIC_ADVICE = "Check the indentation and that text with a colon is in quotes."


def _tab_lines(text: str) -> list[int]:
    """Lines whose indentation (the spaces before the first character) contains a tab."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            found.append(number)
    return found


def _explain(error: yaml.YAMLError, text: str) -> tuple[int, str]:
    """The line and a plain message for a YAML error."""
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(error.position, 0)) + 1
        code = error.character if isinstance(error.character, int) else 0
        return line, (
            f"The file has a hidden character (code {code:#06x}) that survey files can't use. "
            "It often comes from pasting text from another program: delete the text on this "
            "line and type it again."
        )
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark else 0
    if isinstance(error, PlainYAMLError):
        return line, error.plain
    raw = f"{getattr(error, 'context', '') or ''} {getattr(error, 'problem', '') or ''}"
    plain = next((says for pyyaml, says in _EXPLANATIONS if pyyaml in raw), "")
    if not plain:
        detail = (getattr(error, "problem", "") or "something is out of place").strip()
        plain = f"YAML says '{detail}'. {_GENERIC_ADVICE}"
    column = f" (column {mark.column + 1})" if mark else ""
    return line, f"The file isn't valid YAML near here{column}: {plain[:1].lower()}{plain[1:]}"


def parse_yaml(ctx: Context, text: str):
    """Parse ``text``; return the data, or None after adding problems to ``ctx``.

    Keys written twice in one mapping are reported but do not stop the parse.
    """
    try:
        loader = LineLoader(text)
    except yaml.reader.ReaderError as error:
        ctx.add(*_at(_explain(error, text)))
        return None
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        tabs = _tab_lines(text)
        for line in tabs:
            ctx.add(line, "", "This line is indented with a tab. Survey files need "
                    "spaces for indentation: replace the tab with spaces "
                    "(2 spaces for each level).")
        if not tabs:
            ctx.add(*_at(_explain(error, text)))
        return None
    finally:
        loader.dispose()
    for key, line, first in loader.duplicate_keys:
        ctx.add(line, "", f"'{key}' is written twice here (first on line {first}). "
                "Keep one of them and delete the other.")
    return data


def _at(found: tuple[int, str]) -> tuple[int, str, str]:
    line, message = found
    return line, "", message
