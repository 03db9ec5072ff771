"""``consent-kit new-plugin``: a skeleton that installs, loads and passes its own test as generated."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from consent_kit.cli import cli
from consent_kit.scaffold import NewPluginError, check_name, write_skeleton


def test_new_plugin_writes_the_skeleton(tmp_path):
    result = CliRunner().invoke(cli, ["new-plugin", "mood-scale", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "consent-kit-mood-scale"
    assert f"Made a plugin skeleton at {root}" in result.output
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert files == ["README.md", "consent_kit_mood_scale/__init__.py", "pyproject.toml", "setup.cfg",
                     "tests/test_mood_scale.py"]
    assert "consent_kit =\n    mood-scale = consent_kit_mood_scale" in (root / "setup.cfg").read_text()
    assert 'name = "mood_scale"' in (root / "consent_kit_mood_scale" / "__init__.py").read_text()
    # With the test extras, or the README's own test step fails (issue 21 §2).
    assert "pip install -e '.[test]'" in (root / "README.md").read_text()


def test_new_plugin_refuses_to_overwrite(tmp_path):
    (tmp_path / "consent-kit-hello").mkdir()
    (tmp_path / "consent-kit-hello" / "mine.txt").write_text("keep me")
    result = CliRunner().invoke(cli, ["new-plugin", "hello", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "already exists. Nothing was changed" in result.output
    assert [p.name for p in (tmp_path / "consent-kit-hello").iterdir()] == ["mine.txt"]


@pytest.mark.parametrize("name", ["Mood", "mood_scale", "-mood", "mood-", "mood--scale", "3d", "", "a b"])
def test_new_plugin_refuses_names_that_cant_be_a_package(name, tmp_path):
    result = CliRunner().invoke(cli, ["new-plugin", "--dir", str(tmp_path), "--", name])
    assert result.exit_code == 1
    assert "can't be a plugin name. Use lowercase letters, digits and single hyphens" in result.output
    assert list(tmp_path.iterdir()) == []


def test_new_plugin_name_rules():
    assert check_name("mood-scale2") == "consent_kit_mood_scale2"
    with pytest.raises(NewPluginError, match="Leave out 'consent-kit-'"):
        check_name("consent-kit-mood")


@pytest.mark.slow
def test_generated_skeleton_installs_and_passes_its_own_test(tmp_path, plugin_venv):
    root = write_skeleton("mood-scale", tmp_path)
    plugin_venv.pip_install(root)
    own = plugin_venv.run("-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=root, timeout=300)
    assert own.returncode == 0, own.stdout + own.stderr
    assert "1 passed" in own.stdout
    listed = plugin_venv.run("-m", "consent_kit.cli", "plugins", "--json", timeout=60)
    [row] = [r for r in json.loads(listed.stdout) if r["name"] == "mood-scale"]
    assert row["origin"] == "entry point" and row["hooks"] == ["register_question_types"]
