"""Shared fixtures come from consent_kit.testing, which consent-kit installs as a pytest plugin
(the ``pytest11`` entry point in setup.cfg): the same fixtures a plugin author gets.
Don't add ``pytest_plugins = ["consent_kit.testing"]`` here: it would register it twice.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import werkzeug.test

# The tests sit in folders that mirror consent_kit/ and plugins/. A few share helpers by module
# name (test_builder_web's signed_in, test_loader's TYPES, store_helpers): every folder that
# holds test modules is importable, whichever test pytest happens to collect first.
_TESTS = Path(__file__).resolve().parent
for _folder in sorted({path.parent for path in _TESTS.rglob("*.py")}):
    if "example_plugins" not in _folder.parts and str(_folder) not in sys.path:
        sys.path.append(str(_folder))


# Werkzeug's test client writes a multipart body over 500 KB (a "too big" upload) to a temporary
# file and never closes it: the ResourceWarning then fails whichever test the garbage collector
# runs in (it did, once, in a full run). Test uploads are kept in memory instead; the app's own
# handling of big uploads is unchanged (tests/web/test_test_uploads.py).
werkzeug.test.stream_encode_multipart = functools.partial(werkzeug.test.stream_encode_multipart,
                                                          use_tempfile=False)


@pytest.fixture(autouse=True)
def _rate_limit_windows_stand_still(monkeypatch):
    """A test's tries at a limited form all fall in one window of the limits (a minute on the
    wall clock): a test running across the turn of a minute would get a fresh count half-way."""
    monkeypatch.setattr("consent_kit.web.ratelimit.clock", lambda: 1_800_000_000.0)


class PluginVenv:
    """A fresh virtual environment layered on this one: consent-kit and its dependencies are visible
    (through a .pth file), and a plugin installed here goes into the fresh one only, never into .venv.

    ``python -m venv --system-site-packages`` would not do: from inside a venv it exposes the *base*
    interpreter's site-packages, not the venv's.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True,
                       timeout=120)
        self.python = str(folder / "bin" / "python")
        purelib = subprocess.run([self.python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                                  "['purelib'])"], capture_output=True, text=True, check=True,
                                 timeout=60).stdout.strip()
        parent = sysconfig.get_paths()["purelib"]
        # addsitedir, not a bare path, so the parent's own .pth files (editable installs) run too.
        (Path(purelib) / "_consent_kit_parent.pth").write_text(f"import site; site.addsitedir({parent!r})\n")

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in {"PYTHONPATH", "CONSENT_KIT_BLOCK_PLUGINS", "PYTEST_ADDOPTS"}}
        env.update(extra)
        return env

    def run(self, *args: str, cwd: Path | None = None, timeout: float = 120, **env: str):
        """Run this venv's python with ``args`` (``-P``: the current folder is not importable)."""
        return subprocess.run([self.python, "-P", *args], cwd=cwd, env=self.env(**env),
                              capture_output=True, text=True, timeout=timeout)

    def pip_install(self, path: Path) -> None:
        """Install a plugin from its folder, without its dependencies (they come from .venv).

        pip builds it in an isolated environment: .venv's setuptools is too old to build a wheel
        without the ``wheel`` package, so ``--no-build-isolation`` fails here.
        """
        # Build from a copy, so setuptools' build/ and *.egg-info never land in the source folder.
        copy = self.folder.parent / f"src-{path.name}"
        shutil.copytree(path, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        result = self.run("-m", "pip", "install", "--no-deps", "--quiet", str(copy), timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def plugin_venv(tmp_path) -> PluginVenv:
    """A fresh venv that sees .venv's packages, to install a plugin into (see PluginVenv)."""
    return PluginVenv(tmp_path / "venv")
