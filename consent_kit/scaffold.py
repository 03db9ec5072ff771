"""``consent-kit new-plugin NAME``: write a plugin skeleton that installs, loads and passes its test."""

from __future__ import annotations

import re
from pathlib import Path

NAME_RULE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


class NewPluginError(Exception):
    """The name or the folder can't be used; the message says why in plain words."""


def check_name(name: str) -> str:
    """Return the module name (``consent_kit_<name with underscores>``) or raise NewPluginError."""
    if name.startswith("consent-kit-"):
        raise NewPluginError(
            f"Leave out 'consent-kit-': the name is just {name.removeprefix('consent-kit-')!r}, "
            "and the folder is called consent-kit-NAME for you."
        )
    if not NAME_RULE.fullmatch(name):
        raise NewPluginError(
            f"{name!r} can't be a plugin name. Use lowercase letters, digits and single hyphens, "
            "starting with a letter, for example 'mood-scale'."
        )
    return "consent_kit_" + name.replace("-", "_")


def write_skeleton(name: str, parent: Path) -> Path:
    """Write ``parent/consent-kit-NAME/`` and return it. Refuses to overwrite anything."""
    module = check_name(name)
    root = Path(parent) / f"consent-kit-{name}"
    if root.exists():
        raise NewPluginError(f"{root} already exists. Nothing was changed: choose another name or --dir.")
    type_name = name.replace("-", "_")
    values = {"name": name, "module": module, "type_name": type_name,
              "title": name.replace("-", " ").capitalize(),
              "module_class": "".join(part.capitalize() for part in name.split("-")) + "Question"}
    files = {
        "pyproject.toml": PYPROJECT,
        "setup.cfg": SETUP_CFG,
        "README.md": README,
        f"{module}/__init__.py": INIT,
        f"tests/test_{type_name}.py": TEST,
    }
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(**values))
    return root


PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[tool.pytest.ini_options]
testpaths = ["tests"]
filterwarnings = ["error"]
"""

SETUP_CFG = """\
[metadata]
name = consent-kit-{name}
version = 0.1.0
description = A consent-kit plugin.

[options]
python_requires = >=3.11
packages = {module}
install_requires =
    consent-kit

[options.entry_points]
# "{name}" is the plugin's name in `consent-kit plugins` and in blocked_plugins.
consent_kit =
    {name} = {module}

[options.extras_require]
test =
    pytest>=8
"""

INIT = '''\
"""consent-kit-{name}: adds the "{type_name}" question type."""

from consent_kit import PlainRadioField, QuestionType, hookimpl
from wtforms.fields.choices import SelectChoice

#: (stored value, what people read). Change these to your own answers.
ANSWERS = (
    ("yes", "Yes"),
    ("no", "No"),
    ("not_sure", "Not sure"),
)


class {module_class}(QuestionType):
    name = "{type_name}"  # what survey files write after "type:"
    label = "{title}"
    description = "Yes, no or not sure."
    template = "questions/radios.html"  # one of the core's templates, or your own
    prefer_not_to_say_is_choice = True

    def make_field(self, question, **_):
        return PlainRadioField(question.label, choices=[SelectChoice(v, t) for v, t in ANSWERS])

    def describe_answer(self, question, answer):
        return dict(ANSWERS).get(answer) or super().describe_answer(question, answer)


@hookimpl
def register_question_types(register):
    register({module_class}())
'''

TEST = '''\
"""Tests for consent-kit-{name}. make_app comes from consent_kit.testing (a pytest plugin)."""

from consent_kit import current_kit
from consent_kit.testing import Participant

import {module}

SURVEY = """\\
title: A try-out survey
description: One question, to try the {type_name} question type.
questions:
  - id: answer
    type: {type_name}
    label: Did it work?
"""


def test_{type_name}_question_can_be_answered(make_app):
    app = make_app(plugins=[{module}], forms={{"tryout.yaml": SURVEY}}, examples=False)
    person = Participant(app.test_client())
    reference = person.complete("tryout", {{"answer": "yes"}})
    assert reference
    with app.app_context():
        [response] = current_kit().store.iter_responses("tryout")
    assert response.answers == {{"answer": "yes"}}
'''

README = """\
# consent-kit-{name}

A consent-kit plugin that adds the `{type_name}` question type.

Next steps:

1. Edit `{module}/__init__.py`: the answers, the label and the description.
   See the hooks you can add in consent-kit's docs/plugins.md.
2. Install it where consent-kit is installed, with its test extras: `pip install -e '.[test]'`
3. Run its test: `pytest` (the fixtures come with consent-kit).
4. Check that consent-kit finds it: `consent-kit plugins` lists `{name}` as an entry point.
5. Use it in a survey file: `type: {type_name}`.

Turn it off with `blocked_plugins = ["{name}"]` in config.toml, or `CONSENT_KIT_BLOCK_PLUGINS={name}`.
"""
