"""docs/plugins.md documents every hook and every argument (Datasette's rule)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from consent_kit import hookspecs

DOC = (Path(__file__).resolve().parents[1] / "docs" / "plugins.md").read_text()
SPECS = [
    (name, fn)
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(fn, "consent_kit_spec")
]


def test_there_are_hooks():
    assert len(SPECS) >= 10


@pytest.mark.parametrize("name, spec", SPECS, ids=[n for n, _ in SPECS])
def test_every_hook_has_a_section_with_its_signature(name, spec):
    arguments = ", ".join(inspect.signature(spec).parameters)
    heading = f"### `{name}({arguments})`"
    assert heading in DOC, f"docs/plugins.md needs a section headed {heading}"


@pytest.mark.parametrize("name, spec", SPECS, ids=[n for n, _ in SPECS])
def test_every_hook_has_a_docstring(name, spec):
    assert spec.__doc__ and len(spec.__doc__.strip()) > 40


def test_no_section_for_a_hook_that_does_not_exist():
    documented = set(re.findall(r"^### `(\w+)\(", DOC, re.M))
    assert documented == {name for name, _ in SPECS}
