"""examples/consent-kit-hello, installed like a real third-party plugin, works end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "consent-kit-hello"

CHECK_APP = """
from consent_kit import create_app
from consent_kit.testing import make_instance
import sys, tempfile, pathlib
folder = make_instance(pathlib.Path(tempfile.mkdtemp()) / "site")
app = create_app({"TESTING": True}, instance=folder)
kit = app.extensions["consent_kit"]
print("feelings" in kit.question_types, kit.question_types.owner("feelings")
      if "feelings" in kit.question_types else "-")
print(app.test_client().get("/hello/").status_code)
"""


@pytest.mark.slow
def test_example_plugin_installs_loads_blocks_and_passes_its_own_tests(plugin_venv):
    plugin_venv.pip_install(EXAMPLE)

    listed = plugin_venv.run("-m", "consent_kit.cli", "plugins", "--json", timeout=60)
    assert listed.returncode == 0, listed.stderr
    [hello] = [row for row in json.loads(listed.stdout) if row["name"] == "hello"]
    assert hello["origin"] == "entry point" and hello["version"] == "0.1.0"
    assert hello["hooks"] == ["register_blueprints", "register_commands", "register_question_types"]

    said = plugin_venv.run("-m", "consent_kit.cli", "hello", timeout=60)
    assert said.returncode == 0, said.stderr
    assert said.stdout.strip() == "Hello from the consent-kit-hello plugin."

    app = plugin_venv.run("-c", CHECK_APP, timeout=60)
    assert app.returncode == 0, app.stderr
    assert app.stdout.split() == ["True", "hello", "200"]

    blocked = {"CONSENT_KIT_BLOCK_PLUGINS": "hello"}
    listed = plugin_venv.run("-m", "consent_kit.cli", "plugins", "--json", timeout=60, **blocked)
    assert "hello" not in {row["name"] for row in json.loads(listed.stdout)}
    app = plugin_venv.run("-c", CHECK_APP, timeout=60, **blocked)
    assert app.stdout.split() == ["False", "-", "404"], app.stderr
    said = plugin_venv.run("-m", "consent_kit.cli", "hello", timeout=60, **blocked)
    assert said.returncode != 0 and "No such command 'hello'" in said.stderr

    # Its own tests, run against the installed copy (-P: not the source folder on sys.path).
    own = plugin_venv.run("-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=EXAMPLE, timeout=300)
    assert own.returncode == 0, own.stdout + own.stderr
    assert "4 passed" in own.stdout
    assert str(plugin_venv.folder) in plugin_venv.run(
        "-c", "import consent_kit_hello; print(consent_kit_hello.__file__)", timeout=60).stdout
